#include "kmeans/frame.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <string>

#include "centrix/error.hpp"
#include "common/parallel.hpp"
#include "kernels/row_ops.hpp"
#include "kmeans/validate.hpp"

namespace centrix::detail {

namespace {

/// Rows per block: the block buffer stays near 256 KiB, well within L2 (2 MiB
/// per core on the machines we measure). Larger blocks let more clusters sum
/// their rows with the sums in registers (add_scaled_rows needs 4 rows per
/// cluster in a block): Fashion-MNIST has 64-row blocks instead of 16. A power of
/// two from 4 to 512, so it is a multiple of the kernels' row tile and blocks
/// nest exactly in the fixed reduction chunks.
std::size_t rows_per_block(std::size_t d, std::size_t element_size) {
  const std::size_t bytes_per_row = std::max<std::size_t>(1, d * element_size);
  const std::size_t rows = std::max<std::size_t>(4, (256 * 1024) / bytes_per_row);
  return std::min<std::size_t>(512, std::bit_floor(rows));
}

/// The per-chunk column sums `partial` (n_chunks x d) added in chunk order.
std::vector<double> chunk_totals(const std::vector<double>& partial, std::size_t n_chunks, std::size_t d) {
  std::vector<double> total(d, 0.0);
  for (std::size_t c = 0; c < n_chunks; ++c) {
    for (std::size_t t = 0; t < d; ++t) total[t] += partial[c * d + t];
  }
  return total;
}

/// Per-column sums in double where add_row(sum, i) adds row i's terms to
/// sum[0..d), over fixed row chunks (kReductionChunk rows) combined in chunk
/// order, so the result does not depend on the thread count.
template <class F>
std::vector<double> row_sums(std::size_t n, std::size_t d, int n_threads, F&& add_row) {
  const std::size_t n_chunks = chunk_count(n, kReductionChunk);
  std::vector<double> partial(n_chunks * d, 0.0);
#pragma omp parallel for schedule(static) num_threads(threads_for_work(static_cast <double>(n * d) * 4, n_threads))
  for (std::size_t c = 0; c < n_chunks; ++c) {
    const std::size_t end = std::min(n, (c + 1) * kReductionChunk);
    for (std::size_t i = c * kReductionChunk; i < end; ++i) add_row(partial.data() + c * d, i);
  }
  return chunk_totals(partial, n_chunks, d);
}

/// Per-column sums of the rows in double, over fixed chunks of rows combined in chunk order (as row_sums),
/// with the sums of each range of columns in registers (kernels::add_scaled_rows) instead of loaded and
/// stored for every row (3000 x 100 float32, one core: ~50 -> ~30 us, from profile shares).
/// If `row_sq_norms` is not null it gets each row's squared norm (kernels::sq_norms, rounded to T) from the
/// same pass, while the chunk is in cache, and `total_sq_norms` their sum in double, in chunk order.
template <class T>
std::vector<double> column_totals(MatrixView<T> data, int n_threads, T* row_sq_norms = nullptr,
                                  double* total_sq_norms = nullptr) {
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  // Few rows come in smaller chunks, which the threads share more evenly (3000 rows: 1536 and 1464 rows
  // instead of 2048 and 952); many rows keep kReductionChunk, so the partial sums stay small.
  const std::size_t chunk = n <= 8 * kReductionChunk ? kReductionChunk / 4 : kReductionChunk;
  const std::size_t n_chunks = chunk_count(n, chunk);
  const std::size_t ranges = (d + kernels::kScaledRowsWidth - 1) / kernels::kScaledRowsWidth;
  std::vector<double> partial(n_chunks * d, 0.0);
  std::vector<double> chunk_sq_norms(row_sq_norms != nullptr ? n_chunks : 0, 0.0);
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(n * d) * 4, n_threads))
  {
    std::vector<std::size_t> rows(chunk);
    std::vector<double> sq_norms(row_sq_norms != nullptr ? chunk : 0);
#pragma omp for schedule(static)
    for (std::size_t c = 0; c < n_chunks; ++c) {
      const std::size_t first = c * chunk;
      const std::size_t count = std::min(n, first + chunk) - first;
      for (std::size_t r = 0; r < count; ++r) rows[r] = first + r;
      for (std::size_t range = 0; range < ranges; ++range) {
        const std::size_t lo = range * d / ranges;
        kernels::add_scaled_rows(partial.data() + c * d + lo, data.data() + lo, data.stride(), rows.data(), count,
                                 nullptr, (range + 1) * d / ranges - lo);
      }
      if (row_sq_norms == nullptr) continue;
      kernels::sq_norms(data.row(first), data.stride(), count, d, sq_norms.data());
      for (std::size_t r = 0; r < count; ++r) {
        row_sq_norms[first + r] = static_cast<T>(sq_norms[r]);
        chunk_sq_norms[c] += sq_norms[r];
      }
    }
  }
  if (total_sq_norms != nullptr) {
    *total_sq_norms = 0;
    for (double s : chunk_sq_norms) *total_sq_norms += s;
  }
  return chunk_totals(partial, n_chunks, d);
}

