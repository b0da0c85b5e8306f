// The JSON summary of a k-means run (--summary OUT.json).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "centrix/kmeans.hpp"

namespace centrix::cli {

/// What the summary says about the run besides the result itself.
struct RunDescription {
  std::string data_path;
  std::string dtype;
  std::size_t n = 0;
  std::size_t d = 0;
  const KMeansOptions* options = nullptr;
  int n_threads = 0;
  std::optional<std::size_t> centroid_index;  ///< against --true-centers, when given
};

template <class T>
nlohmann::json summary_json(const KMeansResult<T>& result, const RunDescription& run);

/// A matrix as a JSON array of rows.
template <class T>
nlohmann::json matrix_json(const Matrix<T>& matrix);

/// One line per iteration for --verbose.
std::string iteration_line(const IterationStats& stats, bool show_run);

}  // namespace centrix::cli
