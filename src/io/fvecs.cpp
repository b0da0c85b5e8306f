#include "io/fvecs.hpp"

#include <cstdint>
#include <cstring>

#include "centrix/error.hpp"

namespace centrix::io::detail {

bool is_ivecs_path(const std::string& path) {
  return lowercase_extension(path) == ".ivecs";
}

StoredMatrix read_vecs(const std::string& path, ElementKind kind) {
  constexpr std::size_t word = 4;  // the dimension and every value are 4 bytes
  MappedFile file = map_file(path);
  const std::byte* const bytes = file.bytes.get();
  const auto dimension_at = [bytes](std::size_t offset) {
    std::int32_t dimension = 0;
    std::memcpy(&dimension, bytes + offset, word);
    return dimension;
  };
  if (file.size < word) fail(path, "truncated file: " + std::to_string(file.size) + " bytes, less than one row");
  const std::int32_t first_dimension = dimension_at(0);
  if (first_dimension <= 0) fail(path, "row 1: invalid dimension " + std::to_string(first_dimension));
  const auto cols = static_cast<std::size_t>(first_dimension);
  const std::size_t row_size = word * (cols + 1);
  // Walk every row so that a row of another dimension is reported as such, not as truncation.
  std::size_t rows = 0;
  for (std::size_t offset = 0; offset < file.size; offset += row_size, ++rows) {
    const std::size_t remaining = file.size - offset;
    const auto fail_truncated = [&] {
      fail(path, "truncated file: row " + std::to_string(rows + 1) + " needs " + std::to_string(row_size) +
                     " bytes, found " + std::to_string(remaining));
    };
    if (remaining < word) fail_truncated();
    const std::int32_t dimension = dimension_at(offset);
    if (dimension != first_dimension) {
      fail(path, "row " + std::to_string(rows + 1) + ": dimension " + std::to_string(dimension) + ", expected " +
                     std::to_string(first_dimension) + " (from row 1)");
    }
    if (remaining < row_size) fail_truncated();
  }
  StoredMatrix stored;
  stored.first = bytes + word;
  stored.rows = rows;
  stored.cols = cols;
  stored.row_stride = row_size;
  stored.kind = kind;
  stored.file = std::move(file);
  return stored;
}

}  // namespace centrix::io::detail
