// The accelerated exact algorithms against Lloyd from the same start: the
// labels, centers, iteration count and final inertia must be identical (not
// close: identical), for float32 and float64, both metrics, weights, any
// thread count, and through swap refinement. The distance counts show the
// bounds really skip work.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "centrix/io.hpp"
#include "centrix/kmeans.hpp"
#include "kernels/nearest_filter.hpp"
#include "kmeans/frame.hpp"
#include "kmeans/init.hpp"
#include "kmeans/update.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::blobs;
using testing::franti;

template <class T>
struct Problem {
  std::vector<T> values;
  std::size_t n = 0;
  std::size_t d = 0;
  [[nodiscard]] MatrixView<T> view() const { return MatrixView<T>(values.data(), n, d); }
};

template <class T>
Problem<T> blob_problem(std::size_t n, std::size_t d, std::size_t centers, double std_dev, std::uint64_t seed) {
  const datasets::Blobs b = blobs(n, d, centers, std_dev, seed);
  return {testing::blobs_as<T>(b), n, d};
}

template <class T>
Problem<T> uniform_problem(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Problem<T> p{std::vector<T>(n * d), n, d};
  for (T& v : p.values) v = static_cast<T>(u(gen));
  return p;
}

template <class T>
Problem<T> uef_problem(const std::string& name) {
  const io::Dataset data = io::load_matrix(franti(name));
  Problem<T> p{std::vector<T>(data.rows() * data.cols()), data.rows(), data.cols()};
  data.visit([&](auto view) {
    for (std::size_t i = 0; i < p.n; ++i) {
      for (std::size_t t = 0; t < p.d; ++t) p.values[i * p.d + t] = static_cast<T>(view(i, t));
    }
  });
  return p;
}

std::uint64_t total_evals(const std::vector<IterationStats>& history, int from_iteration = 1) {
  std::uint64_t total = 0;
  for (const IterationStats& s : history) total += s.iteration >= from_iteration ? s.distance_evals : 0;
  return total;
}

/// Fits with `algorithm` and with Lloyd from the same options and checks the
/// results are identical; returns the accelerated run's distance evaluations
/// as a fraction of Lloyd's, after the first iteration of each descent (which
/// has no bounds yet and computes everything).
template <class T>
double expect_same_as_lloyd(const Problem<T>& p, KMeansOptions options, Algorithm algorithm,
                            std::span<const double> weights = {}) {
  options.algorithm = Algorithm::Lloyd;
  const KMeansResult<T> lloyd = fit(p.view(), options, weights);
  options.algorithm = algorithm;
  const KMeansResult<T> fast = fit(p.view(), options, weights);
  EXPECT_EQ(fast.labels, lloyd.labels);
  EXPECT_EQ(fast.centers.values, lloyd.centers.values);
  EXPECT_EQ(fast.n_iter, lloyd.n_iter);
  EXPECT_EQ(fast.converged, lloyd.converged);
  EXPECT_EQ(fast.inertia, lloyd.inertia);
  EXPECT_EQ(fast.n_swaps_tried, lloyd.n_swaps_tried);
  EXPECT_EQ(fast.history.size(), lloyd.history.size());
  for (std::size_t i = 0; i < std::min(fast.history.size(), lloyd.history.size()); ++i) {
    // Skipped rows' distances are computed in double (and kept while the row's label and center stay),
    // Lloyd's in T: equal to rounding, which in double leaves no room for a distance to the wrong center.
    const double rounding = std::is_same_v<T, float> ? 1e-5 : 1e-10;
    EXPECT_NEAR(fast.history[i].inertia, lloyd.history[i].inertia, rounding * lloyd.history[i].inertia) << i;
    EXPECT_EQ(fast.history[i].n_changed, lloyd.history[i].n_changed) << i;
    EXPECT_EQ(fast.history[i].center_shift, lloyd.history[i].center_shift) << i;
  }
  const std::uint64_t lloyd_evals = total_evals(lloyd.history);
  EXPECT_EQ(lloyd_evals,
            static_cast<std::uint64_t>(lloyd.history.size()) * p.n * static_cast<std::uint64_t>(options.n_clusters));
  const std::uint64_t later = total_evals(lloyd.history, 2);
  return later == 0 ? 0.0 : static_cast<double>(total_evals(fast.history, 2)) / static_cast<double>(later);
}

KMeansOptions plain(int k, std::uint64_t seed = 3) {
  KMeansOptions o;
  o.n_clusters = k;
  o.refine = Refine::None;
  o.seed = seed;
  o.max_iter = 100;
  return o;
}

/// Every accelerated algorithm must pass the same differential tests.
class Accelerated : public ::testing::TestWithParam<Algorithm> {};

TEST_P(Accelerated, SameAsLloydOnBlobsFloat32AndFloat64) {
  for (std::size_t d : {2u, 3u, 16u, 17u, 64u}) {
    SCOPED_TRACE(d);
    const double f32 = expect_same_as_lloyd(blob_problem<float>(3000, d, 20, 1.0, d), plain(20), GetParam());
    const double f64 = expect_same_as_lloyd(blob_problem<double>(3000, d, 20, 1.0, d), plain(20), GetParam());
    std::printf("d = %zu: %s computed %.3f (float32) and %.3f (float64) of Lloyd's distances after iteration 1\n", d,
                to_string(GetParam()), f32, f64);
    // Well separated blobs: most rows are skipped once the centers settle.
    EXPECT_LT(f32, 0.3);
    EXPECT_LT(f64, 0.3);
  }
}

TEST_P(Accelerated, SameAsLloydOnDataWithoutClusters) {
  // Uniform data: many near-ties, the case where rounding margins matter.
  expect_same_as_lloyd(uniform_problem<float>(5000, 26, 1), plain(26), GetParam());
  expect_same_as_lloyd(uniform_problem<double>(5000, 26, 1), plain(26), GetParam());
  expect_same_as_lloyd(uniform_problem<float>(4000, 2, 2), plain(50), GetParam());
  // Many centers: several groups for Yinyang, and the panel's padding.
  expect_same_as_lloyd(uniform_problem<float>(3000, 5, 3), plain(150), GetParam());
}

