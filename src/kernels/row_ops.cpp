#include "kernels/row_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/dispatch.hpp"

namespace centrix::kernels {
namespace {

// Eight lanes, spelled out with GCC's vector extensions: the compiler keeps
// them in registers (one AVX-512, two AVX2 or four SSE2 registers) where an
// array of eight partial sums came out as shuffles and stack traffic.
using Lanes8 = double __attribute__((vector_size(64)));
template <class T>
struct EightOf;
template <>
struct EightOf<float> {
  typedef float type __attribute__((vector_size(32)));
};
template <>
struct EightOf<double> {
  typedef double type __attribute__((vector_size(64)));
};
template <class T>
using Lanes8Of = typename EightOf<T>::type;

// Vectors go by reference: passing a 64-byte vector by value would tie the
// baseline ABI to AVX-512 (-Wpsabi).

/// Eight floats widened to double. Spelled lane by lane because GCC 12 turns
/// __builtin_convertvector(float8 -> double8) into two 4-lane conversions, an
/// extract and an insert even for AVX-512; this form is one vcvtps2pd there
/// (the shuffles had made the center sums 3x slower on mojo-table).
[[gnu::always_inline]] inline void widen(const Lanes8Of<float>& v, Lanes8& out) {
  out = Lanes8{static_cast<double>(v[0]), static_cast<double>(v[1]), static_cast<double>(v[2]),
               static_cast<double>(v[3]), static_cast<double>(v[4]), static_cast<double>(v[5]),
               static_cast<double>(v[6]), static_cast<double>(v[7])};
}
[[gnu::always_inline]] inline void widen(const Lanes8& v, Lanes8& out) {
  out = v;
}

template <class T>
[[gnu::always_inline]] inline void load8(const T* p, Lanes8& out) {
  Lanes8Of<T> v;
  std::memcpy(&v, p, sizeof v);
  widen(v, out);
}

/// The eight lanes added pairwise, in a fixed order.
[[gnu::always_inline]] inline double lane_sum(const Lanes8& a) {
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/// Eight doubles rounded to float (lane by lane, as widen, so GCC emits one conversion).
[[gnu::always_inline]] inline void narrow(const Lanes8& v, Lanes8Of<float>& out) {
  out = Lanes8Of<float>{static_cast<float>(v[0]), static_cast<float>(v[1]), static_cast<float>(v[2]),
                        static_cast<float>(v[3]), static_cast<float>(v[4]), static_cast<float>(v[5]),
                        static_cast<float>(v[6]), static_cast<float>(v[7])};
}

/// Whether shift_rows subtracts in T: float rows without divisors, whose origin is a float (shift_rows).
template <class T, bool Divide>
inline constexpr bool kShiftInT = std::is_same_v<T, float> && !Divide;

/// Rows shifted into a frame, R rows side by side: out_r[t] = T(x_r[t] / divisor_r - origin[t]) (without the
/// division unless Divide) computed in double, norms[r] = sum of out_r[t]^2 in double. Each row's arithmetic
/// is the one-row version's, bit for bit; R rows interleave only so that their add chains (13 dependent
/// multiply-adds for a row of 100 columns) overlap. Measured, the pass is bound by its conversions and
/// memory rather than by the chains: 3000 x 100 float32 stayed ~85 us on one core.
template <std::size_t R, bool Divide, class T>
[[gnu::always_inline]] inline void shift_rows_fixed(const T* x, std::size_t stride, const double* divisors,
                                                    const double* origin, std::size_t d, T* out, double* norms) {
  Lanes8 acc[R];
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) acc[r] = Lanes8{};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
    Lanes8 ov;
    load8(origin + t, ov);
    Lanes8Of<float> origin_f;
    if constexpr (kShiftInT<T, Divide>) narrow(ov, origin_f);
#pragma GCC unroll 4
    for (std::size_t r = 0; r < R; ++r) {
      Lanes8Of<T> shifted;
      if constexpr (kShiftInT<T, Divide>) {
        // Float rows, a float origin: one rounding in float is the double difference rounded once (see
        // shift_rows), without widening the rows first.
        std::memcpy(&shifted, x + r * stride + t, sizeof shifted);
        shifted -= origin_f;
        std::memcpy(out + r * d + t, &shifted, sizeof shifted);
        Lanes8 v;
        widen(shifted, v);
        acc[r] += v * v;
        continue;
      }
      Lanes8 xv;
      load8(x + r * stride + t, xv);
      if constexpr (Divide) {
        // Divided, not multiplied by a reciprocal: the reference rounds the same way.
        shifted = __builtin_convertvector(xv / divisors[r] - ov, Lanes8Of<T>);
      } else {
        shifted = __builtin_convertvector(xv - ov, Lanes8Of<T>);
      }
      std::memcpy(out + r * d + t, &shifted, sizeof shifted);
      Lanes8 v;
      widen(shifted, v);
      acc[r] += v * v;
    }
  }
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) {
    double rest = 0;
    for (std::size_t u = t; u < d; ++u) {
      if constexpr (kShiftInT<T, Divide>) {
        out[r * d + u] = x[r * stride + u] - static_cast<T>(origin[u]);
      } else {
        const double value = Divide ? static_cast<double>(x[r * stride + u]) / divisors[r] - origin[u]
                                    : static_cast<double>(x[r * stride + u]) - origin[u];
        out[r * d + u] = static_cast<T>(value);
      }
      rest += static_cast<double>(out[r * d + u]) * static_cast<double>(out[r * d + u]);
    }
    norms[r] = lane_sum(acc[r]) + rest;
  }
}

