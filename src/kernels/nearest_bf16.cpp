#include "kernels/nearest_bf16.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/nearest.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(CENTRIX_NO_BF16_FILTER)
#define CENTRIX_BF16_FILTER 1
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace centrix::kernels {

namespace {

std::atomic<bool> filter_enabled{true};

/// The filter pays where a row's k columns cost far more than converting the
/// row and refining one or two candidate columns. With the tile unit:
/// measured on keops-large's shape (k = 1000, d = 100: 1.9x) and mid (k =
/// 256, d = 64: 1.2x); it is not used below k = 64 or d = 32, where the
/// float32 kernel's rows are short. With vdpbf16ps, only twice the float32
/// rate, it pays only on long rows against many columns (AMD EPYC, Zen 4,
/// Lloyd, 2 threads, ms per iteration with and without: 100000 x 100 at
/// k = 1000, 1 thread, 255 against 345; but 100000 x 64 at k = 256, 43
/// against 38, at k = 512, 80 against 61, and 100000 x 32 at k = 1000, 83
/// against 70). Its runner-up was not measured to pay, and is not used.
constexpr std::size_t kMinColumns = 64;
constexpr std::size_t kMinDim = 32;
constexpr std::size_t kMinColumnsWithRunnerUp = 512;
constexpr std::size_t kMinColumnsAvx512 = 768;
constexpr std::size_t kMinDimAvx512 = 96;
constexpr std::size_t kMinColumnsWithRunnerUpAvx512 = std::numeric_limits<std::size_t>::max();

/// What computes the approximate bfloat16 products.
enum class Bf16Unit {
  None,
  Amx,         ///< the tile unit (Intel Sapphire Rapids and later): ~8x the float32 FMA rate
  Avx512Bf16,  ///< vdpbf16ps (AMD Zen 4 and later, Intel Cooper Lake): 2 products per lane, ~2x
};

#ifdef CENTRIX_BF16_FILTER

/// Which unit this CPU and OS offer: the tile unit if CPUID says AMX-BF16, AMX-TILE and AVX512-BF16 and
/// Linux grants the tile data state (arch_prctl ARCH_REQ_XCOMP_PERM, Linux 5.16+); else vdpbf16ps if
/// CPUID says AVX512-F, -BW, -VL and -BF16 and the OS saves the AVX-512 registers (XCR0).
Bf16Unit detect_unit() {
  unsigned a = 0;
  unsigned b = 0;
  unsigned c = 0;
  unsigned d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return Bf16Unit::None;
  __cpuid(1, a, b, c, d);
  const bool osxsave = (c >> 27) & 1U;
  __cpuid_count(7, 0, a, b, c, d);
  const bool amx_bf16 = (d >> 22) & 1U;
  const bool amx_tile = (d >> 24) & 1U;
  const bool avx512f = (b >> 16) & 1U;
  const bool avx512bw = (b >> 30) & 1U;
  const bool avx512vl = (b >> 31) & 1U;
  __cpuid_count(7, 1, a, b, c, d);
  const bool avx512_bf16 = (a >> 5) & 1U;
  if (!(osxsave && avx512f && avx512bw && avx512vl && avx512_bf16)) return Bf16Unit::None;
  unsigned xcr0_low = 0;
  unsigned xcr0_high = 0;
  __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  constexpr unsigned kAvx512State = 0xe6;  // SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM
  if ((xcr0_low & kAvx512State) != kAvx512State) return Bf16Unit::None;
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXfeatureXtiledata = 18;
  if (amx_bf16 && amx_tile && syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0) {
    return Bf16Unit::Amx;
  }
  return Bf16Unit::Avx512Bf16;
}

#pragma GCC push_options
#pragma GCC target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16,fma")
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps() as the unused merge
// source, which -Wmaybe-uninitialized (and, inlined into a template,
// -Wuninitialized) reports at every inlined call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

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

/// The 32 x 32 dot products of 32 converted rows (from `a`, `row_stride`
/// bfloat16 values apart) with two blocks of 16 columns (their VNNI tiles at
/// b0 and b1, one per chunk of 32 coordinates), over the first `pairs`
/// coordinate pairs, to `out` (rows `out_stride` floats apart) with vdpbf16ps: per lane
/// (column) the products of a pair of coordinates, exact in float32, are
/// added to its sum. Eight rows at a time: 16 sums in registers, two column
/// loads and eight broadcasts per 16 instructions.
void dot_products_avx512bf16(const std::uint16_t* a, std::size_t row_stride, const std::uint16_t* b0,
                             const std::uint16_t* b1, std::size_t pairs, float* out, std::size_t out_stride) {
  constexpr std::size_t kRows = 8;
  for (std::size_t r0 = 0; r0 < 32; r0 += kRows) {
    __m512 sum[kRows][2];
    for (std::size_t r = 0; r < kRows; ++r) sum[r][0] = sum[r][1] = _mm512_setzero_ps();
    for (std::size_t q = 0; q < pairs; ++q) {
      const std::size_t offset = q / 16 * 512 + q % 16 * 32;  // pair q of the chunk's tile: 16 columns x 2
      const auto c0 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b0 + offset));
      const auto c1 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b1 + offset));
#pragma GCC unroll 8
      for (std::size_t r = 0; r < kRows; ++r) {
        std::int32_t pair = 0;
        std::memcpy(&pair, a + (r0 + r) * row_stride + 2 * q, sizeof pair);
        const auto x = reinterpret_cast<__m512bh>(_mm512_set1_epi32(pair));
        sum[r][0] = _mm512_dpbf16_ps(sum[r][0], x, c0);
        sum[r][1] = _mm512_dpbf16_ps(sum[r][1], x, c1);
      }
    }
    for (std::size_t r = 0; r < kRows; ++r) {
      _mm512_storeu_ps(out + (r0 + r) * out_stride, sum[r][0]);
      _mm512_storeu_ps(out + (r0 + r) * out_stride + 16, sum[r][1]);
    }
  }
}

