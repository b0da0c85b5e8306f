// The distance kernels against plain loops, over dimensions that hit every
// SIMD loop tail and odd numbers of rows and columns (after faiss's tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/buffer_cache.hpp"
#include "kernels/nearest.hpp"
#include "kernels/row_ops.hpp"

namespace centrix::kernels {
namespace {

template <class T>
void check_kernels(std::size_t n, std::size_t k, std::size_t d, DistanceForm form) {
  std::mt19937_64 gen(n * 1000003 + k * 1009 + d);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<T> rows(n * d), cols(k * d), norms(n);
  for (T& v : rows) v = static_cast<T>(u(gen));
  for (T& v : cols) v = static_cast<T>(u(gen));
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0;
    for (std::size_t t = 0; t < d; ++t)
      s += static_cast<double>(rows[i * d + t]) * static_cast<double>(rows[i * d + t]);
    norms[i] = static_cast<T>(s);
  }
  ColumnPanel<T> panel;
  panel.assign(cols.data(), k, d);
  std::vector<std::int32_t> best(n, -1);
  std::vector<T> best_dist(n);
  std::vector<T> all(n * k);
  nearest_columns(rows.data(), n, norms.data(), panel, form, best.data(), best_dist.data());
  all_distances(rows.data(), n, norms.data(), panel, form, all.data(), k);
  // Asking for the runner-up must not change the winner (Hamerly relies on it).
  std::vector<std::int32_t> best2(n, -1);
  std::vector<T> best_dist2(n), second(n);
  nearest_columns(rows.data(), n, norms.data(), panel, form, best2.data(), best_dist2.data(), second.data());
  ASSERT_EQ(best2, best);
  ASSERT_EQ(best_dist2, best_dist);
  // The lane kernels on the same rows as lane tiles: bitwise the panel kernel's labels, distances and
  // runners-up (Lloyd takes them for few centers, Hamerly and Yinyang the panel kernel and row_distances),
  // and every distance bitwise what row_distances gives (k-means++ reads them all).
  std::vector<T> tiles((n + kLaneTile<T> - 1) / kLaneTile<T> * kLaneTile<T> * d, T{-7});
  to_lane_tiles(rows.data(), n, d, tiles.data());
  std::vector<std::int32_t> lane_best(n, -1);
  std::vector<T> lane_dist(n), lane_second(n);
  nearest_columns_in_lanes(tiles.data(), n, norms.data(), panel, form, lane_best.data(), lane_dist.data());
  ASSERT_EQ(lane_best, best);
  ASSERT_EQ(lane_dist, best_dist);
  std::fill(lane_best.begin(), lane_best.end(), -1);
  nearest_columns_in_lanes(tiles.data(), n, norms.data(), panel, form, lane_best.data(), lane_dist.data(),
                           lane_second.data());
  ASSERT_EQ(lane_best, best);
  ASSERT_EQ(lane_dist, best_dist);
  ASSERT_EQ(lane_second, second);
  const std::size_t stride = (n + kLaneTile<T> - 1) / kLaneTile<T> * kLaneTile<T> + kLaneTile<T>;
  std::vector<T> by_column(k * stride, T{-7});
  distances_in_lanes(tiles.data(), n, norms.data(), panel, form, by_column.data(), stride);
  std::vector<T> expected(panel.k_padded);
  for (std::size_t i = 0; i < n; ++i) {
    row_distances(rows.data() + i * d, norms[i], panel, form, 0, panel.k_padded, expected.data());
    for (std::size_t j = 0; j < k; ++j)
      ASSERT_EQ(by_column[j * stride + i], expected[j]) << "row " << i << " col " << j;
  }
  for (std::size_t j = 0; j < k; ++j) {  // nothing past the tiles' rows is written
    for (std::size_t i = stride - kLaneTile<T>; i < stride; ++i) ASSERT_EQ(by_column[j * stride + i], T{-7});
  }
  // One row against all columns gives bitwise the values nearest_columns compared (Yinyang relies on it).
  std::vector<T> one_row(panel.k_padded);
  for (std::size_t i = 0; i < n; ++i) {
    row_distances(rows.data() + i * d, norms[i], panel, form, 0, panel.k_padded, one_row.data());
    const auto nearest = std::min_element(one_row.begin(), one_row.begin() + static_cast<std::ptrdiff_t>(k));
    ASSERT_EQ(*nearest, best_dist[i]) << "row " << i;
    ASSERT_EQ(nearest - one_row.begin(), best[i]) << "row " << i;
    for (std::size_t j = k; j < panel.k_padded; ++j) ASSERT_EQ(one_row[j], std::numeric_limits<T>::infinity());
  }
  const double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-10;
  for (std::size_t i = 0; i < n; ++i) {
    double ref_best = std::numeric_limits<double>::infinity();
    double ref_second = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < k; ++j) {
      double s = 0;
      for (std::size_t t = 0; t < d; ++t) {
        const double diff = static_cast<double>(rows[i * d + t]) - static_cast<double>(cols[j * d + t]);
        s += diff * diff;
      }
      ASSERT_NEAR(static_cast<double>(all[i * k + j]), s, tolerance * (1 + s)) << "row " << i << " col " << j;
      ref_second = std::min(ref_second, std::max(ref_best, s));
      ref_best = std::min(ref_best, s);
    }
    if (k == 1) {
      ASSERT_EQ(second[i], std::numeric_limits<T>::infinity());
    } else {
      ASSERT_NEAR(static_cast<double>(second[i]), ref_second, tolerance * (1 + ref_second)) << "row " << i;
    }
    ASSERT_GE(best[i], 0);
    ASSERT_LT(static_cast<std::size_t>(best[i]), k);
    // The chosen column is (one of) the nearest up to rounding.
    ASSERT_NEAR(static_cast<double>(best_dist[i]), ref_best, tolerance * (1 + ref_best)) << "row " << i;
  }
}

