// Lloyd against the brute-force reference, and the properties every fit must have.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/reference.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::blobs;
using testing::blobs_as;
using testing::first_rows;
using testing::pick_rows;

struct Case {
  std::size_t n, d, k;
  double std_dev;
  Metric metric;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  const Case& c = info.param;
  return "n" + std::to_string(c.n) + "_d" + std::to_string(c.d) + "_k" + std::to_string(c.k) + "_" +
         to_string(c.metric);
}

class LloydVersusReference : public ::testing::TestWithParam<Case> {};

TEST_P(LloydVersusReference, Float64GivesIdenticalLabelsAndCenters) {
  const Case c = GetParam();
  const auto b = blobs(c.n, c.d, c.k, c.std_dev, 42 + c.d);
  KMeansOptions options;
  options.n_clusters = static_cast<int>(c.k);
  options.metric = c.metric;
  options.init = Init::Given;
  options.initial_centers = pick_rows(b.data, first_rows(c.k));
  options.max_iter = 100;
  options.tol = 0;
  const MatrixView<double> view(b.data.values.data(), c.n, c.d);
  const KMeansResult<double> fast = fit(view, options);
  const KMeansResult<double> ref = reference::lloyd(view, options);
  EXPECT_EQ(fast.labels, ref.labels);
  EXPECT_EQ(fast.n_iter, ref.n_iter);
  EXPECT_EQ(fast.converged, ref.converged);
  ASSERT_EQ(fast.centers.values.size(), ref.centers.values.size());
  for (std::size_t i = 0; i < ref.centers.values.size(); ++i) {
    EXPECT_NEAR(fast.centers.values[i], ref.centers.values[i], 1e-9) << "center value " << i;
  }
  EXPECT_NEAR(fast.inertia, ref.inertia, 1e-10 * ref.inertia);
  ASSERT_EQ(fast.history.size(), ref.history.size());
  for (std::size_t i = 0; i < ref.history.size(); ++i) {
    EXPECT_EQ(fast.history[i].n_changed, ref.history[i].n_changed);
    EXPECT_EQ(fast.history[i].n_empty, ref.history[i].n_empty);
    EXPECT_NEAR(fast.history[i].inertia, ref.history[i].inertia, 1e-9 * ref.history[i].inertia);
  }
}

