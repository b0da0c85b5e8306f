// Clustering-quality metrics: hand-computed cases, degenerate cases, brute
// force on random labelings, thread-count independence and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/metrics.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::blobs;
using Labels = std::vector<std::int64_t>;

double ari(const Labels& a, const Labels& b) {
  return metrics::adjusted_rand_index(a, b);
}
double nmi(const Labels& a, const Labels& b) {
  return metrics::normalized_mutual_info(a, b);
}

Labels random_labels(std::size_t n, std::int64_t k, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<std::int64_t> pick(0, k - 1);
  Labels out(n);
  for (auto& v : out) v = pick(gen);
  return out;
}

double choose2(double x) {
  return x * (x - 1) / 2;
}

/// Hubert & Arabie's formula from a dense contingency table (labels 0..k-1).
double ari_reference(const Labels& a, const Labels& b, std::size_t ka, std::size_t kb) {
  std::vector<double> table(ka * kb, 0.0), rows(ka, 0.0), cols(kb, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    table[static_cast<std::size_t>(a[i]) * kb + static_cast<std::size_t>(b[i])] += 1;
    rows[static_cast<std::size_t>(a[i])] += 1;
    cols[static_cast<std::size_t>(b[i])] += 1;
  }
  double index = 0, sum_rows = 0, sum_cols = 0;
  for (double c : table) index += choose2(c);
  for (double r : rows) sum_rows += choose2(r);
  for (double c : cols) sum_cols += choose2(c);
  const double expected = sum_rows * sum_cols / choose2(static_cast<double>(a.size()));
  const double max_index = (sum_rows + sum_cols) / 2;
  return (index - expected) / (max_index - expected);
}

/// I(a; b) / mean(H(a), H(b)) from a dense contingency table (labels 0..k-1, every label used).
double nmi_reference(const Labels& a, const Labels& b, std::size_t ka, std::size_t kb) {
  const double n = static_cast<double>(a.size());
  std::vector<double> table(ka * kb, 0.0), rows(ka, 0.0), cols(kb, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    table[static_cast<std::size_t>(a[i]) * kb + static_cast<std::size_t>(b[i])] += 1;
    rows[static_cast<std::size_t>(a[i])] += 1;
    cols[static_cast<std::size_t>(b[i])] += 1;
  }
  double mi = 0, ha = 0, hb = 0;
  for (std::size_t i = 0; i < ka; ++i) {
    for (std::size_t j = 0; j < kb; ++j) {
      const double c = table[i * kb + j];
      if (c > 0) mi += c / n * std::log(n * c / (rows[i] * cols[j]));
    }
  }
  for (double r : rows) ha -= r / n * std::log(r / n);
  for (double c : cols) hb -= c / n * std::log(c / n);
  return mi / ((ha + hb) / 2);
}

/// The silhouette of every row by its definition, with plain loops.
std::vector<double> silhouette_reference(const std::vector<double>& x, std::size_t d, const Labels& labels) {
  const std::size_t n = labels.size();
  std::vector<double> s(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::map<std::int64_t, std::pair<double, double>> sums;  // label -> (sum of distances, count)
    for (std::size_t j = 0; j < n; ++j) {
      double d2 = 0;
      for (std::size_t t = 0; t < d; ++t) d2 += (x[i * d + t] - x[j * d + t]) * (x[i * d + t] - x[j * d + t]);
      auto& [sum, count] = sums[labels[j]];
      sum += std::sqrt(d2);
      count += 1;
    }
    const auto& [own_sum, own_count] = sums[labels[i]];
    if (own_count == 1) {
      s[i] = 0;
      continue;
    }
    const double a = own_sum / (own_count - 1);
    double b = std::numeric_limits<double>::infinity();
    for (const auto& [label, sc] : sums) {
      if (label != labels[i]) b = std::min(b, sc.first / sc.second);
    }
    s[i] = std::max(a, b) > 0 ? (b - a) / std::max(a, b) : 0;
  }
  return s;
}

// ---------------------------------------------------------------- ARI

