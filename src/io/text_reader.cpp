#include "io/text_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "centrix/error.hpp"
#include "io/file_access.hpp"

namespace centrix::io::detail {
namespace {

enum class Separator { Comma, Tab, Whitespace };

/// Why a field could not be read as a value.
enum class FieldProblem { None, NonNumeric, NonFinite, OutOfFloat32Range, NotInteger };

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// std::from_chars rejects the leading '+' that many writers emit.
std::string_view without_plus_sign(std::string_view field) noexcept {
  if (field.size() > 1 && field[0] == '+' && field[1] != '+' && field[1] != '-') field.remove_prefix(1);
  return field;
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// std::from_chars reports overflow and underflow alike (result_out_of_range) and
// leaves the value unset; the decimal exponent of the first significant digit
// tells the two apart (positive: too large, otherwise: too small).
bool overflows(std::string_view number) noexcept {
  constexpr std::int64_t saturation = std::int64_t{1} << 40;
  std::size_t i = 0;
  if (i < number.size() && number[i] == '-') ++i;
  std::int64_t magnitude = 0;
  bool significant = false;
  for (; i < number.size() && is_digit(number[i]); ++i) {
    if (significant || number[i] != '0') {
      significant = true;
      magnitude = std::min(magnitude + 1, saturation);
    }
  }
  if (i < number.size() && number[i] == '.') {
    for (++i; i < number.size() && is_digit(number[i]); ++i) {
      if (significant) continue;
      if (number[i] == '0') {
        magnitude = std::max(magnitude - 1, -saturation);
      } else {
        significant = true;
      }
    }
  }
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    const bool negative = i < number.size() && number[i] == '-';
    if (i < number.size() && (number[i] == '-' || number[i] == '+')) ++i;
    std::int64_t exponent = 0;
    for (; i < number.size() && is_digit(number[i]); ++i)
      exponent = std::min(exponent * 10 + (number[i] - '0'), saturation);
    magnitude += negative ? -exponent : exponent;
  }
  return magnitude > 0;
}

FieldProblem parse_real(std::string_view field, bool allow_non_finite, double& out) noexcept {
  const std::string_view number = without_plus_sign(field);
  const char* end = number.data() + number.size();
  double value = 0;
  const auto [stop, error] = std::from_chars(number.data(), end, value);
  if (stop != end) return FieldProblem::NonNumeric;
  if (error == std::errc::result_out_of_range) {
    const double limit = overflows(number) ? std::numeric_limits<double>::infinity() : 0.0;
    value = number.front() == '-' ? -limit : limit;
  }
  if (!allow_non_finite && !std::isfinite(value)) return FieldProblem::NonFinite;
  out = value;
  return FieldProblem::None;
}

FieldProblem parse_field(std::string_view field, bool allow_non_finite, double& out) noexcept {
  return parse_real(field, allow_non_finite, out);
}

FieldProblem parse_field(std::string_view field, bool allow_non_finite, float& out) noexcept {
  double value = 0;
  const FieldProblem problem = parse_real(field, allow_non_finite, value);
  if (problem != FieldProblem::None) return problem;
  constexpr double largest = std::numeric_limits<float>::max();
  if (std::isfinite(value) && std::abs(value) > largest) {
    if (!allow_non_finite) return FieldProblem::OutOfFloat32Range;
    // Converting an out-of-range double to float is undefined behaviour; spell out the infinity.
    constexpr float infinity = std::numeric_limits<float>::infinity();
    out = std::signbit(value) ? -infinity : infinity;
    return FieldProblem::None;
  }
  out = static_cast<float>(value);
  return FieldProblem::None;
}

// Labels: integers, or numbers with an integral value ("3.0", as numpy.savetxt writes them).
FieldProblem parse_field(std::string_view field, bool /*allow_non_finite*/, std::int64_t& out) noexcept {
  const std::string_view number = without_plus_sign(field);
  const char* end = number.data() + number.size();
  std::int64_t integer = 0;
  const auto [stop, error] = std::from_chars(number.data(), end, integer);
  if (error == std::errc{} && stop == end) {
    out = integer;
    return FieldProblem::None;
  }
  double value = 0;
  if (parse_real(field, true, value) != FieldProblem::None) return FieldProblem::NonNumeric;
  // 2^63 is exact in double; every integral double in [-2^63, 2^63) fits std::int64_t.
  constexpr double two_to_63 = 9223372036854775808.0;
  if (!std::isfinite(value) || std::trunc(value) != value || value < -two_to_63 || value >= two_to_63) {
    return FieldProblem::NotInteger;
  }
  out = static_cast<std::int64_t>(value);
  return FieldProblem::None;
}

std::string quoted(std::string_view field) {
  // append(), not "'" + std::string: GCC 12 warns falsely (-Wrestrict, GCC bug 105329) on the latter at -O3.
  std::string out("'");
  out.append(printable(field)).append("'");
  return out;
}

std::string describe(FieldProblem problem, std::string_view field) {
  switch (problem) {
    case FieldProblem::NonNumeric:
      return "non-numeric field " + quoted(field);
    case FieldProblem::NonFinite:
      return "NaN or Inf value " + quoted(field);
    case FieldProblem::OutOfFloat32Range:
      return "value " + quoted(field) + " is out of float32 range";
    case FieldProblem::NotInteger:
      return "not an integer " + quoted(field);
    case FieldProblem::None:
      break;
  }
  return "invalid field " + quoted(field);
}

/// A field inside the file's text: [begin, end).
struct Field {
  const char* begin;
  const char* end;
  [[nodiscard]] std::string_view text() const noexcept { return {begin, static_cast<std::size_t>(end - begin)}; }
};

Separator detect_separator(const char* begin, const char* end) noexcept {
  const std::string_view line(begin, static_cast<std::size_t>(end - begin));
  if (line.find(',') != std::string_view::npos) return Separator::Comma;
  if (line.find('\t') != std::string_view::npos) return Separator::Tab;
  return Separator::Whitespace;
}

template <class T>
class TextParser {
 public:
  TextParser(const std::string& path, std::string_view text, bool allow_non_finite)
      : path_(path), text_(text), allow_non_finite_(allow_non_finite) {}

