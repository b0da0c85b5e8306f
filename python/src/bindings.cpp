// centrix._core: the C++ library as seen from Python. Thin on purpose: the
// estimator logic (validation, scikit-learn conventions) lives in
// python/centrix/_kmeans.py; this file only moves arrays in and out, without
// copies for C-contiguous float32/float64 input, and releases the GIL while
// C++ works.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <chrono>

#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/mean_shift.hpp"
#include "centrix/reference.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using centrix::python::Matrix2D;
using centrix::python::to_numpy;
using centrix::python::view_of;

using Vector1D = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Labels1D = nb::ndarray<const std::int32_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

/// A dict holding the centers (k x d) and labels (n) of a clustering, moved into NumPy arrays.
template <class T>
nb::dict clustering_dict(centrix::Matrix<T>&& centers, std::vector<std::int32_t>&& labels) {
  const std::size_t k = centers.rows;
  const std::size_t d = centers.cols;
  const std::size_t n = labels.size();
  nb::dict out;
  out["centers"] = to_numpy(std::move(centers.values), {k, d});
  out["labels"] = to_numpy(std::move(labels), {n});
  return out;
}

/// Optional sample weights as the span the C++ functions take (empty: unweighted).
std::span<const double> weights_of(const std::optional<Vector1D>& w) {
  return w ? std::span<const double>(w->data(), w->size()) : std::span<const double>();
}

/// Ctrl-C: polled by the C++ loops; takes the GIL only for the check, and at
/// most every 20 ms (taking it after every iteration cost small fits ~1 us
/// an iteration, mojo-table's 3000 x 100 among them; a key press needs no faster answer).
bool python_interrupted() {
  using Clock = std::chrono::steady_clock;
  thread_local Clock::time_point last_check{};
  const Clock::time_point now = Clock::now();
  if (now - last_check < std::chrono::milliseconds(20)) return false;
  last_check = now;
  nb::gil_scoped_acquire gil;
  return PyErr_CheckSignals() != 0;
}

template <class T>
nb::dict fit(const Matrix2D<T>& X, int n_clusters, const std::string& init,
             std::optional<Matrix2D<double>> initial_centers, int n_init, int n_local_trials, int max_iter, double tol,
             const std::string& tol_mode, bool early_stop, const std::string& metric, const std::string& algorithm,
             std::uint64_t seed, int n_threads, std::optional<Vector1D> sample_weight, int verbose,
             const std::string& refine, int swap_patience, int swap_iter, int max_swaps, int max_frames) {
  centrix::KMeansOptions options;
  options.max_frames = max_frames;
  options.refine = centrix::parse_refine(refine);
  options.swap_patience = swap_patience;
  options.swap_iter = swap_iter;
  options.max_swaps = max_swaps;
  options.n_clusters = n_clusters;
  options.n_init = n_init;
  options.n_local_trials = n_local_trials;
  options.max_iter = max_iter;
  options.tol = tol;
  options.tol_mode = centrix::parse_tol_mode(tol_mode);
  options.early_stop = early_stop;
  options.metric = centrix::parse_metric(metric);
  options.algorithm = centrix::parse_algorithm(algorithm);
  options.seed = seed;
  options.n_threads = n_threads;
  if (init == "k-means++") {
    options.init = centrix::Init::KMeansPlusPlus;
  } else if (init == "random") {
    options.init = centrix::Init::Random;
  } else if (init == "given" && initial_centers) {
    options.init = centrix::Init::Given;
    options.initial_centers.assign(initial_centers->data(), initial_centers->data() + initial_centers->size());
  } else {
    throw centrix::InvalidArgument("unknown init '" + init + "'");
  }
  options.interrupted = python_interrupted;
  if (verbose > 0) {
    options.on_iteration = [](const centrix::IterationStats& s) {
      nb::gil_scoped_acquire gil;
      nb::print(nb::str("run {}  swap {}  iteration {}  inertia {}  shift {}  {} ms")
                    .format(s.run, s.swap, s.iteration, s.inertia, s.center_shift, s.seconds * 1e3));
      return true;
    };
  }
  const std::span<const double> weights = weights_of(sample_weight);

  centrix::KMeansResult<T> result;
  {
    nb::gil_scoped_release release;
    result = centrix::fit(view_of(X), options, weights);
  }
  const std::size_t iterations = result.history.size();
  std::vector<int> run(iterations), swap(iterations), iteration(iterations), n_empty(iterations);
  std::vector<double> inertia(iterations), shift(iterations), seconds(iterations);
  std::vector<std::int64_t> n_changed(iterations);
  std::vector<std::uint64_t> distance_evals(iterations);
  for (std::size_t i = 0; i < iterations; ++i) {
    const centrix::IterationStats& s = result.history[i];
    run[i] = s.run;
    swap[i] = s.swap;
    iteration[i] = s.iteration;
    inertia[i] = s.inertia;
    shift[i] = s.center_shift;
    seconds[i] = s.seconds;
    n_changed[i] = s.n_changed;
    n_empty[i] = s.n_empty;
    distance_evals[i] = s.distance_evals;
  }
  nb::dict history;
  history["run"] = to_numpy(std::move(run), {iterations});
  history["swap"] = to_numpy(std::move(swap), {iterations});
  history["iteration"] = to_numpy(std::move(iteration), {iterations});
  history["inertia"] = to_numpy(std::move(inertia), {iterations});
  history["center_shift"] = to_numpy(std::move(shift), {iterations});
  history["seconds"] = to_numpy(std::move(seconds), {iterations});
  history["n_changed"] = to_numpy(std::move(n_changed), {iterations});
  history["n_empty"] = to_numpy(std::move(n_empty), {iterations});
  history["distance_evals"] = to_numpy(std::move(distance_evals), {iterations});

  // The returned run's path (empty unless max_frames > 0): F x k x d centers, and each frame's swap and iteration.
  const std::size_t n_frames = result.frames.size();
  const std::size_t k = result.centers.rows;
  const std::size_t d = result.centers.cols;
  std::vector<T> frame_centers;
  frame_centers.reserve(n_frames * k * d);
  std::vector<int> frame_swap(n_frames), frame_iteration(n_frames);
  for (std::size_t f = 0; f < n_frames; ++f) {
    const centrix::CenterFrame<T>& frame = result.frames[f];
    frame_centers.insert(frame_centers.end(), frame.centers.values.begin(), frame.centers.values.end());
    frame_swap[f] = frame.swap;
    frame_iteration[f] = frame.iteration;
  }

  nb::dict out = clustering_dict(std::move(result.centers), std::move(result.labels));
  out["inertia"] = result.inertia;
  out["n_iter"] = result.n_iter;
  out["converged"] = result.converged;
  out["best_run"] = result.best_run;
  out["n_swaps_tried"] = result.n_swaps_tried;
  out["n_swaps_accepted"] = result.n_swaps_accepted;
  out["seconds"] = result.seconds;
  out["warnings"] = result.warnings;
  out["history"] = history;
  out["frames"] = to_numpy(std::move(frame_centers), {n_frames, k, d});
  out["frame_swap"] = to_numpy(std::move(frame_swap), {n_frames});
  out["frame_iteration"] = to_numpy(std::move(frame_iteration), {n_frames});
  return out;
}

