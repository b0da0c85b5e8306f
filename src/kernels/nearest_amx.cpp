#include "kernels/nearest_amx.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/nearest.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(CENTRIX_NO_AMX)
#define CENTRIX_AMX 1
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace centrix::kernels {

namespace {

std::atomic<bool> filter_enabled{true};

/// The filter pays where a row's k columns cost far more than converting the
/// row and refining one or two candidate columns: measured on keops-large's
/// shape (k = 1000, d = 100: 1.9x) and mid (k = 256, d = 64: 1.2x); it is
/// not used below k = 64 or d = 32, where the float32 kernel's rows are short.
constexpr std::size_t kMinColumns = 64;
constexpr std::size_t kMinDim = 32;
constexpr std::size_t kMinColumnsWithRunnerUp = 512;

#ifdef CENTRIX_AMX

/// CPUID says AMX-BF16, AMX-TILE and AVX512-BF16, and Linux grants the tile
/// data state (arch_prctl ARCH_REQ_XCOMP_PERM, Linux 5.16+).
bool detect_amx() {
  unsigned a = 0;
  unsigned b = 0;
  unsigned c = 0;
  unsigned d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  const bool amx_bf16 = (d >> 22) & 1U;
  const bool amx_tile = (d >> 24) & 1U;
  const bool avx512f = (b >> 16) & 1U;
  const bool avx512bw = (b >> 30) & 1U;
  __cpuid_count(7, 1, a, b, c, d);
  const bool avx512_bf16 = (a >> 5) & 1U;
  if (!(amx_bf16 && amx_tile && avx512f && avx512bw && avx512_bf16)) return false;
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
}

#pragma GCC push_options
#pragma GCC target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16,fma")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() as the unused merge
// source, which -Wmaybe-uninitialized reports at every inlined call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/// The tile configuration: tiles 0-3 hold 16 x 16 float32 sums, 4-5 two
/// 16-row slices of rows (16 x 32 bfloat16), 6-7 two blocks of columns.
struct alignas(64) TileConfig {
  std::uint8_t palette = 1;
  std::uint8_t start_row = 0;
  std::uint8_t reserved[14] = {};
  std::uint16_t bytes_per_row[16] = {};
  std::uint8_t rows[16] = {};
};

/// x rounded to bfloat16 (round to nearest even), for the panel.
std::uint16_t to_bf16(float x) {
  const __m512 v = _mm512_set1_ps(x);
  const __m256bh h = _mm512_cvtneps_pbh(v);
  std::uint16_t out[16];
  std::memcpy(out, &h, sizeof out);
  return out[0];
}

/// bfloat16 values back to float32 (exact: the high half of the bits).
__m512 widen_bf16(__m256i h) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/// Adds the squares of v's 16 lanes to sum, in double.
void add_squares(__m512 v, __m512d& sum) {
  const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
  const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  sum = _mm512_fmadd_pd(lo, lo, sum);
  sum = _mm512_fmadd_pd(hi, hi, sum);
}

/// What rounding a row to bfloat16 did: ||x - bf16(x)|| and ||bf16(x)||.
struct RowRounding {
  double error;
  double norm;
};

/// One row of `d` floats to `chunks` * 32 bfloat16 values, zero padded.
RowRounding row_to_bf16(const float* x, std::size_t d, std::size_t chunks, std::uint16_t* out) {
  __m512d error = _mm512_setzero_pd();
  __m512d norm = _mm512_setzero_pd();
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t t = c * 32;
    const std::size_t left = d > t ? d - t : 0;
    const auto mask_lo = static_cast<__mmask16>(left >= 16 ? 0xffffU : (1U << left) - 1U);
    const std::size_t left_hi = left > 16 ? left - 16 : 0;
    const auto mask_hi = static_cast<__mmask16>(left_hi >= 16 ? 0xffffU : (1U << left_hi) - 1U);
    const __m512 lo = _mm512_maskz_loadu_ps(mask_lo, x + t);
    const __m512 hi = _mm512_maskz_loadu_ps(mask_hi, x + t + 16);
    const auto both = reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(hi, lo));  // lo in the low half
    _mm512_storeu_si512(out + t, both);
    const __m512 lo_rounded = widen_bf16(_mm512_castsi512_si256(both));
    const __m512 hi_rounded = widen_bf16(_mm512_extracti64x4_epi64(both, 1));
    // x - bf16(x) is exact in float32 (the two agree in their leading bits).
    add_squares(_mm512_sub_ps(lo, lo_rounded), error);
    add_squares(_mm512_sub_ps(hi, hi_rounded), error);
    add_squares(lo_rounded, norm);
    add_squares(hi_rounded, norm);
  }
  // Sums of at most a few thousand squares in double: 1e-9 covers their rounding.
  return {std::sqrt(_mm512_reduce_add_pd(error) * (1 + 1e-9)), std::sqrt(_mm512_reduce_add_pd(norm) * (1 + 1e-9))};
}

