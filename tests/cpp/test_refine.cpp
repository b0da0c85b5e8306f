// The swap refinement (refine = Swap): it only ever lowers the inertia, it
// escapes local optima Lloyd cannot leave, it is off when centers are given,
// and it keeps every fit reproducible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/metrics.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::blobs;
using testing::blobs_as;
using testing::pick_rows;

/// Four tight blobs at the corners of a square, side 10, 100 rows each.
std::vector<double> four_corners() {
  const auto b = blobs(400, 2, 1, 0.2, 31);  // one blob around a random center
  std::vector<double> mean(2, 0.0);
  for (std::size_t i = 0; i < 400; ++i) {
    for (std::size_t t = 0; t < 2; ++t) mean[t] += b.data(i, t) / 400;
  }
  std::vector<double> out(800);
  const double corners[4][2] = {{0, 0}, {10, 0}, {0, 10}, {10, 10}};
  for (std::size_t i = 0; i < 400; ++i) {
    for (std::size_t t = 0; t < 2; ++t) out[i * 2 + t] = b.data(i, t) - mean[t] + corners[i / 100][t];
  }
  return out;
}

TEST(Refine, EscapesALocalOptimumLloydKeeps) {
  // Two centers share the corner (0, 0) and one sits between the corners
  // (0, 10) and (10, 10): a Lloyd fixed point, two true clusters wrong.
  const std::vector<double> data = four_corners();
  const MatrixView<double> view(data.data(), 400, 2);
  KMeansOptions options;
  options.n_clusters = 4;
  options.init = Init::Given;
  options.initial_centers = {-0.1, 0.0, 0.1, 0.0, 5.0, 10.0, 10.0, 0.0};
  const auto plain = fit(view, options);
  const std::vector<double> truth = {0, 0, 10, 0, 0, 10, 10, 10};
  const MatrixView<double> truth_view(truth.data(), 4, 2);
  EXPECT_EQ(metrics::centroid_index(plain.centers.view(), truth_view), 1U);
  EXPECT_EQ(plain.n_swaps_tried, 0);  // given centers: Auto means no refinement

  options.refine = Refine::Swap;
  const auto refined = fit(view, options);
  EXPECT_EQ(metrics::centroid_index(refined.centers.view(), truth_view), 0U);
  EXPECT_GE(refined.n_swaps_accepted, 1);
  EXPECT_LT(refined.inertia, 0.2 * plain.inertia);
  // The reported inertia is that of the returned centers and labels.
  EXPECT_NEAR(inertia(view, refined.centers.view(), refined.labels), refined.inertia, 1e-9 * refined.inertia);
  EXPECT_EQ(predict(view, refined.centers.view()), refined.labels);
}

TEST(Refine, GivenCentersGiveExactlyPlainLloyd) {
  const auto b = blobs(3000, 3, 12, 1.5, 32);
  const MatrixView<double> view(b.data.values.data(), 3000, 3);
  KMeansOptions options;
  options.n_clusters = 12;
  options.init = Init::Given;
  options.initial_centers = pick_rows(b.data, testing::first_rows(12));
  const auto automatic = fit(view, options);
  options.refine = Refine::None;
  const auto none = fit(view, options);
  EXPECT_EQ(automatic.labels, none.labels);
  EXPECT_EQ(automatic.centers.values, none.centers.values);
  EXPECT_EQ(automatic.history.size(), none.history.size());
  EXPECT_EQ(automatic.n_swaps_tried, 0);
}

TEST(Refine, NeverRaisesTheInertiaOfTheSameStart) {
  // Refinement starts from the plain run of the same seed and keeps only improvements.
  for (Metric metric : {Metric::Euclidean, Metric::Cosine}) {
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
      const auto b = blobs(2000, 5, 25, 2.5, 40 + seed);
      const MatrixView<double> view(b.data.values.data(), 2000, 5);
      KMeansOptions options;
      options.n_clusters = 25;
      options.metric = metric;
      options.seed = seed;
      options.refine = Refine::None;
      const auto plain = fit(view, options);
      options.refine = Refine::Swap;
      const auto refined = fit(view, options);
      EXPECT_LE(refined.inertia, plain.inertia * (1 + 1e-12)) << to_string(metric) << " seed " << seed;
      EXPECT_GE(refined.n_swaps_tried, options.swap_patience) << "every failure counts toward the patience";
      EXPECT_LE(refined.n_swaps_accepted, refined.n_swaps_tried);
      EXPECT_EQ(predict(view, refined.centers.view(), metric), refined.labels);
      EXPECT_NEAR(inertia(view, refined.centers.view(), refined.labels, metric), refined.inertia,
                  1e-9 * refined.inertia);
    }
  }
}