TEST_P(Accelerated, SameAsLloydOnUefSetsFarFromTheOrigin) {
  for (const char* name : {"s1.txt", "a1.txt", "unbalance.txt", "dim032.txt"}) {
    if (!std::filesystem::exists(franti(name))) GTEST_SKIP() << "shared data not present";
    SCOPED_TRACE(name);
    const auto p = uef_problem<float>(name);
    const double fraction = expect_same_as_lloyd(p, plain(20, 7), GetParam());
    EXPECT_LT(fraction, 0.5);
  }
}

TEST_P(Accelerated, SameAsLloydForCosineAndWeights) {
  const auto p = blob_problem<float>(2000, 10, 8, 1.5, 11);
  KMeansOptions o = plain(12);
  o.metric = Metric::Cosine;
  expect_same_as_lloyd(p, o, GetParam());
  std::vector<double> weights(p.n);
  for (std::size_t i = 0; i < p.n; ++i) weights[i] = 0.5 + static_cast<double>(i % 7);
  expect_same_as_lloyd(p, plain(12), GetParam(), weights);
}

TEST_P(Accelerated, SameAsLloydForFewCentersInHighDimension) {
  // k below one vector and d above: Lloyd takes the dot kernel.
  expect_same_as_lloyd(blob_problem<float>(2000, 40, 5, 4.0, 12), plain(5), GetParam());
  expect_same_as_lloyd(blob_problem<double>(2000, 40, 5, 4.0, 12), plain(5), GetParam());
}

TEST_P(Accelerated, SameAsLloydThroughSwapRefinementAndRestarts) {
  KMeansOptions o;  // defaults: k-means++ and swap refinement
  o.n_clusters = 15;
  o.n_init = 2;
  o.seed = 5;
  expect_same_as_lloyd(blob_problem<float>(3000, 2, 15, 0.6, 4), o, GetParam());
}

TEST_P(Accelerated, SameAsLloydWithEmptyClusters) {
  // Given centers far outside the data leave clusters empty in the first iteration.
  const auto p = blob_problem<double>(500, 3, 4, 0.5, 8);
  KMeansOptions o = plain(6);
  o.init = Init::Given;
  o.initial_centers.assign(6 * 3, 0.0);
  for (std::size_t j = 0; j < 6; ++j) o.initial_centers[j * 3] = 1000.0 * static_cast<double>(j);
  KMeansOptions lloyd = o;
  lloyd.algorithm = Algorithm::Lloyd;
  const auto reference = fit(p.view(), lloyd);
  ASSERT_GT(reference.history.front().n_empty, 0);
  expect_same_as_lloyd(p, o, GetParam());
}

