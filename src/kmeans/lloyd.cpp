#include "kmeans/lloyd.hpp"

#include <vector>

namespace centrix::detail {

template <class T>
AssignStats LloydStep<T>::assign(const double* centers, std::size_t k, std::span<std::int32_t> labels,
                                 std::span<T> sq_distances) {
  frame_.fill_panel(centers, k, panel_);
  const std::size_t n_blocks = frame_.n_blocks();
  const bool cosine = frame_.metric() == Metric::Cosine;
  // One slot per block, summed in block order: the result does not depend on the thread count.
  std::vector<double> block_inertia(n_blocks, 0.0);
  std::vector<std::int64_t> block_changed(n_blocks, 0);
  frame_.for_each_block(n_threads_, static_cast<double>(k * frame_.dim()),
                        [&](std::size_t b, std::size_t first, std::size_t count, const T* rows, const T* sq_norms) {
                          thread_local std::vector<std::int32_t> nearest;
                          nearest.resize(count);
                          kernels::nearest_columns(rows, count, sq_norms, panel_, frame_.form(), nearest.data(),
                                                   sq_distances.data() + first);
                          double inertia = 0;
                          std::int64_t changed = 0;
                          for (std::size_t r = 0; r < count; ++r) {
                            changed += labels[first + r] != nearest[r];
                            labels[first + r] = nearest[r];
                            inertia += weight_of(weights_, first + r) *
                                       inertia_term(static_cast<double>(sq_distances[first + r]), cosine);
                          }
                          block_inertia[b] = inertia;
                          block_changed[b] = changed;
                        });
  AssignStats stats;
  for (std::size_t b = 0; b < n_blocks; ++b) {
    stats.inertia += block_inertia[b];
    stats.n_changed += block_changed[b];
  }
  stats.distance_evals = static_cast<std::uint64_t>(frame_.rows()) * k;
  return stats;
}

template class LloydStep<float>;
template class LloydStep<double>;

}  // namespace centrix::detail
