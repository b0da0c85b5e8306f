// The coordinate frame the distance kernels work in.
//
// Euclidean: rows are shifted by an origin (the column means when fitting),
// so the expanded form ||x||^2 + ||c||^2 - 2 x.c does not cancel on data far
// from zero (the UEF sets have coordinates near 10^6). Cosine: rows are
// scaled to unit length. Rows are converted block by block into a small
// per-thread buffer, so the caller's data is never copied as a whole.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "centrix/kmeans.hpp"
#include "common/parallel.hpp"
#include "kernels/nearest.hpp"

namespace centrix::detail {

template <class T>
class DataFrame {
 public:
  /// For fitting: the origin is the column means; also computes the mean feature variance.
  static DataFrame for_fit(MatrixView<T> data, Metric metric, int n_threads);
  /// For predicting against known centers: the origin is given (the centers' mean).
  static DataFrame with_origin(MatrixView<T> data, Metric metric, std::vector<double> origin, int n_threads);

  [[nodiscard]] MatrixView<T> data() const noexcept { return data_; }
  [[nodiscard]] Metric metric() const noexcept { return metric_; }
  [[nodiscard]] kernels::DistanceForm form() const noexcept { return form_; }
  [[nodiscard]] std::size_t rows() const noexcept { return data_.rows(); }
  [[nodiscard]] std::size_t dim() const noexcept { return data_.cols(); }
  /// Mean over features of each feature's variance, in this frame (scikit-learn's tolerance scale).
  [[nodiscard]] double mean_variance() const noexcept { return mean_variance_; }

  /// Rows per block; fixed by the dimension, never by the thread count.
  [[nodiscard]] std::size_t block_rows() const noexcept { return block_rows_; }
  [[nodiscard]] std::size_t n_blocks() const noexcept { return (rows() + block_rows_ - 1) / block_rows_; }
  /// Writes block b's rows, in the frame, to `buffer` (block_rows x dim) and
  /// their squared norms to `sq_norms`; returns how many rows the block has.
  std::size_t load_block(std::size_t b, T* buffer, T* sq_norms) const;

  /// Calls f(block, first_row, count, rows, sq_norms) for every block, in
  /// parallel; `rows` and `sq_norms` are the block loaded into a per-thread
  /// buffer. `work_per_row` (multiply-adds) decides how many threads pay off.
  template <class F>
  void for_each_block(int n_threads, double work_per_row, F&& f) const {
    const std::size_t n_blocks_ = n_blocks();
    if (!cached_rows_.empty()) {
#pragma omp parallel for schedule(dynamic, 1) \
    num_threads(threads_for_work(work_per_row* static_cast <double>(rows()), n_threads))
      for (std::size_t b = 0; b < n_blocks_; ++b) {
        const std::size_t first = b * block_rows_;
        f(b, first, std::min(block_rows_, rows() - first), static_cast<const T*>(cached_rows_.data() + first * dim()),
          static_cast<const T*>(cached_sq_norms_.data() + first));
      }
      return;
    }
#pragma omp parallel num_threads(threads_for_work(work_per_row* static_cast <double>(rows()), n_threads))
    {
      std::vector<T> buffer(block_rows_ * dim());
      std::vector<T> sq_norms(block_rows_);
#pragma omp for schedule(dynamic, 1)
      for (std::size_t b = 0; b < n_blocks_; ++b) {
        const std::size_t count = load_block(b, buffer.data(), sq_norms.data());
        f(b, b * block_rows_, count, static_cast<const T*>(buffer.data()), static_cast<const T*>(sq_norms.data()));
      }
    }
  }

  /// One row of the data, in the frame, in double.
  void row_in_frame(std::size_t i, double* out) const;
  /// One row of the data in original coordinates, in double (unit length for cosine).
  void row_as_center(std::size_t i, double* out) const;
  /// A center (original coordinates) moved into the frame.
  void center_to_frame(const double* center, double* out) const;
  /// A point of the frame back in original coordinates, as a center: unit
  /// length for cosine; false if it has no direction (cosine, all zeros).
  bool frame_to_center(const double* point, double* out) const;
  /// Writes `k` centers (original coordinates) into a kernel panel in the frame.
  void fill_panel(const double* centers, std::size_t k, kernels::ColumnPanel<T>& panel) const;
  /// ||row i|| (cosine metric only).
  [[nodiscard]] double norm(std::size_t i) const noexcept {
    return norms_[i];
  }

 private:
  DataFrame(MatrixView<T> data, Metric metric, int n_threads);
  void compute_norms();
  /// Keeps the whole frame (rows in the frame and their squared norms) when
  /// it takes at most kCacheBytes, so iterations skip the per-block shift.
  void cache_if_small();

  /// Data up to this size is held in the frame once per fit (one extra copy);
  /// larger data is shifted block by block every iteration, so memory stays
  /// the data plus small per-thread buffers (keops-large: 400 MB).
  static constexpr std::size_t kCacheBytes = std::size_t{64} << 20;

  MatrixView<T> data_;
  Metric metric_;
  int n_threads_;
  kernels::DistanceForm form_;
  std::size_t block_rows_;
  std::vector<double> origin_;      // Euclidean only: subtracted from every row
  std::vector<double> norms_;       // cosine only: ||x_i||
  std::vector<T> cached_rows_;      // the rows in the frame, if small enough (cache_if_small)
  std::vector<T> cached_sq_norms_;  // and their squared norms
  double mean_variance_ = 0;
};

}  // namespace centrix::detail