/// The lengths a thread computed last, for which frame (its id) and rows: the center sums ask for a block's
/// right after it was loaded, on the same thread, and get them without a second pass (keops-large cosine:
/// the lengths took 6.5% of its samples without this, 5.9% with it).
struct LastLengths {
  std::uint64_t frame = 0;
  std::size_t first = 0;
  std::size_t count = 0;
  std::vector<double> values;
};
thread_local LastLengths last_lengths;
std::atomic<std::uint64_t> next_frame_id{1};

}  // namespace

template <class T>
DataFrame<T>::DataFrame(MatrixView<T> data, Metric metric, int n_threads)
    : data_(data),
      metric_(metric),
      n_threads_(n_threads),
      form_(kernels::form_for_dimension(data.cols())),
      block_rows_(rows_per_block(data.cols(), sizeof(T))),
      id_(next_frame_id.fetch_add(1, std::memory_order_relaxed)) {}

/// norms[r] = sqrt(sum of x_r[t]^2), the sum in double in column order (as the reference's, bit for bit; in
/// this baseline-compiled file no multiply-add is fused), four rows side by side so that their add chains
/// overlap (one row at a time the loop waited on its adds: 1M x 100 float32, ~78 ms on two cores).
template <class T>
void row_norms(MatrixView<T> data, std::size_t first, std::size_t count, double* norms) {
  const std::size_t d = data.cols();
  std::size_t r = 0;
  for (; r + 4 <= count; r += 4) {
    const T* x0 = data.row(first + r);
    const T* x1 = data.row(first + r + 1);
    const T* x2 = data.row(first + r + 2);
    const T* x3 = data.row(first + r + 3);
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::size_t t = 0; t < d; ++t) {
      s0 += static_cast<double>(x0[t]) * static_cast<double>(x0[t]);
      s1 += static_cast<double>(x1[t]) * static_cast<double>(x1[t]);
      s2 += static_cast<double>(x2[t]) * static_cast<double>(x2[t]);
      s3 += static_cast<double>(x3[t]) * static_cast<double>(x3[t]);
    }
    norms[r] = std::sqrt(s0);
    norms[r + 1] = std::sqrt(s1);
    norms[r + 2] = std::sqrt(s2);
    norms[r + 3] = std::sqrt(s3);
  }
  for (; r < count; ++r) {
    const T* x = data.row(first + r);
    double s = 0;
    for (std::size_t t = 0; t < d; ++t) s += static_cast<double>(x[t]) * static_cast<double>(x[t]);
    norms[r] = std::sqrt(s);
  }
}

