// K-means clustering: options, results, fit / predict / transform.
//
// The public surface is one options struct and one result struct; the CLI
// flags (`centrix fit --max-iter`) and the Python keyword arguments
// (`max_iter=`) map one-to-one onto the fields below.
//
// Thread safety: the functions here may be called concurrently from several
// threads on the same read-only data; each call uses its own OpenMP team.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix {

/// Distance a clustering is measured with.
enum class Metric {
  Euclidean,  ///< squared Euclidean distance; inertia = sum of w * ||x - c||^2
  Cosine,     ///< spherical k-means: rows and centers L2-normalised, inertia = sum of w * (1 - cos(x, c))
};

/// How the first centers are chosen.
enum class Init {
  KMeansPlusPlus,  ///< greedy k-means++ (Arthur & Vassilvitskii 2007), 2 + floor(ln k) trials per center as
                   ///< scikit-learn
  Random,          ///< Forgy: k distinct rows drawn uniformly (weighted by sample weight)
  Given,           ///< KMeansOptions::initial_centers, used as they are
};

/// Which exact algorithm assigns rows to centers (all give identical results).
enum class Algorithm {
  Auto,     ///< Lloyd if k < 8 or k * d < 4096 (or k < 32 on data over 64 MiB); else Hamerly, until two
            ///< iterations in a row compute > 75% of the distances, or one > 95%
  Lloyd,    ///< every row against every center (Lloyd 1982)
  Hamerly,  ///< Lloyd with one upper and one lower distance bound per row to skip rows (Hamerly 2010)
  Yinyang,  ///< bounds per group of about 32 centers: skips rows, then groups (Ding et al., ICML 2015)
  Elkan,    ///< a lower bound per row and center (Elkan, ICML 2003); n x k floats, refused above 2 GiB
};

/// What is done after Lloyd converges, to escape its local optimum.
enum class Refine {
  Auto,  ///< Swap, except with Init::Given or early_stop = false, where the result stays plain Lloyd
  None,  ///< nothing: the result of Lloyd from the initial centers (scikit-learn's result)
  Swap,  ///< ranked center swaps (Fränti 2018; Ismkhan 2018), each settled by Lloyd and kept only if the
         ///< inertia falls; see src/kmeans/swap.hpp
};

/// What `tol` is compared with.
enum class TolMode {
  Shift,    ///< sum over centers of the squared center shift <= tol * mean feature variance (scikit-learn)
  Inertia,  ///< relative inertia decrease (previous - current) / previous <= tol (the Mojo port)
};

/// Statistics of one iteration (one assignment followed by one update).
struct IterationStats {
  int iteration = 0;                 ///< 1-based iteration number within its descent (see `swap`)
  double inertia = 0;                ///< inertia of this iteration's assignment, before the update moved the centers
  double center_shift = 0;           ///< sum over centers of the squared distance each center moved in the update
  double seconds = 0;                ///< wall time of this iteration
  std::int64_t n_changed = 0;        ///< points whose label changed in this assignment (all points in the first one)
  int n_empty = 0;                   ///< clusters that were empty and got relocated
  int run = 0;                       ///< which of the n_init restarts this iteration belongs to (0-based)
  int swap = 0;                      ///< 0 in a run's first descent; s > 0 in the Lloyd iterations after swap trial s
  std::uint64_t distance_evals = 0;  ///< row-center distances computed (n * k for Lloyd; fewer when bounds skip)
};

/// Options of k-means; every field has a default that works.
struct KMeansOptions {
  int n_clusters = 8;                     ///< k, the number of clusters (1 <= k <= number of rows)
  Metric metric = Metric::Euclidean;      ///< distance: Euclidean or cosine (spherical k-means)
  Algorithm algorithm = Algorithm::Auto;  ///< assignment algorithm; every choice gives the same result
  Init init = Init::KMeansPlusPlus;       ///< how to choose the first centers
  int n_local_trials = 0;                 ///< k-means++ candidates per center; 0 means 2 + floor(ln k)
  std::vector<double> initial_centers;    ///< k x d row-major centers for Init::Given
  int n_init = 1;                         ///< independent runs; the one with the lowest inertia is returned
  int max_iter = 300;                     ///< most Lloyd iterations per run
  double tol = 1e-4;                      ///< convergence tolerance, read as tol_mode says
  TolMode tol_mode = TolMode::Shift;      ///< what tol is compared with
  bool early_stop = true;                 ///< false: run exactly max_iter iterations whatever happens (benchmarks)
  Refine refine = Refine::Auto;           ///< refinement after Lloyd converges (swaps unless centers are given)
  int swap_patience = 8;                  ///< swap trials in a row without improvement before refinement stops
  int swap_iter = 3;                      ///< Lloyd iterations that settle a trial swap before it is judged
  int max_swaps = 0;                      ///< most swap trials per run; 0 means 2k + 16
  std::uint64_t seed = 0;                 ///< fixes every random choice; the same seed gives bitwise the same result
  int n_threads = 0;                      ///< OpenMP threads; 0 uses all available
  bool keep_history = true;               ///< record IterationStats of every iteration in the result
  int max_frames = 0;                     ///< keep the centers of up to this many iterations of the returned run
                                          ///< (KMeansResult::frames, for animations); 0 keeps none
  /// Called after every iteration; returning false stops the fit with centrix::Cancelled.
  std::function<bool(const IterationStats&)> on_iteration;
  /// Polled during initialisation and after every iteration; returning true stops the fit with
  /// centrix::Cancelled (Python's Ctrl-C).
  std::function<bool()> interrupted;
};

