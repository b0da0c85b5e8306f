// PCA: orthonormal components by decreasing variance, signed deterministically,
// against hand-made cases and a plain reference computation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/pca.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

/// n x d rows with independent normal columns of standard deviations `scales`, then rotated by a random
/// orthogonal matrix (Gram-Schmidt of normal vectors) and shifted: distinct, known variances.
Matrix<double> structured(std::size_t n, const std::vector<double>& scales, std::uint64_t seed) {
  const std::size_t d = scales.size();
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> basis(d * d);
  for (double& v : basis) v = normal(gen);
  for (std::size_t a = 0; a < d; ++a) {
    double* u = &basis[a * d];
    for (std::size_t b = 0; b < a; ++b) {
      const double* w = &basis[b * d];
      const double dot = std::inner_product(u, u + d, w, 0.0);
      for (std::size_t t = 0; t < d; ++t) u[t] -= dot * w[t];
    }
    const double norm = std::sqrt(std::inner_product(u, u + d, u, 0.0));
    for (std::size_t t = 0; t < d; ++t) u[t] /= norm;
  }
  Matrix<double> x(n, d);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t a = 0; a < d; ++a) {
      const double z = scales[a] * normal(gen);
      for (std::size_t t = 0; t < d; ++t) x(i, t) += z * basis[a * d + t];
    }
    for (std::size_t t = 0; t < d; ++t) x(i, t) += 10.0 + static_cast<double>(t);
  }
  return x;
}

std::vector<double> decreasing_scales(std::size_t d) {
  std::vector<double> scales(d);
  for (std::size_t a = 0; a < d; ++a) scales[a] = 5.0 / (1.0 + static_cast<double>(a));
  return scales;
}

double dot(const double* a, const double* b, std::size_t d) {
  return std::inner_product(a, a + d, b, 0.0);
}

void expect_orthonormal(const Pca& p, double tolerance) {
  const std::size_t k = p.components.rows;
  const std::size_t d = p.components.cols;
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b <= a; ++b) {
      EXPECT_NEAR(dot(p.components.row(a), p.components.row(b), d), a == b ? 1.0 : 0.0, tolerance) << a << "," << b;
    }
  }
}

TEST(Pca, ComponentsAreOrthonormalAndVariancesDecrease) {
  for (std::size_t d : {1U, 2U, 3U, 7U, 20U, 37U}) {
    const auto x = structured(1500, decreasing_scales(d), d);
    PcaOptions options;
    options.n_components = std::min<std::size_t>(d, 5);
    const Pca p = pca(x.view(), options);
    ASSERT_EQ(p.components.rows, options.n_components);
    ASSERT_EQ(p.components.cols, d);
    ASSERT_EQ(p.mean.size(), d);
    ASSERT_EQ(p.explained_variance.size(), options.n_components);
    expect_orthonormal(p, 1e-12);
    double sum = 0;
    for (std::size_t c = 0; c < options.n_components; ++c) {
      if (c > 0) {
        EXPECT_GE(p.explained_variance[c - 1], p.explained_variance[c]);
      }
      EXPECT_GE(p.explained_variance_ratio[c], 0.0);
      sum += p.explained_variance_ratio[c];
    }
    EXPECT_LE(sum, 1.0 + 1e-12);
  }
}

TEST(Pca, MatchesAPlainCovarianceComputation) {
  // Against the definitions: the mean, and for each component v: Cov v = variance v.
  const std::size_t n = 2049;  // chunks of 256 rows and a short last one
  const std::size_t d = 41;    // padding in every tile shape
  const auto x = structured(n, decreasing_scales(d), 5);
  PcaOptions options;
  options.n_components = 6;
  const Pca p = pca(x.view(), options);
  std::vector<double> mean(d, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < d; ++t) mean[t] += x(i, t) / static_cast<double>(n);
  }
  for (std::size_t t = 0; t < d; ++t) EXPECT_NEAR(p.mean[t], mean[t], 1e-12 * (1 + std::abs(mean[t])));
  std::vector<double> cov(d * d, 0.0);
  double trace = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t a = 0; a < d; ++a) {
      for (std::size_t b = 0; b < d; ++b) {
        cov[a * d + b] += (x(i, a) - mean[a]) * (x(i, b) - mean[b]) / static_cast<double>(n - 1);
      }
    }
  }
  for (std::size_t a = 0; a < d; ++a) trace += cov[a * d + a];
  for (std::size_t c = 0; c < options.n_components; ++c) {
    const double* v = p.components.row(c);
    for (std::size_t a = 0; a < d; ++a) {
      EXPECT_NEAR(dot(&cov[a * d], v, d), p.explained_variance[c] * v[a], 1e-10 * trace) << "component " << c;
    }
    EXPECT_NEAR(p.explained_variance_ratio[c], p.explained_variance[c] / trace, 1e-14);
  }
}