TEST_P(LloydVersusReference, Float32AgreesWithinTolerance) {
  const Case c = GetParam();
  const auto b = blobs(c.n, c.d, c.k, c.std_dev, 42 + c.d);
  const std::vector<float> data = blobs_as<float>(b);
  KMeansOptions options;
  options.n_clusters = static_cast<int>(c.k);
  options.metric = c.metric;
  options.init = Init::Given;
  options.initial_centers = pick_rows(b.data, first_rows(c.k));
  options.max_iter = 100;
  options.tol = 0;
  const MatrixView<float> view(data.data(), c.n, c.d);
  const KMeansResult<float> fast = fit(view, options);
  const KMeansResult<double> ref = reference::lloyd(view, options);
  std::size_t same = 0;
  for (std::size_t i = 0; i < c.n; ++i) same += fast.labels[i] == ref.labels[i];
  EXPECT_GE(static_cast<double>(same), 0.999 * static_cast<double>(c.n));
  EXPECT_NEAR(fast.inertia, ref.inertia, 1e-4 * ref.inertia);
  for (std::size_t i = 0; i < ref.centers.values.size(); ++i) {
    EXPECT_NEAR(fast.centers.values[i], ref.centers.values[i], 1e-3 * (1 + std::abs(ref.centers.values[i])));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, LloydVersusReference,
    ::testing::Values(Case{500, 1, 4, 1.0, Metric::Euclidean}, Case{700, 2, 6, 1.5, Metric::Euclidean},
                      Case{333, 3, 7, 1.0, Metric::Euclidean}, Case{600, 16, 9, 2.0, Metric::Euclidean},
                      Case{601, 17, 9, 2.0, Metric::Euclidean}, Case{400, 33, 17, 3.0, Metric::Euclidean},
                      Case{300, 100, 5, 5.0, Metric::Euclidean}, Case{700, 2, 6, 1.5, Metric::Cosine},
                      Case{601, 17, 9, 2.0, Metric::Cosine}, Case{300, 100, 5, 5.0, Metric::Cosine}),
    case_name);

TEST(Lloyd, DataFarFromTheOriginKeepsFloat32Accurate) {
  // UEF-like coordinates near 10^6: the expanded distance would cancel without centering.
  auto b = blobs(2000, 20, 8, 3.0, 5);
  for (double& v : b.data.values) v = v * 1000 + 1e6;
  const std::vector<float> data = blobs_as<float>(b);
  KMeansOptions options;
  options.n_clusters = 8;
  options.init = Init::Given;
  options.initial_centers = pick_rows(b.data, first_rows(8));
  const KMeansResult<float> fast = fit(MatrixView<float>(data.data(), 2000, 20), options);
  const KMeansResult<double> ref = reference::lloyd(MatrixView<float>(data.data(), 2000, 20), options);
  EXPECT_EQ(fast.labels, ref.labels);
  EXPECT_NEAR(fast.inertia, ref.inertia, 1e-5 * ref.inertia);
}

TEST(Lloyd, EmptyClusterIsRelocatedLikeTheReference) {
  auto b = blobs(300, 2, 3, 0.5, 9);
  std::vector<double> init = pick_rows(b.data, first_rows(3));
  init.push_back(1e3);  // a fourth center far from everything: empty after the first assignment
  init.push_back(1e3);
  KMeansOptions options;
  options.n_clusters = 4;
  options.init = Init::Given;
  options.initial_centers = init;
  const MatrixView<double> view(b.data.values.data(), 300, 2);
  const auto fast = fit(view, options);
  const auto ref = reference::lloyd(view, options);
  ASSERT_FALSE(fast.history.empty());
  EXPECT_EQ(fast.history[0].n_empty, 1);
  EXPECT_EQ(fast.labels, ref.labels);
  for (std::size_t i = 0; i < ref.centers.values.size(); ++i) {
    EXPECT_NEAR(fast.centers.values[i], ref.centers.values[i], 1e-9);
  }
  // After relocation every cluster has rows.
  for (int j = 0; j < 4; ++j) EXPECT_NE(std::count(fast.labels.begin(), fast.labels.end(), j), 0) << j;
}

TEST(Lloyd, ManyEmptyClustersTakeTheFarthestRowsWhateverTheThreads) {
  // Six copies of the first center lose every tie to it and are left empty at once, over rows in 15
  // chunks: each takes one of the six farthest rows, found by each thread among its own chunks, then merged
  // (30000 x 10 is work enough for two threads).
  for (const Metric metric : {Metric::Euclidean, Metric::Cosine}) {
    SCOPED_TRACE(to_string(metric));
    auto b = blobs(30000, 10, 4, 1.0, 21);
    std::vector<double> init = pick_rows(b.data, first_rows(4));
    for (int j = 0; j < 6; ++j) init.insert(init.end(), init.begin(), init.begin() + 10);
    KMeansOptions options;
    options.n_clusters = 10;
    options.metric = metric;
    options.init = Init::Given;
    options.initial_centers = init;
    options.max_iter = 20;
    const MatrixView<double> view(b.data.values.data(), 30000, 10);
    const auto ref = reference::lloyd(view, options);
    ASSERT_FALSE(ref.history.empty());
    EXPECT_EQ(ref.history[0].n_empty, 6);
    for (const int threads : {1, 2, 3}) {
      options.n_threads = threads;
      const auto fast = fit(view, options);
      EXPECT_EQ(fast.history[0].n_empty, 6);
      EXPECT_EQ(fast.labels, ref.labels) << threads << " threads";
      for (std::size_t i = 0; i < ref.centers.values.size(); ++i) {
        EXPECT_NEAR(fast.centers.values[i], ref.centers.values[i], 1e-9) << threads << " threads";
      }
    }
  }
}

TEST(Properties, InertiaNeverRises) {
  const auto b = blobs(3000, 10, 20, 4.0, 3);
  KMeansOptions options;
  options.n_clusters = 20;
  options.max_iter = 60;
  options.early_stop = false;
  options.seed = 11;
  for (Metric metric : {Metric::Euclidean, Metric::Cosine}) {
    options.metric = metric;
    const auto result = fit(MatrixView<double>(b.data.values.data(), 3000, 10), options);
    ASSERT_EQ(result.history.size(), 60U);
    for (std::size_t i = 1; i < result.history.size(); ++i) {
      EXPECT_LE(result.history[i].inertia, result.history[i - 1].inertia * (1 + 1e-12))
          << to_string(metric) << " iteration " << i + 1;
    }
    EXPECT_LE(result.inertia, result.history.back().inertia * (1 + 1e-12));
  }
}

TEST(Properties, PermutingRowsPermutesLabelsAndKeepsCenters) {
  const auto b = blobs(1000, 5, 6, 1.0, 4);
  std::vector<std::size_t> perm(1000);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::mt19937_64 gen(7);
  std::shuffle(perm.begin(), perm.end(), gen);
  std::vector<double> permuted(b.data.values.size());
  for (std::size_t i = 0; i < 1000; ++i) std::copy_n(b.data.row(perm[i]), 5, permuted.data() + i * 5);
  KMeansOptions options;
  options.n_clusters = 6;
  options.init = Init::Given;
  options.initial_centers = pick_rows(b.data, first_rows(6));
  const auto a = fit(MatrixView<double>(b.data.values.data(), 1000, 5), options);
  const auto p = fit(MatrixView<double>(permuted.data(), 1000, 5), options);
  for (std::size_t i = 0; i < 1000; ++i) EXPECT_EQ(p.labels[i], a.labels[perm[i]]);
  for (std::size_t i = 0; i < a.centers.values.size(); ++i)
    EXPECT_NEAR(p.centers.values[i], a.centers.values[i], 1e-12);
}

TEST(Properties, KEqualsNGivesZeroInertia) {
  const auto b = blobs(50, 3, 5, 1.0, 8);
  KMeansOptions options;
  options.n_clusters = 50;
  for (Init init : {Init::KMeansPlusPlus, Init::Random}) {
    options.init = init;
    const auto result = fit(MatrixView<double>(b.data.values.data(), 50, 3), options);
    EXPECT_EQ(result.inertia, 0.0) << to_string(init);
    std::vector<std::int32_t> sorted = result.labels;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::unique(sorted.begin(), sorted.end()) - sorted.begin(), 50);
  }
}

