#include "kmeans/hamerly.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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
  std::vector<double> own;  // each row's exact squared distance to its labelled center
};

}  // namespace

template <class T>
AssignStats HamerlyStep<T>::assign(const double* centers, std::size_t k, std::span<std::int32_t> labels) {
  const std::size_t n = frame_.rows();
  const std::size_t d = frame_.dim();
  frame_.fill_panel(centers, k, panel_);
  const bool cosine = frame_.metric() == Metric::Cosine;
  // Labels of -1 mark a new descent (the driver resets them): no bounds yet.
  const bool fresh =
      previous_.size() != k * d || (upper_.size() != n && !bounds_unknown_) || labels.empty() || labels[0] < 0;
  if (fresh || bounds_unknown_) {
    // Unknown upper bounds are infinite: test_row tightens each to the row's exact distance.
    upper_.assign(n, fresh ? 0.0 : std::numeric_limits<double>::infinity());
    lower_.assign(n, 0.0);
  }
  bounds_unknown_ = false;

  if (!fresh && !prepared_) prepare(centers, k);
  prepared_ = false;
  // A row whose exact distance to its center is known from the previous call, at a center that has not
  // moved since (bitwise the same), has that distance again: it is reused instead of computed. Once the
  // labels settle most centers stay put, and every row's distance had been read again from its row.
  if (fresh || own_.size() != n) own_.assign(fresh ? 0 : n, kUnknownOwn);
  std::vector<char> center_stayed(k, 0);
  if (!fresh) {
    for (std::size_t j = 0; j < k; ++j) {
      center_stayed[j] = std::equal(centers + j * d, centers + (j + 1) * d, previous_.data() + j * d);
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
        if (!fresh) {
          // Every row needs its exact distance to its own center: settled rows
          // for their distance and inertia, the others for the tightened test.
          // Those not known from the previous call are computed, run by run of
          // consecutive rows, four rows at a time, bitwise one by one (one by
          // one, the add chains waited on each other: mid from a k-means++
          // start spent a quarter of its time there).
          g.own.resize(count);
          const auto known = [&](std::size_t r) {
            return center_stayed[static_cast<std::size_t>(labels[first + r])] && !std::isnan(own_[first + r]);
          };
          for (std::size_t r = 0; r < count;) {
            if (known(r)) {
              g.own[r] = own_[first + r];
              ++r;
              continue;
            }
            std::size_t end = r + 1;
            while (end < count && !known(end)) ++end;
            kernels::sq_distances_to_labelled(rows + r * d, d, end - r, frame_centers.data(), labels.data() + first + r,
                                              d, g.own.data() + r);
            r = end;
          }
        }
        for (std::size_t r = 0; r < count; ++r) {
          const std::size_t i = first + r;
          if (!fresh) {
            const auto a = static_cast<std::size_t>(labels[i]);
            const RowTest test = test_row(upper_[i], lower_[i], a, g.own[r], sq_norms[r], max_center_sq_norm);
            evals += test.tightened;
            own_[i] = g.own[r];  // still its center's after the kernel if the label stays
            if (test.settled) {
              upper_[i] = test.upper;
              lower_[i] = test.lower;
              inertia += weight_of(weights_, i) * inertia_term(g.own[r], cosine);
              continue;
            }
          }
          g.index.push_back(r);
        }
        const std::size_t m = g.index.size();
        g.best.resize(m);
        g.best_dist.resize(m);
        g.second_dist.resize(m);
        // The rows the bounds did not settle, gathered; all of the block's
        // (a new descent, or nothing settled) are passed as they are.
        const T* kernel_rows = rows;
        const T* kernel_norms = sq_norms;
        if (m < count) {
          for (std::size_t q = 0; q < m; ++q) {
            std::copy(rows + g.index[q] * d, rows + (g.index[q] + 1) * d, g.rows.data() + q * d);
            g.sq_norms[q] = sq_norms[g.index[q]];
          }
          kernel_rows = g.rows.data();
          kernel_norms = g.sq_norms.data();
        }
        // A new descent asks for no runner-up: its rows start with a lower bound of 0, which leaves them to
        // the test against half the gap to the nearest other center, and the assignment is Lloyd's (on AMX
        // the filter's, which pays without runner-ups: mid from a k-means++ start, a one-iteration Hamerly
        // fit, 24.3 -> 20.3 ms).
        kernels::nearest_columns(kernel_rows, m, kernel_norms, panel_, frame_.form(), g.best.data(), g.best_dist.data(),
                                 fresh ? nullptr : g.second_dist.data());
        std::int64_t changed = 0;
        for (std::size_t q = 0; q < m; ++q) {
          const std::size_t i = first + g.index[q];
          const double error = kernel_error_bound<T>(d, static_cast<double>(kernel_norms[q]), max_center_sq_norm);
          changed += labels[i] != g.best[q];
          // A new label's center moves with the row's joining it, but not for a row of weight 0.
          if (!fresh && labels[i] != g.best[q]) own_[i] = kUnknownOwn;
          labels[i] = g.best[q];
          upper_[i] = std::sqrt(static_cast<double>(g.best_dist[q]) + error);
          lower_[i] = fresh ? 0.0 : std::sqrt(std::max(0.0, static_cast<double>(g.second_dist[q]) - error));
          inertia += weight_of(weights_, i) * inertia_term(static_cast<double>(g.best_dist[q]), cosine);
        }
        totals.inertia[b] = inertia;
        totals.changed[b] = changed;
        totals.evals[b] = evals + m * k;
      });
  previous_.assign(centers, centers + k * d);
  return totals.sum();
}