TEST(Pca, AllComponentsExplainAllTheVariance) {
  const auto x = structured(800, decreasing_scales(9), 3);
  PcaOptions options;
  options.n_components = 9;
  const Pca p = pca(x.view(), options);
  EXPECT_NEAR(std::accumulate(p.explained_variance_ratio.begin(), p.explained_variance_ratio.end(), 0.0), 1.0, 1e-12);
  expect_orthonormal(p, 1e-12);
}

TEST(Pca, PointsOnALineHaveOneComponentAlongIt) {
  // Points a + s (1, 2, 2) / 3 for several s: all variance along that direction.
  std::vector<double> values;
  const std::vector<double> direction = {1.0 / 3, 2.0 / 3, 2.0 / 3};
  for (double s : {-3.0, -1.0, 0.5, 2.0, 4.5, 7.0}) {
    for (std::size_t t = 0; t < 3; ++t) values.push_back(1.0 + static_cast<double>(t) + s * direction[t]);
  }
  PcaOptions options;
  options.n_components = 2;
  const Pca p = pca(MatrixView<double>(values.data(), 6, 3), options);
  for (std::size_t t = 0; t < 3; ++t) EXPECT_NEAR(p.components(0, t), direction[t], 1e-12);
  EXPECT_NEAR(p.explained_variance_ratio[0], 1.0, 1e-12);
  EXPECT_NEAR(p.explained_variance_ratio[1], 0.0, 1e-12);
  // Variance of s (divisor n - 1).
  const std::vector<double> s = {-3.0, -1.0, 0.5, 2.0, 4.5, 7.0};
  const double mean_s = std::accumulate(s.begin(), s.end(), 0.0) / 6;
  double var_s = 0;
  for (double v : s) var_s += (v - mean_s) * (v - mean_s) / 5;
  EXPECT_NEAR(p.explained_variance[0], var_s, 1e-12 * var_s);
  // The points project to their positions along the line, about the mean.
  const Matrix<double> projected = p.transform(MatrixView<double>(values.data(), 6, 3));
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_NEAR(projected(i, 0), s[i] - mean_s, 1e-12);
    EXPECT_NEAR(projected(i, 1), 0.0, 1e-12);
  }
}

TEST(Pca, LargestLoadingIsPositive) {
  // The line's direction is (-1, 3, -2): the largest loading (3) must come out positive, whichever sign the
  // solver gives; with data mirrored through the origin too.
  for (double flip : {1.0, -1.0}) {
    std::vector<double> values;
    for (double s : {-2.0, 0.0, 1.0, 5.0}) {
      values.push_back(flip * -1.0 * s);
      values.push_back(flip * 3.0 * s);
      values.push_back(flip * -2.0 * s);
    }
    PcaOptions options;
    options.n_components = 1;
    const Pca p = pca(MatrixView<double>(values.data(), 4, 3), options);
    const double norm = std::sqrt(14.0);
    EXPECT_NEAR(p.components(0, 0), -1.0 / norm, 1e-12);
    EXPECT_NEAR(p.components(0, 1), 3.0 / norm, 1e-12);
    EXPECT_NEAR(p.components(0, 2), -2.0 / norm, 1e-12);
  }
  // Every component of a random fit: its largest-magnitude loading is positive.
  const auto x = structured(500, decreasing_scales(12), 9);
  PcaOptions options;
  options.n_components = 12;
  const Pca p = pca(x.view(), options);
  for (std::size_t c = 0; c < 12; ++c) {
    const double* v = p.components.row(c);
    const auto largest = std::max_element(v, v + 12, [](double a, double b) { return std::abs(a) < std::abs(b); });
    EXPECT_GT(*largest, 0.0) << "component " << c;
  }
}

