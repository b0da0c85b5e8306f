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
// Both filters also use the centers' distances to each other, as Elkan and
// Hamerly do: a row whose distance to its center is below half the distance
// from that center to every center of a group cannot move to that group.
//
// Elkan's algorithm (Elkan, ICML 2003) is the case of one center per group:
// a lower bound per row and center (n x k floats; refused above 2 GiB).
//
// Memory: one float bound per row and group on top of one double; Yinyang
// has ceil(k / 32) groups (keops-large: 32 groups, 128 bytes per row).
#pragma once

#include <vector>

#include "kmeans/bounds.hpp"
#include "kmeans/frame.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

template <class T>
class YinyangStep {
 public:
  /// About this many centers per group for Yinyang (the paper suggests k / 10
  /// groups; fewer groups keep the per-row bounds small while the panel runs
  /// stay long).
  static constexpr std::size_t kYinyangGroupSize = 32;
  /// Elkan's bounds, n x k floats, are refused beyond this many bytes.
  static constexpr std::size_t kElkanMaxBoundBytes = std::size_t{2} << 30;

  /// `centers_per_group`: kYinyangGroupSize for Yinyang, 1 for Elkan.
  YinyangStep(const DataFrame<T>& frame, const double* weights, int n_threads, std::size_t centers_per_group)
      : frame_(frame), weights_(weights), n_threads_(n_threads), centers_per_group_(centers_per_group) {}

  AssignStats assign(const double* centers, std::size_t k, std::span<std::int32_t> labels);

 private:
  /// Groups the centers (k-means on the centers, in double) and orders the panel by group.
  void regroup(const double* centers, std::size_t k);

  const DataFrame<T>& frame_;
  const double* weights_;
  int n_threads_;
  std::size_t centers_per_group_;
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
