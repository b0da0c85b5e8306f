// centrix._core.mini_batch_fit / mini_batch_partial_fit: mini-batch k-means
// (include/centrix/mini_batch.hpp) for centrix.MiniBatchKMeans. Thin like
// bindings.cpp: C-contiguous float32/float64 arrays without copies, the GIL
// released while C++ works, NumPy arrays out. The streaming state lives on the
// Python side as plain arrays (centers in double, counts, step counters), so a
// partially fitted estimator pickles; each call rebuilds the C++ state from
// them (MiniBatchState::resume), which continues exactly as one long-lived
// state would.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "centrix/error.hpp"
#include "centrix/mini_batch.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using centrix::python::Matrix2D;
using centrix::python::to_numpy;
using centrix::python::view_of;

using Vector1D = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

std::span<const double> weights_of(const std::optional<Vector1D>& w) {
  return w ? std::span<const double>(w->data(), w->size()) : std::span<const double>();
}

bool python_interrupted() {
  nb::gil_scoped_acquire gil;
  return PyErr_CheckSignals() != 0;
}

/// MiniBatchOptions from the estimator's parameters, passed as a dict with the fields' names.
centrix::MiniBatchOptions options_from(const nb::dict& p) {
  centrix::MiniBatchOptions o;
  o.n_clusters = nb::cast<int>(p["n_clusters"]);
  o.metric = centrix::parse_metric(nb::cast<std::string>(p["metric"]));
  const std::string init = nb::cast<std::string>(p["init"]);
  if (init == "k-means++") {
    o.init = centrix::Init::KMeansPlusPlus;
  } else if (init == "random") {
    o.init = centrix::Init::Random;
  } else if (init == "given") {
    o.init = centrix::Init::Given;
    const auto centers = nb::cast<Matrix2D<double>>(p["initial_centers"]);
    o.initial_centers.assign(centers.data(), centers.data() + centers.size());
  } else {
    throw centrix::InvalidArgument("unknown init '" + init + "'");
  }
  o.n_local_trials = nb::cast<int>(p["n_local_trials"]);
  o.n_init = nb::cast<int>(p["n_init"]);
  o.batch_size = nb::cast<std::int64_t>(p["batch_size"]);
  o.max_iter = nb::cast<int>(p["max_iter"]);
  o.max_no_improvement = nb::cast<std::optional<int>>(p["max_no_improvement"]);
  o.tol = nb::cast<double>(p["tol"]);
  o.reassignment_ratio = nb::cast<double>(p["reassignment_ratio"]);
  o.init_size = nb::cast<std::int64_t>(p["init_size"]);
  o.compute_labels = nb::cast<bool>(p["compute_labels"]);
  o.seed = nb::cast<std::uint64_t>(p["seed"]);
  o.n_threads = nb::cast<int>(p["n_threads"]);
  o.interrupted = python_interrupted;
  if (nb::cast<int>(p["verbose"]) > 0) {
    o.on_step = [](const centrix::MiniBatchStepStats& s) {
      nb::gil_scoped_acquire gil;
      nb::print(nb::str("[MiniBatchKMeans] step {}: mean batch inertia {}, ewa inertia {}, {} reassigned")
                    .format(s.step, s.batch_inertia / static_cast<double>(s.n_rows), s.ewa_inertia, s.n_reassigned));
      return true;
    };
  }
  return o;
}

/// The parts of a state Python keeps: centers (double), counts and the step counters.
template <class T>
void put_state(nb::dict& out, const centrix::MiniBatchState<T>& state) {
  const std::size_t d = state.n_features();
  const std::size_t k = state.counts().size();
  out["centers"] = to_numpy(std::vector<T>(state.centers().values), {k, d});
  out["centers64"] = to_numpy(std::vector<double>(state.centers_double()), {k, d});
  out["counts"] = to_numpy(std::vector<double>(state.counts()), {k});
  out["n_steps"] = state.n_steps();
  out["n_since_last_reassign"] = state.n_since_last_reassign();
}

