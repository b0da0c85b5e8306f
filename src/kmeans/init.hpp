// Choosing the first centers.
#pragma once

#include <cstddef>
#include <vector>

#include "centrix/kmeans.hpp"
#include "common/random.hpp"
#include "kmeans/frame.hpp"

namespace centrix::detail {

/// k-means++ keeps every candidate's distances while they take at most this
/// many bytes (n x trials values), so the chosen one's are not computed
/// again; above it, they are. A variable only so that tests can reach both.
inline std::size_t kept_trial_bytes = std::size_t{64} << 20;

/// k x d starting centers in original coordinates (unit length for cosine),
/// chosen as options.init says. `weights` may be null (all ones).
template <class T>
std::vector<double> initial_centers(const DataFrame<T>& frame, const double* weights, const KMeansOptions& options,
                                    Rng& rng, int n_threads);

}  // namespace centrix::detail
