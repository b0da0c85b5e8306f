#include "io/npy.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "centrix/error.hpp"

namespace centrix::io::detail {
namespace {

constexpr std::string_view magic = "\x93NUMPY";

/// The three keys of an NPY header that describe the array.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

// Parses the Python dict literal of an NPY header, e.g.
// "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }".
class HeaderParser {
 public:
  HeaderParser(const std::string& path, std::string_view text) : path_(path), text_(text) {}

  NpyHeader parse() {
    NpyHeader header;
    bool has_descr = false;
    bool has_order = false;
    bool has_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = parse_string();
      expect(':');
      if (key == "descr") {
        // A structured dtype is a list of fields; keep its text for the error message.
        header.descr = peek() == '[' ? parse_bracketed() : parse_string();
        has_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = parse_bool();
        has_order = true;
      } else if (key == "shape") {
        header.shape = parse_shape();
        has_shape = true;
      } else {
        malformed("unexpected key '" + printable(key) + "'");
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    if (!has_descr) malformed("no 'descr'");
    if (!has_order) malformed("no 'fortran_order'");
    if (!has_shape) malformed("no 'shape'");
    return header;
  }

 private:
  [[noreturn]] void malformed(std::string_view what) const {
    fail(path_, "malformed NPY header: " + std::string(what));
  }

  char peek() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t')) ++position_;
    return position_ < text_.size() ? text_[position_] : '\0';
  }

  bool accept(char c) {
    if (peek() != c) return false;
    ++position_;
    return true;
  }

  void expect(char c) {
    if (!accept(c)) malformed(std::string("expected '") + c + "'");
  }

  std::string parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') malformed("expected a string");
    const std::size_t close = text_.find(quote, position_ + 1);
    if (close == std::string_view::npos) malformed("unterminated string");
    std::string value(text_.substr(position_ + 1, close - position_ - 1));
    position_ = close + 1;
    return value;
  }

  std::string parse_bracketed() {
    const std::size_t start = position_;
    int depth = 0;
    for (; position_ < text_.size(); ++position_) {
      const char c = text_[position_];
      if (c == '[' || c == '(') ++depth;
      if ((c == ']' || c == ')') && --depth == 0) return std::string(text_.substr(start, ++position_ - start));
    }
    malformed("unterminated list");
  }

  bool parse_bool() {
    peek();
    const std::string_view rest = text_.substr(position_);
    if (rest.starts_with("True")) {
      position_ += 4;
      return true;
    }
    if (rest.starts_with("False")) {
      position_ += 5;
      return false;
    }
    malformed("expected True or False");
  }