template <class T>
nb::dict fit(const Matrix2D<T>& X, const nb::dict& params, std::optional<Vector1D> sample_weight) {
  const centrix::MiniBatchOptions options = options_from(params);
  const std::span<const double> weights = weights_of(sample_weight);
  centrix::MiniBatchResult<T> result;
  {
    nb::gil_scoped_release release;
    result = centrix::fit_mini_batch(view_of(X), options, weights);
  }
  const std::size_t steps = result.history.size();
  std::vector<std::int64_t> step(steps), n_reassigned(steps);
  std::vector<double> batch_inertia(steps), ewa(steps), shift(steps), seconds(steps);
  for (std::size_t i = 0; i < steps; ++i) {
    const centrix::MiniBatchStepStats& s = result.history[i];
    step[i] = s.step;
    n_reassigned[i] = s.n_reassigned;
    batch_inertia[i] = s.batch_inertia;
    ewa[i] = s.ewa_inertia;
    shift[i] = s.center_shift;
    seconds[i] = s.seconds;
  }
  nb::dict history;
  history["step"] = to_numpy(std::move(step), {steps});
  history["batch_inertia"] = to_numpy(std::move(batch_inertia), {steps});
  history["ewa_inertia"] = to_numpy(std::move(ewa), {steps});
  history["center_shift"] = to_numpy(std::move(shift), {steps});
  history["n_reassigned"] = to_numpy(std::move(n_reassigned), {steps});
  history["seconds"] = to_numpy(std::move(seconds), {steps});

  nb::dict out;
  put_state(out, result.state);
  const std::size_t n = result.labels.size();
  out["labels"] = to_numpy(std::move(result.labels), {n});
  out["inertia"] = result.inertia;
  out["n_iter"] = result.n_iter;
  out["converged"] = result.converged;
  out["seconds"] = result.seconds;
  out["warnings"] = result.warnings;
  out["history"] = history;
  return out;
}

template <class T>
nb::dict partial_fit(const Matrix2D<T>& X, const nb::dict& params, std::optional<Vector1D> sample_weight,
                     std::optional<Matrix2D<double>> centers, std::optional<Vector1D> counts, std::int64_t n_steps,
                     std::int64_t n_since_last_reassign) {
  centrix::MiniBatchOptions options = options_from(params);
  const std::span<const double> weights = weights_of(sample_weight);
  centrix::MiniBatchState<T> state(options);
  if (centers) {
    if (!counts) throw centrix::InvalidArgument("mini-batch state: centers without counts");
    state = centrix::MiniBatchState<T>::resume(
        std::move(options), centers->shape(1), std::vector<double>(centers->data(), centers->data() + centers->size()),
        std::vector<double>(counts->data(), counts->data() + counts->size()), n_steps, n_since_last_reassign);
  }
  centrix::MiniBatchStepStats stats;
  {
    nb::gil_scoped_release release;
    stats = state.partial_fit(view_of(X), weights);
  }
  nb::dict out;
  put_state(out, state);
  out["batch_inertia"] = stats.batch_inertia;
  out["n_reassigned"] = stats.n_reassigned;
  return out;
}

}  // namespace

void bind_mini_batch(nb::module_& m) {
  constexpr const char* fit_doc = "Mini-batch k-means of the rows of X; params holds MiniBatchOptions' fields.";
  constexpr const char* step_doc =
      "One mini-batch step on X from the given state (centers in double, counts, n_steps, "
      "n_since_last_reassign), or from centers chosen on X when centers is None.";
  m.def("mini_batch_fit", &fit<float>, "X"_a, "params"_a, "sample_weight"_a.none(), fit_doc);
  m.def("mini_batch_fit", &fit<double>, "X"_a, "params"_a, "sample_weight"_a.none(), fit_doc);
  m.def("mini_batch_partial_fit", &partial_fit<float>, "X"_a, "params"_a, "sample_weight"_a.none(), "centers"_a.none(),
        "counts"_a.none(), "n_steps"_a, "n_since_last_reassign"_a, step_doc);
  m.def("mini_batch_partial_fit", &partial_fit<double>, "X"_a, "params"_a, "sample_weight"_a.none(), "centers"_a.none(),
        "counts"_a.none(), "n_steps"_a, "n_since_last_reassign"_a, step_doc);
}
