// Distance kernels between a block of rows and a set of columns ("centers").
//
// Nothing here knows about clustering: a kernel receives rows already in the
// frame it should work in (the caller centers or normalises them), a panel of
// columns prepared once, and writes the nearest column of each row or every
// distance. The panel stores the columns transposed, in slabs of kColumnTile
// columns (each slab d x kColumnTile, contiguous), so the innermost loop runs
// over columns with unit stride and vectorises, and a slab stays in L1 while
// a block of rows meets it. (A plain d x k_padded transpose put a slab's
// coordinates k_padded apart: with k_padded = 1024 floats that is 4 KiB, so
// all of them fell in one L1 set; 200k x 100 rows, k = 1000 took 371 ms per
// iteration on one thread against 289 ms with slabs.) The row
// tile x column tile accumulators stay in registers and the n x k distance
// matrix is never stored (Goto & van de Geijn 2008 style register tiling).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/nearest_amx.hpp"

namespace centrix::kernels {

/// How a squared Euclidean distance is evaluated.
enum class DistanceForm {
  /// sum_t (x_t - c_t)^2: exact, 3 flops per element; used for low dimensions.
  Direct,
  /// ||x||^2 + ||c||^2 - 2 x.c, clamped at 0: 2 flops per element, but loses
  /// precision when ||x|| is large against ||x - c||; the caller must center
  /// the data first.
  Expanded,
};

/// Dimension up to which DistanceForm::Direct is chosen: it needs no norms
/// and its extra flop per element costs little next to loop overheads.
inline constexpr std::size_t kDirectMaxDim = 16;

inline DistanceForm form_for_dimension(std::size_t d) noexcept {
  return d <= kDirectMaxDim ? DistanceForm::Direct : DistanceForm::Expanded;
}

/// Columns per register tile; the panel pads k to a multiple of this (two
/// vectors of the widest target, AVX-512).
template <class T>
inline constexpr std::size_t kColumnTile = 128 / sizeof(T);

/// k columns of dimension d, transposed and padded for the kernels.
template <class T>
struct ColumnPanel {
  /// Distance in T between one coordinate and the next within a slab.
  static constexpr std::size_t kSlabStride = kColumnTile<T>;

  std::size_t k = 0;
  std::size_t d = 0;
  std::size_t k_padded = 0;  ///< k rounded up to the column tile width
  /// k_padded / kColumnTile slabs of d x kColumnTile: column j, coordinate t
  /// at slabs[(j / kColumnTile) * d * kColumnTile + t * kColumnTile + j % kColumnTile].
  std::vector<T> slabs;
  std::vector<T> sq_norms;  ///< k_padded squared norms of the columns (0 for padding)
  std::vector<T> bias;      ///< k_padded: 0 for real columns, +infinity for padding so it never wins
  /// The columns for the AMX filter (nearest_amx.hpp): filled for float32
  /// panels where the CPU has the tile unit and the filter pays, else empty.
  Bf16Columns bf16;

  /// Coordinate 0 of column j; coordinate t of columns j .. j + w - 1 (all in
  /// j's slab) follows at t * kSlabStride.
  const T* columns_from(std::size_t j) const noexcept {
    return slabs.data() + (j / kColumnTile<T>)*d * kColumnTile<T> + j % kColumnTile<T>;
  }

  /// Fills the panel from k row-major columns of dimension d (source in any
  /// floating type, converted to T).
  template <class S>
  void assign(const S* columns, std::size_t k_, std::size_t d_);
};

/// For each of `n_rows` contiguous rows (row-major, panel.d columns) finds
/// the nearest panel column: best[i] gets its index (the lowest on ties) and
/// best_dist[i] its squared distance. `row_sq_norms` is needed only by
/// DistanceForm::Expanded (may be null for Direct). If `second_dist` is not
/// null it receives each row's second-smallest distance (the bounds of
/// Hamerly's algorithm need it). The nearest column does not depend on
/// whether the second is asked for, nor on which other rows share the call.
/// Runs the best SIMD target of the CPU (nearest_simd.cpp); k must stay
/// below 2^24 (indices ride in float lanes).
template <class T>
void nearest_columns(const T* rows, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel,
                     DistanceForm form, std::int32_t* best, T* best_dist, T* second_dist = nullptr);

/// Squared distances from one row to panel columns [j_begin, j_end), written
/// to out[j - j_begin]; j_begin and j_end are multiples of kColumnTile (j_end
/// at most k_padded; padding columns give +infinity). Each value is bitwise
/// the one nearest_columns compares for that row and column, so an algorithm
/// that computes only some columns still picks Lloyd's label.
template <class T>
void row_distances(const T* row, T row_sq_norm, const ColumnPanel<T>& panel, DistanceForm form, std::size_t j_begin,
                   std::size_t j_end, T* out);

/// Squared distances from each row to every panel column, written to
/// out[i * out_stride + j] for j < panel.k.
template <class T>
void all_distances(const T* rows, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel,
                   DistanceForm form, T* out, std::size_t out_stride);

/// A SIMD instruction set the kernels were compiled for and the CPU runs.
struct SimdTarget {
  std::int64_t id = 0;  ///< Highway's target bit
  const char* name = "";
};
/// Every target compiled in and supported here, best first.
std::vector<SimdTarget> simd_targets();
/// The target nearest_columns runs now.
const char* active_simd_target();
/// For tests: run only `target` from now on (0 restores the CPU's best).
void restrict_simd_target(std::int64_t target);

}  // namespace centrix::kernels