TEST(Properties, WeightTwoEqualsADuplicatedRow) {
  const auto b = blobs(400, 4, 5, 1.5, 10);
  std::vector<double> duplicated = b.data.values;
  std::vector<double> weights(400, 1.0);
  for (std::size_t i = 0; i < 400; i += 3) {
    weights[i] = 2.0;
    duplicated.insert(duplicated.end(), b.data.row(i), b.data.row(i) + 4);
  }
  const std::size_t n_dup = duplicated.size() / 4;
  KMeansOptions options;
  options.n_clusters = 5;
  options.init = Init::Given;
  options.initial_centers = pick_rows(b.data, first_rows(5));
  const auto weighted = fit(MatrixView<double>(b.data.values.data(), 400, 4), options, weights);
  const auto dup = fit(MatrixView<double>(duplicated.data(), n_dup, 4), options);
  EXPECT_NEAR(weighted.inertia, dup.inertia, 1e-9 * dup.inertia);
  for (std::size_t i = 0; i < 400; ++i) EXPECT_EQ(weighted.labels[i], dup.labels[i]);
  for (std::size_t i = 0; i < dup.centers.values.size(); ++i) {
    EXPECT_NEAR(weighted.centers.values[i], dup.centers.values[i], 1e-9);
  }
}

template <class T>
void expect_bitwise_equal(const KMeansResult<T>& a, const KMeansResult<T>& b) {
  EXPECT_EQ(a.labels, b.labels);
  ASSERT_EQ(a.centers.values.size(), b.centers.values.size());
  EXPECT_EQ(std::memcmp(a.centers.values.data(), b.centers.values.data(), a.centers.values.size() * sizeof(T)), 0);
  EXPECT_EQ(std::memcmp(&a.inertia, &b.inertia, sizeof(double)), 0);
  ASSERT_EQ(a.history.size(), b.history.size());
  for (std::size_t i = 0; i < a.history.size(); ++i) {
    EXPECT_EQ(std::memcmp(&a.history[i].inertia, &b.history[i].inertia, sizeof(double)), 0);
  }
}

