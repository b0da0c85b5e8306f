// The contract every assignment algorithm meets (after mlpack's k-means
// steps): given the current centers, give each row its nearest center and
// that squared distance, and report the assignment's inertia. Lloyd does it
// by brute force; Elkan, Hamerly and Yinyang keep bounds to skip distances,
// but must produce identical labels. The driver (driver.cpp) owns everything
// else: initialisation, the center update, empty clusters and convergence.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace centrix::detail {

/// What one assignment pass reports.
struct AssignStats {
  double inertia = 0;                ///< sum of w * distance for the new labels (see Metric)
  std::int64_t n_changed = 0;        ///< rows whose label changed
  std::uint64_t distance_evals = 0;  ///< row-center distances actually computed
};

/// An assignment step: `centers` are k x d in original coordinates (double);
/// `labels` holds the previous labels (or -1) and receives the new ones. No
/// per-row distances come back: the driver needs them only for empty
/// clusters (update_centers computes them then), and 1M rows' would take as
/// much memory as the labels.
template <class S, class T>
concept AssignmentStep = requires(S& step, const double* centers, std::size_t k, std::span<std::int32_t> labels) {
  { step.assign(centers, k, labels) } -> std::same_as<AssignStats>;
};

/// Each block's share of AssignStats, written by whichever thread ran the
/// block and summed in block order: the totals do not depend on the thread
/// count.
struct BlockTotals {
  explicit BlockTotals(std::size_t n_blocks) : inertia(n_blocks, 0.0), changed(n_blocks, 0), evals(n_blocks, 0) {}
  std::vector<double> inertia;
  std::vector<std::int64_t> changed;
  std::vector<std::uint64_t> evals;

  [[nodiscard]] AssignStats sum() const {
    AssignStats stats;
    for (std::size_t b = 0; b < inertia.size(); ++b) {
      stats.inertia += inertia[b];
      stats.n_changed += changed[b];
      stats.distance_evals += evals[b];
    }
    return stats;
  }
};

/// The weight of row i: 1 when no weights were given.
inline double weight_of(const double* weights, std::size_t i) noexcept {
  return weights ? weights[i] : 1.0;
}

/// Inertia contribution of a squared frame distance: ||x-c||^2 for Euclidean;
/// 1 - cos = chord^2 / 2 for cosine.
inline double inertia_term(double sq_distance, bool cosine) noexcept {
  return cosine ? 0.5 * sq_distance : sq_distance;
}

}  // namespace centrix::detail
