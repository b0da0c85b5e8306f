#include <numeric>
#include <utility>

#include "centrix/datasets.hpp"
#include "centrix/error.hpp"
#include "common/random.hpp"

namespace centrix::datasets {

Blobs make_blobs(const BlobsOptions& options) {
  if (options.n_centers < 1) throw InvalidArgument("make_blobs: need at least one center");
  if (options.n_features < 1) throw InvalidArgument("make_blobs: need at least one feature");
  if (!(options.cluster_std >= 0)) throw InvalidArgument("make_blobs: cluster_std must be >= 0");
  detail::Rng rng(options.seed);
  const std::size_t n = options.n_samples;
  const std::size_t d = options.n_features;
  const std::size_t k = options.n_centers;
  Blobs blobs{Matrix<double>(n, d), std::vector<std::int32_t>(n), Matrix<double>(k, d)};
  for (double& v : blobs.centers.values) v = rng.uniform(options.center_low, options.center_high);
  // As scikit-learn: n / k rows per blob, the first n % k blobs one more.
  std::size_t row = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const std::size_t count = n / k + (j < n % k ? 1 : 0);
    for (std::size_t c = 0; c < count; ++c, ++row) {
      for (std::size_t t = 0; t < d; ++t) blobs.data(row, t) = blobs.centers(j, t) + options.cluster_std * rng.normal();
      blobs.labels[row] = static_cast<std::int32_t>(j);
    }
  }
  if (options.shuffle) {
    // Fisher-Yates with our own generator, so the order is the same everywhere.
    for (std::size_t i = n; i > 1; --i) {
      const std::size_t j = rng.below(i);
      if (j == i - 1) continue;
      std::swap(blobs.labels[i - 1], blobs.labels[j]);
      for (std::size_t t = 0; t < d; ++t) std::swap(blobs.data(i - 1, t), blobs.data(j, t));
    }
  }
  return blobs;
}

}  // namespace centrix::datasets
