// Labelings as the metrics need them: label values renumbered 0..k-1, and the
// sparse contingency table of two labelings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix::detail {

/// A labeling with its values renumbered 0..k-1 in increasing order of value.
struct DenseLabels {
  std::vector<std::int32_t> ids;     ///< per row: the index of its label in `values`
  std::vector<std::int64_t> values;  ///< the k distinct label values, increasing
  std::vector<std::int64_t> counts;  ///< rows per label

  [[nodiscard]] std::size_t k() const noexcept { return values.size(); }
};

/// Renumbers arbitrary integer labels: O(n) when the values span a range of
/// at most about 2n (0..k-1, 1..k, ...), else O(n log n).
template <class L>
DenseLabels dense_labels(std::span<const L> labels);

/// The non-zero cells of the contingency table of two labelings, row-major:
/// row i is the i-th smallest value of the first labeling, column j the j-th
/// smallest of the second.
struct Contingency {
  std::vector<std::int64_t> row_sums;  ///< rows per label of the first labeling
  std::vector<std::int64_t> col_sums;  ///< rows per label of the second labeling
  std::vector<std::int32_t> cell_row;  ///< row index of each non-zero cell
  std::vector<std::int32_t> cell_col;  ///< column index of each non-zero cell
  std::vector<std::int64_t> cell;      ///< its count
  std::int64_t n = 0;                  ///< total count
};

/// Builds the table in O(n + k_a + k_b) plus a sort of each row's cells;
/// throws InvalidArgument (prefixed by `what`) for labelings of different
/// lengths or empty ones.
template <class L>
Contingency contingency(std::span<const L> a, std::span<const L> b, const char* what);

/// Throws InvalidArgument unless there is one label per row and at least one row.
void check_label_count(std::size_t n_labels, std::size_t n_rows, const char* what);

}  // namespace centrix::detail
