#include "kmeans/update.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
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
      members_(frame.n_groups() * k, 0),
      moved_(frame.n_groups(), 0),
      drift_(frame.n_groups(), 0),
      whole_(frame.n_groups(), 1),
      forced_whole_(frame.n_groups(), 1) {
  // The first assignment sums every group whole: no row is in the sums yet (summed label -1), so every row
  // of a group's first block counts as moved (block_done).
  // A removal leaves rounding of the order of the sum it came from: weights far apart would let a light row
  // inherit the rounding of heavy ones that left its cluster. Such data is summed whole every time.
  if (weights != nullptr) {
    double lightest = std::numeric_limits<double>::infinity();
    double heaviest = 0;
    for (std::size_t i = 0; i < frame.rows(); ++i) {
      if (weights[i] > 0) lightest = std::min(lightest, weights[i]);
      heaviest = std::max(heaviest, weights[i]);
    }
    updates_ = heaviest <= kMaxWeightRatio * lightest;
  }
}

namespace {

/// The labels of the block a thread is assigning, as they were before (block_begin): the labels its group's
/// sums hold, since every assignment that changes labels passes them to the sums block by block (-1: none
/// yet). A block's worth per thread, where a copy of all the labels took 4 MB for 1M rows.
thread_local std::vector<std::int32_t> labels_before;

}  // namespace

template <class T>
void CenterSums<T>::block_begin(std::size_t, std::size_t first, std::size_t count) const {
  labels_before.assign(labels_.begin() + static_cast<std::ptrdiff_t>(first),
                       labels_.begin() + static_cast<std::ptrdiff_t>(first + count));
}

template <class T>
std::size_t CenterSums<T>::group_rows(std::size_t group) const noexcept {
  const std::size_t span = frame_.blocks_per_group() * frame_.block_rows();
  return std::min(span, frame_.rows() - std::min(frame_.rows(), group * span));
}

template <class T>
void CenterSums<T>::clear() {
  // Decided from the labels only, so the choice, like the sums, does not depend on the threads: a group is
  // summed whole when updates would drift too far (or are off), else as its first block's moves say
  // (block_done).
  for (std::size_t g = 0; g < whole_.size(); ++g) {
    const std::size_t rows = group_rows(g);
    const std::size_t moved_before = std::exchange(moved_[g], 0);  // in the assignment just done
    if (whole_[g]) drift_[g] = 0;
    drift_[g] += moved_before * !whole_[g];
    forced_whole_[g] = !updates_ || drift_[g] >= rows;
  }
}

template <class T>
void CenterSums<T>::block_done(std::size_t group, std::size_t first, std::size_t count) const {
  const std::size_t d = frame_.dim();
  const std::int32_t* now = labels_.data() + first;
  const std::int32_t* then = labels_before.data();
  const bool group_start = first == group * frame_.blocks_per_group() * frame_.block_rows();
  if (group_start) {
    // Whole when a quarter of the group's first block moved (or is new to the sums): an update costs two
    // row additions per moved row. Judged from the previous assignment's moves instead, mojo-table's
    // (3000 x 100, k = 5) third iteration was summed whole for its 10 moves after 1018 in the second.
    std::size_t changed = 0;
    for (std::size_t r = 0; r < count; ++r) changed += now[r] != then[r];
    whole_[group] = forced_whole_[group] || 4 * changed >= count;
  }
  if (whole_[group]) {
    if (group_start) {
      std::fill(sums_.begin() + static_cast<std::ptrdiff_t>(group * k_ * d),
                sums_.begin() + static_cast<std::ptrdiff_t>((group + 1) * k_ * d), 0.0);
      std::fill(weight_.begin() + static_cast<std::ptrdiff_t>(group * k_),
                weight_.begin() + static_cast<std::ptrdiff_t>((group + 1) * k_), 0.0);
      std::fill(members_.begin() + static_cast<std::ptrdiff_t>(group * k_),
                members_.begin() + static_cast<std::ptrdiff_t>((group + 1) * k_), 0);
    }
    // Rows new to the sums (the first assignment) do not count: they say nothing of the next one.
    std::size_t moved = 0;  // a local count: into moved_[group] the loop went through memory
    for (std::size_t r = 0; r < count; ++r) moved += now[r] != then[r] && then[r] >= 0;
    moved_[group] += moved;
    add_rows(group, first, count, nullptr, count, now, 1.0);
    return;
  }
  // Compared whole first (vectorised): most blocks keep their labels once a fit settles.
  if (std::equal(now, now + count, then)) return;
  thread_local std::vector<std::size_t> moved;
  moved.clear();
  // Sixteen labels at a time, compared with a vectorised xor first: a settled fit moves a row here and
  // there, and the row-by-row branch cost workshop (5000 x 26, k = 26) ~2 us of every iteration.
  constexpr std::size_t kRun = 16;
  for (std::size_t r0 = 0; r0 < count; r0 += kRun) {
    const std::size_t end = std::min(count, r0 + kRun);
    std::int32_t differ = 0;
    for (std::size_t r = r0; r < end; ++r) differ |= now[r] ^ then[r];
    if (differ == 0) continue;
    for (std::size_t r = r0; r < end; ++r) {
      if (now[r] != then[r]) moved.push_back(r);
    }
  }
  moved_[group] += moved.size();
  // Out of the old clusters first, then into the new ones, each in row order.
  add_rows(group, first, count, moved.data(), moved.size(), then, -1.0);
  std::int64_t* members = members_.data() + group * k_;
  for (const std::size_t r : moved) {
    const auto l = static_cast<std::size_t>(then[r]);
    if (members[l] != 0) continue;
    // No row of positive weight left: exactly 0, not what the removals' rounding left.
    std::fill_n(sums_.begin() + static_cast<std::ptrdiff_t>((group * k_ + l) * d), d, 0.0);
    weight_[group * k_ + l] = 0.0;
  }
  add_rows(group, first, count, moved.data(), moved.size(), now, 1.0);
}

