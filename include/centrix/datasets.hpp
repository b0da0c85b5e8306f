// Synthetic data sets, reproducible from a seed.
#pragma once

#include <cstdint>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix::datasets {

/// Isotropic Gaussian blobs, like scikit-learn's make_blobs.
struct BlobsOptions {
  std::size_t n_samples = 100;  ///< rows in total, split as evenly as possible between the blobs
  std::size_t n_features = 2;   ///< columns
  std::size_t n_centers = 3;    ///< number of blobs
  double cluster_std = 1.0;     ///< standard deviation of every blob, in every direction
  double center_low = -10.0;    ///< blob centers are uniform in [center_low, center_high) per coordinate
  double center_high = 10.0;    ///< upper end of that box
  bool shuffle = true;          ///< shuffle the rows (else blob by blob)
  std::uint64_t seed = 0;       ///< fixes everything
};

struct Blobs {
  Matrix<double> data;               ///< n_samples x n_features
  std::vector<std::int32_t> labels;  ///< the blob each row was drawn from
  Matrix<double> centers;            ///< n_centers x n_features true centers
};

Blobs make_blobs(const BlobsOptions& options);

}  // namespace centrix::datasets