TEST_P(Accelerated, BitwiseTheSameForAnyThreadCount) {
  const auto p = blob_problem<float>(20000, 8, 70, 1.0, 9);
  KMeansOptions o = plain(70);
  o.algorithm = GetParam();
  o.n_threads = 1;
  const auto one = fit(p.view(), o);
  for (int threads : {2, 3}) {
    o.n_threads = threads;
    const auto many = fit(p.view(), o);
    EXPECT_EQ(many.labels, one.labels);
    EXPECT_EQ(many.centers.values, one.centers.values);
    ASSERT_EQ(many.history.size(), one.history.size());
    for (std::size_t i = 0; i < one.history.size(); ++i) {
      EXPECT_EQ(many.history[i].inertia, one.history[i].inertia);
      EXPECT_EQ(many.history[i].distance_evals, one.history[i].distance_evals);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Accelerated,
                         ::testing::Values(Algorithm::Hamerly, Algorithm::Yinyang, Algorithm::Elkan),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

// The filter changes the speed of Lloyd's assignment, never its result: whole fits with and without it are
// identical, on blobs and on a UEF set far from the origin, on 1 and 2 threads, through every unit this CPU offers
// and through the one it picks by shape.
TEST(Filter, FitsAreBitwiseTheSameWithAndWithoutIt) {
  if (kernels::filter_units().empty()) GTEST_SKIP() << "this CPU or OS has neither AMX nor AVX512-VNNI nor AVX512-BF16";
  const auto blob = blob_problem<float>(6000, 64, 100, 1.0, 5);
  const auto dim32 = uef_problem<float>("dim032.txt");
  const auto wide = blob_problem<float>(3000, 100, 800, 1.0, 6);  // where every unit pays
  ASSERT_NE(kernels::filter_unit_for(800, 100), "none");
  std::vector<std::string> units = kernels::filter_units();
  units.emplace_back("");  // chosen by shape
  for (const std::string& unit : units) {
    SCOPED_TRACE(unit.empty() ? std::string("by shape") : unit);
    kernels::force_filter_unit(unit);
    for (const Problem<float>* p : {&blob, &dim32, &wide}) {
      for (int threads : {1, 2}) {
        KMeansOptions o = plain(p == &blob ? 100 : p == &wide ? 800 : 64);
        o.algorithm = Algorithm::Lloyd;
        o.max_iter = 20;
        o.n_threads = threads;
        const auto filtered = fit(p->view(), o);
        kernels::set_filter_enabled(false);
        const auto plain_fit = fit(p->view(), o);
        kernels::set_filter_enabled(true);
        EXPECT_EQ(filtered.labels, plain_fit.labels);
        EXPECT_EQ(filtered.centers.values, plain_fit.centers.values);
        EXPECT_EQ(filtered.inertia, plain_fit.inertia);
        EXPECT_EQ(filtered.n_iter, plain_fit.n_iter);
        ASSERT_EQ(filtered.history.size(), plain_fit.history.size());
        for (std::size_t i = 0; i < filtered.history.size(); ++i) {
          EXPECT_EQ(filtered.history[i].inertia, plain_fit.history[i].inertia) << i;
        }
      }
    }
  }
  kernels::force_filter_unit("");
}

TEST(Hamerly, AutoPicksHamerlyOnlyWhereRowsOfDistancesAreCostly) {
  const auto p = blob_problem<float>(2000, 64, 70, 0.5, 2);
  KMeansOptions o = plain(70);  // k * d = 4480
  const auto many = fit(p.view(), o);
  EXPECT_LT(total_evals(many.history), many.history.size() * p.n * 70);
  o.n_clusters = 4;  // k < 8
  const auto few = fit(p.view(), o);
  EXPECT_EQ(total_evals(few.history), few.history.size() * p.n * 4);
  const auto low_d = blob_problem<float>(2000, 2, 50, 0.5, 2);
  o.n_clusters = 50;  // k * d = 100
  const auto cheap = fit(low_d.view(), o);
  EXPECT_EQ(total_evals(cheap.history), cheap.history.size() * low_d.n * 50);
}

TEST(Hamerly, ParsesItsName) {
  EXPECT_EQ(parse_algorithm("hamerly"), Algorithm::Hamerly);
  EXPECT_STREQ(to_string(Algorithm::Hamerly), "hamerly");
  EXPECT_EQ(parse_algorithm("yinyang"), Algorithm::Yinyang);
  EXPECT_EQ(parse_algorithm("elkan"), Algorithm::Elkan);
  EXPECT_STREQ(to_string(Algorithm::Elkan), "elkan");
  EXPECT_STREQ(to_string(Algorithm::Yinyang), "yinyang");
  EXPECT_THROW(parse_algorithm("elkan2"), InvalidArgument);
}

}  // namespace
}  // namespace centrix

namespace centrix {
namespace {

/// Sets the frame cache limit for its lifetime (so that small problems take
/// the paths of data larger than it).
template <class T>
class CacheLimit {
 public:
  explicit CacheLimit(std::size_t bytes) : saved_(detail::DataFrame<T>::cache_bytes) {
    detail::DataFrame<T>::cache_bytes = bytes;
  }
  ~CacheLimit() { detail::DataFrame<T>::cache_bytes = saved_; }
  CacheLimit(const CacheLimit&) = delete;
  CacheLimit& operator=(const CacheLimit&) = delete;

 private:
  std::size_t saved_;
};

TEST(Auto, DropsHamerlyWhereItsBoundsSkipNothing) {
  // Many centers in unstructured data: Hamerly's single lower bound shrinks by
  // the largest center move and skips almost nothing, so Auto goes on with
  // Lloyd (every later iteration computes all n x k distances) and gives the
  // same result; on held rows, rows in place and streamed rows (cosine far
  // from the frame cache is neither held nor in place), for both metrics.
  std::mt19937_64 gen(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::size_t n = 3000;
  const std::size_t d = 48;  // k * d = 4800: Auto tries Hamerly
  std::vector<float> values(n * d);
  for (float& v : values) v = static_cast<float>(normal(gen));
  const MatrixView<float> view(values.data(), n, d);
  for (const bool streamed : {false, true}) {
    for (const Metric metric : {Metric::Euclidean, Metric::Cosine}) {
      SCOPED_TRACE(std::string(streamed ? "streamed " : "held ") + (metric == Metric::Cosine ? "cosine" : "euclidean"));
      const CacheLimit<float> limit(streamed ? 0 : detail::DataFrame<float>::cache_bytes);
      const auto frame = detail::DataFrame<float>::for_fit(view, metric, 0);
      EXPECT_EQ(frame.held(), !streamed);
      EXPECT_EQ(frame.blocks_in_memory(), !streamed || metric == Metric::Euclidean);  // in place
      KMeansOptions o;
      o.n_clusters = 100;
      o.metric = metric;
      o.refine = Refine::None;
      o.max_iter = 12;
      o.early_stop = false;
      const auto automatic = fit(view, o);
      o.algorithm = Algorithm::Hamerly;
      const auto hamerly = fit(view, o);
      EXPECT_EQ(automatic.labels, hamerly.labels);
      ASSERT_EQ(automatic.history.size(), 12u);
      const std::uint64_t all = n * 100;
      EXPECT_GT(hamerly.history[1].distance_evals, all * 3 / 4);
      EXPECT_GT(hamerly.history[2].distance_evals, all * 3 / 4);
      // Over 95% in the first iteration with bounds (index 1): the sampled bounds see it coming (rows that
      // are not held are read for the sample), so that iteration already runs Lloyd's step.
      const bool hopeless = static_cast<double>(hamerly.history[1].distance_evals) > 0.95 * static_cast<double>(all);
      ASSERT_TRUE(hopeless);                              // this data is meant to be the hopeless case
      EXPECT_NE(hamerly.history[1].distance_evals, all);  // so running Hamerly's step there would show
      for (std::size_t i = 1; i < 12; ++i) EXPECT_EQ(automatic.history[i].distance_evals, all) << i;
    }
  }
}

TEST(Auto, KeepsHamerlyOnClusteredData) {
  const auto p = blob_problem<float>(5000, 128, 40, 0.5, 6);
  KMeansOptions o = plain(40);
  o.max_iter = 10;
  o.early_stop = false;
  const auto automatic = fit(p.view(), o);
  for (std::size_t i = 1; i < automatic.history.size(); ++i) {
    EXPECT_LT(automatic.history[i].distance_evals, p.n * 40 / 2) << i;
  }
}

}  // namespace
}  // namespace centrix

// ---- Data larger than the frame cache (64 MiB): rows streamed block by block, or used in place. ----
// The cache limit is lowered so that small problems take those paths.
namespace centrix {
namespace {

template <class T>
void expect_same_clustering(const KMeansResult<T>& a, const KMeansResult<T>& b) {
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.n_iter, b.n_iter);
  EXPECT_NEAR(a.inertia, b.inertia, 1e-6 * b.inertia);
}

/// `options` on 1 and on 3 threads give bitwise `expected`.
template <class T>
void expect_bitwise_for_1_and_3_threads(const Problem<T>& p, const KMeansOptions& options,
                                        const KMeansResult<T>& expected) {
  for (int threads : {1, 3}) {
    KMeansOptions t = options;
    t.n_threads = threads;
    const auto other = fit(p.view(), t);
    EXPECT_EQ(other.labels, expected.labels) << threads;
    EXPECT_EQ(other.centers.values, expected.centers.values) << threads;
    EXPECT_EQ(other.inertia, expected.inertia) << threads;
  }
}

/// Lloyd's fit with `options` is bitwise the same on 1 and 3 threads, and each of `others` gives its result.
template <class T>
void expect_lloyd_bitwise_and_matched(const Problem<T>& p, KMeansOptions options,
                                      std::initializer_list<Algorithm> others) {
  options.algorithm = Algorithm::Lloyd;
  expect_bitwise_for_1_and_3_threads(p, options, fit(p.view(), options));
  for (Algorithm a : others) expect_same_as_lloyd(p, options, a);
}

TEST(LargeData, InPlaceAndShiftedFramesGiveTheHeldFramesClustering) {
  for (double offset : {0.0, 1e4}) {  // near 0: the data is the frame; far: rows are shifted block by block
    auto p = blob_problem<float>(4000, 24, 12, 1.0, 8);
    for (float& v : p.values) v += static_cast<float>(offset);
    const KMeansOptions o = plain(12);
    const auto held = fit(p.view(), o);
    const CacheLimit<float> limit(0);
    const auto frame = detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0);
    EXPECT_FALSE(frame.held());
    EXPECT_EQ(frame.in_place(), offset == 0.0) << offset;
    const auto streamed = fit(p.view(), o);
    expect_same_clustering(streamed, held);
    // Still bitwise the same for any thread count, and every algorithm still equals Lloyd.
    expect_bitwise_for_1_and_3_threads(p, o, streamed);
    for (Algorithm a : {Algorithm::Hamerly, Algorithm::Yinyang, Algorithm::Elkan}) {
      expect_same_as_lloyd(p, o, a);
    }
  }
}

TEST(LargeData, InPlaceRowsWithManyCentersHaveTheirNormsComputedPerBlock) {
  // From 256 centers, for Lloyd and Auto, a frame in place beyond the frame cache frees its rows' squared
  // norms after the initialisation, and each block's are computed as it is assigned: bitwise the norms it
  // held. Lloyd's fit is then the same for any thread count, and every other algorithm (Auto dropping them
  // too and holding them again for Hamerly; the others keeping them) gives Lloyd's result.
  const auto p = blob_problem<float>(4000, 24, 256, 0.5, 14);
  const CacheLimit<float> limit(0);
  auto frame = detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0);
  ASSERT_TRUE(frame.in_place());
  std::vector<float> row(p.d);
  const auto norms_by_block = [&] {
    std::vector<float> norms(p.n);
    std::vector<float> buffer(frame.block_rows() * p.d);
    std::vector<float> sq_buffer(frame.block_rows());
    for (std::size_t b = 0; b < frame.n_blocks(); ++b) {
      const float* rows = nullptr;
      const float* sq_norms = nullptr;
      const std::size_t count = frame.block(b, buffer.data(), sq_buffer.data(), rows, sq_norms);
      EXPECT_EQ(rows, p.values.data() + b * frame.block_rows() * p.d);  // the data itself
      std::copy(sq_norms, sq_norms + count, norms.begin() + static_cast<std::ptrdiff_t>(b * frame.block_rows()));
    }
    return norms;
  };
  const std::vector<float> before = norms_by_block();
  ASSERT_TRUE(frame.sq_norms_held());
  frame.drop_row_norms();
  EXPECT_FALSE(frame.sq_norms_held());
  EXPECT_EQ(norms_by_block(), before);
  for (std::size_t i = 0; i < p.n; i += 397) EXPECT_EQ(frame.load_row(i, row.data()), before[i]) << i;

  expect_lloyd_bitwise_and_matched(p, plain(256),
                                   {Algorithm::Auto, Algorithm::Hamerly, Algorithm::Yinyang, Algorithm::Elkan});
}

TEST(LargeData, StreamedCosineRowsWithManyCentersHaveTheirLengthsComputedPerBlock) {
  // The same for a cosine frame whose rows are loaded block by block: from 256 centers, for Lloyd and
  // Auto, it frees its rows' lengths, and the blocks it loads and the center sums compute them again,
  // bitwise. Lloyd's fit (lengths computed) then equals the other algorithms' (lengths held), with
  // weights too (the sums scale each row by its weight over its length).
  const auto p = blob_problem<float>(4000, 24, 256, 0.5, 15);
  const CacheLimit<float> limit(0);
  auto frame = detail::DataFrame<float>::for_fit(p.view(), Metric::Cosine, 0);
  ASSERT_FALSE(frame.blocks_in_memory());
  const double* held = frame.norms_of(0, p.n);
  const std::vector<double> lengths(held, held + p.n);
  std::vector<float> row(p.d);
  std::vector<float> rows_before;
  for (std::size_t i = 0; i < p.n; i += 397) {
    rows_before.push_back(frame.load_row(i, row.data()));
    rows_before.insert(rows_before.end(), row.begin(), row.end());
  }
  frame.drop_row_norms();
  const double* computed = frame.norms_of(0, p.n);
  EXPECT_EQ(std::vector<double>(computed, computed + p.n), lengths);
  EXPECT_EQ(frame.norms_of(0, p.n), computed);  // asked again: the same buffer
  const double* some = frame.norms_of(100, 7);  // other rows: computed again
  EXPECT_EQ(std::vector<double>(some, some + 7), std::vector<double>(lengths.begin() + 100, lengths.begin() + 107));
  std::vector<float> rows_after;
  for (std::size_t i = 0; i < p.n; i += 397) {
    EXPECT_EQ(frame.norm(i), lengths[i]) << i;
    rows_after.push_back(frame.load_row(i, row.data()));
    rows_after.insert(rows_after.end(), row.begin(), row.end());
  }
  EXPECT_EQ(rows_after, rows_before);

  KMeansOptions o = plain(256);
  o.metric = Metric::Cosine;
  o.max_iter = 20;
  expect_lloyd_bitwise_and_matched(p, o, {Algorithm::Auto, Algorithm::Hamerly, Algorithm::Yinyang});
  std::vector<double> weights(p.n);
  for (std::size_t i = 0; i < p.n; ++i) weights[i] = 0.5 + static_cast<double>(i % 5);
  expect_same_as_lloyd(p, o, Algorithm::Hamerly, weights);
}

TEST(Frame, HeldRowsComeWithLaneTilesAndTheTwoPassVariance) {
  // The held frame's variance comes from its rows' squared norms, the others' from a pass of their own:
  // both must be the two-pass definition (column means, then squared deviations), far from 0 as well.
  for (double offset : {0.0, 1e4}) {
    auto p = blob_problem<float>(1000, 24, 5, 1.0, 8);
    for (float& v : p.values) v += static_cast<float>(offset);
    double reference = 0;
    for (std::size_t t = 0; t < p.d; ++t) {
      double mean = 0;
      for (std::size_t i = 0; i < p.n; ++i) mean += p.values[i * p.d + t];
      mean /= static_cast<double>(p.n);
      double sq = 0;
      for (std::size_t i = 0; i < p.n; ++i) sq += (p.values[i * p.d + t] - mean) * (p.values[i * p.d + t] - mean);
      reference += sq / static_cast<double>(p.n);
    }
    reference /= static_cast<double>(p.d);
    const auto with_tiles =
        detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0, detail::LaneTiles::WhereHeld);
    EXPECT_TRUE(with_tiles.held());
    EXPECT_TRUE(with_tiles.blocks_in_memory());
    EXPECT_NE(with_tiles.lane_tiles(), nullptr);  // Lloyd's lane kernel runs on them
    EXPECT_NEAR(with_tiles.mean_variance(), reference, 1e-6 * reference) << offset;
    EXPECT_EQ(detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0).lane_tiles(), nullptr);
    const CacheLimit<float> limit(0);
    const auto streamed = detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0, detail::LaneTiles::Always);
    EXPECT_EQ(streamed.lane_tiles(), nullptr);  // nothing held: the panel kernel on loaded blocks
    EXPECT_NEAR(streamed.mean_variance(), reference, 1e-6 * reference) << offset;
    EXPECT_EQ(streamed.in_place(), offset == 0.0);  // its variance came from the rows' squared norms
  }
}

