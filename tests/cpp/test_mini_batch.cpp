// Mini-batch k-means: the step against a hand-written update, exact relations
// with Lloyd, determinism, streaming, early stopping and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/mini_batch.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::blobs;
using testing::blobs_as;
using testing::pick_rows;

/// One row of each true cluster: given centers no cluster can lose (each is nearest to its own row).
std::vector<double> one_row_per_cluster(const datasets::Blobs& b, std::size_t k) {
  std::vector<std::size_t> rows;
  for (std::size_t j = 0; j < k; ++j) {
    const auto it = std::find(b.labels.begin(), b.labels.end(), static_cast<std::int32_t>(j));
    rows.push_back(static_cast<std::size_t>(it - b.labels.begin()));
  }
  return pick_rows(b.data, rows);
}

MiniBatchOptions given(std::vector<double> centers, int k) {
  MiniBatchOptions o;
  o.n_clusters = k;
  o.init = Init::Given;
  o.initial_centers = std::move(centers);
  o.reassignment_ratio = 0;
  return o;
}

template <class T>
void expect_bitwise_equal(const MiniBatchResult<T>& a, const MiniBatchResult<T>& b) {
  ASSERT_EQ(a.centers.values.size(), b.centers.values.size());
  EXPECT_EQ(std::memcmp(a.centers.values.data(), b.centers.values.data(), a.centers.values.size() * sizeof(T)), 0);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(std::memcmp(&a.inertia, &b.inertia, sizeof(double)), 0);
  EXPECT_EQ(a.n_steps, b.n_steps);
  EXPECT_EQ(a.state.counts(), b.state.counts());
  ASSERT_EQ(a.history.size(), b.history.size());
  for (std::size_t i = 0; i < a.history.size(); ++i) {
    EXPECT_EQ(std::memcmp(&a.history[i].batch_inertia, &b.history[i].batch_inertia, sizeof(double)), 0) << i;
    EXPECT_EQ(a.history[i].n_reassigned, b.history[i].n_reassigned) << i;
  }
}

TEST(MiniBatch, OneTwoAndThreeThreadsGiveBitwiseEqualResults) {
  // Batches of several kernel blocks, weights, both metrics, both types.
  const auto b = blobs(20011, 24, 30, 3.0, 12);
  const std::vector<float> data32 = blobs_as<float>(b);
  std::vector<double> weights(20011);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 0.5 + static_cast<double>(i % 7);
  MiniBatchOptions options;
  options.n_clusters = 30;
  options.batch_size = 2048;
  options.max_iter = 3;
  options.seed = 99;
  options.init = Init::Random;  // n_init "auto" = 3: the validation pass too
  for (Metric metric : {Metric::Euclidean, Metric::Cosine}) {
    options.metric = metric;
    std::vector<MiniBatchResult<double>> r64;
    std::vector<MiniBatchResult<float>> r32;
    for (int threads : {1, 2, 3}) {
      options.n_threads = threads;
      r64.push_back(fit_mini_batch(MatrixView<double>(b.data.values.data(), 20011, 24), options, weights));
      r32.push_back(fit_mini_batch(MatrixView<float>(data32.data(), 20011, 24), options));
    }
    EXPECT_GT(r64[0].n_steps, 1);
    expect_bitwise_equal(r64[0], r64[1]);
    expect_bitwise_equal(r64[0], r64[2]);
    expect_bitwise_equal(r32[0], r32[1]);
    expect_bitwise_equal(r32[0], r32[2]);
  }
}

TEST(MiniBatch, SeedFixesTheResultAndDifferentSeedsDiffer) {
  const auto b = blobs(3000, 6, 10, 2.0, 4);
  const MatrixView<double> view(b.data.values.data(), 3000, 6);
  MiniBatchOptions options;
  options.n_clusters = 10;
  options.batch_size = 256;
  options.seed = 1;
  const auto first = fit_mini_batch(view, options);
  const auto again = fit_mini_batch(view, options);
  expect_bitwise_equal(first, again);
  options.seed = 2;
  const auto other = fit_mini_batch(view, options);
  EXPECT_NE(first.centers.values, other.centers.values);
}

