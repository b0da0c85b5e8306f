// The distance kernels against plain loops, over dimensions that hit every
// SIMD loop tail and odd numbers of rows and columns (after faiss's tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/nearest.hpp"

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
  // vector), one and several column slabs, and padding.
  for_each_simd_target([&] {
    for (const auto& [n, k] :
         {std::pair<std::size_t, std::size_t>{1, 1}, {3, 5}, {17, 33}, {65, 7}, {130, 70}, {11, 15}, {9, 4}}) {
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

}  // namespace
}  // namespace centrix::kernels