  TextTable<T> parse() {
    const char* cursor = text_.data();
    const char* const end = cursor + text_.size();
    constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";
    if (text_.starts_with(byte_order_mark)) cursor += byte_order_mark.size();
    while (cursor < end) {
      const auto* newline = static_cast<const char*>(std::memchr(cursor, '\n', static_cast<std::size_t>(end - cursor)));
      const char* const line_end = newline != nullptr ? newline : end;
      ++line_number_;
      line_start_ = cursor;
      const auto* comment =
          static_cast<const char*>(std::memchr(cursor, '#', static_cast<std::size_t>(line_end - cursor)));
      const char* content_end = comment != nullptr ? comment : line_end;
      // Trailing whitespace, the '\r' of CRLF included, is no part of the last field.
      while (content_end > cursor && is_blank(content_end[-1])) --content_end;
      if (content_end > cursor) read_line(cursor, content_end, line_end);
      cursor = line_end == end ? end : line_end + 1;
    }
    if (table_.rows == 0) fail(path_, "empty file (no data rows)");
    return std::move(table_);
  }

 private:
  [[noreturn]] void fail_at(const char* position, std::string_view what) const {
    // Columns count characters, not bytes: UTF-8 continuation bytes do not start a new one.
    std::size_t column = 1;
    for (const char* p = line_start_; p < position; ++p) column += (static_cast<unsigned char>(*p) & 0xC0) != 0x80;
    fail(path_ + ":" + std::to_string(line_number_) + ":" + std::to_string(column), what);
  }

