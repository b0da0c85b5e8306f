// Silhouette coefficients (Rousseeuw 1987), exact: every pair of rows, blocked.
//
// The rows are grouped by cluster and held coordinate-major in double. Each
// row's distances to a run of rows of one cluster are summed in kLanes lanes
// (lane l takes the rows l, l + kLanes, ... of the run), the lanes added in
// order when the cluster's run ends. A row's sums depend only on the row, its
// cluster runs and the fixed column blocks, never on which thread computes it
// or beside which rows: the result is bitwise the same for any thread count.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/metrics.hpp"
#include "common/parallel.hpp"
#include "common/random.hpp"
#include "kernels/dispatch.hpp"
#include "kmeans/validate.hpp"
#include "metrics/labels.hpp"

namespace centrix::detail {

/// The rows whose silhouette is computed, grouped by cluster (position = index in that order).
struct SilhouetteRows {
  std::size_t n = 0;                  ///< rows
  std::size_t d = 0;                  ///< columns
  std::size_t stride = 0;             ///< n + lanes of zero padding
  std::vector<double> coords;         ///< d x stride, coordinate-major: the columns of the distance tiles
  std::vector<double> rows;           ///< n x d, row-major: the rows of the distance tiles
  std::vector<std::size_t> start;     ///< k + 1: cluster c holds positions [start[c], start[c + 1])
  std::vector<std::int32_t> cluster;  ///< cluster of each position
  std::vector<std::size_t> source;    ///< position -> index into the list of rows given
};

namespace {

/// Lanes of the per-row sums; rows of one tile; doubles of one column block (about an L1 cache).
constexpr std::size_t kLanes = 8;
constexpr std::size_t kRowTile = 16;
constexpr std::size_t kBlockValues = 4096;

/// Rows of a tile that share each column load (independent accumulation chains).
constexpr std::size_t kRowGroup = 4;

/// kLanes doubles: one AVX-512 register, two AVX2 or four SSE2 ones on the other targets.
using LaneVector = double __attribute__((vector_size(kLanes * sizeof(double))));

/// Adds the distances from the R rows `q[0..R)` to the positions [begin, end)
/// into their `lanes`. Reads up to kLanes - 1 positions past `end` (padding at
/// the very end) and masks them. Every row gets the same operations whatever R.
template <std::size_t D, std::size_t R>
[[gnu::always_inline]] inline void accumulate_run(const double* coords, std::size_t stride, std::size_t dim,
                                                  const double* const* q, std::size_t begin, std::size_t end,
                                                  double (*lanes)[kLanes]) {
  const std::size_t d = D > 0 ? D : dim;
  double acc[R][kLanes];
  std::memcpy(acc, lanes, sizeof acc);
  const auto step = [&](std::size_t first, std::size_t live) __attribute__((always_inline)) {
    LaneVector d2[R];
    for (std::size_t r = 0; r < R; ++r) d2[r] = LaneVector{};
    for (std::size_t t = 0; t < d; ++t) {
      LaneVector column;
      std::memcpy(&column, coords + t * stride + first, sizeof column);
      for (std::size_t r = 0; r < R; ++r) {
        const LaneVector diff = q[r][t] - column;
        d2[r] += diff * diff;
      }
    }
    for (std::size_t r = 0; r < R; ++r) {
      double squared[kLanes];
      std::memcpy(squared, &d2[r], sizeof squared);
      for (std::size_t l = 0; l < kLanes; ++l) acc[r][l] += l < live ? std::sqrt(squared[l]) : 0.0;
    }
  };
  std::size_t s = begin;
  for (; s + kLanes <= end; s += kLanes) step(s, kLanes);
  if (s < end) step(s, end - s);
  std::memcpy(lanes, acc, sizeof acc);
}

/// Silhouette of the positions [first, first + count) (count <= kRowTile) into out[position].
template <std::size_t D>
[[gnu::always_inline]] inline void silhouette_tile(const SilhouetteRows& g, std::size_t first, std::size_t count,
                                                   double* out) {
  const std::size_t block = std::max(kLanes * 8, kBlockValues / std::max<std::size_t>(g.d, 1) / kLanes * kLanes);
  double lanes[kRowTile][kLanes] = {};
  double a[kRowTile];  // mean distance to the own cluster
  double b[kRowTile];  // smallest mean distance to another cluster
  for (std::size_t r = 0; r < kRowTile; ++r) {
    a[r] = 0;
    b[r] = std::numeric_limits<double>::infinity();
  }
  for (std::size_t block_begin = 0; block_begin < g.n; block_begin += block) {
    const std::size_t block_end = std::min(g.n, block_begin + block);
    for (std::size_t s = block_begin; s < block_end;) {
      const std::size_t c = static_cast<std::size_t>(g.cluster[s]);
      const std::size_t cluster_end = g.start[c + 1];
      const std::size_t e = std::min(cluster_end, block_end);
      std::size_t row = 0;
      for (; row + kRowGroup <= count; row += kRowGroup) {
        const double* q[kRowGroup];
        for (std::size_t i = 0; i < kRowGroup; ++i) q[i] = g.rows.data() + (first + row + i) * g.d;
        accumulate_run<D, kRowGroup>(g.coords.data(), g.stride, g.d, q, s, e, lanes + row);
      }
      for (; row < count; ++row) {
        const double* q[1] = {g.rows.data() + (first + row) * g.d};
        accumulate_run<D, 1>(g.coords.data(), g.stride, g.d, q, s, e, lanes + row);
      }
      if (e == cluster_end) {
        const double size = static_cast<double>(cluster_end - g.start[c]);
        for (std::size_t r = 0; r < count; ++r) {
          double total = 0;
          for (std::size_t l = 0; l < kLanes; ++l) {
            total += lanes[r][l];
            lanes[r][l] = 0;
          }
          if (static_cast<std::size_t>(g.cluster[first + r]) == c) {
            a[r] = size > 1 ? total / (size - 1) : 0.0;
          } else {
            b[r] = std::min(b[r], total / size);
          }
        }
      }
      s = e;
    }
  }
  for (std::size_t r = 0; r < count; ++r) {
    const std::size_t c = static_cast<std::size_t>(g.cluster[first + r]);
    const bool alone = g.start[c + 1] - g.start[c] == 1;
    const double larger = std::max(a[r], b[r]);
    // A row alone in its cluster scores 0, as does a = b = 0 (scikit-learn's nan_to_num of 0 / 0).
    out[first + r] = alone || !(larger > 0) ? 0.0 : (b[r] - a[r]) / larger;
  }
}

}  // namespace

/// One tile of rows, compiled for each instruction set (kernels/dispatch.hpp).
CENTRIX_DISPATCH void silhouette_rows(const SilhouetteRows& g, std::size_t first, std::size_t count, double* out) {
  switch (g.d) {
    case 1:
      return silhouette_tile<1>(g, first, count, out);
    case 2:
      return silhouette_tile<2>(g, first, count, out);
    case 3:
      return silhouette_tile<3>(g, first, count, out);
    case 4:
      return silhouette_tile<4>(g, first, count, out);
    default:
      return silhouette_tile<0>(g, first, count, out);
  }
}

}  // namespace centrix::detail

