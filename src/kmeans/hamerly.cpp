#include "kmeans/hamerly.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/row_ops.hpp"

namespace centrix::detail {
namespace {

/// Per-thread scratch for the rows of a block that need the kernel.
template <class T>
struct Gathered {
  std::vector<T> rows;
  std::vector<T> sq_norms;
  std::vector<std::size_t> index;  // position in the block
  std::vector<std::int32_t> best;
  std::vector<T> best_dist;
  std::vector<T> second_dist;
};

}  // namespace

template <class T>
AssignStats HamerlyStep<T>::assign(const double* centers, std::size_t k, std::span<std::int32_t> labels,
                                   std::span<T> sq_distances) {
  const std::size_t n = frame_.rows();
  const std::size_t d = frame_.dim();
  frame_.fill_panel(centers, k, panel_);
  const bool cosine = frame_.metric() == Metric::Cosine;
  // Labels of -1 mark a new descent (the driver resets them): no bounds yet.
  const bool fresh = previous_.size() != k * d || upper_.size() != n || labels.empty() || labels[0] < 0;
  if (fresh) {
    upper_.assign(n, 0.0);
    lower_.assign(n, 0.0);
  }

  // How far each center moved, the two largest moves, and half the distance
  // from each center to its nearest other center.
  std::vector<double> move(k, 0.0);
  std::vector<double> half_gap(k, 0.0);
  double max_move = 0;
  double second_move = 0;
  std::size_t max_mover = 0;
  if (!fresh) {
    for (std::size_t j = 0; j < k; ++j) {
      move[j] = std::sqrt(center_sq_distance(centers + j * d, previous_.data() + j * d, d));
      if (move[j] > max_move) {
        second_move = max_move;
        max_move = move[j];
        max_mover = j;
      } else if (move[j] > second_move) {
        second_move = move[j];
      }
    }
#pragma omp parallel for schedule(static) num_threads(threads_for_work(static_cast <double>(k * k * d), n_threads_))
    for (std::size_t j = 0; j < k; ++j) {
      double nearest = std::numeric_limits<double>::infinity();
      for (std::size_t o = 0; o < k; ++o) {
        if (o != j) nearest = std::min(nearest, center_sq_distance(centers + j * d, centers + o * d, d));
      }
      half_gap[j] = 0.5 * std::sqrt(nearest);
    }
  }
  const std::vector<double> frame_centers = centers_in_frame(frame_, centers, k);
  const double max_center_sq_norm = max_sq_norm(panel_);

  const std::size_t n_blocks = frame_.n_blocks();
  BlockTotals totals(n_blocks);
  frame_.for_each_block(
      n_threads_, static_cast<double>(k * d),
      [&](std::size_t b, std::size_t first, std::size_t count, const T* rows, const T* sq_norms) {
        thread_local Gathered<T> g;
        g.rows.resize(count * d);
        g.sq_norms.resize(count);
        g.index.clear();
        std::uint64_t evals = 0;
        double inertia = 0;
        for (std::size_t r = 0; r < count; ++r) {
          const std::size_t i = first + r;
          const T* x = rows + r * d;
          if (!fresh) {
            const auto a = static_cast<std::size_t>(labels[i]);
            const double error = kernel_error_bound<T>(d, static_cast<double>(sq_norms[r]), max_center_sq_norm);
            double upper = upper_[i] + move[a];
            const double lower = lower_[i] - (a == max_mover ? second_move : max_move);
            const double limit = std::max(half_gap[a], lower);
            double own = -1;
            if (!bounds_settle(upper, limit, error)) {
              // Tighten the upper bound to the exact distance and try again.
              own = kernels::sq_distance_to_point(x, frame_centers.data() + a * d, d);
              upper = std::sqrt(own);
              ++evals;
            }
            if (bounds_settle(upper, limit, error)) {
              if (own < 0) own = kernels::sq_distance_to_point(x, frame_centers.data() + a * d, d);
              upper_[i] = upper;
              lower_[i] = lower;
              sq_distances[i] = static_cast<T>(own);
              inertia += weight_of(weights_, i) * inertia_term(own, cosine);
              continue;
            }
          }
          std::copy(x, x + d, g.rows.data() + g.index.size() * d);
          g.sq_norms[g.index.size()] = sq_norms[r];
          g.index.push_back(r);
        }
        const std::size_t m = g.index.size();
        g.best.resize(m);
        g.best_dist.resize(m);
        g.second_dist.resize(m);
        kernels::nearest_columns(g.rows.data(), m, g.sq_norms.data(), panel_, frame_.form(), g.best.data(),
                                 g.best_dist.data(), g.second_dist.data());
        std::int64_t changed = 0;
        for (std::size_t q = 0; q < m; ++q) {
          const std::size_t i = first + g.index[q];
          const double error = kernel_error_bound<T>(d, static_cast<double>(g.sq_norms[q]), max_center_sq_norm);
          changed += labels[i] != g.best[q];
          labels[i] = g.best[q];
          sq_distances[i] = g.best_dist[q];
          upper_[i] = std::sqrt(static_cast<double>(g.best_dist[q]) + error);
          lower_[i] = std::sqrt(std::max(0.0, static_cast<double>(g.second_dist[q]) - error));
          inertia += weight_of(weights_, i) * inertia_term(static_cast<double>(g.best_dist[q]), cosine);
        }
        totals.inertia[b] = inertia;
        totals.changed[b] = changed;
        totals.evals[b] = evals + m * k;
      });
  previous_.assign(centers, centers + k * d);
  return totals.sum();
}

template class HamerlyStep<float>;
template class HamerlyStep<double>;

}  // namespace centrix::detail
