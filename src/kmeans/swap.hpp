// Swap proposals for escaping k-means local optima.
//
// A converged k-means solution is often wrong in a few places: two centers
// share one true cluster while one center covers two true clusters. Lloyd
// cannot fix that, since it never moves a center across a gap. A swap moves
// one center from where it is least useful to where it is most needed; Lloyd
// then settles the neighbourhood, and the swap is kept only if the inertia
// fell. Random choice of the pair (random swap, Fränti 2018) needs thousands
// of trials on k = 100; here the pairs are ranked, as in I-k-means-+
// (Ismkhan 2018), so the first few trials are usually the right ones:
//   - removal cost of center r: the inertia added if r's rows moved to their
//     second-nearest centers and nothing else changed;
//   - split gain of cluster m: its inertia minus that of a local 2-means of
//     its rows.
// A pair (r, m) is ranked by gain(m) - cost(r); pairs where m is the center
// that would absorb r's rows are skipped, since splitting it would only undo
// the removal. This file only proposes; the driver (driver.cpp) runs the
// trials, so the driver loop stays the one place that iterates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/random.hpp"
#include "kmeans/frame.hpp"

namespace centrix::detail {

/// One ranked swap: remove center `remove`, split cluster `split` in two.
struct Swap {
  std::size_t remove = 0;
  std::size_t split = 0;
  double estimated_gain = 0;  ///< split gain minus removal cost, in the frame's squared distance
};

/// Swaps ranked best first, with the split centers they need.
struct SwapPlan {
  std::vector<Swap> ranked;
  std::vector<double> split_centers;  ///< k x 2 x d: the two 2-means centers of each cluster (original coordinates)

  /// The centers after `swap`: center `remove` and center `split` are
  /// replaced by the two halves of cluster `split`.
  [[nodiscard]] std::vector<double> apply(const Swap& swap, const std::vector<double>& centers, std::size_t d) const;
};

/// Ranks up to `max_swaps` swaps for the solution (`centers`, k x d in
/// original coordinates, and the `labels` consistent with them). `seed`
/// fixes the random choices of the local 2-means; the plan does not depend on
/// the thread count.
template <class T>
SwapPlan propose_swaps(const DataFrame<T>& frame, const double* weights, const std::vector<double>& centers,
                       std::span<const std::int32_t> labels, std::size_t max_swaps, std::uint64_t seed, int n_threads);

}  // namespace centrix::detail