template <class T>
nb::ndarray<nb::numpy, std::int32_t> predict(const Matrix2D<T>& X, const Matrix2D<T>& centers,
                                             const std::string& metric, int n_threads) {
  const centrix::Metric m = centrix::parse_metric(metric);
  std::vector<std::int32_t> labels;
  {
    nb::gil_scoped_release release;
    labels = centrix::predict(view_of(X), view_of(centers), m, n_threads);
  }
  const std::size_t n = labels.size();
  return to_numpy(std::move(labels), {n});
}

template <class T>
nb::ndarray<nb::numpy, T> transform(const Matrix2D<T>& X, const Matrix2D<T>& centers, const std::string& metric,
                                    int n_threads) {
  const centrix::Metric m = centrix::parse_metric(metric);
  centrix::Matrix<T> distances;
  {
    nb::gil_scoped_release release;
    distances = centrix::transform(view_of(X), view_of(centers), m, n_threads);
  }
  return to_numpy(std::move(distances.values), {distances.rows, distances.cols});
}

template <class T>
double inertia(const Matrix2D<T>& X, const Matrix2D<T>& centers, const Labels1D& labels, const std::string& metric,
               std::optional<Vector1D> sample_weight) {
  const centrix::Metric m = centrix::parse_metric(metric);
  const std::span<const double> weights = weights_of(sample_weight);
  nb::gil_scoped_release release;
  return centrix::inertia(view_of(X), view_of(centers), std::span<const std::int32_t>(labels.data(), labels.size()), m,
                          weights);
}

/// The brute-force reference (plain loops in double), for the property tests.
template <class T>
nb::dict reference_lloyd(const Matrix2D<T>& X, const Matrix2D<double>& initial_centers, int max_iter, double tol,
                         const std::string& tol_mode, const std::string& metric,
                         std::optional<Vector1D> sample_weight) {
  centrix::KMeansOptions options;
  options.n_clusters = static_cast<int>(initial_centers.shape(0));
  options.init = centrix::Init::Given;
  options.initial_centers.assign(initial_centers.data(), initial_centers.data() + initial_centers.size());
  options.max_iter = max_iter;
  options.tol = tol;
  options.tol_mode = centrix::parse_tol_mode(tol_mode);
  options.metric = centrix::parse_metric(metric);
  const std::span<const double> weights = weights_of(sample_weight);
  centrix::KMeansResult<double> result = centrix::reference::lloyd(view_of(X), options, weights);
  nb::dict out = clustering_dict(std::move(result.centers), std::move(result.labels));
  out["inertia"] = result.inertia;
  out["n_iter"] = result.n_iter;
  return out;
}

