// Measures of clustering quality.
//
// Label-comparison measures (adjusted Rand index, normalized mutual
// information) take two labelings of the same rows; label values are
// arbitrary integers (0-based, 1-based, negative, sparse), only equality
// matters. Each accepts int32 or int64 labels. They give scikit-learn's values,
// degenerate cases included. Bad input (labelings of different lengths, empty
// labelings, NaN or Inf data) throws InvalidArgument with a one-line message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix::metrics {

/// Centroid Index (Fränti, Rezaei & Zhao, Pattern Recognition 47(9), 2014):
/// map every centroid of `a` to its nearest centroid of `b` and count the
/// centroids of `b` nothing maps to; do the same from `b` to `a`; the CI is
/// the larger count. 0 means both sets describe the same clusters. Both sets
/// need the same number of columns.
template <class T, class U>
std::size_t centroid_index(MatrixView<T> a, MatrixView<U> b);

/// Adjusted Rand index (Hubert & Arabie, Journal of Classification 2(1), 1985):
/// the Rand index (fraction of row pairs on which both labelings agree: same
/// cluster in both, or different clusters in both) corrected for chance,
///   ARI = (RI - E[RI]) / (max RI - E[RI])   under the permutation model,
/// computed from the sparse contingency table as scikit-learn's
/// adjusted_rand_score does (pair counts in exact 128-bit integers), so the
/// value is the same to the last bit. 1 for identical partitions (including
/// both a single cluster, or both all singletons), about 0 for independent
/// ones, negative below chance (down to -0.5). Symmetric in `a` and `b`.
/// O(n) time for label values within a range of about 2n, else O(n log n).
double adjusted_rand_index(std::span<const std::int64_t> a, std::span<const std::int64_t> b);
double adjusted_rand_index(std::span<const std::int32_t> a, std::span<const std::int32_t> b);

/// Normalized mutual information with arithmetic-mean normalisation
/// (Strehl & Ghosh, JMLR 3, 2002; the arithmetic variant as in Vinh, Epps &
/// Bailey, JMLR 11, 2010), natural logarithms:
///   NMI = I(a; b) / ((H(a) + H(b)) / 2),
///   I(a; b) = sum_ij (n_ij / n) log(n n_ij / (a_i b_j)),   H(a) = -sum_i (a_i / n) log(a_i / n),
/// with n_ij the contingency table, a_i and b_j its row and column sums.
/// scikit-learn's normalized_mutual_info_score defaults and edge cases: 1 when
/// both labelings are a single cluster; 0 when only one of them is, or when
/// the mutual information is 0. In [0, 1]; symmetric in `a` and `b`.
double normalized_mutual_info(std::span<const std::int64_t> a, std::span<const std::int64_t> b);
double normalized_mutual_info(std::span<const std::int32_t> a, std::span<const std::int32_t> b);

/// How silhouette() computes.
struct SilhouetteOptions {
  std::size_t sample_size = 0;  ///< silhouette of this many distinct rows drawn uniformly; 0 (or >= n): all rows
  std::uint64_t seed = 0;       ///< fixes the sample; the same seed gives the same rows and the same value
  int n_threads = 0;            ///< OpenMP threads; 0 uses all available. The result does not depend on it
};

/// Silhouette coefficient of each row (Rousseeuw, J. Comput. Appl. Math. 20, 1987),
/// Euclidean distance (not squared), as scikit-learn's silhouette_samples:
///   a(i) = mean distance from row i to the other rows of its cluster,
///   b(i) = smallest mean distance from row i to the rows of another cluster,
///   s(i) = (b(i) - a(i)) / max(a(i), b(i)),   0 for rows alone in their cluster (and when a = b = 0).
/// Needs 2 <= number of distinct labels <= rows - 1. Exact, O(n^2 d) time and
/// O(n d) memory: distances are computed in double, tile by tile, never stored;
/// per-row sums run in a fixed order, so the values are bitwise the same for any
/// thread count. Rows are returned in the input's order.
template <class T>
std::vector<double> silhouette_samples(MatrixView<T> data, std::span<const std::int64_t> labels, int n_threads = 0);
template <class T>
std::vector<double> silhouette_samples(MatrixView<T> data, std::span<const std::int32_t> labels, int n_threads = 0);

/// Mean silhouette coefficient over the rows (scikit-learn's silhouette_score):
/// the mean of silhouette_samples(). With options.sample_size = m < n, m
/// distinct rows are drawn uniformly (seeded by options.seed) and the result is
/// the mean silhouette of that subset alone, as scikit-learn's `sample_size`
/// (O(m^2 d) time); the subset then needs 2 <= distinct labels <= m - 1.
template <class T>
double silhouette(MatrixView<T> data, std::span<const std::int64_t> labels, const SilhouetteOptions& options = {});
template <class T>
double silhouette(MatrixView<T> data, std::span<const std::int32_t> labels, const SilhouetteOptions& options = {});

/// The mean of the rows of each label, with the labels renumbered 0..k-1.
template <class T>
struct LabelMeans {
  Matrix<T> centers;                 ///< k x d: row j is the mean of the rows whose label is values[j]
  std::vector<std::int32_t> labels;  ///< each row's label renumbered: the index of its value in `values`
  std::vector<std::int64_t> values;  ///< the k distinct label values, increasing
  std::vector<std::int64_t> counts;  ///< rows per label
};

/// The label means ("centers") of a labeling, e.g. to compute its inertia with
/// centrix::inertia(data, means.centers.view(), means.labels). Sums are taken
/// in double, in row order. Labels are arbitrary integers, one per row; the
/// data must be finite.
template <class T>
LabelMeans<T> centers_from_labels(MatrixView<T> data, std::span<const std::int64_t> labels);
template <class T>
LabelMeans<T> centers_from_labels(MatrixView<T> data, std::span<const std::int32_t> labels);

}  // namespace centrix::metrics