TEST(MiniBatch, OneStepOnAllRowsFromZeroCountsIsALloydStep) {
  // With counts 0 the weight-sum update gives each center the mean of its batch rows: on the whole data that is
  // exactly one Lloyd iteration from the same centers (no cluster empty, reassignment off).
  const auto b = blobs(2000, 5, 6, 1.5, 21);
  const MatrixView<double> view(b.data.values.data(), 2000, 5);
  std::vector<double> weights(2000);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 + static_cast<double>(i % 3);
  MiniBatchState<double> state(given(one_row_per_cluster(b, 6), 6));
  const MiniBatchStepStats stats = state.partial_fit(view, weights);

  KMeansOptions lloyd;
  lloyd.n_clusters = 6;
  lloyd.init = Init::Given;
  lloyd.initial_centers = one_row_per_cluster(b, 6);
  lloyd.max_iter = 1;
  lloyd.refine = Refine::None;
  const KMeansResult<double> one = fit(view, lloyd, weights);
  ASSERT_EQ(one.history.size(), 1U);
  EXPECT_NEAR(stats.batch_inertia, one.history[0].inertia, 1e-9 * one.history[0].inertia);
  for (std::size_t i = 0; i < one.centers.values.size(); ++i) {
    EXPECT_NEAR(state.centers_double()[i], one.centers.values[i], 1e-12 * (1 + std::abs(one.centers.values[i])));
  }
  // The counts are the clusters' weights.
  std::vector<double> cluster_weight(6, 0.0);
  const std::vector<std::int32_t> first_labels = predict(view, MatrixView<double>(lloyd.initial_centers.data(), 6, 5));
  for (std::size_t i = 0; i < 2000; ++i) cluster_weight[static_cast<std::size_t>(first_labels[i])] += weights[i];
  for (std::size_t j = 0; j < 6; ++j) EXPECT_DOUBLE_EQ(state.counts()[j], cluster_weight[j]);
}

/// The update written out plainly: nearest center by brute force, then sklearn's weight-sum rule.
void reference_step(const double* rows, std::size_t n, std::size_t d, std::vector<double>& centers,
                    std::vector<double>& counts) {
  const std::size_t k = counts.size();
  std::vector<double> old = centers;
  for (std::size_t j = 0; j < k; ++j) {
    double weight = 0;
    std::vector<double> sum(d, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t best = 0;
      double best_dist = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < k; ++c) {
        double dist = 0;
        for (std::size_t t = 0; t < d; ++t)
          dist += (rows[i * d + t] - old[c * d + t]) * (rows[i * d + t] - old[c * d + t]);
        if (dist < best_dist) {
          best_dist = dist;
          best = c;
        }
      }
      if (best != j) continue;
      weight += 1;
      for (std::size_t t = 0; t < d; ++t) sum[t] += rows[i * d + t];
    }
    if (weight == 0) continue;
    for (std::size_t t = 0; t < d; ++t)
      centers[j * d + t] = (old[j * d + t] * counts[j] + sum[t]) / (counts[j] + weight);
    counts[j] += weight;
  }
}

TEST(MiniBatch, PartialFitOverBatchesFollowsTheWeightSumUpdate) {
  const auto b = blobs(1200, 3, 4, 2.5, 8);
  std::vector<double> centers = one_row_per_cluster(b, 4);
  std::vector<double> counts(4, 0.0);
  MiniBatchState<double> state(given(centers, 4));
  for (std::size_t first = 0; first < 1200; first += 100) {
    const double* rows = b.data.values.data() + first * 3;
    (void)state.partial_fit(MatrixView<double>(rows, 100, 3));
    reference_step(rows, 100, 3, centers, counts);
  }
  EXPECT_EQ(state.n_steps(), 12);
  EXPECT_EQ(state.counts(), counts);
  for (std::size_t i = 0; i < centers.size(); ++i) EXPECT_NEAR(state.centers_double()[i], centers[i], 1e-11);
}