template <class T>
typename DataFrame<T>::UnitRowMoments DataFrame<T>::compute_norms(bool moments) {
  const std::size_t n = rows();
  const std::size_t d = dim();
  norms_.resize(n);
  const std::size_t n_chunks = chunk_count(n, kReductionChunk);
  const std::size_t ranges = (d + kernels::kScaledRowsWidth - 1) / kernels::kScaledRowsWidth;
  std::vector<double> partial(moments ? n_chunks * d : 0, 0.0);
  std::vector<double> chunk_sq_dev(moments ? n_chunks : 0, 0.0);
  // One pass over the data: each chunk's norms, then (in cache) its unit rows u = x * (1 / ||x||) added to
  // the chunk's column sums with the sums in registers, and their squared deviations from the chunk's own
  // mean (combined below as Chan, Golub and LeVeque's pairwise variance). It used to be four passes (a
  // finiteness check, the norms, the mean of the unit rows with a division per value, their squared
  // deviations): 1M x 100 float32, ~300 ms per fit.
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(n * d) * 4, n_threads_))
  {
    std::vector<std::size_t> order(moments ? kReductionChunk : 0);
    std::vector<double> scales(moments ? kReductionChunk : 0);
    std::vector<double> chunk_mean(moments ? d : 0);
#pragma omp for schedule(static)
    for (std::size_t c = 0; c < n_chunks; ++c) {
      const std::size_t first = c * kReductionChunk;
      const std::size_t count = std::min(n, first + kReductionChunk) - first;
      row_norms(data_, first, count, norms_.data() + first);
      if (!moments) continue;
      for (std::size_t r = 0; r < count; ++r) {
        order[r] = r;
        scales[r] = 1.0 / norms_[first + r];
      }
      double* sums = partial.data() + c * d;
      for (std::size_t range = 0; range < ranges; ++range) {
        const std::size_t lo = range * d / ranges;
        kernels::add_scaled_rows(sums + lo, data_.row(first) + lo, data_.stride(), order.data(), count, scales.data(),
                                 (range + 1) * d / ranges - lo);
      }
      for (std::size_t t = 0; t < d; ++t) chunk_mean[t] = sums[t] / static_cast<double>(count);
      double sq_dev = 0;
      for (std::size_t r = 0; r < count; ++r) {
        const T* x = data_.row(first + r);
        for (std::size_t t = 0; t < d; ++t) {
          const double dev = static_cast<double>(x[t]) * scales[r] - chunk_mean[t];
          sq_dev += dev * dev;
        }
      }
      chunk_sq_dev[c] = sq_dev;
    }
  }
  // A NaN or an infinity makes its row's norm NaN or infinite; the check that names it runs only then.
  const auto overflow = std::find_if(norms_.begin(), norms_.end(), [](double v) { return !std::isfinite(v); });
  if (overflow != norms_.end()) {
    check_finite(data_, "data");
    throw InvalidArgument("row " + std::to_string(overflow - norms_.begin()) +
                          " (0-based) is too long for the cosine metric: its squared norm overflows");
  }
  const auto zero = std::find(norms_.begin(), norms_.end(), 0.0);
  if (zero != norms_.end()) {
    throw InvalidArgument("row " + std::to_string(zero - norms_.begin()) +
                          " (0-based) is all zeros: the cosine metric needs rows of non-zero length");
  }
  if (!moments) return {};
  UnitRowMoments out;
  out.mean = chunk_totals(partial, n_chunks, d);
  for (double& m : out.mean) m /= static_cast<double>(n);
  // Each chunk's squared deviations, plus its rows' count times the squared distance from its mean to the
  // overall one: no difference of large sums, and exactly 0 where every unit row is the same.
  double sq_dev = 0;
  for (std::size_t c = 0; c < n_chunks; ++c) {
    const std::size_t count = std::min(n, (c + 1) * kReductionChunk) - c * kReductionChunk;
    double between = 0;
    for (std::size_t t = 0; t < d; ++t) {
      const double gap = partial[c * d + t] / static_cast<double>(count) - out.mean[t];
      between += gap * gap;
    }
    sq_dev += chunk_sq_dev[c] + static_cast<double>(count) * between;
  }
  out.variance_sum = sq_dev / static_cast<double>(n);
  return out;
}

