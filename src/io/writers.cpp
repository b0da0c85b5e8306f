// Serialising results and writing them without ever leaving a half-written file.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <type_traits>

#include "centrix/error.hpp"
#include "centrix/io.hpp"
#include "io/file_access.hpp"
#include "io/npy.hpp"

namespace centrix::io {
namespace {

[[noreturn]] void fail_write(const std::string& destination, int error_number) {
  detail::fail(destination, "cannot write: " + detail::error_text(error_number));
}

// A name beside the destination (same folder, hence same file system, so that rename() is atomic) that no other
// writer uses: hidden, and unique per process and per call.
std::string temporary_path_for(const std::string& destination) {
  static std::atomic<unsigned long> counter{0};
  const std::filesystem::path path(destination);
  // Built with append(): GCC 12 reports a false -Wrestrict for "." + std::string at -O3 (GCC bug 105329).
  std::string name(".");
  name.append(path.filename().string())
      .append(".tmp-")
      .append(std::to_string(::getpid()))
      .append("-")
      .append(std::to_string(counter.fetch_add(1)));
  return (path.parent_path() / name).string();
}

// Gives up on a temporary file that could not be written completely.
[[noreturn]] void abandon(int descriptor, const std::string& temporary, const std::string& destination,
                          int error_number) {
  if (descriptor >= 0) ::close(descriptor);
  ::unlink(temporary.c_str());
  fail_write(destination, error_number);
}

// Writes `content` to a new temporary file beside `destination` and returns its path.
std::string write_temporary(const std::string& destination, const std::string& content) {
  std::string temporary = temporary_path_for(destination);
  const int descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (descriptor < 0) fail_write(destination, errno);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t count = ::write(descriptor, content.data() + written, content.size() - written);
    if (count < 0) {
      if (errno == EINTR) continue;
      abandon(descriptor, temporary, destination, errno);
    }
    written += static_cast<std::size_t>(count);
  }
  // fsync before the rename: otherwise a crash could leave the destination renamed but empty.
  if (::fsync(descriptor) != 0) abandon(descriptor, temporary, destination, errno);
  if (::close(descriptor) != 0) abandon(-1, temporary, destination, errno);
  return temporary;
}

void append_number(std::string& out, auto value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

void append_bytes(std::string& out, const void* data, std::size_t size) {
  out.append(static_cast<const char*>(data), size);
}

std::int32_t vecs_dimension(std::size_t cols) {
  if (cols > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw InvalidArgument("fvecs: " + std::to_string(cols) + " columns do not fit the int32 row header");
  }
  return static_cast<std::int32_t>(cols);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string temporary = write_temporary(path, content);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) abandon(-1, temporary, path, errno);
}

OutputBatch::~OutputBatch() {
  for (const Pending& pending : pending_) ::unlink(pending.temporary.c_str());
}

void OutputBatch::add(const std::string& path, const std::string& content) {
  // Reserve first: a failed push_back after writing would lose track of the temporary file.
  pending_.reserve(pending_.size() + 1);
  pending_.push_back({write_temporary(path, content), path});
}

void OutputBatch::commit() {
  const std::vector<Pending> pending = std::move(pending_);
  pending_.clear();
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (std::rename(pending[i].temporary.c_str(), pending[i].destination.c_str()) != 0) {
      // Files already renamed stay in place (a rename cannot be undone); the rest are dropped.
      const int error_number = errno;
      for (std::size_t j = i; j < pending.size(); ++j) ::unlink(pending[j].temporary.c_str());
      fail_write(pending[i].destination, error_number);
    }
  }
}

std::string encode_labels(std::span<const std::int32_t> labels, Format format) {
  std::string out;
  if (format == Format::Npy) {
    const std::size_t shape[] = {labels.size()};
    out = detail::npy_preamble("<i4", shape);
    append_bytes(out, labels.data(), labels.size_bytes());
    return out;
  }
  if (format == Format::Fvecs) {
    // ivecs with one value per row, as load_labels reads it back.
    const std::int32_t dimension = 1;
    for (const std::int32_t label : labels) {
      append_bytes(out, &dimension, sizeof(dimension));
      append_bytes(out, &label, sizeof(label));
    }
    return out;
  }
  out.reserve(labels.size() * 4);
  for (const std::int32_t label : labels) {
    append_number(out, label);
    out += '\n';
  }
  return out;
}

template <class T>
std::string encode_matrix(MatrixView<T> matrix, Format format, char delimiter) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  std::string out;
  if (format == Format::Npy) {
    const std::size_t shape[] = {matrix.rows(), matrix.cols()};
    out = detail::npy_preamble(std::is_same_v<T, float> ? "<f4" : "<f8", shape);
    for (std::size_t i = 0; i < matrix.rows(); ++i) append_bytes(out, matrix.row(i), matrix.cols() * sizeof(T));
    return out;
  }
  if (format == Format::Fvecs) {
    // fvecs holds float32 whatever T is.
    const std::int32_t dimension = vecs_dimension(matrix.cols());
    for (std::size_t i = 0; i < matrix.rows(); ++i) {
      append_bytes(out, &dimension, sizeof(dimension));
      for (const T value : matrix.row_span(i)) {
        if (std::isfinite(value) && std::abs(value) > std::numeric_limits<float>::max()) {
          throw InvalidArgument("fvecs: value " + std::to_string(value) + " is out of float32 range");
        }
        const auto single = static_cast<float>(value);
        append_bytes(out, &single, sizeof(single));
      }
    }
    return out;
  }
  out.reserve(matrix.rows() * matrix.cols() * (std::is_same_v<T, float> ? 10 : 18));
  for (std::size_t i = 0; i < matrix.rows(); ++i) {
    for (std::size_t j = 0; j < matrix.cols(); ++j) {
      if (j > 0) out += delimiter;
      append_number(out, matrix(i, j));
    }
    out += '\n';
  }
  return out;
}

template std::string encode_matrix<float>(MatrixView<float>, Format, char);
template std::string encode_matrix<double>(MatrixView<double>, Format, char);

void ensure_distinct_files(const std::string& input, const std::string& output) {
  std::error_code error;
  // equivalent() is false, not an error, when either file does not exist yet.
  if (std::filesystem::equivalent(input, output, error)) detail::fail(output, "refusing to overwrite the input file");
}

}  // namespace centrix::io