namespace centrix::metrics {

namespace {

using detail::SilhouetteRows;

/// Groups the rows `selected` of `data` (every row when `selected` is empty) by label.
template <class T, class L>
SilhouetteRows group_rows(MatrixView<T> data, std::span<const L> labels, const std::vector<std::size_t>& selected,
                          const char* which) {
  const bool all = selected.empty();
  const std::size_t n = all ? data.rows() : selected.size();
  const auto row_of = [&](std::size_t i) { return all ? i : selected[i]; };
  std::vector<std::int64_t> chosen(n);
  for (std::size_t i = 0; i < n; ++i) chosen[i] = labels[row_of(i)];
  const detail::DenseLabels dense = detail::dense_labels(std::span<const std::int64_t>(chosen));
  const std::size_t k = dense.k();
  if (k < 2 || k >= n) {
    throw InvalidArgument("silhouette: " + std::to_string(k) + " distinct label" + (k == 1 ? "" : "s") + " among " +
                          std::to_string(n) + which + "; it needs 2 to n - 1 = " + std::to_string(n - 1) + " labels");
  }
  SilhouetteRows g;
  g.n = n;
  g.d = data.cols();
  g.stride = n + detail::kLanes;
  g.start.assign(k + 1, 0);
  for (std::size_t c = 0; c < k; ++c) g.start[c + 1] = g.start[c] + static_cast<std::size_t>(dense.counts[c]);
  std::vector<std::size_t> next(g.start.begin(), g.start.end() - 1);
  g.source.resize(n);
  g.cluster.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t p = next[static_cast<std::size_t>(dense.ids[i])]++;
    g.source[p] = i;
    g.cluster[p] = dense.ids[i];
  }
  g.coords.assign(g.d * g.stride, 0.0);
  g.rows.resize(n * g.d);
  for (std::size_t p = 0; p < n; ++p) {
    const T* row = data.row(row_of(g.source[p]));
    for (std::size_t t = 0; t < g.d; ++t) {
      const double v = static_cast<double>(row[t]);
      g.coords[t * g.stride + p] = v;
      g.rows[p * g.d + t] = v;
    }
  }
  return g;
}

/// Silhouette of each grouped row, in the order of the rows given to group_rows.
std::vector<double> silhouette_of(const SilhouetteRows& g, int n_threads) {
  std::vector<double> by_position(g.n);
  const std::size_t tiles = (g.n + detail::kRowTile - 1) / detail::kRowTile;
  const double work = static_cast<double>(g.n) * static_cast<double>(g.n) * static_cast<double>(g.d + 2);
  const int threads = detail::threads_for_work(work, detail::resolve_threads(n_threads));
#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
  for (std::size_t t = 0; t < tiles; ++t) {
    const std::size_t first = t * detail::kRowTile;
    detail::silhouette_rows(g, first, std::min(detail::kRowTile, g.n - first), by_position.data());
  }
  std::vector<double> values(g.n);
  for (std::size_t p = 0; p < g.n; ++p) values[g.source[p]] = by_position[p];
  return values;
}

template <class T, class L>
void validate(MatrixView<T> data, std::span<const L> labels) {
  detail::check_label_count(labels.size(), data.rows(), "silhouette");
  if (data.cols() == 0) throw InvalidArgument("silhouette: data has no columns");
  detail::check_finite(data, "silhouette: data");
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

template <class T, class L>
std::vector<double> samples(MatrixView<T> data, std::span<const L> labels, int n_threads) {
  validate(data, labels);
  return silhouette_of(group_rows(data, labels, {}, " rows"), n_threads);
}

template <class T, class L>
double score(MatrixView<T> data, std::span<const L> labels, const SilhouetteOptions& options) {
  validate(data, labels);
  const std::size_t n = data.rows();
  if (options.sample_size == 0 || options.sample_size >= n) {
    return mean(silhouette_of(group_rows(data, labels, {}, " rows"), options.n_threads));
  }
  const std::vector<std::size_t> rows = detail::uniform_sample(n, options.sample_size, options.seed);
  return mean(silhouette_of(group_rows(data, labels, rows, " sampled rows"), options.n_threads));
}

}  // namespace

template <class T>
std::vector<double> silhouette_samples(MatrixView<T> data, std::span<const std::int64_t> labels, int n_threads) {
  return samples(data, labels, n_threads);
}
template <class T>
std::vector<double> silhouette_samples(MatrixView<T> data, std::span<const std::int32_t> labels, int n_threads) {
  return samples(data, labels, n_threads);
}
template <class T>
double silhouette(MatrixView<T> data, std::span<const std::int64_t> labels, const SilhouetteOptions& options) {
  return score(data, labels, options);
}
template <class T>
double silhouette(MatrixView<T> data, std::span<const std::int32_t> labels, const SilhouetteOptions& options) {
  return score(data, labels, options);
}

template std::vector<double> silhouette_samples<float>(MatrixView<float>, std::span<const std::int64_t>, int);
template std::vector<double> silhouette_samples<double>(MatrixView<double>, std::span<const std::int64_t>, int);
template std::vector<double> silhouette_samples<float>(MatrixView<float>, std::span<const std::int32_t>, int);
template std::vector<double> silhouette_samples<double>(MatrixView<double>, std::span<const std::int32_t>, int);
template double silhouette<float>(MatrixView<float>, std::span<const std::int64_t>, const SilhouetteOptions&);
template double silhouette<double>(MatrixView<double>, std::span<const std::int64_t>, const SilhouetteOptions&);
template double silhouette<float>(MatrixView<float>, std::span<const std::int32_t>, const SilhouetteOptions&);
template double silhouette<double>(MatrixView<double>, std::span<const std::int32_t>, const SilhouetteOptions&);

}  // namespace centrix::metrics