/// shift_rows_fixed over any number of rows: four at a time, then one by one.
template <bool Divide, class T>
[[gnu::always_inline]] inline void shift_rows_impl(const T* x, std::size_t stride, std::size_t count,
                                                   const double* divisors, const double* origin, std::size_t d, T* out,
                                                   double* norms) {
  std::size_t r = 0;
  for (; r + 4 <= count; r += 4) {
    shift_rows_fixed<4, Divide>(x + r * stride, stride, Divide ? divisors + r : nullptr, origin, d, out + r * d,
                                norms + r);
  }
  for (; r < count; ++r) {
    shift_rows_fixed<1, Divide>(x + r * stride, stride, Divide ? divisors + r : nullptr, origin, d, out + r * d,
                                norms + r);
  }
}

/// sum[t] += w * x[t] with add_scaled_rows' arithmetic (eight lanes, the tail as the last eight columns with
/// the lanes already done multiplied by 0), so a row adds the same bits whichever of the two takes it. A plain
/// loop here came out with GCC's split float-to-double conversion and an unfused 4-lane epilogue.
template <class T>
[[gnu::always_inline]] inline void add_scaled_row_impl(double* sum, const T* x, double w, std::size_t d) {
  if (d < 8) {  // the first d lanes of one vector, as add_scaled_rows_narrow
    Lanes8 acc = {};
    Lanes8 xv = {};
    for (std::size_t t = 0; t < d; ++t) {
      acc[t] = sum[t];
      xv[t] = static_cast<double>(x[t]);
    }
    acc += w * xv;
    for (std::size_t t = 0; t < d; ++t) sum[t] = acc[t];
    return;
  }
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
    Lanes8 acc;
    Lanes8 xv;
    std::memcpy(&acc, sum + t, sizeof acc);
    load8(x + t, xv);
    acc += w * xv;
    std::memcpy(sum + t, &acc, sizeof acc);
  }
  if (t < d) {
    const std::size_t tail_start = d - 8;  // the last eight columns; lanes before t add w * 0 * x = 0
    Lanes8 mask = {};
    for (std::size_t l = t - tail_start; l < 8; ++l) mask[l] = 1.0;
    Lanes8 acc;
    Lanes8 xv;
    std::memcpy(&acc, sum + tail_start, sizeof acc);
    load8(x + tail_start, xv);
    acc += (w * mask) * xv;
    std::memcpy(sum + tail_start, &acc, sizeof acc);
  }
}

