#include "kmeans/swap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/parallel.hpp"
#include "kernels/nearest.hpp"
#include "kmeans/bounds.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

namespace {

/// Rows a local 2-means is fitted on at most; the split gain is then measured
/// on every row of the cluster. Enough to place two halves well, and it keeps
/// a proposal's cost near two passes over the data whatever the cluster sizes.
constexpr std::size_t kSplitFitRows = 2048;
/// Lloyd iterations of the local 2-means.
constexpr int kSplitIterations = 6;

/// What the proposal needs to know about one cluster.
struct ClusterReport {
  double removal_cost = 0;
  double split_gain = -std::numeric_limits<double>::infinity();  ///< -inf: cannot be split
  std::size_t receiver = 0;  ///< the center that would take most of the cluster's weight if it were removed
};

/// Splits one cluster with a weighted 2-means in the frame (spherical for
/// cosine: halves are kept at unit length). `rows` are the cluster's row
/// indices. Writes both halves (frame coordinates) to `halves` (2 x d) and
/// returns the split gain, or -inf when the cluster cannot be split.
template <class T>
double split_cluster(const DataFrame<T>& frame, const double* weights, std::span<const std::size_t> rows,
                     const double* center, Rng& rng, double* halves) {
  const std::size_t d = frame.dim();
  const bool cosine = frame.metric() == Metric::Cosine;
  const std::size_t size = rows.size();
  if (size < 2) return -std::numeric_limits<double>::infinity();

  // The rows the halves are fitted on: all, or a uniform sample of them.
  std::vector<std::size_t> fit_rows;
  if (size <= kSplitFitRows) {
    fit_rows.assign(rows.begin(), rows.end());
  } else {
    fit_rows.resize(kSplitFitRows);
    for (std::size_t& r : fit_rows) r = rows[rng.below(size)];
  }
  std::vector<double> points(fit_rows.size() * d);
  std::vector<double> point_weight(fit_rows.size());
  std::vector<double> to_center(fit_rows.size());
  double total = 0;
  for (std::size_t s = 0; s < fit_rows.size(); ++s) {
    frame.row_in_frame(fit_rows[s], points.data() + s * d);
    point_weight[s] = weight_of(weights, fit_rows[s]);
    to_center[s] = point_weight[s] * center_sq_distance(points.data() + s * d, center, d);
    total += to_center[s];
  }
  if (!(total > 0)) return -std::numeric_limits<double>::infinity();

  // Seeds: one row drawn with probability proportional to w * D^2 (the
  // k-means++ rule) and its mirror image through the center.
  double* a = halves;
  double* b = halves + d;
  {
    const double target = rng.uniform() * total;
    double running = 0;
    std::size_t pick = fit_rows.size() - 1;
    for (std::size_t s = 0; s < fit_rows.size(); ++s) {
      running += to_center[s];
      if (running > target) {
        pick = s;
        break;
      }
    }
    for (std::size_t t = 0; t < d; ++t) {
      a[t] = points[pick * d + t];
      b[t] = 2 * center[t] - a[t];
    }
  }
  // Unit length in original coordinates (the frame is shifted): out of the frame and back.
  std::vector<double> unit(d);
  const auto normalise = [&](double* v) {
    if (!frame.frame_to_center(v, unit.data())) return false;
    frame.center_to_frame(unit.data(), v);
    return true;
  };
  if (cosine && !(normalise(a) && normalise(b))) return -std::numeric_limits<double>::infinity();

  std::vector<double> sum_a(d);
  std::vector<double> sum_b(d);
  std::vector<char> side(fit_rows.size(), 2);
  for (int iteration = 0; iteration < kSplitIterations; ++iteration) {
    std::fill(sum_a.begin(), sum_a.end(), 0.0);
    std::fill(sum_b.begin(), sum_b.end(), 0.0);
    double weight_a = 0;
    double weight_b = 0;
    bool changed = false;
    for (std::size_t s = 0; s < fit_rows.size(); ++s) {
      const double* x = points.data() + s * d;
      const char nearer = center_sq_distance(x, a, d) <= center_sq_distance(x, b, d) ? 0 : 1;
      changed |= nearer != side[s];
      side[s] = nearer;
      double* sum = nearer == 0 ? sum_a.data() : sum_b.data();
      for (std::size_t t = 0; t < d; ++t) sum[t] += point_weight[s] * x[t];
      (nearer == 0 ? weight_a : weight_b) += point_weight[s];
    }
    if (!(weight_a > 0) || !(weight_b > 0)) return -std::numeric_limits<double>::infinity();
    if (!changed) break;
    for (std::size_t t = 0; t < d; ++t) {
      a[t] = sum_a[t] / weight_a;
      b[t] = sum_b[t] / weight_b;
    }
    if (cosine && !(normalise(a) && normalise(b))) return -std::numeric_limits<double>::infinity();
  }

  // The gain, measured on every row of the cluster.
  std::vector<double> x(d);
  double before = 0;
  double after = 0;
  for (std::size_t i : rows) {
    frame.row_in_frame(i, x.data());
    const double w = weight_of(weights, i);
    before += w * center_sq_distance(x.data(), center, d);
    after += w * std::min(center_sq_distance(x.data(), a, d), center_sq_distance(x.data(), b, d));
  }
  return before - after;
}

}  // namespace

std::vector<double> SwapPlan::apply(const Swap& swap, const std::vector<double>& centers, std::size_t d) const {
  std::vector<double> out = centers;
  const double* halves = split_centers.data() + swap.split * 2 * d;
  std::copy_n(halves, d, out.data() + swap.split * d);
  std::copy_n(halves + d, d, out.data() + swap.remove * d);
  return out;
}

