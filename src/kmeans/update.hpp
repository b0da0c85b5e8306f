// The center update shared by every assignment algorithm: each center becomes
// the weighted mean of its rows (sums in double). A cluster left without
// weight is moved onto the row farthest from its center, as scikit-learn does,
// in a fixed order so the result is deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kmeans/frame.hpp"

namespace centrix::detail {

/// Each cluster's sum of (weighted) rows, and its weight, gathered while an
/// assignment runs: as a DataFrame::BlockSink it updates the sums of each
/// block's group right after the block is assigned, while the rows are in
/// cache, so an iteration reads the data at most once. The groups are fixed
/// by the frame and each is updated by one thread in row order, so the totals
/// are bitwise the same whatever the thread count and whichever algorithm
/// assigned (they all give the same labels).
///
/// A group's sums are updated by the rows that changed cluster: each is taken
/// from its old cluster's sums and added to its new one's, so an iteration in
/// which few rows move costs only those rows (after the first few iterations,
/// most; the full pass was a fifth of a Lloyd iteration on 5000 x 26, k = 26).
/// Which rows moved it learns from each block's labels as they were before
/// the step changed them (block_begin): no copy of all the labels is kept.
/// A group is summed whole instead when a quarter of its first block's rows
/// or more moved, and once its moved rows add up to its row count, so that
/// the rounding of the additions and removals never builds up beyond that of
/// a few passes; and always where the positive weights span more than
/// kMaxWeightRatio. A cluster left with no row of positive weight has its
/// sums set to exactly 0, so empty clusters are found exactly.
template <class T>
class CenterSums final : public DataFrame<T>::BlockSink {
 public:
  CenterSums(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels, std::size_t k);

  /// Prepares for the next assignment: decides which groups must be summed whole.
  void clear();
  /// Notes the block's labels before the assignment changes them: the labels its group's sums hold.
  void block_begin(std::size_t group, std::size_t first, std::size_t count) const override;
  void block_done(std::size_t group, std::size_t first, std::size_t count) const override;
  /// The groups' sums added in group order: k x d sums (in original
  /// coordinates; of unit rows for cosine) and k weights.
  void totals(std::vector<double>& sums, std::vector<double>& weights) const;

 private:
  const DataFrame<T>& frame_;
  const double* weights_;
  std::span<const std::int32_t> labels_;
  std::size_t k_;
  mutable std::vector<double> sums_;           // groups x k x d
  mutable std::vector<double> weight_;         // groups x k
  mutable std::vector<std::int64_t> members_;  // groups x k: rows of positive weight
  mutable std::vector<std::size_t> moved_;     // per group: rows that changed cluster in this assignment
  std::vector<std::size_t> drift_;             // per group: rows moved by updates since it was summed whole
  mutable std::vector<char> whole_;            // per group: summed whole in this assignment
  std::vector<char> forced_whole_;             // per group: summed whole whatever moves (drift, weights)
  bool updates_ = true;                        // false: every group summed whole every time
  /// Above this ratio of the largest to the smallest positive weight the sums are never updated.
  static constexpr double kMaxWeightRatio = 1e6;

  [[nodiscard]] std::size_t group_rows(std::size_t group) const noexcept;
  /// Adds `sign` (+1 or -1) times each listed row (its position in the block
  /// at `first`; every one of the `count` rows if `listed` is null) to the
  /// sums of its cluster, clusters[position], in `group`.
  void add_rows(std::size_t group, std::size_t first, std::size_t count, const std::size_t* listed, std::size_t m,
                const std::int32_t* clusters, double sign) const;
};

/// Each of `count` rows' exact distance to its labelled center, in double,
/// from the row as given (no expanded form): squared Euclidean, or 1 - cos for
/// cosine. `rows` is the first row (`stride` apart), `centers` k x d in
/// original coordinates (unit length for cosine). The inertia's terms, unweighted.
template <class T>
void distances_to_labelled(const T* rows, std::size_t stride, std::size_t count, Metric metric, const double* centers,
                           const std::int32_t* labels, std::size_t d, double* out);

/// Turns each cluster's sum and weight (CenterSums::totals) into the updated
/// k x d centers (original coordinates; unit length for cosine), written to
/// `new_centers`; returns how many clusters were empty and moved. The rows
/// they take are found by their distances to their labelled `old_centers`,
/// computed only when a cluster is empty (one pass over the data).
template <class T>
int update_centers(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels,
                   std::size_t k, const double* old_centers, double* new_centers, std::vector<double> sums,
                   std::vector<double> cluster_weight, int n_threads);

}  // namespace centrix::detail
