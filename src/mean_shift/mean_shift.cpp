// Mean shift: seeds -> climb -> sort modes by population -> drop modes near a
// more populated one -> label rows. Follows scikit-learn's MeanShift step by
// step (sklearn/cluster/_mean_shift.py), with neighbour search by grid.
#include "centrix/mean_shift.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "centrix/error.hpp"
#include "common/parallel.hpp"
#include "common/random.hpp"
#include "kernels/nearest.hpp"
#include "kernels/radius_search.hpp"
#include "kmeans/validate.hpp"

namespace centrix {

namespace {

/// How far the kernel reaches, in bandwidths.
double reach_in_bandwidths(const MeanShiftOptions& o) {
  return o.kernel == MeanShiftKernel::Gaussian ? o.gaussian_cutoff : 1.0;
}

kernels::Profile profile_of(MeanShiftKernel kernel) {
  switch (kernel) {
    case MeanShiftKernel::Triangular:
      return kernels::Profile::Triangular;
    case MeanShiftKernel::Gaussian:
      return kernels::Profile::Gaussian;
    default:
      return kernels::Profile::Flat;
  }
}

/// Where one seed ends up.
struct Climb {
  std::vector<double> mode;
  std::int64_t population = 0;  // rows within the bandwidth of the last window
  int iterations = 0;           // mean updates made
};

/// One seed's positions at iterations 0, stride, 2 x stride, ... (for MeanShiftResult::frames). Memory stays
/// bounded: once 2 x cap positions are held, every other one is dropped and the stride doubles. The stride
/// depends only on how many iterations were recorded, so every seed holds the multiples of its stride, and
/// a longer climb's stride is a multiple of a shorter one's: the frames can be assembled at the end from
/// the multiples of the longest climb's stride.
template <class T>
class Trajectory {
 public:
  Trajectory() = default;
  explicit Trajectory(std::size_t cap) : cap_(cap) {}

  void add(const double* position, std::size_t d) {
    if (seen_++ % stride_ == 0) {
      for (std::size_t t = 0; t < d; ++t) positions_.push_back(static_cast<T>(position[t]));
    }
    if (positions_.size() >= 2 * cap_ * d) {
      const std::size_t held = positions_.size() / d;
      std::size_t kept = 0;
      for (std::size_t i = 0; i < held; i += 2, ++kept) {
        if (i != kept) std::copy_n(&positions_[i * d], d, &positions_[kept * d]);
      }
      positions_.resize(kept * d);
      stride_ *= 2;
    }
  }
  /// Positions recorded, the seed's included: iterations made + 1.
  [[nodiscard]] std::size_t seen() const noexcept { return seen_; }
  [[nodiscard]] std::size_t stride() const noexcept { return stride_; }
  /// The position at `iteration`, a multiple of stride() below seen().
  [[nodiscard]] const T* at(std::size_t iteration, std::size_t d) const noexcept {
    return &positions_[iteration / stride_ * d];
  }

