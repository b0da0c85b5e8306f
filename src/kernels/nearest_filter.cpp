#include "kernels/nearest_filter.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "kernels/nearest.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(CENTRIX_NO_FILTER_UNITS)
#define CENTRIX_FILTER_UNITS 1
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace centrix::kernels {

namespace {

std::atomic<bool> filter_enabled{true};

/// Where the filter pays: where a row's k columns cost far more than
/// converting the row and refining a few candidate columns.
///  - The tile unit: measured on keops-large's shape (k = 1000, d = 100:
///    1.9x) and mid (k = 256, d = 64: 1.2x); not below k = 64 or d = 32,
///    where the float32 kernel's rows are short; with the runner-up from k = 512.
///  - vpdpbusd (int8) and vdpbf16ps (bfloat16), four and two products per lane
///    and instruction, at the same instruction rate on AMD Zen 4 (0.28 ns).
///    int8 keeps less of each value, so its band lets through more candidates,
///    more so the longer the rows: on N(0, 1) rows, the worst case (Lloyd,
///    1 thread, ms per iteration, float32 kernel / int8 / bfloat16):
///    d = 100, k = 1000 (100000 rows): 160 (bfloat16) against 122 (int8);
///    d = 64, k = 256 (mid's blobs): 21.2 / 16.7 / 18.1; d = 24, k = 1000:
///    14.1 / 10.0 / 11.5; d = 100, k = 256: 14.1 / 10.6 / 11.9; but d = 200,
///    k = 256: 29.9 / 24.1 / 21.4; d = 784, k = 256: 110 / 302 / 80 (44
///    candidates per row in int8); and at k = 128, d = 64: 11.2 / 12.5 / 13.1;
///    k = 64, d = 200: 22.6 / 30.1 / 25.6. So int8 up to d = 128, bfloat16
///    above, both from k = 256; neither with the runner-up (not measured to pay).
constexpr std::size_t kAmxMinColumns = 64;
constexpr std::size_t kAmxMinDim = 32;
constexpr std::size_t kAmxMinColumnsWithRunnerUp = 512;
constexpr std::size_t kAvx512MinColumns = 256;
constexpr std::size_t kInt8MinDim = 24;
constexpr std::size_t kInt8MaxDim = 128;
constexpr std::size_t kBf16MinDim = 64;

/// What computes the approximate products (the values are stored in FilterColumns::unit).
enum class FilterUnit : std::uint8_t {
  None,
  Amx,         ///< the tile unit on bfloat16 (Intel Sapphire Rapids and later): ~8x the float32 FMA rate
  Avx512Bf16,  ///< vdpbf16ps (AMD Zen 4 and later, Intel Cooper Lake): 2 products per lane, ~2x
  Avx512Vnni,  ///< vpdpbusd on int8 values (AMD Zen 4, Intel Ice Lake and later): 4 products per lane, ~4x
};

const char* unit_name(FilterUnit unit) {
  switch (unit) {
    case FilterUnit::Amx:
      return "AMX";
    case FilterUnit::Avx512Bf16:
      return "AVX512-BF16";
    case FilterUnit::Avx512Vnni:
      return "AVX512-VNNI";
    case FilterUnit::None:
      break;
  }
  return "none";
}

/// What this CPU and OS offer.
struct Units {
  bool amx = false;
  bool avx512_bf16 = false;
  bool avx512_vnni = false;
};

/// The unit force_filter_unit set, or None.
std::atomic<FilterUnit> forced_unit{FilterUnit::None};

#ifdef CENTRIX_FILTER_UNITS

/// Which units this CPU and OS offer: vdpbf16ps and vpdpbusd if CPUID says
/// AVX512-F, -BW, -VL and -BF16 or -VNNI and the OS saves the AVX-512
/// registers (XCR0); the tile unit if CPUID also says AMX-BF16 and AMX-TILE
/// and Linux grants the tile data state (arch_prctl ARCH_REQ_XCOMP_PERM, Linux 5.16+).
Units detect_units() {
  Units units;
  unsigned a = 0;
  unsigned b = 0;
  unsigned c = 0;
  unsigned d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return units;
  __cpuid(1, a, b, c, d);
  const bool osxsave = (c >> 27) & 1U;
  __cpuid_count(7, 0, a, b, c, d);
  const bool amx_bf16 = (d >> 22) & 1U;
  const bool amx_tile = (d >> 24) & 1U;
  const bool avx512f = (b >> 16) & 1U;
  const bool avx512bw = (b >> 30) & 1U;
  const bool avx512vl = (b >> 31) & 1U;
  const bool avx512_vnni = (c >> 11) & 1U;
  __cpuid_count(7, 1, a, b, c, d);
  const bool avx512_bf16 = (a >> 5) & 1U;
  if (!(osxsave && avx512f && avx512bw && avx512vl)) return units;
  unsigned xcr0_low = 0;
  unsigned xcr0_high = 0;
  __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  constexpr unsigned kAvx512State = 0xe6;  // SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM
  if ((xcr0_low & kAvx512State) != kAvx512State) return units;
  units.avx512_bf16 = avx512_bf16;
  units.avx512_vnni = avx512_vnni;
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXfeatureXtiledata = 18;
  units.amx =
      avx512_bf16 && amx_bf16 && amx_tile && syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  return units;
}

#pragma GCC push_options
#pragma GCC target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16,avx512vnni,fma")
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

/// One row of `d` floats to int8 values plus 128 (`stride` bytes, zero
/// padded: 128), its scale and what the rounding did: ||x - scale q|| and
/// ||scale q||.
struct RowInt8 {
  double error;
  double norm;
  float scale;
};

RowInt8 row_to_int8(const float* x, std::size_t d, std::size_t stride, std::uint8_t* out) {
  const std::size_t vectors = (d + 15) / 16;
  __m512 largest = _mm512_setzero_ps();
  for (std::size_t c = 0; c < vectors; ++c) {
    const std::size_t left = d - c * 16;
    const auto mask = static_cast<__mmask16>(left >= 16 ? 0xffffU : (1U << left) - 1U);
    largest = _mm512_max_ps(largest, _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, x + c * 16)));
  }
  const float top = _mm512_reduce_max_ps(largest);
  const float scale = top >= 127 * std::numeric_limits<float>::min() ? top / 127.0F : 1.0F;  // as the columns'
  const __m512 inverse = _mm512_set1_ps(1.0F / scale);
  const __m512 scale_v = _mm512_set1_ps(scale);
  const __m512i low = _mm512_set1_epi32(-127);
  const __m512i high = _mm512_set1_epi32(127);
  const __m512i offset = _mm512_set1_epi32(128);
  __m512d error = _mm512_setzero_pd();
  __m512d norm = _mm512_setzero_pd();
  for (std::size_t c = 0; c < vectors; ++c) {
    const std::size_t left = d - c * 16;
    const auto mask = static_cast<__mmask16>(left >= 16 ? 0xffffU : (1U << left) - 1U);
    const __m512 v = _mm512_maskz_loadu_ps(mask, x + c * 16);
    const __m512i q = _mm512_min_epi32(high, _mm512_max_epi32(low, _mm512_cvtps_epi32(_mm512_mul_ps(v, inverse))));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c * 16), _mm512_cvtepi32_epi8(_mm512_add_epi32(q, offset)));
    const __m512 qf = _mm512_cvtepi32_ps(q);
    // x - scale q rounds once (a fused multiply-add): at most a relative
    // 2^-24, or 2^-150 where it is subnormal; both covered below.
    add_squares(_mm512_fnmadd_ps(scale_v, qf, v), error);
    add_squares(qf, norm);  // exact: integers
  }
  std::memset(out + vectors * 16, 128, stride - vectors * 16);
  return {std::sqrt(_mm512_reduce_add_pd(error)) * (1 + 1e-6) + static_cast<double>(d) * 0x1p-150,
          static_cast<double>(scale) * std::sqrt(_mm512_reduce_add_pd(norm)) * (1 + 1e-9), scale};
}

