// Private: NumPy .npy files (format versions 1.0 to 3.0).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "io/stored_matrix.hpp"

namespace centrix::io::detail {

/// Maps the NPY file at `path`: a C-order, little-endian float32/float64/integer
/// array of 1 (read as N x 1) or 2 dimensions. Throws IoError.
StoredMatrix read_npy(const std::string& path);

/// The magic, version (1.0) and header of an NPY file holding a C-order array of
/// `descr` ("<f8") and `shape`, padded so that the data starts 64-byte aligned.
std::string npy_preamble(std::string_view descr, std::span<const std::size_t> shape);

}  // namespace centrix::io::detail