TEST(Properties, OneAndTwoThreadsGiveBitwiseEqualResults) {
  // Large enough for several reduction chunks and blocks per thread.
  const auto b = blobs(20011, 24, 30, 3.0, 12);
  const std::vector<float> data32 = blobs_as<float>(b);
  std::vector<double> weights(20011);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 0.5 + static_cast<double>(i % 7);
  KMeansOptions options;
  options.n_clusters = 30;
  options.n_init = 2;
  options.seed = 99;
  options.max_iter = 20;
  for (Metric metric : {Metric::Euclidean, Metric::Cosine}) {
    options.metric = metric;
    options.n_threads = 1;
    const auto one = fit(MatrixView<double>(b.data.values.data(), 20011, 24), options, weights);
    const auto one32 = fit(MatrixView<float>(data32.data(), 20011, 24), options);
    options.n_threads = 2;
    const auto two = fit(MatrixView<double>(b.data.values.data(), 20011, 24), options, weights);
    const auto two32 = fit(MatrixView<float>(data32.data(), 20011, 24), options);
    options.n_threads = 3;  // an odd count splits chunks differently again
    const auto three = fit(MatrixView<double>(b.data.values.data(), 20011, 24), options, weights);
    expect_bitwise_equal(one, two);
    expect_bitwise_equal(one, three);
    expect_bitwise_equal(one32, two32);
  }
}

TEST(Init, SeedFixesTheResultAndDifferentSeedsDiffer) {
  const auto b = blobs(2000, 8, 12, 2.0, 13);
  const MatrixView<double> view(b.data.values.data(), 2000, 8);
  KMeansOptions options;
  options.n_clusters = 12;
  options.max_iter = 1;
  for (Init init : {Init::KMeansPlusPlus, Init::Random}) {
    options.init = init;
    options.seed = 1;
    const auto a = fit(view, options);
    const auto again = fit(view, options);
    options.seed = 2;
    const auto other = fit(view, options);
    EXPECT_EQ(a.centers.values, again.centers.values) << to_string(init);
    EXPECT_NE(a.centers.values, other.centers.values) << to_string(init);
  }
}

TEST(Init, KMeansPlusPlusFindsWellSeparatedBlobs) {
  // Tight, far-apart blobs: k-means++ must put one center in each.
  const auto b = blobs(3000, 2, 10, 0.05, 14);
  KMeansOptions options;
  options.n_clusters = 10;
  options.max_iter = 1;
  options.seed = 3;
  const auto result = fit(MatrixView<double>(b.data.values.data(), 3000, 2), options);
  std::vector<std::int32_t> owner(10, -1);
  for (std::size_t i = 0; i < 3000; ++i) {
    const auto t = static_cast<std::size_t>(b.labels[i]);
    if (owner[t] < 0) owner[t] = result.labels[i];
    EXPECT_EQ(owner[t], result.labels[i]) << "blob " << t << " is split";
  }
  std::sort(owner.begin(), owner.end());
  EXPECT_EQ(std::unique(owner.begin(), owner.end()) - owner.begin(), 10);
}

TEST(Init, ZeroWeightRowsAreNeverChosen) {
  // Four tight weighted blobs, and far outliers of weight zero. An outlier
  // chosen as a starting center would keep (or regain, through relocation) a
  // center far from every blob.
  auto b = blobs(400, 2, 4, 0.5, 15);
  std::vector<double> weights(400, 1.0);
  for (std::size_t i = 0; i < 400; i += 10) {
    b.data(i, 0) = 5000.0 + static_cast<double>(i);
    b.data(i, 1) = -5000.0;
    weights[i] = 0.0;
  }
  KMeansOptions options;
  options.n_clusters = 4;
  options.max_iter = 1;
  options.early_stop = false;
  for (Init init : {Init::KMeansPlusPlus, Init::Random}) {
    options.init = init;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      options.seed = seed;
      const auto result = fit(MatrixView<double>(b.data.values.data(), 400, 2), options, weights);
      for (double v : result.centers.values) EXPECT_LT(std::abs(v), 100.0) << to_string(init) << " seed " << seed;
    }
  }
}