TEST(MiniBatch, ResumedStateContinuesExactly) {
  const auto b = blobs(3000, 4, 12, 1.0, 5);
  MiniBatchOptions options;
  options.n_clusters = 12;
  options.seed = 3;
  options.reassignment_ratio = 0.8;  // reassignments happen, and draw random rows
  MiniBatchState<double> original(options);
  const auto batch = [&](std::size_t s) { return MatrixView<double>(b.data.values.data() + s * 300 * 4, 300, 4); };
  for (std::size_t s = 0; s < 4; ++s) (void)original.partial_fit(batch(s));
  MiniBatchState<double> resumed = MiniBatchState<double>::resume(
      options, 4, original.centers_double(), original.counts(), original.n_steps(), original.n_since_last_reassign());
  int reassigned = 0;
  for (std::size_t s = 4; s < 10; ++s) {
    reassigned += original.partial_fit(batch(s)).n_reassigned;
    (void)resumed.partial_fit(batch(s));
  }
  EXPECT_GT(reassigned, 0);
  EXPECT_EQ(original.centers_double(), resumed.centers_double());
  EXPECT_EQ(original.counts(), resumed.counts());
}

TEST(MiniBatch, ContinuingAFitWithPartialFitKeepsItsCounts) {
  const auto b = blobs(2000, 3, 5, 1.0, 6);
  const MatrixView<double> view(b.data.values.data(), 2000, 3);
  MiniBatchOptions options;
  options.n_clusters = 5;
  options.batch_size = 200;
  MiniBatchResult<double> result = fit_mini_batch(view, options);
  const double before = std::accumulate(result.state.counts().begin(), result.state.counts().end(), 0.0);
  EXPECT_EQ(result.state.n_steps(), result.n_steps);
  (void)result.state.partial_fit(view.rows_slice(0, 100));
  EXPECT_DOUBLE_EQ(std::accumulate(result.state.counts().begin(), result.state.counts().end(), 0.0), before + 100);
}

TEST(MiniBatch, FindsWellSeparatedBlobsNearlyAsWellAsLloyd) {
  // Like Lloyd, mini-batch k-means stays in the local optimum its initialisation leads to (one of these five
  // seeds puts two centers in one blob, and neither method moves one out): most seeds must reach Lloyd's inertia.
  const auto b = blobs(20000, 8, 10, 1.0, 31);
  const MatrixView<double> view(b.data.values.data(), 20000, 8);
  KMeansOptions lloyd;
  lloyd.n_clusters = 10;
  lloyd.seed = 4;
  const KMeansResult<double> full = fit(view, lloyd);
  MiniBatchOptions options;
  options.n_clusters = 10;
  options.batch_size = 512;
  int near_lloyd = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    options.seed = seed;
    const MiniBatchResult<double> mb = fit_mini_batch(view, options);
    near_lloyd += mb.inertia < 1.01 * full.inertia;
    EXPECT_TRUE(mb.converged);  // max_no_improvement stopped it long before 100 epochs
    EXPECT_LT(mb.n_steps, 100 * 20000 / 512);
    EXPECT_EQ(mb.n_iter, static_cast<int>((mb.n_steps * 512 + 19999) / 20000));
    ASSERT_EQ(mb.labels.size(), 20000U);
    EXPECT_EQ(mb.labels, predict(view, mb.centers.view()));
    EXPECT_NEAR(mb.inertia, inertia(view, mb.centers.view(), mb.labels), 1e-12 * mb.inertia);
  }
  EXPECT_GE(near_lloyd, 4);
}

TEST(MiniBatch, WithoutEarlyStoppingRunsEveryStep) {
  const auto b = blobs(1000, 2, 3, 1.0, 2);
  MiniBatchOptions options;
  options.n_clusters = 3;
  options.batch_size = 300;
  options.max_iter = 4;
  options.max_no_improvement.reset();
  const auto result = fit_mini_batch(MatrixView<double>(b.data.values.data(), 1000, 2), options);
  EXPECT_EQ(result.n_steps, 4 * 1000 / 300);
  EXPECT_EQ(result.n_iter, 4);
  EXPECT_FALSE(result.converged);
  ASSERT_EQ(result.history.size(), 13U);
  EXPECT_TRUE(std::isnan(result.history[0].ewa_inertia));  // the first step only measures the initial centers
  EXPECT_FALSE(std::isnan(result.history[1].ewa_inertia));
}

