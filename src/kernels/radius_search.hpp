// Fixed-radius neighbour search over a point set: the points within a radius
// of a query, without ever forming all pairwise distances.
//
// Low dimensions use a grid (Bentley, Stanat & Williams 1977) of cells of side
// radius / g. The points are stored coordinate-major, cell by cell, so the
// points of a cell are one contiguous run that the accumulation loop
// vectorises over, and so are the cells of one row (the cells that differ
// only in the last coordinate). When the bounding box holds few enough cells
// the grid is a dense array, and a query visits the rows its ball reaches
// and, in each row, only the cells between the ball's two ends along the last
// coordinate. With cell sums (flat profile) the grid is as fine as a budget
// of cells allows (g up to 16 in two dimensions) and each row keeps running
// sums of its cells, so the cells of a row wholly inside the ball count in one
// step and points are tested one by one only near the sphere. Otherwise g = 1
// (see the constructor for why). A grid whose dense array would be too large
// hashes its cells instead (3^d cells per query). Above kMaxGridDim the 3^d
// cells cost more than they save and a query scans all points. The visiting
// order is fixed, so sums over the neighbours are deterministic. Thread-safe
// for concurrent queries once built.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace centrix::kernels {

/// How a neighbour at squared distance s is weighted in accumulate_within.
enum class Profile {
  Flat,        ///< 1
  Triangular,  ///< 1 - sqrt(s) / scale
  Gaussian,    ///< exp(-s / (2 scale^2))
};

/// What accumulate_within returns: the weighted sum of the neighbours, their
/// total weight, and how many lie within `count_radius`.
struct NeighbourSums {
  std::vector<double> weighted_sum;
  double total_weight = 0;
  std::int64_t count = 0;
};

class RadiusSearch {
 public:
  /// Largest dimension that uses the grid.
  static constexpr std::size_t kMaxGridDim = 6;
  /// Zeros after each coordinate's points, so a vector may read past the last one.
  static constexpr std::size_t kPadding = 8;

  /// Indexes n points of dimension d (row-major, copied) for queries of `radius`.
  /// `cell_sums`: keep per-row prefix sums of the cells, for flat-profile
  /// accumulations over large windows.
  RadiusSearch(const double* points, std::size_t n, std::size_t d, double radius, bool cell_sums = false);

  /// Sums profile(s) * x, profile(s), and the number of points with
  /// s <= count_radius^2, over the points x within `radius` of `query`.
  void accumulate_within(const double* query, Profile profile, double scale, double count_radius,
                         NeighbourSums& out) const;

  /// Calls f(index, squared_distance) for every point within `radius` (<=) of `query`.
  template <class F>
  void for_each_within(const double* query, F&& f) const {
    const double r2 = radius_ * radius_;
    const auto visit = [&](std::size_t begin, std::size_t end) {
      for (std::size_t s = begin; s < end; ++s) {
        double d2 = 0;
        for (std::size_t t = 0; t < d_; ++t) {
          const double diff = query[t] - coords_[t * stride_ + s];
          d2 += diff * diff;
        }
        if (d2 <= r2) f(order_[s], d2);
      }
    };
    if (dense_) {
      for_each_row(query, [&](std::size_t row, std::int64_t lo, std::int64_t hi, double) {
        visit(run_begin(row, lo), run_begin(row, hi + 1));
      });
    } else {
      for_each_candidate_run(query, visit);
    }
  }

 private:
  /// Without a dense grid: calls f(begin, end) for each run of stored points
  /// that may hold neighbours of `query` (all points without a grid).
  template <class F>
  void for_each_candidate_run(const double* query, F&& f) const {
    if (!use_grid_) {
      f(std::size_t{0}, n_);
      return;
    }
    std::int64_t base[kMaxGridDim];
    std::int64_t offset[kMaxGridDim];
    for (std::size_t t = 0; t < d_; ++t) {
      base[t] = cell_coordinate(query[t], t);
      offset[t] = -1;
    }
    // Odometer over the 3^d neighbouring cells (g = 1 without a dense grid).
    for (;;) {
      std::int64_t cell[kMaxGridDim];
      for (std::size_t t = 0; t < d_; ++t) cell[t] = base[t] + offset[t];
      std::size_t begin = 0;
      std::size_t end = 0;
      if (hashed_range(cell, begin, end)) f(begin, end);
      std::size_t t = 0;
      while (t < d_ && offset[t] == 1) offset[t++] = -1;
      if (t == d_) break;
      ++offset[t];
    }
  }

