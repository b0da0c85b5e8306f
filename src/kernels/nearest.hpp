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

#include "kernels/nearest_filter.hpp"

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

/// Up to this many columns nearest_columns_in_lanes beats the panel kernel:
/// the panel kernel fills the lanes of one vector with columns, so k = 5 uses
/// 5 of 16 lanes and each row still pays a reduction across the lanes.
/// Measured per Lloyd iteration, one thread, float32: 5000 x 26 at k = 26
/// 135 -> 101 us; 20000 x 32 at k = 32 685 -> 611 us and at k = 48 1035 ->
/// 900 us; 3000 x 200 at k = 40 773 -> 560 us.
inline constexpr std::size_t kLaneMaxColumns = 48;

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
  /// The k columns row-major (k x d), for the lane kernels and the filter's
  /// exact distances of its candidates (read from the
  /// slabs, a pass over four columns touched a 128-byte line per coordinate,
  /// which with the rows overflowed L1 at d = 200).
  std::vector<T> row_major;
  /// The columns for the low-precision filter (nearest_filter.hpp): filled for
  /// float32 panels where the CPU has a unit for it and the filter pays, else empty.
  FilterColumns filter;

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

/// Rows per lane tile: 64 bytes of one coordinate. Rows stored as lane tiles
/// are grouped kLaneTile at a time, and within a group coordinate-major: row
/// g * kLaneTile + r, coordinate t at tiles[g * d * kLaneTile + t * kLaneTile + r];
/// the last group is padded with zero rows.
template <class T>
inline constexpr std::size_t kLaneTile = 64 / sizeof(T);

/// nearest_columns for rows stored as lane tiles (`tiles` points at the
/// first row's group; n_rows need not fill the last group): the rows run in
/// the vector lanes and the columns one at a time, so every lane does useful
/// work whatever k is. Each (row, column) distance is the same chain of fused
/// multiply-adds the panel kernel runs in a lane, so labels, distances and
/// runners-up are bitwise those of nearest_columns on the same rows.
template <class T>
void nearest_columns_in_lanes(const T* tiles, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel,
                              DistanceForm form, std::int32_t* best, T* best_dist, T* second_dist = nullptr);

/// Squared distances from rows stored as lane tiles (as nearest_columns_in_lanes)
/// to every panel column, column by column: row i's distance to column j at
/// out[j * out_stride + i]. out_stride is a multiple of kLaneTile<T> and at
/// least n_rows rounded up to one; the padding rows of the last tile are
/// written too, with meaningless values. Each distance is bitwise the one
/// nearest_columns compares for that row and column.
template <class T>
void distances_in_lanes(const T* tiles, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel,
                        DistanceForm form, T* out, std::size_t out_stride);

/// Copies `n_rows` row-major rows of dimension d into lane tiles at `tiles`
/// (room for n_rows rounded up to kLaneTile rows), zero-padding the last group.
template <class T>
void to_lane_tiles(const T* rows, std::size_t n_rows, std::size_t d, T* tiles);

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
