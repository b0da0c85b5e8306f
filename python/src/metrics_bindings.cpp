// centrix._core.metrics: the clustering-quality measures of
// include/centrix/metrics.hpp. Thin like bindings.cpp: validation and
// scikit-learn's conventions live in python/centrix/metrics.py; this file
// takes C-contiguous arrays without copies and releases the GIL while C++ works.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <span>
#include <vector>

#include "arrays.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/metrics.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using centrix::python::Matrix2D;
using centrix::python::to_numpy;
using centrix::python::view_of;

template <class L>
using Labels1D = nb::ndarray<const L, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

template <class L>
std::span<const L> span_of(const Labels1D<L>& a) {
  return {a.data(), a.shape(0)};
}

template <class L>
double adjusted_rand_index(const Labels1D<L>& a, const Labels1D<L>& b) {
  nb::gil_scoped_release release;
  return centrix::metrics::adjusted_rand_index(span_of(a), span_of(b));
}

template <class L>
double normalized_mutual_info(const Labels1D<L>& a, const Labels1D<L>& b) {
  nb::gil_scoped_release release;
  return centrix::metrics::normalized_mutual_info(span_of(a), span_of(b));
}

template <class T, class L>
double silhouette(const Matrix2D<T>& X, const Labels1D<L>& labels, std::size_t sample_size, std::uint64_t seed,
                  int n_threads) {
  centrix::metrics::SilhouetteOptions options;
  options.sample_size = sample_size;
  options.seed = seed;
  options.n_threads = n_threads;
  nb::gil_scoped_release release;
  return centrix::metrics::silhouette(view_of(X), span_of(labels), options);
}

template <class T, class L>
nb::ndarray<nb::numpy, double> silhouette_samples(const Matrix2D<T>& X, const Labels1D<L>& labels, int n_threads) {
  std::vector<double> values;
  {
    nb::gil_scoped_release release;
    values = centrix::metrics::silhouette_samples(view_of(X), span_of(labels), n_threads);
  }
  const std::size_t n = values.size();
  return to_numpy(std::move(values), {n});
}

/// {"centers": k x d label means, "labels": labels renumbered 0..k-1, "values": the k label values, "counts"}.
template <class T, class L>
nb::dict label_means(const Matrix2D<T>& X, const Labels1D<L>& labels) {
  centrix::metrics::LabelMeans<T> means;
  {
    nb::gil_scoped_release release;
    means = centrix::metrics::centers_from_labels(view_of(X), span_of(labels));
  }
  const std::size_t k = means.centers.rows;
  const std::size_t d = means.centers.cols;
  const std::size_t n = means.labels.size();
  nb::dict out;
  out["centers"] = to_numpy(std::move(means.centers.values), {k, d});
  out["labels"] = to_numpy(std::move(means.labels), {n});
  out["values"] = to_numpy(std::move(means.values), {k});
  out["counts"] = to_numpy(std::move(means.counts), {k});
  return out;
}

/// Sum of squared Euclidean distances from each row to its labelled center (labels in [0, k)).
template <class T>
double inertia(const Matrix2D<T>& X, const Matrix2D<T>& centers, const Labels1D<std::int32_t>& labels) {
  nb::gil_scoped_release release;
  return centrix::inertia(view_of(X), view_of(centers), span_of(labels));
}

std::size_t centroid_index(const Matrix2D<double>& a, const Matrix2D<double>& b) {
  nb::gil_scoped_release release;
  return centrix::metrics::centroid_index(view_of(a), view_of(b));
}

template <class L>
void bind_labels(nb::module_& m) {
  m.def("adjusted_rand_index", &adjusted_rand_index<L>, "a"_a, "b"_a);
  m.def("normalized_mutual_info", &normalized_mutual_info<L>, "a"_a, "b"_a);
}

template <class T, class L>
void bind_data(nb::module_& m) {
  m.def("silhouette", &silhouette<T, L>, "X"_a, "labels"_a, "sample_size"_a, "seed"_a, "n_threads"_a);
  m.def("silhouette_samples", &silhouette_samples<T, L>, "X"_a, "labels"_a, "n_threads"_a);
  m.def("label_means", &label_means<T, L>, "X"_a, "labels"_a);
}

}  // namespace

void bind_metrics(nb::module_& m) {
  nb::module_ metrics = m.def_submodule("metrics", "Clustering-quality measures (internal; use centrix.metrics)");
  bind_labels<std::int64_t>(metrics);
  bind_labels<std::int32_t>(metrics);
  bind_data<float, std::int64_t>(metrics);
  bind_data<double, std::int64_t>(metrics);
  bind_data<float, std::int32_t>(metrics);
  bind_data<double, std::int32_t>(metrics);
  metrics.def("inertia", &inertia<float>, "X"_a, "centers"_a, "labels"_a);
  metrics.def("inertia", &inertia<double>, "X"_a, "centers"_a, "labels"_a);
  metrics.def("centroid_index", &centroid_index, "a"_a, "b"_a);
}
