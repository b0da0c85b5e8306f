// Private: the delimited-text reader behind load_matrix, load_vector and load_labels.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace centrix::io::detail {

/// Numbers read from a text file, row-major.
template <class T>
struct TextTable {
  std::vector<T> values;  ///< rows * cols values
  std::size_t rows = 0;
  std::size_t cols = 0;
};

/// Reads the text file at `path` as float, double or std::int64_t values.
///
/// Fields are separated by commas, tabs or runs of whitespace, whichever the
/// first data line uses. '#' starts a comment, blank lines are skipped, CRLF
/// line ends and a UTF-8 byte order mark are accepted, and a first line whose
/// fields are all non-numeric is a header. For std::int64_t every field must
/// hold an integral value. Throws IoError "<path>:<line>:<column>: <what>".
template <class T>
TextTable<T> read_text_table(const std::string& path, bool allow_non_finite);

}  // namespace centrix::io::detail