TEST(Frame, CosineVarianceIsTheUnitRowsTwoPassVariance) {
  // From one pass (1 - ||mean of the unit rows||^2); the two-pass definition on the unit rows, for rows
  // spread around 0 and for rows pointing almost the same way (far from 0, a tiny variance).
  for (double offset : {0.0, 30.0}) {
    auto p = blob_problem<double>(1000, 24, 5, 1.0, 8);
    for (double& v : p.values) v += offset;
    std::vector<double> unit = p.values;
    for (std::size_t i = 0; i < p.n; ++i) {
      double sq = 0;
      for (std::size_t t = 0; t < p.d; ++t) sq += unit[i * p.d + t] * unit[i * p.d + t];
      for (std::size_t t = 0; t < p.d; ++t) unit[i * p.d + t] /= std::sqrt(sq);
    }
    double reference = 0;
    for (std::size_t t = 0; t < p.d; ++t) {
      double mean = 0;
      for (std::size_t i = 0; i < p.n; ++i) mean += unit[i * p.d + t];
      mean /= static_cast<double>(p.n);
      double sq = 0;
      for (std::size_t i = 0; i < p.n; ++i) sq += (unit[i * p.d + t] - mean) * (unit[i * p.d + t] - mean);
      reference += sq / static_cast<double>(p.n);
    }
    reference /= static_cast<double>(p.d);
    EXPECT_NEAR(detail::DataFrame<double>::for_fit(p.view(), Metric::Cosine, 0).mean_variance(), reference,
                1e-9 * reference)
        << offset;
    const CacheLimit<double> limit(0);
    const auto streamed = detail::DataFrame<double>::for_fit(p.view(), Metric::Cosine, 0);
    EXPECT_FALSE(streamed.held());
    EXPECT_NEAR(streamed.mean_variance(), reference, 1e-9 * reference) << offset;
  }
}

