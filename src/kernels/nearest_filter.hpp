// A low-precision filter for the nearest-column kernel: approximate distances
// in bfloat16 on AMX (Intel's tile matrix unit, Sapphire Rapids and later) or
// with vdpbf16ps (AVX512-BF16: AMD Zen 4, Intel Cooper Lake and later), or in
// int8 with vpdpbusd (AVX512-VNNI: AMD Zen 4, Intel Ice Lake and later).
//
// The tile unit multiplies bfloat16 matrices about eight times faster than
// the float32 FMA units; vdpbf16ps is about twice as fast (two products per
// lane per instruction) and vpdpbusd four times (four int8 products, exact
// int32 sums). But bfloat16 keeps 8 bits of each value and int8 less (a
// scale per row or column, 127 steps either side). So the approximate
// distances only pick candidates. Each row's approximate nearest column is
// computed exactly, with the float32 kernel's own arithmetic (one fused
// multiply-add chain per column, as in a lane of the vector kernel). Then
// every column whose approximate distance lies within a rigorous error band
// of that exact distance is computed exactly too, and the nearest is chosen
// among them. A column outside the band is provably farther, in the float32
// kernel's arithmetic, than the approximate nearest, so the label and the
// distance are bitwise those of the float32 kernel: the filter changes the
// speed, never the result. The band covers the measured rounding of the rows
// and columns, the float32 additions of exact bfloat16 products (at most one
// rounding per coordinate, subnormals flushed) or the int32 sums' scaling, and
// the float32 kernel's own rounding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/uninitialized.hpp"

namespace centrix::kernels {

template <class T>
struct ColumnPanel;

/// The columns of a float32 panel as the filter's unit reads them; empty
/// unless the filter will be used.
struct FilterColumns {
  std::uint8_t unit = 0;        ///< the unit that reads them (0: none; see nearest_filter.cpp)
  bool with_runner_up = false;  ///< whether the filter also pays where the runner-up is asked for
  std::size_t k_blocks = 0;     ///< column blocks of 16, padded to an even count
  double max_norm = 0;          ///< the largest ||c_j||, rounded up
  double max_sq_norm = 0;       ///< the largest ||c_j||^2, rounded up

  // bfloat16 (the tile unit and vdpbf16ps):
  std::size_t chunks = 0;  ///< coordinate chunks of 32, the last zero-padded
  /// [block][chunk]: 16 rows of 16 columns x 2 coordinates (VNNI pairs), 1 KiB
  /// each; 64-byte aligned, so that a vector load never splits a cache line.
  detail::UninitializedVector<std::uint16_t> bf16_tiles;
  double max_bf16_rounding = 0;  ///< the largest ||c_j - bf16(c_j)||, rounded up
  double max_bf16_norm = 0;      ///< the largest ||bf16(c_j)||, rounded up

  // int8 (vpdpbusd): column j is about int8_scales[j] times its int8 values q_j.
  std::size_t quads = 0;  ///< groups of four coordinates, the last zero-padded
  /// [block][quad]: 16 columns x 4 int8 coordinates side by side (vpdpbusd's right operand), 64 bytes each.
  detail::UninitializedVector<std::int8_t> int8_tiles;
  std::vector<float> int8_scales;          ///< k_padded: each column's largest magnitude / 127 (0 for padding)
  std::vector<std::int32_t> int8_offsets;  ///< k_padded: 128 sum_t q_j[t] (the rows' values are stored plus 128)
  double max_int8_rounding = 0;            ///< the largest ||c_j - scale_j q_j||, rounded up
  double max_int8_norm = 0;                ///< the largest ||scale_j q_j||, rounded up

  [[nodiscard]] bool ready() const noexcept { return unit != 0; }
};

/// For tests and benchmarks: switch the filter off (false) or back on.
void set_filter_enabled(bool enabled);
/// The units this CPU and OS offer: "AMX", "AVX512-VNNI", "AVX512-BF16".
std::vector<std::string> filter_units();
/// For tests: run every filter through this unit (one of filter_units()),
/// whatever the shape; "" goes back to choosing by shape.
void force_filter_unit(const std::string& unit);
/// The unit a panel of k columns of dimension d gets, or "none" where the
/// filter does not pay: where refining a few candidates does not cost far
/// less than all k columns.
std::string filter_unit_for(std::size_t k, std::size_t d);

/// Fills `out` for the unit filter_unit_for(panel.k, panel.d) picks, from
/// the panel's float32 columns; leaves it empty where that is none.
void build_filter_columns(const ColumnPanel<float>& panel, FilterColumns& out);

/// nearest_columns for DistanceForm::Expanded through the filter, with the
/// runner-up if second_dist is not null (the candidates then reach from the
/// second smallest approximate distance); panel.filter must be ready.
void nearest_columns_filtered(const float* rows, std::size_t n_rows, const float* row_sq_norms,
                              const ColumnPanel<float>& panel, std::int32_t* best, float* best_dist,
                              float* second_dist);

}  // namespace centrix::kernels