 private:
  std::size_t cap_ = 0;
  std::size_t stride_ = 1;
  std::size_t seen_ = 0;
  std::vector<T> positions_;
};

/// Shifts one seed to a mode of the kernel density estimate; records its positions in `path` if given.
template <class T>
Climb climb(const kernels::RadiusSearch& search, std::size_t d, const double* seed, const MeanShiftOptions& o,
            double bandwidth, Trajectory<T>* path) {
  Climb c;
  c.mode.assign(seed, seed + d);
  if (path) path->add(c.mode.data(), d);
  kernels::NeighbourSums sums;
  const double stop = o.tol * bandwidth;
  for (int it = 0; it < o.max_iter; ++it) {
    search.accumulate_within(c.mode.data(), profile_of(o.kernel), bandwidth, bandwidth, sums);
    c.population = sums.count;
    const double total_weight = sums.total_weight;
    if (total_weight <= 0) break;
    double moved = 0;
    for (std::size_t t = 0; t < d; ++t) {
      const double updated = sums.weighted_sum[t] / total_weight;
      moved += (updated - c.mode[t]) * (updated - c.mode[t]);
      c.mode[t] = updated;
    }
    ++c.iterations;
    if (path) path->add(c.mode.data(), d);
    if (std::sqrt(moved) <= stop) break;
  }
  return c;
}

/// scikit-learn's get_bin_seeds: rows rounded (half to even) to a grid of
/// side `bin_size`; bins holding >= min_freq rows, in first-seen order. The
/// rows themselves when every row has a bin of its own.
std::vector<double> bin_seeds(const std::vector<double>& points, std::size_t n, std::size_t d, double bin_size,
                              int min_freq, bool& used_rows) {
  // Each row's bin, rounded half to even as numpy.round.
  std::vector<std::int64_t> bin(n * d);
  std::vector<std::int64_t> lo(d, std::numeric_limits<std::int64_t>::max());
  std::vector<std::int64_t> hi(d, std::numeric_limits<std::int64_t>::min());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < d; ++t) {
      const auto b = static_cast<std::int64_t>(std::nearbyint(points[i * d + t] / bin_size));
      bin[i * d + t] = b;
      lo[t] = std::min(lo[t], b);
      hi[t] = std::max(hi[t], b);
    }
  }
  // Count rows per bin and remember where each bin was first seen: in a dense
  // array when the bins' box is small, else in a hash map.
  double box = 1;
  for (std::size_t t = 0; t < d; ++t) box *= static_cast<double>(hi[t] - lo[t] + 1);
  std::vector<std::size_t> first_row;  // per distinct bin, in first-seen order
  std::vector<std::size_t> counts;
  if (box <= 4.0 * static_cast<double>(n) + 1024.0) {
    constexpr std::size_t kUnseen = static_cast<std::size_t>(-1);
    std::vector<std::size_t> slot(static_cast<std::size_t>(box), kUnseen);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t linear = 0;
      for (std::size_t t = 0; t < d; ++t) {
        linear =
            linear * static_cast<std::size_t>(hi[t] - lo[t] + 1) + static_cast<std::size_t>(bin[i * d + t] - lo[t]);
      }
      if (slot[linear] == kUnseen) {
        slot[linear] = first_row.size();
        first_row.push_back(i);
        counts.push_back(0);
      }
      ++counts[slot[linear]];
    }
  } else {
    struct KeyHash {
      std::size_t operator()(const std::vector<std::int64_t>& key) const noexcept {
        std::uint64_t h = 0;
        for (std::int64_t v : key) h = detail::splitmix64(h ^ static_cast<std::uint64_t>(v));
        return static_cast<std::size_t>(h);
      }
    };
    std::unordered_map<std::vector<std::int64_t>, std::size_t, KeyHash> index;
    std::vector<std::int64_t> key(d);
    for (std::size_t i = 0; i < n; ++i) {
      std::copy_n(&bin[i * d], d, key.begin());
      const auto [it, inserted] = index.try_emplace(key, first_row.size());
      if (inserted) {
        first_row.push_back(i);
        counts.push_back(0);
      }
      ++counts[it->second];
    }
  }
  std::vector<double> seeds;
  for (std::size_t b = 0; b < first_row.size(); ++b) {
    if (counts[b] < static_cast<std::size_t>(min_freq)) continue;
    for (std::size_t t = 0; t < d; ++t) seeds.push_back(static_cast<double>(bin[first_row[b] * d + t]) * bin_size);
  }
  used_rows = seeds.size() == n * d;
  return used_rows ? points : seeds;
}

template <class T>
void validate(MatrixView<T> data, const MeanShiftOptions& o) {
  if (data.rows() == 0) throw InvalidArgument("data has no rows");
  if (data.cols() == 0) throw InvalidArgument("data has no columns");
  detail::check_finite(data, "data");
  if (!std::isfinite(o.bandwidth) || o.bandwidth < 0) {
    throw InvalidArgument("bandwidth must be a positive number, got " + std::to_string(o.bandwidth));
  }
  if (o.max_iter < 1) throw InvalidArgument("max_iter must be at least 1");
  if (o.max_frames < 0) throw InvalidArgument("max_frames must be >= 0 (got " + std::to_string(o.max_frames) + ")");
  if (!(o.tol >= 0)) throw InvalidArgument("tol must be >= 0");
  if (o.min_bin_freq < 1) throw InvalidArgument("min_bin_freq must be at least 1");
  // Below 1 the window would be smaller than the population's (one bandwidth); beyond 37 bandwidths the
  // weight exp(-cutoff^2 / 2) underflows double.
  if (o.kernel == MeanShiftKernel::Gaussian && !(o.gaussian_cutoff >= 1 && o.gaussian_cutoff <= 37)) {
    throw InvalidArgument("gaussian_cutoff must be between 1 and 37 bandwidths, got " +
                          std::to_string(o.gaussian_cutoff));
  }
  if (!o.seeds.empty() && o.seeds.size() % data.cols() != 0) {
    throw InvalidArgument("seeds: " + std::to_string(o.seeds.size()) + " values is not a whole number of rows of " +
                          std::to_string(data.cols()));
  }
  for (double v : o.seeds) {
    if (!std::isfinite(v)) throw InvalidArgument("seeds contain NaN or infinity");
  }
}

