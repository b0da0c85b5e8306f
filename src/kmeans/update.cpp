#include "kmeans/update.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "common/parallel.hpp"
#include "kernels/row_ops.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

namespace {

/// Splits clusters [0, k) into `parts` contiguous ranges holding about the
/// same number of rows each, so each thread sums whole clusters in row order:
/// no atomics, no per-thread copies of the k x d sums, and the same sums
/// whatever the thread count.
std::vector<std::size_t> balanced_cluster_ranges(std::span<const std::int32_t> labels, std::size_t k, int parts) {
  std::vector<std::size_t> counts(k, 0);
  for (std::int32_t l : labels) ++counts[static_cast<std::size_t>(l)];
  std::vector<std::size_t> bounds{0};
  const double per_part = static_cast<double>(labels.size()) / parts;
  std::size_t seen = 0;
  for (std::size_t j = 0; j < k && bounds.size() < static_cast<std::size_t>(parts); ++j) {
    seen += counts[j];
    if (static_cast<double>(seen) >= per_part * static_cast<double>(bounds.size())) bounds.push_back(j + 1);
  }
  while (bounds.size() <= static_cast<std::size_t>(parts)) bounds.push_back(k);
  bounds.back() = k;
  return bounds;
}

}  // namespace

template <class T>
int update_centers(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels,
                   std::span<const T> sq_distances, std::size_t k, const double* old_centers, double* new_centers,
                   int n_threads) {
  const std::size_t n = frame.rows();
  const std::size_t d = frame.dim();
  const MatrixView<T> data = frame.data();
  const bool cosine = frame.metric() == Metric::Cosine;
  std::vector<double> sums(k * d, 0.0);
  std::vector<double> cluster_weight(k, 0.0);

  const int parts = std::min(threads_for_work(static_cast<double>(n * d), n_threads), static_cast<int>(k));
  const std::vector<std::size_t> bounds = balanced_cluster_ranges(labels, k, parts);
#pragma omp parallel for schedule(static, 1) num_threads(parts)
  for (std::size_t part = 0; part < static_cast<std::size_t>(parts); ++part) {
    const std::size_t lo = bounds[part];
    const std::size_t hi = bounds[part + 1];
    if (lo < hi) {
      for (std::size_t i = 0; i < n; ++i) {
        const auto l = static_cast<std::size_t>(labels[i]);
        if (l < lo || l >= hi) continue;
        const double w = weight_of(weights, i);
        const T* x = data.row(i);
        double* s = sums.data() + l * d;
        if (cosine) {
          const double norm = frame.norm(i);
          for (std::size_t t = 0; t < d; ++t) s[t] += w * (static_cast<double>(x[t]) / norm);
        } else {
          kernels::add_scaled_row(s, x, w, d);
        }
        cluster_weight[l] += weight_of(weights, i);
      }
    }
  }

  // Empty clusters take the rows farthest from their centers, farthest first
  // (ties: lower row first), each row removed from the cluster it leaves.
  std::vector<std::size_t> empty;
  for (std::size_t j = 0; j < k; ++j) {
    if (cluster_weight[j] <= 0) empty.push_back(j);
  }
  std::vector<bool> keep_old(k, false);
  if (!empty.empty()) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto farther = [&](std::size_t a, std::size_t b) {
      return sq_distances[a] > sq_distances[b] || (sq_distances[a] == sq_distances[b] && a < b);
    };
    const std::size_t m = std::min(empty.size(), n);
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m - 1), order.end(), farther);
    std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), farther);
    std::vector<double> row(d);
    for (std::size_t e = 0; e < m; ++e) {
      const std::size_t target = empty[e];
      const std::size_t i = order[e];
      const auto source = static_cast<std::size_t>(labels[i]);
      frame.row_as_center(i, row.data());
      const double w = weight_of(weights, i);
      for (std::size_t t = 0; t < d; ++t) {
        sums[source * d + t] -= w * row[t];
        // A zero-weight row still gives its position to the empty cluster.
        sums[target * d + t] = w > 0 ? w * row[t] : row[t];
      }
      cluster_weight[source] -= w;
      cluster_weight[target] = w > 0 ? w : 1.0;
      if (cluster_weight[source] <= 0) keep_old[source] = true;
    }
  }

  for (std::size_t j = 0; j < k; ++j) {
    double* c = new_centers + j * d;
    const double* s = sums.data() + j * d;
    if (keep_old[j] || cluster_weight[j] <= 0) {
      std::copy(old_centers + j * d, old_centers + (j + 1) * d, c);
      continue;
    }
    if (cosine) {
      // Spherical k-means: the mean direction, scaled to unit length.
      double norm = 0;
      for (std::size_t t = 0; t < d; ++t) norm += s[t] * s[t];
      if (norm <= 0) {
        std::copy(old_centers + j * d, old_centers + (j + 1) * d, c);
        continue;
      }
      const double scale = 1.0 / std::sqrt(norm);
      for (std::size_t t = 0; t < d; ++t) c[t] = s[t] * scale;
    } else {
      const double scale = 1.0 / cluster_weight[j];
      for (std::size_t t = 0; t < d; ++t) c[t] = s[t] * scale;
    }
  }
  return static_cast<int>(empty.size());
}

template int update_centers<float>(const DataFrame<float>&, const double*, std::span<const std::int32_t>,
                                   std::span<const float>, std::size_t, const double*, double*, int);
template int update_centers<double>(const DataFrame<double>&, const double*, std::span<const std::int32_t>,
                                    std::span<const double>, std::size_t, const double*, double*, int);

}  // namespace centrix::detail
