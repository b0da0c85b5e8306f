#include "kernels/row_ops.hpp"

#include "kernels/dispatch.hpp"

namespace centrix::kernels {
namespace {

/// Sum of f(t)^2 for t < d over eight interleaved partial sums, combined pairwise.
template <class F>
[[gnu::always_inline]] inline double sum_of_squares(std::size_t d, F&& f) {
  double acc[8] = {};
  std::size_t t = 0;
  for (; t + 8 <= d; t += 8) {
    for (std::size_t u = 0; u < 8; ++u) {
      const double v = f(t + u);
      acc[u] += v * v;
    }
  }
  for (std::size_t u = 0; t < d; ++t, ++u) {
    const double v = f(t);
    acc[u] += v * v;
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

template <class T>
[[gnu::always_inline]] inline double shift_row_impl(const T* x, const double* origin, std::size_t d, T* out) {
  for (std::size_t t = 0; t < d; ++t) out[t] = static_cast<T>(static_cast<double>(x[t]) - origin[t]);
  return sum_of_squares(d, [&](std::size_t t) { return static_cast<double>(out[t]); });
}

template <class T>
[[gnu::always_inline]] inline double divide_row_impl(const T* x, double divisor, std::size_t d, T* out) {
  // Divided, not multiplied by a reciprocal: the reference rounds the same way.
  for (std::size_t t = 0; t < d; ++t) out[t] = static_cast<T>(static_cast<double>(x[t]) / divisor);
  return sum_of_squares(d, [&](std::size_t t) { return static_cast<double>(out[t]); });
}

template <class T>
[[gnu::always_inline]] inline void add_scaled_row_impl(double* sum, const T* x, double w, std::size_t d) {
  for (std::size_t t = 0; t < d; ++t) sum[t] += w * static_cast<double>(x[t]);
}

template <class T>
[[gnu::always_inline]] inline double sq_distance_impl(const T* x, const double* point, std::size_t d) {
  return sum_of_squares(d, [&](std::size_t t) { return static_cast<double>(x[t]) - point[t]; });
}

CENTRIX_DISPATCH double shift_row_f32(const float* x, const double* o, std::size_t d, float* out) {
  return shift_row_impl(x, o, d, out);
}
CENTRIX_DISPATCH double shift_row_f64(const double* x, const double* o, std::size_t d, double* out) {
  return shift_row_impl(x, o, d, out);
}
CENTRIX_DISPATCH double divide_row_f32(const float* x, double divisor, std::size_t d, float* out) {
  return divide_row_impl(x, divisor, d, out);
}
CENTRIX_DISPATCH double divide_row_f64(const double* x, double divisor, std::size_t d, double* out) {
  return divide_row_impl(x, divisor, d, out);
}
CENTRIX_DISPATCH void add_scaled_row_f32(double* sum, const float* x, double w, std::size_t d) {
  add_scaled_row_impl(sum, x, w, d);
}
CENTRIX_DISPATCH void add_scaled_row_f64(double* sum, const double* x, double w, std::size_t d) {
  add_scaled_row_impl(sum, x, w, d);
}
CENTRIX_DISPATCH double sq_distance_f32(const float* x, const double* point, std::size_t d) {
  return sq_distance_impl(x, point, d);
}
CENTRIX_DISPATCH double sq_distance_f64(const double* x, const double* point, std::size_t d) {
  return sq_distance_impl(x, point, d);
}

}  // namespace

template <>
double shift_row<float>(const float* x, const double* origin, std::size_t d, float* out) {
  return shift_row_f32(x, origin, d, out);
}
template <>
double shift_row<double>(const double* x, const double* origin, std::size_t d, double* out) {
  return shift_row_f64(x, origin, d, out);
}
template <>
double divide_row<float>(const float* x, double divisor, std::size_t d, float* out) {
  return divide_row_f32(x, divisor, d, out);
}
template <>
double divide_row<double>(const double* x, double divisor, std::size_t d, double* out) {
  return divide_row_f64(x, divisor, d, out);
}
template <>
void add_scaled_row<float>(double* sum, const float* x, double w, std::size_t d) {
  add_scaled_row_f32(sum, x, w, d);
}
template <>
void add_scaled_row<double>(double* sum, const double* x, double w, std::size_t d) {
  add_scaled_row_f64(sum, x, w, d);
}
template <>
double sq_distance_to_point<float>(const float* x, const double* point, std::size_t d) {
  return sq_distance_f32(x, point, d);
}
template <>
double sq_distance_to_point<double>(const double* x, const double* point, std::size_t d) {
  return sq_distance_f64(x, point, d);
}

}  // namespace centrix::kernels
