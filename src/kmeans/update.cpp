#include "kmeans/update.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "common/parallel.hpp"
#include "kernels/row_ops.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

template <class T>
CenterSums<T>::CenterSums(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels,
                          std::size_t k)
    : frame_(frame),
      weights_(weights),
      labels_(labels),
      k_(k),
      sums_(frame.n_groups() * k * frame.dim(), 0.0),
      weight_(frame.n_groups() * k, 0.0),
      visited_(frame.n_groups(), 0),
      dirty_(frame.n_groups() * k, 0),
      fresh_(frame.n_groups() * k, 0),
      n_dirty_(frame.n_groups(), 0),
      summed_labels_(frame.rows(), -1) {}

template <class T>
void CenterSums<T>::clear() {
  // Each group finds its clusters with new rows at its first block of the coming assignment.
  std::fill(visited_.begin(), visited_.end(), 0);
}

template <class T>
void CenterSums<T>::block_done(std::size_t group, std::size_t first, std::size_t count) const {
  const std::size_t d = frame_.dim();
  const std::size_t block_rows = frame_.block_rows();
  const std::size_t group_start = group * frame_.blocks_per_group() * block_rows;
  char* dirty = dirty_.data() + group * k_;
  char* fresh = fresh_.data() + group * k_;
  if (!visited_[group]) {
    std::fill(dirty, dirty + k_, 0);
    n_dirty_[group] = 0;
    visited_[group] = 1;
  }
  // The clusters that lose or gain a row in this block and are not summed again yet: their sums in this
  // group start again from its first block. The blocks before this one kept their labels, and their rows
  // of these clusters are added again in row order, so every cluster's sum comes out bitwise that of one
  // pass that added every row of the group in order.
  std::size_t n_fresh = 0;
  const auto now = labels_.begin() + static_cast<std::ptrdiff_t>(first);
  const auto then = summed_labels_.begin() + static_cast<std::ptrdiff_t>(first);
  const auto count_ = static_cast<std::ptrdiff_t>(count);
  // Compared and copied whole first (vectorised): a row-by-row scan of every block cost keops-2d 10% more.
  if (!std::equal(now, now + count_, then)) {
    for (std::ptrdiff_t r = 0; r < count_ && 8 * n_dirty_[group] <= k_; ++r) {
      if (now[r] == then[r]) continue;
      for (const std::int32_t j : {then[r], now[r]}) {
        if (j < 0 || dirty[j]) continue;
        dirty[j] = fresh[j] = 1;
        ++n_dirty_[group];
        ++n_fresh;
      }
    }
    std::copy(now, now + count_, then);
  }
  if (n_fresh > 0 && 8 * n_dirty_[group] > k_) {
    // More than an eighth of the clusters summed again: all of them, as one pass from the group's first
    // block, without picking rows by cluster, which costs a look-up per row (picked rows of half the
    // clusters: keops-2d 88 -> 112 us per iteration, workshop 52 -> 57; above an eighth neither is slower,
    // and mid from a k-means++ start is 3.6 -> 3.1 ms).
    std::fill(dirty, dirty + k_, 1);
    std::fill(fresh, fresh + k_, 0);
    n_dirty_[group] = k_;
    std::fill(sums_.begin() + static_cast<std::ptrdiff_t>(group * k_ * d),
              sums_.begin() + static_cast<std::ptrdiff_t>((group + 1) * k_ * d), 0.0);
    std::fill(weight_.begin() + static_cast<std::ptrdiff_t>(group * k_),
              weight_.begin() + static_cast<std::ptrdiff_t>((group + 1) * k_), 0.0);
    for (std::size_t row = group_start; row < first; row += block_rows) add_block(group, row, block_rows, nullptr);
  } else if (n_fresh > 0) {
    for (std::size_t j = 0; j < k_; ++j) {
      if (!fresh[j]) continue;
      std::fill(sums_.begin() + static_cast<std::ptrdiff_t>((group * k_ + j) * d),
                sums_.begin() + static_cast<std::ptrdiff_t>((group * k_ + j + 1) * d), 0.0);
      weight_[group * k_ + j] = 0.0;
    }
    // Whole blocks: only the last block of the data is short.
    for (std::size_t row = group_start; row < first; row += block_rows) add_block(group, row, block_rows, fresh);
    std::fill(fresh, fresh + k_, 0);
  }
  if (n_dirty_[group] == k_) {
    add_block(group, first, count, nullptr);
  } else if (n_dirty_[group] > 0) {
    add_block(group, first, count, dirty);
  }
}

template <class T>
void CenterSums<T>::add_block(std::size_t group, std::size_t first, std::size_t count, const char* clusters) const {
  if (clusters == nullptr) return add_rows<false>(group, first, count, nullptr);
  add_rows<true>(group, first, count, clusters);
}

