#include "kmeans/init.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "centrix/error.hpp"
#include "common/parallel.hpp"
#include "common/uninitialized.hpp"
#include "kernels/row_ops.hpp"
#include "kmeans/step.hpp"

namespace centrix::detail {

namespace {

/// Forgy: k distinct rows, drawn without replacement with probability
/// proportional to weight (Efraimidis & Spirakis 2006: keep the k largest
/// u^(1/w)). Rows of zero weight are drawn only if too few others exist.
template <class T>
std::vector<double> random_rows(const DataFrame<T>& frame, const double* weights, std::size_t k, Rng& rng) {
  const std::size_t n = frame.rows();
  using Keyed = std::pair<double, std::size_t>;  // (key, row); the heap keeps the k largest keys
  std::priority_queue<Keyed, std::vector<Keyed>, std::greater<>> heap;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weight_of(weights, i);
    const double u = rng.uniform();
    // log(u) / w orders rows as u^(1/w) does, without underflow; zero weights rank last.
    const double key =
        w > 0 ? std::log(u > 0 ? u : std::numeric_limits<double>::min()) / w : -std::numeric_limits<double>::infinity();
    if (heap.size() < k) {
      heap.emplace(key, i);
    } else if (key > heap.top().first) {
      heap.pop();
      heap.emplace(key, i);
    }
  }
  std::vector<std::size_t> rows;
  while (!heap.empty()) {
    rows.push_back(heap.top().second);
    heap.pop();
  }
  std::sort(rows.begin(), rows.end());
  const std::size_t d = frame.dim();
  std::vector<double> centers(k * d);
  for (std::size_t j = 0; j < k; ++j) frame.row_as_center(rows[j], centers.data() + j * d);
  return centers;
}

/// Index of the row where the running sum of w_i * dist_i first reaches
/// `target` (numpy.searchsorted on the cumulative sum, as scikit-learn),
/// clipped to the last row. Chunk sums are formed in fixed chunks, so the
/// choice does not depend on the thread count.
template <class T>
std::size_t sample_by_potential(const std::vector<T>& closest, const double* weights, double target,
                                const std::vector<double>& chunk_potential) {
  const std::size_t n = closest.size();
  double running = 0;
  std::size_t c = 0;
  for (; c < chunk_potential.size(); ++c) {
    if (running + chunk_potential[c] >= target) break;
    running += chunk_potential[c];
  }
  if (c == chunk_potential.size()) return n - 1;
  const std::size_t end = std::min(n, (c + 1) * kReductionChunk);
  for (std::size_t i = c * kReductionChunk; i < end; ++i) {
    running += weight_of(weights, i) * static_cast<double>(closest[i]);
    if (running >= target) return i;
  }
  return end - 1;
}

/// Greedy k-means++ (Arthur & Vassilvitskii 2007; the greedy variant of
/// scikit-learn, after Grunau et al. 2023): each new center is the best of
/// `trials` candidates drawn with probability proportional to w * D(x)^2,
/// "best" meaning the lowest resulting potential.
///
/// The candidates are few columns, so their distances come from the lane
/// kernel (rows in the vector lanes): on the frame's lane tiles where it
/// holds them, else on each block transposed into a small buffer. The panel
/// kernel puts columns in lanes and filled 7 of 16 (100000 x 64 float32, k =
/// 256: 1.39 s for the initialisation). The trial distances are kept (up to
/// kept_trial_bytes), so the chosen candidate's need no second pass.
template <class T>
std::vector<double> kmeans_plus_plus(const DataFrame<T>& frame, const double* weights, std::size_t k,
                                     std::size_t trials, Rng& rng, int n_threads,
                                     const std::function<bool()>& interrupted) {
  constexpr std::size_t W = kernels::kLaneTile<T>;
  constexpr std::size_t L = kernels::kMinSumLanes;
  const std::size_t n = frame.rows();
  const std::size_t d = frame.dim();
  const std::size_t n_chunks = chunk_count(n, kReductionChunk);
  const std::size_t block_rows = frame.block_rows();
  const std::size_t n_blocks = frame.n_blocks();
  // Blocks nest in reduction chunks (chunk = whole number of blocks) so that
  // per-chunk potentials can be summed block by block deterministically.
  static_assert(kReductionChunk % 512 == 0, "a chunk must hold whole blocks");
  // A block's distances: column j at j * block_stride (distances_in_lanes' layout).
  const std::size_t block_stride = (block_rows + W - 1) / W * W;
  const T* held_tiles = frame.lane_tiles();
  const bool keep_trials = n_blocks * block_stride * trials * sizeof(T) <= kept_trial_bytes;
  UninitializedVector<T> kept(keep_trials ? n_blocks * block_stride * trials : 0);

  std::vector<double> centers(k * d);
  std::vector<T> closest(n);
  std::vector<double> chunk_potential(n_chunks);
  kernels::ColumnPanel<T> panel;
  std::vector<double> candidate_frame(trials * d);

  // closest = min(closest, dist) over rows [first, first + count): the commit of a chosen center.
  const auto lower_closest = [&](std::size_t first, std::size_t count, const T* dist) {
    for (std::size_t r = 0; r < count; ++r) closest[first + r] = std::min(closest[first + r], dist[r]);
  };
  // The potential sum_i w_i min(closest_i, dist_ij) per chunk of every panel
  // column j, to potential[chunk * n_cols + j]. Distances go to `store` (a
  // block's at b * block_stride * n_cols) or, if null, to a per-thread
  // buffer; with `commit` (one column) closest takes the minimum.
  const auto evaluate = [&](std::size_t n_cols, bool commit, T* store, std::vector<double>& potential) {
    potential.assign(n_chunks * n_cols, 0.0);
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(n * n_cols * d), n_threads))
    {
      const bool loads = held_tiles == nullptr && !frame.blocks_in_memory();
      std::vector<T> buffer(loads ? block_rows * d : 0);
      std::vector<T> sq_buffer(loads || !frame.sq_norms_held() ? block_rows : 0);
      UninitializedVector<T> tile_buffer(held_tiles == nullptr ? block_stride * d : 0);
      UninitializedVector<T> dist_buffer(store == nullptr ? block_stride * n_cols : 0);
      std::vector<double> partial(n_cols * L);
#pragma omp for schedule(dynamic, 1)
      for (std::size_t c = 0; c < n_chunks; ++c) {
        std::fill(partial.begin(), partial.end(), 0.0);
        const std::size_t chunk_end = std::min(n, (c + 1) * kReductionChunk);
        for (std::size_t b = c * kReductionChunk / block_rows; b < n_blocks && b * block_rows < chunk_end; ++b) {
          const std::size_t first = b * block_rows;
          const T* rows = nullptr;
          const T* row_sq_norms = nullptr;
          const std::size_t count =
              frame.block(b, buffer.data(), sq_buffer.data(), rows, row_sq_norms, /*need_rows=*/held_tiles == nullptr);
          const T* tiles = held_tiles + first * d;
          if (held_tiles == nullptr) {
            kernels::to_lane_tiles(rows, count, d, tile_buffer.data());
            tiles = tile_buffer.data();
          }
          T* dist = store != nullptr ? store + b * block_stride * n_cols : dist_buffer.data();
          kernels::distances_in_lanes(tiles, count, row_sq_norms, panel, frame.form(), dist, block_stride);
          // Blocks are fixed by the dimension alone, so each lane sums the same rows in the same order
          // whatever the thread count.
          for (std::size_t j = 0; j < n_cols; ++j) {
            kernels::add_min_in_lanes(partial.data() + j * L, closest.data() + first, dist + j * block_stride,
                                      weights != nullptr ? weights + first : nullptr, count);
          }
          if (commit) lower_closest(first, count, dist);
        }
        for (std::size_t j = 0; j < n_cols; ++j) {
          double total = 0;
          for (std::size_t l = 0; l < L; ++l) total += partial[j * L + l];
          potential[c * n_cols + j] = total;
        }
      }
    }
  };
  // The commit of kept trial t.
  const auto commit_kept = [&](std::size_t t) {
#pragma omp parallel for schedule(static) num_threads(threads_for_work(static_cast <double>(n) * 2, n_threads))
    for (std::size_t b = 0; b < n_blocks; ++b) {
      const std::size_t first = b * block_rows;
      lower_closest(first, std::min(block_rows, n - first), kept.data() + (b * trials + t) * block_stride);
    }
  };

  // First center: one row drawn with probability proportional to its weight.
  std::size_t first_row = n - 1;
  {
    const double total = deterministic_sum(n, n_threads, [&](std::size_t i) { return weight_of(weights, i); });
    const double target = rng.uniform() * total;
    double running = 0;
    for (std::size_t i = 0; i < n; ++i) {
      running += weight_of(weights, i);
      if (running > target) {
        first_row = i;
        break;
      }
    }
  }
  frame.row_as_center(first_row, centers.data());
  std::fill(closest.begin(), closest.end(), std::numeric_limits<T>::infinity());
  std::vector<double> potential;
  frame.fill_panel(centers.data(), 1, panel);
  evaluate(1, true, nullptr, potential);
  chunk_potential = potential;
  double current = 0;
  for (double p : chunk_potential) current += p;

  for (std::size_t c = 1; c < k; ++c) {
    if (interrupted && interrupted()) throw Cancelled("k-means++ cancelled after " + std::to_string(c) + " centers");
    for (std::size_t t = 0; t < trials; ++t) {
      const std::size_t row = sample_by_potential(closest, weights, rng.uniform() * current, chunk_potential);
      frame.row_as_center(row, candidate_frame.data() + t * d);
    }
    frame.fill_panel(candidate_frame.data(), trials, panel);
    evaluate(trials, false, keep_trials ? kept.data() : nullptr, potential);
    std::size_t best = 0;
    double best_potential = std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < trials; ++t) {
      double total = 0;
      for (std::size_t ch = 0; ch < n_chunks; ++ch) total += potential[ch * trials + t];
      if (total < best_potential) {
        best_potential = total;
        best = t;
      }
    }
    std::copy_n(candidate_frame.data() + best * d, d, centers.data() + c * d);
    if (keep_trials) {
      // The chosen candidate's per-chunk potentials are the trial's: the same sums of the same values.
      commit_kept(best);
      for (std::size_t ch = 0; ch < n_chunks; ++ch) chunk_potential[ch] = potential[ch * trials + best];
    } else {
      frame.fill_panel(centers.data() + c * d, 1, panel);
      evaluate(1, true, nullptr, potential);
      chunk_potential = potential;
    }
    current = 0;
    for (double p : chunk_potential) current += p;
  }
  return centers;
}

}  // namespace

