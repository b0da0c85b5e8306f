#include "kmeans/yinyang.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kernels/row_ops.hpp"

namespace centrix::detail {
namespace {

/// v as a float no larger than v: a lower bound must stay a lower bound.
float round_down(double v) {
  float f = static_cast<float>(v);
  if (static_cast<double>(f) > v) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

/// The group of each of k centers: Lloyd on the centers themselves (5
/// iterations from evenly spaced centers), as the paper does.
std::vector<std::int32_t> group_centers(const double* centers, std::size_t k, std::size_t d, std::size_t groups) {
  std::vector<std::int32_t> group(k, 0);
  if (groups <= 1) return group;
  std::vector<double> means(groups * d);
  for (std::size_t g = 0; g < groups; ++g) {
    const std::size_t j = g * k / groups;
    std::copy(centers + j * d, centers + (j + 1) * d, means.begin() + static_cast<std::ptrdiff_t>(g * d));
  }
  for (int iteration = 0; iteration < 5; ++iteration) {
    for (std::size_t j = 0; j < k; ++j) {
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t g = 0; g < groups; ++g) {
        const double dist = center_sq_distance(centers + j * d, means.data() + g * d, d);
        if (dist < best) {
          best = dist;
          group[j] = static_cast<std::int32_t>(g);
        }
      }
    }
    std::vector<double> sums(groups * d, 0.0);
    std::vector<std::size_t> counts(groups, 0);
    for (std::size_t j = 0; j < k; ++j) {
      const auto g = static_cast<std::size_t>(group[j]);
      ++counts[g];
      for (std::size_t t = 0; t < d; ++t) sums[g * d + t] += centers[j * d + t];
    }
    for (std::size_t g = 0; g < groups; ++g) {
      if (counts[g] == 0) continue;  // an empty group keeps its mean
      for (std::size_t t = 0; t < d; ++t) means[g * d + t] = sums[g * d + t] / static_cast<double>(counts[g]);
    }
  }
  return group;
}

/// Per-thread scratch for the rows of a block that go through the lane kernel together.
template <class T>
struct TogetherScratch {
  std::vector<T> rows;
  std::vector<T> sq_norms;
  std::vector<T> tiles;
  std::vector<T> dist;     // column j of pending row q at dist[j * stride + q]
  std::size_t stride = 0;  // pending rows, rounded up to whole lane tiles

  /// Every panel column's distance from the block rows at `pending`.
  void distances(const T* block_rows, const T* block_sq_norms, const std::vector<std::size_t>& pending, std::size_t d,
                 const kernels::ColumnPanel<T>& panel, kernels::DistanceForm form) {
    constexpr std::size_t W = kernels::kLaneTile<T>;
    const std::size_t m = pending.size();
    stride = (m + W - 1) / W * W;
    rows.resize(m * d);
    sq_norms.resize(m);
    for (std::size_t q = 0; q < m; ++q) {
      std::copy(block_rows + pending[q] * d, block_rows + (pending[q] + 1) * d,
                rows.begin() + static_cast<std::ptrdiff_t>(q * d));
      sq_norms[q] = block_sq_norms[pending[q]];
    }
    tiles.resize(stride * d);
    kernels::to_lane_tiles(rows.data(), m, d, tiles.data());
    dist.resize(panel.k * stride);
    kernels::distances_in_lanes(tiles.data(), m, sq_norms.data(), panel, form, dist.data(), stride);
  }

  std::vector<T> best;                    // pending row q's nearest distance
  std::vector<std::int32_t> best_center;  // and its center
  std::vector<T> runner_up;               // group g's nearest other than best_center, at g * stride + q