  /// Dense grid: calls f(row, lo, hi, far) for each row of cells (cells that
  /// differ only in the last coordinate) that the ball around `query` may
  /// reach: cells lo..hi of the row may hold points within the radius, and
  /// `far` is the largest squared distance from the query to the row's box
  /// over the other coordinates.
  template <class F>
  void for_each_row(const double* query, F&& f) const {
    const auto g = static_cast<std::int64_t>(subdivisions_);
    const std::size_t last = d_ - 1;
    std::int64_t base[kMaxGridDim];
    std::int64_t offset[kMaxGridDim];
    double query_slack[kMaxGridDim];
    for (std::size_t t = 0; t < last; ++t) {
      base[t] = cell_coordinate(query[t], t);
      offset[t] = -g;
      query_slack[t] = slack(query[t], t);
    }
    const double r2 = radius_ * radius_;
    const double q = query[last];
    const double q_slack = slack(q, last);
    for (;;) {
      std::size_t row = 0;
      bool inside = true;
      double near = 0;
      double far = 0;
      for (std::size_t t = 0; t < last && inside; ++t) {
        const std::int64_t c = base[t] + offset[t];
        inside = c >= 0 && c < extent_[t];
        row = row * static_cast<std::size_t>(extent_[t]) + static_cast<std::size_t>(c);
        const auto [near_gap, far_gap] = gaps(query[t], query_slack[t], c, t);
        near += near_gap * near_gap;
        far += far_gap * far_gap;
      }
      if (inside && near <= r2) {
        // The ball's ends along the last coordinate in this row, widened so rounding never loses a cell.
        const double half = std::sqrt(r2 - near) + q_slack;
        const std::int64_t lo = std::max<std::int64_t>(cell_coordinate(q - half, last), 0);
        const std::int64_t hi = std::min<std::int64_t>(cell_coordinate(q + half, last), extent_[last] - 1);
        if (lo <= hi) f(row, lo, hi, far);
      }
      std::size_t t = 0;
      while (t < last && offset[t] == g) offset[t++] = -g;
      if (t == last) break;
      ++offset[t];
    }
  }

  /// The first stored point of cell `c` of a dense grid's row `row` (c may be one past the row's last cell).
  [[nodiscard]] std::size_t run_begin(std::size_t row, std::int64_t c) const noexcept {
    return cell_start_[row * static_cast<std::size_t>(extent_[d_ - 1]) + static_cast<std::size_t>(c)];
  }

  /// A margin that covers rounding in cell arithmetic near coordinate v of
  /// dimension t: boxes are widened by it, so a test is never too optimistic.
  [[nodiscard]] double slack(double v, std::size_t t) const noexcept {
    return 1e-9 * cell_side_ + 1e-13 * (std::abs(v) + std::abs(origin_[t]) + span_[t]);
  }

  /// The smallest and the largest distance from v to cell c's extent along coordinate t, the cell widened by
  /// s = slack(v, t).
  [[nodiscard]] std::pair<double, double> gaps(double v, double s, std::int64_t c, std::size_t t) const noexcept {
    const double lo = origin_[t] + static_cast<double>(c) * cell_side_ - s;
    const double hi = lo + cell_side_ + 2 * s;
    return {std::max({lo - v, 0.0, v - hi}), std::max(v - lo, hi - v)};
  }

  /// The cell of coordinate v along t (clamped so that a query far outside the grid cannot overflow). Points and
  /// queries go through this one function, so rounding can never put a point in a cell its coordinate does
  /// not order it into.
  [[nodiscard]] std::int64_t cell_coordinate(double v, std::size_t t) const noexcept {
    constexpr double kFar = 0x1p62;
    return static_cast<std::int64_t>(std::clamp(std::floor((v - origin_[t]) * inverse_side_), -kFar, kFar));
  }
  [[nodiscard]] bool hashed_range(const std::int64_t* cell, std::size_t& begin, std::size_t& end) const;
  [[nodiscard]] std::uint64_t hashed_key(const std::int64_t* cell) const noexcept;

  std::size_t n_;
  std::size_t d_;
  double radius_;
  bool use_grid_;
  bool dense_ = false;                   // cells in a dense array (else a hash map)
  std::size_t subdivisions_ = 1;         // g: cells per radius
  double cell_side_ = 0;                 // radius / g
  double inverse_side_ = 0;              // 1 / cell_side_
  std::vector<double> row_prefix_;       // dense grid with cell sums: per row, per cell boundary c, the sum
                                         // of (x - origin) over the row's cells before c (rows x (extent + 1) x d)
  std::vector<double> origin_;           // grid corner: the per-coordinate minimum
  std::vector<double> span_;             // per coordinate, the largest minus the smallest point
  std::vector<std::int64_t> extent_;     // dense grid: cells per coordinate
  std::vector<std::size_t> cell_start_;  // dense grid: first stored point of each cell, plus the end
  std::unordered_map<std::uint64_t, std::pair<std::size_t, std::size_t>> hashed_;  // sparse grid: key -> run
  std::size_t stride_ = 0;          // n plus kPadding: the distance between coordinates in coords_
  std::vector<double> coords_;      // d x stride_, coordinate-major, points cell by cell, zero padding
  std::vector<std::size_t> order_;  // original index of each stored point
};

}  // namespace centrix::kernels