/// Runs `f` once under every SIMD target compiled in and supported by this
/// CPU, then restores the default choice.
template <class F>
void for_each_simd_target(F&& f) {
  const std::vector<SimdTarget> targets = simd_targets();
  ASSERT_FALSE(targets.empty());
  for (const SimdTarget& target : targets) {
    SCOPED_TRACE(target.name);
    restrict_simd_target(target.id);
    EXPECT_STREQ(active_simd_target(), target.name);
    f();
  }
  restrict_simd_target(0);
}

class KernelSweep : public ::testing::TestWithParam<std::size_t> {};

TEST_P(KernelSweep, NearestAndAllDistancesMatchPlainLoops) {
  const std::size_t d = GetParam();
  // n covers full row tiles (4 and 8 rows) and every remainder; k covers the dot kernel (k below a
  // vector), one and several column slabs, and padding. For the lane kernel, n covers pairs of lane
  // tiles, single and partial tiles, and passes of unequal width (k = 10, 17, 70) and full ones (k = 48).
  for_each_simd_target([&] {
    for (const auto& [n, k] : {std::pair<std::size_t, std::size_t>{1, 1},
                               {3, 5},
                               {17, 33},
                               {65, 7},
                               {130, 70},
                               {11, 15},
                               {9, 4},
                               {50, kLaneMaxColumns},
                               {33, 10},
                               {32, 17}}) {
      check_kernels<float>(n, k, d, DistanceForm::Direct);
      check_kernels<float>(n, k, d, DistanceForm::Expanded);
      check_kernels<double>(n, k, d, DistanceForm::Direct);
      check_kernels<double>(n, k, d, DistanceForm::Expanded);
    }
  });
}

