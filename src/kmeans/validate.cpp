#include "kmeans/validate.hpp"

#include <cmath>
#include <string>

#include "centrix/error.hpp"
#include "kernels/row_ops.hpp"

namespace centrix::detail {

namespace {

[[noreturn]] void fail(const std::string& message) {
  throw InvalidArgument(message);
}

std::string str(std::size_t v) {
  return std::to_string(v);
}

}  // namespace

template <class T>
void check_finite(MatrixView<T> m, const char* what) {
  // Fast path: the whole matrix at once when contiguous; the slow loop below only names the culprit.
  if (m.contiguous() && kernels::all_finite(m.row(0), m.rows() * m.cols())) return;
  for (std::size_t i = 0; i < m.rows(); ++i) {
    const T* row = m.row(i);
    for (std::size_t j = 0; j < m.cols(); ++j) {
      if (!std::isfinite(row[j])) {
        fail(std::string(what) + " contains " + (std::isnan(row[j]) ? "NaN" : "infinity") + " at row " + str(i) +
             ", column " + str(j) + " (0-based)");
      }
    }
  }
}

template <class T>
void validate_fit(MatrixView<T> data, const KMeansOptions& options, std::span<const double> sample_weights,
                  bool check_values) {
  if (data.rows() == 0) fail("data has no rows");
  if (data.cols() == 0) fail("data has no columns");
  if (check_values) check_finite(data, "data");
  const std::size_t n = data.rows();
  if (options.n_clusters < 1) fail("k must be at least 1 (got " + std::to_string(options.n_clusters) + ")");
  if (static_cast<std::size_t>(options.n_clusters) > n) {
    fail("k = " + std::to_string(options.n_clusters) + " is larger than the number of rows: n_samples=" + str(n) +
         " should be >= n_clusters=" + std::to_string(options.n_clusters));
  }
  if (options.n_init < 1) fail("n_init must be at least 1 (got " + std::to_string(options.n_init) + ")");
  if (options.max_iter < 1) fail("max_iter must be at least 1 (got " + std::to_string(options.max_iter) + ")");
  if (!(options.tol >= 0) || !std::isfinite(options.tol)) fail("tol must be a finite number >= 0");
  if (options.n_local_trials < 0) fail("n_local_trials must be >= 0");
  if (options.swap_patience < 0) fail("swap_patience must be >= 0 (got " + std::to_string(options.swap_patience) + ")");
  if (options.swap_iter < 1) fail("swap_iter must be at least 1 (got " + std::to_string(options.swap_iter) + ")");
  if (options.max_frames < 0) fail("max_frames must be >= 0 (got " + std::to_string(options.max_frames) + ")");
  if (options.max_swaps < 0) fail("max_swaps must be >= 0 (got " + std::to_string(options.max_swaps) + ")");
  validate_weights(sample_weights, n);
  if (options.init == Init::Given) {
    const std::size_t expected = static_cast<std::size_t>(options.n_clusters) * data.cols();
    if (options.initial_centers.size() != expected) {
      const std::size_t given = options.initial_centers.size();
      fail("initial centers: expected k x d = " + std::to_string(options.n_clusters) + " x " + str(data.cols()) +
           " values, got " + str(given) +
           (given % data.cols() == 0 ? " (" + str(given / data.cols()) + " rows)" : std::string()));
    }
    check_finite(
        MatrixView<double>(options.initial_centers.data(), static_cast<std::size_t>(options.n_clusters), data.cols()),
        "initial centers");
    if (options.metric == Metric::Cosine) {
      for (std::size_t j = 0; j < static_cast<std::size_t>(options.n_clusters); ++j) {
        double norm = 0;
        for (std::size_t t = 0; t < data.cols(); ++t) {
          norm += options.initial_centers[j * data.cols() + t] * options.initial_centers[j * data.cols() + t];
        }
        if (norm <= 0) fail("initial center " + str(j) + " is all zeros: the cosine metric needs non-zero centers");
      }
    }
  }
}

void validate_weights(std::span<const double> sample_weights, std::size_t n, bool allow_all_zero) {
  if (sample_weights.empty()) return;
  if (sample_weights.size() != n) {
    fail("sample weights: " + str(sample_weights.size()) + " values for " + str(n) + " rows");
  }
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = sample_weights[i];
    if (!std::isfinite(w)) fail("sample weight " + str(i) + " (0-based) is NaN or infinite");
    if (w < 0) fail("sample weight " + str(i) + " (0-based) is negative (" + std::to_string(w) + ")");
    total += w;
  }
  if (total <= 0 && !allow_all_zero) fail("sample weights are all zero");
}

void validate_mini_batch_options(const MiniBatchOptions& options) {
  if (options.batch_size < 1) fail("batch_size must be at least 1 (got " + std::to_string(options.batch_size) + ")");
  if (options.init_size < 0) fail("init_size must be >= 0 (got " + std::to_string(options.init_size) + ")");
  if (options.n_init < 0) fail("n_init must be >= 0 (got " + std::to_string(options.n_init) + "; 0 means auto)");
  if (options.max_no_improvement && *options.max_no_improvement < 0) {
    fail("max_no_improvement must be >= 0 (got " + std::to_string(*options.max_no_improvement) + ")");
  }
  if (!(options.reassignment_ratio >= 0) || !std::isfinite(options.reassignment_ratio)) {
    fail("reassignment_ratio must be a finite number >= 0 (got " + std::to_string(options.reassignment_ratio) + ")");
  }
}

template <class T>
void validate_against_centers(MatrixView<T> data, MatrixView<T> centers) {
  if (centers.rows() == 0) fail("no centers given");
  if (data.cols() != centers.cols()) {
    fail("data has " + str(data.cols()) + " columns but the centers have " + str(centers.cols()));
  }
  check_finite(data, "data");
  check_finite(centers, "centers");
}

void validate_labels(std::span<const std::int32_t> labels, std::size_t n, std::size_t k) {
  if (labels.size() != n) fail("labels: " + str(labels.size()) + " values for " + str(n) + " rows");
  for (std::size_t i = 0; i < n; ++i) {
    if (labels[i] < 0 || static_cast<std::size_t>(labels[i]) >= k) {
      fail("label " + std::to_string(labels[i]) + " of row " + str(i) + " is not in [0, " + str(k) + ")");
    }
  }
}

template void check_finite<float>(MatrixView<float>, const char*);
template void check_finite<double>(MatrixView<double>, const char*);
template void validate_fit<float>(MatrixView<float>, const KMeansOptions&, std::span<const double>, bool);
template void validate_fit<double>(MatrixView<double>, const KMeansOptions&, std::span<const double>, bool);
template void validate_against_centers<float>(MatrixView<float>, MatrixView<float>);
template void validate_against_centers<double>(MatrixView<double>, MatrixView<double>);

}  // namespace centrix::detail
