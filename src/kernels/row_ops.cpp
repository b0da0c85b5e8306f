#include "kernels/row_ops.hpp"

#include <algorithm>
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

template <class T>
[[gnu::always_inline]] inline double shift_row_impl(const T* x, const double* origin, std::size_t d, T* out) {
  Lanes8 acc = {};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
    Lanes8 xv;
    Lanes8 ov;
    load8(x + t, xv);
    load8(origin + t, ov);
    const Lanes8Of<T> shifted = __builtin_convertvector(xv - ov, Lanes8Of<T>);
    std::memcpy(out + t, &shifted, sizeof shifted);
    Lanes8 v;
    widen(shifted, v);
    acc += v * v;
  }
  double rest = 0;
  for (; t < d; ++t) {
    out[t] = static_cast<T>(static_cast<double>(x[t]) - origin[t]);
    rest += static_cast<double>(out[t]) * static_cast<double>(out[t]);
  }
  return lane_sum(acc) + rest;
}

template <class T>
[[gnu::always_inline]] inline double divide_shift_row_impl(const T* x, double divisor, const double* origin,
                                                           std::size_t d, T* out) {
  // Divided, not multiplied by a reciprocal: the reference rounds the same way.
  Lanes8 acc = {};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
    Lanes8 xv;
    Lanes8 ov;
    load8(x + t, xv);
    load8(origin + t, ov);
    const Lanes8Of<T> scaled = __builtin_convertvector(xv / divisor - ov, Lanes8Of<T>);
    std::memcpy(out + t, &scaled, sizeof scaled);
    Lanes8 v;
    widen(scaled, v);
    acc += v * v;
  }
  double rest = 0;
  for (; t < d; ++t) {
    out[t] = static_cast<T>(static_cast<double>(x[t]) / divisor - origin[t]);
    rest += static_cast<double>(out[t]) * static_cast<double>(out[t]);
  }
  return lane_sum(acc) + rest;
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

template <class T>
[[gnu::always_inline]] inline double sq_distance_impl(const T* x, const double* point, std::size_t d) {
  Lanes8 acc = {};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
    Lanes8 xv;
    Lanes8 pv;
    load8(x + t, xv);
    load8(point + t, pv);
    const Lanes8 diff = xv - pv;
    acc += diff * diff;
  }
  double rest = 0;
  for (; t < d; ++t) {
    const double diff = static_cast<double>(x[t]) - point[t];
    rest += diff * diff;
  }
  return lane_sum(acc) + rest;
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

CENTRIX_DISPATCH double shift_row_f32(const float* x, const double* o, std::size_t d, float* out) {
  return shift_row_impl(x, o, d, out);
}
CENTRIX_DISPATCH double shift_row_f64(const double* x, const double* o, std::size_t d, double* out) {
  return shift_row_impl(x, o, d, out);
}
CENTRIX_DISPATCH double divide_shift_row_f32(const float* x, double divisor, const double* o, std::size_t d,
                                             float* out) {
  return divide_shift_row_impl(x, divisor, o, d, out);
}
CENTRIX_DISPATCH double divide_shift_row_f64(const double* x, double divisor, const double* o, std::size_t d,
                                             double* out) {
  return divide_shift_row_impl(x, divisor, o, d, out);
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
  return sq_distance_impl(x, point, d);
}
CENTRIX_DISPATCH double sq_distance_f64(const double* x, const double* point, std::size_t d) {
  return sq_distance_impl(x, point, d);
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
double shift_row<float>(const float* x, const double* origin, std::size_t d, float* out) {
  return shift_row_f32(x, origin, d, out);
}
template <>
double shift_row<double>(const double* x, const double* origin, std::size_t d, double* out) {
  return shift_row_f64(x, origin, d, out);
}
template <>
double divide_shift_row<float>(const float* x, double divisor, const double* origin, std::size_t d, float* out) {
  return divide_shift_row_f32(x, divisor, origin, d, out);
}
template <>
double divide_shift_row<double>(const double* x, double divisor, const double* origin, std::size_t d, double* out) {
  return divide_shift_row_f64(x, divisor, origin, d, out);
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