#if defined(__x86_64__)
TEST(Kernels, EveryX86TargetIsCompiledIn) {
  // The sweep above is only as good as the targets it runs: on x86-64 the
  // portable fallback and SSE4 run on every machine we support, so at least two must be found.
  std::vector<std::string> names;
  for (const SimdTarget& target : simd_targets()) names.emplace_back(target.name);
  EXPECT_GE(names.size(), 2u);
  EXPECT_NE(std::find(names.begin(), names.end(), "SSE4"), names.end());
  // The portable fallback (Highway calls it SCALAR or EMU128 by version) comes last.
  ASSERT_FALSE(names.empty());
  EXPECT_TRUE(names.back() == "SCALAR" || names.back() == "EMU128") << names.back();
}
#endif

INSTANTIATE_TEST_SUITE_P(Dimensions, KernelSweep,
                         ::testing::Values(1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 784));

TEST(Kernels, TiesGoToTheLowestColumn) {
  // Two identical columns: the lower index must win, in both forms.
  const std::vector<double> cols = {1.0, 1.0, 0.0, 0.0, 0.0, 0.0};  // columns (1,1), (0,0), (0,0)
  const std::vector<double> rows = {0.1, 0.0};
  const std::vector<double> norms = {0.01};
  ColumnPanel<double> panel;
  panel.assign(cols.data(), 3, 2);
  for_each_simd_target([&] {
    for (DistanceForm form : {DistanceForm::Direct, DistanceForm::Expanded}) {
      std::int32_t best = -1;
      double dist = 0;
      nearest_columns(rows.data(), 1, norms.data(), panel, form, &best, &dist);
      EXPECT_EQ(best, 1);
    }
  });
}

TEST(Kernels, LaneTilesHoldTheRowsCoordinateMajor) {
  // to_lane_tiles against its definition: whole groups (the AVX-512 transpose takes 16 coordinates at a
  // time, so d = 16, 33 and 48 reach it and its tail), a partial last group padded with zeros.
  const auto check = [&]<class T>(std::size_t n, std::size_t d) {
    constexpr std::size_t W = kLaneTile<T>;
    std::vector<T> rows(n * d);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<T>(i + 1);
    const std::size_t groups = (n + W - 1) / W;
    std::vector<T> tiles(groups * W * d, T{-1});
    to_lane_tiles(rows.data(), n, d, tiles.data());
    for (std::size_t g = 0; g < groups; ++g) {
      for (std::size_t t = 0; t < d; ++t) {
        for (std::size_t r = 0; r < W; ++r) {
          const std::size_t i = g * W + r;
          ASSERT_EQ(tiles[g * d * W + t * W + r], i < n ? rows[i * d + t] : T{0})
              << "n " << n << " d " << d << " row " << i << " coordinate " << t;
        }
      }
    }
  };
  for (std::size_t n : {1, 15, 16, 17, 48, 50}) {
    for (std::size_t d : {1, 2, 15, 16, 17, 33, 48}) {
      check.operator()<float>(n, d);
      check.operator()<double>(n, d);
    }
  }
}

TEST(Kernels, TiesGoToTheLowestColumnInTheLaneKernel) {
  // Columns 1 and 3 identical and nearest; column 2 a copy of 0: the lowest of each tie must win.
  const std::size_t d = 3;
  const std::vector<double> cols = {5, 5, 5, 0, 0, 1, 5, 5, 5, 0, 0, 1};
  std::vector<double> rows(20 * d, 0.0);  // 20 rows: a whole tile of 8 doubles and a partial one
  std::vector<double> norms(20, 0.0);
  ColumnPanel<double> panel;
  panel.assign(cols.data(), 4, d);
  std::vector<double> tiles(24 * d);
  to_lane_tiles(rows.data(), 20, d, tiles.data());
  for_each_simd_target([&] {
    for (DistanceForm form : {DistanceForm::Direct, DistanceForm::Expanded}) {
      std::vector<std::int32_t> best(20, -1);
      std::vector<double> dist(20), second(20);
      nearest_columns_in_lanes(tiles.data(), 20, norms.data(), panel, form, best.data(), dist.data(), second.data());
      for (std::size_t i = 0; i < 20; ++i) {
        EXPECT_EQ(best[i], 1) << "row " << i;
        EXPECT_EQ(dist[i], 1.0);
        EXPECT_EQ(second[i], 1.0);  // the tie's other column is the runner-up
      }
    }
  });
}