/// Fills `out` (but its unit) for `unit` from the panel's columns.
void fill_filter_columns(const ColumnPanel<float>& panel, FilterUnit unit, FilterColumns& out) {
  const std::size_t k = panel.k;
  const std::size_t d = panel.d;
  out.k_blocks = (k + 31) / 32 * 2;
  double max_sq = 0;
  for (std::size_t j = 0; j < k; ++j) max_sq = std::max(max_sq, static_cast<double>(panel.sq_norms[j]));
  // sq_norms are float32 roundings of double sums: pad by a relative 1e-6.
  out.max_sq_norm = max_sq * (1 + 1e-6);
  out.max_norm = std::sqrt(out.max_sq_norm) * (1 + 1e-6);

  if (unit == FilterUnit::Avx512Vnni) {
    // Per column a scale (its largest magnitude / 127) and values in [-127, 127].
    out.quads = (d + 3) / 4;
    out.int8_tiles.assign(out.k_blocks * out.quads * 64, 0);
    out.int8_scales.assign(out.k_blocks * 16, 0.0F);
    out.int8_offsets.assign(out.k_blocks * 16, 0);
    for (std::size_t j = 0; j < k; ++j) {
      const float* column = panel.row_major.data() + j * d;
      float largest = 0;
      for (std::size_t t = 0; t < d; ++t) largest = std::max(largest, std::fabs(column[t]));
      // Columns too small for a normal scale (zero, subnormal) get 1: their values round to 0, all measured.
      const float scale = largest >= 127 * std::numeric_limits<float>::min() ? largest / 127.0F : 1.0F;
      double rounding = 0;
      double q_sq = 0;
      std::int32_t sum = 0;
      std::int8_t* tiles = out.int8_tiles.data() + (j / 16) * out.quads * 64 + (j % 16) * 4;
      for (std::size_t t = 0; t < d; ++t) {
        const float q = std::clamp(std::nearbyint(column[t] / scale), -127.0F, 127.0F);
        tiles[t / 4 * 64 + t % 4] = static_cast<std::int8_t>(q);
        sum += static_cast<std::int32_t>(q);
        const double e = static_cast<double>(column[t]) - static_cast<double>(scale) * q;
        rounding += e * e;
        q_sq += static_cast<double>(q) * q;
      }
      out.int8_scales[j] = scale;
      out.int8_offsets[j] = 128 * sum;
      out.max_int8_rounding = std::max(out.max_int8_rounding, std::sqrt(rounding));
      out.max_int8_norm = std::max(out.max_int8_norm, static_cast<double>(scale) * std::sqrt(q_sq));
    }
    out.max_int8_rounding *= 1 + 1e-6;
    out.max_int8_norm *= 1 + 1e-6;
    return;
  }
  out.chunks = (d + 31) / 32;
  out.bf16_tiles.assign(out.k_blocks * out.chunks * 512, 0);
  for (std::size_t j = 0; j < k; ++j) {
    const float* column = panel.row_major.data() + j * d;
    double rounding = 0;
    double rounded_sq_norm = 0;
    for (std::size_t t = 0; t < d; ++t) {
      const float v = column[t];
      const std::uint16_t half = to_bf16(v);
      std::uint16_t* tile = out.bf16_tiles.data() + (j / 16 * out.chunks + t / 32) * 512;
      tile[(t % 32) / 2 * 32 + j % 16 * 2 + t % 2] = half;  // VNNI: coordinate pairs side by side
      const std::uint32_t bits = static_cast<std::uint32_t>(half) << 16;
      float rounded;
      std::memcpy(&rounded, &bits, sizeof rounded);
      rounding += (static_cast<double>(v) - rounded) * (static_cast<double>(v) - rounded);
      rounded_sq_norm += static_cast<double>(rounded) * rounded;
    }
    out.max_bf16_rounding = std::max(out.max_bf16_rounding, std::sqrt(rounding));
    out.max_bf16_norm = std::max(out.max_bf16_norm, std::sqrt(rounded_sq_norm));
  }
  out.max_bf16_rounding *= 1 + 1e-6;
  out.max_bf16_norm *= 1 + 1e-6;
}

