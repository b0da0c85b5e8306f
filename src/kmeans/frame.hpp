// The coordinate frame the distance kernels work in.
//
// Euclidean: rows are shifted by an origin (the column means when fitting),
// so the expanded form ||x||^2 + ||c||^2 - 2 x.c does not cancel on data far
// from zero (the UEF sets have coordinates near 10^6). Cosine: rows are
// scaled to unit length, then shifted by the mean unit row: for unit vectors
// 1 - cos = ||x - c||^2 / 2, which a common shift keeps, and where the rows
// point almost the same way (data far from 0) the shift keeps the digits that
// 2 - 2 x.c would cancel. Rows are converted block by block into a small
// per-thread buffer, so the caller's data is never copied as a whole.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "centrix/kmeans.hpp"
#include "common/parallel.hpp"
#include "common/uninitialized.hpp"
#include "kernels/nearest.hpp"

namespace centrix::detail {

/// Which frames also hold their rows as lane tiles (DataFrame::lane_tiles).
enum class LaneTiles {
  None,       ///< no frame
  WhereHeld,  ///< a frame that holds a copy of the rows (Lloyd's lane kernel, run every iteration)
  Always,     ///< also a frame that is the data itself, up to cache_bytes (k-means++, run once: a
              ///< transpose per block and pass cost it more than the copy)
};

/// How a held frame keeps its rows when it also has lane tiles.
enum class HeldRows {
  RowMajor,   ///< the rows as rows too (what block() hands out)
  TilesOnly,  ///< only the tiles: for callers that read nothing else (Lloyd's lane kernel; the center sums
              ///< read the data). Half the memory, and one write of the rows per fit instead of two;
              ///< block() loads rows that are asked for into the caller's buffer.
};

template <class T>
class DataFrame {
 public:
  /// For fitting: the origin is the column means (rounded to T); also computes the mean
  /// feature variance; `tiles` says whether the rows are also held as lane
  /// tiles (written in the same pass as a held copy), and `held_rows` whether
  /// a held frame with tiles keeps its rows as rows too.
  static DataFrame for_fit(MatrixView<T> data, Metric metric, int n_threads, LaneTiles tiles = LaneTiles::None,
                           HeldRows held_rows = HeldRows::RowMajor);
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
  /// Block b of the frame: `rows` and `sq_norms` point at its rows and their
  /// squared norms where the frame holds them (cached, or the data in place),
  /// else at `buffer` (block_rows x dim) and `sq_buffer`, loaded; returns how
  /// many rows the block has. Without `need_rows`, where the squared norms are
  /// held, `rows` is null and nothing is loaded (the caller reads the tiles).
  std::size_t block(std::size_t b, T* buffer, T* sq_buffer, const T*& rows, const T*& sq_norms,
                    bool need_rows = true) const;

  /// Blocks are visited in groups of consecutive blocks (about kBlockGroups
  /// of them, fixed by the row count and the dimension): the blocks of a group
  /// run in order, on one thread.
  static constexpr std::size_t kBlockGroups = 16;
  [[nodiscard]] std::size_t blocks_per_group() const noexcept { return (n_blocks() + kBlockGroups - 1) / kBlockGroups; }
  [[nodiscard]] std::size_t n_groups() const noexcept {
    const std::size_t per = blocks_per_group();
    return per == 0 ? 0 : (n_blocks() + per - 1) / per;
  }

  /// What for_each_block calls before and after each block, with (group,
  /// first_row, count), on the thread that runs the block: the driver notes
  /// the block's labels before the step changes them, and afterwards adds
  /// the block's rows to its group's center sums while they are in cache.
  struct BlockSink {
    virtual void block_begin(std::size_t group, std::size_t first, std::size_t count) const = 0;
    virtual void block_done(std::size_t group, std::size_t first, std::size_t count) const = 0;

   protected:
    ~BlockSink() = default;
  };
  /// Installs `sink` for the for_each_block calls made until set_sink(nullptr).
  void set_sink(const BlockSink* sink) const noexcept { sink_ = sink; }

