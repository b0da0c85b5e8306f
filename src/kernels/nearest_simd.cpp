// The nearest-column kernel, written once with Highway's portable vectors and
// compiled for every x86 target it supports (a portable fallback, SSE4, AVX2,
// AVX-512); Highway picks the best the CPU runs, once, at the first call.
//
// Two loops, both register tiled so the n x k distances are never stored:
//  - panel kernel (any k): the centers are a transposed panel in contiguous
//    slabs of d x kColumnTile, and a tile is R rows x 2 vectors of columns. The
//    panel is walked 2 vectors of columns at a time (d x 2L values, a few KiB,
//    held in L1) and every
//    row of the block meets a slab before the next one is touched, as in the
//    GEMM blocking of Goto & van de Geijn (2008). Each row keeps its running
//    best per lane in a small buffer; the lanes are reduced once at the end.
//    With k up to one vector, slabs are one vector wide, so k = 5 pays for
//    one vector of lanes rather than two.
// Ties go to the lowest column, as in the reference.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/nearest_simd.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// foreach_target.h must come before highway.h.
#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "kernels/nearest.hpp"

HWY_BEFORE_NAMESPACE();
namespace centrix::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// Rows per tile: with 32 vector registers (AVX-512) 8 rows x 2 vectors of
/// accumulators fit; with 16 (SSE4, AVX2) 4 rows do.
constexpr std::size_t kTileRows = HWY_TARGET <= HWY_AVX3 ? 8 : 4;

/// One coordinate's step of a (row, column) chain, the same in every kernel
/// here: Direct adds (x - c)^2, Expanded x * c, each as one multiply-add.
template <DistanceForm Form, class V>
HWY_INLINE V accumulate(V x, V c, V acc) {
  if constexpr (Form == DistanceForm::Direct) {
    const V diff = hn::Sub(x, c);
    return hn::MulAdd(diff, diff, acc);
  } else {
    return hn::MulAdd(x, c, acc);
  }
}

/// A chain's distance, the same in every kernel here, so that their values
/// agree bitwise: Direct adds the column term (the padding's +infinity, else
/// 0); Expanded is max(0, ||x||^2 + column term - 2 acc), the column term being
/// bias + ||c||^2.
template <DistanceForm Form, class D>
HWY_INLINE hn::Vec<D> finish_distance(D d, hn::Vec<D> acc, hn::Vec<D> x_norm, hn::Vec<D> col_term) {
  if constexpr (Form == DistanceForm::Direct) {
    return hn::Add(acc, col_term);
  } else {
    return hn::Max(hn::Zero(d), hn::MulAdd(hn::Set(d, hn::TFromD<D>{-2}), acc, hn::Add(x_norm, col_term)));
  }
}

/// A per-thread aligned buffer of at least `size` values, kept between calls
/// (one per Slot and type).
template <class T, int Slot>
T* scratch(std::size_t size) {
  thread_local hwy::AlignedFreeUniquePtr<T[]> buffer;
  thread_local std::size_t capacity = 0;
  if (capacity < size) {
    capacity = size;
    buffer = hwy::AllocateAligned<T>(size);
  }
  return buffer.get();
}

/// Coordinates [begin, end) of a tile's rows; resume: the sums over the
/// coordinates before `begin` wait in the tile's partial buffer.
struct CoordinateChunk {
  std::size_t begin;
  std::size_t end;
  bool resume;
};