/// The centers one iteration of the returned run assigned the rows to.
template <class T>
struct CenterFrame {
  int swap = 0;       ///< as IterationStats::swap: 0 in the first descent, s after swap trial s
  int iteration = 0;  ///< as IterationStats::iteration; 0 marks the final centers
  Matrix<T> centers;  ///< k x d
};

/// The outcome of a fit.
template <class T>
struct KMeansResult {
  Matrix<T> centers;                    ///< k x d final centers (unit norm for the cosine metric)
  std::vector<std::int32_t> labels;     ///< cluster of each row, consistent with the final centers
  double inertia = 0;                   ///< sum of w * distance of each row to its center (see Metric)
  int n_iter = 0;                       ///< iterations of the returned run
  bool converged = false;               ///< the returned run met its stopping rule before max_iter
  int best_run = 0;                     ///< which of the n_init runs was kept (0-based)
  int n_swaps_tried = 0;                ///< swap trials of the returned run (0 without refinement)
  int n_swaps_accepted = 0;             ///< of which lowered the inertia and were kept
  std::vector<IterationStats> history;  ///< every iteration of every run, in order (if keep_history)
  /// The path of the returned run, oldest first, ending with the final centers (if max_frames > 0): its
  /// first descent, each kept swap's iterations, the final descent. Longer paths are thinned evenly to
  /// max_frames, always keeping the first and the final centers. Rejected swap trials are not on the path.
  std::vector<CenterFrame<T>> frames;
  std::vector<std::string> warnings;  ///< things the caller should know (fewer distinct points than k, ...)
  double seconds = 0;                 ///< wall time of the whole fit
};

/// Clusters the rows of `data`. `sample_weights`, if not empty, holds one
/// non-negative weight per row. Throws InvalidArgument for bad input (the
/// message names the offending row and column) and Cancelled if on_iteration
/// returned false.
template <class T>
KMeansResult<T> fit(MatrixView<T> data, const KMeansOptions& options, std::span<const double> sample_weights = {});

/// The index of the closest center of each row.
template <class T>
std::vector<std::int32_t> predict(MatrixView<T> data, MatrixView<T> centers, Metric metric = Metric::Euclidean,
                                  int n_threads = 0);

/// The distance from each row to each center (n x k, row-major): Euclidean
/// distance ||x - c||, or cosine distance 1 - cos(x, c).
template <class T>
Matrix<T> transform(MatrixView<T> data, MatrixView<T> centers, Metric metric = Metric::Euclidean, int n_threads = 0);

/// Sum of w * distance (as in KMeansResult::inertia) of each row to its labelled center.
template <class T>
double inertia(MatrixView<T> data, MatrixView<T> centers, std::span<const std::int32_t> labels,
               Metric metric = Metric::Euclidean, std::span<const double> sample_weights = {});

/// Parse "euclidean"/"cosine", "shift"/"inertia", "auto"/"lloyd"/"hamerly"/"yinyang"/"elkan", "auto"/"none"/"swap";
/// throw InvalidArgument otherwise.
Metric parse_metric(const std::string& name);
Refine parse_refine(const std::string& name);
Algorithm parse_algorithm(const std::string& name);
TolMode parse_tol_mode(const std::string& name);
const char* to_string(Metric metric) noexcept;
const char* to_string(Init init) noexcept;
const char* to_string(TolMode mode) noexcept;
const char* to_string(Algorithm algorithm) noexcept;
const char* to_string(Refine refine) noexcept;

}  // namespace centrix
