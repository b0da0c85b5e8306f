// Non-owning row-major matrix views over caller memory.
//
// A view never copies or frees the data it points to: the caller keeps the
// memory alive for as long as the view is used. Views are cheap to copy and
// safe to share between threads for reading.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "centrix/error.hpp"

namespace centrix {

/// A read-only row-major matrix of `rows` x `cols` elements of type T, whose
/// rows start `stride` elements apart (stride >= cols; stride == cols for a
/// contiguous matrix).
template <class T>
class MatrixView {
 public:
  using value_type = T;

  MatrixView() = default;
  MatrixView(const T* data, std::size_t rows, std::size_t cols) : MatrixView(data, rows, cols, cols) {}
  MatrixView(const T* data, std::size_t rows, std::size_t cols, std::size_t stride)
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {
    if (stride < cols) throw InvalidArgument("matrix view: row stride is smaller than the number of columns");
    if (rows > 0 && cols > 0 && data == nullptr) throw InvalidArgument("matrix view: null data pointer");
  }

  [[nodiscard]] const T* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
  [[nodiscard]] std::size_t stride() const noexcept { return stride_; }
  [[nodiscard]] bool empty() const noexcept { return rows_ == 0 || cols_ == 0; }
  [[nodiscard]] bool contiguous() const noexcept { return stride_ == cols_; }

  [[nodiscard]] const T* row(std::size_t i) const noexcept { return data_ + i * stride_; }
  [[nodiscard]] std::span<const T> row_span(std::size_t i) const noexcept { return {row(i), cols_}; }
  [[nodiscard]] const T& operator()(std::size_t i, std::size_t j) const noexcept { return data_[i * stride_ + j]; }

  /// Rows [first, first + count) as a view over the same memory.
  [[nodiscard]] MatrixView rows_slice(std::size_t first, std::size_t count) const noexcept {
    return MatrixView(data_ + first * stride_, count, cols_, stride_, Unchecked{});
  }

 private:
  struct Unchecked {};
  MatrixView(const T* data, std::size_t rows, std::size_t cols, std::size_t stride, Unchecked) noexcept
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {}

  const T* data_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::size_t stride_ = 0;
};

/// A small owning row-major matrix, used for results (centers, distances).
template <class T>
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<T> values;  ///< rows * cols elements, row-major, contiguous

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c, T fill = T{}) : rows(r), cols(c), values(r * c, fill) {}

  [[nodiscard]] T* row(std::size_t i) noexcept { return values.data() + i * cols; }
  [[nodiscard]] const T* row(std::size_t i) const noexcept { return values.data() + i * cols; }
  [[nodiscard]] T& operator()(std::size_t i, std::size_t j) noexcept { return values[i * cols + j]; }
  [[nodiscard]] const T& operator()(std::size_t i, std::size_t j) const noexcept { return values[i * cols + j]; }
  [[nodiscard]] MatrixView<T> view() const { return MatrixView<T>(values.data(), rows, cols); }
};

}  // namespace centrix