template <Bf16Unit Unit>
void nearest_filtered(const float* rows, std::size_t n_rows, const float* row_sq_norms, const ColumnPanel<float>& panel,
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

  if constexpr (Unit == Bf16Unit::Amx) {
    TileConfig config;
    for (int t = 0; t < 8; ++t) {
      config.bytes_per_row[t] = 64;
      config.rows[t] = 16;
    }
    _tile_loadconfig(&config);
  }
  [[maybe_unused]] const std::size_t a_stride = row_stride * sizeof(std::uint16_t);
  [[maybe_unused]] const std::size_t out_stride = approx_stride * sizeof(float);
  const __m512 infinity = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  const __m512 minus_two = _mm512_set1_ps(-2.0F);
  const __m512i lane_index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  std::size_t n_pairs = 0;
  for (std::size_t r0 = 0; r0 < padded_rows; r0 += 32) {
    const std::uint16_t* a0 = converted.data() + r0 * row_stride;
    [[maybe_unused]] const std::uint16_t* a1 = a0 + 16 * row_stride;
    // Per row and lane, the smallest and second smallest approximate
    // distance so far (the second only if a runner-up is asked for).
    __m512 lowest[32];
    __m512 second[32];
    for (std::size_t r = 0; r < 32; ++r) lowest[r] = second[r] = infinity;
    for (std::size_t block = 0; block < cols.k_blocks; block += 2) {
      const std::uint16_t* b0 = cols.tiles.data() + block * chunks * 512;
      const std::uint16_t* b1 = b0 + chunks * 512;
      float* out = approx.data() + block * 16;
      if constexpr (Unit == Bf16Unit::Amx) {
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
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
        _tile_stored(0, out, out_stride);
        _tile_stored(1, out + 16, out_stride);
        _tile_stored(2, out + 16 * approx_stride, out_stride);
        _tile_stored(3, out + 16 * approx_stride + 16, out_stride);
      } else {
        // Only the pairs that hold coordinates: the padding of the last chunk adds zeros.
        dot_products_avx512bf16(a0, row_stride, b0, b1, (d + 1) / 2, out, approx_stride);
      }
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
  if constexpr (Unit == Bf16Unit::Amx) _tile_release();

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

#endif  // CENTRIX_BF16_FILTER

Bf16Unit detect_once() {
#ifdef CENTRIX_BF16_FILTER
  static const Bf16Unit unit = detect_unit();
  return unit;
#else
  return Bf16Unit::None;
#endif
}

}  // namespace

bool bf16_filter_usable() {
  return filter_enabled.load(std::memory_order_relaxed) && detect_once() != Bf16Unit::None;
}

void set_bf16_filter_enabled(bool enabled) {
  filter_enabled.store(enabled, std::memory_order_relaxed);
}

const char* bf16_filter_unit() {
  switch (detect_once()) {
    case Bf16Unit::Amx:
      return "AMX";
    case Bf16Unit::Avx512Bf16:
      return "AVX512-BF16";
    case Bf16Unit::None:
      break;
  }
  return "none";
}

bool bf16_filter_pays(std::size_t k, std::size_t d) {
  if (detect_once() == Bf16Unit::Avx512Bf16) return k >= kMinColumnsAvx512 && d >= kMinDimAvx512;
  return k >= kMinColumns && d >= kMinDim;
}

bool bf16_filter_pays_with_runner_up(std::size_t k) {
  if (detect_once() == Bf16Unit::Avx512Bf16) return k >= kMinColumnsWithRunnerUpAvx512;
  return k >= kMinColumnsWithRunnerUp;
}

void build_bf16_columns([[maybe_unused]] const ColumnPanel<float>& panel, Bf16Columns& out) {
  out = Bf16Columns{};
#ifdef CENTRIX_BF16_FILTER
  if (detect_once() != Bf16Unit::None) fill_bf16_columns(panel, out);
#endif
}

void nearest_columns_bf16([[maybe_unused]] const float* rows, [[maybe_unused]] std::size_t n_rows,
                          [[maybe_unused]] const float* row_sq_norms, [[maybe_unused]] const ColumnPanel<float>& panel,
                          [[maybe_unused]] std::int32_t* best, [[maybe_unused]] float* best_dist,
                          [[maybe_unused]] float* second_dist) {
#ifdef CENTRIX_BF16_FILTER
  if (detect_once() == Bf16Unit::Amx) {
    nearest_filtered<Bf16Unit::Amx>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
  } else {
    nearest_filtered<Bf16Unit::Avx512Bf16>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
  }
#endif
}

}  // namespace centrix::kernels