/// Greedy k-means++ as the textbook states it, in double over the rows in
/// original coordinates, drawing from `rng` as init.cpp does: the rows it
/// picks, in order.
std::vector<std::size_t> plain_kmeans_plus_plus(const Problem<double>& p, const double* weights, std::size_t k,
                                                std::size_t trials, detail::Rng& rng) {
  const auto w = [&](std::size_t i) { return weights != nullptr ? weights[i] : 1.0; };
  const auto dist = [&](std::size_t i, std::size_t r) {
    double s = 0;
    for (std::size_t t = 0; t < p.d; ++t)
      s += (p.values[i * p.d + t] - p.values[r * p.d + t]) * (p.values[i * p.d + t] - p.values[r * p.d + t]);
    return s;
  };
  double total_weight = 0;
  for (std::size_t i = 0; i < p.n; ++i) total_weight += w(i);
  const double first_target = rng.uniform() * total_weight;
  std::size_t first = p.n - 1;
  double running = 0;
  for (std::size_t i = 0; i < p.n; ++i) {
    running += w(i);
    if (running > first_target) {
      first = i;
      break;
    }
  }
  std::vector<std::size_t> picked{first};
  std::vector<double> closest(p.n);
  double potential = 0;
  for (std::size_t i = 0; i < p.n; ++i) {
    closest[i] = dist(i, first);
    potential += w(i) * closest[i];
  }
  while (picked.size() < k) {
    std::vector<std::size_t> candidates;
    for (std::size_t t = 0; t < trials; ++t) {
      const double target = rng.uniform() * potential;
      std::size_t row = p.n - 1;
      double sum = 0;
      for (std::size_t i = 0; i < p.n; ++i) {
        sum += w(i) * closest[i];
        if (sum >= target) {
          row = i;
          break;
        }
      }
      candidates.push_back(row);
    }
    std::size_t best = 0;
    double best_potential = std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < trials; ++t) {
      double total = 0;
      for (std::size_t i = 0; i < p.n; ++i) total += w(i) * std::min(closest[i], dist(i, candidates[t]));
      if (total < best_potential) {
        best_potential = total;
        best = t;
      }
    }
    picked.push_back(candidates[best]);
    for (std::size_t i = 0; i < p.n; ++i) closest[i] = std::min(closest[i], dist(i, candidates[best]));
    potential = best_potential;
  }
  return picked;
}