template <class T>
DataFrame<T> DataFrame<T>::for_fit(MatrixView<T> data, Metric metric, int n_threads, LaneTiles tiles,
                                   HeldRows held_rows) {
  DataFrame frame(data, metric, n_threads);
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  std::vector<double> mean;
  std::vector<double> sq_dev;
  double variance_sum = 0;
  if (metric == Metric::Euclidean) {
    // A frame that may be the data itself gets the rows' squared norms at origin 0 from the pass that sums
    // the columns; if it is taken, the variance follows from them and the mean, and the data is read once
    // (it was three times: the sums, the deviations from the mean, the norms; 1M x 100 float32, ~110 ms).
    std::vector<T> row_sq_norms(frame.may_use_in_place() ? n : 0);
    double total_sq_norms = 0;
    mean = column_totals(data, n_threads, row_sq_norms.empty() ? nullptr : row_sq_norms.data(), &total_sq_norms);
    // A NaN or an infinity makes its column's sum NaN or infinite, and finite
    // floats cannot overflow a double sum, so the check that names the
    // culprit runs only when a sum is not finite (for double data whose sums
    // overflowed it finds nothing). One pass over the data saved per fit.
    if (!std::all_of(mean.begin(), mean.end(), [](double s) { return std::isfinite(s); })) check_finite(data, "data");
    for (double& m : mean) m /= static_cast<double>(n);
    if (!frame.may_use_in_place() && n * d * sizeof(T) <= cache_bytes) {
      // The frame will be held with the means as origin: the rows' squared
      // norms in it are their squared deviations, so the variance comes with
      // the copy instead of a pass of its own.
      frame.set_origin(mean);
      // The origin is the means rounded to T: E||x - o||^2 is the variance plus ||mean - o||^2.
      double sq_gap = 0;
      for (std::size_t t = 0; t < d; ++t) sq_gap += (mean[t] - frame.origin_[t]) * (mean[t] - frame.origin_[t]);
      variance_sum = std::max(0.0, frame.cache_if_small(tiles, held_rows) / static_cast<double>(n) - sq_gap);
      frame.mean_variance_ = variance_sum / static_cast<double>(d);
      return frame;
    }
    if (frame.use_in_place(mean, std::move(row_sq_norms), total_sq_norms / static_cast<double>(n), variance_sum)) {
      frame.mean_variance_ = variance_sum / static_cast<double>(d);
      frame.cache_if_small(tiles, held_rows);
      return frame;
    }
    sq_dev = row_sums(n, d, n_threads, [&](double* sum, std::size_t i) {
      kernels::add_squared_deviation(sum, data.row(i), mean.data(), d);
    });
  } else {
    UnitRowMoments moments = frame.compute_norms(/*moments=*/true);
    mean = std::move(moments.mean);
    variance_sum = moments.variance_sum;
  }
  for (double s : sq_dev) variance_sum += s / static_cast<double>(n);
  frame.mean_variance_ = variance_sum / static_cast<double>(d);
  // Cosine: the unit rows are shifted by their mean too, which keeps the distances (the rows and the
  // centers move alike) and, where the rows point almost the same way (data far from 0), their precision.
  frame.set_origin(mean);
  frame.cache_if_small(tiles, held_rows);
  return frame;
}

template <class T>
void DataFrame<T>::set_origin(const std::vector<double>& origin) {
  // Rounded to T: float rows are then shifted in float (kernels::shift_rows), and any origin near the
  // data's mean keeps the expanded distances precise.
  origin_.resize(origin.size());
  std::transform(origin.begin(), origin.end(), origin_.begin(),
                 [](double o) { return static_cast<double>(static_cast<T>(o)); });
}

template <class T>
bool DataFrame<T>::may_use_in_place() const noexcept {
  return rows() * dim() * sizeof(T) > std::min(cache_bytes, kInPlaceFromBytes) && data_.contiguous();
}

template <class T>
bool DataFrame<T>::use_in_place(const std::vector<double>& mean, std::vector<T> row_sq_norms, double mean_row_sq,
                                double& variance_sum) {
  if (!may_use_in_place() || row_sq_norms.size() != rows()) return false;
  double mean_sq = 0;
  for (double m : mean) mean_sq += m * m;
  // ||mean||^2 <= 4 * variance_sum, with variance_sum = E||x||^2 - ||mean||^2. When it holds, ||mean||^2 is
  // at most 4/5 of E||x||^2, so the difference loses at most a few bits (the two-pass sum is for data far
  // from 0, which stays out of place).
  if (!(5.0 * mean_sq <= 4.0 * mean_row_sq)) return false;
  variance_sum = std::max(0.0, mean_row_sq - mean_sq);
  origin_.assign(dim(), 0.0);
  // kernels::sq_norms is bitwise shift_rows' norm at origin 0: the norms load_block would give.
  cached_sq_norms_ = std::move(row_sq_norms);
  in_place_ = true;
  return true;
}

