// The distance kernels against plain loops, over dimensions that hit every
// SIMD loop tail and odd numbers of rows and columns (after faiss's tests).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
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
  const double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-10;
  for (std::size_t i = 0; i < n; ++i) {
    double ref_best = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < k; ++j) {
      double s = 0;
      for (std::size_t t = 0; t < d; ++t) {
        const double diff = static_cast<double>(rows[i * d + t]) - static_cast<double>(cols[j * d + t]);
        s += diff * diff;
      }
      ASSERT_NEAR(static_cast<double>(all[i * k + j]), s, tolerance * (1 + s)) << "row " << i << " col " << j;
      ref_best = std::min(ref_best, s);
    }
    ASSERT_GE(best[i], 0);
    ASSERT_LT(static_cast<std::size_t>(best[i]), k);
    // The chosen column is (one of) the nearest up to rounding.
    ASSERT_NEAR(static_cast<double>(best_dist[i]), ref_best, tolerance * (1 + ref_best)) << "row " << i;
  }
}

class KernelSweep : public ::testing::TestWithParam<std::size_t> {};

TEST_P(KernelSweep, NearestAndAllDistancesMatchPlainLoops) {
  const std::size_t d = GetParam();
  for (const auto& [n, k] : {std::pair<std::size_t, std::size_t>{1, 1}, {3, 5}, {17, 33}, {65, 7}, {130, 70}}) {
    check_kernels<float>(n, k, d, DistanceForm::Direct);
    check_kernels<float>(n, k, d, DistanceForm::Expanded);
    check_kernels<double>(n, k, d, DistanceForm::Direct);
    check_kernels<double>(n, k, d, DistanceForm::Expanded);
  }
}

INSTANTIATE_TEST_SUITE_P(Dimensions, KernelSweep,
                         ::testing::Values(1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 784));

TEST(Kernels, TiesGoToTheLowestColumn) {
  // Two identical columns: the lower index must win, in both forms.
  const std::vector<double> cols = {1.0, 1.0, 0.0, 0.0, 0.0, 0.0};  // columns (1,1), (0,0), (0,0)
  const std::vector<double> rows = {0.1, 0.0};
  const std::vector<double> norms = {0.01};
  ColumnPanel<double> panel;
  panel.assign(cols.data(), 3, 2);
  for (DistanceForm form : {DistanceForm::Direct, DistanceForm::Expanded}) {
    std::int32_t best = -1;
    double dist = 0;
    nearest_columns(rows.data(), 1, norms.data(), panel, form, &best, &dist);
    EXPECT_EQ(best, 1);
  }
}

}  // namespace
}  // namespace centrix::kernels