TEST(Kernels, TiesGoToTheLowestColumnInTheDotKernel) {
  // d = 32 and k = 3 take the dot kernel (expanded form, k below a vector) on every target.
  const std::size_t d = 32;
  std::vector<float> cols(3 * d, 0.0f);
  for (std::size_t t = 0; t < d; ++t) cols[t] = 1.0f;  // column 0 far, columns 1 and 2 identical
  std::vector<float> row(d, 0.0f);
  row[0] = 0.25f;
  const float norm = 0.0625f;
  ColumnPanel<float> panel;
  panel.assign(cols.data(), 3, d);
  for_each_simd_target([&] {
    std::int32_t best = -1;
    float dist = 0;
    nearest_columns(row.data(), 1, &norm, panel, DistanceForm::Expanded, &best, &dist);
    EXPECT_EQ(best, 1);
  });
}

// The filter (nearest_filter.hpp), on every unit this CPU offers (the tile unit, vpdpbusd on int8, vdpbf16ps on
// bfloat16), must give bitwise the float32 kernel's labels and distances: on plain data, on exact ties (duplicate
// columns, rows on columns, lattices), near ties, far from the origin, at tiny and mixed scales, where int8 rounds
// worst (one large coordinate, values half a step apart), and at every tile edge of k and d.
std::vector<float> filter_case(const std::string& name, std::size_t count, std::size_t d, std::mt19937_64& gen) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<float> v(count * d);
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t t = 0; t < d; ++t) {
      double x = normal(gen);
      if (name == "lattice") x = std::round(2 * x);
      if (name == "far") x = 1000.0 + x;
      if (name == "tiny") x *= 1e-20;
      if (name == "subnormal") x *= 1e-41;  // every distance underflows to 0: all columns tie
      if (name == "mixed" && i % 5 == 0) x *= 1e4;
      if (name == "spiky" && t == i % d) x *= 1e3;  // int8's scale follows the spike: the rest rounds coarsely
      if (name == "half-steps") x = t == 0 ? 127.0 : std::round(100 * x) + 0.5;  // every value a rounding tie
      v[i * d + t] = static_cast<float>(x);
    }
  }
  return v;
}

