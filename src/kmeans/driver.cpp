// The k-means driver: one loop (init -> assign -> update -> empty clusters ->
// converge) for every assignment algorithm, and the one place where runtime
// choices (metric, algorithm) become compiled code.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_set>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "common/parallel.hpp"
#include "common/random.hpp"
#include "kernels/row_ops.hpp"
#include "kmeans/adaptive.hpp"
#include "kmeans/bounds.hpp"
#include "kmeans/frame.hpp"
#include "kmeans/hamerly.hpp"
#include "kmeans/init.hpp"
#include "kmeans/lloyd.hpp"
#include "kmeans/swap.hpp"
#include "kmeans/update.hpp"
#include "kmeans/validate.hpp"
#include "kmeans/yinyang.hpp"

namespace centrix {

namespace detail {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Sum of w * distance to the labelled center, computed directly in double
/// (no expanded form), as the inertia every fit reports. Chunks of one term
/// batch: with chunks of kReductionChunk rows, 3000 rows were 2048 for one
/// thread and 952 for the other (3000 x 100 float32: ~41 -> ~29 us).
template <class T>
double exact_inertia(MatrixView<T> data, const std::vector<double>& c, std::span<const std::int32_t> labels,
                     Metric metric, const double* weights, int n_threads) {
  const std::size_t d = data.cols();
  return deterministic_sum_of_batches(
      data.rows(), n_threads, static_cast<double>(d),
      [&](std::size_t first, std::size_t count, double* terms) {
        distances_to_labelled(data.row(first), data.stride(), count, metric, c.data(), labels.data() + first, d, terms);
        for (std::size_t r = 0; r < count; ++r) terms[r] *= weight_of(weights, first + r);
      },
      kTermBatch);
}

template <class T>
Matrix<T> to_matrix(const std::vector<double>& values, std::size_t rows, std::size_t cols) {
  Matrix<T> m(rows, cols);
  std::transform(values.begin(), values.end(), m.values.begin(), [](double v) { return static_cast<T>(v); });
  return m;
}

/// Centers along a run's path, for animations. Memory stays bounded: once
/// 2 x cap frames are held, every other one is dropped and only every
/// `stride`-th later iteration is kept.
class FramePath {
 public:
  struct Frame {
    int swap = 0;
    int iteration = 0;
    std::vector<double> centers;
  };

  explicit FramePath(std::size_t cap = 0) : cap_(cap) {}

  void add(int swap, int iteration, const std::vector<double>& centers) {
    if (cap_ == 0) return;
    if (seen_++ % stride_ == 0) frames_.push_back({swap, iteration, centers});
    if (frames_.size() >= 2 * cap_) {
      std::size_t kept = 0;
      for (std::size_t i = 0; i < frames_.size(); i += 2, ++kept) {
        if (i != kept) frames_[kept] = std::move(frames_[i]);
      }
      frames_.resize(kept);
      stride_ *= 2;
    }
  }
  /// Continues this path with another one (a kept swap trial).
  void extend(FramePath&& other) {
    for (Frame& f : other.frames_) add(f.swap, f.iteration, f.centers);
  }
  /// At most cap frames, evenly spaced, the first kept, then the final centers.
  template <class T>
  std::vector<CenterFrame<T>> finish(const std::vector<double>& final_centers, std::size_t k, std::size_t d) {
    std::vector<CenterFrame<T>> out;
    if (cap_ == 0) return out;
    const std::size_t room = cap_ - 1;
    const std::size_t count = std::min(room, frames_.size());
    for (std::size_t i = 0; i < count; ++i) {
      const Frame& f = frames_[count > 1 ? i * (frames_.size() - 1) / (count - 1) : 0];
      out.push_back({f.swap, f.iteration, to_matrix<T>(f.centers, k, d)});
    }
    out.push_back({frames_.empty() ? 0 : frames_.back().swap, 0, to_matrix<T>(final_centers, k, d)});
    return out;
  }