TEST(Convergence, NoEarlyStopRunsExactlyMaxIter) {
  const auto b = blobs(500, 2, 3, 0.1, 16);
  KMeansOptions options;
  options.n_clusters = 3;
  options.max_iter = 37;
  options.early_stop = false;
  const auto result = fit(MatrixView<double>(b.data.values.data(), 500, 2), options);
  EXPECT_EQ(result.n_iter, 37);
  EXPECT_EQ(result.history.size(), 37U);
  options.early_stop = true;
  const auto early = fit(MatrixView<double>(b.data.values.data(), 500, 2), options);
  EXPECT_LT(early.n_iter, 37);
  EXPECT_TRUE(early.converged);
}

TEST(Convergence, InertiaToleranceStopsWhenImprovementIsSmall) {
  const auto b = blobs(3000, 5, 8, 6.0, 17);
  KMeansOptions options;
  options.n_clusters = 8;
  options.tol_mode = TolMode::Inertia;
  options.tol = 1e-2;
  options.seed = 4;
  options.refine = Refine::None;  // one descent: the stopping rule alone ends the history
  const auto result = fit(MatrixView<double>(b.data.values.data(), 3000, 5), options);
  ASSERT_GE(result.history.size(), 2U);
  const auto& h = result.history;
  const double last = h.back().inertia;
  const double before = h[h.size() - 2].inertia;
  EXPECT_TRUE(h.back().n_changed == 0 || before - last <= 1e-2 * before);
  for (std::size_t i = 1; i + 1 < h.size(); ++i) EXPECT_GT(h[i - 1].inertia - h[i].inertia, 1e-2 * h[i - 1].inertia);
}

TEST(Convergence, CallbackCanCancel) {
  const auto b = blobs(500, 2, 3, 1.0, 18);
  KMeansOptions options;
  options.n_clusters = 3;
  int calls = 0;
  options.on_iteration = [&](const IterationStats&) { return ++calls < 2; };
  EXPECT_THROW(fit(MatrixView<double>(b.data.values.data(), 500, 2), options), Cancelled);
  EXPECT_EQ(calls, 2);
}

TEST(Convergence, InterruptStopsDuringInitialisation) {
  const auto b = blobs(2000, 2, 50, 1.0, 18);
  KMeansOptions options;
  options.n_clusters = 50;
  int polls = 0;
  options.interrupted = [&] { return ++polls >= 5; };
  try {
    (void)fit(MatrixView<double>(b.data.values.data(), 2000, 2), options);
    ADD_FAILURE() << "no Cancelled exception";
  } catch (const Cancelled& e) {
    EXPECT_NE(std::string(e.what()).find("k-means++ cancelled after 5 centers"), std::string::npos) << e.what();
  }
  EXPECT_EQ(polls, 5);
}

TEST(NInit, KeepsTheRunWithTheLowestInertia) {
  const auto b = blobs(2000, 2, 15, 1.0, 19);
  const MatrixView<double> view(b.data.values.data(), 2000, 2);
  KMeansOptions options;
  options.n_clusters = 15;
  options.init = Init::Random;
  options.seed = 5;
  const auto single = fit(view, options);  // run 0 of the restarts below
  options.n_init = 5;
  const auto result = fit(view, options);
  EXPECT_LE(result.inertia, single.inertia);
  if (result.best_run == 0) {
    EXPECT_EQ(result.inertia, single.inertia);
  }
  // Every run is in the history, in order.
  int last_run = 0;
  for (const auto& s : result.history) {
    EXPECT_GE(s.run, last_run);
    last_run = s.run;
  }
  EXPECT_EQ(last_run, 4);
}