/// The seeds' positions at up to `cap` iterations from 0 to the longest climb's last, evenly spaced, the
/// first and the last kept (only the last if cap is 1); a seed that stopped stays where it stopped.
template <class T>
void assemble_frames(const std::vector<Trajectory<T>>& paths, const std::vector<Climb>& climbs, std::size_t d,
                     std::size_t cap, MeanShiftResult<T>& result) {
  const std::size_t m = paths.size();
  std::size_t last = 0;
  std::size_t stride = 1;
  for (const Trajectory<T>& p : paths) {
    last = std::max(last, p.seen() - 1);
    stride = std::max(stride, p.stride());
  }
  // Every seed holds the multiples of `stride` it reached (the longest climb's stride is the largest).
  std::vector<std::size_t> held;
  for (std::size_t it = 0; it <= last; it += stride) held.push_back(it);
  if (held.back() != last) held.push_back(last);
  const std::size_t count = std::min(cap, held.size());
  for (std::size_t f = 0; f < count; ++f) {
    const std::size_t it = count > 1 ? held[f * (held.size() - 1) / (count - 1)] : last;
    Matrix<T> frame(m, d);
    for (std::size_t s = 0; s < m; ++s) {
      T* out = frame.row(s);
      if (it + 1 < paths[s].seen()) {
        std::copy_n(paths[s].at(it, d), d, out);
      } else {
        // Past (or at) its last iteration the seed stays where it stopped.
        std::transform(climbs[s].mode.begin(), climbs[s].mode.end(), out, [](double v) { return static_cast<T>(v); });
      }
    }
    result.frames.push_back(std::move(frame));
    result.frame_iterations.push_back(static_cast<int>(it));
  }
}

}  // namespace