TEST(KMeansPlusPlus, PicksTheRowsOfThePlainAlgorithm) {
  // Differential: on float64 data the lane kernel's potentials agree with plain double sums to ~1e-15, so
  // the same draws must pick the same rows (with and without weights, trial distances kept or not).
  const auto p = blob_problem<double>(3000, 5, 12, 1.5, 21);
  std::vector<double> weights(p.n);
  for (std::size_t i = 0; i < p.n; ++i) weights[i] = 0.5 + static_cast<double>(i % 7);
  const auto frame = detail::DataFrame<double>::for_fit(p.view(), Metric::Euclidean, 2, detail::LaneTiles::Always);
  KMeansOptions o;
  o.n_clusters = 12;
  for (const double* w : {static_cast<const double*>(nullptr), static_cast<const double*>(weights.data())}) {
    for (std::size_t kept : {std::size_t{64} << 20, std::size_t{0}}) {
      const std::size_t saved = detail::kept_trial_bytes;
      detail::kept_trial_bytes = kept;
      detail::Rng rng(7);
      const std::vector<double> centers = detail::initial_centers(frame, w, o, rng, 2);
      detail::kept_trial_bytes = saved;
      detail::Rng reference_rng(7);
      const std::vector<std::size_t> rows = plain_kmeans_plus_plus(p, w, 12, 2 + 2, reference_rng);  // 2 + ln 12
      for (std::size_t j = 0; j < 12; ++j) {
        for (std::size_t t = 0; t < p.d; ++t) {
          ASSERT_EQ(centers[j * p.d + t], p.values[rows[j] * p.d + t])
              << "center " << j << " weighted " << (w != nullptr);
        }
      }
    }
  }
}

TEST(KMeansPlusPlus, EveryFramePathGivesBitwiseTheSameCenters) {
  // 20000 x 64 float32 (5 MB): near 0 the data is the frame, with lane tiles held beside it; far from 0 the
  // rows are held, with tiles. Without room for either (cache limit 0), blocks are loaded and transposed
  // one by one. Every path, kept or recomputed trial distances, any thread count: the same centers.
  for (double offset : {0.0, 1e4}) {
    auto p = blob_problem<float>(20000, 64, 20, 2.0, 5);
    for (float& v : p.values) v += static_cast<float>(offset);
    std::vector<double> weights(p.n);
    for (std::size_t i = 0; i < p.n; ++i) weights[i] = 0.25 + static_cast<double>(i % 3);
    KMeansOptions o;
    o.n_clusters = 20;
    const auto centers = [&](const detail::DataFrame<float>& frame, const double* w, int threads) {
      detail::Rng rng(3);
      return detail::initial_centers(frame, w, o, rng, threads);
    };
    const auto tiled = detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0, detail::LaneTiles::Always);
    ASSERT_NE(tiled.lane_tiles(), nullptr);
    EXPECT_EQ(tiled.in_place(), offset == 0.0);
    // Lloyd's wish (tiles of held rows only) gives none where the data is the frame.
    EXPECT_EQ(
        detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0, detail::LaneTiles::WhereHeld).lane_tiles() ==
            nullptr,
        offset == 0.0);
    for (const double* w : {static_cast<const double*>(nullptr), static_cast<const double*>(weights.data())}) {
      const std::vector<double> expected = centers(tiled, w, 2);
      EXPECT_EQ(centers(tiled, w, 1), expected);
      {
        const std::size_t saved = detail::kept_trial_bytes;
        detail::kept_trial_bytes = 0;
        EXPECT_EQ(centers(tiled, w, 2), expected);
        detail::kept_trial_bytes = saved;
      }
      const CacheLimit<float> limit(0);
      const auto loaded = detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 0, detail::LaneTiles::Always);
      ASSERT_EQ(loaded.lane_tiles(), nullptr);
      EXPECT_EQ(centers(loaded, w, 2), expected);
      EXPECT_EQ(centers(loaded, w, 1), expected);
    }
  }
}