void fill_bf16_columns(const ColumnPanel<float>& panel, Bf16Columns& out) {
  const std::size_t k = panel.k;
  const std::size_t d = panel.d;
  out.chunks = (d + 31) / 32;
  out.k_blocks = (k + 31) / 32 * 2;
  out.tiles.assign(out.k_blocks * out.chunks * 512, 0);
  out.columns.assign(k * d, 0.0F);
  double max_sq = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const float* column = panel.columns_from(j);
    const std::size_t block = j / 16;
    const std::size_t col = j % 16;
    double rounding = 0;
    double rounded_sq_norm = 0;
    for (std::size_t t = 0; t < d; ++t) {
      const float v = column[t * ColumnPanel<float>::kSlabStride];
      out.columns[j * d + t] = v;
      const std::uint16_t half = to_bf16(v);
      std::uint16_t* tile = out.tiles.data() + (block * out.chunks + t / 32) * 512;
      tile[(t % 32) / 2 * 32 + col * 2 + t % 2] = half;  // VNNI: coordinate pairs side by side
      const std::uint32_t bits = static_cast<std::uint32_t>(half) << 16;
      float rounded;
      std::memcpy(&rounded, &bits, sizeof rounded);
      rounding += (static_cast<double>(v) - rounded) * (static_cast<double>(v) - rounded);
      rounded_sq_norm += static_cast<double>(rounded) * rounded;
    }
    out.max_rounding = std::max(out.max_rounding, std::sqrt(rounding));
    out.max_bf16_norm = std::max(out.max_bf16_norm, std::sqrt(rounded_sq_norm));
    max_sq = std::max(max_sq, static_cast<double>(panel.sq_norms[j]));
  }
  // sq_norms are float32 roundings of double sums: pad by a relative 1e-6.
  out.max_sq_norm = max_sq * (1 + 1e-6);
  out.max_norm = std::sqrt(out.max_sq_norm) * (1 + 1e-6);
  out.max_rounding *= 1 + 1e-6;
  out.max_bf16_norm *= 1 + 1e-6;
}

/// gamma_n of Higham: the relative error bound of n float32 roundings in a row.
double gamma(double n) {
  constexpr double u = 0x1p-24;
  return n * u / (1 - n * u);
}

/// Exact distances for `Side` candidate (row, column) pairs from `p`, with
/// the float32 kernel's arithmetic: per column one chain of fused
/// multiply-adds over the coordinates in order (a lane of the vector kernel),
/// then max(0, -2 acc + (||x||^2 + ||c||^2)). Side chains run side by side so
/// they overlap instead of waiting on each other.
template <std::size_t Side>
void exact_distances(const float* rows, std::size_t d, const float* row_sq_norms, const float* columns,
                     const float* col_sq_norms, const std::uint32_t* pair_row, const std::uint32_t* pair_col,
                     std::size_t p, float* out) {
  const float* x[Side];
  const float* c[Side];
  float acc[Side];
  for (std::size_t q = 0; q < Side; ++q) {
    x[q] = rows + pair_row[p + q] * d;
    c[q] = columns + pair_col[p + q] * d;
    acc[q] = 0.0F;
  }
  for (std::size_t t = 0; t < d; ++t) {
#pragma GCC unroll 8
    for (std::size_t q = 0; q < Side; ++q) acc[q] = __builtin_fmaf(x[q][t], c[q][t], acc[q]);
  }
  for (std::size_t q = 0; q < Side; ++q) {
    const float v = __builtin_fmaf(-2.0F, acc[q], row_sq_norms[pair_row[p + q]] + col_sq_norms[pair_col[p + q]]);
    out[p + q] = 0.0F > v ? 0.0F : v;  // as vmaxps(0, v): -0 stays -0
  }
}