void check_filter_against_float_kernel() {
  std::mt19937_64 gen(29);
  struct Case {
    std::string name;
    std::size_t n, k, d;
  };
  const std::vector<Case> cases = {
      {"normal", 300, 1000, 100}, {"normal", 70, 64, 32},       {"normal", 45, 65, 33},        {"normal", 37, 97, 784},
      {"normal", 33, 130, 64},    {"lattice", 200, 300, 40},    {"far", 150, 200, 50},         {"tiny", 100, 128, 48},
      {"mixed", 150, 250, 64},    {"duplicates", 200, 256, 64}, {"on-columns", 256, 256, 96},  {"rounding", 48, 64, 64},
      {"spiky", 120, 300, 100},   {"half-steps", 90, 256, 70},  {"row-rounding", 150, 256, 64},
      {"subnormal", 40, 100, 40}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) + " d=" + std::to_string(c.d));
    std::vector<float> cols = filter_case(c.name, c.k, c.d, gen);
    std::vector<float> rows = filter_case(c.name, c.n, c.d, gen);
    if (c.name == "duplicates") {
      // Columns repeat every 7 (exact ties), rows lie within 1e-6 of a column (near ties).
      for (std::size_t j = 7; j < c.k; ++j)
        std::copy_n(cols.begin() + static_cast<std::ptrdiff_t>((j % 7) * c.d), c.d,
                    cols.begin() + static_cast<std::ptrdiff_t>(j * c.d));
      for (std::size_t i = 0; i < c.n; ++i) {
        for (std::size_t t = 0; t < c.d; ++t) rows[i * c.d + t] = cols[(i % 7) * c.d + t] + 1e-6f * rows[i * c.d + t];
      }
    }
    if (c.name == "on-columns") std::copy_n(cols.begin(), c.n * c.d, rows.begin());  // distance 0: the clamp ties
    if (c.name == "row-rounding") {
      // Columns are integers below 128 in magnitude with a 127 in each (int8 holds them exactly); rows lie
      // near the midpoint of two columns, a near tie, with half-integer coordinates that int8 rounds by half a
      // step: only the rows' rounding error accounts for how far that moves the two distances apart.
      for (std::size_t j = 0; j < c.k; ++j) {
        for (std::size_t t = 0; t < c.d; ++t)
          cols[j * c.d + t] = t == 0 ? 127.0f : std::clamp(std::round(cols[j * c.d + t] * 40), -127.0f, 127.0f);
      }
      for (std::size_t i = 0; i < c.n; ++i) {
        const std::size_t a = 2 * i % c.k;
        const std::size_t b = (2 * i + 1) % c.k;
        for (std::size_t t = 0; t < c.d; ++t)
          rows[i * c.d + t] = (cols[a * c.d + t] + cols[b * c.d + t]) / 2 + 1e-3f * rows[i * c.d + t];
      }
    }
    if (c.name == "rounding") {
      // Even columns are 1 + 2^-8 - 2^-20 everywhere, which bfloat16 rounds down to 1 (the largest relative
      // error it makes), odd ones exactly 1; rows are a constant a > 1. The even columns are nearer, yet
      // their approximate distances exceed the odd ones' by d 2^-7: the band must reach that far.
      for (std::size_t j = 0; j < c.k; ++j) {
        std::fill_n(cols.begin() + static_cast<std::ptrdiff_t>(j * c.d), c.d,
                    j % 2 == 0 ? 1.0f + 0x1p-8f - 0x1p-20f : 1.0f);
      }
      for (std::size_t i = 0; i < c.n; ++i) {
        std::fill_n(rows.begin() + static_cast<std::ptrdiff_t>(i * c.d), c.d, 1.0f + static_cast<float>(i) / 16.0f);
      }
    }
    std::vector<float> norms(c.n);
    for (std::size_t i = 0; i < c.n; ++i) {
      double s = 0;
      for (std::size_t t = 0; t < c.d; ++t) s += static_cast<double>(rows[i * c.d + t]) * rows[i * c.d + t];
      norms[i] = static_cast<float>(s);
    }
    ColumnPanel<float> filtered;
    filtered.assign(cols.data(), c.k, c.d);  // through the forced unit, whether it pays for this shape or not
    ASSERT_TRUE(filtered.filter.ready());
    set_filter_enabled(false);
    ColumnPanel<float> plain;
    plain.assign(cols.data(), c.k, c.d);
    set_filter_enabled(true);
    ASSERT_FALSE(plain.filter.ready());
    std::vector<std::int32_t> best_filtered(c.n, -1), best_plain(c.n, -2);
    std::vector<float> dist_filtered(c.n), dist_plain(c.n);
    nearest_columns(rows.data(), c.n, norms.data(), filtered, DistanceForm::Expanded, best_filtered.data(),
                    dist_filtered.data());
    nearest_columns(rows.data(), c.n, norms.data(), plain, DistanceForm::Expanded, best_plain.data(),
                    dist_plain.data());
    EXPECT_EQ(best_filtered, best_plain);
    for (std::size_t i = 0; i < c.n; ++i) {
      ASSERT_EQ(std::signbit(dist_filtered[i]), std::signbit(dist_plain[i])) << "row " << i;
      ASSERT_EQ(dist_filtered[i], dist_plain[i]) << "row " << i;
    }
    // With the runner-up (Hamerly's bounds): the same labels, distances and runners-up. Called directly, as
    // nearest_columns takes the filter for the runner-up only on the tile unit, from k = 512 on.
    std::vector<float> second_filtered(c.n), second_plain(c.n);
    nearest_columns_filtered(rows.data(), c.n, norms.data(), filtered, best_filtered.data(), dist_filtered.data(),
                             second_filtered.data());
    nearest_columns(rows.data(), c.n, norms.data(), plain, DistanceForm::Expanded, best_plain.data(), dist_plain.data(),
                    second_plain.data());
    EXPECT_EQ(best_filtered, best_plain);
    EXPECT_EQ(dist_filtered, dist_plain);
    EXPECT_EQ(second_filtered, second_plain);
  }
}

