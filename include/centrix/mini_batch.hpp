// Mini-batch k-means (Sculley 2010, "Web-scale k-means clustering", WWW '10)
// with scikit-learn's MiniBatchKMeans semantics: each step assigns a batch of
// rows to the nearest centers and moves every center that received rows to
// the weighted mean of all the rows it has received so far (per-center
// learning rate 1 / count); centers with low counts are moved to batch rows
// now and then; a fit stops early when an exponentially weighted average of
// the batch inertia stops improving. See docs/mini_batch.md for where the
// semantics depart from scikit-learn's.
//
// Thread safety: fit_mini_batch may be called concurrently on the same
// read-only data. A MiniBatchState is not thread-safe: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "centrix/kmeans.hpp"
#include "centrix/matrix_view.hpp"

namespace centrix {

/// Statistics of one mini-batch step.
struct MiniBatchStepStats {
  std::int64_t step = 0;     ///< 1-based step number (over every partial_fit of a state)
  std::int64_t n_rows = 0;   ///< rows in the batch
  double batch_inertia = 0;  ///< sum of w * distance of the batch rows to the centers before the step moved them
  double ewa_inertia = 0;    ///< fit only: smoothed batch inertia per row after this step (NaN on the first step)
  double center_shift = 0;   ///< sum over centers of the squared distance each center moved in this step
  int n_reassigned = 0;      ///< low-count centers moved onto batch rows in this step
  double seconds = 0;        ///< wall time of the step
};

/// Options of mini-batch k-means; every field has a default that works (scikit-learn's).
struct MiniBatchOptions {
  int n_clusters = 8;                          ///< k, the number of clusters (1 <= k <= number of rows)
  Metric metric = Metric::Euclidean;           ///< Euclidean, or cosine (rows and centers scaled to unit length)
  Init init = Init::KMeansPlusPlus;            ///< how the first centers are chosen (on init_size sampled rows)
  int n_local_trials = 0;                      ///< k-means++ candidates per center; 0 means 2 + floor(ln k)
  std::vector<double> initial_centers;         ///< k x d row-major centers for Init::Given
  int n_init = 0;                              ///< initialisations tried, the best on a validation sample kept; 0: 3
                                               ///< for Init::Random, else 1
  std::int64_t batch_size = 1024;              ///< rows per step, drawn with replacement (capped at the row count)
  int max_iter = 100;                          ///< most epochs: at most max_iter * n / batch_size steps
  std::optional<int> max_no_improvement = 10;  ///< stop after this many steps in a row without a new minimum of
                                               ///< the smoothed batch inertia; nullopt never stops on it
  double tol = 0.0;                            ///< stop when a step moves the centers by at most tol x mean feature
                                               ///< variance (summed squared shift); 0 turns it off
  double reassignment_ratio = 0.01;            ///< centers whose count is below this fraction of the largest are
                                               ///< moved onto batch rows (every 10 k rows seen); 0 turns it off
  std::int64_t init_size = 0;                  ///< rows sampled for the initialisation; 0: 3 x batch_size (at least
                                               ///< 3 k), capped at the row count
  bool compute_labels = true;                  ///< fit: label every row and compute the exact inertia at the end
  std::uint64_t seed = 0;    ///< fixes every random choice; the same seed gives bitwise the same result
  int n_threads = 0;         ///< OpenMP threads; 0 uses all available; never changes the result
  bool keep_history = true;  ///< record the MiniBatchStepStats of every step in the result
  /// Called after every step of a fit; returning false stops the fit with centrix::Cancelled.
  std::function<bool(const MiniBatchStepStats&)> on_step;
  /// Polled after every step; returning true stops the fit with centrix::Cancelled (Python's Ctrl-C).
  std::function<bool()> interrupted;
};

/// The state of a mini-batch k-means run: centers, per-center weight sums
/// (counts) and reassignment bookkeeping. `partial_fit` performs one step on
/// one batch, as scikit-learn's MiniBatchKMeans.partial_fit does; the first
/// call chooses the initial centers from its batch. The random choices of
/// step s depend only on (seed, s), so a state rebuilt from its parts
/// (`resume`) continues exactly as the original would.
template <class T>
class MiniBatchState {
 public:
  MiniBatchState() = default;
  /// A state without centers: the first partial_fit initialises them from its batch.
  explicit MiniBatchState(MiniBatchOptions options) : options_(std::move(options)) {}
  /// A state rebuilt from the parts of another (centers k x d row-major in double, one count per center).
  static MiniBatchState resume(MiniBatchOptions options, std::size_t n_features, std::vector<double> centers,
                               std::vector<double> counts, std::int64_t n_steps, std::int64_t n_since_last_reassign);

  /// One step on `batch` (rows x d), with one non-negative weight per row (empty: all 1). Throws
  /// InvalidArgument for bad input (on the first call: fewer rows than k), leaving the state unchanged.
  MiniBatchStepStats partial_fit(MatrixView<T> batch, std::span<const double> weights = {});

  [[nodiscard]] bool initialized() const noexcept { return !centers_.empty(); }
  [[nodiscard]] const MiniBatchOptions& options() const noexcept { return options_; }
  [[nodiscard]] std::size_t n_features() const noexcept { return d_; }
  /// The k x d centers, in the data's type (unit length for cosine).
  [[nodiscard]] Matrix<T> centers() const;
  /// The k x d centers as held (double, row-major).
  [[nodiscard]] const std::vector<double>& centers_double() const noexcept { return centers_; }
  /// The weight each center has received (scikit-learn's counts); a reassigned center's count is reset.
  [[nodiscard]] const std::vector<double>& counts() const noexcept { return counts_; }
  /// Steps done so far.
  [[nodiscard]] std::int64_t n_steps() const noexcept { return n_steps_; }
  /// Rows seen since the last reassignment check.
  [[nodiscard]] std::int64_t n_since_last_reassign() const noexcept { return n_since_last_reassign_; }

 private:
  MiniBatchOptions options_;
  std::size_t d_ = 0;
  std::vector<double> centers_;
  std::vector<double> counts_;
  std::int64_t n_steps_ = 0;
  std::int64_t n_since_last_reassign_ = 0;
};

/// The outcome of fit_mini_batch.
template <class T>
struct MiniBatchResult {
  Matrix<T> centers;                        ///< k x d final centers (unit norm for the cosine metric)
  std::vector<std::int32_t> labels;         ///< nearest final center of every row (empty if !compute_labels)
  double inertia = 0;                       ///< exact sum of w * distance to the labelled centers; without
                                            ///< compute_labels the smoothed batch inertia x total weight
  int n_iter = 0;                           ///< epochs started: ceil(n_steps x batch_size / n)
  std::int64_t n_steps = 0;                 ///< mini-batch steps done
  bool converged = false;                   ///< met a stopping rule (tol or max_no_improvement)
  std::vector<MiniBatchStepStats> history;  ///< every step (if keep_history)
  MiniBatchState<T> state;                  ///< the final state: partial_fit continues the fit
  std::vector<std::string> warnings;        ///< things the caller should know (fewer distinct points than k, ...)
  double seconds = 0;                       ///< wall time of the whole fit
};

/// Clusters the rows of `data` by mini-batch k-means. `sample_weights`, if
/// not empty, holds one non-negative weight per row: batches are drawn with
/// probability proportional to it (as scikit-learn). Throws InvalidArgument
/// for bad input and Cancelled if on_step returned false.
template <class T>
MiniBatchResult<T> fit_mini_batch(MatrixView<T> data, const MiniBatchOptions& options,
                                  std::span<const double> sample_weights = {});

}  // namespace centrix