void nearest_amx(const float* rows, std::size_t n_rows, const float* row_sq_norms, const ColumnPanel<float>& panel,
                 std::int32_t* best, float* best_dist, float* second_dist) {
  const Bf16Columns& cols = panel.bf16;
  const std::size_t d = panel.d;
  const std::size_t chunks = cols.chunks;
  const std::size_t row_stride = chunks * 32;    // bfloat16 values per converted row
  const std::size_t width = cols.k_blocks * 16;  // approximate distances per row
  // Rows of approximate distances 16 floats longer than needed: at k = 1000 a
  // stride of exactly 4 KiB put a stored tile's 16 rows in one L1 set.
  const std::size_t approx_stride = width + 16;
  const std::size_t padded_rows = (n_rows + 31) / 32 * 32;
  thread_local std::vector<std::uint16_t> converted;
  thread_local std::vector<float> approx;
  thread_local std::vector<std::uint32_t> pair_row;
  thread_local std::vector<std::uint32_t> pair_col;
  thread_local std::vector<float> pair_dist;
  converted.resize(padded_rows * row_stride);
  std::fill(converted.begin() + static_cast<std::ptrdiff_t>(n_rows * row_stride), converted.end(), std::uint16_t{0});
  approx.resize(32 * approx_stride);
  thread_local std::vector<RowRounding> rounding;
  rounding.resize(n_rows);
  for (std::size_t i = 0; i < n_rows; ++i) {
    rounding[i] = row_to_bf16(rows + i * d, d, chunks, converted.data() + i * row_stride);
  }

  // The error band, in the float32 kernel's terms (see the header). With
  // u = 2^-24, x~ and c~ the rows and columns rounded to bfloat16:
  //  - x.c - x~.c~ = x.(c - c~) + (x - x~).c~, so by Cauchy-Schwarz the
  //    rounding moves the dot product by at most ||x|| ||c - c~|| +
  //    ||x - x~|| ||c~|| (both rounding errors are measured, per row and for
  //    the worst column: about half of the worst case 2^-7 ||x|| ||c||);
  //  - the tile unit's dp float32 additions of exact products add at most
  //    gamma_dp ||x~|| ||c~||, and forming ||c||^2 - 2 x~.c~ rounds once more:
  //    in all the approximate distance is off by at most E_a;
  //  - the float32 kernel's distance (a chain of d fused multiply-adds, then
  //    ||x||^2 + ||c||^2 and one more multiply-add) is off by at most e_f.
  // A column farther than min + 2 E_a + 2 e_f (+ a margin that keeps it
  // above 0, where the clamp could tie) is farther in the kernel's arithmetic
  // than the approximate nearest, so it cannot be the kernel's answer.
  const double u = 0x1p-24;
  const double gamma_dp = 1.01 * gamma(static_cast<double>(row_stride));
  const double cmax = cols.max_norm;
  const double cn_max = cols.max_sq_norm;
  // Subnormal inputs and results are flushed to zero by the tile unit: at most
  // 2^-126 per term and per addition.
  const double flush = static_cast<double>(row_stride) * 0x1p-125;

  TileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.bytes_per_row[t] = 64;
    config.rows[t] = 16;
  }
  _tile_loadconfig(&config);
  const std::size_t a_stride = row_stride * sizeof(std::uint16_t);
  const std::size_t out_stride = approx_stride * sizeof(float);
  const __m512 infinity = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  const __m512 minus_two = _mm512_set1_ps(-2.0F);
  const __m512i lane_index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  std::size_t n_pairs = 0;
  for (std::size_t r0 = 0; r0 < padded_rows; r0 += 32) {
    const std::uint16_t* a0 = converted.data() + r0 * row_stride;
    const std::uint16_t* a1 = a0 + 16 * row_stride;
    // Per row and lane, the smallest and second smallest approximate
    // distance so far (the second only if a runner-up is asked for).
    __m512 lowest[32];
    __m512 second[32];
    for (std::size_t r = 0; r < 32; ++r) lowest[r] = second[r] = infinity;
    for (std::size_t block = 0; block < cols.k_blocks; block += 2) {
      _tile_zero(0);
      _tile_zero(1);
      _tile_zero(2);
      _tile_zero(3);
      const std::uint16_t* b0 = cols.tiles.data() + block * chunks * 512;
      const std::uint16_t* b1 = b0 + chunks * 512;
      for (std::size_t c = 0; c < chunks; ++c) {
        _tile_loadd(4, a0 + c * 32, a_stride);
        _tile_loadd(6, b0 + c * 512, 64);
        _tile_dpbf16ps(0, 4, 6);
        _tile_loadd(7, b1 + c * 512, 64);
        _tile_dpbf16ps(1, 4, 7);
        _tile_loadd(5, a1 + c * 32, a_stride);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
      }
      float* out = approx.data() + block * 16;
      _tile_stored(0, out, out_stride);
      _tile_stored(1, out + 16, out_stride);
      _tile_stored(2, out + 16 * approx_stride, out_stride);
      _tile_stored(3, out + 16 * approx_stride + 16, out_stride);
      // While the 32 x 32 sums are in L1: the approximate ||c||^2 - 2 x.c
      // (||x||^2 is the same for every column), stored back, and the minima.
      // ||c||^2, and +infinity for padding columns (their bias), so they are never candidates.
      const float* sq_norms = panel.sq_norms.data() + block * 16;
      const float* bias = panel.bias.data() + block * 16;
      const __m512 norms0 = _mm512_add_ps(_mm512_loadu_ps(sq_norms), _mm512_loadu_ps(bias));
      const __m512 norms1 = _mm512_add_ps(_mm512_loadu_ps(sq_norms + 16), _mm512_loadu_ps(bias + 16));
      for (std::size_t r = 0; r < 32; ++r) {
        float* a = out + r * approx_stride;
        const __m512 v0 = _mm512_fmadd_ps(minus_two, _mm512_loadu_ps(a), norms0);
        const __m512 v1 = _mm512_fmadd_ps(minus_two, _mm512_loadu_ps(a + 16), norms1);
        _mm512_storeu_ps(a, v0);
        _mm512_storeu_ps(a + 16, v1);
        if (second_dist != nullptr) {
          second[r] = _mm512_min_ps(second[r], _mm512_max_ps(lowest[r], v0));
          lowest[r] = _mm512_min_ps(lowest[r], v0);
          second[r] = _mm512_min_ps(second[r], _mm512_max_ps(lowest[r], v1));
          lowest[r] = _mm512_min_ps(lowest[r], v1);
        } else {
          lowest[r] = _mm512_min_ps(lowest[r], _mm512_min_ps(v0, v1));
        }
      }
    }
    const std::size_t live = std::min<std::size_t>(32, n_rows > r0 ? n_rows - r0 : 0);
    for (std::size_t r = 0; r < live; ++r) {
      const std::size_t i = r0 + r;
      const float* a = approx.data() + r * approx_stride;
      // The smallest approximate distance, or with a runner-up asked for the
      // second smallest (the two smallest lanes, or a lane's second).
      float reference = _mm512_reduce_min_ps(lowest[r]);
      if (second_dist != nullptr) {
        float lanes[16];
        _mm512_storeu_ps(lanes, lowest[r]);
        std::partial_sort(lanes, lanes + 2, lanes + 16);
        reference = std::min(lanes[1], _mm512_reduce_min_ps(second[r]));
      }
      const double xn = row_sq_norms[i];
      const double xnorm = std::sqrt(xn) * (1 + 1e-6);
      const double rounded_norm = rounding[i].norm;
      const double dot_error = (xnorm * cols.max_rounding + rounding[i].error * cols.max_bf16_norm) * (1 + 1e-6) +
                               gamma_dp * rounded_norm * cols.max_bf16_norm;
      const double e_a = 2 * dot_error + u * (cn_max + 2 * rounded_norm * cols.max_bf16_norm * (1 + gamma_dp)) +
                         flush * (1 + xnorm + cmax + cols.max_bf16_norm);
      const double e_f = 2 * u * (xn + cn_max) + (2 * gamma(static_cast<double>(d)) + 4 * u) * xnorm * cmax +
                         flush * (1 + xnorm + cmax);
      const double band = 2 * e_a + 2 * e_f + 4 * u * (xn + cn_max);
      const double limit_exact = static_cast<double>(reference) + band;
      auto limit = static_cast<float>(limit_exact);
      if (static_cast<double>(limit) < limit_exact)
        limit = std::nextafter(limit, std::numeric_limits<float>::infinity());
      const __m512 limit_v = _mm512_set1_ps(limit);
      // The candidates, in column order.
      if (pair_col.size() < n_pairs + width) {
        pair_col.resize(2 * (n_pairs + width));
        pair_row.resize(2 * (n_pairs + width));
      }
      const __m512i row_v = _mm512_set1_epi32(static_cast<int>(i));
      for (std::size_t j = 0; j < width; j += 16) {
        const __mmask16 mask = _mm512_cmp_ps_mask(_mm512_loadu_ps(a + j), limit_v, _CMP_LE_OQ);
        if (mask == 0) continue;
        _mm512_mask_compressstoreu_epi32(pair_col.data() + n_pairs, mask,
                                         _mm512_add_epi32(lane_index, _mm512_set1_epi32(static_cast<int>(j))));
        _mm512_mask_compressstoreu_epi32(pair_row.data() + n_pairs, mask, row_v);
        n_pairs += static_cast<std::size_t>(__builtin_popcount(mask));
      }
    }
  }
  _tile_release();

  // The candidates' distances in the float32 kernel's arithmetic; per row the
  // first strictly smaller one wins, so ties go to the lowest column, and the
  // runner-up is the smallest of the others (equal to the best on a tie).
  pair_dist.resize(n_pairs);
  std::size_t p = 0;
  for (; p + 8 <= n_pairs; p += 8) {
    exact_distances<8>(rows, d, row_sq_norms, cols.columns.data(), panel.sq_norms.data(), pair_row.data(),
                       pair_col.data(), p, pair_dist.data());
  }
  for (; p < n_pairs; ++p) {
    exact_distances<1>(rows, d, row_sq_norms, cols.columns.data(), panel.sq_norms.data(), pair_row.data(),
                       pair_col.data(), p, pair_dist.data());
  }
  constexpr float kInfinity = std::numeric_limits<float>::infinity();
  std::fill(best_dist, best_dist + n_rows, kInfinity);
  if (second_dist != nullptr) std::fill(second_dist, second_dist + n_rows, kInfinity);
  for (p = 0; p < n_pairs; ++p) {
    const std::uint32_t i = pair_row[p];
    const float v = pair_dist[p];
    if (v < best_dist[i]) {
      if (second_dist != nullptr) second_dist[i] = best_dist[i];
      best_dist[i] = v;
      best[i] = static_cast<std::int32_t>(pair_col[p]);
    } else if (second_dist != nullptr && v < second_dist[i]) {
      second_dist[i] = v;
    }
  }
}

