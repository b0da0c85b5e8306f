#include "io/stored_matrix.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "centrix/error.hpp"

namespace centrix::io::detail {
namespace {

// Calls f(std::type_identity<E>{}) with E the C++ type of `kind`.
template <class F>
void visit_element_type(ElementKind kind, F&& f) {
  switch (kind) {
    case ElementKind::Float32:
      return f(std::type_identity<float>{});
    case ElementKind::Float64:
      return f(std::type_identity<double>{});
    case ElementKind::Int8:
      return f(std::type_identity<std::int8_t>{});
    case ElementKind::Int16:
      return f(std::type_identity<std::int16_t>{});
    case ElementKind::Int32:
      return f(std::type_identity<std::int32_t>{});
    case ElementKind::Int64:
      return f(std::type_identity<std::int64_t>{});
    case ElementKind::UInt8:
      return f(std::type_identity<std::uint8_t>{});
    case ElementKind::UInt16:
      return f(std::type_identity<std::uint16_t>{});
    case ElementKind::UInt32:
      return f(std::type_identity<std::uint32_t>{});
    case ElementKind::UInt64:
      return f(std::type_identity<std::uint64_t>{});
  }
}

template <class Element>
Element element_at(const StoredMatrix& stored, std::size_t row, std::size_t col) noexcept {
  Element value;
  // memcpy: the element may be misaligned in the mapping.
  std::memcpy(&value, stored.first + row * stored.row_stride + col * sizeof(Element), sizeof(Element));
  return value;
}

// The shortest decimal form of a value that reads back the same ("1.5", not "1.500000").
template <class Number>
std::string shortest(Number value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

[[noreturn]] void fail_at_element(const std::string& path, std::size_t row, std::size_t col, std::string_view what) {
  fail(path, "row " + std::to_string(row + 1) + ", column " + std::to_string(col + 1) + ": " + std::string(what));
}

template <class Held>
void check_finite(const Held* values, std::size_t rows, std::size_t cols, const std::string& path) {
  for (std::size_t row = 0; row < rows; ++row) {
    for (std::size_t col = 0; col < cols; ++col) {
      if (!std::isfinite(values[row * cols + col])) fail_at_element(path, row, col, "NaN or Inf value");
    }
  }
}

template <class Stored, class Held>
void convert(const StoredMatrix& stored, Held* out, const std::string& path, bool allow_non_finite) {
  for (std::size_t row = 0; row < stored.rows; ++row) {
    for (std::size_t col = 0; col < stored.cols; ++col) {
      const auto value = element_at<Stored>(stored, row, col);
      Held held;
      if constexpr (std::is_floating_point_v<Stored>) {
        if (!allow_non_finite && !std::isfinite(value)) fail_at_element(path, row, col, "NaN or Inf value");
      }
      if constexpr (std::is_same_v<Stored, double> && std::is_same_v<Held, float>) {
        if (std::isfinite(value) && std::abs(value) > std::numeric_limits<float>::max()) {
          if (!allow_non_finite) fail_at_element(path, row, col, "value is out of float32 range");
          // Converting an out-of-range double to float is undefined behaviour; spell out the infinity.
          held = std::signbit(value) ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
        } else {
          held = static_cast<float>(value);
        }
      } else {
        held = static_cast<Held>(value);
      }
      *out++ = held;
    }
  }
}

template <class Held>
Dataset to_dataset_as(const StoredMatrix& stored, const std::string& path, DType dtype, bool allow_non_finite) {
  constexpr ElementKind held_kind = std::is_same_v<Held, float> ? ElementKind::Float32 : ElementKind::Float64;
  const bool aligned = reinterpret_cast<std::uintptr_t>(stored.first) % alignof(Held) == 0;
  if (stored.kind == held_kind && stored.row_stride == stored.cols * sizeof(Held) && aligned) {
    const auto* values = reinterpret_cast<const Held*>(stored.first);
    if (!allow_non_finite) check_finite(values, stored.rows, stored.cols, path);
    Dataset dataset(stored.file.bytes, values, stored.rows, stored.cols, dtype, path);
    dataset.set_memory_mapped(true);
    return dataset;
  }
  auto values = std::make_shared<std::vector<Held>>(stored.rows * stored.cols);
  visit_element_type(stored.kind, [&]<class Stored>(std::type_identity<Stored>) {
    convert<Stored>(stored, values->data(), path, allow_non_finite);
  });
  const Held* data = values->data();
  return Dataset(std::move(values), data, stored.rows, stored.cols, dtype, path);
}

}  // namespace

DType default_dtype(ElementKind kind) noexcept {
  return kind == ElementKind::Float32 ? DType::Float32 : DType::Float64;
}

Dataset to_dataset(const StoredMatrix& stored, const std::string& path, DType dtype, bool allow_non_finite) {
  if (dtype == DType::Float32) return to_dataset_as<float>(stored, path, dtype, allow_non_finite);
  return to_dataset_as<double>(stored, path, dtype, allow_non_finite);
}

std::vector<std::int64_t> to_labels(const StoredMatrix& stored, const std::string& path) {
  if (stored.cols != 1) fail(path, "expected one label per row, found " + std::to_string(stored.cols) + " columns");
  std::vector<std::int64_t> labels(stored.rows);
  visit_element_type(stored.kind, [&]<class Stored>(std::type_identity<Stored>) {
    for (std::size_t row = 0; row < stored.rows; ++row) {
      const auto value = element_at<Stored>(stored, row, 0);
      if constexpr (std::is_floating_point_v<Stored>) {
        // 2^63 is exact in floating point; every integral value in [-2^63, 2^63) fits std::int64_t.
        constexpr Stored two_to_63 = 9223372036854775808.0;
        if (!std::isfinite(value) || std::trunc(value) != value || value < -two_to_63 || value >= two_to_63) {
          fail(path, "row " + std::to_string(row + 1) + ": label " + shortest(value) + " is not an integer");
        }
      } else if constexpr (std::is_same_v<Stored, std::uint64_t>) {
        if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          fail(path, "row " + std::to_string(row + 1) + ": label " + shortest(value) + " is out of range");
        }
      }
      labels[row] = static_cast<std::int64_t>(value);
    }
  });
  return labels;
}

}  // namespace centrix::io::detail
