// Fixed-radius neighbour search over a point set: the points within a radius
// of a query, without ever forming all pairwise distances.
//
// Low dimensions use a grid (Bentley, Stanat & Williams 1977) of cells of side
// radius / g: a query visits the (2g + 1)^d cells around its own, skipping
// those whose box misses the ball. In one to three dimensions g > 1 and each
// cell keeps the sum of its points, so a flat-profile query adds a cell that
// lies wholly inside the ball in one step and tests points only in the cells
// the sphere cuts. The
// points are stored coordinate-major, cell by cell, so the points of a cell
// are one contiguous run that the accumulation loop vectorises over. A dense
// cell array is used when the bounding box holds few enough cells, a hash
// map otherwise. Above kMaxGridDim the 3^d cells cost more than they save and
// a query scans all points. The visiting order is fixed, so sums over the
// neighbours are deterministic. Thread-safe for concurrent queries once built.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
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
  /// `cell_sums`: subdivide the grid and keep per-cell sums, for flat-profile
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
    for_each_candidate_run(query, [&](std::size_t begin, std::size_t end, const std::int64_t*, std::size_t) {
      for (std::size_t s = begin; s < end; ++s) {
        double d2 = 0;
        for (std::size_t t = 0; t < d_; ++t) {
          const double diff = query[t] - coords_[t * stride_ + s];
          d2 += diff * diff;
        }
        if (d2 <= r2) f(order_[s], d2);
      }
    });
  }

 private:
  /// Calls f(begin, end, cell, linear_index) for each run of stored points
  /// that may hold neighbours of `query` (cell is null without a grid).
  template <class F>
  void for_each_candidate_run(const double* query, F&& f) const {
    if (!use_grid_) {
      f(std::size_t{0}, n_, static_cast<const std::int64_t*>(nullptr), std::size_t{0});
      return;
    }
    const auto g = static_cast<std::int64_t>(subdivisions_);
    std::int64_t base[kMaxGridDim];
    std::int64_t offset[kMaxGridDim];
    for (std::size_t t = 0; t < d_; ++t) {
      base[t] = cell_coordinate(query[t], t);
      offset[t] = -g;
    }
    const double r2 = radius_ * radius_;
    // Odometer over the (2g + 1)^d neighbouring cells.
    for (;;) {
      std::int64_t cell[kMaxGridDim];
      for (std::size_t t = 0; t < d_; ++t) cell[t] = base[t] + offset[t];
      std::size_t begin = 0;
      std::size_t end = 0;
      std::size_t linear = 0;
      if ((g == 1 || box_squared_distance(query, cell, false) <= r2) && cell_range(cell, begin, end, linear)) {
        f(begin, end, static_cast<const std::int64_t*>(cell), linear);
      }
      std::size_t t = 0;
      while (t < d_ && offset[t] == g) offset[t++] = -g;
      if (t == d_) break;
      ++offset[t];
    }
  }

  /// Like for_each_candidate_run over a dense grid, but joining the 2g + 1
  /// cells along the last coordinate, which are stored one after another,
  /// into one run: fewer, longer runs for the vectorised loop.
  template <class F>
  void for_each_joined_run(const double* query, F&& f) const {
    const auto g = static_cast<std::int64_t>(subdivisions_);
    const std::size_t last = d_ - 1;
    std::int64_t base[kMaxGridDim];
    std::int64_t offset[kMaxGridDim];
    for (std::size_t t = 0; t < d_; ++t) {
      base[t] = cell_coordinate(query[t], t);
      offset[t] = -g;
    }
    const std::int64_t lo = std::max<std::int64_t>(base[last] - g, 0);
    const std::int64_t hi = std::min<std::int64_t>(base[last] + g, extent_[last] - 1);
    if (lo > hi) return;
    for (;;) {
      std::size_t linear = 0;
      bool inside = true;
      for (std::size_t t = 0; t < last; ++t) {
        const std::int64_t c = base[t] + offset[t];
        inside = inside && c >= 0 && c < extent_[t];
        linear = linear * static_cast<std::size_t>(extent_[t]) + static_cast<std::size_t>(inside ? c : 0);
      }
      if (inside) {
        const std::size_t row = linear * static_cast<std::size_t>(extent_[last]);
        const std::size_t begin = cell_start_[row + static_cast<std::size_t>(lo)];
        const std::size_t end = cell_start_[row + static_cast<std::size_t>(hi) + 1];
        if (begin < end) f(begin, end);
      }
      std::size_t t = 0;
      while (t < last && offset[t] == g) offset[t++] = -g;
      if (t == last) break;
      ++offset[t];
    }
  }

  /// Smallest (farthest = false) or largest (farthest = true) squared distance
  /// from `query` to a cell's box, the box widened by a hair so that rounding in
  /// the cell assignment can never make a test too optimistic.
  [[nodiscard]] double box_squared_distance(const double* query, const std::int64_t* cell,
                                            bool farthest) const noexcept {
    const double hair = 1e-9 * cell_side_;
    double s = 0;
    for (std::size_t t = 0; t < d_; ++t) {
      const double lo = origin_[t] + static_cast<double>(cell[t]) * cell_side_ - hair;
      const double hi = lo + cell_side_ + 2 * hair;
      const double gap =
          farthest ? std::max(query[t] - lo, hi - query[t]) : std::max({lo - query[t], 0.0, query[t] - hi});
      s += gap * gap;
    }
    return s;
  }

  [[nodiscard]] std::int64_t cell_coordinate(double v, std::size_t t) const noexcept;
  [[nodiscard]] bool cell_range(const std::int64_t* cell, std::size_t& begin, std::size_t& end,
                                std::size_t& linear) const;
  [[nodiscard]] std::uint64_t hashed_key(const std::int64_t* cell) const noexcept;

  std::size_t n_;
  std::size_t d_;
  double radius_;
  bool use_grid_;
  bool dense_ = false;                   // cells in a dense array (else a hash map)
  std::size_t subdivisions_ = 1;         // g: cells per radius
  double cell_side_ = 0;                 // radius / g
  std::vector<double> cell_sums_;        // subdivided dense grid: per cell, the sum of its points (cells x d)
  std::vector<double> origin_;           // grid corner: the per-coordinate minimum
  std::vector<std::int64_t> extent_;     // dense grid: cells per coordinate
  std::vector<std::size_t> cell_start_;  // dense grid: first stored point of each cell, plus the end
  std::unordered_map<std::uint64_t, std::pair<std::size_t, std::size_t>> hashed_;  // sparse grid: key -> run
  std::size_t stride_ = 0;          // n plus kPadding: the distance between coordinates in coords_
  std::vector<double> coords_;      // d x stride_, coordinate-major, points cell by cell, zero padding
  std::vector<std::size_t> order_;  // original index of each stored point
};

}  // namespace centrix::kernels
