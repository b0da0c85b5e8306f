#include "kernels/nearest.hpp"

#include "kernels/dispatch.hpp"

#include <algorithm>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <limits>
#include <type_traits>

namespace centrix::kernels {

template <class T>
template <class S>
void ColumnPanel<T>::assign(const S* columns, std::size_t k_, std::size_t d_) {
  k = k_;
  d = d_;
  constexpr std::size_t w = kColumnTile<T>;
  k_padded = (k + w - 1) / w * w;
  row_major.resize(k * d);
  std::transform(columns, columns + k * d, row_major.begin(), [](S v) { return static_cast<T>(v); });
  // Each column's squared norm in double, in coordinate order; four columns side by side so that their add
  // chains overlap (one at a time, workshop's 26 x 26 panel took ~2 us of every iteration, all serial).
  sq_norms.assign(k_padded, T{0});
  const auto norms = [&]<std::size_t C>(std::size_t j) {
    double norm[C] = {};
    for (std::size_t t = 0; t < d; ++t) {
      for (std::size_t c = 0; c < C; ++c) {
        const double v = static_cast<double>(row_major[(j + c) * d + t]);
        norm[c] += v * v;
      }
    }
    for (std::size_t c = 0; c < C; ++c) sq_norms[j + c] = static_cast<T>(norm[c]);
  };
  std::size_t j = 0;
  for (; j + 4 <= k; j += 4) norms.template operator()<4>(j);
  for (; j < k; ++j) norms.template operator()<1>(j);
  bias.assign(k_padded, std::numeric_limits<T>::infinity());
  std::fill_n(bias.begin(), k, T{0});
  // The slabs, one tile of w columns at a time; the last tile's padding columns are 0. Zeroed with one fill
  // per slab: a fill of the padding of every coordinate became a `rep stos` each, whose start-up cost most
  // of the panel's time (k = 5, d = 100: ~1 us of every iteration, serial).
  slabs.resize(d * k_padded);
  for (std::size_t tile = 0; tile < k_padded / w; ++tile) {
    T* slab = slabs.data() + tile * d * w;
    const std::size_t live = std::min(w, k - tile * w);
    if (live < w) std::fill_n(slab, d * w, T{0});
    for (std::size_t t = 0; t < d; ++t) {
      const T* from = row_major.data() + tile * w * d + t;
      for (std::size_t c = 0; c < live; ++c) slab[t * w + c] = from[c * d];
    }
  }
  if constexpr (std::is_same_v<T, float>) {
    build_filter_columns(*this, filter);  // empty where the filter does not pay
  }
}

namespace {

#if defined(__x86_64__) && defined(__GNUC__)
#define CENTRIX_TRANSPOSE_AVX512 1
// GCC 12 reports the undefined first operand its own unpack and shuffle
// intrinsics pass to the masked builtins as uninitialised.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
/// 16 rows (stride `stride`) x 16 coordinates of floats into 16 lines of 16
/// (coordinate-major) at `out`, line stride 16: the unpack / shuffle /
/// 128-bit-block network of a 16 x 16 transpose, 64 shuffles in all.
[[gnu::target("avx512f")]] void transpose_16x16(const float* x, std::size_t stride, float* out) {
  __m512 r[16];
  __m512 t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(x + i * stride);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int h = 0; h < 16; h += 8) {
    for (int i = 0; i < 4; ++i) {
      t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
      t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xDD);
    }
  }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  }
  for (int i = 0; i < 16; ++i) _mm512_storeu_ps(out + i * 16, r[i]);
}
#pragma GCC diagnostic pop
#endif

/// Coordinates [t0, d) of one tile of `live` rows, element by element; the
/// rows after them zero.
template <class T>
void tile_columns(const T* x, std::size_t live, std::size_t d, std::size_t t0, T* tile) {
  constexpr std::size_t W = kLaneTile<T>;
  for (std::size_t t = t0; t < d; ++t) {
    for (std::size_t r = 0; r < W; ++r) tile[t * W + r] = r < live ? x[r * d + t] : T{0};
  }
}

}  // namespace

template <class T>
void to_lane_tiles(const T* rows, std::size_t n_rows, std::size_t d, T* tiles) {
  constexpr std::size_t W = kLaneTile<T>;
#ifdef CENTRIX_TRANSPOSE_AVX512
  // The element loop took 1.6 cycles per value: as long as the fit's first pass.
  static const bool avx512 = __builtin_cpu_supports("avx512f");
#endif
  for (std::size_t g = 0; g * W < n_rows; ++g) {
    T* tile = tiles + g * d * W;
    const T* x = rows + g * W * d;
    const std::size_t live = std::min(W, n_rows - g * W);
    std::size_t t = 0;
#ifdef CENTRIX_TRANSPOSE_AVX512
    if constexpr (std::is_same_v<T, float>) {
      if (avx512 && live == W) {
        for (; t + 16 <= d; t += 16) transpose_16x16(x + t, d, tile + t * W);
      }
    }
#endif
    tile_columns(x, live, d, t, tile);
  }
}

template void to_lane_tiles(const float*, std::size_t, std::size_t, float*);
template void to_lane_tiles(const double*, std::size_t, std::size_t, double*);

template struct ColumnPanel<float>;
template struct ColumnPanel<double>;
template void ColumnPanel<float>::assign(const float*, std::size_t, std::size_t);
template void ColumnPanel<float>::assign(const double*, std::size_t, std::size_t);
template void ColumnPanel<double>::assign(const double*, std::size_t, std::size_t);
template void ColumnPanel<double>::assign(const float*, std::size_t, std::size_t);

