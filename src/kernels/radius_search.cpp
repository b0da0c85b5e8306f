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
    : n_(n),
      d_(d),
      radius_(radius),
      use_grid_(d <= kMaxGridDim && radius > 0 && n > 0),
      origin_(d, 0.0),
      span_(d, 0.0) {
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
    for (std::size_t t = 0; t < d; ++t) span_[t] = hi[t] - lo[t];
    // With cell sums (flat profile), the finest dense grid whose cells stay within budget: finer cells hug the
    // ball closer, so fewer points are tested one by one, and the (2g + 1)^(d - 1) rows per query stay cheap
    // (100k points in 2-D: 14 ms at g = 16 against 59 ms at g = 1, one thread). Without them g = 1: there the
    // window holds the points of the ball itself, and each extra row costs more than the few points it
    // trims (notebook-2d, Gaussian: 3.5 ms at g = 1 against 4.1 ms at g = 4).
    const std::size_t finest = !cell_sums ? 1 : d == 1 ? 32 : d == 2 ? 16 : d == 3 ? 4 : d == 4 ? 2 : 1;
    const double budget = static_cast<double>(n) + 1024.0;
    double cells = 0;
    for (std::size_t g = finest; g >= 1; g /= 2) {
      subdivisions_ = g;
      cell_side_ = radius / static_cast<double>(g);
      inverse_side_ = 1.0 / cell_side_;
      extent_.assign(d, 1);
      cells = 1;
      for (std::size_t t = 0; t < d; ++t) {
        extent_[t] = cell_coordinate(hi[t], t) + 1;  // the same arithmetic that places the points
        cells *= static_cast<double>(extent_[t]);
      }
      dense_ = cells <= (g == 1 ? 4.0 : 2.0) * budget;
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
  if (cell_sums && dense_) {
    // Per row, running sums of (x - origin) cell by cell: the sum over cells a..b of a row is one difference
    // of two non-negative running sums of that row alone, so cancellation stays small.
    const auto row_cells = static_cast<std::size_t>(extent_[d - 1]);
    const std::size_t rows = (cell_start_.size() - 1) / row_cells;
    row_prefix_.assign(rows * (row_cells + 1) * d, 0.0);
    for (std::size_t row = 0; row < rows; ++row) {
      double* prefix = &row_prefix_[row * (row_cells + 1) * d];
      for (std::size_t c = 0; c < row_cells; ++c) {
        for (std::size_t t = 0; t < d; ++t) prefix[(c + 1) * d + t] = prefix[c * d + t];
        for (std::size_t s = cell_start_[row * row_cells + c]; s < cell_start_[row * row_cells + c + 1]; ++s) {
          for (std::size_t t = 0; t < d; ++t) prefix[(c + 1) * d + t] += coords_[t * stride_ + s] - origin_[t];
        }
      }
    }
  }
}

bool RadiusSearch::hashed_range(const std::int64_t* cell, std::size_t& begin, std::size_t& end) const {
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

/// A run of stored points to visit one by one, [begin, end), or (prefix != kNotWhole) cells whose points all lie
/// in the window: they count through the row's running sums, row_prefix[prefix_end] - row_prefix[prefix].
struct CandidateRun {
  std::size_t begin;
  std::size_t end;
  std::size_t prefix;
  std::size_t prefix_end;
};
constexpr std::size_t kNotWhole = static_cast<std::size_t>(-1);
using RadiusSearchRuns = std::vector<CandidateRun>;

/// The weight of a point at squared distance d2 (zero beyond r2). `shape` is what the profile multiplies by,
/// precomputed per query so that the loop has no division: 1 / scale (triangular) or -1 / (2 scale^2) (Gaussian).
template <Profile P>
[[gnu::always_inline]] inline double profile_weight(double d2, double r2, double shape) {
  if constexpr (P == Profile::Flat) {
    return d2 <= r2 ? 1.0 : 0.0;
  } else if constexpr (P == Profile::Triangular) {
    return d2 <= r2 ? std::max(0.0, 1.0 - std::sqrt(d2) * shape) : 0.0;
  } else {
    // r2 * shape >= -708 (accumulate_within's weight radius), so the argument is in exp_in_range's domain,
    // also in the lanes beyond r2, which are zeroed anyway.
    return d2 <= r2 ? exp_in_range(std::min(d2, r2) * shape) : 0.0;
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
                                                  std::size_t end, const double* q, double r2, double shape,
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
      const double w = mask * profile_weight<P>(d2, r2, shape);
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
                                                          double r2, double shape, double count_r2, double* sum,
                                                          double& weight, std::int64_t& count) {
  for (std::size_t s = begin; s < end; ++s) {
    double d2 = 0;
    for (std::size_t t = 0; t < d; ++t) {
      const double diff = query[t] - coords[t * n + s];
      d2 += diff * diff;
    }
    const double w = profile_weight<P>(d2, r2, shape);
    weight += w;
    count += d2 <= count_r2 ? 1 : 0;
    for (std::size_t t = 0; t < d; ++t) sum[t] += w * coords[t * n + s];
  }
}

template <std::size_t D, Profile P>
[[gnu::always_inline]] inline void accumulate_runs(const RadiusSearchRuns& runs, const double* coords,
                                                   const double* row_prefix, const double* origin, std::size_t n,
                                                   std::size_t d, const double* query, double r2, double shape,
                                                   double count_r2, double* sum, double& weight, std::int64_t& count) {
  if constexpr (D == 0) {
    for (const CandidateRun& run : runs) {
      accumulate_run_any_dim<P>(coords, n, d, run.begin, run.end, query, r2, shape, count_r2, sum, weight, count);
    }
  } else {
    double q[D];
    for (std::size_t t = 0; t < D; ++t) q[t] = query[t];
    Lanes<D> lanes;
    double whole_sum[D] = {};  // over whole cells, of x - origin
    std::size_t whole_count = 0;
    for (const CandidateRun& run : runs) {
      if (run.prefix != kNotWhole) {
        for (std::size_t t = 0; t < D; ++t)
          whole_sum[t] += row_prefix[run.prefix_end * D + t] - row_prefix[run.prefix * D + t];
        whole_count += run.end - run.begin;
      } else {
        accumulate_run<D, P>(coords, n, run.begin, run.end, q, r2, shape, count_r2, lanes);
      }
    }
    lanes.reduce_into(sum, weight, count);
    if (whole_count > 0) {
      const auto whole = static_cast<double>(whole_count);
      for (std::size_t t = 0; t < D; ++t) sum[t] += whole_sum[t] + whole * origin[t];
      weight += whole;
      count += static_cast<std::int64_t>(whole_count);
    }
  }
}

template <std::size_t D>
[[gnu::always_inline]] inline void accumulate_dim(const RadiusSearchRuns& runs, Profile profile, const double* coords,
                                                  const double* row_prefix, const double* origin, std::size_t n,
                                                  std::size_t d, const double* query, double r2, double shape,
                                                  double count_r2, double* sum, double& weight, std::int64_t& count) {
  switch (profile) {
    case Profile::Flat:
      return accumulate_runs<D, Profile::Flat>(runs, coords, row_prefix, origin, n, d, query, r2, shape, count_r2, sum,
                                               weight, count);
    case Profile::Triangular:
      return accumulate_runs<D, Profile::Triangular>(runs, coords, row_prefix, origin, n, d, query, r2, shape, count_r2,
                                                     sum, weight, count);
    case Profile::Gaussian:
      return accumulate_runs<D, Profile::Gaussian>(runs, coords, row_prefix, origin, n, d, query, r2, shape, count_r2,
                                                   sum, weight, count);
  }
}

}  // namespace

CENTRIX_DISPATCH void RadiusSearch::accumulate_within(const double* query, Profile profile, double scale,
                                                      double count_radius, NeighbourSums& out) const {
  out.weighted_sum.assign(d_, 0.0);
  out.total_weight = 0;
  out.count = 0;
  // The candidate runs first, then one tight loop per run.
  thread_local RadiusSearchRuns runs;
  runs.clear();
  const double r2 = radius_ * radius_;
  const double count_r2 = count_radius * count_radius;
  if (!dense_) {
    for_each_candidate_run(query, [&](std::size_t begin, std::size_t end) {
      runs.push_back({begin, end, kNotWhole, kNotWhole});
    });
  } else if (profile != Profile::Flat || row_prefix_.empty()) {
    for_each_row(query, [&](std::size_t row, std::int64_t lo, std::int64_t hi, double) {
      runs.push_back({run_begin(row, lo), run_begin(row, hi + 1), kNotWhole, kNotWhole});
    });
  } else {
    // Flat profile: the cells of a row wholly inside both radii count through the row's running sums, and
    // only the cells at the row's two ends are tested point by point.
    const std::size_t last = d_ - 1;
    const double inside_r2 = std::min(r2, count_r2);
    const double q = query[last];
    const double q_slack = slack(q, last);
    const auto row_cells = static_cast<std::size_t>(extent_[last]);
    for_each_row(query, [&](std::size_t row, std::int64_t lo, std::int64_t hi, double far) {
      std::int64_t whole_lo = hi + 1;
      std::int64_t whole_hi = hi;
      if (far <= inside_r2) {
        // Cells whose extent along the last coordinate, widened by twice the slack, lies within
        // q +- sqrt(inside_r2 - far): every point in them is inside both radii.
        const double half = std::sqrt(inside_r2 - far) - 2 * q_slack;
        whole_lo = std::max(lo, static_cast<std::int64_t>(std::ceil((q - half - origin_[last]) * inverse_side_)));
        whole_hi = std::min(hi, static_cast<std::int64_t>(std::floor((q + half - origin_[last]) * inverse_side_)) - 1);
      }
      if (whole_lo > whole_hi) {
        runs.push_back({run_begin(row, lo), run_begin(row, hi + 1), kNotWhole, kNotWhole});
        return;
      }
      if (lo < whole_lo) runs.push_back({run_begin(row, lo), run_begin(row, whole_lo), kNotWhole, kNotWhole});
      const std::size_t prefix_row = row * (row_cells + 1);
      runs.push_back({run_begin(row, whole_lo), run_begin(row, whole_hi + 1),
                      prefix_row + static_cast<std::size_t>(whole_lo),
                      prefix_row + static_cast<std::size_t>(whole_hi) + 1});
      if (whole_hi < hi) runs.push_back({run_begin(row, whole_hi + 1), run_begin(row, hi + 1), kNotWhole, kNotWhole});
    });
  }
  const double shape = profile == Profile::Gaussian ? -0.5 / (scale * scale) : 1.0 / scale;
  // The radius within which weights are computed: the search radius, or less where a Gaussian weight would
  // underflow (exp(-708)); the weight there is 0 either way.
  const double weight_r2 = profile == Profile::Gaussian ? std::min(r2, -708.0 / shape) : r2;
  // always_inline: a lambda left out of line would be compiled for the baseline target only.
  const auto accumulate = [&]<std::size_t D>() __attribute__((always_inline)) {
    accumulate_dim<D>(runs, profile, coords_.data(), row_prefix_.data(), origin_.data(), stride_, d_, query, weight_r2,
                      shape, count_r2, out.weighted_sum.data(), out.total_weight, out.count);
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