TEST(Pca, TiesInMagnitudeMakeTheFirstLoadingPositive) {
  // Along (1, -1): both loadings have magnitude 1/sqrt(2); the first is made positive.
  std::vector<double> values = {0, 0, 1, -1, 2, -2, 3, -3};
  PcaOptions options;
  options.n_components = 1;
  const Pca p = pca(MatrixView<double>(values.data(), 4, 2), options);
  EXPECT_GT(p.components(0, 0), 0.0);
  EXPECT_NEAR(p.components(0, 0), -p.components(0, 1), 1e-15);
}

TEST(Pca, OneAndTwoThreadsGiveBitwiseEqualResults) {
  // Few columns (several chunks at once, enough rows for two threads to start), a count of tiles that
  // takes one thread through the other path than two, and many tiles.
  const std::vector<std::pair<std::size_t, std::size_t>> shapes = {{600000, 1}, {200000, 2}, {60000, 3},
                                                                   {5000, 20},  {5000, 50},  {5000, 130}};
  for (const auto& [n, d] : shapes) {
    const auto x = structured(n, decreasing_scales(d), 40 + d);
    PcaOptions options;
    options.n_components = std::min<std::size_t>(d, 3);
    options.n_threads = 1;
    const Pca one = pca(x.view(), options);
    options.n_threads = 2;
    const Pca two = pca(x.view(), options);
    EXPECT_EQ(std::memcmp(one.mean.data(), two.mean.data(), d * sizeof(double)), 0) << d;
    EXPECT_EQ(std::memcmp(one.components.values.data(), two.components.values.data(),
                          one.components.values.size() * sizeof(double)),
              0)
        << d;
    EXPECT_EQ(std::memcmp(one.explained_variance.data(), two.explained_variance.data(),
                          one.explained_variance.size() * sizeof(double)),
              0)
        << d;
    const Matrix<double> a = one.transform(x.view());
    const Matrix<double> b = two.transform(x.view());
    EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)), 0) << d;
  }
}

TEST(Pca, SampleIsSeededAndCloseToTheFullFit) {
  const auto x = structured(20000, {6.0, 3.0, 1.0, 0.5, 0.2}, 11);
  PcaOptions options;
  options.n_components = 3;
  const Pca full = pca(x.view(), options);
  options.max_rows = 4000;
  options.seed = 5;
  const Pca a = pca(x.view(), options);
  const Pca b = pca(x.view(), options);
  EXPECT_EQ(a.components.values, b.components.values);  // the same seed, the same sample
  EXPECT_EQ(a.mean, b.mean);
  options.seed = 6;
  const Pca c = pca(x.view(), options);
  EXPECT_NE(a.mean, c.mean);  // another seed, another sample
  for (const Pca* sampled : {&a, &c}) {
    EXPECT_NE(sampled->mean, full.mean);
    for (std::size_t k = 0; k < 3; ++k) {
      // Well-separated variances: the sampled directions are those of the full fit, with the same sign.
      EXPECT_GT(dot(sampled->components.row(k), full.components.row(k), 5), 0.99) << "component " << k;
      EXPECT_NEAR(sampled->explained_variance_ratio[k], full.explained_variance_ratio[k], 0.02);
    }
  }
  // max_rows at least n uses every row.
  options.max_rows = 20000;
  EXPECT_EQ(pca(x.view(), options).components.values, full.components.values);
}

TEST(Pca, TransformOfTheMeanIsZero) {
  const auto x = structured(1000, decreasing_scales(6), 12);
  PcaOptions options;
  options.n_components = 4;
  const Pca p = pca(x.view(), options);
  const Matrix<double> at_mean = p.transform(MatrixView<double>(p.mean.data(), 1, 6));
  ASSERT_EQ(at_mean.rows, 1U);
  ASSERT_EQ(at_mean.cols, 4U);
  for (double v : at_mean.values) EXPECT_EQ(v, 0.0);
  // And a row's coordinates are its centered dot products with the components.
  const Matrix<double> projected = p.transform(x.view());
  for (std::size_t i : {0U, 1U, 999U}) {
    for (std::size_t c = 0; c < 4; ++c) {
      double expected = 0;
      for (std::size_t t = 0; t < 6; ++t) expected += (x(i, t) - p.mean[t]) * p.components(c, t);
      EXPECT_NEAR(projected(i, c), expected, 1e-12);
    }
  }
}

