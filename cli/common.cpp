#include "common.hpp"

#include <iostream>

namespace centrix::cli {

void DataFlags::add_to(CLI::App& app) {
  app.add_option("--format", format, "Input format: auto (by extension), text, npy, fvecs")
      ->check(CLI::IsMember({"auto", "text", "csv", "tsv", "npy", "fvecs"}));
  app.add_option("--dtype", dtype,
                 "Element type to compute in: auto (float32 for float32 files, else float64), "
                 "float32, float64")
      ->check(CLI::IsMember({"auto", "float32", "float64"}));
}

io::LoadOptions DataFlags::load_options() const {
  io::LoadOptions options;
  options.format = io::parse_format(format);
  if (dtype != "auto") options.dtype = io::parse_dtype(dtype);
  return options;
}

void warn(const std::string& message) {
  std::cerr << "warning: " << message << '\n';
}

std::string encode_labels_for(const std::string& path, const std::vector<std::int32_t>& labels) {
  return io::encode_labels(labels, io::format_from_path(path));
}

template <class T>
std::string encode_matrix_for(const std::string& path, MatrixView<T> matrix) {
  return io::encode_matrix(matrix, io::format_from_path(path), io::delimiter_for_path(path));
}

template std::string encode_matrix_for<float>(const std::string&, MatrixView<float>);
template std::string encode_matrix_for<double>(const std::string&, MatrixView<double>);

}  // namespace centrix::cli