/// add_scaled_rows over `Vectors` (>= 1) full vectors of eight columns and, if Tail, the `tail` (< 8) columns
/// after them. The tail is read as the row's last eight columns, the lanes that belong to a full vector
/// multiplied by 0: they add exactly 0, the others get the same arithmetic as everywhere else.
template <std::size_t Vectors, bool Tail, class T>
[[gnu::always_inline]] inline void add_scaled_rows_fixed(double* sum, const T* base, std::size_t stride,
                                                         const std::size_t* rows, std::size_t count,
                                                         const double* weights, std::size_t tail) {
  Lanes8 acc[Vectors];
  Lanes8 tail_acc = {};
  Lanes8 tail_mask = {};
#pragma GCC unroll 8
  for (std::size_t v = 0; v < Vectors; ++v) std::memcpy(&acc[v], sum + 8 * v, sizeof(Lanes8));
  const std::size_t tail_start = 8 * Vectors + tail - 8;  // the last eight columns
  if constexpr (Tail) {
    for (std::size_t l = 8 - tail; l < 8; ++l) {
      tail_acc[l] = sum[tail_start + l];
      tail_mask[l] = 1.0;
    }
  }
  for (std::size_t r = 0; r < count; ++r) {
    const T* x = base + rows[r] * stride;
    const double w = weights != nullptr ? weights[rows[r]] : 1.0;
#pragma GCC unroll 8
    for (std::size_t v = 0; v < Vectors; ++v) {
      Lanes8 xv;
      load8(x + 8 * v, xv);
      acc[v] += w * xv;
    }
    if constexpr (Tail) {
      Lanes8 xv;
      load8(x + tail_start, xv);
      tail_acc += (w * tail_mask) * xv;
    }
  }
#pragma GCC unroll 8
  for (std::size_t v = 0; v < Vectors; ++v) std::memcpy(sum + 8 * v, &acc[v], sizeof(Lanes8));
  if constexpr (Tail) {
    for (std::size_t l = 8 - tail; l < 8; ++l) sum[tail_start + l] = tail_acc[l];
  }
}

/// add_scaled_rows below eight columns: the sums in the first `Width` lanes of one vector (scalar code here
/// came out partly vectorised without fused multiply-adds, unlike every other width).
template <std::size_t Width, class T>
[[gnu::always_inline]] inline void add_scaled_rows_narrow(double* sum, const T* base, std::size_t stride,
                                                          const std::size_t* rows, std::size_t count,
                                                          const double* weights) {
  Lanes8 acc = {};
#pragma GCC unroll 8
  for (std::size_t t = 0; t < Width; ++t) acc[t] = sum[t];
  for (std::size_t r = 0; r < count; ++r) {
    const T* x = base + rows[r] * stride;
    const double w = weights != nullptr ? weights[rows[r]] : 1.0;
    Lanes8 xv = {};
#pragma GCC unroll 8
    for (std::size_t t = 0; t < Width; ++t) xv[t] = static_cast<double>(x[t]);
    acc += w * xv;
  }
#pragma GCC unroll 8
  for (std::size_t t = 0; t < Width; ++t) sum[t] = acc[t];
}

template <std::size_t Vectors, class T>
[[gnu::always_inline]] inline void add_scaled_rows_vectors(double* sum, const T* base, std::size_t stride,
                                                           const std::size_t* rows, std::size_t count,
                                                           const double* weights, std::size_t tail) {
  if (tail == 0) return add_scaled_rows_fixed<Vectors, false>(sum, base, stride, rows, count, weights, 0);
  add_scaled_rows_fixed<Vectors, true>(sum, base, stride, rows, count, weights, tail);
}

template <class T, std::size_t... Widths, std::size_t... Vectors>
[[gnu::always_inline]] inline void add_scaled_rows_by_width(double* sum, const T* base, std::size_t stride,
                                                            const std::size_t* rows, std::size_t count,
                                                            const double* weights, std::size_t width,
                                                            std::index_sequence<Widths...>,
                                                            std::index_sequence<Vectors...>) {
  // Every width gets its own inlined loop (a call through a pointer would leave the target's clone).
  const std::size_t tail = width % 8;
  ((width == Widths + 1 ? (add_scaled_rows_narrow<Widths + 1>(sum, base, stride, rows, count, weights), 0) : 0), ...);
  ((width >= 8 && width / 8 == Vectors + 1
        ? (add_scaled_rows_vectors<Vectors + 1>(sum, base, stride, rows, count, weights, tail), 0)
        : 0),
   ...);
}