template <class T>
template <bool Picked>
void CenterSums<T>::add_rows(std::size_t group, std::size_t first, std::size_t count, const char* clusters) const {
  const std::size_t d = frame_.dim();
  const MatrixView<T> data = frame_.data();
  const bool cosine = frame_.metric() == Metric::Cosine;
  double* sums = sums_.data() + group * k_ * d;
  double* weight = weight_.data() + group * k_;
  // Cosine adds the unit rows, x / ||x||: as x scaled by w / ||x||, with the arithmetic of a weighted row.
  const auto row_scale = [&](std::size_t i) {
    return cosine ? weight_of(weights_, i) / frame_.norm(i) : weight_of(weights_, i);
  };
  const auto taken = [&](std::size_t i) {
    if constexpr (Picked) return clusters[static_cast<std::size_t>(labels_[i])] != 0;
    return true;
  };
  if (4 * k_ <= count && d >= 8) {
    // Few clusters in the block: each cluster's rows, in row order, added with the sums in registers (one
    // task per range of kScaledRowsWidth columns) instead of loading and storing the sums for every row.
    // Below 8 columns sorting the rows costs more than it saves (1500 x 2, k = 6: 11 -> 8 us per
    // iteration row by row; even at d = 8 and 12, slower from 16 on). Both add each cluster's rows in row
    // order with the same arithmetic, so the sums are bitwise the same either way.
    thread_local std::vector<std::size_t> start;
    thread_local std::vector<std::size_t> rows;  // within the block
    thread_local std::vector<double> scales;     // cosine: each row's weight over its norm
    // Without branches on whether a row is taken (they were mispredicted: workshop, 10% slower): a row not
    // taken counts 0, adds 0 to its cluster's weight (bitwise no change: the weights are never -0), and
    // goes to a spare slot past the end.
    start.assign(k_ + 1, 0);
    for (std::size_t i = first; i < first + count; ++i) {
      const auto l = static_cast<std::size_t>(labels_[i]);
      const bool take = taken(i);
      start[l + 1] += take;
      weight[l] += take ? weight_of(weights_, i) : 0.0;
    }
    for (std::size_t j = 0; j < k_; ++j) start[j + 1] += start[j];
    rows.resize(count + 1);
    for (std::size_t r = 0; r < count; ++r) {
      const auto l = static_cast<std::size_t>(labels_[first + r]);
      const bool take = taken(first + r);
      rows[take ? start[l] : count] = r;
      start[l] += take;
    }
    const double* row_weights = weights_ == nullptr ? nullptr : weights_ + first;
    if (cosine) {
      scales.resize(count);
      for (std::size_t r = 0; r < count; ++r) scales[r] = row_scale(first + r);
      row_weights = scales.data();
    }
    // start[j] is now where cluster j's rows end.
    const std::size_t ranges = (d + kernels::kScaledRowsWidth - 1) / kernels::kScaledRowsWidth;
    std::size_t begin = 0;
    for (std::size_t j = 0; j < k_; ++j) {
      const std::size_t end = start[j];
      if (end == begin) continue;
      for (std::size_t range = 0; range < ranges; ++range) {
        const std::size_t lo = range * d / ranges;  // even widths: 100 columns are 50 and 50
        kernels::add_scaled_rows(sums + j * d + lo, data.row(first) + lo, data.stride(), rows.data() + begin,
                                 end - begin, row_weights, (range + 1) * d / ranges - lo);
      }
      begin = end;
    }
    return;
  }
  for (std::size_t i = first; i < first + count; ++i) {
    if (!taken(i)) continue;
    const auto l = static_cast<std::size_t>(labels_[i]);
    kernels::add_scaled_row(sums + l * d, data.row(i), row_scale(i), d);
    weight[l] += weight_of(weights_, i);
  }
}

template <class T>
void CenterSums<T>::totals(std::vector<double>& sums, std::vector<double>& weights) const {
  const std::size_t kd = k_ * frame_.dim();
  sums.assign(kd, 0.0);
  weights.assign(k_, 0.0);
  for (std::size_t g = 0; g < frame_.n_groups(); ++g) {
    for (std::size_t i = 0; i < kd; ++i) sums[i] += sums_[g * kd + i];
    for (std::size_t j = 0; j < k_; ++j) weights[j] += weight_[g * k_ + j];
  }
}

template <class T>
int update_centers(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels,
                   std::span<const T> sq_distances, std::size_t k, const double* old_centers, double* new_centers,
                   std::vector<double> sums, std::vector<double> cluster_weight) {
  const std::size_t n = frame.rows();
  const std::size_t d = frame.dim();
  const bool cosine = frame.metric() == Metric::Cosine;

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

template class CenterSums<float>;
template class CenterSums<double>;
template int update_centers<float>(const DataFrame<float>&, const double*, std::span<const std::int32_t>,
                                   std::span<const float>, std::size_t, const double*, double*, std::vector<double>,
                                   std::vector<double>);
template int update_centers<double>(const DataFrame<double>&, const double*, std::span<const std::int32_t>,
                                    std::span<const double>, std::size_t, const double*, double*, std::vector<double>,
                                    std::vector<double>);

}  // namespace centrix::detail
