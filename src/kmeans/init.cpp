#include "kmeans/init.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "centrix/error.hpp"
#include "common/parallel.hpp"
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
template <class T>
std::vector<double> kmeans_plus_plus(const DataFrame<T>& frame, const double* weights, std::size_t k,
                                     std::size_t trials, Rng& rng, int n_threads,
                                     const std::function<bool()>& interrupted) {
  const std::size_t n = frame.rows();
  const std::size_t d = frame.dim();
  const std::size_t n_chunks = chunk_count(n, kReductionChunk);
  const std::size_t block_rows = frame.block_rows();
  const std::size_t n_blocks = frame.n_blocks();
  // Blocks nest in reduction chunks (chunk = whole number of blocks) so that
  // per-chunk potentials can be summed block by block deterministically.
  static_assert(kReductionChunk % 512 == 0, "a chunk must hold whole blocks");
  std::vector<double> centers(k * d);
  std::vector<T> closest(n);
  std::vector<double> chunk_potential(n_chunks);
  kernels::ColumnPanel<T> panel;
  std::vector<double> candidate_frame(trials * d);

  // Squared distances from every row to the panel's columns; for each
  // column, the potential sum_i w_i min(closest_i, dist_ij) per chunk; if
  // `commit` is set (one column), closest is updated.
  const auto evaluate = [&](std::size_t n_cols, bool commit, std::vector<double>& potential_per_chunk_col) {
    potential_per_chunk_col.assign(n_chunks * n_cols, 0.0);
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(n * n_cols * d), n_threads))
    {
      std::vector<T> buffer(block_rows * d);
      std::vector<T> sq_norms(block_rows);
      std::vector<T> dist(block_rows * n_cols);
#pragma omp for schedule(dynamic, 1)
      for (std::size_t c = 0; c < n_chunks; ++c) {
        const std::size_t chunk_end = std::min(n, (c + 1) * kReductionChunk);
        for (std::size_t b = c * kReductionChunk / block_rows; b < n_blocks && b * block_rows < chunk_end; ++b) {
          const std::size_t first = b * block_rows;
          const T* rows = nullptr;
          const T* row_sq_norms = nullptr;
          const std::size_t count = frame.block(b, buffer.data(), sq_norms.data(), rows, row_sq_norms);
          kernels::all_distances(rows, count, row_sq_norms, panel, frame.form(), dist.data(), n_cols);
          for (std::size_t r = 0; r < count; ++r) {
            const std::size_t i = first + r;
            for (std::size_t j = 0; j < n_cols; ++j) {
              const T v = std::min(closest[i], dist[r * n_cols + j]);
              potential_per_chunk_col[c * n_cols + j] += weight_of(weights, i) * static_cast<double>(v);
              if (commit) closest[i] = v;
            }
          }
        }
      }
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
  evaluate(1, true, potential);
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
    evaluate(trials, false, potential);
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
    frame.fill_panel(centers.data() + c * d, 1, panel);
    evaluate(1, true, potential);
    chunk_potential = potential;
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