template <class T>
MeanShiftResult<T> mean_shift(MatrixView<T> data, const MeanShiftOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  validate(data, o);
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  const int threads = detail::resolve_threads(o.n_threads);
  MeanShiftResult<T> result;
  result.bandwidth =
      o.bandwidth > 0 ? o.bandwidth : estimate_bandwidth(data, o.quantile, o.bandwidth_samples, o.seed, threads);
  const double h = result.bandwidth;

  std::vector<double> points(n * d);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < d; ++t) points[i * d + t] = static_cast<double>(data(i, t));
  }
  const kernels::RadiusSearch search(points.data(), n, d, h * reach_in_bandwidths(o),
                                     o.kernel == MeanShiftKernel::Flat);

  // Seeds: given, bins, or the rows.
  bool seeds_are_rows = o.seeds.empty() && !o.bin_seeding;
  const std::vector<double> seeds = !o.seeds.empty() ? o.seeds
                                    : o.bin_seeding  ? bin_seeds(points, n, d, h, o.min_bin_freq, seeds_are_rows)
                                                     : points;
  const std::size_t m = seeds.size() / d;
  result.n_seeds = m;

  // Climb every seed; each is independent, so the thread count changes nothing.
  // With frames, each seed records its own path; they are assembled once all have stopped.
  std::vector<Climb> climbs(m);
  const auto cap = static_cast<std::size_t>(o.max_frames);
  std::vector<Trajectory<T>> paths(cap > 0 ? m : 0, Trajectory<T>(cap));
  std::atomic<bool> stop = false;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t s = 0; s < m; ++s) {
    if (stop.load(std::memory_order_relaxed)) continue;
    // Only the calling thread polls: the callback may need it (Python's GIL).
    if (o.interrupted && omp_get_thread_num() == 0 && o.interrupted()) stop = true;
    climbs[s] = climb(search, d, seeds.data() + s * d, o, h, cap > 0 ? &paths[s] : nullptr);
  }
  if (stop) throw Cancelled("mean shift cancelled");
  if (cap > 0) {
    assemble_frames(paths, climbs, d, cap, result);
    paths = {};
  }

  // Modes by population, then by coordinates (both descending, as scikit-learn), then seed order.
  std::vector<std::size_t> order;
  for (std::size_t s = 0; s < m; ++s) {
    if (climbs[s].population > 0) order.push_back(s);
    result.n_iter = std::max(result.n_iter, climbs[s].iterations);
  }
  if (order.empty()) {
    throw InvalidArgument("no row was within bandwidth=" + std::to_string(h) +
                          " of any seed: try a different seeding strategy or a larger bandwidth");
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (climbs[a].population != climbs[b].population) return climbs[a].population > climbs[b].population;
    return std::lexicographical_compare(climbs[b].mode.begin(), climbs[b].mode.end(), climbs[a].mode.begin(),
                                        climbs[a].mode.end());
  });
  std::vector<double> sorted_modes(order.size() * d);
  for (std::size_t r = 0; r < order.size(); ++r) std::copy_n(climbs[order[r]].mode.data(), d, &sorted_modes[r * d]);

  // Drop every mode within the bandwidth of a more populated one that is kept.
  const kernels::RadiusSearch mode_search(sorted_modes.data(), order.size(), d, h);
  std::vector<char> unique(order.size(), 1);
  for (std::size_t r = 0; r < order.size(); ++r) {
    if (!unique[r]) continue;
    mode_search.for_each_within(&sorted_modes[r * d], [&](std::size_t j, double) { unique[j] = 0; });
    unique[r] = 1;
  }
  std::vector<double> centers;
  for (std::size_t r = 0; r < order.size(); ++r) {
    if (!unique[r]) continue;
    centers.insert(centers.end(), &sorted_modes[r * d], &sorted_modes[r * d] + d);
    result.populations.push_back(climbs[order[r]].population);
  }
  const std::size_t k = centers.size() / d;
  result.centers = Matrix<T>(k, d);
  std::transform(centers.begin(), centers.end(), result.centers.values.begin(),
                 [](double v) { return static_cast<T>(v); });

  // Labels: the nearest mode of each row, or of the mode each row's own trajectory reached.
  std::vector<double> targets;
  if (o.labels == MeanShiftLabels::Attractor) {
    targets.resize(n * d);
    if (seeds_are_rows) {
      for (std::size_t i = 0; i < n; ++i) std::copy_n(climbs[i].mode.data(), d, &targets[i * d]);
    } else {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
      for (std::size_t i = 0; i < n; ++i) {
        const Climb c = climb<T>(search, d, &points[i * d], o, h, nullptr);
        std::copy_n(c.mode.data(), d, &targets[i * d]);
      }
    }
  }
  const std::vector<double>& labelled = o.labels == MeanShiftLabels::Attractor ? targets : points;
  kernels::ColumnPanel<double> panel;
  panel.assign(centers.data(), k, d);
  result.labels.resize(n);
  std::vector<double> sq_distance(n);
  const std::size_t block = 256;
#pragma omp parallel for schedule(static) \
    num_threads(detail::threads_for_work(static_cast <double>(n * k * d), threads))
  for (std::size_t first = 0; first < n; first += block) {
    const std::size_t count = std::min(block, n - first);
    kernels::nearest_columns(&labelled[first * d], count, static_cast<const double*>(nullptr), panel,
                             kernels::DistanceForm::Direct, &result.labels[first], &sq_distance[first]);
  }
  if (!o.cluster_all) {
    for (std::size_t i = 0; i < n; ++i) {
      if (std::sqrt(sq_distance[i]) > h) result.labels[i] = -1;
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

MeanShiftKernel parse_mean_shift_kernel(const std::string& name) {
  if (name == "flat") return MeanShiftKernel::Flat;
  if (name == "triangular") return MeanShiftKernel::Triangular;
  if (name == "gaussian") return MeanShiftKernel::Gaussian;
  throw InvalidArgument("unknown kernel '" + name + "' (expected flat, triangular or gaussian)");
}

MeanShiftLabels parse_mean_shift_labels(const std::string& name) {
  if (name == "nearest") return MeanShiftLabels::Nearest;
  if (name == "attractor") return MeanShiftLabels::Attractor;
  throw InvalidArgument("unknown label mode '" + name + "' (expected nearest or attractor)");
}

const char* to_string(MeanShiftKernel kernel) noexcept {
  switch (kernel) {
    case MeanShiftKernel::Triangular:
      return "triangular";
    case MeanShiftKernel::Gaussian:
      return "gaussian";
    default:
      return "flat";
  }
}

template MeanShiftResult<float> mean_shift<float>(MatrixView<float>, const MeanShiftOptions&);
template MeanShiftResult<double> mean_shift<double>(MatrixView<double>, const MeanShiftOptions&);

}  // namespace centrix