 private:
  std::size_t cap_ = 0;
  std::size_t stride_ = 1;
  std::size_t seen_ = 0;
  std::vector<Frame> frames_;
};

/// One run from one set of starting centers.
struct RunOutcome {
  std::vector<double> centers;
  std::vector<std::int32_t> labels;
  double inertia = 0;
  int n_iter = 0;
  bool converged = false;
  int n_swaps_tried = 0;
  int n_swaps_accepted = 0;
  FramePath path;
};

/// Installs a block sink on a frame for one scope.
template <class T>
class SinkGuard {
 public:
  SinkGuard(const DataFrame<T>& frame, const typename DataFrame<T>::BlockSink* sink) : frame_(frame) {
    frame_.set_sink(sink);
  }
  ~SinkGuard() { frame_.set_sink(nullptr); }
  SinkGuard(const SinkGuard&) = delete;
  SinkGuard& operator=(const SinkGuard&) = delete;

 private:
  const DataFrame<T>& frame_;
};

/// The driver loop shared by every assignment algorithm.
template <class T, AssignmentStep<T> Step>
RunOutcome run_kmeans(Step& step, const DataFrame<T>& frame, const double* weights, std::vector<double> centers,
                      const KMeansOptions& options, double shift_tolerance, int run, int swap,
                      std::vector<IterationStats>* history, int n_threads) {
  const std::size_t n = frame.rows();
  const std::size_t d = frame.dim();
  const auto k = static_cast<std::size_t>(options.n_clusters);
  RunOutcome out;
  out.path = FramePath(static_cast<std::size_t>(std::max(0, options.max_frames)));
  out.labels.assign(n, -1);
  std::vector<double> new_centers(k * d);
  bool labels_stable = false;
  double last_shift = 0;
  double previous_inertia = 0;
  int iteration = 0;
  CenterSums<T> center_sums(frame, weights, std::span<const std::int32_t>(out.labels), k);
  std::vector<double> sums;
  std::vector<double> cluster_weight;
  while (iteration < options.max_iter) {
    ++iteration;
    const auto start = Clock::now();
    out.path.add(swap, iteration, centers);
    // The assignment also gathers the center sums, block by block.
    center_sums.clear();
    const AssignStats assigned = [&] {
      const SinkGuard<T> guard(frame, &center_sums);
      return step.assign(centers.data(), k, out.labels);
    }();
    center_sums.totals(sums, cluster_weight);
    const int n_empty = update_centers(frame, weights, std::span<const std::int32_t>(out.labels), k, centers.data(),
                                       new_centers.data(), std::move(sums), std::move(cluster_weight), n_threads);
    // In four partial sums (bounds.hpp): one sum, kept on the stack, waited on every add (mojo-table k = 5:
    // ~0.8 us of every iteration, serial).
    const double shift = center_sq_distance(new_centers.data(), centers.data(), k * d);
    centers.swap(new_centers);
    last_shift = shift;

    IterationStats stats{iteration,          assigned.inertia, shift, seconds_since(start),
                         assigned.n_changed, n_empty,          run,   swap};
    stats.distance_evals = assigned.distance_evals;
    if (history) history->push_back(stats);
    if ((options.on_iteration && !options.on_iteration(stats)) || (options.interrupted && options.interrupted())) {
      throw Cancelled("k-means cancelled after iteration " + std::to_string(iteration));
    }

    labels_stable = assigned.n_changed == 0;
    if (labels_stable) {
      out.converged = true;
    } else if (options.tol_mode == TolMode::Shift) {
      out.converged = shift <= shift_tolerance;
    } else {
      out.converged = iteration > 1 && previous_inertia - assigned.inertia <= options.tol * previous_inertia;
    }
    previous_inertia = assigned.inertia;
    if (out.converged && options.early_stop) break;
  }
  out.n_iter = iteration;
  // The last update moved the centers after the last assignment: assign once
  // more so the labels belong to the returned centers (as scikit-learn does).
  if (!(labels_stable && last_shift == 0)) step.assign(centers.data(), k, out.labels);
  out.inertia = exact_inertia(frame.data(), centers, out.labels, frame.metric(), weights, n_threads);
  out.centers = std::move(centers);
  return out;
}

/// From this many centers a frame that is the data itself, larger than the
/// frame cache, computes its rows' squared norms block by block during Lloyd's
/// iterations instead of holding them (DataFrame::drop_row_norms): a norm
/// costs 1/k of a row's distances, and memory stays the data plus O(k d).
/// (Below the cache size the 4 bytes per row are worth keeping: Auto on 100k
/// x 64 in place, k = 256, took 8% longer for its Hamerly trial.)
constexpr std::size_t kRowNormsPerBlockFrom = 256;

/// The relative fall in inertia below which a swap trial is not kept.
constexpr double kSwapMinGain = 1e-12;

/// Refines a converged run by center swaps (see kmeans/swap.hpp): the ranked
/// swaps of the current solution are tried in order, each settled by
/// `swap_iter` Lloyd iterations; the first that lowers the inertia is kept
/// and new swaps are ranked from there. Stops after `swap_patience` trials in
/// a row without improvement (or `max_swaps` trials), then lets Lloyd
/// converge from the best solution.
template <class T, AssignmentStep<T> Step>
RunOutcome refine_by_swaps(Step& step, const DataFrame<T>& frame, const double* weights, RunOutcome current,
                           const KMeansOptions& options, double shift_tolerance, int run,
                           std::vector<IterationStats>* history, int n_threads) {
  const std::size_t d = frame.dim();
  const auto k = static_cast<std::size_t>(options.n_clusters);
  const int max_trials = options.max_swaps > 0 ? options.max_swaps : static_cast<int>(2 * k + 16);
  KMeansOptions trial_options = options;
  trial_options.max_iter = options.swap_iter;
  const std::uint64_t seed = splitmix64(splitmix64(options.seed) ^ 0x5317ULL) + static_cast<std::uint64_t>(run);
  int tried = 0;
  int accepted = 0;
  int failures = 0;
  int last_accepted = 0;
  while (failures < options.swap_patience && tried < max_trials) {
    const auto budget = static_cast<std::size_t>(std::min(options.swap_patience - failures, max_trials - tried));
    const SwapPlan plan = propose_swaps(frame, weights, current.centers, current.labels, budget,
                                        splitmix64(seed + static_cast<std::uint64_t>(tried)), n_threads);
    bool improved = false;
    for (const Swap& swap : plan.ranked) {
      ++tried;
      RunOutcome trial = run_kmeans(step, frame, weights, plan.apply(swap, current.centers, d), trial_options,
                                    shift_tolerance, run, tried, history, n_threads);
      // Kept only if it lowers the inertia by more than rounding: the same clusters' centers can differ in
      // their last bits when their sums were updated along different paths (CenterSums), and a trial that
      // came back to the current clusters must not count as an improvement.
      if (trial.inertia < current.inertia * (1.0 - kSwapMinGain)) {
        trial.n_iter += current.n_iter;
        current.path.extend(std::move(trial.path));
        trial.path = std::move(current.path);
        current = std::move(trial);
        improved = true;
        ++accepted;
        last_accepted = tried;
        failures = 0;
        break;
      }
      ++failures;
    }
    if (!improved) break;
  }
  if (accepted > 0 && !current.converged) {
    // The kept trial ran only swap_iter iterations: let Lloyd finish.
    RunOutcome settled = run_kmeans(step, frame, weights, current.centers, options, shift_tolerance, run, last_accepted,
                                    history, n_threads);
    settled.n_iter += current.n_iter;
    if (settled.inertia <= current.inertia) {
      current.path.extend(std::move(settled.path));
      settled.path = std::move(current.path);
      current = std::move(settled);
    }
  }
  current.n_swaps_tried = tried;
  current.n_swaps_accepted = accepted;
  return current;
}

/// Counts distinct rows, stopping once `limit` are found.
template <class T>
std::size_t count_distinct_rows(MatrixView<T> data, std::size_t limit) {
  const std::size_t bytes = data.cols() * sizeof(T);
  const auto row_bytes = [&](std::size_t i) {
    return std::string_view(reinterpret_cast<const char*>(data.row(i)), bytes);
  };
  const auto hash = [&](std::size_t i) { return std::hash<std::string_view>{}(row_bytes(i)); };
  const auto equal = [&](std::size_t a, std::size_t b) { return row_bytes(a) == row_bytes(b); };
  std::unordered_set<std::size_t, decltype(hash), decltype(equal)> seen(limit * 2, hash, equal);
  for (std::size_t i = 0; i < data.rows() && seen.size() < limit; ++i) seen.insert(i);
  return seen.size();
}

/// Centers as double, normalised to unit length for the cosine metric.
template <class T>
std::vector<double> centers_for_metric(MatrixView<T> centers, Metric metric) {
  std::vector<double> out(centers.rows() * centers.cols());
  for (std::size_t j = 0; j < centers.rows(); ++j) {
    double norm = 0;
    for (std::size_t t = 0; t < centers.cols(); ++t) {
      out[j * centers.cols() + t] = static_cast<double>(centers(j, t));
      norm += out[j * centers.cols() + t] * out[j * centers.cols() + t];
    }
    if (metric == Metric::Cosine) {
      if (norm <= 0)
        throw InvalidArgument("center " + std::to_string(j) + " is all zeros: cosine needs non-zero centers");
      for (std::size_t t = 0; t < centers.cols(); ++t) out[j * centers.cols() + t] /= std::sqrt(norm);
    }
  }
  return out;
}

/// Shared by predict and transform: checks the arguments, puts the centers in
/// a frame near the data (their mean is the origin, which keeps the expanded
/// distance accurate), and calls f(first, count, rows, sq_norms, panel, form)
/// for every block of rows, in parallel.
template <class T, class F>
void for_each_block_against(MatrixView<T> data, MatrixView<T> centers, Metric metric, int n_threads, F&& f) {
  validate_against_centers(data, centers);
  const int threads = resolve_threads(n_threads);
  const std::size_t k = centers.rows();
  const std::size_t d = data.cols();
  const std::vector<double> c = centers_for_metric(centers, metric);
  std::vector<double> origin(d, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t t = 0; t < d; ++t) origin[t] += c[j * d + t] / static_cast<double>(k);
  }
  const DataFrame<T> frame = DataFrame<T>::with_origin(data, metric, std::move(origin), threads);
  kernels::ColumnPanel<T> panel;
  frame.fill_panel(c.data(), k, panel);
  frame.for_each_block(threads, static_cast<double>(k * d),
                       [&](std::size_t, std::size_t first, std::size_t count, const T* rows, const T* sq_norms) {
                         f(first, count, rows, sq_norms, panel, frame.form());
                       });
}

}  // namespace
}  // namespace detail