/// One tile of the panel kernel: R rows starting at `x` (row stride `dim`)
/// against the slab of 2 vectors of columns at `slab` (row stride ks), or
/// of one vector if !Two, over the coordinates of `chunk`. After the last
/// coordinate the finished distances update the rows' lane-wise best; before
/// it the sums go to `partial` (2 vectors per row), to be resumed: added in
/// the same order, they are bitwise the sums of one unbroken loop.
template <std::size_t R, DistanceForm Form, bool Second, bool Two, bool Chunked, class D, class T = hn::TFromD<D>>
HWY_INLINE void panel_tile(D d, const T* HWY_RESTRICT x, std::size_t dim, const T* HWY_RESTRICT x_norm,
                           const T* HWY_RESTRICT slab, std::size_t ks, hn::Vec<D> col_norm0, hn::Vec<D> col_norm1,
                           hn::Vec<D> index0, hn::Vec<D> index1, T* HWY_RESTRICT lane_best, T* HWY_RESTRICT lane_index,
                           T* HWY_RESTRICT lane_second, const CoordinateChunk& chunk, T* HWY_RESTRICT partial) {
  const std::size_t L = hn::Lanes(d);
  hn::Vec<D> acc0[R];
  hn::Vec<D> acc1[R];
  const bool resume = Chunked && chunk.resume;
  for (std::size_t r = 0; r < R; ++r) {
    acc0[r] = resume ? hn::Load(d, partial + 2 * r * L) : hn::Zero(d);
    acc1[r] = resume && Two ? hn::Load(d, partial + (2 * r + 1) * L) : hn::Zero(d);
  }
  const std::size_t t_end = Chunked ? chunk.end : dim;
  for (std::size_t t = Chunked ? chunk.begin : 0; t < t_end; ++t) {
    if constexpr (Chunked) {
      // Long rows: the R rows are R streams the hardware prefetcher follows
      // too late; a line four ahead in each, fetched now, made Fashion-MNIST's
      // kernel 15% faster. (Short rows are better without: it costs registers.)
      if ((t & 15) == 0) {
        for (std::size_t r = 0; r < R; ++r) __builtin_prefetch(x + r * dim + t + 64);
      }
    }
    const auto c0 = hn::LoadU(d, slab + t * ks);
    const auto c1 = Two ? hn::LoadU(d, slab + t * ks + L) : c0;
    for (std::size_t r = 0; r < R; ++r) {
      const auto xv = hn::Set(d, x[r * dim + t]);
      acc0[r] = accumulate<Form>(xv, c0, acc0[r]);
      if constexpr (Two) acc1[r] = accumulate<Form>(xv, c1, acc1[r]);
    }
  }
  if (Chunked && chunk.end < dim) {  // more coordinates to come: keep the partial sums
    for (std::size_t r = 0; r < R; ++r) {
      hn::Store(acc0[r], d, partial + 2 * r * L);
      if constexpr (Two) hn::Store(acc1[r], d, partial + (2 * r + 1) * L);
    }
    return;
  }
  for (std::size_t r = 0; r < R; ++r) {
    // Direct: col_norm holds only the padding's +infinity, and there are no row norms.
    const auto xn = Form == DistanceForm::Expanded ? hn::Set(d, x_norm[r]) : hn::Zero(d);
    const hn::Vec<D> dist0 = finish_distance<Form>(d, acc0[r], xn, col_norm0);
    // No second vector: +infinity, never wins.
    const hn::Vec<D> dist1 =
        Two ? finish_distance<Form>(d, acc1[r], xn, col_norm1) : hn::Set(d, std::numeric_limits<T>::infinity());
    // The second vector's columns are higher: they win only when strictly closer.
    const auto second_closer = hn::Lt(dist1, dist0);
    const auto tile_best = hn::IfThenElse(second_closer, dist1, dist0);
    const auto tile_index = hn::IfThenElse(second_closer, index1, index0);
    T* best = lane_best + r * L;
    T* index = lane_index + r * L;
    const auto old_best = hn::Load(d, best);
    const auto closer = hn::Lt(tile_best, old_best);
    if constexpr (Second) {
      // The two smallest of {best, second, tile best, tile second}.
      T* second = lane_second + r * L;
      const auto tile_second = hn::Max(dist0, dist1);
      const auto runner_up = hn::Min(hn::Max(old_best, tile_best), hn::Min(hn::Load(d, second), tile_second));
      hn::Store(runner_up, d, second);
    }
    hn::Store(hn::IfThenElse(closer, tile_best, old_best), d, best);
    hn::Store(hn::IfThenElse(closer, tile_index, hn::Load(d, index)), d, index);
  }
}

/// Every row of a block against one slab, over the coordinates of `chunk`:
/// tiles of R rows, then of 4, then single rows.
template <DistanceForm Form, bool Second, bool Two, bool Chunked, class D, class T = hn::TFromD<D>>
HWY_INLINE void slab_tiles(D d, const T* HWY_RESTRICT rows, std::size_t n_rows, std::size_t dim,
                           const T* HWY_RESTRICT norms, const T* HWY_RESTRICT slab, hn::Vec<D> col_norm0,
                           hn::Vec<D> col_norm1, hn::Vec<D> index0, hn::Vec<D> index1, T* HWY_RESTRICT lane_best,
                           T* HWY_RESTRICT lane_index, T* HWY_RESTRICT lane_second, const CoordinateChunk& chunk,
                           T* HWY_RESTRICT partial) {
  const std::size_t L = hn::Lanes(d);
  constexpr std::size_t ks = ColumnPanel<T>::kSlabStride;
  constexpr std::size_t R = kTileRows;
  std::size_t i = 0;
  const auto tiles_of = [&]<std::size_t Rows>() {
    for (; i + Rows <= n_rows; i += Rows) {
      panel_tile<Rows, Form, Second, Two, Chunked>(d, rows + i * dim, dim, norms ? norms + i : nullptr, slab, ks,
                                                   col_norm0, col_norm1, index0, index1, lane_best + i * L,
                                                   lane_index + i * L, lane_second + i * L, chunk, partial + 2 * i * L);
    }
  };
  tiles_of.template operator()<R>();
  tiles_of.template operator()<4>();
  tiles_of.template operator()<1>();
}