/// gamma_n of Higham: the relative error bound of n float32 roundings in a row.
double gamma(double n) {
  constexpr double u = 0x1p-24;
  return n * u / (1 - n * u);
}

/// x rounded up to float32.
float round_up(double x) {
  auto y = static_cast<float>(x);
  if (static_cast<double>(y) < x) y = std::nextafter(y, std::numeric_limits<float>::infinity());
  return y;
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

/// exact_distances for `n` pairs, eight side by side while they last.
void exact_pair_distances(const float* rows, std::size_t d, const float* row_sq_norms, const float* columns,
                          const float* col_sq_norms, const std::uint32_t* pair_row, const std::uint32_t* pair_col,
                          std::size_t n, float* out) {
  std::size_t p = 0;
  for (; p + 8 <= n; p += 8)
    exact_distances<8>(rows, d, row_sq_norms, columns, col_sq_norms, pair_row, pair_col, p, out);
  for (; p < n; ++p) exact_distances<1>(rows, d, row_sq_norms, columns, col_sq_norms, pair_row, pair_col, p, out);
}

/// Per row and lane, the smallest approximate distance so far and either
/// the second smallest (if a runner-up is asked for) or the first column of
/// the 16 where the smallest was found (the lane adds its index).
struct LaneMinima {
  __m512 lowest[32];
  __m512 second[32];
  __m512i lowest_at[32];
};

/// Folds row r's approximate distances to columns first_column + [0, 32)
/// (two vectors) into its lane minima.
template <bool RunnerUp>
void fold_minima(__m512 v0, __m512 v1, std::size_t first_column, LaneMinima& minima, std::size_t r) {
  __m512& lowest = minima.lowest[r];
  if constexpr (RunnerUp) {
    __m512& second = minima.second[r];
    second = _mm512_min_ps(second, _mm512_max_ps(lowest, v0));
    lowest = _mm512_min_ps(lowest, v0);
    second = _mm512_min_ps(second, _mm512_max_ps(lowest, v1));
    lowest = _mm512_min_ps(lowest, v1);
  } else {
    __m512i& at = minima.lowest_at[r];
    const auto column = static_cast<int>(first_column);
    at = _mm512_mask_mov_epi32(at, _mm512_cmp_ps_mask(v0, lowest, _CMP_LT_OQ), _mm512_set1_epi32(column));
    lowest = _mm512_min_ps(lowest, v0);
    at = _mm512_mask_mov_epi32(at, _mm512_cmp_ps_mask(v1, lowest, _CMP_LT_OQ), _mm512_set1_epi32(column + 16));
    lowest = _mm512_min_ps(lowest, v1);
  }
}

/// The approximate distances ||c||^2 - 2 x.c of 32 converted rows (from `a`,
/// `row_stride` bfloat16 values apart) to two blocks of 16 columns (their VNNI
/// tiles at b0 and b1, one per chunk of 32 coordinates; `norms0` and `norms1`
/// their ||c||^2 plus bias), over the first `pairs` coordinate pairs, to `out`
/// (rows `out_stride` floats apart), folded into `minima`. With vdpbf16ps:
/// per lane (column) the products of a pair of coordinates, exact in float32,
/// are added to its sum. Eight rows at a time: 16 sums in registers, two
/// column loads and eight broadcasts per 16 instructions; the distances are
/// formed from the sums while they are still in registers.
template <bool RunnerUp>
void distances_avx512bf16(const std::uint16_t* a, std::size_t row_stride, const std::uint16_t* b0,
                          const std::uint16_t* b1, std::size_t pairs, __m512 norms0, __m512 norms1, float* out,
                          std::size_t out_stride, std::size_t first_column, LaneMinima& minima) {
  constexpr std::size_t kRows = 8;
  const __m512 minus_two = _mm512_set1_ps(-2.0F);
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
      const __m512 v0 = _mm512_fmadd_ps(minus_two, sum[r][0], norms0);
      const __m512 v1 = _mm512_fmadd_ps(minus_two, sum[r][1], norms1);
      _mm512_storeu_ps(out + (r0 + r) * out_stride, v0);
      _mm512_storeu_ps(out + (r0 + r) * out_stride + 16, v1);
      fold_minima<RunnerUp>(v0, v1, first_column, minima, r0 + r);
    }
  }
}

