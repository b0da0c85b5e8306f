// What the bounded assignment steps (Hamerly, Yinyang, Elkan) share: the
// rounding margin that keeps their labels identical to Lloyd's, and the
// per-iteration facts about the centers their bounds are built from.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include "kmeans/frame.hpp"

namespace centrix::detail {

/// Bound on the rounding error of a squared distance computed by the kernels
/// in T for a row of squared norm `row_sq_norm` against centers of squared
/// norm at most `max_center_sq_norm` (both in the frame): the dot product's
/// d roundings, the norms', and the centers' rounding to T, with room to spare.
template <class T>
double kernel_error_bound(std::size_t d, double row_sq_norm, double max_center_sq_norm) noexcept {
  constexpr double eps = std::numeric_limits<T>::epsilon();
  return 4.0 * (static_cast<double>(d) + 4.0) * eps * (row_sq_norm + max_center_sq_norm);
}

/// Whether a row whose center is at most `upper` away and every other center
/// at least `lower` away keeps its label under the kernel's rounding
/// (`error`, on squared distances).
inline bool bounds_settle(double upper, double lower, double error) noexcept {
  return lower > upper && lower * lower - upper * upper > 2.0 * error;
}

/// Squared distance between two centers (or points) in double. Four partial
/// sums, so the additions do not wait on each other: Hamerly's gaps between
/// all k^2 pairs of centers (keops-large: 10^8 terms per iteration) took
/// 60 ms with one. Its rounding only moves the bounds by about 1e-16 of
/// themselves, far inside the float32 kernel's error they allow for.
inline double center_sq_distance(const double* a, const double* b, std::size_t d) noexcept {
  double s[4] = {0, 0, 0, 0};
  std::size_t t = 0;
  for (; t + 4 <= d; t += 4) {
    for (std::size_t l = 0; l < 4; ++l) s[l] += (a[t + l] - b[t + l]) * (a[t + l] - b[t + l]);
  }
  for (; t < d; ++t) s[0] += (a[t] - b[t]) * (a[t] - b[t]);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

/// The k centers (original coordinates) moved into the frame, in double.
template <class T>
std::vector<double> centers_in_frame(const DataFrame<T>& frame, const double* centers, std::size_t k) {
  const std::size_t d = frame.dim();
  std::vector<double> out(k * d);
  for (std::size_t j = 0; j < k; ++j) frame.center_to_frame(centers + j * d, out.data() + j * d);
  return out;
}

/// The largest squared norm of a panel's columns (the centers in the frame).
template <class T>
double max_sq_norm(const kernels::ColumnPanel<T>& panel) noexcept {
  double largest = 0;
  for (std::size_t j = 0; j < panel.k; ++j) largest = std::max(largest, static_cast<double>(panel.sq_norms[j]));
  return largest;
}

}  // namespace centrix::detail