#pragma GCC diagnostic pop
#pragma GCC pop_options

#endif  // CENTRIX_AMX

bool detect_once() {
#ifdef CENTRIX_AMX
  static const bool usable = detect_amx();
  return usable;
#else
  return false;
#endif
}

}  // namespace

bool amx_filter_usable() {
  return filter_enabled.load(std::memory_order_relaxed) && detect_once();
}

void set_amx_filter_enabled(bool enabled) {
  filter_enabled.store(enabled, std::memory_order_relaxed);
}

bool amx_filter_pays(std::size_t k, std::size_t d) {
  return k >= kMinColumns && d >= kMinDim;
}

bool amx_filter_pays_with_runner_up(std::size_t k) {
  return k >= kMinColumnsWithRunnerUp;
}

void build_bf16_columns([[maybe_unused]] const ColumnPanel<float>& panel, Bf16Columns& out) {
  out = Bf16Columns{};
#ifdef CENTRIX_AMX
  if (detect_once()) fill_bf16_columns(panel, out);
#endif
}

void nearest_columns_amx([[maybe_unused]] const float* rows, [[maybe_unused]] std::size_t n_rows,
                         [[maybe_unused]] const float* row_sq_norms, [[maybe_unused]] const ColumnPanel<float>& panel,
                         [[maybe_unused]] std::int32_t* best, [[maybe_unused]] float* best_dist,
                         [[maybe_unused]] float* second_dist) {
#ifdef CENTRIX_AMX
  nearest_amx(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
#endif
}

}  // namespace centrix::kernels
