#include "kernels/radius_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/random.hpp"
#include "kernels/dispatch.hpp"
#include "kernels/exp.hpp"

namespace centrix::kernels {

RadiusSearch::RadiusSearch(const double* points, std::size_t n, std::size_t d, double radius, bool cell_sums)
    : n_(n), d_(d), radius_(radius), use_grid_(d <= kMaxGridDim && radius > 0 && n > 0), origin_(d, 0.0) {
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  if (use_grid_) {
    std::vector<double> lo(d, std::numeric_limits<double>::infinity());
    std::vector<double> hi(d, -std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t t = 0; t < d; ++t) {
        lo[t] = std::min(lo[t], points[i * d + t]);
        hi[t] = std::max(hi[t], points[i * d + t]);
      }
    }
    origin_ = lo;
    // Finer cells where (2g + 1)^d stays small; back to g = 1 if the box would hold too many cells.
    double cells = 0;
    const std::size_t finest = !cell_sums ? 1 : d <= 2 ? 4 : d == 3 ? 2 : 1;
    for (std::size_t g : {finest, std::size_t{1}}) {
      subdivisions_ = g;
      cell_side_ = radius / static_cast<double>(g);
      extent_.assign(d, 1);
      cells = 1;
      for (std::size_t t = 0; t < d; ++t) {
        extent_[t] = static_cast<std::int64_t>(std::floor((hi[t] - lo[t]) / cell_side_)) + 1;
        cells *= static_cast<double>(extent_[t]);
      }
      dense_ = cells <= 4.0 * static_cast<double>(n) + 1024.0;
      if (dense_) break;
    }
    std::vector<std::uint64_t> keys(n);
    std::int64_t cell[kMaxGridDim];
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t linear = 0;
      for (std::size_t t = 0; t < d; ++t) {
        cell[t] = cell_coordinate(points[i * d + t], t);
        linear = linear * static_cast<std::uint64_t>(extent_[t]) + static_cast<std::uint64_t>(cell[t]);
      }
      keys[i] = dense_ ? linear : hashed_key(cell);
    }
    if (dense_) {
      // Counting sort by cell: O(n + cells), and stable.
      cell_start_.assign(static_cast<std::size_t>(cells) + 1, 0);
      for (std::uint64_t k : keys) ++cell_start_[k + 1];
      std::partial_sum(cell_start_.begin(), cell_start_.end(), cell_start_.begin());
      std::vector<std::size_t> next(cell_start_.begin(), cell_start_.end() - 1);
      for (std::size_t i = 0; i < n; ++i) order_[next[keys[i]]++] = i;
    } else {
      // Distinct cells may share a key: the distance test keeps results exact.
      std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
      for (std::size_t s = 0; s < n;) {
        std::size_t e = s;
        while (e < n && keys[order_[e]] == keys[order_[s]]) ++e;
        hashed_.emplace(keys[order_[s]], std::make_pair(s, e));
        s = e;
      }
    }
  }
  stride_ = n + kPadding;
  coords_.assign(d * stride_, 0.0);
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t t = 0; t < d; ++t) coords_[t * stride_ + s] = points[order_[s] * d + t];
  }
  if (cell_sums && dense_ && subdivisions_ > 1) {
    const std::size_t n_cells = cell_start_.size() - 1;
    cell_sums_.assign(n_cells * d, 0.0);
    for (std::size_t cell = 0; cell < n_cells; ++cell) {
      for (std::size_t s = cell_start_[cell]; s < cell_start_[cell + 1]; ++s) {
        for (std::size_t t = 0; t < d; ++t) cell_sums_[cell * d + t] += coords_[t * stride_ + s];
      }
    }
  }
}

std::int64_t RadiusSearch::cell_coordinate(double v, std::size_t t) const noexcept {
  return static_cast<std::int64_t>(std::floor((v - origin_[t]) / cell_side_));
}

bool RadiusSearch::cell_range(const std::int64_t* cell, std::size_t& begin, std::size_t& end,
                              std::size_t& linear) const {
  if (dense_) {
    linear = 0;
    for (std::size_t t = 0; t < d_; ++t) {
      if (cell[t] < 0 || cell[t] >= extent_[t]) return false;
      linear = linear * static_cast<std::size_t>(extent_[t]) + static_cast<std::size_t>(cell[t]);
    }
    begin = cell_start_[linear];
    end = cell_start_[linear + 1];
    return begin < end;
  }
  const auto found = hashed_.find(hashed_key(cell));
  if (found == hashed_.end()) return false;
  begin = found->second.first;
  end = found->second.second;
  return true;
}

