// Private: a matrix as it lies in a memory-mapped binary file (NPY, fvecs,
// ivecs), and its conversion into a Dataset or into labels.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "centrix/io.hpp"
#include "io/file_access.hpp"

namespace centrix::io::detail {

// Binary files are read and written by copying bytes, which is right only on a little-endian machine.
static_assert(std::endian::native == std::endian::little, "the NPY and fvecs readers assume a little-endian host");

/// Element types a binary file may store (all little-endian).
enum class ElementKind { Float32, Float64, Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64 };

/// A rows x cols matrix inside a mapped file: row r starts at first + r * row_stride
/// bytes and holds cols packed elements of `kind`, not necessarily aligned.
struct StoredMatrix {
  MappedFile file;
  const std::byte* first = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t row_stride = 0;
  ElementKind kind = ElementKind::Float64;
};

/// The type a stored matrix is held in when none is asked for: float32 stays
/// float32, everything else becomes float64.
DType default_dtype(ElementKind kind) noexcept;

/// The stored matrix as a Dataset of `dtype`: the mapping itself when the file
/// already holds contiguous, aligned values of that type, a converted copy
/// otherwise. Throws IoError "<path>: row R, column C: ..." on the first NaN or
/// Inf (unless allowed) and on values beyond the float32 range.
Dataset to_dataset(const StoredMatrix& stored, const std::string& path, DType dtype, bool allow_non_finite);

/// The single column of a stored matrix as integer labels; float values must be integral.
std::vector<std::int64_t> to_labels(const StoredMatrix& stored, const std::string& path);

}  // namespace centrix::io::detail