template <class T>
KMeansResult<T> fit(MatrixView<T> data, const KMeansOptions& options, std::span<const double> sample_weights) {
  using namespace detail;
  const auto start = Clock::now();
  validate_fit(data, options, sample_weights, /*check_values=*/false);  // for_fit checks them
  const int n_threads = resolve_threads(options.n_threads);
  const double* weights = sample_weights.empty() ? nullptr : sample_weights.data();
  const auto k = static_cast<std::size_t>(options.n_clusters);
  // Auto: where a row of k distances costs little Lloyd runs; elsewhere
  // Hamerly's step runs while its bounds skip enough (adaptive.hpp).
  const bool small_data = data.rows() * data.cols() * sizeof(T) <= DataFrame<T>::cache_bytes;
  const Algorithm algorithm =
      options.algorithm != Algorithm::Auto
          ? options.algorithm
          : (AdaptiveStep<T>::worth_trying(k, data.cols(), small_data) ? Algorithm::Hamerly : Algorithm::Lloyd);
  const Refine refine = options.refine != Refine::Auto
                            ? options.refine
                            : (options.init != Init::Given && options.early_stop ? Refine::Swap : Refine::None);
  // Lloyd with few centers runs the lane kernel on lane tiles of held rows,
  // and k-means++ on lane tiles of any rows up to the cache size for its few
  // candidates (dropped after it unless Lloyd reads them). Where nothing else
  // reads the held rows (the swap proposals do), only the tiles are kept.
  const bool lloyd_lanes = algorithm == Algorithm::Lloyd && k <= kernels::kLaneMaxColumns;
  DataFrame<T> frame =
      DataFrame<T>::for_fit(data, options.metric, n_threads,
                            options.init == Init::KMeansPlusPlus ? LaneTiles::Always
                            : lloyd_lanes                        ? LaneTiles::WhereHeld
                                                                 : LaneTiles::None,
                            lloyd_lanes && refine != Refine::Swap ? HeldRows::TilesOnly : HeldRows::RowMajor);
  const bool step_reads_tiles = lloyd_lanes && frame.held();
  const double shift_tolerance = options.tol * frame.mean_variance();

  KMeansResult<T> result;
  if (const std::size_t distinct = count_distinct_rows(data, k); distinct < k) {
    result.warnings.push_back("the data has only " + std::to_string(distinct) + " distinct rows, fewer than k = " +
                              std::to_string(k) + ": some of the " + std::to_string(k) + " centers coincide");
  }
  int runs = options.n_init;
  if (options.init == Init::Given && runs > 1) {
    result.warnings.push_back("n_init = " + std::to_string(runs) +
                              " ignored: explicit initial centers give a single run");
    runs = 1;
  }

  RunOutcome best;
  best.inertia = std::numeric_limits<double>::infinity();
  const auto run_all = [&](auto& step) {
    for (int run = 0; run < runs; ++run) {
      Rng rng(splitmix64(options.seed) + static_cast<std::uint64_t>(run));
      std::vector<double> centers = initial_centers(frame, weights, options, rng, n_threads);
      if (run == runs - 1 && !step_reads_tiles) frame.drop_lane_tiles();
      // Auto's Hamerly has them held again if it goes on past its trial.
      if (run == runs - 1 && k >= kRowNormsPerBlockFrom && !small_data &&
          (algorithm == Algorithm::Lloyd || options.algorithm == Algorithm::Auto)) {
        frame.drop_row_norms();
      }
      std::vector<IterationStats>* history = options.keep_history ? &result.history : nullptr;
      RunOutcome outcome =
          run_kmeans(step, frame, weights, std::move(centers), options, shift_tolerance, run, 0, history, n_threads);
      if (refine == Refine::Swap) {
        outcome = refine_by_swaps(step, frame, weights, std::move(outcome), options, shift_tolerance, run, history,
                                  n_threads);
      }
      if (outcome.inertia < best.inertia || run == 0) {
        best = std::move(outcome);
        result.best_run = run;
      }
    }
  };
  if (options.algorithm == Algorithm::Auto && algorithm == Algorithm::Hamerly) {
    AdaptiveStep<T> step(frame, weights, n_threads);
    run_all(step);
  } else if (algorithm == Algorithm::Hamerly) {
    HamerlyStep<T> step(frame, weights, n_threads);
    run_all(step);
  } else if (algorithm == Algorithm::Yinyang) {
    YinyangStep<T> step(frame, weights, n_threads, YinyangStep<T>::kYinyangGroupSize);
    run_all(step);
  } else if (algorithm == Algorithm::Elkan) {
    const double bytes = static_cast<double>(data.rows()) * static_cast<double>(k) * sizeof(float);
    if (bytes > static_cast<double>(YinyangStep<T>::kElkanMaxBoundBytes)) {
      throw InvalidArgument("algorithm elkan keeps a bound per row and center: " +
                            std::to_string(static_cast<long long>(bytes / (1 << 20))) +
                            " MiB here, more than the 2048 MiB allowed; use hamerly or yinyang");
    }
    YinyangStep<T> step(frame, weights, n_threads, 1);  // Elkan: one center per group
    run_all(step);
  } else {
    LloydStep<T> step(frame, weights, n_threads);
    run_all(step);
  }
  result.centers = to_matrix<T>(best.centers, k, data.cols());
  result.labels = std::move(best.labels);
  result.inertia = best.inertia;
  result.n_iter = best.n_iter;
  result.converged = best.converged;
  result.n_swaps_tried = best.n_swaps_tried;
  result.n_swaps_accepted = best.n_swaps_accepted;
  result.frames = best.path.finish<T>(best.centers, k, data.cols());
  result.seconds = seconds_since(start);
  return result;
}