TEST(Frame, TilesOnlyHoldTheSameRowsAsRowMajor) {
  // A held frame that keeps only its lane tiles must hold bitwise the tiles, squared norms and variance of
  // one that keeps its rows too, hand out those rows on request (loaded into the caller's buffer), and keep
  // its tiles when asked to drop them; a Lloyd fit on it must be bitwise the fit on loaded blocks.
  for (double offset : {0.0, 1e4}) {
    auto p = blob_problem<float>(3000, 40, 5, 1.0, 8);  // 6 blocks of 512 rows, the last one short
    for (float& v : p.values) v += static_cast<float>(offset);
    const auto both = detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 2, detail::LaneTiles::WhereHeld);
    auto tiles_only = detail::DataFrame<float>::for_fit(p.view(), Metric::Euclidean, 2, detail::LaneTiles::WhereHeld,
                                                        detail::HeldRows::TilesOnly);
    ASSERT_NE(tiles_only.lane_tiles(), nullptr);
    EXPECT_TRUE(tiles_only.held());
    EXPECT_FALSE(tiles_only.blocks_in_memory());
    EXPECT_EQ(tiles_only.mean_variance(), both.mean_variance());
    EXPECT_TRUE(std::equal(both.lane_tiles(), both.lane_tiles() + p.n * p.d, tiles_only.lane_tiles()));
    std::vector<float> buffer(tiles_only.block_rows() * p.d);
    std::vector<float> sq_buffer(tiles_only.block_rows());
    for (std::size_t b = 0; b < both.n_blocks(); ++b) {
      const float* held_rows = nullptr;
      const float* held_norms = nullptr;
      const float* loaded_rows = nullptr;
      const float* loaded_norms = nullptr;
      const std::size_t count = both.block(b, nullptr, nullptr, held_rows, held_norms);
      ASSERT_EQ(tiles_only.block(b, buffer.data(), sq_buffer.data(), loaded_rows, loaded_norms), count);
      EXPECT_EQ(loaded_rows, buffer.data());
      EXPECT_TRUE(std::equal(held_rows, held_rows + count * p.d, loaded_rows)) << "block " << b;
      EXPECT_TRUE(std::equal(held_norms, held_norms + count, loaded_norms)) << "block " << b;
      const float* no_rows = buffer.data();
      const float* norms = nullptr;
      ASSERT_EQ(tiles_only.block(b, nullptr, nullptr, no_rows, norms, /*need_rows=*/false), count);
      EXPECT_EQ(no_rows, nullptr);
      EXPECT_TRUE(std::equal(held_norms, held_norms + count, norms)) << "block " << b;
    }
    tiles_only.drop_lane_tiles();
    EXPECT_NE(tiles_only.lane_tiles(), nullptr);
    // Through fit (Lloyd, given centers, no swaps: the driver keeps only the tiles): bitwise the fit on
    // blocks loaded every iteration (the lane kernel gives the panel kernel's bits).
    KMeansOptions o = plain(5);
    o.algorithm = Algorithm::Lloyd;
    const auto from_tiles = fit(p.view(), o);
    const CacheLimit<float> limit(0);
    const auto from_blocks = fit(p.view(), o);
    EXPECT_EQ(from_tiles.labels, from_blocks.labels);
    EXPECT_EQ(from_tiles.centers.values, from_blocks.centers.values);
    EXPECT_EQ(from_tiles.inertia, from_blocks.inertia);
    EXPECT_EQ(from_tiles.n_iter, from_blocks.n_iter);
  }
}

class CenterSumsUpdated : public ::testing::TestWithParam<std::size_t> {};

/// An assignment to `next` as the driver's steps make one: block by block, each block's labels changed
/// between the sums' block_begin and block_done.
void assign_block_by_block(const detail::DataFrame<double>& frame, detail::CenterSums<double>& sums,
                           std::vector<std::int32_t>& labels, const std::vector<std::int32_t>& next) {
  sums.clear();
  for (std::size_t b = 0; b < frame.n_blocks(); ++b) {
    const std::size_t first = b * frame.block_rows();
    const std::size_t count = std::min(frame.block_rows(), frame.rows() - first);
    sums.block_begin(b / frame.blocks_per_group(), first, count);
    std::copy(next.begin() + static_cast<std::ptrdiff_t>(first),
              next.begin() + static_cast<std::ptrdiff_t>(first + count),
              labels.begin() + static_cast<std::ptrdiff_t>(first));
    sums.block_done(b / frame.blocks_per_group(), first, count);
  }
}