TEST(PredictTransform, MatchBruteForce) {
  const auto b = blobs(999, 19, 7, 2.0, 20);
  const std::vector<double> centers = pick_rows(b.data, {3, 50, 99, 120, 400, 500, 998});
  const MatrixView<double> data(b.data.values.data(), 999, 19);
  const MatrixView<double> c(centers.data(), 7, 19);
  for (Metric metric : {Metric::Euclidean, Metric::Cosine}) {
    std::vector<double> sq;
    const auto ref = reference::assign(data, c, metric, &sq);
    const auto labels = predict(data, c, metric);
    EXPECT_EQ(labels, ref) << to_string(metric);
    const Matrix<double> dist = transform(data, c, metric);
    for (std::size_t i = 0; i < 999; ++i) {
      const double expected = metric == Metric::Euclidean ? std::sqrt(sq[i]) : 0.5 * sq[i];
      EXPECT_NEAR(dist(i, static_cast<std::size_t>(ref[i])), expected, 1e-9) << i;
    }
  }
}

TEST(Warnings, FewerDistinctRowsThanK) {
  std::vector<double> data = {0, 0, 0, 0, 1, 1, 1, 1, 0, 0};
  KMeansOptions options;
  options.n_clusters = 3;
  const auto result = fit(MatrixView<double>(data.data(), 5, 2), options);
  ASSERT_EQ(result.warnings.size(), 1U);
  EXPECT_NE(result.warnings[0].find("only 2 distinct rows"), std::string::npos);
  EXPECT_EQ(result.centers.rows, 3U);
  EXPECT_EQ(result.inertia, 0.0);
}

TEST(BadInput, ErrorsNameTheProblem) {
  std::vector<double> data = {0, 0, 1, 1, 2, 2};
  const MatrixView<double> view(data.data(), 3, 2);
  KMeansOptions options;
  const auto message = [&](const KMeansOptions& o, std::span<const double> w = {}) {
    try {
      (void)fit(view, o, w);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  options.n_clusters = 0;
  EXPECT_NE(message(options).find("k must be at least 1"), std::string::npos);
  options.n_clusters = 4;
  EXPECT_NE(message(options).find("n_samples=3 should be >= n_clusters=4"), std::string::npos);
  options.n_clusters = 2;
  const std::vector<double> short_weights = {1, 1};
  EXPECT_NE(message(options, short_weights).find("2 values for 3 rows"), std::string::npos);
  const std::vector<double> negative = {1, -1, 1};
  EXPECT_NE(message(options, negative).find("sample weight 1 (0-based) is negative"), std::string::npos);
  options.init = Init::Given;
  options.initial_centers = {0, 0, 1};
  EXPECT_NE(message(options).find("expected k x d = 2 x 2"), std::string::npos);
  options.init = Init::KMeansPlusPlus;
  data[3] = NAN;
  EXPECT_NE(message(options).find("NaN at row 1, column 1"), std::string::npos);
  data[3] = INFINITY;
  EXPECT_NE(message(options).find("infinity at row 1, column 1"), std::string::npos);
  // +inf and -inf in one column: its sum is NaN rather than infinite (fit finds bad values through the
  // column sums), and the first of them is still named.
  data = {0, 0, INFINITY, 1, -INFINITY, 2};
  EXPECT_NE(message(options).find("infinity at row 1, column 0"), std::string::npos);
  data = {0, 0, 1, 1, 2, 2};
  options.metric = Metric::Cosine;
  EXPECT_NE(message(options).find("row 0 (0-based) is all zeros"), std::string::npos);
  // Cosine finds bad values through the rows' norms; a NaN is named even after a zero row.
  data = {0, 0, 1, NAN, 2, 2};
  EXPECT_NE(message(options).find("NaN at row 1, column 1"), std::string::npos);
  data = {1, 1, 1, 1, 2, -INFINITY};
  EXPECT_NE(message(options).find("infinity at row 2, column 1"), std::string::npos);
  // Finite values whose squares overflow a double.
  data = {1, 1, 1e200, 1, 2, 2};
  EXPECT_NE(message(options).find("row 1 (0-based) is too long for the cosine metric"), std::string::npos);
}

}  // namespace
}  // namespace centrix
