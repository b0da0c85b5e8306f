// centrix._core.pca: the PCA fit of include/centrix/pca.hpp, for drawing
// high-dimensional data in 2-D or 3-D. Thin like bindings.cpp: takes
// C-contiguous float32/float64 arrays without copies, releases the GIL while
// C++ works, and returns NumPy arrays; projecting is (X - mean) @ components.T.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "centrix/pca.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using centrix::python::Matrix2D;
using centrix::python::to_numpy;
using centrix::python::view_of;

/// {"mean": d, "components": n_components x d, "explained_variance", "explained_variance_ratio": n_components}.
template <class T>
nb::dict pca(const Matrix2D<T>& X, std::size_t n_components, std::size_t max_rows, std::uint64_t seed, int n_threads) {
  centrix::PcaOptions options;
  options.n_components = n_components;
  options.max_rows = max_rows;
  options.seed = seed;
  options.n_threads = n_threads;
  centrix::Pca fit;
  {
    nb::gil_scoped_release release;
    fit = centrix::pca(view_of(X), options);
  }
  const std::size_t k = fit.components.rows;
  const std::size_t d = fit.components.cols;
  nb::dict out;
  out["mean"] = to_numpy(std::move(fit.mean), {d});
  out["components"] = to_numpy(std::move(fit.components.values), {k, d});
  out["explained_variance"] = to_numpy(std::move(fit.explained_variance), {k});
  out["explained_variance_ratio"] = to_numpy(std::move(fit.explained_variance_ratio), {k});
  return out;
}

}  // namespace

void bind_pca(nb::module_& m) {
  constexpr const char* doc =
      "PCA of the rows of X (float32 or float64, C-contiguous), on a uniform sample of max_rows rows if "
      "max_rows > 0. Components by decreasing variance, each with its largest-magnitude loading positive.";
  m.def("pca", &pca<float>, "X"_a, "n_components"_a, "max_rows"_a, "seed"_a, "n_threads"_a, doc);
  m.def("pca", &pca<double>, "X"_a, "n_components"_a, "max_rows"_a, "seed"_a, "n_threads"_a, doc);
}