TEST_P(CenterSumsUpdated, MovedRowsMoveTheirSumsAndEmptiedClustersAreExactlyZero) {
  // Groups whose rows mostly keep their labels are updated by the rows that moved (out of the old
  // cluster, into the new); a group where a quarter of the rows moved is summed whole in the next
  // assignment, bitwise as fresh sums. float64 rows and weights with many bits, so that removals leave
  // rounding behind. 3000 rows: every group one block; 30000 rows: 59 blocks in 15 groups of 4.
  constexpr std::size_t kClusters = 64;
  const auto p = blob_problem<double>(GetParam(), 24, 6, 1.0, 5);  // blocks of 512 rows
  const auto frame = detail::DataFrame<double>::for_fit(p.view(), Metric::Euclidean, 2);
  ASSERT_GT(frame.n_blocks(), 2u);
  const std::size_t per_group = frame.blocks_per_group();
  ASSERT_EQ(per_group, p.n < 10000 ? 1u : 4u);
  std::vector<double> weights(p.n);
  for (std::size_t i = 0; i < p.n; ++i) weights[i] = 0.1 + static_cast<double>(i % 7) / 3.0;
  for (const double* w : {static_cast<const double*>(nullptr), static_cast<const double*>(weights.data())}) {
    // `labels` are what the sums see (-1 before the first assignment); each pass moves them to `next`.
    std::vector<std::int32_t> next(p.n);
    for (std::size_t i = 0; i < p.n; ++i) next[i] = static_cast<std::int32_t>((i * 7) % kClusters);
    std::vector<std::int32_t> labels(p.n, -1);
    detail::CenterSums<double> kept(frame, w, labels, kClusters);
    const auto pass = [&](detail::CenterSums<double>& sums) { assign_block_by_block(frame, sums, labels, next); };
    const auto fresh_totals = [&](std::vector<double>& sums, std::vector<double>& weight) {
      std::vector<std::int32_t> fresh_labels(p.n, -1);
      detail::CenterSums<double> fresh(frame, w, fresh_labels, kClusters);
      assign_block_by_block(frame, fresh, fresh_labels, next);
      fresh.totals(sums, weight);
    };
    const auto expect_close_to_fresh = [&](const char* what) {
      std::vector<double> kept_sums, kept_weights, fresh_sums, fresh_weights;
      kept.totals(kept_sums, kept_weights);
      fresh_totals(fresh_sums, fresh_weights);
      double largest_error = 0;
      for (std::size_t j = 0; j < kept_sums.size(); ++j) {
        EXPECT_NEAR(kept_sums[j], fresh_sums[j], 1e-11 * (1 + std::abs(fresh_sums[j]))) << what << " " << j;
        largest_error = std::max(largest_error, std::abs(kept_sums[j] - fresh_sums[j]));
      }
      for (std::size_t j = 0; j < kClusters; ++j)
        EXPECT_NEAR(kept_weights[j], fresh_weights[j], 1e-12 * fresh_weights[j]) << what << " " << j;
      return largest_error;
    };
    const auto expect_bitwise_fresh = [&](const char* what) {
      std::vector<double> kept_sums, kept_weights, fresh_sums, fresh_weights;
      kept.totals(kept_sums, kept_weights);
      fresh_totals(fresh_sums, fresh_weights);
      EXPECT_EQ(kept_sums, fresh_sums) << what;
      EXPECT_EQ(kept_weights, fresh_weights) << what;
    };
    pass(kept);
    expect_bitwise_fresh("the first pass");
    pass(kept);  // nothing moved: nothing changes
    expect_bitwise_fresh("nothing moved");

    // A few rows move, in several groups: updated, not summed again.
    for (std::size_t i = 5; i < p.n; i += 997) next[i] = static_cast<std::int32_t>((next[i] + 1) % kClusters);
    pass(kept);
    const double moved_error = expect_close_to_fresh("a few rows moved");

    // Every row of cluster 3 moves to cluster 4: cluster 3 is left with nothing, exactly.
    for (auto& l : next) l = l == 3 ? 4 : l;
    pass(kept);
    expect_close_to_fresh("cluster 3 emptied");
    std::vector<double> sums, weight;
    kept.totals(sums, weight);
    EXPECT_EQ(weight[3], 0.0);
    for (std::size_t t = 0; t < p.d; ++t) EXPECT_EQ(sums[3 * p.d + t], 0.0) << t;

    // A third of the rows move (every third row, so a third of every group): updated in this pass; then
    // every group is summed whole, which gives fresh sums again.
    for (std::size_t i = 0; i < p.n; i += 3)
      next[i] = static_cast<std::int32_t>((static_cast<std::size_t>(next[i]) + 1 + (i / 5) % 63) % kClusters);
    pass(kept);
    expect_close_to_fresh("a third of the rows moved");
    pass(kept);
    expect_bitwise_fresh("summed whole after a third of the rows moved");

    // The sums are the clusters' sums (to rounding): a group that kept stale sums would be off.
    kept.totals(sums, weight);
    std::vector<double> direct(kClusters * p.d, 0.0);
    for (std::size_t i = 0; i < p.n; ++i) {
      for (std::size_t t = 0; t < p.d; ++t) {
        direct[static_cast<std::size_t>(labels[i]) * p.d + t] += (w ? w[i] : 1.0) * p.values[i * p.d + t];
      }
    }
    for (std::size_t j = 0; j < direct.size(); ++j) EXPECT_NEAR(sums[j], direct[j], 1e-9 * (1 + std::abs(direct[j])));
    // The rows' removals did leave rounding behind (else this test would not tell exact zeros from luck).
    if (w != nullptr) {
      EXPECT_GT(moved_error, 0.0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, CenterSumsUpdated, ::testing::Values(std::size_t{3000}, std::size_t{30000}));

TEST(CenterSumsUpdated, WeightsFarApartAreSummedWholeEveryTime) {
  // A removal leaves rounding of the order of the sums it came from: with weights 1e7 apart a light row
  // could inherit the rounding of heavy rows that left. Such data is summed whole in every assignment,
  // so even a few moved rows give bitwise fresh sums.
  const auto p = blob_problem<double>(3000, 24, 6, 1.0, 9);
  const auto frame = detail::DataFrame<double>::for_fit(p.view(), Metric::Euclidean, 2);
  std::vector<double> weights(p.n);
  for (std::size_t i = 0; i < p.n; ++i) weights[i] = i % 2 ? 1e-7 * (1.0 + static_cast<double>(i % 7) / 3.0) : 1.3;
  std::vector<std::int32_t> next(p.n);
  for (std::size_t i = 0; i < p.n; ++i) next[i] = static_cast<std::int32_t>(i % 8);
  std::vector<std::int32_t> labels(p.n, -1);
  detail::CenterSums<double> kept(frame, weights.data(), labels, 8);
  assign_block_by_block(frame, kept, labels, next);
  assign_block_by_block(frame, kept, labels, next);
  for (std::size_t i = 0; i < p.n; i += 37) next[i] = static_cast<std::int32_t>((next[i] + 3) % 8);
  assign_block_by_block(frame, kept, labels, next);
  std::vector<std::int32_t> fresh_labels(p.n, -1);
  detail::CenterSums<double> fresh(frame, weights.data(), fresh_labels, 8);
  assign_block_by_block(frame, fresh, fresh_labels, next);
  std::vector<double> kept_sums, kept_weights, fresh_sums, fresh_weights;
  kept.totals(kept_sums, kept_weights);
  fresh.totals(fresh_sums, fresh_weights);
  EXPECT_EQ(kept_sums, fresh_sums);
  EXPECT_EQ(kept_weights, fresh_weights);
}

TEST(LargeData, WeightsAndCosineOnStreamedRows) {
  const auto p = blob_problem<double>(3000, 20, 9, 1.0, 12);
  std::vector<double> weights(p.n);
  for (std::size_t i = 0; i < p.n; ++i) weights[i] = 0.5 + static_cast<double>(i % 7);
  for (Metric metric : {Metric::Euclidean, Metric::Cosine}) {
    KMeansOptions o = plain(9);
    o.metric = metric;
    const auto held = fit(p.view(), o, weights);
    const CacheLimit<double> limit(0);
    expect_same_clustering(fit(p.view(), o, weights), held);
  }
}

TEST(LargeData, AutoRunsLloydWithFewCentersOnStreamedRows) {
  // k = 10 in 512-D: held in memory Auto runs Hamerly (it skips rows); streamed from memory it runs Lloyd
  // (every row's 10 distances each iteration), with the same result.
  const auto p = blob_problem<float>(3000, 512, 10, 1.0, 4);
  KMeansOptions o = plain(10);
  o.max_iter = 6;
  o.early_stop = false;
  const auto held = fit(p.view(), o);
  EXPECT_LT(held.history.back().distance_evals, p.n * 10 / 2);
  const CacheLimit<float> limit(0);
  const auto streamed = fit(p.view(), o);
  for (const IterationStats& s : streamed.history) EXPECT_EQ(s.distance_evals, p.n * 10);
  expect_same_clustering(streamed, held);
}

}  // namespace
}  // namespace centrix
