// Principal component analysis, for drawing high-dimensional data in 2-D or
// 3-D (the pictures of `centrix fit --plot/--report` and centrix.plot).
//
// The covariance matrix (of all rows, or of a uniform sample of them) is
// formed in double and decomposed with Eigen's SelfAdjointEigenSolver; the
// components come out in decreasing order of variance, and each is signed so
// that its largest-magnitude loading is positive (scikit-learn's convention),
// which makes the result deterministic: bitwise the same for any thread count
// (CPUs with and without fused multiply-add may differ in the last bits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix {

/// Options of pca().
struct PcaOptions {
  std::size_t n_components = 2;  ///< components to keep (1 <= n_components <= number of columns)
  std::size_t max_rows = 0;      ///< fit on a uniform sample of this many rows; 0 uses every row
  std::uint64_t seed = 0;        ///< fixes that sample
  int n_threads = 0;             ///< OpenMP threads; 0 uses all available. The result does not depend on it
};

/// A fitted projection.
struct Pca {
  std::vector<double> mean;                      ///< d column means of the rows fitted on
  Matrix<double> components;                     ///< n_components x d, orthonormal rows, by decreasing variance
  std::vector<double> explained_variance;        ///< variance along each component (divisor rows fitted - 1)
  std::vector<double> explained_variance_ratio;  ///< that variance over the total variance (0 if that is 0)

  /// The rows of `data` (d columns) in component coordinates, (x - mean) . components^T in double:
  /// n x n_components. Runs on all available threads; the result does not depend on them. Throws
  /// InvalidArgument for another column count or non-finite values.
  template <class T>
  [[nodiscard]] Matrix<double> transform(MatrixView<T> data) const;
};

/// Fits a PCA of the rows of `data` (float or double; computed in double).
/// Throws InvalidArgument for empty data, non-finite values (naming the row
/// and column) or a component count of 0 or more than the columns. A single
/// row has zero variance: every explained variance and ratio is 0.
template <class T>
Pca pca(MatrixView<T> data, const PcaOptions& options = {});

}  // namespace centrix
