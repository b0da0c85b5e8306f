// Dataset and the loaders, which pick a reader by format.
#include <memory>
#include <type_traits>
#include <utility>

#include "centrix/error.hpp"
#include "centrix/io.hpp"
#include "io/fvecs.hpp"
#include "io/npy.hpp"
#include "io/stored_matrix.hpp"
#include "io/text_reader.hpp"

namespace centrix::io {

Dataset::Dataset(std::shared_ptr<const void> owner, const void* data, std::size_t rows, std::size_t cols, DType dtype,
                 std::string path)
    : owner_(std::move(owner)), data_(data), rows_(rows), cols_(cols), dtype_(dtype), path_(std::move(path)) {}

template <class T>
MatrixView<T> Dataset::view() const {
  constexpr DType requested = std::is_same_v<T, float> ? DType::Float32 : DType::Float64;
  if (dtype_ != requested) {
    throw InvalidArgument("dataset '" + path_ + "' holds " + to_string(dtype_) + " values, not " +
                          to_string(requested));
  }
  return MatrixView<T>(static_cast<const T*>(data_), rows_, cols_);
}

template MatrixView<float> Dataset::view<float>() const;
template MatrixView<double> Dataset::view<double>() const;

namespace {

Format resolve(Format format, const std::string& path) {
  return format == Format::Auto ? format_from_path(path) : format;
}

detail::StoredMatrix read_binary(Format format, const std::string& path) {
  if (format == Format::Npy) return detail::read_npy(path);
  return detail::read_vecs(path,
                           detail::is_ivecs_path(path) ? detail::ElementKind::Int32 : detail::ElementKind::Float32);
}

template <class T>
Dataset load_text(const std::string& path, DType dtype, bool allow_non_finite) {
  auto table = std::make_shared<detail::TextTable<T>>(detail::read_text_table<T>(path, allow_non_finite));
  const T* data = table->values.data();
  const std::size_t rows = table->rows;
  const std::size_t cols = table->cols;
  return Dataset(std::move(table), data, rows, cols, dtype, path);
}

[[noreturn]] void fail_not_one_column(const std::string& path, std::size_t cols, std::string_view what) {
  detail::fail(path, "expected one " + std::string(what) + " per line, found " + std::to_string(cols) + " columns");
}

}  // namespace

Dataset load_matrix(const std::string& path, const LoadOptions& options) {
  const Format format = resolve(options.format, path);
  if (format == Format::Text) {
    const DType dtype = options.dtype.value_or(DType::Float64);
    if (dtype == DType::Float32) return load_text<float>(path, dtype, options.allow_non_finite);
    return load_text<double>(path, dtype, options.allow_non_finite);
  }
  const detail::StoredMatrix stored = read_binary(format, path);
  const DType dtype = options.dtype.value_or(detail::default_dtype(stored.kind));
  return detail::to_dataset(stored, path, dtype, options.allow_non_finite);
}

std::vector<double> load_vector(const std::string& path, Format format) {
  LoadOptions options;
  options.format = format;
  options.dtype = DType::Float64;
  const Dataset dataset = load_matrix(path, options);
  if (dataset.cols() != 1) fail_not_one_column(path, dataset.cols(), "value");
  const double* values = dataset.view<double>().data();
  return std::vector<double>(values, values + dataset.rows());
}

std::vector<std::int64_t> load_labels(const std::string& path, Format format) {
  const Format resolved = resolve(format, path);
  if (resolved == Format::Text) {
    detail::TextTable<std::int64_t> table = detail::read_text_table<std::int64_t>(path, false);
    if (table.cols != 1) fail_not_one_column(path, table.cols, "label");
    return std::move(table.values);
  }
  return detail::to_labels(read_binary(resolved, path), path);
}

}  // namespace centrix::io
