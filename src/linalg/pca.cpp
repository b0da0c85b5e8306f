// Principal component analysis: column means, the covariance matrix in
// double (Eigen's rank updates over fixed groups of row blocks, so that the
// result does not depend on the thread count), then Eigen's
// SelfAdjointEigenSolver. Eigen stays inside this file: the public header
// and the installed package know nothing of it.
#include "centrix/pca.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "centrix/error.hpp"
#include "common/parallel.hpp"
#include "common/random.hpp"
#include "kmeans/validate.hpp"

namespace centrix {

namespace {

std::string str(std::size_t v) {
  return std::to_string(v);
}

template <class T>
void validate(MatrixView<T> data, const PcaOptions& o) {
  if (data.rows() == 0) throw InvalidArgument("data has no rows");
  if (data.cols() == 0) throw InvalidArgument("data has no columns");
  if (o.n_components < 1) throw InvalidArgument("n_components must be at least 1");
  if (o.n_components > data.cols()) {
    throw InvalidArgument("n_components = " + str(o.n_components) + " is larger than the number of columns (" +
                          str(data.cols()) + ")");
  }
  detail::check_finite(data, "data");
}

/// Column means of the chosen rows, in double: per-chunk sums added in chunk order.
template <class T>
std::vector<double> column_means(MatrixView<T> data, const std::vector<std::size_t>& rows, int threads) {
  const std::size_t m = rows.size();
  const std::size_t d = data.cols();
  const std::size_t n_chunks = detail::chunk_count(m, detail::kReductionChunk);
  std::vector<double> partial(n_chunks * d, 0.0);
#pragma omp parallel for schedule(static) num_threads(detail::threads_for_work(static_cast <double>(m * d), threads))
  for (std::size_t c = 0; c < n_chunks; ++c) {
    double* sum = &partial[c * d];
    const std::size_t end = std::min(m, (c + 1) * detail::kReductionChunk);
    for (std::size_t r = c * detail::kReductionChunk; r < end; ++r) {
      const T* x = data.row(rows[r]);
      for (std::size_t t = 0; t < d; ++t) sum[t] += static_cast<double>(x[t]);
    }
  }
  std::vector<double> mean(d, 0.0);
  for (std::size_t c = 0; c < n_chunks; ++c) {
    for (std::size_t t = 0; t < d; ++t) mean[t] += partial[c * d + t];
  }
  for (double& v : mean) v /= static_cast<double>(m);
  return mean;
}

/// Rows per block of the covariance: Eigen multiplies each block of centered rows by its transpose.
constexpr std::size_t kCovarianceBlock = 512;
/// Partial covariance matrices summed at the end, each over a fixed range of blocks. The count depends only
/// on the problem (never on the thread count), so the sums are added in the same order on any machine.
constexpr std::size_t kCovarianceGroups = 8;
/// Memory the partial matrices may take; fewer groups (less parallelism) beyond it.
constexpr std::size_t kCovarianceBytes = std::size_t{256} << 20;

/// The covariance matrix (d x d, both triangles, divisor m - 1; zero if m = 1) of the chosen rows: the
/// rank updates of Eigen (its blocked, vectorised matrix product) over blocks of centered rows, in double.
template <class T>
std::vector<double> covariance(MatrixView<T> data, const std::vector<std::size_t>& rows,
                               const std::vector<double>& mean, int threads) {
  const std::size_t m = rows.size();
  const std::size_t d = data.cols();
  const auto dim = static_cast<Eigen::Index>(d);
  const std::size_t n_blocks = detail::chunk_count(m, kCovarianceBlock);
  const std::size_t by_memory = std::max<std::size_t>(1, kCovarianceBytes / (d * d * sizeof(double)));
  const std::size_t groups = std::min({n_blocks, kCovarianceGroups, by_memory});
  std::vector<Eigen::MatrixXd> partial(groups);
  const int team = std::min(static_cast<int>(groups),
                            detail::threads_for_work(static_cast<double>(m) * static_cast<double>(d * d) / 2, threads));
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (std::size_t g = 0; g < groups; ++g) {
    Eigen::MatrixXd& sum = partial[g];
    sum.setZero(dim, dim);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> block(
        static_cast<Eigen::Index>(kCovarianceBlock), dim);
    for (std::size_t b = g * n_blocks / groups; b < (g + 1) * n_blocks / groups; ++b) {
      const std::size_t first = b * kCovarianceBlock;
      const std::size_t count = std::min(kCovarianceBlock, m - first);
      for (std::size_t r = 0; r < count; ++r) {
        const T* x = data.row(rows[first + r]);
        for (std::size_t t = 0; t < d; ++t) {
          block(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(t)) = static_cast<double>(x[t]) - mean[t];
        }
      }
      sum.selfadjointView<Eigen::Lower>().rankUpdate(block.topRows(static_cast<Eigen::Index>(count)).transpose());
    }
  }
  std::vector<double> cov(d * d, 0.0);
  if (m > 1) {
    Eigen::MatrixXd total = Eigen::MatrixXd::Zero(dim, dim);
    for (const Eigen::MatrixXd& p : partial) total += p;  // in group order
    const double scale = 1.0 / static_cast<double>(m - 1);
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t j = 0; j <= i; ++j) {
        const double v = total(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * scale;
        cov[i * d + j] = v;
        cov[j * d + i] = v;
      }
    }
  }
  return cov;
}

/// The largest-magnitude loading positive (ties: the first), as scikit-learn's svd_flip on the components.
/// Magnitudes within a relative 1e-12 count as ties, so that rounding in the solver cannot choose the sign
/// of a component whose leading loadings are equal in exact arithmetic.
void orient(double* component, std::size_t d) {
  constexpr double kTie = 1 + 1e-12;
  std::size_t largest = 0;
  for (std::size_t t = 1; t < d; ++t) {
    if (std::abs(component[t]) > std::abs(component[largest]) * kTie) largest = t;
  }
  if (component[largest] < 0) {
    for (std::size_t t = 0; t < d; ++t) component[t] = -component[t];
  }
}

}  // namespace

