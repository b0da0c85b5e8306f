#include "centrix/reference.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "centrix/error.hpp"

namespace centrix::reference {

namespace {

/// Row i as double, scaled to unit length for the cosine metric.
template <class T>
std::vector<double> row_in_metric(MatrixView<T> data, std::size_t i, Metric metric) {
  std::vector<double> x(data.cols());
  double norm = 0;
  for (std::size_t t = 0; t < data.cols(); ++t) {
    x[t] = static_cast<double>(data(i, t));
    norm += x[t] * x[t];
  }
  if (metric == Metric::Cosine) {
    for (double& v : x) v /= std::sqrt(norm);
  }
  return x;
}

double squared_distance(const std::vector<double>& x, const double* c) {
  double s = 0;
  for (std::size_t t = 0; t < x.size(); ++t) s += (x[t] - c[t]) * (x[t] - c[t]);
  return s;
}

template <class T>
std::vector<std::int32_t> assign_impl(MatrixView<T> data, MatrixView<double> centers, Metric metric,
                                      std::vector<double>* sq_distances, bool normalize_centers) {
  std::vector<std::int32_t> labels(data.rows());
  if (sq_distances) sq_distances->assign(data.rows(), 0.0);
  std::vector<std::vector<double>> c(centers.rows());
  for (std::size_t j = 0; j < centers.rows(); ++j) {
    c[j] = row_in_metric(centers, j, normalize_centers ? metric : Metric::Euclidean);
  }
  for (std::size_t i = 0; i < data.rows(); ++i) {
    const std::vector<double> x = row_in_metric(data, i, metric);
    double best = INFINITY;
    for (std::size_t j = 0; j < centers.rows(); ++j) {
      const double dist = squared_distance(x, c[j].data());
      if (dist < best) {
        best = dist;
        labels[i] = static_cast<std::int32_t>(j);
      }
    }
    if (sq_distances) (*sq_distances)[i] = best;
  }
  return labels;
}

}  // namespace

template <class T>
std::vector<std::int32_t> assign(MatrixView<T> data, MatrixView<double> centers, Metric metric,
                                 std::vector<double>* sq_distances) {
  return assign_impl(data, centers, metric, sq_distances, true);
}

template <class T>
KMeansResult<double> lloyd(MatrixView<T> data, const KMeansOptions& options, std::span<const double> sample_weights) {
  if (options.init != Init::Given) throw InvalidArgument("reference::lloyd needs initial centers");
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  const auto k = static_cast<std::size_t>(options.n_clusters);
  const bool cosine = options.metric == Metric::Cosine;
  const auto weight = [&](std::size_t i) { return sample_weights.empty() ? 1.0 : sample_weights[i]; };

  Matrix<double> centers(k, d);
  std::copy(options.initial_centers.begin(), options.initial_centers.end(), centers.values.begin());
  if (cosine) {
    for (std::size_t j = 0; j < k; ++j) {
      double norm = 0;
      for (std::size_t t = 0; t < d; ++t) norm += centers(j, t) * centers(j, t);
      for (std::size_t t = 0; t < d; ++t) centers(j, t) /= std::sqrt(norm);
    }
  }

  // scikit-learn's tolerance: tol times the mean of the per-feature variances.
  double mean_variance = 0;
  for (std::size_t t = 0; t < d; ++t) {
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) mean += row_in_metric(data, i, options.metric)[t];
    mean /= static_cast<double>(n);
    double var = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double dev = row_in_metric(data, i, options.metric)[t] - mean;
      var += dev * dev;
    }
    mean_variance += var / static_cast<double>(n);
  }
  mean_variance /= static_cast<double>(d);

  KMeansResult<double> result;
  std::vector<std::int32_t> labels(n, -1);
  std::vector<double> sq_distances;
  bool labels_stable = false;
  double last_shift = 0;
  double previous_inertia = 0;
  int iteration = 0;
  while (iteration < options.max_iter) {
    ++iteration;
    const std::vector<std::int32_t> new_labels =
        assign_impl(data, centers.view(), options.metric, &sq_distances, false);
    std::int64_t changed = 0;
    double assignment_inertia = 0;
    for (std::size_t i = 0; i < n; ++i) {
      changed += new_labels[i] != labels[i];
      assignment_inertia += weight(i) * (cosine ? 0.5 * sq_distances[i] : sq_distances[i]);
    }
    labels = new_labels;

    // Update: weighted means.
    Matrix<double> sums(k, d);
    std::vector<double> cluster_weight(k, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      // Cosine: the unit row as the fast path adds it, x scaled by w / ||x|| (not w * (x / ||x||), which
      // rounds differently).
      const std::vector<double> x = row_in_metric(data, i, Metric::Euclidean);
      double scale = weight(i);
      if (cosine) {
        double norm = 0;
        for (std::size_t t = 0; t < d; ++t) norm += x[t] * x[t];
        scale /= std::sqrt(norm);
      }
      const auto l = static_cast<std::size_t>(labels[i]);
      for (std::size_t t = 0; t < d; ++t) sums(l, t) += scale * x[t];
      cluster_weight[l] += weight(i);
    }
    // Empty clusters: the farthest rows, farthest first, ties to the lower row.
    std::vector<std::size_t> empty;
    for (std::size_t j = 0; j < k; ++j) {
      if (cluster_weight[j] <= 0) empty.push_back(j);
    }
    std::vector<bool> keep_old(k, false);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sq_distances[a] > sq_distances[b]; });
    for (std::size_t e = 0; e < empty.size() && e < n; ++e) {
      const std::size_t i = order[e];
      const auto source = static_cast<std::size_t>(labels[i]);
      const std::vector<double> x = row_in_metric(data, i, options.metric);
      const double w = weight(i);
      for (std::size_t t = 0; t < d; ++t) {
        sums(source, t) -= w * x[t];
        sums(empty[e], t) = w > 0 ? w * x[t] : x[t];
      }
      cluster_weight[source] -= w;
      cluster_weight[empty[e]] = w > 0 ? w : 1.0;
      if (cluster_weight[source] <= 0) keep_old[source] = true;
    }
    Matrix<double> updated(k, d);
    for (std::size_t j = 0; j < k; ++j) {
      double norm = 0;
      for (std::size_t t = 0; t < d; ++t) norm += sums(j, t) * sums(j, t);
      const bool keep = keep_old[j] || cluster_weight[j] <= 0 || (cosine && norm <= 0);
      for (std::size_t t = 0; t < d; ++t) {
        // Multiplying by the reciprocal, as scikit-learn and the fast path do, not dividing: the
        // two round differently.
        updated(j, t) = keep     ? centers(j, t)
                        : cosine ? sums(j, t) * (1.0 / std::sqrt(norm))
                                 : sums(j, t) * (1.0 / cluster_weight[j]);
      }
    }
    double shift = 0;
    for (std::size_t v = 0; v < k * d; ++v) {
      shift += (updated.values[v] - centers.values[v]) * (updated.values[v] - centers.values[v]);
    }
    centers = updated;
    last_shift = shift;
    result.history.push_back(
        IterationStats{iteration, assignment_inertia, shift, 0.0, changed, static_cast<int>(empty.size()), 0});

    labels_stable = changed == 0;
    if (labels_stable) {
      result.converged = true;
    } else if (options.tol_mode == TolMode::Shift) {
      result.converged = shift <= options.tol * mean_variance;
    } else {
      result.converged = iteration > 1 && previous_inertia - assignment_inertia <= options.tol * previous_inertia;
    }
    previous_inertia = assignment_inertia;
    if (result.converged && options.early_stop) break;
  }
  if (!(labels_stable && last_shift == 0))
    labels = assign_impl(data, centers.view(), options.metric, &sq_distances, false);
  result.inertia = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<double> x = row_in_metric(data, i, options.metric);
    const double dist = squared_distance(x, centers.row(static_cast<std::size_t>(labels[i])));
    result.inertia += weight(i) * (cosine ? 0.5 * dist : dist);
  }
  result.centers = std::move(centers);
  result.labels = std::move(labels);
  result.n_iter = iteration;
  return result;
}

template std::vector<std::int32_t> assign<float>(MatrixView<float>, MatrixView<double>, Metric, std::vector<double>*);
template std::vector<std::int32_t> assign<double>(MatrixView<double>, MatrixView<double>, Metric, std::vector<double>*);
template KMeansResult<double> lloyd<float>(MatrixView<float>, const KMeansOptions&, std::span<const double>);
template KMeansResult<double> lloyd<double>(MatrixView<double>, const KMeansOptions&, std::span<const double>);

}  // namespace centrix::reference