/// distances_avx512bf16 for int8 rows (plus 128, from `a`, `row_stride`
/// bytes apart, `minus_two_scale` their -2 scale) and int8 column tiles at b0
/// and b1 (`offsets`: 128 times each column's sum; `scales` theirs), over
/// `quads` groups of four coordinates, with vpdpbusd: exact int32 sums of
/// four products per lane and instruction.
template <bool RunnerUp>
void distances_avx512vnni(const std::uint8_t* a, std::size_t row_stride, const std::int8_t* b0, const std::int8_t* b1,
                          std::size_t quads, const std::int32_t* offsets, const float* scales, __m512 norms0,
                          __m512 norms1, const float* minus_two_scale, float* out, std::size_t out_stride,
                          std::size_t first_column, LaneMinima& minima) {
  constexpr std::size_t kRows = 8;
  const __m512i offset0 = _mm512_loadu_si512(offsets);
  const __m512i offset1 = _mm512_loadu_si512(offsets + 16);
  const __m512 scale0 = _mm512_loadu_ps(scales);
  const __m512 scale1 = _mm512_loadu_ps(scales + 16);
  for (std::size_t r0 = 0; r0 < 32; r0 += kRows) {
    __m512i sum[kRows][2];
    for (std::size_t r = 0; r < kRows; ++r) sum[r][0] = sum[r][1] = _mm512_setzero_si512();
    for (std::size_t q = 0; q < quads; ++q) {
      const __m512i c0 = _mm512_loadu_si512(b0 + q * 64);
      const __m512i c1 = _mm512_loadu_si512(b1 + q * 64);
#pragma GCC unroll 8
      for (std::size_t r = 0; r < kRows; ++r) {
        std::int32_t quad = 0;
        std::memcpy(&quad, a + (r0 + r) * row_stride + 4 * q, sizeof quad);
        const __m512i x = _mm512_set1_epi32(quad);
        sum[r][0] = _mm512_dpbusd_epi32(sum[r][0], x, c0);
        sum[r][1] = _mm512_dpbusd_epi32(sum[r][1], x, c1);
      }
    }
    for (std::size_t r = 0; r < kRows; ++r) {
      const __m512 m2s = _mm512_set1_ps(minus_two_scale[r0 + r]);
      const __m512 dot0 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(sum[r][0], offset0)), scale0);
      const __m512 dot1 = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(sum[r][1], offset1)), scale1);
      const __m512 v0 = _mm512_fmadd_ps(m2s, dot0, norms0);
      const __m512 v1 = _mm512_fmadd_ps(m2s, dot1, norms1);
      _mm512_storeu_ps(out + (r0 + r) * out_stride, v0);
      _mm512_storeu_ps(out + (r0 + r) * out_stride + 16, v1);
      fold_minima<RunnerUp>(v0, v1, first_column, minima, r0 + r);
    }
  }
}

/// Appends to pair_row and pair_col (which have room for `width` + 16 more)
/// the columns whose approximate distance in `a` is at most `limit`, in column
/// order, and returns how many. Compressed in a register and stored whole:
/// Zen 4 microcodes vpcompressd to memory (measured: ~9% of the filter's time
/// although few rows have any candidate in a vector).
std::size_t append_candidates(const float* a, std::size_t width, float limit, std::uint32_t row,
                              std::uint32_t* pair_row, std::uint32_t* pair_col) {
  const __m512 limit_v = _mm512_set1_ps(limit);
  const __m512i row_v = _mm512_set1_epi32(static_cast<int>(row));
  const __m512i lane_index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  std::size_t count = 0;
  std::size_t j = 0;
  // Four vectors per test: most have no candidate.
  for (; j + 64 <= width; j += 64) {
    const __mmask16 m0 = _mm512_cmp_ps_mask(_mm512_loadu_ps(a + j), limit_v, _CMP_LE_OQ);
    const __mmask16 m1 = _mm512_cmp_ps_mask(_mm512_loadu_ps(a + j + 16), limit_v, _CMP_LE_OQ);
    const __mmask16 m2 = _mm512_cmp_ps_mask(_mm512_loadu_ps(a + j + 32), limit_v, _CMP_LE_OQ);
    const __mmask16 m3 = _mm512_cmp_ps_mask(_mm512_loadu_ps(a + j + 48), limit_v, _CMP_LE_OQ);
    if (_kortestz_mask16_u8(_kor_mask16(m0, m1), _kor_mask16(m2, m3)) != 0) continue;
    const __mmask16 masks[4] = {m0, m1, m2, m3};
    for (std::size_t v = 0; v < 4; ++v) {
      if (masks[v] == 0) continue;
      const __m512i columns = _mm512_add_epi32(lane_index, _mm512_set1_epi32(static_cast<int>(j + 16 * v)));
      _mm512_storeu_si512(pair_col + count, _mm512_maskz_compress_epi32(masks[v], columns));
      _mm512_storeu_si512(pair_row + count, row_v);
      count += static_cast<std::size_t>(__builtin_popcount(masks[v]));
    }
  }
  for (; j < width; j += 16) {
    const __mmask16 mask = _mm512_cmp_ps_mask(_mm512_loadu_ps(a + j), limit_v, _CMP_LE_OQ);
    if (mask == 0) continue;
    const __m512i columns = _mm512_add_epi32(lane_index, _mm512_set1_epi32(static_cast<int>(j)));
    _mm512_storeu_si512(pair_col + count, _mm512_maskz_compress_epi32(mask, columns));
    _mm512_storeu_si512(pair_row + count, row_v);
    count += static_cast<std::size_t>(__builtin_popcount(mask));
  }
  return count;
}