template <class T>
std::vector<double> initial_centers(const DataFrame<T>& frame, const double* weights, const KMeansOptions& options,
                                    Rng& rng, int n_threads) {
  const auto k = static_cast<std::size_t>(options.n_clusters);
  switch (options.init) {
    case Init::Given: {
      std::vector<double> centers = options.initial_centers;
      if (frame.metric() == Metric::Cosine) {
        const std::size_t d = frame.dim();
        for (std::size_t j = 0; j < k; ++j) {
          double norm = 0;
          for (std::size_t t = 0; t < d; ++t) norm += centers[j * d + t] * centers[j * d + t];
          for (std::size_t t = 0; t < d; ++t) centers[j * d + t] /= std::sqrt(norm);
        }
      }
      return centers;
    }
    case Init::Random:
      return random_rows(frame, weights, k, rng);
    case Init::KMeansPlusPlus:
    default: {
      const std::size_t trials =
          options.n_local_trials > 0
              ? static_cast<std::size_t>(options.n_local_trials)
              : 2 + static_cast<std::size_t>(std::floor(std::log(static_cast<double>(options.n_clusters))));
      return kmeans_plus_plus(frame, weights, k, trials, rng, n_threads, options.interrupted);
    }
  }
}

template std::vector<double> initial_centers<float>(const DataFrame<float>&, const double*, const KMeansOptions&, Rng&,
                                                    int);
template std::vector<double> initial_centers<double>(const DataFrame<double>&, const double*, const KMeansOptions&,
                                                     Rng&, int);

}  // namespace centrix::detail