TEST(Kernels, FilterGivesTheFloatKernelsBits) {
  if (filter_units().empty()) GTEST_SKIP() << "this CPU or OS has neither AMX nor AVX512-VNNI nor AVX512-BF16";
  for (const std::string& unit : filter_units()) {
    SCOPED_TRACE(unit);
    force_filter_unit(unit);
    check_filter_against_float_kernel();
  }
  force_filter_unit("");
}

}  // namespace
}  // namespace centrix::kernels

namespace centrix {
namespace {

// add_scaled_rows keeps its sums in registers; element by element it must still add w * x row after row, in
// the given order: bitwise the plain loop's sums and add_scaled_row's, for every width (narrow, full vectors, vectors
// and a tail), with and without weights, rows in any order and repeated. The AVX2 and AVX-512 variants fuse the
// multiply and the add, the baseline does not: every sum must match one of the two plain loops, the same one for all.
template <class T>
void check_add_scaled_rows() {
  std::mt19937_64 gen(17);
  std::normal_distribution<double> normal(3.0, 2.0);
  const std::size_t n = 41;
  const std::size_t stride = 70;  // wider than any width, so rows do not touch
  std::vector<T> data(n * stride);
  for (T& v : data) v = static_cast<T>(normal(gen));
  std::vector<double> weights(n);
  for (double& w : weights) w = std::abs(normal(gen));
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < 57; ++r) rows.push_back((r * 23 + 5) % n);
  int fused_seen = 0;
  int unfused_seen = 0;
  for (std::size_t offset : {0, 3}) {
    for (std::size_t width = 1; width <= kernels::kScaledRowsWidth; ++width) {
      for (const double* w : {static_cast<const double*>(nullptr), static_cast<const double*>(weights.data())}) {
        std::vector<double> start(width);
        for (double& v : start) v = normal(gen);
        std::vector<double> fused = start;
        std::vector<double> unfused = start;
        for (std::size_t r : rows) {
          const double weight = w != nullptr ? w[r] : 1.0;
          for (std::size_t t = 0; t < width; ++t) {
            const auto x = static_cast<double>(data[r * stride + offset + t]);
            fused[t] = std::fma(weight, x, fused[t]);
            const volatile double product = weight * x;  // volatile: never contracted
            unfused[t] = unfused[t] + product;
          }
        }
        std::vector<double> got = start;
        kernels::add_scaled_rows(got.data(), data.data() + offset, stride, rows.data(), rows.size(), w, width);
        // One row at a time through add_scaled_row_dispatched: the same bits.
        std::vector<double> row_by_row = start;
        for (std::size_t r : rows) {
          kernels::add_scaled_row_dispatched(row_by_row.data(), data.data() + r * stride + offset,
                                             w != nullptr ? w[r] : 1.0, width);
        }
        EXPECT_EQ(row_by_row, got) << "add_scaled_row, width " << width << (w ? " weighted" : "");
        const bool as_fused = got == fused;
        const bool as_unfused = got == unfused;
        EXPECT_TRUE(as_fused || as_unfused) << "width " << width << (w ? " weighted" : "");
        if (w != nullptr) {
          fused_seen += as_fused && !as_unfused;
          unfused_seen += as_unfused && !as_fused;
        }
      }
    }
  }
  EXPECT_TRUE(fused_seen == 0 || unfused_seen == 0) << fused_seen << " fused, " << unfused_seen << " unfused";
}

TEST(Kernels, AddScaledRowsIsBitwiseRowAfterRow) {
  check_add_scaled_rows<float>();
  check_add_scaled_rows<double>();
}

// shift_rows and sq_distances_to_labelled work on four rows side by side; each row must still come out
// bitwise as it does alone (so a row's frame values and norms never depend on its neighbours, the block
// size or the thread count), and close to the plain double loop (the SIMD variants fuse multiply-adds).
template <class T>
void check_rows_side_by_side() {
  std::mt19937_64 gen(29);
  std::normal_distribution<double> normal(5.0, 3.0);
  for (std::size_t d : {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 784}) {
    const std::size_t n = 11;  // two groups of four and three rows alone
    const std::size_t stride = d + 3;
    std::vector<T> data(n * stride);
    for (T& v : data) v = static_cast<T>(normal(gen));
    // Origins hold T values, as frames' do (shift_rows needs that of float rows); the first columns also
    // try an origin far below the rows' values, and a row value far below the origin's.
    std::vector<double> origin(d);
    for (double& o : origin) o = static_cast<double>(static_cast<T>(normal(gen)));
    origin[0] = static_cast<double>(static_cast<T>(3e-12));
    if (d > 1) data[1] = static_cast<T>(7e-13);
    std::vector<double> divisors(n);
    for (double& v : divisors) v = 1.0 + std::abs(normal(gen));
    std::vector<std::int32_t> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<std::int32_t>((i * 5) % 3);
    std::vector<double> centers(3 * d);
    for (double& c : centers) c = normal(gen);
    for (const double* div : {static_cast<const double*>(nullptr), static_cast<const double*>(divisors.data())}) {
      std::vector<T> out(n * d);
      std::vector<double> norms(n);
      kernels::shift_rows(data.data(), stride, n, div, origin.data(), d, out.data(), norms.data());
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<T> alone(d);
        double alone_norm = 0;
        kernels::shift_rows(data.data() + i * stride, stride, 1, div != nullptr ? div + i : nullptr, origin.data(), d,
                            alone.data(), &alone_norm);
        EXPECT_TRUE(std::equal(alone.begin(), alone.end(), out.begin() + static_cast<std::ptrdiff_t>(i * d)))
            << "d " << d << " row " << i;
        EXPECT_EQ(alone_norm, norms[i]) << "d " << d << " row " << i;
        double plain_norm = 0;
        for (std::size_t t = 0; t < d; ++t) {
          const double x = static_cast<double>(data[i * stride + t]);
          const auto expected = static_cast<T>((div != nullptr ? x / div[i] : x) - origin[t]);
          EXPECT_EQ(out[i * d + t], expected) << "d " << d << " row " << i << " column " << t;
          plain_norm += static_cast<double>(expected) * static_cast<double>(expected);
        }
        EXPECT_NEAR(norms[i], plain_norm, 1e-13 * plain_norm) << "d " << d << " row " << i;
      }
    }
    std::vector<double> distances(n);
    kernels::sq_distances_to_labelled(data.data(), stride, n, centers.data(), labels.data(), d, distances.data());
    for (std::size_t i = 0; i < n; ++i) {
      const double* c = centers.data() + static_cast<std::size_t>(labels[i]) * d;
      EXPECT_EQ(distances[i], kernels::sq_distance_to_point(data.data() + i * stride, c, d)) << "d " << d;
      double plain = 0;
      for (std::size_t t = 0; t < d; ++t) {
        const double diff = static_cast<double>(data[i * stride + t]) - c[t];
        plain += diff * diff;
      }
      EXPECT_NEAR(distances[i], plain, 1e-13 * plain) << "d " << d << " row " << i;
    }
    // Squared norms alone: bitwise those shift_rows gives at a zero origin (a frame of the data in place
    // holds them, and loaded blocks must agree with it).
    const std::vector<double> zero(d, 0.0);
    std::vector<T> copy(n * d);
    std::vector<double> shifted_norms(n);
    std::vector<double> sq_norms(n);
    kernels::shift_rows(data.data(), stride, n, nullptr, zero.data(), d, copy.data(), shifted_norms.data());
    kernels::sq_norms(data.data(), stride, n, d, sq_norms.data());
    EXPECT_EQ(sq_norms, shifted_norms) << "d " << d;
    // Cosine distances to unit centers, against the plain loop.
    std::vector<double> unit = centers;
    for (std::size_t j = 0; j < 3; ++j) {
      double sq = 0;
      for (std::size_t t = 0; t < d; ++t) sq += unit[j * d + t] * unit[j * d + t];
      for (std::size_t t = 0; t < d; ++t) unit[j * d + t] /= std::sqrt(sq);
    }
    std::vector<double> cosine(n);
    kernels::cosine_distances_to_labelled(data.data(), stride, n, unit.data(), labels.data(), d, cosine.data());
    for (std::size_t i = 0; i < n; ++i) {
      const double* c = unit.data() + static_cast<std::size_t>(labels[i]) * d;
      double dot = 0;
      double sq = 0;
      for (std::size_t t = 0; t < d; ++t) {
        dot += static_cast<double>(data[i * stride + t]) * c[t];
        sq += static_cast<double>(data[i * stride + t]) * static_cast<double>(data[i * stride + t]);
      }
      EXPECT_NEAR(cosine[i], 1.0 - dot / std::sqrt(sq), 1e-13) << "d " << d << " row " << i;
      double alone = 0;
      kernels::cosine_distances_to_labelled(data.data() + i * stride, stride, 1, unit.data(), labels.data() + i, d,
                                            &alone);
      EXPECT_EQ(cosine[i], alone) << "d " << d << " row " << i;
    }
  }
}