TEST(MetricsAri, HandComputed) {
  // Contingency [[1, 1], [1, 1]]: sum C(n_ij, 2) = 0; rows and columns sum C(2, 2) + C(2, 2) = 2 each;
  // expected = 2 * 2 / C(4, 2) = 2/3; max = (2 + 2) / 2 = 2; ARI = (0 - 2/3) / (2 - 2/3) = -1/2.
  EXPECT_DOUBLE_EQ(ari({0, 0, 1, 1}, {0, 1, 0, 1}), -0.5);
  // Contingency [[2, 1, 0], [0, 1, 2]]: sum C(n_ij, 2) = 1 + 1 = 2; rows C(3,2) + C(3,2) = 6; columns 1 + 1 + 1 = 3;
  // expected = 6 * 3 / C(6, 2) = 1.2; max = (6 + 3) / 2 = 4.5; ARI = (2 - 1.2) / (4.5 - 1.2) = 8/33.
  EXPECT_NEAR(ari({0, 0, 0, 1, 1, 1}, {0, 0, 1, 1, 2, 2}), 8.0 / 33.0, 1e-15);
  // Same partition under other names: 1.
  EXPECT_EQ(ari({0, 0, 1, 1, 2}, {7, 7, -3, -3, 100}), 1.0);
  // scikit-learn's documented example: one cluster against all singletons is 0.
  EXPECT_EQ(ari({0, 0, 0, 0}, {0, 1, 2, 3}), 0.0);
}

TEST(MetricsAri, DegenerateCases) {
  EXPECT_EQ(ari({3, 3, 3, 3, 3}, {1, 1, 1, 1, 1}), 1.0);  // both a single cluster
  EXPECT_EQ(ari({0, 1, 2, 3, 4}, {9, 8, 7, 6, 5}), 1.0);  // both all singletons
  EXPECT_EQ(ari({5}, {2}), 1.0);                          // one row
  EXPECT_EQ(ari({1, 2}, {1, 1}), 0.0);                    // singletons against one cluster
}

TEST(MetricsAri, MatchesHubertArabieOnRandomLabelings) {
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    const std::size_t n = 50 + seed * 397;
    const std::int64_t ka = 2 + static_cast<std::int64_t>(seed) * 5;
    const std::int64_t kb = 3 + static_cast<std::int64_t>(seed) * 2;
    Labels a = random_labels(n, ka, seed), b = random_labels(n, kb, seed + 100);
    // Make every label appear so that ka and kb are the numbers of clusters.
    for (std::int64_t j = 0; j < ka; ++j) a[static_cast<std::size_t>(j)] = j;
    for (std::int64_t j = 0; j < kb; ++j) b[static_cast<std::size_t>(j) + 1] = j;
    const double expected = ari_reference(a, b, static_cast<std::size_t>(ka), static_cast<std::size_t>(kb));
    EXPECT_NEAR(ari(a, b), expected, 1e-12 * std::max(1.0, std::abs(expected))) << "seed " << seed;
    EXPECT_EQ(ari(a, b), ari(b, a));  // symmetric, bit for bit
  }
}

TEST(MetricsAri, LabelValuesDoNotMatter) {
  const Labels a = random_labels(5000, 12, 1), b = random_labels(5000, 9, 2);
  const double base = ari(a, b);
  // A permutation of the values, 1-based values, negative values and values far apart (the sorting path).
  const std::vector<std::int64_t> permutation = {5, 11, 0, 3, 9, 1, 10, 2, 8, 4, 7, 6};
  Labels permuted(a.size()), one_based(a.size()), negative(a.size()), sparse(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    permuted[i] = permutation[static_cast<std::size_t>(a[i])];
    one_based[i] = a[i] + 1;
    negative[i] = -1 - a[i];
    sparse[i] = a[i] * 1'000'000'000'000LL - 4'000'000'000'000LL;
  }
  for (const Labels* relabeled : {&permuted, &one_based, &negative, &sparse}) {
    EXPECT_EQ(ari(*relabeled, b), base);  // the pair counts are exact integers: bitwise the same
    EXPECT_EQ(ari(b, *relabeled), base);
  }
  // int32 labels give the same value.
  std::vector<std::int32_t> a32(a.begin(), a.end()), b32(b.begin(), b.end());
  EXPECT_EQ(metrics::adjusted_rand_index(a32, b32), base);
}

