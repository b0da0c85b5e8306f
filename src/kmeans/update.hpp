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
/// assignment runs: as a DataFrame::BlockSink it adds each block's rows to the
/// sums of the block's group right after the block is assigned, while the rows
/// are in cache, so an iteration reads the data once. The groups are fixed by
/// the frame and each is filled by one thread in row order, so the totals are
/// bitwise the same whatever the thread count and whichever algorithm assigned.
template <class T>
class CenterSums final : public DataFrame<T>::BlockSink {
 public:
  CenterSums(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels, std::size_t k);

  /// Prepares for the next assignment (groups keep their sums until one of
  /// their blocks gets new labels).
  void clear();
  void block_done(std::size_t group, std::size_t first, std::size_t count) const override;
  /// The groups' sums added in group order: k x d sums (in original
  /// coordinates; of unit rows for cosine) and k weights.
  void totals(std::vector<double>& sums, std::vector<double>& weights) const;

 private:
  const DataFrame<T>& frame_;
  const double* weights_;
  std::span<const std::int32_t> labels_;
  std::size_t k_;
  mutable std::vector<double> sums_;    // groups x k x d
  mutable std::vector<double> weight_;  // groups x k
  /// A cluster whose rows in a group keep their labels keeps its sum there:
  /// it would come out bitwise the same. A cluster that loses or gains a row
  /// in a block is summed again in that group, from the group's first block
  /// (the blocks before are recent, in cache), its rows only. Once a fit
  /// settles most iterations skip the center sums (mojo-table: a quarter of
  /// an iteration; 100000 x 64 at k = 256 from a k-means++ start, 40 Hamerly
  /// iterations: 3.1 -> 2.3 ms per iteration, where groups were many blocks),
  /// and the few rows that still move bring only their clusters' rows back.
  mutable std::vector<char> visited_;                // per group: its dirty_ flags are this assignment's
  mutable std::vector<char> dirty_;                  // groups x k: summed again in this assignment
  mutable std::vector<char> fresh_;                  // groups x k: just found dirty (scratch of block_done)
  mutable std::vector<std::size_t> n_dirty_;         // per group: how many of dirty_ are set
  mutable std::vector<std::int32_t> summed_labels_;  // the labels the groups' sums hold (-1: none)

  /// Adds the rows in [first, first + count) whose cluster j has clusters[j]
  /// set (every row if `clusters` is null) to their clusters' sums in `group`.
  void add_block(std::size_t group, std::size_t first, std::size_t count, const char* clusters) const;
  template <bool Picked>
  void add_rows(std::size_t group, std::size_t first, std::size_t count, const char* clusters) const;
};

/// Turns each cluster's sum and weight (CenterSums::totals) into the updated
/// k x d centers (original coordinates; unit length for cosine), written to
/// `new_centers`; returns how many clusters were empty and moved.
/// `sq_distances` are the rows' distances to their assigned old centers.
template <class T>
int update_centers(const DataFrame<T>& frame, const double* weights, std::span<const std::int32_t> labels,
                   std::span<const T> sq_distances, std::size_t k, const double* old_centers, double* new_centers,
                   std::vector<double> sums, std::vector<double> cluster_weight);

}  // namespace centrix::detail