std::uint64_t RadiusSearch::hashed_key(const std::int64_t* cell) const noexcept {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (std::size_t t = 0; t < d_; ++t) h = detail::splitmix64(h ^ static_cast<std::uint64_t>(cell[t]));
  return h;
}

namespace {

/// A run of stored points to visit: [begin, end), or a whole cell (linear index) whose sums stand for it.
struct CandidateRun {
  std::size_t begin;
  std::size_t end;
  std::size_t whole_cell;  // kNotWhole: test the points one by one
};
constexpr std::size_t kNotWhole = static_cast<std::size_t>(-1);
using RadiusSearchRuns = std::vector<CandidateRun>;

/// The weight of a point at squared distance d2 (zero beyond r2).
template <Profile P>
[[gnu::always_inline]] inline double profile_weight(double d2, double r2, double scale) {
  if constexpr (P == Profile::Flat) {
    return d2 <= r2 ? 1.0 : 0.0;
  } else if constexpr (P == Profile::Triangular) {
    return d2 <= r2 ? std::max(0.0, 1.0 - std::sqrt(d2) / scale) : 0.0;
  } else {
    return d2 <= r2 ? exp_nonpositive(-0.5 * d2 / (scale * scale)) : 0.0;
  }
}

/// Lanes of the accumulation. Each lane sums its own points in order and the
/// lanes are added in order at the end: the arithmetic is written out per
/// lane, so the compiler may map lanes to SSE, AVX2 or AVX-512 registers and
/// the order of the additions is the same on every target.
constexpr std::size_t kLanes = RadiusSearch::kPadding;

/// Per-lane partial sums of one query, for a dimension D known at compile time.
template <std::size_t D>
struct Lanes {
  double weight[kLanes] = {};
  double count[kLanes] = {};
  double sum[D][kLanes] = {};

  /// Adds the lanes, in lane order, to the query's totals.
  [[gnu::always_inline]] void reduce_into(double* total_sum, double& total_weight, std::int64_t& total_count) const {
    for (std::size_t l = 0; l < kLanes; ++l) {
      total_weight += weight[l];
      total_count += static_cast<std::int64_t>(count[l]);
      for (std::size_t t = 0; t < D; ++t) total_sum[t] += sum[t][l];
    }
  }
};

/// The accumulation over one run of stored points into the query's lanes
/// (D > 0: the lanes stay in registers across all the runs of a query).
template <std::size_t D, Profile P>
[[gnu::always_inline]] inline void accumulate_run(const double* coords, std::size_t n, std::size_t begin,
                                                  std::size_t end, const double* q, double r2, double scale,
                                                  double count_r2, Lanes<D>& lanes) {
  // Always a full vector of lanes: the last, partial one masks the lanes past
  // `end`, whose reads land in the padding after the points.
  const auto step = [&](std::size_t first, std::size_t live) __attribute__((always_inline)) {
    for (std::size_t l = 0; l < kLanes; ++l) {
      double d2 = 0;
      for (std::size_t t = 0; t < D; ++t) {
        const double diff = q[t] - coords[t * n + first + l];
        d2 += diff * diff;
      }
      const double mask = l < live ? 1.0 : 0.0;
      const double w = mask * profile_weight<P>(d2, r2, scale);
      lanes.weight[l] += w;
      lanes.count[l] += d2 <= count_r2 ? mask : 0.0;
      for (std::size_t t = 0; t < D; ++t) lanes.sum[t][l] += w * coords[t * n + first + l];
    }
  };
  std::size_t s = begin;
  for (; s + kLanes <= end; s += kLanes) step(s, kLanes);
  if (s < end) step(s, end - s);
}

/// The same for a dimension known only at run time: plain sums, in point order.
template <Profile P>
[[gnu::always_inline]] inline void accumulate_run_any_dim(const double* coords, std::size_t n, std::size_t d,
                                                          std::size_t begin, std::size_t end, const double* query,
                                                          double r2, double scale, double count_r2, double* sum,
                                                          double& weight, std::int64_t& count) {
  for (std::size_t s = begin; s < end; ++s) {
    double d2 = 0;
    for (std::size_t t = 0; t < d; ++t) {
      const double diff = query[t] - coords[t * n + s];
      d2 += diff * diff;
    }
    const double w = profile_weight<P>(d2, r2, scale);
    weight += w;
    count += d2 <= count_r2 ? 1 : 0;
    for (std::size_t t = 0; t < d; ++t) sum[t] += w * coords[t * n + s];
  }
}

template <std::size_t D, Profile P>
[[gnu::always_inline]] inline void accumulate_runs(const RadiusSearchRuns& runs, const double* coords,
                                                   const double* cell_sums, std::size_t n, std::size_t d,
                                                   const double* query, double r2, double scale, double count_r2,
                                                   double* sum, double& weight, std::int64_t& count) {
  if constexpr (D == 0) {
    for (const auto& [begin, end, whole_cell] : runs) {
      accumulate_run_any_dim<P>(coords, n, d, begin, end, query, r2, scale, count_r2, sum, weight, count);
    }
  } else {
    double q[D];
    for (std::size_t t = 0; t < D; ++t) q[t] = query[t];
    Lanes<D> lanes;
    for (const auto& [begin, end, whole_cell] : runs) {
      if (whole_cell != kNotWhole) {
        for (std::size_t t = 0; t < D; ++t) sum[t] += cell_sums[whole_cell * D + t];
        weight += static_cast<double>(end - begin);
        count += static_cast<std::int64_t>(end - begin);
      } else {
        accumulate_run<D, P>(coords, n, begin, end, q, r2, scale, count_r2, lanes);
      }
    }
    lanes.reduce_into(sum, weight, count);
  }
}

template <std::size_t D>
[[gnu::always_inline]] inline void accumulate_dim(const RadiusSearchRuns& runs, Profile profile, const double* coords,
                                                  const double* cell_sums, std::size_t n, std::size_t d,
                                                  const double* query, double r2, double scale, double count_r2,
                                                  double* sum, double& weight, std::int64_t& count) {
  switch (profile) {
    case Profile::Flat:
      return accumulate_runs<D, Profile::Flat>(runs, coords, cell_sums, n, d, query, r2, scale, count_r2, sum, weight,
                                               count);
    case Profile::Triangular:
      return accumulate_runs<D, Profile::Triangular>(runs, coords, cell_sums, n, d, query, r2, scale, count_r2, sum,
                                                     weight, count);
    case Profile::Gaussian:
      return accumulate_runs<D, Profile::Gaussian>(runs, coords, cell_sums, n, d, query, r2, scale, count_r2, sum,
                                                   weight, count);
  }
}

}  // namespace

