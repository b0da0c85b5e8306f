// Measures of clustering quality.
#pragma once

#include <cstddef>

#include "centrix/matrix_view.hpp"

namespace centrix::metrics {

/// Centroid Index (Fränti, Rezaei & Zhao, Pattern Recognition 47(9), 2014):
/// map every centroid of `a` to its nearest centroid of `b` and count the
/// centroids of `b` nothing maps to; do the same from `b` to `a`; the CI is
/// the larger count. 0 means both sets describe the same clusters. Both sets
/// need the same number of columns.
template <class T, class U>
std::size_t centroid_index(MatrixView<T> a, MatrixView<U> b);

}  // namespace centrix::metrics
