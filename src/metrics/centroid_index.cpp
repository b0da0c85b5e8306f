#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/metrics.hpp"

namespace centrix::metrics {

namespace {

/// Centroids of `to` that no centroid of `from` has as its nearest.
template <class T, class U>
std::size_t orphans(MatrixView<T> from, MatrixView<U> to) {
  std::vector<bool> hit(to.rows(), false);
  for (std::size_t i = 0; i < from.rows(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t nearest = 0;
    for (std::size_t j = 0; j < to.rows(); ++j) {
      double dist = 0;
      for (std::size_t t = 0; t < from.cols(); ++t) {
        const double diff = static_cast<double>(from(i, t)) - static_cast<double>(to(j, t));
        dist += diff * diff;
      }
      if (dist < best) {
        best = dist;
        nearest = j;
      }
    }
    hit[nearest] = true;
  }
  std::size_t count = 0;
  for (bool h : hit) count += !h;
  return count;
}

}  // namespace

template <class T, class U>
std::size_t centroid_index(MatrixView<T> a, MatrixView<U> b) {
  if (a.cols() != b.cols()) {
    throw InvalidArgument("centroid index: centroids have " + std::to_string(a.cols()) + " and " +
                          std::to_string(b.cols()) + " columns");
  }
  if (a.rows() == 0 || b.rows() == 0) throw InvalidArgument("centroid index: an empty set of centroids");
  return std::max(orphans(a, b), orphans(b, a));
}

template std::size_t centroid_index<float, float>(MatrixView<float>, MatrixView<float>);
template std::size_t centroid_index<float, double>(MatrixView<float>, MatrixView<double>);
template std::size_t centroid_index<double, float>(MatrixView<double>, MatrixView<float>);
template std::size_t centroid_index<double, double>(MatrixView<double>, MatrixView<double>);

}  // namespace centrix::metrics