template <class T>
SwapPlan propose_swaps(const DataFrame<T>& frame, const double* weights, const std::vector<double>& centers,
                       std::span<const std::int32_t> labels, std::size_t max_swaps, std::uint64_t seed, int n_threads) {
  const std::size_t n = frame.rows();
  const std::size_t d = frame.dim();
  const std::size_t k = centers.size() / d;
  SwapPlan plan;
  if (k < 2 || max_swaps == 0) return plan;

  // Each row's second-nearest center and how much farther it is than its own.
  std::vector<std::int32_t> second(n);
  std::vector<T> gap(n);
  kernels::ColumnPanel<T> panel;
  frame.fill_panel(centers.data(), k, panel);
  frame.for_each_block(n_threads, static_cast<double>(k * d),
                       [&](std::size_t, std::size_t first, std::size_t count, const T* rows, const T* sq_norms) {
                         thread_local std::vector<T> dist;
                         dist.resize(count * k);
                         kernels::all_distances(rows, count, sq_norms, panel, frame.form(), dist.data(), k);
                         for (std::size_t r = 0; r < count; ++r) {
                           const auto own = static_cast<std::size_t>(labels[first + r]);
                           const T* row = dist.data() + r * k;
                           T best = std::numeric_limits<T>::infinity();
                           std::size_t best_j = own;
                           for (std::size_t j = 0; j < k; ++j) {
                             if (j != own && row[j] < best) {
                               best = row[j];
                               best_j = j;
                             }
                           }
                           second[first + r] = static_cast<std::int32_t>(best_j);
                           gap[first + r] = std::max(T{0}, best - row[own]);
                         }
                       });

  // Rows grouped by cluster, in row order within each (counting sort).
  std::vector<std::size_t> offsets(k + 1, 0);
  for (std::int32_t l : labels) ++offsets[static_cast<std::size_t>(l) + 1];
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<std::size_t> grouped(n);
  {
    std::vector<std::size_t> next(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < n; ++i) grouped[next[static_cast<std::size_t>(labels[i])]++] = i;
  }

  std::vector<ClusterReport> reports(k);
  plan.split_centers.assign(k * 2 * d, 0.0);
  const double work = static_cast<double>(n * d) * (kSplitIterations + 2);
#pragma omp parallel num_threads(threads_for_work(work, n_threads))
  {
    std::vector<double> receiver_weight(k, 0.0);
    std::vector<double> center(d);
    std::vector<double> halves(2 * d);
#pragma omp for schedule(dynamic, 1)
    for (std::size_t j = 0; j < k; ++j) {
      const std::span<const std::size_t> rows(grouped.data() + offsets[j], offsets[j + 1] - offsets[j]);
      ClusterReport& report = reports[j];
      report.receiver = j;
      double best_weight = -1;
      for (std::size_t i : rows) {
        const double w = weight_of(weights, i);
        report.removal_cost += w * static_cast<double>(gap[i]);
        const auto to = static_cast<std::size_t>(second[i]);
        receiver_weight[to] += w;
        if (receiver_weight[to] > best_weight || (receiver_weight[to] == best_weight && to < report.receiver)) {
          best_weight = receiver_weight[to];
          report.receiver = to;
        }
      }
      for (std::size_t i : rows) receiver_weight[static_cast<std::size_t>(second[i])] = 0;

      Rng rng(seed ^ splitmix64(j));
      frame.center_to_frame(centers.data() + j * d, center.data());
      report.split_gain = split_cluster(frame, weights, rows, center.data(), rng, halves.data());
      if (std::isfinite(report.split_gain)) {
        double* out = plan.split_centers.data() + j * 2 * d;
        if (!frame.frame_to_center(halves.data(), out) || !frame.frame_to_center(halves.data() + d, out + d)) {
          report.split_gain = -std::numeric_limits<double>::infinity();
        }
      }
    }
  }

  // The pairs among the cheapest removals and the best splits, ranked.
  const std::size_t shortlist = std::min(k, max_swaps + 2);
  std::vector<std::size_t> by_cost(k);
  std::iota(by_cost.begin(), by_cost.end(), 0);
  std::vector<std::size_t> by_gain = by_cost;
  std::stable_sort(by_cost.begin(), by_cost.end(),
                   [&](std::size_t x, std::size_t y) { return reports[x].removal_cost < reports[y].removal_cost; });
  std::stable_sort(by_gain.begin(), by_gain.end(),
                   [&](std::size_t x, std::size_t y) { return reports[x].split_gain > reports[y].split_gain; });
  for (std::size_t a = 0; a < shortlist; ++a) {
    const std::size_t split = by_gain[a];
    if (!std::isfinite(reports[split].split_gain)) break;
    for (std::size_t b = 0; b < shortlist; ++b) {
      const std::size_t remove = by_cost[b];
      if (remove == split || reports[remove].receiver == split) continue;
      plan.ranked.push_back({remove, split, reports[split].split_gain - reports[remove].removal_cost});
    }
  }
  std::stable_sort(plan.ranked.begin(), plan.ranked.end(),
                   [](const Swap& x, const Swap& y) { return x.estimated_gain > y.estimated_gain; });
  if (plan.ranked.size() > max_swaps) plan.ranked.resize(max_swaps);
  return plan;
}

template SwapPlan propose_swaps<float>(const DataFrame<float>&, const double*, const std::vector<double>&,
                                       std::span<const std::int32_t>, std::size_t, std::uint64_t, int);
template SwapPlan propose_swaps<double>(const DataFrame<double>&, const double*, const std::vector<double>&,
                                        std::span<const std::int32_t>, std::size_t, std::uint64_t, int);

}  // namespace centrix::detail
