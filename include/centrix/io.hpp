// Reading data sets and writing results.
//
// Readers: text (comma, tab or whitespace separated, optional header line,
// '#' comments), NPY (float32/float64/integer, C order, memory-mapped) and
// fvecs/ivecs. Every error is an IoError whose one-line message names the
// file, and the line and column where known ("data.csv:12:7: ...").
//
// Writers never leave a half-written file: they write to a temporary file in
// the destination's folder and rename it over the destination only once the
// whole content is on disk. OutputBatch extends that to several files: none is
// renamed into place until all of them have been written.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix::io {

/// On-disk format of a matrix or vector file.
enum class Format {
  Auto,   ///< chosen from the file name's extension (.npy, .fvecs, .ivecs; anything else is text)
  Text,   ///< delimited text: comma (.csv), tab (.tsv) or whitespace
  Npy,    ///< NumPy .npy, version 1.0-3.0
  Fvecs,  ///< fvecs (float32) or ivecs (int32): each row is an int32 dimension followed by that many values
};

/// Element type a matrix is held in once loaded.
enum class DType { Float32, Float64 };

/// Parses "auto", "text", "csv", "tsv", "npy", "fvecs", "ivecs"; throws InvalidArgument otherwise.
Format parse_format(const std::string& name);
/// Parses "float32" or "float64" (also "f4", "f8", "float", "double"); throws InvalidArgument otherwise.
DType parse_dtype(const std::string& name);
/// The format Auto stands for, given a path's extension.
Format format_from_path(const std::string& path);
const char* to_string(DType dtype) noexcept;

/// How to load a matrix.
struct LoadOptions {
  Format format = Format::Auto;   ///< file format; Auto picks by extension
  std::optional<DType> dtype;     ///< element type to hold; unset keeps float32 as float32, everything else float64
  bool allow_non_finite = false;  ///< accept NaN and Inf values instead of failing on the first one
};

/// A loaded matrix: either a memory map of the file (NPY/fvecs whose element
/// type is the one asked for, no copy) or an owned buffer. Copies share the
/// underlying memory.
class Dataset {
 public:
  Dataset() = default;
  Dataset(std::shared_ptr<const void> owner, const void* data, std::size_t rows, std::size_t cols, DType dtype,
          std::string path);

  [[nodiscard]] DType dtype() const noexcept { return dtype_; }
  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// True when the data is a memory map of the file rather than a copy.
  [[nodiscard]] bool memory_mapped() const noexcept { return mapped_; }
  void set_memory_mapped(bool mapped) noexcept { mapped_ = mapped; }

  /// The data as a view of T; throws InvalidArgument if T is not the held type.
  template <class T>
  [[nodiscard]] MatrixView<T> view() const;

  /// Calls f(MatrixView<float>) or f(MatrixView<double>) according to dtype().
  template <class F>
  decltype(auto) visit(F&& f) const {
    if (dtype_ == DType::Float32) return f(view<float>());
    return f(view<double>());
  }

 private:
  std::shared_ptr<const void> owner_;
  const void* data_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  DType dtype_ = DType::Float64;
  std::string path_;
  bool mapped_ = false;
};

/// Loads a 2-D matrix (a 1-D NPY array is read as one column). Throws IoError.
Dataset load_matrix(const std::string& path, const LoadOptions& options = {});

/// Loads a vector of numbers: a text file with one value per line (or a single
/// column), or a 1-D / N x 1 NPY. Used for sample weights. Throws IoError.
std::vector<double> load_vector(const std::string& path, Format format = Format::Auto);

/// Loads integer labels (text, one per line; NPY of integers; ivecs). Throws IoError.
std::vector<std::int64_t> load_labels(const std::string& path, Format format = Format::Auto);

/// Writes `content` to `path` atomically (temporary file + rename). Throws IoError.
void write_file_atomic(const std::string& path, const std::string& content);

/// Several outputs written all-or-nothing: add() writes each to a temporary
/// file at once; commit() renames them all into place. A batch destroyed
/// without commit() removes its temporary files and leaves destinations untouched.
class OutputBatch {
 public:
  OutputBatch() = default;
  OutputBatch(const OutputBatch&) = delete;
  OutputBatch& operator=(const OutputBatch&) = delete;
  ~OutputBatch();

  /// Writes `content` to a temporary file beside `path`. Throws IoError.
  void add(const std::string& path, const std::string& content);
  /// Renames every temporary file over its destination.
  void commit();

 private:
  struct Pending {
    std::string temporary;
    std::string destination;
  };
  std::vector<Pending> pending_;
};

/// Serialises labels: NPY (int32) when `format` (or the path's extension) says so, else one label per line.
std::string encode_labels(std::span<const std::int32_t> labels, Format format);
/// Serialises a matrix: NPY (same element type), or text with the shortest
/// round-trip decimal form of each value, separated by commas for .csv, tabs
/// for .tsv and single spaces otherwise.
template <class T>
std::string encode_matrix(MatrixView<T> matrix, Format format, char delimiter = ' ');
/// The delimiter encode_matrix uses for a path: ',' for .csv, '\t' for .tsv, ' ' otherwise.
char delimiter_for_path(const std::string& path);

/// Throws IoError if `output` names the same file as `input` (outputs must never touch the input).
void ensure_distinct_files(const std::string& input, const std::string& output);

}  // namespace centrix::io
