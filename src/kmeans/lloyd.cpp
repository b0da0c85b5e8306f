#include "kmeans/lloyd.hpp"

#include <vector>

namespace centrix::detail {

template <class T>
AssignStats LloydStep<T>::assign(const double* centers, std::size_t k, std::span<std::int32_t> labels,
                                 std::span<T> sq_distances) {
  frame_.fill_panel(centers, k, panel_);
  const bool cosine = frame_.metric() == Metric::Cosine;
  BlockTotals totals(frame_.n_blocks());
  // Few centers: the rows in the vector lanes (nearest.hpp), same bits, on
  // held rows (tiles of rows in place are k-means++'s; see LaneTiles).
  const T* tiles = k <= kernels::kLaneMaxColumns && frame_.held() ? frame_.lane_tiles() : nullptr;
  const std::size_t d = frame_.dim();
  frame_.for_each_block(
      n_threads_, static_cast<double>(k * d),
      [&](std::size_t b, std::size_t first, std::size_t count, const T* rows, const T* sq_norms) {
        thread_local std::vector<std::int32_t> nearest;
        nearest.resize(count);
        if (tiles != nullptr) {
          kernels::nearest_columns_in_lanes(tiles + first * d, count, sq_norms, panel_, frame_.form(), nearest.data(),
                                            sq_distances.data() + first);
        } else {
          kernels::nearest_columns(rows, count, sq_norms, panel_, frame_.form(), nearest.data(),
                                   sq_distances.data() + first);
        }
        double inertia = 0;
        std::int64_t changed = 0;
        for (std::size_t r = 0; r < count; ++r) {
          changed += labels[first + r] != nearest[r];
          labels[first + r] = nearest[r];
          inertia +=
              weight_of(weights_, first + r) * inertia_term(static_cast<double>(sq_distances[first + r]), cosine);
        }
        totals.inertia[b] = inertia;
        totals.changed[b] = changed;
        totals.evals[b] = count * k;
      },
      /*even_work=*/true, /*need_rows=*/tiles == nullptr);
  return totals.sum();
}

template class LloydStep<float>;
template class LloydStep<double>;

}  // namespace centrix::detail