TEST(Refine, HistoryTagsEveryTrialAndKeepsEachDescentMonotone) {
  const auto b = blobs(4000, 2, 30, 1.0, 33);
  KMeansOptions options;
  options.n_clusters = 30;
  options.seed = 3;
  options.n_init = 2;
  const auto result = fit(MatrixView<double>(b.data.values.data(), 4000, 2), options);
  ASSERT_FALSE(result.history.empty());
  std::vector<int> trials_seen;
  for (std::size_t i = 1; i < result.history.size(); ++i) {
    const IterationStats& a = result.history[i - 1];
    const IterationStats& s = result.history[i];
    if (s.run == a.run && s.swap == a.swap && s.iteration == a.iteration + 1) {
      EXPECT_LE(s.inertia, a.inertia * (1 + 1e-12)) << "run " << s.run << " swap " << s.swap;
    }
    if (s.run == result.best_run && s.swap > 0) trials_seen.push_back(s.swap);
    EXPECT_LE(s.iteration, std::max(options.max_iter, options.swap_iter));
  }
  // Trials are numbered 1, 2, ... in order; the final settling descent reuses the number of the last kept trial.
  std::sort(trials_seen.begin(), trials_seen.end());
  trials_seen.erase(std::unique(trials_seen.begin(), trials_seen.end()), trials_seen.end());
  ASSERT_EQ(trials_seen.size(), static_cast<std::size_t>(result.n_swaps_tried));
  for (std::size_t i = 0; i < trials_seen.size(); ++i) EXPECT_EQ(trials_seen[i], static_cast<int>(i) + 1);
  EXPECT_LE(result.n_swaps_tried, 2 * 30 + 16);
}

TEST(Refine, BudgetOptionsAreHonoured) {
  const auto b = blobs(3000, 4, 40, 2.0, 34);
  const MatrixView<double> view(b.data.values.data(), 3000, 4);
  KMeansOptions options;
  options.n_clusters = 40;
  options.refine = Refine::Swap;
  options.max_swaps = 3;
  EXPECT_LE(fit(view, options).n_swaps_tried, 3);
  options.max_swaps = 0;
  options.swap_patience = 0;
  EXPECT_EQ(fit(view, options).n_swaps_tried, 0);
  options.swap_patience = 2;
  options.swap_iter = 1;
  const auto quick = fit(view, options);
  for (const IterationStats& s : quick.history) {
    if (s.swap > 0 && s.swap != quick.history.back().swap) {
      EXPECT_EQ(s.iteration, 1);
    }
  }
}

TEST(Refine, NoEarlyStopTurnsAutoRefinementOff) {
  const auto b = blobs(1000, 2, 8, 1.0, 35);
  KMeansOptions options;
  options.n_clusters = 8;
  options.max_iter = 15;
  options.early_stop = false;
  const auto result = fit(MatrixView<double>(b.data.values.data(), 1000, 2), options);
  EXPECT_EQ(result.n_swaps_tried, 0);
  EXPECT_EQ(result.history.size(), 15U);
}

TEST(Refine, WeightsAndFloat32AreSupported) {
  const auto b = blobs(5000, 3, 20, 1.0, 36);
  const std::vector<float> data32 = blobs_as<float>(b);
  std::vector<double> weights(5000);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 + static_cast<double>(i % 3);
  KMeansOptions options;
  options.n_clusters = 20;
  options.seed = 8;
  const auto refined = fit(MatrixView<float>(data32.data(), 5000, 3), options, weights);
  options.refine = Refine::None;
  const auto plain = fit(MatrixView<float>(data32.data(), 5000, 3), options, weights);
  EXPECT_LE(refined.inertia, plain.inertia * (1 + 1e-9));
  // The refined fit finds the generating centers (blobs are well separated at std 1).
  const MatrixView<double> truth(b.centers.values.data(), 20, 3);
  Matrix<double> found(20, 3);
  std::transform(refined.centers.values.begin(), refined.centers.values.end(), found.values.begin(),
                 [](float v) { return static_cast<double>(v); });
  EXPECT_EQ(metrics::centroid_index(found.view(), truth), 0U);
}