template <class T>
[[gnu::always_inline]] inline void add_scaled_rows_impl(double* sum, const T* base, std::size_t stride,
                                                        const std::size_t* rows, std::size_t count,
                                                        const double* weights, std::size_t width) {
  add_scaled_rows_by_width(sum, base, stride, rows, count, weights, width, std::make_index_sequence<7>{},
                           std::make_index_sequence<kScaledRowsWidth / 8>{});
}

/// out[r] = sum over t of (x_r[t] - point_r[t])^2 in double for R rows side by side (x_r = x + r * stride,
/// point_r = points[r]); each row's arithmetic is the one-row version's, bit for bit (as shift_rows_fixed).
template <std::size_t R, class T>
[[gnu::always_inline]] inline void sq_distances_fixed(const T* x, std::size_t stride, const double* const* points,
                                                      std::size_t d, double* out) {
  Lanes8 acc[R];
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) acc[r] = Lanes8{};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
#pragma GCC unroll 4
    for (std::size_t r = 0; r < R; ++r) {
      Lanes8 xv;
      Lanes8 pv;
      load8(x + r * stride + t, xv);
      load8(points[r] + t, pv);
      const Lanes8 diff = xv - pv;
      acc[r] += diff * diff;
    }
  }
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) {
    double rest = 0;
    for (std::size_t u = t; u < d; ++u) {
      const double diff = static_cast<double>(x[r * stride + u]) - points[r][u];
      rest += diff * diff;
    }
    out[r] = lane_sum(acc[r]) + rest;
  }
}

/// norms[r] = sum of x_r[t]^2 in double, R rows side by side, with shift_rows_fixed's arithmetic for a zero
/// origin (there the shifted value is x itself), so in-place frames hold the norms loaded blocks would have.
template <std::size_t R, class T>
[[gnu::always_inline]] inline void sq_norms_fixed(const T* x, std::size_t stride, std::size_t d, double* norms) {
  Lanes8 acc[R];
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) acc[r] = Lanes8{};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
#pragma GCC unroll 4
    for (std::size_t r = 0; r < R; ++r) {
      Lanes8 v;
      load8(x + r * stride + t, v);
      acc[r] += v * v;
    }
  }
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) {
    double rest = 0;
    for (std::size_t u = t; u < d; ++u)
      rest += static_cast<double>(x[r * stride + u]) * static_cast<double>(x[r * stride + u]);
    norms[r] = lane_sum(acc[r]) + rest;
  }
}

/// out[r] = 1 - x_r . p_r / ||x_r|| in double (the cosine distance of x_r to the unit vector p_r), R rows
/// side by side so that their add chains overlap.
template <std::size_t R, class T>
[[gnu::always_inline]] inline void cosine_distances_fixed(const T* x, std::size_t stride, const double* const* points,
                                                          std::size_t d, double* out) {
  Lanes8 dot[R];
  Lanes8 sq[R];
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) dot[r] = sq[r] = Lanes8{};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
#pragma GCC unroll 4
    for (std::size_t r = 0; r < R; ++r) {
      Lanes8 xv;
      Lanes8 pv;
      load8(x + r * stride + t, xv);
      load8(points[r] + t, pv);
      dot[r] += xv * pv;
      sq[r] += xv * xv;
    }
  }
#pragma GCC unroll 4
  for (std::size_t r = 0; r < R; ++r) {
    double dot_rest = 0;
    double sq_rest = 0;
    for (std::size_t u = t; u < d; ++u) {
      const double value = static_cast<double>(x[r * stride + u]);
      dot_rest += value * points[r][u];
      sq_rest += value * value;
    }
    out[r] = 1.0 - (lane_sum(dot[r]) + dot_rest) / std::sqrt(lane_sum(sq[r]) + sq_rest);
  }
}

/// sq_distances_fixed, or cosine_distances_fixed if Cosine. A function, always inlined, rather than a
/// lambda: a lambda that the compiler did not inline (the sanitizer build) ran without the target's fused
/// multiply-adds, and its distances were no longer bitwise those of sq_distance_to_point.
template <bool Cosine, std::size_t R, class T>
[[gnu::always_inline]] inline void labelled_fixed(const T* x, std::size_t stride, const double* const* points,
                                                  std::size_t d, double* out) {
  if constexpr (Cosine) {
    cosine_distances_fixed<R>(x, stride, points, d, out);
  } else {
    sq_distances_fixed<R>(x, stride, points, d, out);
  }
}