template <FilterUnit Unit>
void nearest_filtered(const float* rows, std::size_t n_rows, const float* row_sq_norms, const ColumnPanel<float>& panel,
                      std::int32_t* best, float* best_dist, float* second_dist) {
  const FilterColumns& cols = panel.filter;
  const std::size_t d = panel.d;
  const std::size_t chunks = cols.chunks;
  const std::size_t row_stride = chunks * 32;    // bfloat16 values per converted row
  const std::size_t width = cols.k_blocks * 16;  // approximate distances per row
  // Rows of approximate distances 16 floats longer than needed: at k = 1000 a
  // stride of exactly 4 KiB put a stored tile's 16 rows in one L1 set.
  const std::size_t approx_stride = width + 16;
  const std::size_t padded_rows = (n_rows + 31) / 32 * 32;
  // 64-byte aligned (as the tiles): whole-vector loads and stores that never split a cache line.
  thread_local detail::UninitializedVector<std::uint16_t> converted;
  thread_local detail::UninitializedVector<float> approx;
  thread_local std::vector<std::uint32_t> pair_row;
  thread_local std::vector<std::uint32_t> pair_col;
  thread_local std::vector<float> pair_dist;
  if constexpr (Unit != FilterUnit::Avx512Vnni) {
    converted.resize(padded_rows * row_stride);
    std::fill(converted.begin() + static_cast<std::ptrdiff_t>(n_rows * row_stride), converted.end(), std::uint16_t{0});
  }
  approx.resize(32 * approx_stride);
  thread_local std::vector<RowRounding> rounding;
  rounding.resize(n_rows);
  // The int8 unit's rows: int8 values plus 128, and per row -2 times its scale.
  const std::size_t int8_stride = (d + 15) / 16 * 16;
  thread_local detail::UninitializedVector<std::uint8_t> converted_int8;
  thread_local std::vector<float> minus_two_scale;
  if constexpr (Unit == FilterUnit::Avx512Vnni) {
    converted_int8.resize(padded_rows * int8_stride);
    std::fill(converted_int8.begin() + static_cast<std::ptrdiff_t>(n_rows * int8_stride), converted_int8.end(),
              std::uint8_t{128});
    minus_two_scale.assign(padded_rows, 0.0F);
    for (std::size_t i = 0; i < n_rows; ++i) {
      const RowInt8 r = row_to_int8(rows + i * d, d, int8_stride, converted_int8.data() + i * int8_stride);
      rounding[i] = {r.error, r.norm};
      minus_two_scale[i] = -2.0F * r.scale;
    }
  } else {
    for (std::size_t i = 0; i < n_rows; ++i) {
      rounding[i] = row_to_bf16(rows + i * d, d, chunks, converted.data() + i * row_stride);
    }
  }

  // The error band, in the float32 kernel's terms (see the header). With
  // u = 2^-24, x~ and c~ the rows and columns as the unit reads them (rounded
  // to bfloat16, or int8 values times their scales):
  //  - x.c - x~.c~ = x.(c - c~) + (x - x~).c~, so by Cauchy-Schwarz the
  //    rounding moves the dot product by at most ||x|| ||c - c~|| +
  //    ||x - x~|| ||c~|| (both rounding errors are measured, per row and for
  //    the worst column: for bfloat16 about half of the worst case
  //    2^-7 ||x|| ||c||);
  //  - bfloat16: the dp float32 additions of exact products add at most
  //    gamma_dp ||x~|| ||c~||, and forming ||c||^2 - 2 x~.c~ rounds once
  //    more; int8: the sums are exact, their scaling rounds. In all the
  //    approximate distance (less ||x||^2) is off by at most E_a;
  //  - the float32 kernel's distance (a chain of d fused multiply-adds, then
  //    ||x||^2 + ||c||^2 and one more multiply-add) is off by at most e_f.
  // Each row's slack is E_a + e_f, plus a margin that keeps columns clear of
  // 0, where the kernel's clamp could tie.
  const double u = 0x1p-24;
  const double gamma_dp = 1.01 * gamma(static_cast<double>(row_stride));
  const double cmax = cols.max_norm;
  const double cn_max = cols.max_sq_norm;
  // Subnormal inputs and results are flushed to zero by the tile unit: at most
  // 2^-126 per term and per addition.
  const double flush = static_cast<double>(row_stride) * 0x1p-125;

  if constexpr (Unit == FilterUnit::Amx) {
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
  const bool runner_up = second_dist != nullptr;
  LaneMinima minima;
  std::size_t n_pairs = 0;
  for (std::size_t r0 = 0; r0 < padded_rows; r0 += 32) {
    const std::uint16_t* a0 = converted.data() + r0 * row_stride;
    [[maybe_unused]] const std::uint16_t* a1 = a0 + 16 * row_stride;
    for (std::size_t r = 0; r < 32; ++r) {
      minima.lowest[r] = minima.second[r] = infinity;
      minima.lowest_at[r] = _mm512_setzero_si512();
    }
    for (std::size_t block = 0; block < cols.k_blocks; block += 2) {
      const std::uint16_t* b0 = cols.bf16_tiles.data() + block * chunks * 512;
      const std::uint16_t* b1 = b0 + chunks * 512;
      float* out = approx.data() + block * 16;
      // ||c||^2, and +infinity for padding columns (their bias), so they are
      // never candidates; ||x||^2 is the same for every column.
      const float* sq_norms = panel.sq_norms.data() + block * 16;
      const float* bias = panel.bias.data() + block * 16;
      const __m512 norms0 = _mm512_add_ps(_mm512_loadu_ps(sq_norms), _mm512_loadu_ps(bias));
      const __m512 norms1 = _mm512_add_ps(_mm512_loadu_ps(sq_norms + 16), _mm512_loadu_ps(bias + 16));
      if constexpr (Unit == FilterUnit::Amx) {
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
        // While the 32 x 32 sums are in L1: the approximate distances, stored back, and the minima.
        for (std::size_t r = 0; r < 32; ++r) {
          float* a = out + r * approx_stride;
          const __m512 v0 = _mm512_fmadd_ps(minus_two, _mm512_loadu_ps(a), norms0);
          const __m512 v1 = _mm512_fmadd_ps(minus_two, _mm512_loadu_ps(a + 16), norms1);
          _mm512_storeu_ps(a, v0);
          _mm512_storeu_ps(a + 16, v1);
          if (runner_up) {
            fold_minima<true>(v0, v1, block * 16, minima, r);
          } else {
            fold_minima<false>(v0, v1, block * 16, minima, r);
          }
        }
      } else if constexpr (Unit == FilterUnit::Avx512Vnni) {
        const std::uint8_t* x0 = converted_int8.data() + r0 * int8_stride;
        const std::int8_t* q0 = cols.int8_tiles.data() + block * cols.quads * 64;
        const std::int8_t* q1 = q0 + cols.quads * 64;
        const std::int32_t* offsets = cols.int8_offsets.data() + block * 16;
        const float* scales = cols.int8_scales.data() + block * 16;
        if (runner_up) {
          distances_avx512vnni<true>(x0, int8_stride, q0, q1, cols.quads, offsets, scales, norms0, norms1,
                                     minus_two_scale.data() + r0, out, approx_stride, block * 16, minima);
        } else {
          distances_avx512vnni<false>(x0, int8_stride, q0, q1, cols.quads, offsets, scales, norms0, norms1,
                                      minus_two_scale.data() + r0, out, approx_stride, block * 16, minima);
        }
      } else if (runner_up) {
        // Only the pairs that hold coordinates: the padding of the last chunk adds zeros.
        distances_avx512bf16<true>(a0, row_stride, b0, b1, (d + 1) / 2, norms0, norms1, out, approx_stride, block * 16,
                                   minima);
      } else {
        distances_avx512bf16<false>(a0, row_stride, b0, b1, (d + 1) / 2, norms0, norms1, out, approx_stride, block * 16,
                                    minima);
      }
    }
    const std::size_t live = std::min<std::size_t>(32, n_rows > r0 ? n_rows - r0 : 0);
    // Per row, what the approximate distances (E_a) and the float32 kernel's
    // (e_f) may be off by, plus a margin that keeps columns clear of 0, where
    // the kernel's clamp could tie.
    double slack[32];
    for (std::size_t r = 0; r < live; ++r) {
      const std::size_t i = r0 + r;
      const double xn = row_sq_norms[i];
      const double xnorm = std::sqrt(xn) * (1 + 1e-6);
      const double rounded_norm = rounding[i].norm;
      double e_a = 0;
      if constexpr (Unit == FilterUnit::Avx512Vnni) {
        // Exact int32 sums; then int32 -> float, times the column's scale and
        // the multiply-add with ||c||^2 round once each: at most u (||c||^2 +
        // 6.1 ||x~|| ||c~||). Where the product with the scale is subnormal it
        // is off by up to 2^-150 more, times 2 s_x <= 2 ||x~||; the last
        // result by 2^-150.
        const double dot_error = (xnorm * cols.max_int8_rounding + rounding[i].error * cols.max_int8_norm) * (1 + 1e-6);
        e_a = 2 * dot_error + u * (cn_max + 6.1 * rounded_norm * cols.max_int8_norm) + (rounded_norm + 1) * 0x1p-148;
      } else {
        const double dot_error =
            (xnorm * cols.max_bf16_rounding + rounding[i].error * cols.max_bf16_norm) * (1 + 1e-6) +
            gamma_dp * rounded_norm * cols.max_bf16_norm;
        e_a = 2 * dot_error + u * (cn_max + 2 * rounded_norm * cols.max_bf16_norm * (1 + gamma_dp)) +
              flush * (1 + xnorm + cmax + cols.max_bf16_norm);
      }
      // (Gradual underflow in its d multiply-adds: at most 2^-150 each.)
      const double e_f = 2 * u * (xn + cn_max) + (2 * gamma(static_cast<double>(d)) + 4 * u) * xnorm * cmax +
                         flush * (1 + xnorm + cmax) + static_cast<double>(d + 2) * 0x1p-149;
      slack[r] = e_a + e_f + 2 * u * (xn + cn_max);
    }
    if (pair_col.size() < n_pairs + 32 * (width + 16)) {
      pair_col.resize(2 * (n_pairs + 32 * (width + 16)));
      pair_row.resize(pair_col.size());
    }
    if (runner_up) {
      // From the second smallest approximate distance (the two smallest
      // lanes, or a lane's second): every column within twice the slack of it,
      // as it is itself within the slack of its column's exact distance.
      for (std::size_t r = 0; r < live; ++r) {
        float lanes[16];
        _mm512_storeu_ps(lanes, minima.lowest[r]);
        std::partial_sort(lanes, lanes + 2, lanes + 16);
        const float reference = std::min(lanes[1], _mm512_reduce_min_ps(minima.second[r]));
        const float limit = round_up(static_cast<double>(reference) + 2 * slack[r]);
        n_pairs +=
            append_candidates(approx.data() + r * approx_stride, width, limit, static_cast<std::uint32_t>(r0 + r),
                              pair_row.data() + n_pairs, pair_col.data() + n_pairs);
      }
      continue;
    }
    // Without a runner-up: each row's approximate nearest (a column of the
    // smallest approximate distance), exactly: f_ref. A column j can beat or
    // tie it only if f_j <= f_ref, so only if its approximate distance is at
    // most f_ref - ||x||^2 + E_a + e_f: f_j is at least the true distance less
    // e_f, and that less ||x||^2 is at least the approximate one less E_a.
    std::uint32_t nearest_row[32];
    std::uint32_t nearest_col[32];
    for (std::size_t r = 0; r < live; ++r) {
      const float reference = _mm512_reduce_min_ps(minima.lowest[r]);
      const auto lanes =
          static_cast<unsigned>(_mm512_cmp_ps_mask(minima.lowest[r], _mm512_set1_ps(reference), _CMP_EQ_OQ));
      const unsigned lane = lanes != 0 ? static_cast<unsigned>(__builtin_ctz(lanes)) : 0;
      std::int32_t at[16];
      _mm512_storeu_si512(at, minima.lowest_at[r]);
      nearest_row[r] = static_cast<std::uint32_t>(r0 + r);
      nearest_col[r] = static_cast<std::uint32_t>(at[lane]) + lane;
    }
    exact_pair_distances(rows, d, row_sq_norms, panel.row_major.data(), panel.sq_norms.data(), nearest_row, nearest_col,
                         live, best_dist + r0);
    for (std::size_t r = 0; r < live; ++r) {
      const std::size_t i = r0 + r;
      best[i] = static_cast<std::int32_t>(nearest_col[r]);
      const double limit_exact = static_cast<double>(best_dist[i]) - static_cast<double>(row_sq_norms[i]) + slack[r];
      const std::size_t first = n_pairs;
      if (std::isfinite(limit_exact)) {
        n_pairs +=
            append_candidates(approx.data() + r * approx_stride, width, round_up(limit_exact),
                              static_cast<std::uint32_t>(i), pair_row.data() + n_pairs, pair_col.data() + n_pairs);
      } else {  // overflowing norms: every column
        for (std::size_t j = 0; j < panel.k; ++j) {
          pair_row[n_pairs] = static_cast<std::uint32_t>(i);
          pair_col[n_pairs++] = static_cast<std::uint32_t>(j);
        }
      }
      // The approximate nearest is done.
      for (std::size_t p = first; p < n_pairs; ++p) {
        if (pair_col[p] == nearest_col[r]) {
          pair_col[p] = pair_col[--n_pairs];
          pair_row[p] = pair_row[n_pairs];
          break;
        }
      }
    }
  }
  if constexpr (Unit == FilterUnit::Amx) _tile_release();

  pair_dist.resize(n_pairs);
  exact_pair_distances(rows, d, row_sq_norms, panel.row_major.data(), panel.sq_norms.data(), pair_row.data(),
                       pair_col.data(), n_pairs, pair_dist.data());
  if (runner_up) {
    // Per row the first strictly smaller distance wins, so ties go to the
    // lowest column (the candidates are in column order), and the runner-up
    // is the smallest of the others (equal to the best on a tie).
    constexpr float kInfinity = std::numeric_limits<float>::infinity();
    std::fill(best_dist, best_dist + n_rows, kInfinity);
    std::fill(second_dist, second_dist + n_rows, kInfinity);
    for (std::size_t p = 0; p < n_pairs; ++p) {
      const std::uint32_t i = pair_row[p];
      const float v = pair_dist[p];
      if (v < best_dist[i]) {
        second_dist[i] = best_dist[i];
        best_dist[i] = v;
        best[i] = static_cast<std::int32_t>(pair_col[p]);
      } else if (v < second_dist[i]) {
        second_dist[i] = v;
      }
    }
    return;
  }
  // The float32 kernel takes the first strictly smaller column: on equal distances, the lowest column.
  for (std::size_t p = 0; p < n_pairs; ++p) {
    const std::uint32_t i = pair_row[p];
    const auto j = static_cast<std::int32_t>(pair_col[p]);
    const float v = pair_dist[p];
    if (v < best_dist[i] || (v == best_dist[i] && j < best[i])) {
      best_dist[i] = v;
      best[i] = j;
    }
  }
}

#pragma GCC diagnostic pop
#pragma GCC pop_options

#endif  // CENTRIX_FILTER_UNITS

Units detect_once() {
#ifdef CENTRIX_FILTER_UNITS
  static const Units units = detect_units();
  return units;
#else
  return Units{};
#endif
}

bool offers(FilterUnit unit) {
  const Units units = detect_once();
  return (unit == FilterUnit::Amx && units.amx) || (unit == FilterUnit::Avx512Bf16 && units.avx512_bf16) ||
         (unit == FilterUnit::Avx512Vnni && units.avx512_vnni);
}

FilterUnit choose_unit(std::size_t k, std::size_t d) {
  if (!filter_enabled.load(std::memory_order_relaxed)) return FilterUnit::None;
  const FilterUnit forced = forced_unit.load(std::memory_order_relaxed);
  if (forced != FilterUnit::None) return forced;
  const Units units = detect_once();
  if (units.amx) return k >= kAmxMinColumns && d >= kAmxMinDim ? FilterUnit::Amx : FilterUnit::None;
  if (k < kAvx512MinColumns) return FilterUnit::None;
  if (units.avx512_vnni && d >= kInt8MinDim && d <= kInt8MaxDim) return FilterUnit::Avx512Vnni;
  if (units.avx512_bf16 && d >= kBf16MinDim) return FilterUnit::Avx512Bf16;
  return FilterUnit::None;
}

}  // namespace

