// Names of formats and element types, and the format a file name implies.
#include <algorithm>
#include <cctype>

#include "centrix/error.hpp"
#include "centrix/io.hpp"
#include "io/file_access.hpp"

namespace centrix::io {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

Format parse_format(const std::string& name) {
  const std::string key = lowercase(name);
  if (key == "auto") return Format::Auto;
  if (key == "text" || key == "csv" || key == "tsv") return Format::Text;
  if (key == "npy") return Format::Npy;
  if (key == "fvecs" || key == "ivecs") return Format::Fvecs;
  throw InvalidArgument("unknown format '" + name + "' (expected auto, text, csv, tsv, npy, fvecs or ivecs)");
}

DType parse_dtype(const std::string& name) {
  const std::string key = lowercase(name);
  if (key == "float32" || key == "f4" || key == "float") return DType::Float32;
  if (key == "float64" || key == "f8" || key == "double") return DType::Float64;
  throw InvalidArgument("unknown dtype '" + name + "' (expected float32 or float64)");
}

Format format_from_path(const std::string& path) {
  const std::string extension = detail::lowercase_extension(path);
  if (extension == ".npy") return Format::Npy;
  if (extension == ".fvecs" || extension == ".ivecs") return Format::Fvecs;
  return Format::Text;
}

const char* to_string(DType dtype) noexcept {
  return dtype == DType::Float32 ? "float32" : "float64";
}

char delimiter_for_path(const std::string& path) {
  const std::string extension = detail::lowercase_extension(path);
  if (extension == ".csv") return ',';
  if (extension == ".tsv") return '\t';
  return ' ';
}

}  // namespace centrix::io
