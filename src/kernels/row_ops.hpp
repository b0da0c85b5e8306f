// Small per-row loops that run once per row per iteration around the
// distance kernels: moving a row into a frame, adding it to a sum, its
// distance to one point. Compiled for AVX2 and AVX-512 as well as the
// baseline (dispatch.hpp). Sums of squares use eight lanes of partial sums
// added in a fixed order, which breaks the add latency chain and vectorises;
// the result depends only on the row (never on the thread count). As in the
// distance kernels, the AVX2 and AVX-512 variants fuse multiply-adds, so two
// CPUs that pick different variants may differ in the last bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace centrix::kernels {

/// Rows moved into a frame: for r < count, with x_r = x + r * stride and out_r = out + r * d,
/// out_r[t] = T(x_r[t] - origin[t]) computed in double, or T(x_r[t] / divisors[r] - origin[t]) if divisors
/// is not null; sq_norms[r] = sum of out_r[t]^2 in double. Each row's result depends only on the row.
/// For float rows without divisors the origin must hold floats (frames round theirs): the difference is
/// then taken in float, which is bitwise the double one rounded once (two floats' exact difference fits
/// in a double unless one is below 2^-28 of the other, and then both give the larger), in half the
/// instructions (3000 x 100 float32, the frame's set-up: ~40 -> ~20 us on two cores).
template <class T>
void shift_rows(const T* x, std::size_t stride, std::size_t count, const double* divisors, const double* origin,
                std::size_t d, T* out, double* sq_norms);

/// norms[r] = sum of x_r[t]^2 in double for r < count, x_r = x + r * stride: bitwise the sq_norms shift_rows
/// gives for the same rows at a zero origin without divisors.
template <class T>
void sq_norms(const T* x, std::size_t stride, std::size_t count, std::size_t d, double* norms);

/// out[r] = 1 - x_r . c / ||x_r|| in double for r < count, c = centers + labels[r] * d (unit length): the
/// cosine distance of row x_r = x + r * stride to its labelled center, several rows at a time.
template <class T>
void cosine_distances_to_labelled(const T* x, std::size_t stride, std::size_t count, const double* centers,
                                  const std::int32_t* labels, std::size_t d, double* out);

/// add_scaled_row through the dispatcher (for d >= 16).
template <class T>
void add_scaled_row_dispatched(double* sum, const T* x, double w, std::size_t d);

/// sum[t] += w * x[t], in double. Below 16 columns the loop stays inline: a
/// call through the dispatcher costs more than a few adds.
template <class T>
inline void add_scaled_row(double* sum, const T* x, double w, std::size_t d) {
  if (d >= 16) {
    add_scaled_row_dispatched(sum, x, w, d);
    return;
  }
  for (std::size_t t = 0; t < d; ++t) sum[t] += w * static_cast<double>(x[t]);
}

/// Widest column range add_scaled_rows takes: its sums stay in registers.
inline constexpr std::size_t kScaledRowsWidth = 64;

/// sum[t] += w_r * x_r[t] for t < width (at most kScaledRowsWidth), over the
/// rows x_r = base + rows[r] * stride for r = 0 .. count - 1 in that order,
/// w_r = weights[rows[r]] (1 if weights is null): row after row, as a plain
/// loop would (multiply-adds fused on AVX2 and AVX-512), but with the sums in
/// registers instead of going through memory for every row.
template <class T>
void add_scaled_rows(double* sum, const T* base, std::size_t stride, const std::size_t* rows, std::size_t count,
                     const double* weights, std::size_t width);

/// sum over t of (x[t] - point[t])^2, in double.
template <class T>
double sq_distance_to_point(const T* x, const double* point, std::size_t d);

/// out[r] = sq_distance_to_point(x + r * stride, centers + labels[r] * d, d) for r < count, bit for bit
/// (several rows at a time, so that their add chains overlap).
template <class T>
void sq_distances_to_labelled(const T* x, std::size_t stride, std::size_t count, const double* centers,
                              const std::int32_t* labels, std::size_t d, double* out);

/// sum[t] += (x[t] - mean[t])^2, in double.
template <class T>
void add_squared_deviation(double* sum, const T* x, const double* mean, std::size_t d);

/// Partial sums add_min_in_lanes keeps: element i goes to partial[i % kMinSumLanes].
inline constexpr std::size_t kMinSumLanes = 16;

/// partial[i % kMinSumLanes] += w_i * min(a[i], b[i]) in double, for i < n
/// in increasing order (w_i = weights[i], or 1 if weights is null): a sum of
/// capped values whose lanes add in a fixed order, so the total depends only
/// on the values.
template <class T>
void add_min_in_lanes(double* partial, const T* a, const T* b, const double* weights, std::size_t n);

/// Whether none of x[0..n) is NaN or infinite (x * 0 is 0 exactly for finite x).
template <class T>
bool all_finite(const T* x, std::size_t n);

}  // namespace centrix::kernels