/// Each row's distance to its labelled center (labelled_fixed), four rows at a time, then one by one.
template <bool Cosine, class T>
[[gnu::always_inline]] inline void distances_to_labelled_impl(const T* x, std::size_t stride, std::size_t count,
                                                              const double* centers, const std::int32_t* labels,
                                                              std::size_t d, double* out) {
  std::size_t r = 0;
  for (; r + 4 <= count; r += 4) {
    const double* points[4];
    for (std::size_t q = 0; q < 4; ++q) points[q] = centers + static_cast<std::size_t>(labels[r + q]) * d;
    labelled_fixed<Cosine, 4>(x + r * stride, stride, points, d, out + r);
  }
  for (; r < count; ++r) {
    const double* point = centers + static_cast<std::size_t>(labels[r]) * d;
    labelled_fixed<Cosine, 1>(x + r * stride, stride, &point, d, out + r);
  }
}

template <class T>
[[gnu::always_inline]] inline void sq_norms_impl(const T* x, std::size_t stride, std::size_t count, std::size_t d,
                                                 double* norms) {
  std::size_t r = 0;
  for (; r + 4 <= count; r += 4) sq_norms_fixed<4>(x + r * stride, stride, d, norms + r);
  for (; r < count; ++r) sq_norms_fixed<1>(x + r * stride, stride, d, norms + r);
}

template <class T>
[[gnu::always_inline]] inline void add_squared_deviation_impl(double* sum, const T* x, const double* mean,
                                                              std::size_t d) {
  for (std::size_t t = 0; t < d; ++t) {
    const double dev = static_cast<double>(x[t]) - mean[t];
    sum[t] += dev * dev;
  }
}

template <class T>
[[gnu::always_inline]] inline bool all_finite_impl(const T* x, std::size_t n) {
  // NaN and infinity are the values whose exponent bits are all ones. Tested
  // on the bits, as integers: floating compares with NaN do not vectorise
  // (they may trap), an integer "or" reduction does.
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  constexpr Bits exponent = sizeof(T) == 4 ? static_cast<Bits>(0x7f800000u) : static_cast<Bits>(0x7ff0000000000000ull);
  Bits bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Bits bits;
    std::memcpy(&bits, x + i, sizeof bits);
    bad |= static_cast<Bits>((bits & exponent) == exponent);
  }
  return bad == 0;
}

template <class T, bool Weighted>
[[gnu::always_inline]] inline void add_min_in_lanes_impl(double* partial, const T* a, const T* b, const double* weights,
                                                         std::size_t n) {
  constexpr std::size_t L = kMinSumLanes;
  std::size_t i = 0;
  for (; i + L <= n; i += L) {
    for (std::size_t l = 0; l < L; ++l) {
      const double v = static_cast<double>(std::min(a[i + l], b[i + l]));
      partial[l] += Weighted ? weights[i + l] * v : v;
    }
  }
  for (; i < n; ++i) {
    const double v = static_cast<double>(std::min(a[i], b[i]));
    partial[i % L] += Weighted ? weights[i] * v : v;
  }
}

template <class T>
[[gnu::always_inline]] inline void add_min_in_lanes_any(double* partial, const T* a, const T* b, const double* weights,
                                                        std::size_t n) {
  if (weights != nullptr) {
    add_min_in_lanes_impl<T, true>(partial, a, b, weights, n);
  } else {
    add_min_in_lanes_impl<T, false>(partial, a, b, nullptr, n);
  }
}

CENTRIX_DISPATCH void add_min_in_lanes_f32(double* partial, const float* a, const float* b, const double* weights,
                                           std::size_t n) {
  add_min_in_lanes_any(partial, a, b, weights, n);
}
CENTRIX_DISPATCH void add_min_in_lanes_f64(double* partial, const double* a, const double* b, const double* weights,
                                           std::size_t n) {
  add_min_in_lanes_any(partial, a, b, weights, n);
}

