// Mean shift clustering (Fukunaga & Hostetler 1975; Comaniciu & Meer 2002),
// with scikit-learn's MeanShift semantics: seeds (the rows, or occupied bins)
// climb to the modes of a kernel density estimate; modes are sorted by how
// many rows their window holds, modes closer than the bandwidth to a more
// populated one are dropped, and every row is labelled by its nearest mode.
//
// Neighbours are found with a hashed grid of cells the size of the kernel's
// reach in low dimensions, and by tiled brute force above; the n x n distance
// matrix is never formed. Results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "centrix/matrix_view.hpp"

namespace centrix {

/// Weight a row at distance r from the current mean gets.
enum class MeanShiftKernel {
  Flat,        ///< 1 for r <= bandwidth (scikit-learn's)
  Triangular,  ///< 1 - r / bandwidth for r <= bandwidth
  Gaussian,    ///< exp(-r^2 / (2 bandwidth^2)), truncated at gaussian_cutoff x bandwidth
};

/// How rows get their labels.
enum class MeanShiftLabels {
  Nearest,    ///< the nearest mode (scikit-learn's)
  Attractor,  ///< the mode the row's own trajectory reaches, when the rows are the seeds
};

/// Options of mean shift; every field has a default that works.
struct MeanShiftOptions {
  double bandwidth = 0;                            ///< kernel bandwidth; 0 estimates it (see quantile)
  double quantile = 0.3;                           ///< for estimation: the quantile of nearest-neighbour distances
  std::size_t bandwidth_samples = 0;               ///< for estimation: rows sampled (0: all rows)
  MeanShiftKernel kernel = MeanShiftKernel::Flat;  ///< weight profile of the window
  double gaussian_cutoff = 3.0;                    ///< Gaussian kernel: rows beyond this many bandwidths weigh 0 (1 to 37)
  std::vector<double> seeds;                       ///< m x d starting points; empty: the rows or the bins
  bool bin_seeding = false;  ///< seed from grid bins of side bandwidth holding >= min_bin_freq rows
  int min_bin_freq = 1;      ///< rows a bin needs to give a seed
  bool cluster_all = true;   ///< false: rows farther than the bandwidth from every mode get -1
  int max_iter = 300;        ///< most mean updates per seed
  double tol = 1e-3;         ///< a seed stops when its mean moves at most tol x bandwidth
  MeanShiftLabels labels = MeanShiftLabels::Nearest;  ///< how rows are labelled
  std::uint64_t seed = 0;                             ///< for estimation: which rows are sampled
  int n_threads = 0;                                  ///< OpenMP threads; 0 uses all available
  int max_frames = 0;                                 ///< keep every seed's position at up to this many iterations
                                                      ///< (MeanShiftResult::frames, for animations); 0 keeps none
  /// Polled while seeds climb; returning true stops with centrix::Cancelled (Python's Ctrl-C).
  std::function<bool()> interrupted;
};

template <class T>
struct MeanShiftResult {
  Matrix<T> centers;                      ///< the modes kept, most populated window first
  std::vector<std::int32_t> labels;       ///< mode of each row, or -1 (cluster_all = false)
  std::vector<std::int64_t> populations;  ///< rows within the bandwidth of each mode's last window
  int n_iter = 0;                         ///< most mean updates any seed made
  double bandwidth = 0;                   ///< the bandwidth used (given or estimated)
  std::size_t n_seeds = 0;                ///< seeds that were shifted
  /// Where the seeds were (n_seeds x d each) at iterations 0 (the seeds), ..., up to the last iteration any
  /// seed moved (if max_frames > 0); a seed that stopped stays where it stopped. More iterations than
  /// max_frames are thinned evenly, keeping the first and the last.
  std::vector<Matrix<T>> frames;
  std::vector<int> frame_iterations;  ///< the iteration of each frame
  double seconds = 0;                 ///< wall time
};

/// Clusters the rows of `data` by mean shift. Throws InvalidArgument for bad
/// input (bandwidth <= 0, NaN/Inf, no seed with a row in its window, ...).
template <class T>
MeanShiftResult<T> mean_shift(MatrixView<T> data, const MeanShiftOptions& options);

/// scikit-learn's estimate_bandwidth: the mean over rows of the distance to
/// their floor(quantile x n)-th nearest row (the row itself counting as the
/// first), over `n_samples` rows drawn with `seed` (0: all rows). O(n^2)
/// time, O(n) memory.
template <class T>
double estimate_bandwidth(MatrixView<T> data, double quantile = 0.3, std::size_t n_samples = 0, std::uint64_t seed = 0,
                          int n_threads = 0);

/// Parse "flat"/"triangular"/"gaussian" and "nearest"/"attractor"; throw InvalidArgument otherwise.
MeanShiftKernel parse_mean_shift_kernel(const std::string& name);
MeanShiftLabels parse_mean_shift_labels(const std::string& name);
const char* to_string(MeanShiftKernel kernel) noexcept;

}  // namespace centrix