template <class T>
nb::dict mean_shift(const Matrix2D<T>& X, double bandwidth, double quantile, std::size_t bandwidth_samples,
                    const std::string& kernel, double gaussian_cutoff, std::optional<Matrix2D<double>> seeds,
                    bool bin_seeding, int min_bin_freq, bool cluster_all, int max_iter, double tol,
                    const std::string& label_mode, std::uint64_t seed, int n_threads) {
  centrix::MeanShiftOptions options;
  options.bandwidth = bandwidth;
  options.quantile = quantile;
  options.bandwidth_samples = bandwidth_samples;
  options.kernel = centrix::parse_mean_shift_kernel(kernel);
  options.gaussian_cutoff = gaussian_cutoff;
  if (seeds) options.seeds.assign(seeds->data(), seeds->data() + seeds->size());
  options.bin_seeding = bin_seeding;
  options.min_bin_freq = min_bin_freq;
  options.cluster_all = cluster_all;
  options.max_iter = max_iter;
  options.tol = tol;
  options.labels = centrix::parse_mean_shift_labels(label_mode);
  options.seed = seed;
  options.n_threads = n_threads;
  options.interrupted = python_interrupted;
  centrix::MeanShiftResult<T> result;
  {
    nb::gil_scoped_release release;
    result = centrix::mean_shift(view_of(X), options);
  }
  const std::size_t k = result.centers.rows;
  nb::dict out = clustering_dict(std::move(result.centers), std::move(result.labels));
  out["populations"] = to_numpy(std::move(result.populations), {k});
  out["n_iter"] = result.n_iter;
  out["bandwidth"] = result.bandwidth;
  out["n_seeds"] = result.n_seeds;
  out["seconds"] = result.seconds;
  return out;
}

template <class T>
double estimate_bandwidth(const Matrix2D<T>& X, double quantile, std::size_t n_samples, std::uint64_t seed,
                          int n_threads) {
  nb::gil_scoped_release release;
  return centrix::estimate_bandwidth(view_of(X), quantile, n_samples, seed, n_threads);
}

template <class T>
void bind_for(nb::module_& m) {
  m.def("mean_shift", &mean_shift<T>, "X"_a, "bandwidth"_a, "quantile"_a, "bandwidth_samples"_a, "kernel"_a,
        "gaussian_cutoff"_a, "seeds"_a.none(), "bin_seeding"_a, "min_bin_freq"_a, "cluster_all"_a, "max_iter"_a,
        "tol"_a, "label_mode"_a, "seed"_a, "n_threads"_a);
  m.def("estimate_bandwidth", &estimate_bandwidth<T>, "X"_a, "quantile"_a, "n_samples"_a, "seed"_a, "n_threads"_a);
  m.def("fit", &fit<T>, "X"_a, "n_clusters"_a, "init"_a, "initial_centers"_a.none(), "n_init"_a, "n_local_trials"_a,
        "max_iter"_a, "tol"_a, "tol_mode"_a, "early_stop"_a, "metric"_a, "algorithm"_a, "seed"_a, "n_threads"_a,
        "sample_weight"_a.none(), "verbose"_a, "refine"_a, "swap_patience"_a, "swap_iter"_a, "max_swaps"_a,
        "max_frames"_a = 0);
  m.def("predict", &predict<T>, "X"_a, "centers"_a, "metric"_a, "n_threads"_a);
  m.def("transform", &transform<T>, "X"_a, "centers"_a, "metric"_a, "n_threads"_a);
  m.def("inertia", &inertia<T>, "X"_a, "centers"_a, "labels"_a, "metric"_a, "sample_weight"_a.none());
  m.def("reference_lloyd", &reference_lloyd<T>, "X"_a, "initial_centers"_a, "max_iter"_a, "tol"_a, "tol_mode"_a,
        "metric"_a, "sample_weight"_a.none());
}

}  // namespace

void bind_metrics(nb::module_& m);  // python/src/metrics_bindings.cpp
void bind_pca(nb::module_& m);      // python/src/pca_bindings.cpp

void bind_mini_batch(nb::module_& m);  // python/src/mini_batch_bindings.cpp

NB_MODULE(_core, m) {
  m.doc() = "Centrix C++ core (internal; use centrix.KMeans or centrix.kmeans)";
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const centrix::Cancelled& e) {
      // A pending KeyboardInterrupt set by PyErr_CheckSignals takes precedence.
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    } catch (const centrix::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  bind_for<float>(m);
  bind_for<double>(m);
  bind_metrics(m);
  bind_pca(m);
  bind_mini_batch(m);
}