CENTRIX_DISPATCH void add_squared_deviation_f32(double* sum, const float* x, const double* mean, std::size_t d) {
  add_squared_deviation_impl(sum, x, mean, d);
}
CENTRIX_DISPATCH void add_squared_deviation_f64(double* sum, const double* x, const double* mean, std::size_t d) {
  add_squared_deviation_impl(sum, x, mean, d);
}
CENTRIX_DISPATCH bool all_finite_f32(const float* x, std::size_t n) {
  return all_finite_impl(x, n);
}
CENTRIX_DISPATCH bool all_finite_f64(const double* x, std::size_t n) {
  return all_finite_impl(x, n);
}

CENTRIX_DISPATCH void shift_rows_f32(const float* x, std::size_t stride, std::size_t count, const double* divisors,
                                     const double* o, std::size_t d, float* out, double* norms) {
  if (divisors != nullptr) return shift_rows_impl<true>(x, stride, count, divisors, o, d, out, norms);
  shift_rows_impl<false>(x, stride, count, divisors, o, d, out, norms);
}
CENTRIX_DISPATCH void shift_rows_f64(const double* x, std::size_t stride, std::size_t count, const double* divisors,
                                     const double* o, std::size_t d, double* out, double* norms) {
  if (divisors != nullptr) return shift_rows_impl<true>(x, stride, count, divisors, o, d, out, norms);
  shift_rows_impl<false>(x, stride, count, divisors, o, d, out, norms);
}
CENTRIX_DISPATCH void sq_norms_f32(const float* x, std::size_t stride, std::size_t count, std::size_t d,
                                   double* norms) {
  sq_norms_impl(x, stride, count, d, norms);
}
CENTRIX_DISPATCH void sq_norms_f64(const double* x, std::size_t stride, std::size_t count, std::size_t d,
                                   double* norms) {
  sq_norms_impl(x, stride, count, d, norms);
}
CENTRIX_DISPATCH void cosine_distances_to_labelled_f32(const float* x, std::size_t stride, std::size_t count,
                                                       const double* centers, const std::int32_t* labels, std::size_t d,
                                                       double* out) {
  distances_to_labelled_impl<true>(x, stride, count, centers, labels, d, out);
}
CENTRIX_DISPATCH void cosine_distances_to_labelled_f64(const double* x, std::size_t stride, std::size_t count,
                                                       const double* centers, const std::int32_t* labels, std::size_t d,
                                                       double* out) {
  distances_to_labelled_impl<true>(x, stride, count, centers, labels, d, out);
}
CENTRIX_DISPATCH void add_scaled_row_f32(double* sum, const float* x, double w, std::size_t d) {
  add_scaled_row_impl(sum, x, w, d);
}
CENTRIX_DISPATCH void add_scaled_row_f64(double* sum, const double* x, double w, std::size_t d) {
  add_scaled_row_impl(sum, x, w, d);
}
CENTRIX_DISPATCH void add_scaled_rows_f32(double* sum, const float* base, std::size_t stride, const std::size_t* rows,
                                          std::size_t count, const double* weights, std::size_t width) {
  add_scaled_rows_impl(sum, base, stride, rows, count, weights, width);
}
CENTRIX_DISPATCH void add_scaled_rows_f64(double* sum, const double* base, std::size_t stride, const std::size_t* rows,
                                          std::size_t count, const double* weights, std::size_t width) {
  add_scaled_rows_impl(sum, base, stride, rows, count, weights, width);
}
CENTRIX_DISPATCH double sq_distance_f32(const float* x, const double* point, std::size_t d) {
  double out;
  sq_distances_fixed<1>(x, 0, &point, d, &out);
  return out;
}
CENTRIX_DISPATCH double sq_distance_f64(const double* x, const double* point, std::size_t d) {
  double out;
  sq_distances_fixed<1>(x, 0, &point, d, &out);
  return out;
}
CENTRIX_DISPATCH void sq_distances_to_labelled_f32(const float* x, std::size_t stride, std::size_t count,
                                                   const double* centers, const std::int32_t* labels, std::size_t d,
                                                   double* out) {
  distances_to_labelled_impl<false>(x, stride, count, centers, labels, d, out);
}
CENTRIX_DISPATCH void sq_distances_to_labelled_f64(const double* x, std::size_t stride, std::size_t count,
                                                   const double* centers, const std::int32_t* labels, std::size_t d,
                                                   double* out) {
  distances_to_labelled_impl<false>(x, stride, count, centers, labels, d, out);
}

}  // namespace