template <class T>
double DataFrame<T>::cache_if_small(LaneTiles lane_tiles, HeldRows held_rows) {
  const std::size_t n = rows();
  const std::size_t d = dim();
  if (n * d * sizeof(T) > cache_bytes) return 0;
  constexpr std::size_t W = kernels::kLaneTile<T>;
  const bool tiles =
      (lane_tiles == LaneTiles::Always || (lane_tiles == LaneTiles::WhereHeld && !in_place_)) && block_rows_ % W == 0;
  UninitializedVector<T> tile_rows(tiles ? (n + W - 1) / W * W * d : 0);
  if (in_place_) {
    // The data is the frame; only the tiles are held, for k-means++ (without
    // them the lane kernel transposes every block on every pass: 100000 x 64
    // float32, k = 256: 351 -> 226 ms). Not for Lloyd: its 10 iterations
    // paid more for the copy than they saved (4000 x 2000 float64, k = 5:
    // 3.1 -> 5.4 ms per iteration).
    if (tiles) {
#pragma omp parallel for schedule(static) num_threads(threads_for_work(static_cast <double>(n * d) * 2, n_threads_))
      for (std::size_t b = 0; b < n_blocks(); ++b) {
        const std::size_t first = b * block_rows_;
        kernels::to_lane_tiles(data_.row(first), std::min(block_rows_, n - first), d, tile_rows.data() + first * d);
      }
      lane_tiles_ = std::move(tile_rows);
    }
    return 0;
  }
  // Filled aside and moved in: block() points into the cache once it is set.
  // Tiles only: each block's rows go through a per-thread buffer that stays in
  // cache, and only the tiles are written out.
  const bool rows_too = !tiles || held_rows == HeldRows::RowMajor;
  UninitializedVector<T> frame_rows(rows_too ? n * d : 0);
  std::vector<T> sq_norms(n);
  std::vector<double> exact_sq_norms(n);
#pragma omp parallel num_threads(threads_for_work(static_cast <double>(n * d) * 4, n_threads_))
  {
    UninitializedVector<T> block_buffer(rows_too ? 0 : block_rows_ * d);
#pragma omp for schedule(static)
    for (std::size_t b = 0; b < n_blocks(); ++b) {
      const std::size_t first = b * block_rows_;
      T* rows = rows_too ? frame_rows.data() + first * d : block_buffer.data();
      const std::size_t count = load_block(b, rows, sq_norms.data() + first, exact_sq_norms.data() + first);
      // Transposed while the block is in cache.
      if (tiles) kernels::to_lane_tiles(rows, count, d, tile_rows.data() + first * d);
    }
  }
  cached_rows_ = std::move(frame_rows);
  lane_tiles_ = std::move(tile_rows);
  cached_sq_norms_ = std::move(sq_norms);
  double total = 0;  // in row order, whatever the thread count
  for (double s : exact_sq_norms) total += s;
  return total;
}

template <class T>
DataFrame<T> DataFrame<T>::with_origin(MatrixView<T> data, Metric metric, std::vector<double> origin, int n_threads) {
  DataFrame frame(data, metric, n_threads);
  if (metric == Metric::Cosine) frame.compute_norms();
  frame.set_origin(origin);
  return frame;
}

template <class T>
std::size_t DataFrame<T>::block(std::size_t b, T* buffer, T* sq_buffer, const T*& rows_out, const T*& sq_norms_out,
                                bool need_rows) const {
  if (!need_rows && sq_norms_held()) {
    const std::size_t first = b * block_rows_;
    rows_out = nullptr;
    sq_norms_out = cached_sq_norms_.data() + first;
    return std::min(block_rows_, rows() - first);
  }
  if (!blocks_in_memory()) {
    rows_out = buffer;
    sq_norms_out = sq_buffer;
    return load_block(b, buffer, sq_buffer);
  }
  const std::size_t first = b * block_rows_;
  const std::size_t count = std::min(block_rows_, rows() - first);
  rows_out = (in_place_ ? data_.data() : cached_rows_.data()) + first * dim();
  if (sq_norms_held()) {
    sq_norms_out = cached_sq_norms_.data() + first;
  } else {
    in_place_sq_norms(rows_out, count, sq_buffer);
    sq_norms_out = sq_buffer;
  }
  return count;
}

template <class T>
double DataFrame<T>::norm(std::size_t i) const {
  if (!norms_.empty()) return norms_[i];
  double out = 0;
  row_norms(data_, i, 1, &out);
  return out;
}

template <class T>
const double* DataFrame<T>::norms_of(std::size_t first, std::size_t count) const {
  if (!norms_.empty()) return norms_.data() + first;
  LastLengths& last = last_lengths;
  if (last.frame != id_ || last.first != first || last.count != count) {
    last.values.resize(count);
    row_norms(data_, first, count, last.values.data());
    last.frame = id_;
    last.first = first;
    last.count = count;
  }
  return last.values.data();
}

template <class T>
void DataFrame<T>::hold_row_norms() {
  if (metric_ == Metric::Cosine && norms_.empty()) compute_norms();
  if (!in_place_ || sq_norms_held()) return;
  std::vector<T> norms(rows());
#pragma omp parallel for schedule(static) \
    num_threads(threads_for_work(static_cast <double>(rows() * dim()), n_threads_))
  for (std::size_t b = 0; b < n_blocks(); ++b) {
    const std::size_t first = b * block_rows_;
    in_place_sq_norms(data_.row(first), std::min(block_rows_, rows() - first), norms.data() + first);
  }
  cached_sq_norms_ = std::move(norms);
}

