// Choosing the first centers.
#pragma once

#include <vector>

#include "centrix/kmeans.hpp"
#include "common/random.hpp"
#include "kmeans/frame.hpp"

namespace centrix::detail {

/// k x d starting centers in original coordinates (unit length for cosine),
/// chosen as options.init says. `weights` may be null (all ones).
template <class T>
std::vector<double> initial_centers(const DataFrame<T>& frame, const double* weights, const KMeansOptions& options,
                                    Rng& rng, int n_threads);

}  // namespace centrix::detail