  // Calls on_field(Field) for every field of the line content [begin, end), which has no trailing whitespace.
  template <class OnField>
  void for_each_field(Separator separator, const char* begin, const char* end, OnField&& on_field) const {
    if (separator == Separator::Whitespace) {
      const char* cursor = begin;
      while (true) {
        while (cursor < end && is_blank(*cursor)) ++cursor;
        if (cursor == end) return;
        const char* const field_begin = cursor;
        while (cursor < end && !is_blank(*cursor)) ++cursor;
        on_field(Field{field_begin, cursor});
      }
    }
    const char delimiter = separator == Separator::Comma ? ',' : '\t';
    // Spaces around a delimited field are padding; a tab is padding too when the delimiter is a comma.
    const auto is_padding = [delimiter](char c) { return c != delimiter && is_blank(c); };
    const char* cursor = begin;
    while (true) {
      const auto* found =
          static_cast<const char*>(std::memchr(cursor, delimiter, static_cast<std::size_t>(end - cursor)));
      const char* const delimiter_position = found != nullptr ? found : end;
      Field field{cursor, delimiter_position};
      while (field.begin < field.end && is_padding(*field.begin)) ++field.begin;
      while (field.end > field.begin && is_padding(field.end[-1])) --field.end;
      if (field.begin == field.end) fail_at(field.begin, "empty field");
      on_field(field);
      if (delimiter_position == end) return;
      cursor = delimiter_position + 1;
    }
  }

  std::size_t count_fields(const char* begin, const char* end) const {
    std::size_t count = 0;
    for_each_field(separator_, begin, end, [&count](Field) { ++count; });
    return count;
  }

  [[noreturn]] void fail_ragged(const char* begin, const char* end) const {
    fail_at(line_start_, "ragged row: " + std::to_string(count_fields(begin, end)) + " fields, expected " +
                             std::to_string(table_.cols) + " (from line " + std::to_string(reference_line_) + ")");
  }

  void read_line(const char* begin, const char* end, const char* line_end) {
    if (table_.cols == 0) {
      read_first_line(begin, end, line_end);
      return;
    }
    std::size_t count = 0;
    for_each_field(separator_, begin, end, [&](Field field) {
      if (++count > table_.cols) fail_ragged(begin, end);
      append(field);
    });
    if (count < table_.cols) fail_ragged(begin, end);
    ++table_.rows;
  }

  void append(Field field) {
    T value{};
    const FieldProblem problem = parse_field(field.text(), allow_non_finite_, value);
    if (problem != FieldProblem::None) fail_at(field.begin, describe(problem, field.text()));
    table_.values.push_back(value);
  }

  // The first line with content sets the separator and the number of columns, unless it is a header
  // (only that line may be one: a later non-numeric line is an error).
  void read_first_line(const char* begin, const char* end, const char* line_end) {
    const Separator separator = detect_separator(begin, end);
    std::vector<Field> fields;
    for_each_field(separator, begin, end, [&fields](Field field) { fields.push_back(field); });
    const bool all_non_numeric = std::all_of(fields.begin(), fields.end(), [this](Field field) {
      T ignored{};
      return parse_field(field.text(), allow_non_finite_, ignored) == FieldProblem::NonNumeric;
    });
    if (all_non_numeric && !header_seen_) {
      header_seen_ = true;
      return;
    }
    separator_ = separator;
    reference_line_ = line_number_;
    table_.cols = fields.size();
    // One row per remaining line is an upper bound that avoids regrowing the buffer.
    const auto remaining_lines = static_cast<std::size_t>(std::count(line_end, text_.data() + text_.size(), '\n'));
    table_.values.reserve((remaining_lines + 1) * table_.cols);
    for (const Field field : fields) append(field);
    ++table_.rows;
  }

  const std::string& path_;
  std::string_view text_;
  bool allow_non_finite_;
  std::size_t line_number_ = 0;
  const char* line_start_ = nullptr;
  Separator separator_ = Separator::Whitespace;
  std::size_t reference_line_ = 0;
  bool header_seen_ = false;
  TextTable<T> table_;
};

}  // namespace

template <class T>
TextTable<T> read_text_table(const std::string& path, bool allow_non_finite) {
  const std::string text = read_file(path);
  return TextParser<T>(path, text, allow_non_finite).parse();
}

template TextTable<float> read_text_table<float>(const std::string&, bool);
template TextTable<double> read_text_table<double>(const std::string&, bool);
template TextTable<std::int64_t> read_text_table<std::int64_t>(const std::string&, bool);

}  // namespace centrix::io::detail