CENTRIX_DISPATCH void RadiusSearch::accumulate_within(const double* query, Profile profile, double scale,
                                                      double count_radius, NeighbourSums& out) const {
  out.weighted_sum.assign(d_, 0.0);
  out.total_weight = 0;
  out.count = 0;
  // The candidate runs first (at most 3^d of them), then one tight loop per run.
  thread_local RadiusSearchRuns runs;
  runs.clear();
  const double r2 = radius_ * radius_;
  const double count_r2 = count_radius * count_radius;
  // With a flat profile, a cell wholly inside both radii counts through its precomputed sums.
  const bool whole_cells = profile == Profile::Flat && !cell_sums_.empty();
  const double inside_r2 = std::min(r2, count_r2);
  if (dense_ && !whole_cells) {
    for_each_joined_run(query, [&](std::size_t begin, std::size_t end) { runs.push_back({begin, end, kNotWhole}); });
  } else {
    for_each_candidate_run(query,
                           [&](std::size_t begin, std::size_t end, const std::int64_t* cell, std::size_t linear) {
                             const bool whole = whole_cells && box_squared_distance(query, cell, true) <= inside_r2;
                             runs.push_back({begin, end, whole ? linear : kNotWhole});
                           });
  }
  // always_inline: a lambda left out of line would be compiled for the baseline target only.
  const auto accumulate = [&]<std::size_t D>() __attribute__((always_inline)) {
    accumulate_dim<D>(runs, profile, coords_.data(), cell_sums_.data(), stride_, d_, query, r2, scale, count_r2,
                      out.weighted_sum.data(), out.total_weight, out.count);
  };
  switch (d_) {
    case 1:
      return accumulate.template operator()<1>();
    case 2:
      return accumulate.template operator()<2>();
    case 3:
      return accumulate.template operator()<3>();
    case 4:
      return accumulate.template operator()<4>();
    case 5:
      return accumulate.template operator()<5>();
    case 6:
      return accumulate.template operator()<6>();
    default:
      return accumulate.template operator()<0>();
  }
}

}  // namespace centrix::kernels