template <>
void add_min_in_lanes<float>(double* partial, const float* a, const float* b, const double* weights, std::size_t n) {
  add_min_in_lanes_f32(partial, a, b, weights, n);
}
template <>
void add_min_in_lanes<double>(double* partial, const double* a, const double* b, const double* weights, std::size_t n) {
  add_min_in_lanes_f64(partial, a, b, weights, n);
}
template <>
void shift_rows<float>(const float* x, std::size_t stride, std::size_t count, const double* divisors,
                       const double* origin, std::size_t d, float* out, double* sq_norms) {
  shift_rows_f32(x, stride, count, divisors, origin, d, out, sq_norms);
}
template <>
void shift_rows<double>(const double* x, std::size_t stride, std::size_t count, const double* divisors,
                        const double* origin, std::size_t d, double* out, double* sq_norms) {
  shift_rows_f64(x, stride, count, divisors, origin, d, out, sq_norms);
}
template <>
void sq_distances_to_labelled<float>(const float* x, std::size_t stride, std::size_t count, const double* centers,
                                     const std::int32_t* labels, std::size_t d, double* out) {
  sq_distances_to_labelled_f32(x, stride, count, centers, labels, d, out);
}
template <>
void sq_distances_to_labelled<double>(const double* x, std::size_t stride, std::size_t count, const double* centers,
                                      const std::int32_t* labels, std::size_t d, double* out) {
  sq_distances_to_labelled_f64(x, stride, count, centers, labels, d, out);
}
template <>
void sq_norms<float>(const float* x, std::size_t stride, std::size_t count, std::size_t d, double* norms) {
  sq_norms_f32(x, stride, count, d, norms);
}
template <>
void sq_norms<double>(const double* x, std::size_t stride, std::size_t count, std::size_t d, double* norms) {
  sq_norms_f64(x, stride, count, d, norms);
}
template <>
void cosine_distances_to_labelled<float>(const float* x, std::size_t stride, std::size_t count, const double* centers,
                                         const std::int32_t* labels, std::size_t d, double* out) {
  cosine_distances_to_labelled_f32(x, stride, count, centers, labels, d, out);
}
template <>
void cosine_distances_to_labelled<double>(const double* x, std::size_t stride, std::size_t count, const double* centers,
                                          const std::int32_t* labels, std::size_t d, double* out) {
  cosine_distances_to_labelled_f64(x, stride, count, centers, labels, d, out);
}
template <>
void add_scaled_row_dispatched<float>(double* sum, const float* x, double w, std::size_t d) {
  add_scaled_row_f32(sum, x, w, d);
}
template <>
void add_scaled_row_dispatched<double>(double* sum, const double* x, double w, std::size_t d) {
  add_scaled_row_f64(sum, x, w, d);
}
template <>
void add_scaled_rows<float>(double* sum, const float* base, std::size_t stride, const std::size_t* rows,
                            std::size_t count, const double* weights, std::size_t width) {
  add_scaled_rows_f32(sum, base, stride, rows, count, weights, width);
}
template <>
void add_scaled_rows<double>(double* sum, const double* base, std::size_t stride, const std::size_t* rows,
                             std::size_t count, const double* weights, std::size_t width) {
  add_scaled_rows_f64(sum, base, stride, rows, count, weights, width);
}
template <>
double sq_distance_to_point<float>(const float* x, const double* point, std::size_t d) {
  return sq_distance_f32(x, point, d);
}
template <>
double sq_distance_to_point<double>(const double* x, const double* point, std::size_t d) {
  return sq_distance_f64(x, point, d);
}

template <>
void add_squared_deviation<float>(double* sum, const float* x, const double* mean, std::size_t d) {
  add_squared_deviation_f32(sum, x, mean, d);
}
template <>
void add_squared_deviation<double>(double* sum, const double* x, const double* mean, std::size_t d) {
  add_squared_deviation_f64(sum, x, mean, d);
}
template <>
bool all_finite<float>(const float* x, std::size_t n) {
  return all_finite_f32(x, n);
}
template <>
bool all_finite<double>(const double* x, std::size_t n) {
  return all_finite_f64(x, n);
}

}  // namespace centrix::kernels