void set_filter_enabled(bool enabled) {
  filter_enabled.store(enabled, std::memory_order_relaxed);
}

std::vector<std::string> filter_units() {
  std::vector<std::string> out;
  for (const FilterUnit unit : {FilterUnit::Amx, FilterUnit::Avx512Vnni, FilterUnit::Avx512Bf16}) {
    if (offers(unit)) out.emplace_back(unit_name(unit));
  }
  return out;
}

void force_filter_unit(const std::string& unit) {
  FilterUnit chosen = FilterUnit::None;
  for (const FilterUnit u : {FilterUnit::Amx, FilterUnit::Avx512Vnni, FilterUnit::Avx512Bf16}) {
    if (unit == unit_name(u)) chosen = u;
  }
  if (!unit.empty() && !offers(chosen)) throw std::invalid_argument("this CPU or OS does not offer " + unit);
  forced_unit.store(chosen, std::memory_order_relaxed);
}

std::string filter_unit_for(std::size_t k, std::size_t d) {
  return unit_name(choose_unit(k, d));
}

void build_filter_columns([[maybe_unused]] const ColumnPanel<float>& panel, FilterColumns& out) {
  out = FilterColumns{};
#ifdef CENTRIX_FILTER_UNITS
  const FilterUnit unit = choose_unit(panel.k, panel.d);
  if (unit == FilterUnit::None) return;
  fill_filter_columns(panel, unit, out);
  out.unit = static_cast<std::uint8_t>(unit);
  out.with_runner_up = unit == FilterUnit::Amx && panel.k >= kAmxMinColumnsWithRunnerUp;
#endif
}

void nearest_columns_filtered([[maybe_unused]] const float* rows, [[maybe_unused]] std::size_t n_rows,
                              [[maybe_unused]] const float* row_sq_norms,
                              [[maybe_unused]] const ColumnPanel<float>& panel, [[maybe_unused]] std::int32_t* best,
                              [[maybe_unused]] float* best_dist, [[maybe_unused]] float* second_dist) {
#ifdef CENTRIX_FILTER_UNITS
  switch (static_cast<FilterUnit>(panel.filter.unit)) {
    case FilterUnit::Amx:
      nearest_filtered<FilterUnit::Amx>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
      break;
    case FilterUnit::Avx512Vnni:
      nearest_filtered<FilterUnit::Avx512Vnni>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
      break;
    case FilterUnit::Avx512Bf16:
      nearest_filtered<FilterUnit::Avx512Bf16>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
      break;
    case FilterUnit::None:
      break;
  }
#endif
}

}  // namespace centrix::kernels