  /// From `distances`: each row's nearest center (ties to the lowest center
  /// index) and each group's runner-up, column by column over all the rows
  /// (row by row, reading a row's k distances k cache lines apart cost more
  /// than computing them). Panel column c is center center_at[c]; group g
  /// holds columns [group_start[g], group_start[g + 1]).
  void nearest_by_group(std::size_t m, std::size_t k, const std::vector<std::int32_t>& center_at,
                        const std::vector<std::size_t>& group_start) {
    best.assign(m, std::numeric_limits<T>::infinity());
    best_center.assign(m, std::numeric_limits<std::int32_t>::max());
    for (std::size_t c = 0; c < k; ++c) {
      const T* column = dist.data() + c * stride;
      const std::int32_t id = center_at[c];
      for (std::size_t q = 0; q < m; ++q) {
        if (column[q] < best[q] || (column[q] == best[q] && id < best_center[q])) {
          best[q] = column[q];
          best_center[q] = id;
        }
      }
    }
    const std::size_t groups = group_start.size() - 1;
    runner_up.assign(groups * stride, std::numeric_limits<T>::infinity());
    for (std::size_t g = 0; g < groups; ++g) {
      T* runner = runner_up.data() + g * stride;
      for (std::size_t c = group_start[g]; c < group_start[g + 1]; ++c) {
        const T* column = dist.data() + c * stride;
        const std::int32_t id = center_at[c];
        for (std::size_t q = 0; q < m; ++q) {
          if (id != best_center[q]) runner[q] = std::min(runner[q], column[q]);
        }
      }
    }
  }
};

}  // namespace

template <class T>
void YinyangStep<T>::regroup(const double* centers, std::size_t k) {
  const std::size_t d = frame_.dim();
  const std::size_t groups = (k + centers_per_group_ - 1) / centers_per_group_;
  if (groups == k) {
    group_of_.resize(k);  // Elkan: every center its own group
    std::iota(group_of_.begin(), group_of_.end(), 0);
  } else {
    group_of_ = group_centers(centers, k, d, groups);
  }
  center_at_.resize(k);
  std::iota(center_at_.begin(), center_at_.end(), 0);
  std::stable_sort(center_at_.begin(), center_at_.end(),
                   [&](std::int32_t a, std::int32_t b) { return group_of_[a] < group_of_[b]; });
  group_start_.assign(groups + 1, k);
  for (std::size_t c = k; c-- > 0;) group_start_[static_cast<std::size_t>(group_of_[center_at_[c]])] = c;
  for (std::size_t g = groups; g-- > 0;) group_start_[g] = std::min(group_start_[g], group_start_[g + 1]);
}

template <class T>
AssignStats YinyangStep<T>::assign(const double* centers, std::size_t k, std::span<std::int32_t> labels) {
  const std::size_t n = frame_.rows();
  const std::size_t d = frame_.dim();
  const bool cosine = frame_.metric() == Metric::Cosine;
  // Labels of -1 mark a new descent (the driver resets them): new groups, no bounds yet.
  const bool fresh = previous_.size() != k * d || upper_.size() != n || labels.empty() || labels[0] < 0;
  if (fresh) regroup(centers, k);
  const std::size_t groups = group_start_.size() - 1;
  if (fresh) {
    upper_.assign(n, 0.0);
    lower_.assign(n * groups, 0.0f);
  }
  std::vector<double> in_group_order(k * d);
  for (std::size_t c = 0; c < k; ++c) {
    const auto j = static_cast<std::size_t>(center_at_[c]);
    std::copy(centers + j * d, centers + (j + 1) * d, in_group_order.begin() + static_cast<std::ptrdiff_t>(c * d));
  }
  frame_.fill_panel(in_group_order.data(), k, panel_);

  // Half the distance from each center to the nearest other center, and to
  // the nearest center of each group (other than itself): a row nearer its
  // center than that cannot move there (Elkan's lemma). The per-group table
  // is skipped when it would be large (then only the bounds filter).
  std::vector<double> half_gap(k, 0.0);
  const bool group_gaps = k * groups <= (std::size_t{1} << 24);
  std::vector<double> group_gap(group_gaps ? k * groups : 0, 0.0);
  if (!fresh) {
#pragma omp parallel for schedule(static) num_threads(threads_for_work(static_cast <double>(k * k * d), n_threads_))
    for (std::size_t j = 0; j < k; ++j) {
      double nearest = std::numeric_limits<double>::infinity();
      double* gaps = group_gaps ? group_gap.data() + j * groups : nullptr;
      if (gaps) std::fill(gaps, gaps + groups, std::numeric_limits<double>::infinity());
      for (std::size_t o = 0; o < k; ++o) {
        if (o == j) continue;
        const double dist = center_sq_distance(centers + j * d, centers + o * d, d);
        nearest = std::min(nearest, dist);
        if (gaps) {
          double& gap = gaps[static_cast<std::size_t>(group_of_[o])];
          gap = std::min(gap, dist);
        }
      }
      half_gap[j] = 0.5 * std::sqrt(nearest);
      if (gaps) {
        for (std::size_t g = 0; g < groups; ++g) gaps[g] = 0.5 * std::sqrt(gaps[g]);
      }
    }
  }
  std::vector<double> move(k, 0.0);
  std::vector<double> group_move(groups, 0.0);
  if (!fresh) {
    for (std::size_t j = 0; j < k; ++j) {
      move[j] = std::sqrt(center_sq_distance(centers + j * d, previous_.data() + j * d, d));
      const auto g = static_cast<std::size_t>(group_of_[j]);
      group_move[g] = std::max(group_move[g], move[j]);
    }
  }
  const std::vector<double> frame_centers = centers_in_frame(frame_, centers, k);
  const double max_center_sq_norm = max_sq_norm(panel_);
  constexpr std::size_t tile = kernels::kColumnTile<T>;

  const std::size_t n_blocks = frame_.n_blocks();
  BlockTotals totals(n_blocks);
  frame_.for_each_block(
      n_threads_, static_cast<double>(k * d),
      [&](std::size_t b, std::size_t first, std::size_t count, const T* rows, const T* sq_norms) {
        thread_local std::vector<T> dist;
        thread_local std::vector<char> wanted_rows;     // count x groups: the groups each pending row needs
        thread_local std::vector<std::size_t> pending;  // block positions of the rows the bounds left
        thread_local TogetherScratch<T> together;
        dist.resize(panel_.k_padded);
        wanted_rows.resize(count * groups);
        pending.clear();
        std::uint64_t evals = 0;
        std::int64_t changed = 0;
        double inertia = 0;
        std::size_t wanted_columns = 0;
        for (std::size_t r = 0; r < count; ++r) {
          const std::size_t i = first + r;
          const T* x = rows + r * d;
          float* lower = lower_.data() + i * groups;
          char* wanted = wanted_rows.data() + r * groups;
          const double error = kernel_error_bound<T>(d, static_cast<double>(sq_norms[r]), max_center_sq_norm);
          if (fresh) {
            std::fill(wanted, wanted + groups, char{1});
          } else {
            const auto a = static_cast<std::size_t>(labels[i]);
            double upper = upper_[i] + move[a];
            // half_gap is no lower bound itself, but when it exceeds the upper
            // bound, 2 half_gap - upper is one and is larger: comparing with it is safe.
            double lowest = std::numeric_limits<double>::infinity();
            for (std::size_t g = 0; g < groups; ++g) {
              lower[g] = round_down(static_cast<double>(lower[g]) - group_move[g]);
              lowest = std::min(lowest, static_cast<double>(lower[g]));
            }
            const double global = std::max(lowest, half_gap[a]);
            double own = -1;
            if (!bounds_settle(upper, global, error)) {
              own = kernels::sq_distance_to_point(x, frame_centers.data() + a * d, d);
              upper = std::sqrt(own);
              ++evals;
            }
            if (bounds_settle(upper, global, error)) {
              if (own < 0) own = kernels::sq_distance_to_point(x, frame_centers.data() + a * d, d);
              upper_[i] = upper;
              inertia += weight_of(weights_, i) * inertia_term(own, cosine);
              continue;
            }
            const auto own_group = static_cast<std::size_t>(group_of_[a]);
            for (std::size_t g = 0; g < groups; ++g) {
              const double gap = group_gaps ? group_gap[a * groups + g] : 0.0;
              wanted[g] = g == own_group || !bounds_settle(upper, std::max(static_cast<double>(lower[g]), gap), error);
            }
          }
          for (std::size_t g = 0; g < groups; ++g) {
            if (wanted[g]) wanted_columns += group_start_[g + 1] - group_start_[g];
          }
          pending.push_back(r);
        }
        // Where most of the pending rows' distances are wanted (a new descent;
        // data without clusters, whose bounds skip little) the rows go through
        // the lane kernel together, every column, instead of one row at a time
        // through the panel (keops-large, 1M x 100, k = 1000: 4.8 s per
        // iteration). Both give each distance bitwise as nearest_columns does.
        const std::size_t m = pending.size();
        const bool all_columns = m > 0 && 2 * wanted_columns >= m * k;
        if (all_columns) {
          together.distances(rows, sq_norms, pending, d, panel_, frame_.form());
          together.nearest_by_group(m, k, center_at_, group_start_);
        }
        for (std::size_t q = 0; q < m; ++q) {
          const std::size_t r = pending[q];
          const std::size_t i = first + r;
          float* lower = lower_.data() + i * groups;
          char* wanted = wanted_rows.data() + r * groups;
          const double error = kernel_error_bound<T>(d, static_cast<double>(sq_norms[r]), max_center_sq_norm);
          T best = std::numeric_limits<T>::infinity();
          std::int32_t best_center = std::numeric_limits<std::int32_t>::max();
          if (all_columns) {
            // Every group's bound is refreshed from its exact runner-up.
            for (std::size_t g = 0; g < groups; ++g) {
              const double runner_up = static_cast<double>(together.runner_up[g * together.stride + q]);
              lower[g] = round_down(std::sqrt(std::max(0.0, runner_up - error)));
            }
            best = together.best[q];
            best_center = together.best_center[q];
            evals += k;
          } else {
            // Distances to the wanted groups' columns, in runs of whole tiles.
            std::size_t computed_to = 0;
            for (std::size_t g = 0; g < groups;) {
              if (!wanted[g]) {
                ++g;
                continue;
              }
              std::size_t end_group = g + 1;
              while (end_group < groups && wanted[end_group]) ++end_group;
              const std::size_t lo = std::max(computed_to, group_start_[g] / tile * tile);
              const std::size_t hi = std::min(panel_.k_padded, (group_start_[end_group] + tile - 1) / tile * tile);
              if (lo < hi) {
                kernels::row_distances(rows + r * d, sq_norms[r], panel_, frame_.form(), lo, hi, dist.data() + lo);
                // Counted as computed: whole tiles, so neighbours of a wanted group count too.
                evals += std::min(hi, k) - std::min(lo, k);
              }
              computed_to = std::max(computed_to, hi);
              g = end_group;
            }
            // The nearest of the computed centers; ties to the lowest center index, as Lloyd.
            for (std::size_t g = 0; g < groups; ++g) {
              if (!wanted[g]) continue;
              for (std::size_t c = group_start_[g]; c < group_start_[g + 1]; ++c) {
                if (dist[c] < best || (dist[c] == best && center_at_[c] < best_center)) {
                  best = dist[c];
                  best_center = center_at_[c];
                }
              }
            }
            for (std::size_t g = 0; g < groups; ++g) {
              if (!wanted[g]) continue;
              T runner_up = std::numeric_limits<T>::infinity();
              for (std::size_t c = group_start_[g]; c < group_start_[g + 1]; ++c) {
                if (center_at_[c] != best_center) runner_up = std::min(runner_up, dist[c]);
              }
              lower[g] = round_down(std::sqrt(std::max(0.0, static_cast<double>(runner_up) - error)));
            }
          }
          changed += labels[i] != best_center;
          labels[i] = best_center;
          upper_[i] = std::sqrt(static_cast<double>(best) + error);
          inertia += weight_of(weights_, i) * inertia_term(static_cast<double>(best), cosine);
        }
        totals.inertia[b] = inertia;
        totals.changed[b] = changed;
        totals.evals[b] = evals;
      });
  previous_.assign(centers, centers + k * d);
  return totals.sum();
}

template class YinyangStep<float>;
template class YinyangStep<double>;

}  // namespace centrix::detail
