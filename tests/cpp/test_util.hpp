// Shared helpers of the C++ tests.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "centrix/datasets.hpp"
#include "centrix/kmeans.hpp"

namespace centrix::testing {

/// Blobs as T, row-major.
template <class T>
std::vector<T> blobs_as(const datasets::Blobs& blobs) {
  std::vector<T> out(blobs.data.values.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(blobs.data.values[i]);
  return out;
}

inline datasets::Blobs blobs(std::size_t n, std::size_t d, std::size_t k, double std_dev, std::uint64_t seed) {
  datasets::BlobsOptions o;
  o.n_samples = n;
  o.n_features = d;
  o.n_centers = k;
  o.cluster_std = std_dev;
  o.seed = seed;
  return datasets::make_blobs(o);
}

/// The rows `rows` of a double matrix, flattened: used as given initial centers.
inline std::vector<double> pick_rows(const Matrix<double>& m, const std::vector<std::size_t>& rows) {
  std::vector<double> out;
  for (std::size_t r : rows) out.insert(out.end(), m.row(r), m.row(r) + m.cols);
  return out;
}

/// How many times `needle` occurs in `text`, without overlaps.
inline std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

/// A file of the UEF benchmark sets (../shared/data/franti; never copied into the repository).
inline std::string franti(const std::string& name) {
  return std::string(CENTRIX_SHARED_DATA) + "/franti/" + name;
}

inline std::vector<std::size_t> first_rows(std::size_t k) {
  std::vector<std::size_t> rows(k);
  for (std::size_t i = 0; i < k; ++i) rows[i] = i;
  return rows;
}

/// A fresh empty folder under the system temporary folder, removed at destruction.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("centrix-test-" + std::string(info ? info->name() : "x") + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace centrix::testing