TEST(Kernels, RowsSideBySideComeOutAsAlone) {
  check_rows_side_by_side<float>();
  check_rows_side_by_side<double>();
}

TEST(BufferCache, KeepsLargeBuffersForTheSameSizeUpToItsCap) {
  using namespace detail;
  const std::size_t before = cached_bytes_kept();
  const std::size_t large = kCachedFromBytes + 4096;
  void* a = cached_allocate(large);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 64, 0u);
  static_cast<char*>(a)[large - 1] = 1;
  cached_release(a, large);
  EXPECT_EQ(cached_bytes_kept(), before + large);
  void* other_size = cached_allocate(large + 64);  // not the kept one
  EXPECT_NE(other_size, a);
  void* again = cached_allocate(large);  // the kept one
  EXPECT_EQ(again, a);
  EXPECT_EQ(cached_bytes_kept(), before);
  cached_release(other_size, large + 64);
  cached_release(again, large);
  // Small buffers and buffers over the cap are freed at once.
  void* small = cached_allocate(64);
  cached_release(small, 64);
  void* huge = cached_allocate(kCachedBytes + 64);
  cached_release(huge, kCachedBytes + 64);
  EXPECT_EQ(cached_bytes_kept(), before + 2 * large + 64);
  // Filling the cache evicts the oldest buffers: it never keeps more than its cap.
  std::vector<void*> many;
  for (std::size_t i = 0; i < kCachedBytes / kCachedFromBytes + 2; ++i)
    many.push_back(cached_allocate(kCachedFromBytes));
  for (void* p : many) cached_release(p, kCachedFromBytes);
  EXPECT_LE(cached_bytes_kept(), kCachedBytes);
  EXPECT_GT(cached_bytes_kept(), kCachedBytes - kCachedFromBytes);
}

}  // namespace
}  // namespace centrix