  std::vector<std::size_t> parse_shape() {
    std::vector<std::size_t> shape;
    expect('(');
    while (!accept(')')) {
      peek();
      std::size_t extent = 0;
      const auto [stop, error] = std::from_chars(text_.data() + position_, text_.data() + text_.size(), extent);
      if (error != std::errc{}) malformed("bad shape");
      position_ = static_cast<std::size_t>(stop - text_.data());
      accept('L');  // Python 2 wrote long integers as "3L".
      shape.push_back(extent);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  const std::string& path_;
  std::string_view text_;
  std::size_t position_ = 0;
};

std::optional<ElementKind> element_kind(std::string_view descr) {
  if (descr.size() != 3) return std::nullopt;
  const char byte_order = descr[0];
  const std::string_view type = descr.substr(1);
  // '|' (not applicable) is what numpy writes for single bytes; '=' is native, which is little-endian here.
  if (byte_order == '|') {
    if (type == "i1") return ElementKind::Int8;
    if (type == "u1") return ElementKind::UInt8;
    return std::nullopt;
  }
  if (byte_order != '<' && byte_order != '=') return std::nullopt;
  constexpr std::array<std::pair<std::string_view, ElementKind>, 10> kinds{{
      {"f4", ElementKind::Float32},
      {"f8", ElementKind::Float64},
      {"i1", ElementKind::Int8},
      {"i2", ElementKind::Int16},
      {"i4", ElementKind::Int32},
      {"i8", ElementKind::Int64},
      {"u1", ElementKind::UInt8},
      {"u2", ElementKind::UInt16},
      {"u4", ElementKind::UInt32},
      {"u8", ElementKind::UInt64},
  }};
  for (const auto& [name, kind] : kinds) {
    if (type == name) return kind;
  }
  return std::nullopt;
}

std::size_t element_size(ElementKind kind) noexcept {
  switch (kind) {
    case ElementKind::Int8:
    case ElementKind::UInt8:
      return 1;
    case ElementKind::Int16:
    case ElementKind::UInt16:
      return 2;
    case ElementKind::Float32:
    case ElementKind::Int32:
    case ElementKind::UInt32:
      return 4;
    case ElementKind::Float64:
    case ElementKind::Int64:
    case ElementKind::UInt64:
      return 8;
  }
  return 8;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

// Little-endian unsigned integer of `size` bytes at `bytes`.
std::size_t read_little_endian(const std::byte* bytes, std::size_t size) noexcept {
  std::size_t value = 0;
  for (std::size_t i = size; i-- > 0;) value = (value << 8) | std::to_integer<std::size_t>(bytes[i]);
  return value;
}

}  // namespace

StoredMatrix read_npy(const std::string& path) {
  MappedFile file = map_file(path);
  const std::byte* const bytes = file.bytes.get();
  const std::string_view content(reinterpret_cast<const char*>(bytes), file.size);
  if (!content.starts_with(magic)) fail(path, "not an NPY file (bad magic)");
  // Magic, major and minor version, then the header length: 2 bytes in version 1, 4 bytes since version 2.
  if (content.size() < magic.size() + 2) fail(path, "truncated NPY header");
  const auto major = static_cast<unsigned char>(content[magic.size()]);
  const auto minor = static_cast<unsigned char>(content[magic.size() + 1]);
  if (major < 1 || major > 3) {
    fail(path, "unsupported NPY version " + std::to_string(major) + "." + std::to_string(minor));
  }
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t header_start = magic.size() + 2 + length_size;
  if (content.size() < header_start) fail(path, "truncated NPY header");
  const std::size_t header_length = read_little_endian(bytes + magic.size() + 2, length_size);
  if (content.size() - header_start < header_length) fail(path, "truncated NPY header");
  const std::size_t data_offset = header_start + header_length;

  const NpyHeader header = HeaderParser(path, content.substr(header_start, header_length)).parse();
  const std::optional<ElementKind> kind = element_kind(header.descr);
  if (!kind) {
    fail(path, "unsupported NPY dtype '" + printable(header.descr) + "' (supported: float32, float64, integers)");
  }
  if (header.fortran_order) fail(path, "unsupported NPY order: Fortran (column-major); save it in C order");
  if (header.shape.empty() || header.shape.size() > 2) {
    fail(path, "unsupported NPY shape " + shape_text(header.shape) + " (expected 1 or 2 dimensions)");
  }
  const std::size_t rows = header.shape[0];
  const std::size_t cols = header.shape.size() == 2 ? header.shape[1] : 1;
  if (rows == 0) fail(path, "empty file (no data rows)");
  if (cols == 0) fail(path, "empty matrix (shape " + shape_text(header.shape) + " has no columns)");

  const std::size_t item_size = element_size(*kind);
  const std::size_t available = file.size - data_offset;
  // Compare by division: rows * cols * item_size overflows for a corrupt shape.
  if (rows > SIZE_MAX / item_size / cols) {
    fail(path, "malformed NPY header: shape " + shape_text(header.shape) + " is too large");
  }
  const std::size_t expected = rows * cols * item_size;
  if (available < expected) {
    fail(path, "truncated NPY file: expected " + std::to_string(expected) + " bytes of data, found " +
                   std::to_string(available));
  }
  StoredMatrix stored;
  stored.first = bytes + data_offset;
  stored.rows = rows;
  stored.cols = cols;
  stored.row_stride = cols * item_size;
  stored.kind = *kind;
  stored.file = std::move(file);
  return stored;
}

std::string npy_preamble(std::string_view descr, std::span<const std::size_t> shape) {
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) header += ", ";
    header += std::to_string(shape[i]);
  }
  header += shape.size() == 1 ? ",), }" : "), }";
  // numpy pads with spaces and ends with '\n' so that the data is 64-byte aligned.
  constexpr std::size_t alignment = 64;
  const std::size_t fixed = magic.size() + 2 + 2;
  const std::size_t padded = (fixed + header.size() + 1 + alignment - 1) / alignment * alignment;
  header.append(padded - fixed - header.size() - 1, ' ');
  header += '\n';
  const std::size_t header_length = header.size();
  std::string preamble(magic);
  preamble += '\x01';
  preamble += '\x00';
  preamble += static_cast<char>(header_length & 0xFF);
  preamble += static_cast<char>(header_length >> 8);
  return preamble + header;
}

}  // namespace centrix::io::detail
