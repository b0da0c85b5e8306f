// Mean shift and its neighbour search against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/mean_shift.hpp"
#include "kernels/exp.hpp"
#include "kernels/radius_search.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::blobs;

class RadiusSearchSweep : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RadiusSearchSweep, AccumulationsMatchBruteForce) {
  const std::size_t d = GetParam();
  std::mt19937_64 gen(d);
  std::normal_distribution<double> normal(0.0, 3.0);
  const std::size_t n = 3001;
  std::vector<double> points(n * d);
  for (double& v : points) v = normal(gen);
  for (bool cell_sums : {false, true}) {
    for (double radius : {0.5, 2.0, 7.0}) {
      const kernels::RadiusSearch search(points.data(), n, d, radius, cell_sums);
      for (std::size_t q = 0; q < 40; ++q) {
        std::vector<double> query(d);
        for (double& v : query) v = normal(gen);
        for (kernels::Profile profile :
             {kernels::Profile::Flat, kernels::Profile::Triangular, kernels::Profile::Gaussian}) {
          kernels::NeighbourSums sums;
          const double scale = profile == kernels::Profile::Gaussian ? radius / 3 : radius;
          search.accumulate_within(query.data(), profile, scale, scale, sums);
          std::vector<double> expected_sum(d, 0.0);
          double expected_weight = 0;
          std::int64_t expected_count = 0;
          std::size_t visited = 0;
          for (std::size_t i = 0; i < n; ++i) {
            double s = 0;
            for (std::size_t t = 0; t < d; ++t) s += (points[i * d + t] - query[t]) * (points[i * d + t] - query[t]);
            if (s > radius * radius) continue;
            ++visited;
            const double w = profile == kernels::Profile::Flat         ? 1.0
                             : profile == kernels::Profile::Triangular ? std::max(0.0, 1.0 - std::sqrt(s) / scale)
                                                                       : std::exp(-0.5 * s / (scale * scale));
            expected_weight += w;
            expected_count += s <= scale * scale;
            for (std::size_t t = 0; t < d; ++t) expected_sum[t] += w * points[i * d + t];
          }
          EXPECT_NEAR(sums.total_weight, expected_weight, 1e-9 * (1 + expected_weight));
          EXPECT_EQ(sums.count, expected_count);
          for (std::size_t t = 0; t < d; ++t)
            EXPECT_NEAR(sums.weighted_sum[t], expected_sum[t], 1e-8 * (1.0 + static_cast<double>(visited)));
          std::size_t reported = 0;
          search.for_each_within(query.data(), [&](std::size_t, double) { ++reported; });
          EXPECT_EQ(reported, visited);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dimensions, RadiusSearchSweep, ::testing::Values(1, 2, 3, 5, 6, 7, 12));

// Points on an integer lattice a million units from the origin (as UEF sets), queries on the lattice and
// radii whole numbers: many points lie exactly on the sphere, on cell boundaries, or at the edges of the rows
// that the flat profile counts whole. Every count must still be exact.
TEST(RadiusSearch, ExactOnALatticeFarFromTheOrigin) {
  for (std::size_t d : {1, 2, 3}) {
    const int side = d == 1 ? 400 : d == 2 ? 40 : 12;
    std::vector<double> points;
    std::vector<int> index(d, 0);
    for (;;) {
      for (std::size_t t = 0; t < d; ++t) points.push_back(1e6 + index[t]);
      std::size_t t = 0;
      while (t < d && index[t] == side - 1) index[t++] = 0;
      if (t == d) break;
      ++index[t];
    }
    const std::size_t n = points.size() / d;
    for (double radius : {1.0, 3.0, 5.0}) {
      const kernels::RadiusSearch search(points.data(), n, d, radius, true);
      for (std::size_t q = 0; q < n; q += 37) {
        const double* query = &points[q * d];
        kernels::NeighbourSums sums;
        search.accumulate_within(query, kernels::Profile::Flat, radius, radius, sums);
        std::int64_t expected = 0;
        std::vector<double> expected_sum(d, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
          double s = 0;
          for (std::size_t t = 0; t < d; ++t) s += (points[i * d + t] - query[t]) * (points[i * d + t] - query[t]);
          if (s > radius * radius) continue;
          ++expected;
          for (std::size_t t = 0; t < d; ++t) expected_sum[t] += points[i * d + t];
        }
        ASSERT_EQ(sums.count, expected) << "d " << d << " radius " << radius << " query " << q;
        EXPECT_EQ(sums.total_weight, static_cast<double>(expected));
        for (std::size_t t = 0; t < d; ++t) EXPECT_NEAR(sums.weighted_sum[t], expected_sum[t], 1e-9 * expected_sum[t]);
        std::int64_t reported = 0;
        search.for_each_within(query, [&](std::size_t, double) { ++reported; });
        EXPECT_EQ(reported, expected);
      }
    }
  }
}

TEST(Kernels, ExpNonpositiveMatchesStdExp) {
  double worst = 0;
  for (double y = -708.0; y <= 0.0; y += 0.0137) {
    const double expected = std::exp(y);
    worst = std::max(worst, std::abs(kernels::exp_nonpositive(y) - expected) / expected);
  }
  for (double y : {0.0, -0.5 * std::log(2.0), -1e-300, -4.5, -707.99}) {
    EXPECT_NEAR(kernels::exp_nonpositive(y), std::exp(y), 4e-16 * std::exp(y)) << y;
  }
  EXPECT_LT(worst, 4e-16);
  EXPECT_EQ(kernels::exp_nonpositive(-800.0), 0.0);
  EXPECT_EQ(kernels::exp_nonpositive(0.0), 1.0);
}

TEST(MeanShift, FindsSeparatedBlobsAndLabelsThem) {
  datasets::BlobsOptions blob_options;
  blob_options.n_samples = 3000;
  blob_options.n_centers = 5;
  blob_options.cluster_std = 0.5;
  blob_options.center_low = -100;  // centers tens of units apart, blobs a couple wide
  blob_options.center_high = 100;
  blob_options.seed = 21;
  const auto b = datasets::make_blobs(blob_options);
  for (bool bin_seeding : {false, true}) {
    for (MeanShiftKernel kernel : {MeanShiftKernel::Flat, MeanShiftKernel::Triangular, MeanShiftKernel::Gaussian}) {
      MeanShiftOptions options;
      options.bandwidth = kernel == MeanShiftKernel::Gaussian ? 0.5 : 1.2;
      options.bin_seeding = bin_seeding;
      options.kernel = kernel;
      const auto result = mean_shift(b.data.view(), options);
      ASSERT_EQ(result.centers.rows, 5U) << to_string(kernel) << " bin seeding " << bin_seeding;
      // Every blob is one cluster, and every cluster one blob.
      std::vector<std::int32_t> blob_to_cluster(5, -1);
      for (std::size_t i = 0; i < 3000; ++i) {
        auto& mapped = blob_to_cluster[static_cast<std::size_t>(b.labels[i])];
        if (mapped < 0) mapped = result.labels[i];
        EXPECT_EQ(mapped, result.labels[i]);
      }
      std::vector<std::int32_t> sorted = blob_to_cluster;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(std::unique(sorted.begin(), sorted.end()) - sorted.begin(), 5);
      // Modes are sorted by population.
      for (std::size_t j = 1; j < result.populations.size(); ++j) {
        EXPECT_GE(result.populations[j - 1], result.populations[j]);
      }
    }
  }
}

TEST(MeanShift, OneAndTwoThreadsGiveBitwiseEqualResults) {
  const auto b = blobs(5000, 3, 6, 1.0, 22);
  MeanShiftOptions options;
  options.bandwidth = 2.5;
  options.n_threads = 1;
  const auto one = mean_shift(b.data.view(), options);
  options.n_threads = 2;
  const auto two = mean_shift(b.data.view(), options);
  EXPECT_EQ(one.labels, two.labels);
  ASSERT_EQ(one.centers.values.size(), two.centers.values.size());
  EXPECT_EQ(std::memcmp(one.centers.values.data(), two.centers.values.data(), one.centers.values.size() * 8), 0);
}

TEST(MeanShift, OrphansGetMinusOneWithoutClusterAll) {
  auto b = blobs(500, 2, 2, 0.3, 23);
  b.data(0, 0) = 1000.0;  // far from everything
  b.data(0, 1) = 1000.0;
  MeanShiftOptions options;
  options.bandwidth = 1.5;
  options.bin_seeding = true;
  options.min_bin_freq = 3;  // the lone row's bin gives no seed
  options.cluster_all = false;
  const auto result = mean_shift(b.data.view(), options);
  EXPECT_EQ(result.labels[0], -1);
  EXPECT_EQ(std::count(result.labels.begin(), result.labels.end(), -1), 1);
  options.cluster_all = true;
  EXPECT_GE(mean_shift(b.data.view(), options).labels[0], 0);
}

TEST(MeanShift, AttractorLabelsFollowEachRowsTrajectory) {
  // Two blobs whose windows overlap: a row between them is labelled by where it climbs to.
  const auto b = blobs(2000, 2, 2, 1.0, 24);
  MeanShiftOptions options;
  options.bandwidth = 2.0;
  options.labels = MeanShiftLabels::Attractor;
  const auto attractor = mean_shift(b.data.view(), options);
  options.labels = MeanShiftLabels::Nearest;
  const auto nearest = mean_shift(b.data.view(), options);
  ASSERT_EQ(attractor.centers.values, nearest.centers.values);
  std::size_t same = 0;
  for (std::size_t i = 0; i < 2000; ++i) same += attractor.labels[i] == nearest.labels[i];
  EXPECT_GT(same, 1900U);  // the two rules agree away from the boundaries
  for (std::int32_t l : attractor.labels) EXPECT_GE(l, 0);
}

TEST(MeanShift, InterruptStopsTheClimb) {
  const auto b = blobs(2000, 2, 3, 1.0, 25);
  MeanShiftOptions options;
  options.bandwidth = 1.0;
  options.n_threads = 1;
  int polls = 0;
  options.interrupted = [&] { return ++polls >= 3; };
  EXPECT_THROW(mean_shift(b.data.view(), options), Cancelled);
  EXPECT_EQ(polls, 3);
}

TEST(EstimateBandwidth, IsTheMeanDistanceToTheQuantileNeighbour) {
  std::vector<double> points = {0, 1, 3, 6, 10};  // 1-D
  // quantile 0.4 of 5 rows: the 2nd nearest (the row itself first): 1, 1, 2, 3, 4.
  EXPECT_DOUBLE_EQ(estimate_bandwidth(MatrixView<double>(points.data(), 5, 1), 0.4), (1 + 1 + 2 + 3 + 4) / 5.0);
}

TEST(MeanShiftBadInput, ErrorsNameTheProblem) {
  std::vector<double> one = {1.0, 2.0};
  std::vector<double> same = {1.0, 2.0, 1.0, 2.0, 1.0, 2.0};
  std::vector<double> nan = {1.0, NAN, 1.0, 2.0};
  const auto message = [](auto&& f) {
    try {
      f();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  MeanShiftOptions options;
  options.bandwidth = -1;
  EXPECT_NE(message([&] { mean_shift(MatrixView<double>(same.data(), 3, 2), options); }).find("bandwidth must be"),
            std::string::npos);
  options.bandwidth = 0;  // estimate
  EXPECT_NE(message([&] { mean_shift(MatrixView<double>(one.data(), 1, 2), options); }).find("at least 2 rows"),
            std::string::npos);
  EXPECT_NE(message([&] { mean_shift(MatrixView<double>(same.data(), 3, 2), options); }).find("bandwidth is 0"),
            std::string::npos);
  options.bandwidth = 1;
  EXPECT_NE(message([&] { mean_shift(MatrixView<double>(nan.data(), 2, 2), options); }).find("NaN at row 0, column 1"),
            std::string::npos);
  options.seeds = {100.0, 100.0};
  EXPECT_NE(message([&] { mean_shift(MatrixView<double>(same.data(), 3, 2), options); }).find("no row was within"),
            std::string::npos);
  options.seeds.clear();
  options.kernel = MeanShiftKernel::Gaussian;
  for (double cutoff : {0.5, 38.0, static_cast<double>(NAN)}) {
    options.gaussian_cutoff = cutoff;
    EXPECT_NE(message([&] {
                mean_shift(MatrixView<double>(same.data(), 3, 2), options);
              }).find("gaussian_cutoff must be between 1 and 37 bandwidths"),
              std::string::npos)
        << cutoff;
  }
  options.gaussian_cutoff = 37;  // the largest: weights reach exp(-684.5), still a normal double
  EXPECT_EQ(mean_shift(MatrixView<double>(same.data(), 3, 2), options).centers.rows, 1U);
}

// ---- Frames: every seed's position along its climb, for animations. ----

/// Flat-kernel mean shift by brute force: each seed's positions after 0, 1, ... mean updates, until it stops.
std::vector<std::vector<std::vector<double>>> brute_force_paths(const Matrix<double>& points, double h, double tol,
                                                                int max_iter) {
  std::vector<std::vector<std::vector<double>>> paths;
  const std::size_t d = points.cols;
  for (std::size_t s = 0; s < points.rows; ++s) {
    std::vector<double> at(points.row(s), points.row(s) + d);
    std::vector<std::vector<double>> path = {at};
    for (int it = 0; it < max_iter; ++it) {
      std::vector<double> sum(d, 0.0);
      double count = 0;
      for (std::size_t i = 0; i < points.rows; ++i) {
        double sq = 0;
        for (std::size_t t = 0; t < d; ++t) sq += (points(i, t) - at[t]) * (points(i, t) - at[t]);
        if (sq > h * h) continue;
        count += 1;
        for (std::size_t t = 0; t < d; ++t) sum[t] += points(i, t);
      }
      if (count == 0) break;
      double moved = 0;
      for (std::size_t t = 0; t < d; ++t) {
        moved += (sum[t] / count - at[t]) * (sum[t] / count - at[t]);
        at[t] = sum[t] / count;
      }
      path.push_back(at);
      if (std::sqrt(moved) <= tol * h) break;
    }
    paths.push_back(std::move(path));
  }
  return paths;
}

TEST(MeanShiftFrames, FollowEverySeedFromItsStartToWhereItStopped) {
  const auto b = blobs(400, 2, 3, 1.0, 31);
  MeanShiftOptions options;
  options.bandwidth = 1.5;
  options.max_frames = 1000;  // more than the iterations: every one is kept
  options.labels = MeanShiftLabels::Attractor;
  const auto result = mean_shift(b.data.view(), options);
  const auto paths = brute_force_paths(b.data, options.bandwidth, options.tol, options.max_iter);
  ASSERT_EQ(result.frames.size(), static_cast<std::size_t>(result.n_iter) + 1);
  ASSERT_EQ(result.frame_iterations.size(), result.frames.size());
  std::size_t longest = 0;
  for (const auto& path : paths) longest = std::max(longest, path.size() - 1);
  EXPECT_EQ(static_cast<std::size_t>(result.n_iter), longest);
  for (std::size_t f = 0; f < result.frames.size(); ++f) {
    EXPECT_EQ(result.frame_iterations[f], static_cast<int>(f));
    const Matrix<double>& frame = result.frames[f];
    ASSERT_EQ(frame.rows, 400U);
    ASSERT_EQ(frame.cols, 2U);
    for (std::size_t s = 0; s < 400; ++s) {
      // A seed that stopped stays where it stopped.
      const auto& expected = paths[s][std::min(f, paths[s].size() - 1)];
      for (std::size_t t = 0; t < 2; ++t) ASSERT_NEAR(frame(s, t), expected[t], 1e-9) << "frame " << f << " seed " << s;
    }
  }
  // Frame 0 is the seeds (here the rows) exactly.
  EXPECT_EQ(result.frames.front().values, b.data.values);
  // The last frame is where each seed converged, before modes were merged: the attractor labels name the
  // mode nearest to it.
  const Matrix<double>& last = result.frames.back();
  for (std::size_t s = 0; s < 400; ++s) {
    double best = INFINITY;
    std::int32_t nearest = -1;
    for (std::size_t c = 0; c < result.centers.rows; ++c) {
      const double dx = last(s, 0) - result.centers(c, 0);
      const double dy = last(s, 1) - result.centers(c, 1);
      if (dx * dx + dy * dy < best) {
        best = dx * dx + dy * dy;
        nearest = static_cast<std::int32_t>(c);
      }
    }
    EXPECT_EQ(nearest, result.labels[s]);
  }
}

TEST(MeanShiftFrames, AreThinnedEvenlyKeepingTheFirstAndTheLast) {
  const auto b = blobs(300, 3, 2, 2.0, 32);
  MeanShiftOptions options;
  options.bandwidth = 2.0;
  options.tol = 1e-7;  // long climbs, so that there is something to thin
  options.max_frames = 1000;
  const auto all = mean_shift(b.data.view(), options);
  ASSERT_GT(all.n_iter, 20);
  for (int cap : {1, 2, 3, 5, 8, 13}) {
    options.max_frames = cap;
    const auto thinned = mean_shift(b.data.view(), options);
    ASSERT_GE(thinned.frames.size(), 1U);
    EXPECT_LE(thinned.frames.size(), static_cast<std::size_t>(cap));
    if (cap >= 2) {
      EXPECT_EQ(thinned.frames.size(), static_cast<std::size_t>(cap));  // plenty of iterations to choose from
      EXPECT_EQ(thinned.frame_iterations.front(), 0);
    }
    EXPECT_EQ(thinned.frame_iterations.back(), all.n_iter);
    for (std::size_t f = 0; f < thinned.frames.size(); ++f) {
      if (f > 0) {
        EXPECT_LT(thinned.frame_iterations[f - 1], thinned.frame_iterations[f]);
      }
      // Each kept frame is the unthinned frame of its iteration.
      const auto it = static_cast<std::size_t>(thinned.frame_iterations[f]);
      EXPECT_EQ(thinned.frames[f].values, all.frames[it].values) << "cap " << cap << " frame " << f;
    }
    // Evenly: no gap is more than about twice another.
    if (thinned.frames.size() >= 3) {
      int shortest = INT32_MAX;
      int longest = 0;
      for (std::size_t f = 1; f < thinned.frames.size(); ++f) {
        const int gap = thinned.frame_iterations[f] - thinned.frame_iterations[f - 1];
        shortest = std::min(shortest, gap);
        longest = std::max(longest, gap);
      }
      EXPECT_LE(longest, 2 * shortest + 2) << "cap " << cap;
    }
  }
}

TEST(MeanShiftFrames, DoNotChangeTheResult) {
  const auto b = blobs(1000, 2, 4, 1.0, 33);
  for (bool bin_seeding : {false, true}) {
    MeanShiftOptions options;
    options.bandwidth = 1.5;
    options.bin_seeding = bin_seeding;
    const auto plain = mean_shift(b.data.view(), options);
    EXPECT_TRUE(plain.frames.empty());  // max_frames = 0 keeps none
    EXPECT_TRUE(plain.frame_iterations.empty());
    options.max_frames = 4;
    const auto framed = mean_shift(b.data.view(), options);
    EXPECT_EQ(plain.centers.values, framed.centers.values);
    EXPECT_EQ(plain.labels, framed.labels);
    EXPECT_EQ(plain.populations, framed.populations);
    EXPECT_EQ(plain.n_iter, framed.n_iter);
    EXPECT_EQ(plain.n_seeds, framed.n_seeds);
    ASSERT_EQ(framed.frames.size(), 4U);
    for (const auto& frame : framed.frames) EXPECT_EQ(frame.rows, framed.n_seeds);
  }
}

TEST(MeanShiftFrames, OneAndTwoThreadsGiveIdenticalFrames) {
  const auto b = blobs(3000, 2, 5, 1.0, 34);
  const std::vector<float> data = testing::blobs_as<float>(b);
  MeanShiftOptions options;
  options.bandwidth = 1.2;
  options.max_frames = 6;
  options.n_threads = 1;
  const auto one = mean_shift(MatrixView<float>(data.data(), 3000, 2), options);
  options.n_threads = 2;
  const auto two = mean_shift(MatrixView<float>(data.data(), 3000, 2), options);
  EXPECT_EQ(one.frame_iterations, two.frame_iterations);
  ASSERT_EQ(one.frames.size(), two.frames.size());
  for (std::size_t f = 0; f < one.frames.size(); ++f) {
    ASSERT_EQ(one.frames[f].values.size(), two.frames[f].values.size());
    EXPECT_EQ(std::memcmp(one.frames[f].values.data(), two.frames[f].values.data(), one.frames[f].values.size() * 4),
              0);
  }
  EXPECT_EQ(one.frames.front().values, data);  // frame 0: the seeds, here the rows
}

TEST(MeanShiftFrames, NegativeMaxFramesIsRejected) {
  const auto b = blobs(50, 2, 2, 1.0, 35);
  MeanShiftOptions options;
  options.bandwidth = 1.0;
  options.max_frames = -1;
  try {
    mean_shift(b.data.view(), options);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("max_frames must be >= 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace centrix
