// A bfloat16 filter for the nearest-column kernel, on CPUs with AMX (Intel's
// tile matrix unit, Sapphire Rapids and later) or with AVX512-BF16 (vdpbf16ps:
// AMD Zen 4 and later, Intel Cooper Lake).
//
// The tile unit multiplies bfloat16 matrices about eight times faster than
// the float32 FMA units, vdpbf16ps about twice as fast (two products per
// lane per instruction), but bfloat16 keeps 8 bits of each value. So the
// approximate distances only pick candidates: every column whose approximate
// distance lies within a rigorous error band of the row's smallest one. The
// candidates are then computed with the float32 kernel's own arithmetic (one
// fused multiply-add chain per column, as in a lane of the vector kernel),
// and the nearest is chosen among them. A column
// outside the band is provably farther, in the float32 kernel's arithmetic,
// than the approximate nearest, so the label and the distance are bitwise
// those of the float32 kernel: the filter changes the speed, never the result.
// Both units add exact products of bfloat16 values in float32 (at most one
// rounding per coordinate, subnormals flushed), which is what the band allows for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace centrix::kernels {

template <class T>
struct ColumnPanel;

/// The columns of a float32 panel in bfloat16, laid out as the tile unit's
/// right-hand operand (which is also vdpbf16ps's: per coordinate pair, 16
/// columns' pairs side by side); empty unless the filter will be used.
struct Bf16Columns {
  std::size_t k_blocks = 0;  ///< column blocks of 16, padded to an even count
  std::size_t chunks = 0;    ///< coordinate chunks of 32, the last zero-padded
  /// [block][chunk]: 16 rows of 16 columns x 2 coordinates (VNNI pairs), 1 KiB each.
  std::vector<std::uint16_t> tiles;
  /// The float32 columns, row-major (k x d), for the exact distances of the candidates.
  std::vector<float> columns;
  double max_norm = 0;       ///< the largest ||c_j||, rounded up
  double max_sq_norm = 0;    ///< the largest ||c_j||^2, rounded up
  double max_rounding = 0;   ///< the largest ||c_j - bf16(c_j)||, rounded up
  double max_bf16_norm = 0;  ///< the largest ||bf16(c_j)||, rounded up

  [[nodiscard]] bool ready() const noexcept { return k_blocks != 0; }
};

/// Whether this CPU and OS run the tile unit (asked once; the OS must grant
/// the process the tile registers) or vdpbf16ps, and the filter is not
/// switched off.
bool bf16_filter_usable();
/// For tests and benchmarks: switch the filter off (false) or back on.
void set_bf16_filter_enabled(bool enabled);
/// The unit the filter runs on: "AMX", "AVX512-BF16" or "none".
const char* bf16_filter_unit();

/// Whether a panel of k columns of dimension d gets the filter: only where
/// the refinement of a few candidate tiles costs far less than all k columns.
bool bf16_filter_pays(std::size_t k, std::size_t d);

/// Whether asking for the runner-up too still pays (Hamerly's bounds): its
/// candidates reach from the second smallest distance and are the rows the
/// bounds could not settle, so it needs more columns: on mid (k = 256, d = 64)
/// Hamerly took 12.5 ms per iteration through the filter against 11.2 ms
/// without; on keops-large's shape (k = 1000) 134 against 161 ms.
bool bf16_filter_pays_with_runner_up(std::size_t k);

/// Fills `out` from the panel's float32 columns.
void build_bf16_columns(const ColumnPanel<float>& panel, Bf16Columns& out);

/// nearest_columns for DistanceForm::Expanded through the filter, with the
/// runner-up if second_dist is not null (the candidates then reach from the
/// second smallest approximate distance); panel.bf16 must be ready.
void nearest_columns_bf16(const float* rows, std::size_t n_rows, const float* row_sq_norms,
                          const ColumnPanel<float>& panel, std::int32_t* best, float* best_dist, float* second_dist);

}  // namespace centrix::kernels
