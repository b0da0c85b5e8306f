// NumPy arrays in and out of the C++ library, shared by the binding files.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstddef>
#include <initializer_list>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix::python {

namespace nb = nanobind;

/// A C-contiguous 2-D array on the CPU, read without a copy.
template <class T>
using Matrix2D = nb::ndarray<const T, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

template <class T>
centrix::MatrixView<T> view_of(const Matrix2D<T>& a) {
  return centrix::MatrixView<T>(a.data(), a.shape(0), a.shape(1));
}

/// Moves a vector into a NumPy array that owns it.
template <class T>
nb::ndarray<nb::numpy, T> to_numpy(std::vector<T>&& values, std::initializer_list<std::size_t> shape) {
  auto* heap = new std::vector<T>(std::move(values));
  nb::capsule owner(heap, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(heap->data(), shape, owner);
}

}  // namespace centrix::python