template <DistanceForm Form, bool Second, bool Two, class T>
void panel_kernel(const T* HWY_RESTRICT rows, std::size_t n_rows, const T* HWY_RESTRICT row_sq_norms,
                  const ColumnPanel<T>& panel, std::int32_t* HWY_RESTRICT best, T* HWY_RESTRICT best_dist,
                  T* HWY_RESTRICT second_dist) {
  const hn::ScalableTag<T> d;
  const std::size_t L = hn::Lanes(d);
  const std::size_t dim = panel.d;
  const std::size_t kp = panel.k_padded;
  static_assert(ColumnPanel<T>::kSlabStride % (2 * hn::MaxLanes(hn::ScalableTag<T>())) == 0,
                "a kernel slab lies within one panel slab");
  T* lane_best = scratch<T, 0>(3 * n_rows * L);
  T* lane_index = lane_best + n_rows * L;
  T* lane_second = lane_best + 2 * n_rows * L;
  std::fill(lane_best, lane_best + n_rows * L, std::numeric_limits<T>::infinity());
  std::fill(lane_index, lane_index + n_rows * L, T{0});
  if constexpr (Second) std::fill(lane_second, lane_second + n_rows * L, std::numeric_limits<T>::infinity());

  const T* norms = Form == DistanceForm::Expanded ? row_sq_norms : nullptr;
  // Slabs of two vectors of columns, or of one when k fits in one vector.
  const std::size_t width = Two ? 2 * L : L;
  // A slab's coordinates are walked in chunks of about 16 KiB of panel, so
  // the chunk stays in L1 while the rows stream past it however large d is
  // (Fashion-MNIST's 784 coordinates made 50-100 KiB per slab). The tiles'
  // sums wait in `partial` between chunks. With the prefetch in panel_tile,
  // a Fashion-MNIST iteration (k = 10, 2 threads) went from 31 to 25 ms.
  const std::size_t chunk_length = std::max<std::size_t>(64, 16384 / (width * sizeof(T)));
  T* partial = scratch<T, 1>(2 * n_rows * L);
  const std::size_t end = Two ? kp : (panel.k + L - 1) / L * L;
  for (std::size_t j0 = 0; j0 < end; j0 += width) {
    const T* slab = panel.columns_from(j0);
    // Padding columns carry +infinity in `bias`, so they never win.
    auto col_norm0 = hn::LoadU(d, panel.bias.data() + j0);
    auto col_norm1 = Two ? hn::LoadU(d, panel.bias.data() + j0 + L) : col_norm0;
    if constexpr (Form == DistanceForm::Expanded) {
      col_norm0 = hn::Add(col_norm0, hn::LoadU(d, panel.sq_norms.data() + j0));
      if (Two) col_norm1 = hn::Add(col_norm1, hn::LoadU(d, panel.sq_norms.data() + j0 + L));
    }
    const auto index0 = hn::Iota(d, static_cast<T>(j0));
    const auto index1 = hn::Iota(d, static_cast<T>(j0 + L));
    if (dim > chunk_length) {
      for (std::size_t t0 = 0; t0 < dim; t0 += chunk_length) {
        const CoordinateChunk chunk{t0, std::min(dim, t0 + chunk_length), t0 > 0};
        slab_tiles<Form, Second, Two, true>(d, rows, n_rows, dim, norms, slab, col_norm0, col_norm1, index0, index1,
                                            lane_best, lane_index, lane_second, chunk, partial);
      }
    } else {
      slab_tiles<Form, Second, Two, false>(d, rows, n_rows, dim, norms, slab, col_norm0, col_norm1, index0, index1,
                                           lane_best, lane_index, lane_second, CoordinateChunk{0, dim, false}, partial);
    }
  }
  // Each row's lanes reduced with vector operations (a scalar loop over the
  // lanes cost more than the distances themselves for small k and d). Lane w
  // only ever holds columns congruent to w modulo L, so the winning index
  // identifies the winning lane.
  const auto infinity = hn::Set(d, std::numeric_limits<T>::infinity());
  for (std::size_t i = 0; i < n_rows; ++i) {
    const auto lb = hn::Load(d, lane_best + i * L);
    const auto li = hn::Load(d, lane_index + i * L);
    const auto nearest = hn::MinOfLanes(d, lb);
    const auto index = hn::MinOfLanes(d, hn::IfThenElse(hn::Eq(lb, nearest), li, infinity));
    best[i] = static_cast<std::int32_t>(hn::GetLane(index));
    best_dist[i] = hn::GetLane(nearest);
    if constexpr (Second) {
      // Runner-up: every lane's second, and every other lane's best.
      const auto others = hn::IfThenElse(hn::Eq(li, index), infinity, lb);
      second_dist[i] = hn::GetLane(hn::MinOfLanes(d, hn::Min(hn::Load(d, lane_second + i * L), others)));
    }
  }
}