TEST(MetricsAri, MillionLabels) {
  // 10^6 rows in 1000 clusters (the dense path) and in 200000 clusters (sparse label values).
  const Labels a = random_labels(1'000'000, 1000, 3), b = random_labels(1'000'000, 1000, 4);
  const double value = ari(a, b);
  EXPECT_NEAR(value, 0.0, 1e-3);
  Labels c = a;
  for (std::size_t i = 0; i < c.size(); i += 7) c[i] = (c[i] + 1) % 1000;
  const double close = ari(a, c);
  EXPECT_GT(close, 0.6);
  EXPECT_LT(close, 0.9);
  const Labels many = random_labels(1'000'000, 200'000, 5);
  Labels many_sparse(many.size());
  for (std::size_t i = 0; i < many.size(); ++i) many_sparse[i] = many[i] * 7919 + 13;
  EXPECT_EQ(ari(many, a), ari(many_sparse, a));
}

// ---------------------------------------------------------------- NMI

TEST(MetricsNmi, HandComputed) {
  // a = [0 0 1 1], b = [0 0 0 1]: contingency [[2, 0], [1, 1]], n = 4.
  // I = 2/4 log(4*2 / (2*3)) + 1/4 log(4*1 / (2*3)) + 1/4 log(4*1 / (2*1))
  //   = 1/2 log(4/3) + 1/4 log(2/3) + 1/4 log 2 = 3/2 log 2 - 3/4 log 3;
  // H(a) = log 2; H(b) = -(3/4 log 3/4 + 1/4 log 1/4) = 2 log 2 - 3/4 log 3;
  // NMI = I / ((H(a) + H(b)) / 2) = (3 log 2 - 3/2 log 3) / (3 log 2 - 3/4 log 3) = 0.34371...
  const double l2 = std::log(2.0), l3 = std::log(3.0);
  const double expected = (3 * l2 - 1.5 * l3) / (3 * l2 - 0.75 * l3);
  EXPECT_NEAR(nmi({0, 0, 1, 1}, {0, 0, 0, 1}), expected, 1e-15);
  EXPECT_NEAR(nmi({0, 0, 1, 1}, {0, 0, 0, 1}), 0.343711, 1e-6);
  // Independent labelings: I = 0, so NMI = 0.
  EXPECT_EQ(nmi({0, 0, 1, 1}, {0, 1, 0, 1}), 0.0);
  // Same partition: 1.
  EXPECT_NEAR(nmi({0, 0, 1, 1, 2}, {7, 7, -3, -3, 100}), 1.0, 1e-15);
}

TEST(MetricsNmi, DegenerateCases) {
  EXPECT_EQ(nmi({3, 3, 3, 3}, {1, 1, 1, 1}), 1.0);  // both a single cluster: a perfect match
  EXPECT_EQ(nmi({5}, {2}), 1.0);                    // one row
  EXPECT_EQ(nmi({0, 0, 0, 0}, {0, 1, 2, 3}), 0.0);  // one labeling a single cluster: 0
  EXPECT_EQ(nmi({0, 1, 2, 3}, {0, 0, 0, 0}), 0.0);
  EXPECT_NEAR(nmi({0, 1, 2, 3, 4}, {9, 8, 7, 6, 5}), 1.0, 1e-15);  // both all singletons
}

TEST(MetricsNmi, MatchesDefinitionOnRandomLabelings) {
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    const std::size_t n = 60 + seed * 611;
    const std::int64_t ka = 2 + static_cast<std::int64_t>(seed) * 7;
    const std::int64_t kb = 2 + static_cast<std::int64_t>(seed) * 3;
    Labels a = random_labels(n, ka, seed + 7), b = random_labels(n, kb, seed + 70);
    for (std::int64_t j = 0; j < ka; ++j) a[static_cast<std::size_t>(j)] = j;
    for (std::int64_t j = 0; j < kb; ++j) b[static_cast<std::size_t>(j) + 1] = j;
    const double expected = nmi_reference(a, b, static_cast<std::size_t>(ka), static_cast<std::size_t>(kb));
    EXPECT_NEAR(nmi(a, b), expected, 1e-12 * expected) << "seed " << seed;
    EXPECT_NEAR(nmi(b, a), nmi(a, b), 1e-15);
  }
}

TEST(MetricsNmi, LabelValuesDoNotMatter) {
  const Labels a = random_labels(4000, 10, 11), b = random_labels(4000, 4, 12);
  const double base = nmi(a, b);
  Labels shifted(a.size()), sparse(a.size()), permuted(a.size());
  const std::vector<std::int64_t> permutation = {4, 9, 0, 7, 1, 3, 8, 2, 6, 5};
  for (std::size_t i = 0; i < a.size(); ++i) {
    shifted[i] = a[i] + 1;                       // same order of values: the same sums in the same order
    sparse[i] = a[i] * 3'000'000'000'000LL - 1;  // the sorting path, same order
    permuted[i] = permutation[static_cast<std::size_t>(a[i])];
  }
  EXPECT_EQ(nmi(shifted, b), base);
  EXPECT_EQ(nmi(sparse, b), base);
  EXPECT_NEAR(nmi(permuted, b), base, 1e-15);  // terms added in another order
  std::vector<std::int32_t> a32(a.begin(), a.end()), b32(b.begin(), b.end());
  EXPECT_EQ(metrics::normalized_mutual_info(a32, b32), base);
}