template <class T>
void HamerlyStep<T>::prepare(const double* centers, std::size_t k) {
  // How far each center moved, the two largest moves, and half the distance
  // from each center to its nearest other center.
  const std::size_t d = frame_.dim();
  CenterMoves& m = moves_;
  m.move.assign(k, 0.0);
  m.half_gap.assign(k, 0.0);
  m.max_move = 0;
  m.second_move = 0;
  m.max_mover = 0;
  for (std::size_t j = 0; j < k; ++j) {
    m.move[j] = std::sqrt(center_sq_distance(centers + j * d, previous_.data() + j * d, d));
    if (m.move[j] > m.max_move) {
      m.second_move = m.max_move;
      m.max_move = m.move[j];
      m.max_mover = j;
    } else if (m.move[j] > m.second_move) {
      m.second_move = m.move[j];
    }
  }
  // Each pair once (the distance is bitwise symmetric), its distance going to both centers' minima: each
  // thread keeps its own minima, which are then combined (a minimum does not depend on the order). Half
  // the work of every center against every other (mid, k = 256: 8% of an iteration of auto).
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  std::vector<double> nearest(k, kInfinity);
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(k * k * d) / 2, n_threads_))
  {
    std::vector<double> mine(k, kInfinity);
    // Rows get shorter as j grows: dealt out one at a time, the threads' shares come out even.
#pragma omp for schedule(static, 1) nowait
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t o = j + 1; o < k; ++o) {
        const double gap = center_sq_distance(centers + j * d, centers + o * d, d);
        mine[j] = std::min(mine[j], gap);
        mine[o] = std::min(mine[o], gap);
      }
    }
#pragma omp critical
    for (std::size_t j = 0; j < k; ++j) nearest[j] = std::min(nearest[j], mine[j]);
  }
  for (std::size_t j = 0; j < k; ++j) m.half_gap[j] = 0.5 * std::sqrt(nearest[j]);
  prepared_ = true;
}

template <class T>
void HamerlyStep<T>::continue_from(const double* centers, std::size_t k) {
  previous_.assign(centers, centers + k * frame_.dim());
  release();
  bounds_unknown_ = true;
  prepared_ = false;
}

template <class T>
void HamerlyStep<T>::release() noexcept {
  // New vectors, not `= {}`, which would keep the capacity.
  upper_ = std::vector<double>();
  lower_ = std::vector<double>();
  own_ = std::vector<double>();
  bounds_unknown_ = false;
}

template <class T>
typename HamerlyStep<T>::RowTest HamerlyStep<T>::test_row(double upper, double lower, std::size_t a, double own,
                                                          T sq_norm, double max_center_sq_norm) const {
  const std::size_t d = frame_.dim();
  const double error = kernel_error_bound<T>(d, static_cast<double>(sq_norm), max_center_sq_norm);
  RowTest test;
  test.upper = upper + moves_.move[a];
  test.lower = lower - (a == moves_.max_mover ? moves_.second_move : moves_.max_move);
  const double limit = std::max(moves_.half_gap[a], test.lower);
  test.settled = bounds_settle(test.upper, limit, error);
  if (!test.settled) {
    // Tighten the upper bound to the exact distance and try again.
    test.tightened = true;
    test.upper = std::sqrt(own);
    test.settled = bounds_settle(test.upper, limit, error);
  }
  return test;
}

template <class T>
std::optional<double> HamerlyStep<T>::sampled_unsettled_share(const double* centers, std::size_t k,
                                                              std::span<const std::int32_t> labels) {
  const std::size_t n = frame_.rows();
  const std::size_t d = frame_.dim();
  const bool bounded = upper_.size() == n;  // else bounds_unknown_: every upper bound infinite, lower 0
  if (previous_.size() != k * d || !(bounded || bounds_unknown_) || labels.empty() || labels[0] < 0) {
    return std::nullopt;
  }
  prepare(centers, k);
  const std::vector<double> frame_centers = centers_in_frame(frame_, centers, k);
  // As max_sq_norm(panel), from the centers in the frame (the panel is filled by assign).
  double max_center_sq_norm = 0;
  for (std::size_t j = 0; j < k; ++j) {
    double sq_norm = 0;
    for (std::size_t t = 0; t < d; ++t) sq_norm += frame_centers[j * d + t] * frame_centers[j * d + t];
    max_center_sq_norm = std::max(max_center_sq_norm, sq_norm);
  }
  // assign's two tests (the bounds, then with the exact distance to the own
  // center) on every kSampleStride-th row. Rows that are not held are loaded
  // one by one: 1/64 of the data, against an iteration that would read all of
  // it (keops-large cosine, 1M x 100, k = 1000: a hopeless Hamerly iteration
  // cost ~110 ms more than Lloyd's).
  const std::size_t sampled = (n + kSampleStride - 1) / kSampleStride;
  std::size_t unsettled = 0;
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(sampled * d) * 8, n_threads_)) \
    reduction(+ : unsettled)
  {
    std::vector<T> row(d);
#pragma omp for schedule(static)
    for (std::size_t s = 0; s < sampled; ++s) {
      const std::size_t i = s * kSampleStride;
      const T sq_norm = frame_.load_row(i, row.data());
      const auto a = static_cast<std::size_t>(labels[i]);
      const double own = kernels::sq_distance_to_point(row.data(), frame_centers.data() + a * d, d);
      const double upper = bounded ? upper_[i] : std::numeric_limits<double>::infinity();
      const double lower = bounded ? lower_[i] : 0.0;
      unsettled += !test_row(upper, lower, a, own, sq_norm, max_center_sq_norm).settled;
    }
  }
  if (sampled == 0) return std::nullopt;
  return static_cast<double>(unsettled) / static_cast<double>(sampled);
}

template class HamerlyStep<float>;
template class HamerlyStep<double>;

}  // namespace centrix::detail