  /// Calls f(block, first_row, count, rows, sq_norms) for every block, in
  /// parallel over groups of blocks; `rows` and `sq_norms` are the block in
  /// the frame. `work_per_row` (multiply-adds) decides how many threads pay
  /// off. `even_work`: every row costs the same (Lloyd), so each thread takes
  /// the same groups every call and finds their rows still in its L2 (3000 x
  /// 100 float32 rows, k = 5, 2 threads: 65 -> 57 us per iteration); else
  /// groups go to whichever thread is free. `need_rows` false: f reads only
  /// the squared norms and the lane tiles; `rows` may then be null (block()).
  template <class F>
  void for_each_block(int n_threads, double work_per_row, F&& f, bool even_work = false, bool need_rows = true) const {
    const std::size_t n_blocks_ = n_blocks();
    const std::size_t per_group = blocks_per_group();
    const std::size_t groups = n_groups();
    const BlockSink* sink = sink_;
    const int threads = threads_for_work(work_per_row * static_cast<double>(rows()), n_threads);
    // Nothing to load or compute, no buffers: rows held (or not needed) and their norms held.
    const bool held = sq_norms_held() && (blocks_in_memory() || !need_rows);
#pragma omp parallel num_threads(threads)
    {
      std::vector<T> buffer(held || blocks_in_memory() ? 0 : block_rows_ * dim());
      std::vector<T> sq_buffer(held ? 0 : block_rows_);
      const auto run_group = [&](std::size_t g) {
        for (std::size_t b = g * per_group; b < std::min(n_blocks_, (g + 1) * per_group); ++b) {
          const T* block_rows = nullptr;
          const T* sq_norms = nullptr;
          const std::size_t count = block(b, buffer.data(), sq_buffer.data(), block_rows, sq_norms, need_rows);
          if (sink != nullptr) sink->block_begin(g, b * block_rows_, count);
          f(b, b * block_rows_, count, block_rows, sq_norms);
          if (sink != nullptr) sink->block_done(g, b * block_rows_, count);
        }
      };
      if (even_work) {
#pragma omp for schedule(static)
        for (std::size_t g = 0; g < groups; ++g) run_group(g);
      } else {
#pragma omp for schedule(dynamic, 1)
        for (std::size_t g = 0; g < groups; ++g) run_group(g);
      }
    }
  }

  /// One row of the data, in the frame, in double.
  void row_in_frame(std::size_t i, double* out) const;
  /// Row i in the frame, bitwise as block() gives it, into `out` (dim()
  /// values); returns its squared norm as block() does.
  T load_row(std::size_t i, T* out) const;
  /// One row of the data in original coordinates, in double (unit length for cosine).
  void row_as_center(std::size_t i, double* out) const;
  /// A center (original coordinates) moved into the frame.
  void center_to_frame(const double* center, double* out) const;
  /// A point of the frame back in original coordinates, as a center: unit
  /// length for cosine; false if it has no direction (cosine, all zeros).
  bool frame_to_center(const double* point, double* out) const;
  /// Writes `k` centers (original coordinates) into a kernel panel in the frame.
  void fill_panel(const double* centers, std::size_t k, kernels::ColumnPanel<T>& panel) const;
  /// ||row i|| (cosine metric only): held, or computed (the same bits).
  [[nodiscard]] double norm(std::size_t i) const;
  /// ||x|| of the `count` rows from row `first` (cosine metric only): the
  /// held norms, or computed (the same bits) into a per-thread buffer, valid
  /// until this thread asks for other rows' (a repeated request reuses it).
  const double* norms_of(std::size_t first, std::size_t count) const;

 private:
  DataFrame(MatrixView<T> data, Metric metric, int n_threads);
  /// Column means of the unit rows x / ||x|| and their summed column variances.
  struct UnitRowMoments {
    std::vector<double> mean;
    double variance_sum = 0;
  };
  /// Fills norms_ (each row's length; throws for a non-finite value or a
  /// zero row); with `moments`, returns the unit rows' moments from the same pass.
  UnitRowMoments compute_norms(bool moments = false);
  /// Keeps the whole frame (rows in the frame and their squared norms) when
  /// it takes at most cache_bytes, so iterations skip the per-block shift;
  /// and the lane tiles `tiles` asks for. Returns the sum of the rows' squared
  /// norms in the frame, in double (0 if no rows were copied).
  double cache_if_small(LaneTiles tiles, HeldRows held_rows = HeldRows::RowMajor);
  /// Writes block b's rows, in the frame, to `buffer` (block_rows x dim) and
  /// their squared norms to `sq_norms` (and, in double, to `exact_sq_norms`
  /// if not null); returns how many rows the block has.
  std::size_t load_block(std::size_t b, T* buffer, T* sq_norms, double* exact_sq_norms = nullptr) const;
  /// The squared norms of `count` rows of a frame in place, as use_in_place took them, into `out`.
  void in_place_sq_norms(const T* rows, std::size_t count, T* out) const;
  /// Whether use_in_place may take the data (its size and layout allow it).
  [[nodiscard]] bool may_use_in_place() const noexcept;
  /// Sets the origin, rounded to T.
  void set_origin(const std::vector<double>& origin);

  /// Keeps the data itself as the frame (origin 0, only the rows' squared
  /// norms held) when it is larger than the cache, contiguous, and its mean
  /// is no farther from 0 than twice its spread: then the expanded form loses
  /// little more than in the centred frame, and iterations neither copy nor
  /// shift the rows (Fashion-MNIST: a third of each iteration). `row_sq_norms`
  /// are the rows' squared norms at origin 0 (kernels::sq_norms, rounded to
  /// T), kept if taken; `mean_row_sq` their mean in double, from which
  /// `variance_sum` then gets the summed column variances.
  bool use_in_place(const std::vector<double>& mean, std::vector<T> row_sq_norms, double mean_row_sq,
                    double& variance_sum);