template <DistanceForm Form, class T>
void panel_kernel_for(const T* rows, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel,
                      std::int32_t* best, T* best_dist, T* second_dist) {
  const bool two = panel.k > hn::Lanes(hn::ScalableTag<T>());
  if (second_dist) {
    if (two) {
      panel_kernel<Form, true, true>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
    } else {
      panel_kernel<Form, true, false>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
    }
  } else if (two) {
    panel_kernel<Form, false, true>(rows, n_rows, row_sq_norms, panel, best, best_dist, static_cast<T*>(nullptr));
  } else {
    panel_kernel<Form, false, false>(rows, n_rows, row_sq_norms, panel, best, best_dist, static_cast<T*>(nullptr));
  }
}

template <class T>
void nearest(const T* rows, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel, DistanceForm form,
             std::int32_t* best, T* best_dist, T* second_dist) {
  if (n_rows == 0 || panel.k == 0) return;
  if (form == DistanceForm::Direct) {
    panel_kernel_for<DistanceForm::Direct>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
  } else {
    panel_kernel_for<DistanceForm::Expanded>(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
  }
}

// --- rows in lanes (small k) -------------------------------------------------------------------

/// Row vectors the lane kernel works on at once (two lane tiles), and at
/// most how many columns one pass takes: RV x C accumulators, 16 of them with
/// AVX-512's 32 registers (8 with 16 registers), enough independent chains of
/// multiply-adds to hide their latency on two ports, with ~2 loads per 3 FMAs.
template <class D>
constexpr std::size_t kLaneRowVectors = 2 * kLaneTile<hn::TFromD<D>> / hn::MaxLanes(D());
template <class D>
constexpr std::size_t kLaneColumns = std::max<std::size_t>(1, (HWY_TARGET <= HWY_AVX3 ? 16 : 8) / kLaneRowVectors<D>);

/// RV row vectors (rows in lanes, from lane tiles at `x`) against C columns
/// from j: the chain per (row, column) is panel_tile's. Each finished
/// distance goes to out(column, row vector, distance), columns in increasing
/// order.
template <DistanceForm Form, std::size_t RV, std::size_t C, class D, class Out, class T = hn::TFromD<D>>
HWY_INLINE void lane_columns(D d, const T* HWY_RESTRICT x, std::size_t dim, const hn::Vec<D>* x_norm,
                             const ColumnPanel<T>& panel, std::size_t j, Out& out) {
  constexpr std::size_t W = kLaneTile<T>;
  constexpr std::size_t L = hn::MaxLanes(D());
  constexpr std::size_t V = W / L;  // vectors per tile
  const T* column[C];
  for (std::size_t c = 0; c < C; ++c) column[c] = panel.row_major.data() + (j + c) * dim;
  hn::Vec<D> acc[RV][C];
  for (std::size_t v = 0; v < RV; ++v) {
    for (std::size_t c = 0; c < C; ++c) acc[v][c] = hn::Zero(d);
  }
  for (std::size_t t = 0; t < dim; ++t) {
    hn::Vec<D> xv[RV];
    for (std::size_t v = 0; v < RV; ++v) xv[v] = hn::LoadU(d, x + (v / V) * dim * W + t * W + (v % V) * L);
    for (std::size_t c = 0; c < C; ++c) {
      const auto cv = hn::Set(d, column[c][t]);
      for (std::size_t v = 0; v < RV; ++v) acc[v][c] = accumulate<Form>(xv[v], cv, acc[v][c]);
    }
  }
  for (std::size_t c = 0; c < C; ++c) {
    // The panel kernel's column term: bias, plus the squared norm (Expanded), added in T.
    const T bias = panel.bias[j + c];
    const auto col_norm =
        hn::Set(d, Form == DistanceForm::Direct ? bias : static_cast<T>(bias + panel.sq_norms[j + c]));
    for (std::size_t v = 0; v < RV; ++v) out(j + c, v, finish_distance<Form>(d, acc[v][c], x_norm[v], col_norm));
  }
}

/// Every panel column against RV row vectors from lane tiles at `x`, in
/// passes of nearly equal width (k = 10 with C = 8: 5 and 5, not 8 and 2: a
/// narrow pass has too few chains), columns in increasing order.
template <DistanceForm Form, std::size_t RV, class D, class Out, class T = hn::TFromD<D>>
HWY_INLINE void lane_passes(D d, const T* HWY_RESTRICT x, const hn::Vec<D>* x_norm, const ColumnPanel<T>& panel,
                            Out& out) {
  constexpr std::size_t C = kLaneColumns<D>;
  const std::size_t k = panel.k;
  const std::size_t passes = (k + C - 1) / C;
  for (std::size_t p = 0; p < passes; ++p) {
    const std::size_t j = p * k / passes;
    const std::size_t width = (p + 1) * k / passes - j;
    [&]<std::size_t... Widths>(std::index_sequence<Widths...>) {
      ((width == Widths + 1 ? (lane_columns<Form, RV, Widths + 1>(d, x, panel.d, x_norm, panel, j, out), 0) : 0), ...);
    }
    (std::make_index_sequence<C>{});
  }
}

/// The squared norms of rows [0, live) of RV row vectors, in lanes (zeros
/// past `live`, and for Direct, which does not read them).
template <DistanceForm Form, std::size_t RV, class D, class T = hn::TFromD<D>>
HWY_INLINE void lane_norms(D d, const T* HWY_RESTRICT row_sq_norms, std::size_t live, hn::Vec<D>* x_norm) {
  constexpr std::size_t L = hn::MaxLanes(D());
  HWY_ALIGN T norms[RV * L] = {};
  if (Form == DistanceForm::Expanded) std::copy(row_sq_norms, row_sq_norms + live, norms);
  for (std::size_t v = 0; v < RV; ++v) x_norm[v] = hn::Load(d, norms + v * L);
}

/// lane_columns' output for nearest_columns_in_lanes: each row's running
/// best, its column and the runner-up, the lower column winning ties.
template <bool Second, std::size_t RV, class D>
struct LaneNearest {
  D d;
  hn::Vec<D> best[RV];
  hn::Vec<D> index[RV];
  hn::Vec<D> second[RV];

  HWY_INLINE void operator()(std::size_t j, std::size_t v, hn::Vec<D> dist) {
    if constexpr (Second) second[v] = hn::Min(second[v], hn::Max(best[v], dist));
    const auto closer = hn::Lt(dist, best[v]);
    best[v] = hn::IfThenElse(closer, dist, best[v]);
    index[v] = hn::IfThenElse(closer, hn::Set(d, static_cast<hn::TFromD<D>>(j)), index[v]);
  }
};

/// lane_columns' output for distances_in_lanes: row vector v's distances to
/// column j at out + j * stride + v * L.
template <class D>
struct LaneStore {
  D d;
  hn::TFromD<D>* HWY_RESTRICT out;
  std::size_t stride;

  HWY_INLINE void operator()(std::size_t j, std::size_t v, hn::Vec<D> dist) {
    hn::StoreU(dist, d, out + j * stride + v * hn::MaxLanes(D()));
  }
};

/// Every column against RV row vectors from lane tiles at `x`, rows [0, live)
/// of them stored (row_sq_norms: `live` norms, Expanded only).
template <DistanceForm Form, bool Second, std::size_t RV, class D, class T = hn::TFromD<D>>
HWY_INLINE void lane_rows(D d, const T* HWY_RESTRICT x, std::size_t live, const T* HWY_RESTRICT row_sq_norms,
                          const ColumnPanel<T>& panel, std::int32_t* HWY_RESTRICT best_out, T* HWY_RESTRICT best_dist,
                          T* HWY_RESTRICT second_dist) {
  constexpr std::size_t L = hn::MaxLanes(D());
  hn::Vec<D> x_norm[RV];
  lane_norms<Form, RV>(d, row_sq_norms, live, x_norm);
  LaneNearest<Second, RV, D> nearest{d, {}, {}, {}};
  for (std::size_t v = 0; v < RV; ++v) {
    nearest.best[v] = hn::Set(d, std::numeric_limits<T>::infinity());
    nearest.index[v] = hn::Zero(d);
    nearest.second[v] = nearest.best[v];
  }
  lane_passes<Form, RV>(d, x, x_norm, panel, nearest);
  // Row vector v holds rows v * L .. v * L + L - 1.
  HWY_ALIGN std::int32_t index_out[RV * L];
  HWY_ALIGN T best_out_buffer[RV * L];
  HWY_ALIGN T second_out[RV * L];
  for (std::size_t v = 0; v < RV; ++v) {
    if constexpr (sizeof(T) == 4) {
      const hn::RebindToSigned<D> di;
      hn::Store(hn::ConvertTo(di, nearest.index[v]), di, index_out + v * L);
    } else {
      const hn::Rebind<std::int32_t, D> di;
      hn::Store(hn::DemoteTo(di, nearest.index[v]), di, index_out + v * L);
    }
    hn::Store(nearest.best[v], d, best_out_buffer + v * L);
    if constexpr (Second) hn::Store(nearest.second[v], d, second_out + v * L);
  }
  std::copy(index_out, index_out + live, best_out);
  std::copy(best_out_buffer, best_out_buffer + live, best_dist);
  if constexpr (Second) std::copy(second_out, second_out + live, second_dist);
}

/// Walks rows stored as lane tiles: run.template operator()<Vectors>(i,
/// live) for rows i .. i + live - 1, two tiles (RV row vectors) at a time,
/// then one, the last perhaps partial.
template <class T, std::size_t RV, class Run>
HWY_INLINE void walk_lane_tiles(std::size_t n_rows, Run&& run) {
  constexpr std::size_t W = kLaneTile<T>;
  std::size_t i = 0;
  for (; i + 2 * W <= n_rows; i += 2 * W) run.template operator()<RV>(i, 2 * W);
  for (; i < n_rows; i += W) run.template operator()<RV / 2>(i, std::min(W, n_rows - i));
}

template <DistanceForm Form, bool Second, class T>
void lane_kernel(const T* HWY_RESTRICT tiles, std::size_t n_rows, const T* HWY_RESTRICT row_sq_norms,
                 const ColumnPanel<T>& panel, std::int32_t* HWY_RESTRICT best, T* HWY_RESTRICT best_dist,
                 T* HWY_RESTRICT second_dist) {
  const hn::ScalableTag<T> d;
  const std::size_t dim = panel.d;
  const T* norms = Form == DistanceForm::Expanded ? row_sq_norms : nullptr;
  walk_lane_tiles<T, kLaneRowVectors<decltype(d)>>(n_rows, [&]<std::size_t Vectors>(std::size_t i, std::size_t live) {
    lane_rows<Form, Second, Vectors>(d, tiles + i * dim, live, norms ? norms + i : nullptr, panel, best + i,
                                     best_dist + i, Second ? second_dist + i : nullptr);
  });
}

template <class T>
void nearest_in_lanes(const T* tiles, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel,
                      DistanceForm form, std::int32_t* best, T* best_dist, T* second_dist) {
  if (n_rows == 0 || panel.k == 0) return;
  const auto run = [&]<DistanceForm Form>() {
    if (second_dist) {
      lane_kernel<Form, true>(tiles, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
    } else {
      lane_kernel<Form, false>(tiles, n_rows, row_sq_norms, panel, best, best_dist, static_cast<T*>(nullptr));
    }
  };
  if (form == DistanceForm::Direct) {
    run.template operator()<DistanceForm::Direct>();
  } else {
    run.template operator()<DistanceForm::Expanded>();
  }
}

void nearest_in_lanes_f32(const float* tiles, std::size_t n_rows, const float* row_sq_norms,
                          const ColumnPanel<float>& panel, DistanceForm form, std::int32_t* best, float* best_dist,
                          float* second_dist) {
  nearest_in_lanes(tiles, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}
void nearest_in_lanes_f64(const double* tiles, std::size_t n_rows, const double* row_sq_norms,
                          const ColumnPanel<double>& panel, DistanceForm form, std::int32_t* best, double* best_dist,
                          double* second_dist) {
  nearest_in_lanes(tiles, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}

/// distances_in_lanes; every row vector's distances are stored whole (the
/// padding lanes too).
template <DistanceForm Form, class T>
void lane_distances(const T* HWY_RESTRICT tiles, std::size_t n_rows, const T* HWY_RESTRICT row_sq_norms,
                    const ColumnPanel<T>& panel, T* HWY_RESTRICT out, std::size_t out_stride) {
  const hn::ScalableTag<T> d;
  const std::size_t dim = panel.d;
  const T* norms = Form == DistanceForm::Expanded ? row_sq_norms : nullptr;
  walk_lane_tiles<T, kLaneRowVectors<decltype(d)>>(n_rows, [&]<std::size_t Vectors>(std::size_t i, std::size_t live) {
    hn::Vec<decltype(d)> x_norm[Vectors];
    lane_norms<Form, Vectors>(d, norms ? norms + i : nullptr, live, x_norm);
    LaneStore<decltype(d)> store{d, out + i, out_stride};
    lane_passes<Form, Vectors>(d, tiles + i * dim, x_norm, panel, store);
  });
}

template <class T>
void distances_in_lanes_any(const T* tiles, std::size_t n_rows, const T* row_sq_norms, const ColumnPanel<T>& panel,
                            DistanceForm form, T* out, std::size_t out_stride) {
  if (n_rows == 0 || panel.k == 0) return;
  if (form == DistanceForm::Direct) {
    lane_distances<DistanceForm::Direct>(tiles, n_rows, row_sq_norms, panel, out, out_stride);
  } else {
    lane_distances<DistanceForm::Expanded>(tiles, n_rows, row_sq_norms, panel, out, out_stride);
  }
}

void distances_in_lanes_f32(const float* tiles, std::size_t n_rows, const float* row_sq_norms,
                            const ColumnPanel<float>& panel, DistanceForm form, float* out, std::size_t out_stride) {
  distances_in_lanes_any(tiles, n_rows, row_sq_norms, panel, form, out, out_stride);
}
void distances_in_lanes_f64(const double* tiles, std::size_t n_rows, const double* row_sq_norms,
                            const ColumnPanel<double>& panel, DistanceForm form, double* out, std::size_t out_stride) {
  distances_in_lanes_any(tiles, n_rows, row_sq_norms, panel, form, out, out_stride);
}

/// V vectors of columns from j0 for one row, with panel_tile's arithmetic.
template <std::size_t V, DistanceForm Form, class D, class T = hn::TFromD<D>>
HWY_INLINE void row_vectors(D d, const T* HWY_RESTRICT x, T x_norm, const ColumnPanel<T>& panel, std::size_t j0,
                            T* HWY_RESTRICT out) {
  const std::size_t L = hn::Lanes(d);
  constexpr std::size_t ks = ColumnPanel<T>::kSlabStride;
  const T* ct[V];
  for (std::size_t v = 0; v < V; ++v) ct[v] = panel.columns_from(j0 + v * L);
  hn::Vec<D> acc[V];
  for (std::size_t v = 0; v < V; ++v) acc[v] = hn::Zero(d);
  for (std::size_t t = 0; t < panel.d; ++t) {
    const auto xv = hn::Set(d, x[t]);
    for (std::size_t v = 0; v < V; ++v) acc[v] = accumulate<Form>(xv, hn::LoadU(d, ct[v] + t * ks), acc[v]);
  }
  for (std::size_t v = 0; v < V; ++v) {
    const std::size_t j = j0 + v * L;
    auto col_norm = hn::LoadU(d, panel.bias.data() + j);
    if constexpr (Form == DistanceForm::Expanded) col_norm = hn::Add(col_norm, hn::LoadU(d, panel.sq_norms.data() + j));
    hn::StoreU(finish_distance<Form>(d, acc[v], hn::Set(d, x_norm), col_norm), d, out + v * L);
  }
}

/// Distances from one row to the panel columns [j_begin, j_end), with
/// exactly the arithmetic of the panel kernel (the per-lane chain), so a
/// caller that looks at some columns sees the values Lloyd compares.
template <class T>
void row_distances_impl(const T* x, T x_norm, const ColumnPanel<T>& panel, DistanceForm form, std::size_t j_begin,
                        std::size_t j_end, T* out) {
  const hn::ScalableTag<T> d;
  const std::size_t L = hn::Lanes(d);
  std::size_t j = j_begin;
  if (form == DistanceForm::Direct) {
    for (; j + 4 * L <= j_end; j += 4 * L)
      row_vectors<4, DistanceForm::Direct>(d, x, x_norm, panel, j, out + j - j_begin);
    for (; j < j_end; j += L) row_vectors<1, DistanceForm::Direct>(d, x, x_norm, panel, j, out + j - j_begin);
  } else {
    for (; j + 4 * L <= j_end; j += 4 * L) {
      row_vectors<4, DistanceForm::Expanded>(d, x, x_norm, panel, j, out + j - j_begin);
    }
    for (; j < j_end; j += L) row_vectors<1, DistanceForm::Expanded>(d, x, x_norm, panel, j, out + j - j_begin);
  }
}

void row_distances_f32(const float* x, float x_norm, const ColumnPanel<float>& panel, DistanceForm form,
                       std::size_t j_begin, std::size_t j_end, float* out) {
  row_distances_impl(x, x_norm, panel, form, j_begin, j_end, out);
}
void row_distances_f64(const double* x, double x_norm, const ColumnPanel<double>& panel, DistanceForm form,
                       std::size_t j_begin, std::size_t j_end, double* out) {
  row_distances_impl(x, x_norm, panel, form, j_begin, j_end, out);
}

/// Whether this target's MulAdd is one fused multiply-add (the bfloat16 filter's
/// exact distances are fused chains, so it may stand in only for such targets).
bool fuses_multiply_add() {
  return HWY_NATIVE_FMA != 0;
}

void nearest_f32(const float* rows, std::size_t n_rows, const float* row_sq_norms, const ColumnPanel<float>& panel,
                 DistanceForm form, std::int32_t* best, float* best_dist, float* second_dist) {
  nearest(rows, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}
void nearest_f64(const double* rows, std::size_t n_rows, const double* row_sq_norms, const ColumnPanel<double>& panel,
                 DistanceForm form, std::int32_t* best, double* best_dist, double* second_dist) {
  nearest(rows, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}

}  // namespace HWY_NAMESPACE
}  // namespace centrix::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace centrix::kernels {

HWY_EXPORT(nearest_f32);
HWY_EXPORT(fuses_multiply_add);
HWY_EXPORT(nearest_f64);
HWY_EXPORT(nearest_in_lanes_f32);
HWY_EXPORT(nearest_in_lanes_f64);
HWY_EXPORT(distances_in_lanes_f32);
HWY_EXPORT(distances_in_lanes_f64);
HWY_EXPORT(row_distances_f32);
HWY_EXPORT(row_distances_f64);

template <>
void row_distances<float>(const float* row, float row_sq_norm, const ColumnPanel<float>& panel, DistanceForm form,
                          std::size_t j_begin, std::size_t j_end, float* out) {
  HWY_DYNAMIC_DISPATCH(row_distances_f32)(row, row_sq_norm, panel, form, j_begin, j_end, out);
}
template <>
void row_distances<double>(const double* row, double row_sq_norm, const ColumnPanel<double>& panel, DistanceForm form,
                           std::size_t j_begin, std::size_t j_end, double* out) {
  HWY_DYNAMIC_DISPATCH(row_distances_f64)(row, row_sq_norm, panel, form, j_begin, j_end, out);
}

template <>
void nearest_columns<float>(const float* rows, std::size_t n_rows, const float* row_sq_norms,
                            const ColumnPanel<float>& panel, DistanceForm form, std::int32_t* best, float* best_dist,
                            float* second_dist) {
  if (form == DistanceForm::Expanded && row_sq_norms != nullptr && panel.filter.ready() &&
      (second_dist == nullptr || panel.filter.with_runner_up) && HWY_DYNAMIC_DISPATCH(fuses_multiply_add)()) {
    nearest_columns_filtered(rows, n_rows, row_sq_norms, panel, best, best_dist, second_dist);
    return;
  }
  HWY_DYNAMIC_DISPATCH(nearest_f32)(rows, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}
template <>
void nearest_columns<double>(const double* rows, std::size_t n_rows, const double* row_sq_norms,
                             const ColumnPanel<double>& panel, DistanceForm form, std::int32_t* best, double* best_dist,
                             double* second_dist) {
  HWY_DYNAMIC_DISPATCH(nearest_f64)(rows, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}

template <>
void nearest_columns_in_lanes<float>(const float* tiles, std::size_t n_rows, const float* row_sq_norms,
                                     const ColumnPanel<float>& panel, DistanceForm form, std::int32_t* best,
                                     float* best_dist, float* second_dist) {
  HWY_DYNAMIC_DISPATCH(nearest_in_lanes_f32)(tiles, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}
template <>
void nearest_columns_in_lanes<double>(const double* tiles, std::size_t n_rows, const double* row_sq_norms,
                                      const ColumnPanel<double>& panel, DistanceForm form, std::int32_t* best,
                                      double* best_dist, double* second_dist) {
  HWY_DYNAMIC_DISPATCH(nearest_in_lanes_f64)(tiles, n_rows, row_sq_norms, panel, form, best, best_dist, second_dist);
}

template <>
void distances_in_lanes<float>(const float* tiles, std::size_t n_rows, const float* row_sq_norms,
                               const ColumnPanel<float>& panel, DistanceForm form, float* out, std::size_t out_stride) {
  HWY_DYNAMIC_DISPATCH(distances_in_lanes_f32)(tiles, n_rows, row_sq_norms, panel, form, out, out_stride);
}
template <>
void distances_in_lanes<double>(const double* tiles, std::size_t n_rows, const double* row_sq_norms,
                                const ColumnPanel<double>& panel, DistanceForm form, double* out,
                                std::size_t out_stride) {
  HWY_DYNAMIC_DISPATCH(distances_in_lanes_f64)(tiles, n_rows, row_sq_norms, panel, form, out, out_stride);
}

std::vector<SimdTarget> simd_targets() {
  std::vector<SimdTarget> out;
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets())
    out.push_back({target, hwy::TargetName(target)});
  return out;
}

void restrict_simd_target(std::int64_t target) {
  hwy::SetSupportedTargetsForTest(target);
  hwy::GetChosenTarget().DeInit();  // the next call chooses again
}

const char* active_simd_target() {
  // The chosen target is the best of the supported ones.
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  return targets.empty() ? "none" : hwy::TargetName(targets.front());
}

}  // namespace centrix::kernels
#endif  // HWY_ONCE
