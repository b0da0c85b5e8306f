// Helpers that keep parallel results independent of the thread count.
//
// Reductions are done over fixed chunks of rows whose boundaries depend only
// on the problem size; partial results are combined in chunk order. So one
// thread and sixteen threads add the same numbers in the same order.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace centrix::detail {

/// The number of OpenMP threads to use for a request of `n_threads` (0: all available).
inline int resolve_threads(int n_threads) noexcept {
  return n_threads > 0 ? n_threads : omp_get_max_threads();
}

/// Threads worth starting for `work` multiply-adds: a team costs microseconds
/// to wake, and on a loaded machine far more, so small problems run on fewer
/// threads. Results never depend on this choice.
inline int threads_for_work(double work, int n_threads) noexcept {
  constexpr double kMinWorkPerThread = 1 << 17;
  const double useful = work / kMinWorkPerThread;
  return useful >= n_threads ? n_threads : std::max(1, static_cast<int>(useful));
}

/// Rows per chunk in deterministic reductions.
inline constexpr std::size_t kReductionChunk = 2048;

inline std::size_t chunk_count(std::size_t n, std::size_t chunk) noexcept {
  return (n + chunk - 1) / chunk;
}

/// Sum of terms that come a batch at a time, in double, over fixed chunks of
/// rows added in chunk order (bitwise the same for any thread count):
/// fill(first, count, terms) writes the terms of rows first .. first + count - 1
/// (at most kTermBatch), which are added in row order. `work_per_row`
/// (multiply-adds) decides how many threads pay off; `chunk` (a multiple of
/// kTermBatch) is the rows per chunk: smaller chunks share few rows more
/// evenly among the threads.
inline constexpr std::size_t kTermBatch = 256;
template <class F>
double deterministic_sum_of_batches(std::size_t n, int n_threads, double work_per_row, F&& fill,
                                    std::size_t chunk = kReductionChunk) {
  static_assert(kReductionChunk % kTermBatch == 0, "batches nest in chunks");
  const std::size_t n_chunks = chunk_count(n, chunk);
  std::vector<double> partial(n_chunks, 0.0);
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(n) * work_per_row, n_threads))
  {
    double terms[kTermBatch];
#pragma omp for schedule(static)
    for (std::size_t c = 0; c < n_chunks; ++c) {
      const std::size_t end = std::min(n, (c + 1) * chunk);
      double s = 0;
      for (std::size_t first = c * chunk; first < end; first += kTermBatch) {
        const std::size_t count = std::min(kTermBatch, end - first);
        fill(first, count, terms);
        for (std::size_t r = 0; r < count; ++r) s += terms[r];
      }
      partial[c] = s;
    }
  }
  double total = 0;
  for (double p : partial) total += p;
  return total;
}

/// Sum of f(i) for i in [0, n), in double, computed in parallel over fixed
/// chunks and added in chunk order: bitwise the same for any thread count.
template <class F>
double deterministic_sum(std::size_t n, int n_threads, F&& f) {
  return deterministic_sum_of_batches(n, n_threads, 8.0, [&](std::size_t first, std::size_t count, double* terms) {
    for (std::size_t r = 0; r < count; ++r) terms[r] = f(first + r);
  });
}

}  // namespace centrix::detail