TEST(MiniBatch, ToleranceStopsOnSmallCenterShift) {
  const auto b = blobs(5000, 2, 3, 0.5, 7);
  MiniBatchOptions options;
  options.n_clusters = 3;
  options.batch_size = 100;
  options.max_no_improvement.reset();
  options.tol = 1e-3;
  const auto result = fit_mini_batch(MatrixView<double>(b.data.values.data(), 5000, 2), options);
  EXPECT_TRUE(result.converged);
  EXPECT_LT(result.n_steps, 100 * 5000 / 100);
}

TEST(MiniBatch, WithoutLabelsTheInertiaIsTheSmoothedBatchInertia) {
  const auto b = blobs(4000, 3, 4, 1.0, 9);
  MiniBatchOptions options;
  options.n_clusters = 4;
  options.batch_size = 256;
  options.compute_labels = false;
  const auto result = fit_mini_batch(MatrixView<double>(b.data.values.data(), 4000, 3), options);
  EXPECT_TRUE(result.labels.empty());
  EXPECT_DOUBLE_EQ(result.inertia, result.history.back().ewa_inertia * 4000);
}

TEST(MiniBatch, DeadCenterIsReassignedToABatchRow) {
  // A given center far from all data gets no rows: its count stays 0, so the next check moves it onto a batch row.
  const auto b = blobs(2000, 2, 3, 0.5, 10);
  std::vector<double> centers = one_row_per_cluster(b, 3);
  centers.insert(centers.end(), {1e6, 1e6});
  MiniBatchOptions options = given(centers, 4);
  options.reassignment_ratio = 0.01;
  MiniBatchState<double> state(options);
  const MiniBatchStepStats stats = state.partial_fit(MatrixView<double>(b.data.values.data(), 200, 2));
  EXPECT_EQ(stats.n_reassigned, 1);
  const double* moved = state.centers_double().data() + 3 * 2;
  bool is_a_row = false;
  for (std::size_t i = 0; i < 200; ++i) {
    is_a_row |= b.data(i, 0) == moved[0] && b.data(i, 1) == moved[1];
  }
  EXPECT_TRUE(is_a_row);
  // Its count became the smallest of the others'.
  EXPECT_EQ(state.counts()[3], *std::min_element(state.counts().begin(), state.counts().begin() + 3));
}

TEST(MiniBatch, ZeroWeightRowsAreNeverDrawn) {
  // Half the rows, far away, have weight 0: no batch contains them, so no center goes there.
  const auto b = blobs(2000, 2, 4, 0.5, 11);
  std::vector<double> data = b.data.values;
  std::vector<double> weights(2000, 1.0);
  for (std::size_t i = 1000; i < 2000; ++i) {
    data[i * 2] += 1e4;
    weights[i] = 0;
  }
  MiniBatchOptions options;
  options.n_clusters = 4;
  options.batch_size = 100;
  options.reassignment_ratio = 0.5;
  const auto result = fit_mini_batch(MatrixView<double>(data.data(), 2000, 2), options, weights);
  for (std::size_t j = 0; j < 4; ++j) EXPECT_LT(result.centers(j, 0), 5e3) << "center " << j;
}

