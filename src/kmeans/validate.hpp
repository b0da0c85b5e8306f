// Checks on arguments, each failing with one InvalidArgument line that names
// the offending row and column (0-based) or option.
#pragma once

#include <cstdint>
#include <span>

#include "centrix/kmeans.hpp"
#include "centrix/mini_batch.hpp"

namespace centrix::detail {

/// Throws if any value is NaN or infinite; `what` names the matrix ("data", "centers").
template <class T>
void check_finite(MatrixView<T> m, const char* what);

/// Everything fit() needs: non-empty finite data, 1 <= k <= n, sane options,
/// weights of the right length that are finite, non-negative and not all zero,
/// initial centers of shape k x d. `check_values`: false leaves the data's
/// finiteness to the caller (DataFrame::for_fit checks it with the means).
template <class T>
void validate_fit(MatrixView<T> data, const KMeansOptions& options, std::span<const double> sample_weights,
                  bool check_values = true);

/// Sample weights: one per row (n), finite and non-negative; unless `allow_all_zero`, not all zero.
void validate_weights(std::span<const double> sample_weights, std::size_t n, bool allow_all_zero = false);

/// The options only mini-batch k-means has (the others are checked by validate_fit): batch_size >= 1,
/// init_size >= 0, n_init >= 0, max_no_improvement >= 0, reassignment_ratio a finite number >= 0.
void validate_mini_batch_options(const MiniBatchOptions& options);

/// Data and centers for predict/transform/inertia: both non-empty, finite, same number of columns.
template <class T>
void validate_against_centers(MatrixView<T> data, MatrixView<T> centers);

/// Labels: one per row, each in [0, k).
void validate_labels(std::span<const std::int32_t> labels, std::size_t n, std::size_t k);

}  // namespace centrix::detail
