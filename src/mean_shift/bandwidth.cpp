// Bandwidth estimation as scikit-learn's estimate_bandwidth, in O(n) memory.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/mean_shift.hpp"
#include "common/parallel.hpp"
#include "common/random.hpp"
#include "kmeans/validate.hpp"

namespace centrix {

template <class T>
double estimate_bandwidth(MatrixView<T> data, double quantile, std::size_t n_samples, std::uint64_t seed,
                          int n_threads) {
  if (data.rows() == 0 || data.cols() == 0) throw InvalidArgument("bandwidth estimation: no data");
  detail::check_finite(data, "data");
  if (!(quantile > 0 && quantile <= 1)) {
    throw InvalidArgument("bandwidth estimation: quantile must be in (0, 1], got " + std::to_string(quantile));
  }
  const std::size_t d = data.cols();
  // The rows used: all, or a seeded sample (a partial Fisher-Yates shuffle).
  std::vector<std::size_t> rows(data.rows());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  if (n_samples > 0 && n_samples < rows.size()) {
    detail::Rng rng(seed);
    for (std::size_t i = 0; i < n_samples; ++i) std::swap(rows[i], rows[i + rng.below(rows.size() - i)]);
    rows.resize(n_samples);
  }
  const std::size_t m = rows.size();
  if (m < 2)
    throw InvalidArgument("bandwidth estimation needs at least 2 rows, got " + std::to_string(m) +
                          (m == 1 ? " sample" : " samples"));
  std::vector<double> points(m * d);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t t = 0; t < d; ++t) points[i * d + t] = static_cast<double>(data(rows[i], t));
  }
  // The k-th smallest distance, the row itself being the first (distance 0).
  const std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(static_cast<double>(m) * quantile));
  const int threads =
      detail::threads_for_work(static_cast<double>(m) * static_cast<double>(m * d), detail::resolve_threads(n_threads));
  std::vector<double> kth(m);
#pragma omp parallel num_threads(threads)
  {
    std::vector<double> dist(m);
#pragma omp for schedule(dynamic, 64)
    for (std::size_t i = 0; i < m; ++i) {
      const double* a = points.data() + i * d;
      for (std::size_t j = 0; j < m; ++j) {
        const double* b = points.data() + j * d;
        double s = 0;
        for (std::size_t t = 0; t < d; ++t) s += (a[t] - b[t]) * (a[t] - b[t]);
        dist[j] = s;
      }
      std::nth_element(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(k - 1), dist.end());
      kth[i] = std::sqrt(dist[k - 1]);
    }
  }
  double total = 0;
  for (double v : kth) total += v;
  const double bandwidth = total / static_cast<double>(m);
  if (!(bandwidth > 0)) {
    throw InvalidArgument("estimated bandwidth is 0: the sampled rows are (nearly) all identical; give a bandwidth");
  }
  return bandwidth;
}

template double estimate_bandwidth<float>(MatrixView<float>, double, std::size_t, std::uint64_t, int);
template double estimate_bandwidth<double>(MatrixView<double>, double, std::size_t, std::uint64_t, int);

}  // namespace centrix