TEST(Refine, BadBudgetsAreRejected) {
  const auto b = blobs(100, 2, 3, 1.0, 37);
  const MatrixView<double> view(b.data.values.data(), 100, 2);
  KMeansOptions options;
  options.n_clusters = 3;
  options.swap_iter = 0;
  EXPECT_THROW(fit(view, options), InvalidArgument);
  options.swap_iter = 3;
  options.swap_patience = -1;
  EXPECT_THROW(fit(view, options), InvalidArgument);
  options.swap_patience = 8;
  options.max_swaps = -2;
  EXPECT_THROW(fit(view, options), InvalidArgument);
  EXPECT_THROW(parse_refine("random-swap"), InvalidArgument);
  EXPECT_EQ(parse_refine("swap"), Refine::Swap);
  EXPECT_STREQ(to_string(Refine::None), "none");
}

TEST(Refine, SingleClusterNeedsNoSwaps) {
  const auto b = blobs(200, 3, 2, 1.0, 38);
  KMeansOptions options;
  options.n_clusters = 1;
  const auto result = fit(MatrixView<double>(b.data.values.data(), 200, 3), options);
  EXPECT_EQ(result.n_swaps_tried, 0);
}

}  // namespace
}  // namespace centrix

namespace centrix {
namespace {

TEST(Frames, RecordThePathOfTheReturnedRun) {
  const auto b = blobs(3000, 3, 10, 1.0, 50);
  const MatrixView<double> view(b.data.values.data(), 3000, 3);
  KMeansOptions options;
  options.n_clusters = 10;
  options.init = Init::Given;
  options.initial_centers = pick_rows(b.data, testing::first_rows(10));
  options.max_frames = 1000;
  const auto all = fit(view, options);
  // One frame per iteration (the centers it assigned against), then the final centers.
  ASSERT_EQ(all.frames.size(), static_cast<std::size_t>(all.n_iter) + 1);
  EXPECT_EQ(all.frames.front().centers.values, options.initial_centers);
  EXPECT_EQ(all.frames.back().iteration, 0);
  EXPECT_EQ(all.frames.back().centers.values, all.centers.values);
  for (std::size_t i = 0; i + 1 < all.frames.size(); ++i) EXPECT_EQ(all.frames[i].iteration, static_cast<int>(i) + 1);

  options.max_frames = 4;  // thinned evenly, keeping the first and the final centers
  const auto few = fit(view, options);
  ASSERT_EQ(few.frames.size(), 4U);
  EXPECT_EQ(few.frames.front().centers.values, options.initial_centers);
  EXPECT_EQ(few.frames.back().centers.values, few.centers.values);
  EXPECT_EQ(few.centers.values, all.centers.values);  // recording never changes the result

  options.max_frames = 0;
  EXPECT_TRUE(fit(view, options).frames.empty());
  options.max_frames = -1;
  EXPECT_THROW(fit(view, options), InvalidArgument);
}

TEST(Frames, FollowKeptSwapsOnly) {
  const auto b = blobs(4000, 2, 30, 1.0, 33);
  KMeansOptions options;
  options.n_clusters = 30;
  options.seed = 3;
  options.max_frames = 10000;
  const auto result = fit(MatrixView<double>(b.data.values.data(), 4000, 2), options);
  ASSERT_GT(result.n_swaps_accepted, 0);
  int last_swap = 0;
  std::vector<int> swaps;
  for (const auto& f : result.frames) {
    EXPECT_GE(f.swap, last_swap);
    if (f.swap != last_swap) swaps.push_back(f.swap);
    last_swap = f.swap;
  }
  // The swaps on the path are the kept ones.
  EXPECT_EQ(swaps.size(), static_cast<std::size_t>(result.n_swaps_accepted));
  EXPECT_EQ(result.frames.back().centers.values, result.centers.values);
}

}  // namespace
}  // namespace centrix