template <class T>
void CenterSums<T>::add_rows(std::size_t group, std::size_t first, std::size_t count, const std::size_t* listed,
                             std::size_t m, const std::int32_t* clusters, double sign) const {
  const std::size_t d = frame_.dim();
  const MatrixView<T> data = frame_.data();
  const bool cosine = frame_.metric() == Metric::Cosine;
  double* sums = sums_.data() + group * k_ * d;
  double* weight = weight_.data() + group * k_;
  std::int64_t* members = members_.data() + group * k_;
  const auto position = [&](std::size_t q) { return listed == nullptr ? q : listed[q]; };
  // Cosine adds the unit rows, x / ||x||: as x scaled by w / ||x||, with the arithmetic of a weighted row.
  // The lengths of a whole block at once where the frame does not hold them, as its loading computed them
  // (a few moved rows: one by one).
  const double* lengths = cosine && listed == nullptr ? frame_.norms_of(first, count) : nullptr;
  const auto row_scale = [&](std::size_t r) {  // r: position in the block
    const std::size_t i = first + r;
    if (!cosine) return sign * weight_of(weights_, i);
    return sign * (weight_of(weights_, i) / (lengths != nullptr ? lengths[r] : frame_.norm(i)));
  };
  // The weights and member counts, in row order.
  for (std::size_t q = 0; q < m; ++q) {
    const std::size_t r = position(q);
    const auto l = static_cast<std::size_t>(clusters[r]);
    const double w = weight_of(weights_, first + r);
    weight[l] += sign * w;
    members[l] += static_cast<std::int64_t>(sign) * (w > 0);
  }
  if (4 * k_ <= m && d >= 8) {
    // Few clusters among many rows: each cluster's rows, in row order, added with the sums in registers
    // (one task per range of kScaledRowsWidth columns) instead of loading and storing the sums for every
    // row. Below 8 columns sorting the rows costs more than it saves (1500 x 2, k = 6: 11 -> 8 us per
    // iteration row by row; even at d = 8 and 12, slower from 16 on).
    thread_local std::vector<std::size_t> start;
    thread_local std::vector<std::size_t> rows;  // positions in the block, by cluster
    thread_local std::vector<double> scales;     // each row's scale, by position in the block
    start.assign(k_ + 1, 0);
    for (std::size_t q = 0; q < m; ++q) ++start[static_cast<std::size_t>(clusters[position(q)]) + 1];
    for (std::size_t j = 0; j < k_; ++j) start[j + 1] += start[j];
    rows.resize(m);
    for (std::size_t q = 0; q < m; ++q) {
      const std::size_t r = position(q);
      rows[start[static_cast<std::size_t>(clusters[r])]++] = r;
    }
    const double* row_weights = nullptr;
    if (cosine || weights_ != nullptr || sign != 1.0) {
      scales.resize(count);
      for (std::size_t q = 0; q < m; ++q) scales[position(q)] = row_scale(position(q));
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
  for (std::size_t q = 0; q < m; ++q) {
    const std::size_t r = position(q);
    const auto l = static_cast<std::size_t>(clusters[r]);
    kernels::add_scaled_row(sums + l * d, data.row(first + r), row_scale(r), d);
  }
}

template <class T>
void CenterSums<T>::totals(std::vector<double>& sums, std::vector<double>& weights) const {
  const std::size_t kd = k_ * frame_.dim();
  sums.assign(kd, 0.0);
  weights.assign(k_, 0.0);
  for (std::size_t g = 0; g < frame_.n_groups(); ++g) {
    // sums += group g's sums, through the dispatcher (the same adds: the multiply by 1 is exact): the
    // baseline loop was a serial ~1.7 us of workshop's iterations (10 groups of 26 x 26 sums).
    kernels::add_scaled_row(sums.data(), sums_.data() + g * kd, 1.0, kd);
    for (std::size_t j = 0; j < k_; ++j) weights[j] += weight_[g * k_ + j];
  }
}

template <class T>
void distances_to_labelled(const T* rows, std::size_t stride, std::size_t count, Metric metric, const double* centers,
                           const std::int32_t* labels, std::size_t d, double* out) {
  if (metric == Metric::Cosine) {
    kernels::cosine_distances_to_labelled(rows, stride, count, centers, labels, d, out);
  } else {
    kernels::sq_distances_to_labelled(rows, stride, count, centers, labels, d, out);
  }
}

namespace {

/// The `m` rows farthest from their labelled centers (distances_to_labelled),
/// farthest first, ties to the lower row. Each thread keeps its m farthest
/// so far; the order is total, so the rows picked do not depend on the
/// thread count. Memory: m candidates per thread, not a distance per row.
template <class T>
std::vector<std::size_t> farthest_rows(const DataFrame<T>& frame, std::span<const std::int32_t> labels,
                                       const double* centers, std::size_t m, int n_threads) {
  using Candidate = std::pair<double, std::size_t>;  // distance, row
  const auto farther = [](const Candidate& a, const Candidate& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  const auto keep_farthest = [&](std::vector<Candidate>& candidates) {
    if (candidates.size() <= m) return;
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(m - 1), candidates.end(),
                     farther);
    candidates.resize(m);
  };
  const MatrixView<T> data = frame.data();
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  const std::size_t n_chunks = chunk_count(n, kReductionChunk);
  std::vector<Candidate> all;
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(n * d), n_threads))
  {
    std::vector<double> distance(kReductionChunk);
    std::vector<Candidate> mine;
#pragma omp for schedule(static)
    for (std::size_t c = 0; c < n_chunks; ++c) {
      const std::size_t first = c * kReductionChunk;
      const std::size_t count = std::min(n, first + kReductionChunk) - first;
      distances_to_labelled(data.row(first), data.stride(), count, frame.metric(), centers, labels.data() + first, d,
                            distance.data());
      for (std::size_t r = 0; r < count; ++r) mine.emplace_back(distance[r], first + r);
      keep_farthest(mine);
    }
#pragma omp critical
    all.insert(all.end(), mine.begin(), mine.end());
  }
  keep_farthest(all);
  std::sort(all.begin(), all.end(), farther);
  std::vector<std::size_t> rows(all.size());
  std::transform(all.begin(), all.end(), rows.begin(), [](const Candidate& c) { return c.second; });
  return rows;
}

}  // namespace

template <class T>
int update_centers(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels,
                   std::size_t k, const double* old_centers, double* new_centers, std::vector<double> sums,
                   std::vector<double> cluster_weight, int n_threads) {
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
    const std::size_t m = std::min(empty.size(), n);
    const std::vector<std::size_t> farthest = farthest_rows(frame, labels, old_centers, m, n_threads);
    std::vector<double> row(d);
    for (std::size_t e = 0; e < m; ++e) {
      const std::size_t target = empty[e];
      const std::size_t i = farthest[e];
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
#define CENTRIX_INSTANTIATE_UPDATE(T)                                                                            \
  template void distances_to_labelled<T>(const T*, std::size_t, std::size_t, Metric, const double*,              \
                                         const std::int32_t*, std::size_t, double*);                             \
  template int update_centers<T>(const DataFrame<T>&, const double*, std::span<const std::int32_t>, std::size_t, \
                                 const double*, double*, std::vector<double>, std::vector<double>, int);
CENTRIX_INSTANTIATE_UPDATE(float)
CENTRIX_INSTANTIATE_UPDATE(double)
#undef CENTRIX_INSTANTIATE_UPDATE

}  // namespace centrix::detail