TEST(Pca, Float32InputMatchesFloat64OfTheSameValues) {
  const auto x = structured(3000, decreasing_scales(10), 13);
  std::vector<float> f(x.values.size());
  std::transform(x.values.begin(), x.values.end(), f.begin(), [](double v) { return static_cast<float>(v); });
  std::vector<double> widened(f.begin(), f.end());
  PcaOptions options;
  options.n_components = 3;
  const Pca from_float = pca(MatrixView<float>(f.data(), 3000, 10), options);
  const Pca from_double = pca(MatrixView<double>(widened.data(), 3000, 10), options);
  // Computed in double either way: the same numbers.
  EXPECT_EQ(from_float.components.values, from_double.components.values);
  EXPECT_EQ(from_float.explained_variance, from_double.explained_variance);
  const Matrix<double> a = from_float.transform(MatrixView<float>(f.data(), 3000, 10));
  const Matrix<double> b = from_double.transform(MatrixView<double>(widened.data(), 3000, 10));
  EXPECT_EQ(a.values, b.values);
}

TEST(Pca, OneRowOrConstantDataHasZeroVariance) {
  std::vector<double> one = {1.0, 2.0, 3.0};
  PcaOptions options;
  options.n_components = 2;
  const Pca p = pca(MatrixView<double>(one.data(), 1, 3), options);
  EXPECT_EQ(p.mean, one);
  EXPECT_EQ(p.explained_variance, (std::vector<double>{0.0, 0.0}));
  EXPECT_EQ(p.explained_variance_ratio, (std::vector<double>{0.0, 0.0}));
  expect_orthonormal(p, 1e-15);
  std::vector<double> constant(30, 4.0);
  const Pca q = pca(MatrixView<double>(constant.data(), 10, 3), options);
  EXPECT_EQ(q.explained_variance_ratio, (std::vector<double>{0.0, 0.0}));
  expect_orthonormal(q, 1e-15);
}

TEST(Pca, BadInputThrowsOneLine) {
  const auto message = [](auto&& f) {
    try {
      f();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::vector<double> values = {1, 2, 3, 4, 5, 6};
  PcaOptions options;
  options.n_components = 1;
  EXPECT_NE(message([&] { (void)pca(MatrixView<double>(values.data(), 0, 3), options); }).find("no rows"),
            std::string::npos);
  EXPECT_NE(message([&] { (void)pca(MatrixView<double>(values.data(), 2, 0), options); }).find("no columns"),
            std::string::npos);
  options.n_components = 0;
  EXPECT_NE(message([&] { (void)pca(MatrixView<double>(values.data(), 2, 3), options); }).find("n_components"),
            std::string::npos);
  options.n_components = 4;
  EXPECT_NE(message([&] {
              (void)pca(MatrixView<double>(values.data(), 2, 3), options);
            }).find("n_components = 4 is larger than the number of columns (3)"),
            std::string::npos);
  options.n_components = 1;
  values[4] = NAN;
  EXPECT_NE(
      message([&] { (void)pca(MatrixView<double>(values.data(), 2, 3), options); }).find("NaN at row 1, column 1"),
      std::string::npos);
  std::vector<float> infinite = {1, 2, INFINITY, 4};
  EXPECT_NE(message([&] {
              (void)pca(MatrixView<float>(infinite.data(), 2, 2), options);
            }).find("infinity at row 1, column 0"),
            std::string::npos);
  // transform: the fit's column count, finite values.
  values[4] = 5;
  const Pca p = pca(MatrixView<double>(values.data(), 2, 3), options);
  EXPECT_NE(message([&] { (void)p.transform(MatrixView<double>(values.data(), 3, 2)); }).find("columns"),
            std::string::npos);
  EXPECT_NE(message([&] { (void)Pca{}.transform(MatrixView<double>(values.data(), 2, 3)); }).find("before fitting"),
            std::string::npos);
  for (const std::string& m : {message([&] { (void)pca(MatrixView<double>(values.data(), 0, 3), options); }),
                               message([&] { (void)p.transform(MatrixView<double>(values.data(), 3, 2)); })}) {
    EXPECT_EQ(m.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace centrix
