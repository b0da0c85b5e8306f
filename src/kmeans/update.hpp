// The center update shared by every assignment algorithm: each center becomes
// the weighted mean of its rows (sums in double). A cluster left without
// weight is moved onto the row farthest from its center, as scikit-learn does,
// in a fixed order so the result is deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kmeans/frame.hpp"

namespace centrix::detail {

/// Writes the updated k x d centers (original coordinates; unit length for
/// cosine) to `new_centers`; returns how many clusters were empty and moved.
/// `sq_distances` are the rows' distances to their assigned old centers.
template <class T>
int update_centers(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels,
                   std::span<const T> sq_distances, std::size_t k, const double* old_centers, double* new_centers,
                   int n_threads);

}  // namespace centrix::detail
