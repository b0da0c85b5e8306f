// Brute-force reference k-means: plain loops in double, no blocking, no
// threads, no expanded distances. It defines what the fast paths must
// compute, and the tests compare every algorithm against it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "centrix/kmeans.hpp"

namespace centrix::reference {

/// Nearest center of each row (lowest index on ties); `sq_distances`, if not
/// null, receives each row's squared distance (for cosine, rows and centers
/// are scaled to unit length and this is the chord length squared).
template <class T>
std::vector<std::int32_t> assign(MatrixView<T> data, MatrixView<double> centers, Metric metric,
                                 std::vector<double>* sq_distances = nullptr);

/// Lloyd's algorithm from options.initial_centers (options.init must be
/// Init::Given), with the same stopping rules, empty-cluster relocation and
/// inertia as centrix::fit.
template <class T>
KMeansResult<double> lloyd(MatrixView<T> data, const KMeansOptions& options,
                           std::span<const double> sample_weights = {});

}  // namespace centrix::reference
