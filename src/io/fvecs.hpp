// Private: fvecs and ivecs files (the TEXMEX / ANN benchmark formats).
#pragma once

#include <string>

#include "io/stored_matrix.hpp"

namespace centrix::io::detail {

/// Whether `path` names an ivecs (int32) file rather than an fvecs (float32) one, by its extension.
bool is_ivecs_path(const std::string& path);

/// Maps an fvecs (`kind` Float32) or ivecs (`kind` Int32) file: every row is an
/// int32 dimension d followed by d values, and every row has the same d. Throws IoError.
StoredMatrix read_vecs(const std::string& path, ElementKind kind);

}  // namespace centrix::io::detail