template <class T>
std::vector<std::int32_t> predict(MatrixView<T> data, MatrixView<T> centers, Metric metric, int n_threads) {
  std::vector<std::int32_t> labels(data.rows());
  detail::for_each_block_against(data, centers, metric, n_threads,
                                 [&](std::size_t first, std::size_t count, const T* rows, const T* sq_norms,
                                     const kernels::ColumnPanel<T>& panel, kernels::DistanceForm form) {
                                   thread_local std::vector<T> distances;  // unused: per block, not per row
                                   distances.resize(count);
                                   kernels::nearest_columns(rows, count, sq_norms, panel, form, labels.data() + first,
                                                            distances.data());
                                 });
  return labels;
}

template <class T>
Matrix<T> transform(MatrixView<T> data, MatrixView<T> centers, Metric metric, int n_threads) {
  const std::size_t k = centers.rows();
  Matrix<T> out(data.rows(), k);
  detail::for_each_block_against(data, centers, metric, n_threads,
                                 [&](std::size_t first, std::size_t count, const T* rows, const T* sq_norms,
                                     const kernels::ColumnPanel<T>& panel, kernels::DistanceForm) {
                                   // The direct form: exact distances are worth its extra flop here.
                                   T* dst = out.row(first);
                                   kernels::all_distances(rows, count, sq_norms, panel, kernels::DistanceForm::Direct,
                                                          dst, k);
                                   for (std::size_t i = 0; i < count * k; ++i) {
                                     dst[i] = metric == Metric::Cosine ? T{0.5} * dst[i] : std::sqrt(dst[i]);
                                   }
                                 });
  return out;
}

