// Hamerly's assignment (Hamerly 2010, "Making k-means even faster"): each row
// keeps an upper bound on the distance to its center and one lower bound on
// the distance to every other center. A row whose bounds are separated by
// more than half the gap to its center's nearest neighbour, or by its own
// lower bound, cannot change label and is skipped; the others are gathered
// and sent through the same kernel as Lloyd's.
//
// Identical labels to Lloyd: a row is skipped only if its bounds are apart by
// more than twice the rounding error the kernel can make on a squared
// distance, so Lloyd's computed arg-min would pick the same center; rows that
// are not skipped get exactly Lloyd's arithmetic. Each row's distance to its
// own center (for the inertia) is computed in
// double for skipped rows, so those agree with Lloyd's to rounding; it is kept
// and reused, bit for bit, while neither the row's label nor its center
// changes.
#pragma once

#include <limits>
#include <optional>
#include <vector>

#include "kmeans/bounds.hpp"
#include "kmeans/frame.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

template <class T>
class HamerlyStep {
 public:
  HamerlyStep(const DataFrame<T>& frame, const double* weights, int n_threads)
      : frame_(frame), weights_(weights), n_threads_(n_threads) {}

  AssignStats assign(const double* centers, std::size_t k, std::span<std::int32_t> labels);

  /// Goes on with a descent whose last assignment, at `centers`, was not
  /// this step's (Auto runs a new descent's first iteration with Lloyd's
  /// step): no bound is known, so the next assign tightens every row's upper
  /// bound to its exact distance and tests it against half the gap to its
  /// center's nearest other (lower bounds 0), as after its own first
  /// iteration. The per-row bounds are only allocated by that assign.
  void continue_from(const double* centers, std::size_t k);
  /// Frees the per-row bounds (Auto gave Hamerly up).
  void release() noexcept;

  /// Rows sampled by sampled_unsettled_share: every kSampleStride-th.
  static constexpr std::size_t kSampleStride = 64;
  /// The share of rows whose bounds would not settle at `centers` (both of
  /// assign's tests, without the kernel), estimated on every kSampleStride-th
  /// row (loaded one by one where the frame does not hold them); nothing for
  /// a new descent. The next assign with the same centers reuses the center
  /// moves computed here.
  std::optional<double> sampled_unsettled_share(const double* centers, std::size_t k,
                                                std::span<const std::int32_t> labels);

 private:
  /// How far each center moved since the previous call, the two largest
  /// moves, and half the distance from each center to its nearest other.
  struct CenterMoves {
    std::vector<double> move;
    std::vector<double> half_gap;
    double max_move = 0;
    double second_move = 0;
    std::size_t max_mover = 0;
  };
  void prepare(const double* centers, std::size_t k);

  /// Whether row i (label a, squared norm sq_norm in the frame) keeps its
  /// label by its bounds, moved by the centers' moves; if not, tried again
  /// with the upper bound tightened to `own`, its exact squared distance to
  /// its center (then `tightened`).
  struct RowTest {
    bool settled = false;
    bool tightened = false;
    double upper = 0;
    double lower = 0;
  };
  RowTest test_row(double upper, double lower, std::size_t a, double own, T sq_norm, double max_center_sq_norm) const;

  const DataFrame<T>& frame_;
  const double* weights_;
  int n_threads_;
  kernels::ColumnPanel<T> panel_;
  std::vector<double> upper_;     // per row: >= distance to its center
  std::vector<double> lower_;     // per row: <= distance to any other center
  std::vector<double> previous_;  // the centers of the previous call (k x d)
  std::vector<double> own_;       // per row: its exact squared distance to its center at previous_, or NaN
  static constexpr double kUnknownOwn = std::numeric_limits<double>::quiet_NaN();
  CenterMoves moves_;            // from prepare, for the centers of the coming assign
  bool prepared_ = false;        // moves_ already hold the coming assign's centers
  bool bounds_unknown_ = false;  // continue_from: previous_ holds the last centers, upper_ and lower_ are empty
};

static_assert(AssignmentStep<HamerlyStep<float>, float>);
static_assert(AssignmentStep<HamerlyStep<double>, double>);

}  // namespace centrix::detail