template <class T>
Pca pca(MatrixView<T> data, const PcaOptions& o) {
  validate(data, o);
  const std::size_t d = data.cols();
  const int threads = detail::resolve_threads(o.n_threads);
  const std::vector<std::size_t> rows =
      detail::uniform_sample(data.rows(), o.max_rows > 0 ? o.max_rows : data.rows(), o.seed);

  Pca result;
  result.mean = column_means(data, rows, threads);
  const std::vector<double> cov = covariance(data, rows, result.mean, threads);

  // Eigen::Map reads the row-major matrix as column-major, i.e. transposed: the same symmetric matrix.
  const Eigen::Map<const Eigen::MatrixXd> matrix(cov.data(), static_cast<Eigen::Index>(d),
                                                 static_cast<Eigen::Index>(d));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(matrix, Eigen::ComputeEigenvectors);
  if (solver.info() != Eigen::Success) throw Error("pca: the eigenvalue solver did not converge");
  const Eigen::VectorXd& values = solver.eigenvalues();  // ascending
  const Eigen::MatrixXd& vectors = solver.eigenvectors();

  // Decreasing variance; equal eigenvalues keep the solver's order, so a zero matrix gives the unit vectors.
  std::vector<Eigen::Index> order(d);
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return values[a] > values[b]; });

  double trace = 0;
  for (std::size_t t = 0; t < d; ++t) trace += cov[t * d + t];
  const std::size_t k = o.n_components;
  result.components = Matrix<double>(k, d);
  for (std::size_t c = 0; c < k; ++c) {
    const Eigen::Index e = order[c];
    double* component = result.components.row(c);
    for (std::size_t t = 0; t < d; ++t) component[t] = vectors(static_cast<Eigen::Index>(t), e);
    orient(component, d);
    // A covariance matrix has no negative eigenvalues: a tiny negative one is rounding.
    const double variance = std::max(0.0, values[e]);
    result.explained_variance.push_back(variance);
    result.explained_variance_ratio.push_back(trace > 0 ? variance / trace : 0.0);
  }
  return result;
}

template <class T>
Matrix<double> Pca::transform(MatrixView<T> data) const {
  const std::size_t d = mean.size();
  const std::size_t k = components.rows;
  if (k == 0 || d == 0) throw InvalidArgument("pca: transform before fitting");
  if (data.cols() != d) {
    throw InvalidArgument("pca: data has " + str(data.cols()) + " columns, the fit had " + str(d));
  }
  detail::check_finite(data, "data");
  const std::size_t n = data.rows();
  Matrix<double> out(n, k);
  const int team = detail::threads_for_work(static_cast<double>(n * d * k), detail::resolve_threads(0));
  // Each dot product is summed in kLanes interleaved partial sums, added in a fixed order at the end: the
  // compiler may vectorise them, and a row's coordinates do not depend on the threads.
  constexpr std::size_t kLanes = 8;
#pragma omp parallel num_threads(team)
  {
    std::vector<double> centered(d);
#pragma omp for schedule(static)
    for (std::size_t i = 0; i < n; ++i) {
      const T* x = data.row(i);
      for (std::size_t t = 0; t < d; ++t) centered[t] = static_cast<double>(x[t]) - mean[t];
      for (std::size_t c = 0; c < k; ++c) {
        const double* w = components.row(c);
        double lanes[kLanes] = {};
        std::size_t t = 0;
        for (; t + kLanes <= d; t += kLanes) {
#pragma omp simd
          for (std::size_t l = 0; l < kLanes; ++l) lanes[l] += centered[t + l] * w[t + l];
        }
        for (std::size_t l = 0; t < d; ++t, ++l) lanes[l] += centered[t] * w[t];
        double dot = 0;
        for (double lane : lanes) dot += lane;
        out(i, c) = dot;
      }
    }
  }
  return out;
}

template Pca pca<float>(MatrixView<float>, const PcaOptions&);
template Pca pca<double>(MatrixView<double>, const PcaOptions&);
template Matrix<double> Pca::transform<float>(MatrixView<float>) const;
template Matrix<double> Pca::transform<double>(MatrixView<double>) const;

}  // namespace centrix