template <class T>
double inertia(MatrixView<T> data, MatrixView<T> centers, std::span<const std::int32_t> labels, Metric metric,
               std::span<const double> sample_weights) {
  using namespace detail;
  validate_against_centers(data, centers);
  validate_labels(labels, data.rows(), centers.rows());
  if (!sample_weights.empty() && sample_weights.size() != data.rows()) {
    throw InvalidArgument("sample weights: " + std::to_string(sample_weights.size()) + " values for " +
                          std::to_string(data.rows()) + " rows");
  }
  return exact_inertia(data, centers_for_metric(centers, metric), labels, metric,
                       sample_weights.empty() ? nullptr : sample_weights.data(), resolve_threads(0));
}

Metric parse_metric(const std::string& name) {
  if (name == "euclidean" || name == "l2") return Metric::Euclidean;
  if (name == "cosine" || name == "spherical") return Metric::Cosine;
  throw InvalidArgument("unknown metric '" + name + "' (expected euclidean or cosine)");
}

TolMode parse_tol_mode(const std::string& name) {
  if (name == "shift") return TolMode::Shift;
  if (name == "inertia") return TolMode::Inertia;
  throw InvalidArgument("unknown tol mode '" + name + "' (expected shift or inertia)");
}

const char* to_string(Metric metric) noexcept {
  return metric == Metric::Cosine ? "cosine" : "euclidean";
}
const char* to_string(Init init) noexcept {
  switch (init) {
    case Init::Random:
      return "random";
    case Init::Given:
      return "given";
    default:
      return "k-means++";
  }
}
const char* to_string(TolMode mode) noexcept {
  return mode == TolMode::Inertia ? "inertia" : "shift";
}