TEST(MetricsAgreement, BadInputThrows) {
  EXPECT_THROW(ari({0, 1, 1}, {0, 1}), InvalidArgument);
  EXPECT_THROW(nmi({0, 1, 1}, {0, 1}), InvalidArgument);
  EXPECT_THROW(ari({}, {}), InvalidArgument);
  EXPECT_THROW(nmi({}, {}), InvalidArgument);
  try {
    ari({0, 1, 1}, {0, 1});
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "adjusted Rand index: labelings of different lengths (3 and 2)");
  }
}

// ---------------------------------------------------------------- silhouette

TEST(MetricsSilhouette, HandComputed1D) {
  // x = 0, 2 (label 5) | 6, 10 (label 7) | 20 (label 9, alone):
  //   0: a = 2, b = min((6 + 10) / 2, 20) = 8,  s = (8 - 2) / 8 = 3/4
  //   2: a = 2, b = min((4 + 8) / 2, 18) = 6,   s = (6 - 2) / 6 = 2/3
  //   6: a = 4, b = min((6 + 4) / 2, 14) = 5,   s = (5 - 4) / 5 = 1/5
  //  10: a = 4, b = min((10 + 8) / 2, 10) = 9,  s = (9 - 4) / 9 = 5/9
  //  20: alone in its cluster, s = 0
  // mean = (3/4 + 2/3 + 1/5 + 5/9) / 5 = (135 + 120 + 36 + 100) / 180 / 5 = 391/900.
  const std::vector<double> x = {0, 2, 6, 10, 20};
  const Labels labels = {5, 5, 7, 7, 9};
  const MatrixView<double> view(x.data(), 5, 1);
  const std::vector<double> s = metrics::silhouette_samples(view, labels);
  ASSERT_EQ(s.size(), 5U);
  EXPECT_NEAR(s[0], 0.75, 1e-15);
  EXPECT_NEAR(s[1], 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(s[2], 0.2, 1e-15);
  EXPECT_NEAR(s[3], 5.0 / 9.0, 1e-15);
  EXPECT_EQ(s[4], 0.0);
  EXPECT_NEAR(metrics::silhouette(view, labels), 391.0 / 900.0, 1e-15);
}

TEST(MetricsSilhouette, HandComputed2D) {
  // A = (0,0), (3,4); B = (6,8), (6,0). Distances: A0-A1 5, A0-B0 10, A0-B1 6, A1-B0 5, A1-B1 5, B0-B1 8.
  //   A0: a = 5, b = (10 + 6) / 2 = 8,   s = 3/8
  //   A1: a = 5, b = (5 + 5) / 2 = 5,    s = 0
  //   B0: a = 8, b = (10 + 5) / 2 = 7.5, s = -0.5 / 8 = -1/16
  //   B1: a = 8, b = (6 + 5) / 2 = 5.5,  s = -2.5 / 8 = -5/16
  // mean = (6/16 + 0 - 1/16 - 5/16) / 4 = 0. In float32 too (every value is exact).
  const std::vector<double> x = {0, 0, 3, 4, 6, 8, 6, 0};
  const std::vector<float> x32(x.begin(), x.end());
  const std::vector<std::int32_t> labels = {1, 1, 2, 2};
  const std::vector<double> expected = {0.375, 0.0, -0.0625, -0.3125};
  EXPECT_EQ(metrics::silhouette_samples(MatrixView<double>(x.data(), 4, 2), labels), expected);
  EXPECT_EQ(metrics::silhouette_samples(MatrixView<float>(x32.data(), 4, 2), labels), expected);
  EXPECT_EQ(metrics::silhouette(MatrixView<double>(x.data(), 4, 2), labels), 0.0);
}

TEST(MetricsSilhouette, CoincidentRowsScoreZero) {
  // Every distance is 0: a = b = 0, which scikit-learn turns into s = 0.
  const std::vector<double> x = {1, 1, 1, 1, 1, 1, 1, 1};
  const Labels labels = {0, 0, 1, 1};
  EXPECT_EQ(metrics::silhouette(MatrixView<double>(x.data(), 4, 2), labels), 0.0);
}

TEST(MetricsSilhouette, MatchesDefinition) {
  // Several dimensions (compile-time 1-4 and the generic path), many small clusters, singletons,
  // rows not a multiple of the tile, and clusters split across column blocks.
  struct Case {
    std::size_t n, d;
    std::int64_t k;
  };
  for (const Case c : {Case{37, 1, 3}, Case{300, 2, 4}, Case{301, 3, 150}, Case{250, 4, 200}, Case{513, 7, 9},
                       Case{2500, 2, 5}, Case{700, 33, 6}}) {
    std::mt19937_64 gen(c.n + c.d);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> x(c.n * c.d);
    for (double& v : x) v = normal(gen);
    Labels labels = random_labels(c.n, c.k, c.n);
    labels[0] = c.k;  // a singleton
    const std::vector<double> expected = silhouette_reference(x, c.d, labels);
    const std::vector<double> got = metrics::silhouette_samples(MatrixView<double>(x.data(), c.n, c.d), labels);
    ASSERT_EQ(got.size(), c.n);
    double mean = 0;
    for (std::size_t i = 0; i < c.n; ++i) {
      EXPECT_NEAR(got[i], expected[i], 1e-12) << "n " << c.n << " d " << c.d << " row " << i;
      mean += expected[i];
    }
    mean /= static_cast<double>(c.n);
    EXPECT_NEAR(metrics::silhouette(MatrixView<double>(x.data(), c.n, c.d), labels), mean, 1e-13);
  }
}

TEST(MetricsSilhouette, LabelValuesDoNotMatter) {
  const auto b = blobs(600, 3, 5, 1.0, 4);
  const MatrixView<double> view = b.data.view();
  const std::vector<std::int32_t> labels = b.labels;
  std::vector<std::int32_t> shifted(labels.size());
  Labels sparse(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    shifted[i] = labels[i] + 1;
    sparse[i] = static_cast<std::int64_t>(labels[i]) * 5'000'000'000LL - 17;
  }
  const double base = metrics::silhouette(view, labels);
  EXPECT_EQ(metrics::silhouette(view, shifted), base);
  EXPECT_EQ(metrics::silhouette(view, sparse), base);
}

TEST(MetricsSilhouette, OneTwoAndThreeThreadsGiveBitwiseEqualResults) {
  // Several tiles per thread and clusters that span column blocks.
  for (const std::size_t d : {std::size_t{2}, std::size_t{9}}) {
    const auto b = blobs(4001, d, 7, 2.0, 21);
    const std::vector<float> x32 = testing::blobs_as<float>(b);
    const MatrixView<double> view = b.data.view();
    const MatrixView<float> view32(x32.data(), 4001, d);
    const std::vector<double> one = metrics::silhouette_samples(view, b.labels, 1);
    const std::vector<double> one32 = metrics::silhouette_samples(view32, b.labels, 1);
    for (const int threads : {2, 3}) {
      const std::vector<double> many = metrics::silhouette_samples(view, b.labels, threads);
      const std::vector<double> many32 = metrics::silhouette_samples(view32, b.labels, threads);
      ASSERT_EQ(many.size(), one.size());
      EXPECT_EQ(std::memcmp(many.data(), one.data(), one.size() * sizeof(double)), 0) << threads << " threads";
      EXPECT_EQ(std::memcmp(many32.data(), one32.data(), one32.size() * sizeof(double)), 0) << threads << " threads";
      metrics::SilhouetteOptions o1, o2;
      o1.n_threads = 1;
      o2.n_threads = threads;
      const double s1 = metrics::silhouette(view, b.labels, o1);
      const double s2 = metrics::silhouette(view, b.labels, o2);
      EXPECT_EQ(std::memcmp(&s1, &s2, sizeof(double)), 0);
      o1.sample_size = o2.sample_size = 1000;
      o1.seed = o2.seed = 5;
      const double p1 = metrics::silhouette(view, b.labels, o1);
      const double p2 = metrics::silhouette(view, b.labels, o2);
      EXPECT_EQ(std::memcmp(&p1, &p2, sizeof(double)), 0);
    }
  }
}

TEST(MetricsSilhouette, SampleIsSeededAndCloseToExact) {
  const auto b = blobs(20000, 2, 6, 0.8, 9);
  const MatrixView<double> view = b.data.view();
  const double exact = metrics::silhouette(view, b.labels);
  metrics::SilhouetteOptions options;
  options.sample_size = 2000;
  options.seed = 1;
  const double first = metrics::silhouette(view, b.labels, options);
  EXPECT_EQ(metrics::silhouette(view, b.labels, options), first);  // same seed, same rows
  options.seed = 2;
  const double second = metrics::silhouette(view, b.labels, options);
  EXPECT_NE(second, first);  // another sample
  EXPECT_NEAR(first, exact, 0.02);
  EXPECT_NEAR(second, exact, 0.02);
  // A sample as large as the data is the exact value.
  options.sample_size = 20000;
  EXPECT_EQ(metrics::silhouette(view, b.labels, options), exact);
}

TEST(MetricsSilhouette, BadInputThrows) {
  const std::vector<double> x = {0, 1, 2, 3, 4, 5};
  const MatrixView<double> view(x.data(), 6, 1);
  const auto message = [&](const Labels& labels, const MatrixView<double>& data) {
    try {
      (void)metrics::silhouette(data, labels);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_EQ(message({0, 0, 1}, view), "silhouette: 3 labels for 6 data rows");
  EXPECT_EQ(message({}, MatrixView<double>(x.data(), 0, 1)), "silhouette: data has no rows");
  EXPECT_EQ(message({4, 4, 4, 4, 4, 4}, view),
            "silhouette: 1 distinct label among 6 rows; it needs 2 to n - 1 = 5 labels");
  EXPECT_EQ(message({0, 1, 2, 3, 4, 5}, view),
            "silhouette: 6 distinct labels among 6 rows; it needs 2 to n - 1 = 5 labels");
  const std::vector<double> with_nan = {0, 1, std::nan(""), 3, 4, 5};
  EXPECT_EQ(message({0, 0, 0, 1, 1, 1}, MatrixView<double>(with_nan.data(), 6, 1)),
            "silhouette: data contains NaN at row 2, column 0 (0-based)");
  const std::vector<double> with_inf = {0, 1, 2, 3, 4, -INFINITY};
  EXPECT_EQ(message({0, 0, 0, 1, 1, 1}, MatrixView<double>(with_inf.data(), 6, 1)),
            "silhouette: data contains infinity at row 5, column 0 (0-based)");
  // A sample with a single label.
  metrics::SilhouetteOptions options;
  options.sample_size = 2;
  EXPECT_THROW((void)metrics::silhouette(view, Labels{0, 0, 0, 0, 0, 1}, options), InvalidArgument);
}

// ---------------------------------------------------------------- label means

TEST(MetricsLabelMeans, HandComputedAndInertia) {
  // Rows (0,0), (10,10), (2,4) with labels 3, 1, 3: label 1 -> (10,10); label 3 -> ((0+2)/2, (0+4)/2) = (1,2).
  // Inertia: (0-1)^2 + (0-2)^2 + 0 + (2-1)^2 + (4-2)^2 = 1 + 4 + 1 + 4 = 10.
  const std::vector<double> x = {0, 0, 10, 10, 2, 4};
  const MatrixView<double> view(x.data(), 3, 2);
  const metrics::LabelMeans<double> means = metrics::centers_from_labels(view, Labels{3, 1, 3});
  EXPECT_EQ(means.values, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(means.counts, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(means.labels, (std::vector<std::int32_t>{1, 0, 1}));
  EXPECT_EQ(means.centers.values, (std::vector<double>{10, 10, 1, 2}));
  EXPECT_EQ(inertia(view, means.centers.view(), means.labels), 10.0);
  const std::vector<float> x32(x.begin(), x.end());
  const auto means32 = metrics::centers_from_labels(MatrixView<float>(x32.data(), 3, 2), Labels{3, 1, 3});
  EXPECT_EQ(means32.centers.values, (std::vector<float>{10, 10, 1, 2}));
}

TEST(MetricsLabelMeans, BadInputThrows) {
  const std::vector<double> x = {0, 0, 10, 10, 2, std::nan("")};
  EXPECT_THROW((void)metrics::centers_from_labels(MatrixView<double>(x.data(), 3, 2), Labels{0, 1}), InvalidArgument);
  EXPECT_THROW((void)metrics::centers_from_labels(MatrixView<double>(x.data(), 3, 2), Labels{0, 1, 1}),
               InvalidArgument);
}

}  // namespace
}  // namespace centrix