TEST(MiniBatch, LaterBatchOfZeroWeightsMovesNothing) {
  // Not even a reassignment onto one of its rows, although the reassignment check is due.
  const auto b = blobs(400, 2, 3, 0.5, 12);
  MiniBatchOptions options = given(one_row_per_cluster(b, 3), 3);
  options.reassignment_ratio = 0.9;
  MiniBatchState<double> state(options);
  (void)state.partial_fit(MatrixView<double>(b.data.values.data(), 200, 2));
  const std::vector<double> centers = state.centers_double();
  const std::vector<double> counts = state.counts();
  const MiniBatchStepStats stats =
      state.partial_fit(MatrixView<double>(b.data.values.data() + 400, 200, 2), std::vector<double>(200, 0.0));
  EXPECT_EQ(stats.n_reassigned, 0);
  EXPECT_EQ(state.centers_double(), centers);
  EXPECT_EQ(state.counts(), counts);
  EXPECT_EQ(state.n_steps(), 2);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

TEST(MiniBatchBadInput, BatchSizeBelowOne) {
  std::vector<double> data = {0, 0, 1, 1, 2, 2};
  MiniBatchOptions options;
  options.n_clusters = 2;
  options.batch_size = 0;
  EXPECT_EQ(error_of([&] { (void)fit_mini_batch(MatrixView<double>(data.data(), 3, 2), options); }),
            "batch_size must be at least 1 (got 0)");
}

TEST(MiniBatchBadInput, KAboveRowCount) {
  std::vector<double> data = {0, 0, 1, 1, 2, 2};
  MiniBatchOptions options;
  options.n_clusters = 4;
  EXPECT_NE(error_of([&] {
              (void)fit_mini_batch(MatrixView<double>(data.data(), 3, 2), options);
            }).find("n_samples=3 should be >= n_clusters=4"),
            std::string::npos);
  MiniBatchState<double> state(options);
  EXPECT_NE(error_of([&] {
              (void)state.partial_fit(MatrixView<double>(data.data(), 3, 2));
            }).find("n_samples=3 should be >= n_clusters=4"),
            std::string::npos);
  EXPECT_FALSE(state.initialized());
}

TEST(MiniBatchBadInput, NaN) {
  std::vector<double> data = {0, 0, 1, NAN, 2, 2};
  MiniBatchOptions options;
  options.n_clusters = 2;
  EXPECT_EQ(error_of([&] { (void)fit_mini_batch(MatrixView<double>(data.data(), 3, 2), options); }),
            "data contains NaN at row 1, column 1 (0-based)");
  // A later batch of a running state: named "batch", and the state is unchanged.
  std::vector<double> good = {0, 0, 1, 1, 2, 2};
  MiniBatchState<double> state(options);
  (void)state.partial_fit(MatrixView<double>(good.data(), 3, 2));
  const std::vector<double> before = state.centers_double();
  EXPECT_EQ(error_of([&] { (void)state.partial_fit(MatrixView<double>(data.data(), 3, 2)); }),
            "batch contains NaN at row 1, column 1 (0-based)");
  EXPECT_EQ(state.centers_double(), before);
  EXPECT_EQ(state.n_steps(), 1);
}

TEST(MiniBatchBadInput, NegativeWeights) {
  std::vector<double> data = {0, 0, 1, 1, 2, 2};
  const std::vector<double> weights = {1, -1, 1};
  MiniBatchOptions options;
  options.n_clusters = 2;
  EXPECT_EQ(error_of([&] { (void)fit_mini_batch(MatrixView<double>(data.data(), 3, 2), options, weights); }),
            "sample weight 1 (0-based) is negative (-1.000000)");
  MiniBatchState<double> state(options);
  (void)state.partial_fit(MatrixView<double>(data.data(), 3, 2));
  EXPECT_EQ(error_of([&] { (void)state.partial_fit(MatrixView<double>(data.data(), 3, 2), weights); }),
            "sample weight 1 (0-based) is negative (-1.000000)");
}

TEST(MiniBatchBadInput, ReassignmentRatioBelowZero) {
  std::vector<double> data = {0, 0, 1, 1, 2, 2};
  MiniBatchOptions options;
  options.n_clusters = 2;
  options.reassignment_ratio = -0.5;
  EXPECT_EQ(error_of([&] { (void)fit_mini_batch(MatrixView<double>(data.data(), 3, 2), options); }),
            "reassignment_ratio must be a finite number >= 0 (got -0.500000)");
}

TEST(MiniBatchBadInput, MaxNoImprovementBelowZero) {
  std::vector<double> data = {0, 0, 1, 1, 2, 2};
  MiniBatchOptions options;
  options.n_clusters = 2;
  options.max_no_improvement = -1;
  EXPECT_EQ(error_of([&] { (void)fit_mini_batch(MatrixView<double>(data.data(), 3, 2), options); }),
            "max_no_improvement must be >= 0 (got -1)");
}

TEST(MiniBatchBadInput, BatchWithOtherColumnCount) {
  std::vector<double> data = {0, 0, 1, 1, 2, 2};
  MiniBatchOptions options;
  options.n_clusters = 2;
  MiniBatchState<double> state(options);
  (void)state.partial_fit(MatrixView<double>(data.data(), 3, 2));
  EXPECT_EQ(error_of([&] { (void)state.partial_fit(MatrixView<double>(data.data(), 2, 3)); }),
            "batch has 3 columns but the centers have 2");
}

}  // namespace
}  // namespace centrix