Algorithm parse_algorithm(const std::string& name) {
  if (name == "auto") return Algorithm::Auto;
  if (name == "lloyd") return Algorithm::Lloyd;
  if (name == "hamerly") return Algorithm::Hamerly;
  if (name == "yinyang") return Algorithm::Yinyang;
  if (name == "elkan") return Algorithm::Elkan;
  throw InvalidArgument("unknown algorithm '" + name + "' (expected auto, lloyd, hamerly, yinyang or elkan)");
}

Refine parse_refine(const std::string& name) {
  if (name == "auto") return Refine::Auto;
  if (name == "none") return Refine::None;
  if (name == "swap") return Refine::Swap;
  throw InvalidArgument("unknown refinement '" + name + "' (expected auto, none or swap)");
}

const char* to_string(Refine refine) noexcept {
  switch (refine) {
    case Refine::None:
      return "none";
    case Refine::Swap:
      return "swap";
    default:
      return "auto";
  }
}

const char* to_string(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::Lloyd:
      return "lloyd";
    case Algorithm::Hamerly:
      return "hamerly";
    case Algorithm::Yinyang:
      return "yinyang";
    case Algorithm::Elkan:
      return "elkan";
    case Algorithm::Auto:
      break;
  }
  return "auto";
}

#define CENTRIX_INSTANTIATE(T)                                                                    \
  template KMeansResult<T> fit<T>(MatrixView<T>, const KMeansOptions&, std::span<const double>);  \
  template std::vector<std::int32_t> predict<T>(MatrixView<T>, MatrixView<T>, Metric, int);       \
  template Matrix<T> transform<T>(MatrixView<T>, MatrixView<T>, Metric, int);                     \
  template double inertia<T>(MatrixView<T>, MatrixView<T>, std::span<const std::int32_t>, Metric, \
                             std::span<const double>);
CENTRIX_INSTANTIATE(float)
CENTRIX_INSTANTIATE(double)
#undef CENTRIX_INSTANTIATE

}  // namespace centrix