template <class T>
void DataFrame<T>::in_place_sq_norms(const T* rows, std::size_t count, T* out) const {
  // kernels::sq_norms, rounded to T: bitwise the norms use_in_place took (column_totals).
  thread_local std::vector<double> norms;
  norms.resize(count);
  kernels::sq_norms(rows, dim(), count, dim(), norms.data());
  for (std::size_t r = 0; r < count; ++r) out[r] = static_cast<T>(norms[r]);
}

template <class T>
std::size_t DataFrame<T>::load_block(std::size_t b, T* buffer, T* sq_norms, double* exact_sq_norms) const {
  const std::size_t first = b * block_rows_;
  const std::size_t count = std::min(block_rows_, rows() - first);
  thread_local std::vector<double> local_norms;
  double* norms = exact_sq_norms;
  if (norms == nullptr) {
    local_norms.resize(count);
    norms = local_norms.data();
  }
  kernels::shift_rows(data_.row(first), data_.stride(), count,
                      metric_ == Metric::Cosine ? norms_of(first, count) : nullptr, origin_.data(), dim(), buffer,
                      norms);
  for (std::size_t r = 0; r < count; ++r) sq_norms[r] = static_cast<T>(norms[r]);
  return count;
}

template <class T>
T DataFrame<T>::load_row(std::size_t i, T* out) const {
  if (blocks_in_memory()) {
    const T* row = (in_place_ ? data_.data() : cached_rows_.data()) + i * dim();
    std::copy(row, row + dim(), out);
    if (sq_norms_held()) return cached_sq_norms_[i];
    T sq_norm{};
    in_place_sq_norms(row, 1, &sq_norm);
    return sq_norm;
  }
  double sq_norm = 0;
  const double length = metric_ == Metric::Cosine ? norm(i) : 1.0;
  kernels::shift_rows(data_.row(i), data_.stride(), 1, metric_ == Metric::Cosine ? &length : nullptr, origin_.data(),
                      dim(), out, &sq_norm);
  return static_cast<T>(sq_norm);
}

template <class T>
void DataFrame<T>::row_in_frame(std::size_t i, double* out) const {
  const T* x = data_.row(i);
  const double length = metric_ == Metric::Cosine ? norm(i) : 1.0;
  for (std::size_t t = 0; t < dim(); ++t) {
    out[t] = (metric_ == Metric::Cosine ? static_cast<double>(x[t]) / length : static_cast<double>(x[t])) - origin_[t];
  }
}

template <class T>
void DataFrame<T>::row_as_center(std::size_t i, double* out) const {
  const T* x = data_.row(i);
  const double length = metric_ == Metric::Cosine ? norm(i) : 1.0;
  for (std::size_t t = 0; t < dim(); ++t) out[t] = static_cast<double>(x[t]) / length;
}

template <class T>
void DataFrame<T>::center_to_frame(const double* center, double* out) const {
  for (std::size_t t = 0; t < dim(); ++t) out[t] = center[t] - origin_[t];
}

template <class T>
bool DataFrame<T>::frame_to_center(const double* point, double* out) const {
  const std::size_t d = dim();
  if (metric_ == Metric::Euclidean) {
    for (std::size_t t = 0; t < d; ++t) out[t] = point[t] + origin_[t];
    return true;
  }
  double norm = 0;
  for (std::size_t t = 0; t < d; ++t) {
    out[t] = point[t] + origin_[t];
    norm += out[t] * out[t];
  }
  if (!(norm > 0)) return false;
  norm = std::sqrt(norm);
  for (std::size_t t = 0; t < d; ++t) out[t] /= norm;
  return true;
}

template <class T>
void DataFrame<T>::fill_panel(const double* centers, std::size_t k, kernels::ColumnPanel<T>& panel) const {
  const std::size_t d = dim();
  thread_local std::vector<double> shifted;  // kept: an allocation per iteration showed in small fits
  shifted.resize(k * d);
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t t = 0; t < d; ++t) shifted[j * d + t] = centers[j * d + t] - origin_[t];
  }
  panel.assign(shifted.data(), k, d);
}

template class DataFrame<float>;
template class DataFrame<double>;

}  // namespace centrix::detail