namespace {

/// Rows handled together: each column tile loaded from the panel is reused R times.
constexpr std::size_t kRowTile = 4;

/// The register-tiled loop shared by every kernel. For each group of
/// kRowTile rows and each tile of W columns it accumulates the distances in a
/// kRowTile x W block of registers, then hands the finished block to `sink`.
template <class T, DistanceForm Form, class Sink>
[[gnu::always_inline]] inline void tiled_distances(const T* rows, std::size_t n_rows, const T* row_sq_norms,
                                                   const ColumnPanel<T>& panel, Sink&& sink) {
  constexpr std::size_t R = kRowTile;
  constexpr std::size_t W = kColumnTile<T>;
  const std::size_t d = panel.d;
  const std::size_t kp = panel.k_padded;
  for (std::size_t i = 0; i < n_rows; i += R) {
    const std::size_t live = std::min(R, n_rows - i);
    const T* x[R];
    T x_norm[R];
    for (std::size_t r = 0; r < R; ++r) {
      // A short last group repeats its last row so the loop body stays uniform.
      const std::size_t row = i + std::min(r, live - 1);
      x[r] = rows + row * d;
      x_norm[r] = Form == DistanceForm::Expanded ? row_sq_norms[row] : T{0};
    }
    sink.begin_rows(i, live);
    for (std::size_t j0 = 0; j0 < kp; j0 += W) {
      T acc[R][W] = {};
      const T* slab = panel.columns_from(j0);
      for (std::size_t t = 0; t < d; ++t) {
        const T* c = slab + t * W;
        for (std::size_t r = 0; r < R; ++r) {
          const T xv = x[r][t];
#pragma omp simd
          for (std::size_t w = 0; w < W; ++w) {
            if constexpr (Form == DistanceForm::Direct) {
              const T diff = xv - c[w];
              acc[r][w] += diff * diff;
            } else {
              acc[r][w] += xv * c[w];
            }
          }
        }
      }
      const T* bias = panel.bias.data() + j0;
      const T* c_norm = panel.sq_norms.data() + j0;
      for (std::size_t r = 0; r < R; ++r) {
#pragma omp simd
        for (std::size_t w = 0; w < W; ++w) {
          if constexpr (Form == DistanceForm::Direct) {
            acc[r][w] += bias[w];
          } else {
            acc[r][w] = std::max(T{0}, x_norm[r] + c_norm[w] - T{2} * acc[r][w]) + bias[w];
          }
        }
      }
      sink.tile(j0, acc);
    }
    sink.end_rows();
  }
}

/// Writes every distance of the live rows to a row-major output.
template <class T>
struct AllDistancesSink {
  static constexpr std::size_t R = kRowTile;
  static constexpr std::size_t W = kColumnTile<T>;
  T* out;
  std::size_t out_stride;
  std::size_t k;
  std::size_t first = 0;
  std::size_t live = 0;

  void begin_rows(std::size_t i, std::size_t n_live) {
    first = i;
    live = n_live;
  }
  void tile(std::size_t j0, const T (&acc)[R][W]) {
    const std::size_t w_end = std::min(W, k - j0);
    for (std::size_t r = 0; r < live; ++r) {
      T* dst = out + (first + r) * out_stride + j0;
      for (std::size_t w = 0; w < w_end; ++w) dst[w] = acc[r][w];
    }
  }
  void end_rows() {}
};

template <class T>
[[gnu::always_inline]] inline void all_distances_impl(const T* rows, std::size_t n_rows, const T* row_sq_norms,
                                                      const ColumnPanel<T>& panel, DistanceForm form, T* out,
                                                      std::size_t out_stride) {
  if (n_rows == 0 || panel.k == 0) return;
  AllDistancesSink<T> sink{out, out_stride, panel.k};
  if (form == DistanceForm::Direct) {
    tiled_distances<T, DistanceForm::Direct>(rows, n_rows, row_sq_norms, panel, sink);
  } else {
    tiled_distances<T, DistanceForm::Expanded>(rows, n_rows, row_sq_norms, panel, sink);
  }
}

CENTRIX_DISPATCH void all_distances_f32(const float* rows, std::size_t n_rows, const float* norms,
                                        const ColumnPanel<float>& panel, DistanceForm form, float* out,
                                        std::size_t out_stride) {
  all_distances_impl(rows, n_rows, norms, panel, form, out, out_stride);
}
CENTRIX_DISPATCH void all_distances_f64(const double* rows, std::size_t n_rows, const double* norms,
                                        const ColumnPanel<double>& panel, DistanceForm form, double* out,
                                        std::size_t out_stride) {
  all_distances_impl(rows, n_rows, norms, panel, form, out, out_stride);
}

}  // namespace

template <>
void all_distances<float>(const float* rows, std::size_t n_rows, const float* row_sq_norms,
                          const ColumnPanel<float>& panel, DistanceForm form, float* out, std::size_t out_stride) {
  all_distances_f32(rows, n_rows, row_sq_norms, panel, form, out, out_stride);
}
template <>
void all_distances<double>(const double* rows, std::size_t n_rows, const double* row_sq_norms,
                           const ColumnPanel<double>& panel, DistanceForm form, double* out, std::size_t out_stride) {
  all_distances_f64(rows, n_rows, row_sq_norms, panel, form, out, out_stride);
}

}  // namespace centrix::kernels
