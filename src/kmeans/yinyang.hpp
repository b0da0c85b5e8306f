// Yinyang k-means (Ding, Zhao, Shen, Musuvathi & Mytkowicz, ICML 2015): the
// centers are split once per descent into groups (by k-means on the
// centers), and each row keeps an upper bound on the distance to its center
// and one lower bound per group. A row whose upper bound is below every
// group's bound is skipped (global filter); otherwise only the groups whose
// bound it fails are computed (group filter), always with the group of its
// current center.
//
// The panel holds the centers in group order, so a group is a run of
// columns, and kernels::row_distances gives bitwise the values Lloyd's
// kernel compares. With the rounding margins of Hamerly's step
// (kernel_error_bound, bounds_settle) the labels are identical to Lloyd's;
// ties go to the lowest center index, as in Lloyd.
//
// Memory: one float bound per row and group on top of Hamerly's two
// doubles; there are ceil(k / kCentersPerGroup) groups (keops-large:
// 32 groups, 128 bytes per row).
#pragma once

#include <vector>

#include "kmeans/frame.hpp"
#include "kmeans/hamerly.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

template <class T>
class YinyangStep {
 public:
  /// About this many centers per group (the paper suggests k / 10 groups; fewer
  /// groups keep the per-row bounds small while the panel runs stay long).
  static constexpr std::size_t kCentersPerGroup = 32;

  YinyangStep(const DataFrame<T>& frame, const double* weights, int n_threads)
      : frame_(frame), weights_(weights), n_threads_(n_threads) {}

  AssignStats assign(const double* centers, std::size_t k, std::span<std::int32_t> labels, std::span<T> sq_distances);

 private:
  /// Groups the centers (k-means on the centers, in double) and orders the panel by group.
  void regroup(const double* centers, std::size_t k);

  const DataFrame<T>& frame_;
  const double* weights_;
  int n_threads_;
  kernels::ColumnPanel<T> panel_;         // centers in group order
  std::vector<std::int32_t> center_at_;   // panel column -> center
  std::vector<std::int32_t> group_of_;    // center -> group
  std::vector<std::size_t> group_start_;  // group -> first panel column; back() = k
  std::vector<double> upper_;             // per row: >= distance to its center
  std::vector<float> lower_;              // per row and group: <= distance to any center of the group but its own
  std::vector<double> previous_;          // the centers of the previous call
};

static_assert(AssignmentStep<YinyangStep<float>, float>);
static_assert(AssignmentStep<YinyangStep<double>, double>);

}  // namespace centrix::detail