 public:
  /// Data up to this size is held in the frame once per fit (one extra copy);
  /// larger data is shifted block by block every iteration, or used in place,
  /// so memory stays the data plus small per-thread buffers (keops-large:
  /// 400 MB). A variable only so that tests can reach the large-data paths.
  static inline std::size_t cache_bytes = std::size_t{64} << 20;
  /// Data from this size on whose mean lies near 0 is used in place even if
  /// it could be held: copying it costs more than it saves (4000 x 2000
  /// float64 rows, 64 MB, took 7.5 ms per iteration held against 3.4 ms for
  /// 4000 x 2600 in place).
  static constexpr std::size_t kInPlaceFromBytes = std::size_t{4} << 20;
  /// Whether the frame holds a copy of the rows in the frame (data up to
  /// cache_bytes, not in place): as rows, or only as lane tiles (HeldRows).
  [[nodiscard]] bool held() const noexcept {
    return !in_place_ && sq_norms_held();
  }
  /// The rows in the frame again as lane tiles (kernels::to_lane_tiles), for
  /// the small-k kernels: a block's rows from its first row `first` at
  /// lane_tiles() + first * dim(). Null unless for_fit asked for them here
  /// (LaneTiles), the data takes at most cache_bytes and blocks are whole tiles.
  [[nodiscard]] const T* lane_tiles() const noexcept {
    return lane_tiles_.empty() ? nullptr : lane_tiles_.data();
  }
  /// Frees the lane tiles once nothing will read them (they are asked for
  /// k-means++ as well as Lloyd, and held twice the rows take); kept where
  /// they are the only copy of the rows (HeldRows::TilesOnly).
  void drop_lane_tiles() noexcept {
    if (in_place_ || !cached_rows_.empty()) lane_tiles_ = UninitializedVector<T>();  // `= {}` keeps the capacity
  }
  /// Whether the frame is the data itself (see use_in_place).
  [[nodiscard]] bool in_place() const noexcept {
    return in_place_;
  }
  /// Frees the rows' squared norms of a frame that is the data itself, and a
  /// cosine frame's row lengths where its rows are loaded block by block:
  /// block() (and the center sums, through norms_of) then compute each
  /// block's, bitwise the same, while the block is in cache. For Lloyd's step
  /// with many centers, whose distances cost k times a norm's multiply-adds,
  /// so that memory stays the data plus O(k d) (keops-large, 1M rows: 4 MB of
  /// squared norms, 8 MB of cosine lengths); a no-op for other frames.
  void drop_row_norms() noexcept {
    // New vectors, not `= {}`, which keeps the capacity.
    if (in_place_) cached_sq_norms_ = std::vector<T>();
    if (metric_ == Metric::Cosine && !held()) norms_ = std::vector<double>();
  }
  /// Holds the rows' squared norms again after drop_row_norms (one pass over
  /// the data, the same bits): for Hamerly's step, which skips most distances
  /// and would pay for the norms of every block on every pass (mid, 100k x 64
  /// in place, k = 256: a fifth of its time).
  void hold_row_norms();
  /// Whether block() points at rows in memory (held as rows, or the data in
  /// place) rather than loading them.
  [[nodiscard]] bool blocks_in_memory() const noexcept {
    return in_place_ || !cached_rows_.empty();
  }
  /// Whether the rows' squared norms in the frame are held (every frame that
  /// is held, and one in place until drop_row_norms).
  [[nodiscard]] bool sq_norms_held() const noexcept {
    return !cached_sq_norms_.empty();
  }

 private:
  MatrixView<T> data_;
  Metric metric_;
  int n_threads_;
  kernels::DistanceForm form_;
  std::size_t block_rows_;
  std::vector<double> origin_;               // subtracted from every row (cosine: from every unit row)
  std::vector<double> norms_;                // cosine only: ||x_i|| (see drop_row_norms)
  UninitializedVector<T> cached_rows_;       // the rows in the frame, if small enough (cache_if_small)
  std::vector<T> cached_sq_norms_;           // and their squared norms (also in place, see drop_row_norms)
  UninitializedVector<T> lane_tiles_;        // see lane_tiles
  bool in_place_ = false;                    // the frame is the data itself: origin 0, rows never copied
  mutable const BlockSink* sink_ = nullptr;  // see set_sink
  std::uint64_t id_ = 0;                     // unique per frame: names it in norms_of's per-thread buffer
  double mean_variance_ = 0;
};

}  // namespace centrix::detail
