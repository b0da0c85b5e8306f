// Mini-batch k-means (Sculley 2010) with scikit-learn's MiniBatchKMeans
// semantics (sklearn/cluster/_kmeans.py, _k_means_minibatch.pyx, 1.9):
//
//   fit:  validation rows and init_size rows drawn with replacement; n_init
//         initialisations (k-means++ / random / given) on the sampled rows, the
//         one with the lowest inertia on the validation rows kept; then up to
//         max_iter * n / batch_size steps, each on batch_size rows drawn with
//         replacement with probability proportional to the sample weight (and
//         then counted with unit weight); early stop on the exponentially
//         weighted average of the batch inertia (max_no_improvement) or on the
//         center shift (tol); finally every row is labelled.
//   step: assign the batch to the nearest centers (the library's kernels);
//         every center that received weight w_b becomes
//         (center * count + sum of its weighted rows) / (count + w_b), and its
//         count grows by w_b; then, when a center has count 0 or 10 k rows were
//         seen since the last check, centers whose count is below
//         reassignment_ratio * the largest count move onto batch rows (at most
//         half the batch), and their counts become the smallest remaining one.
//
// Determinism: the assignment is per row, the batch inertia is summed per
// block in block order, the update is serial in batch row order, and random
// numbers come from common/random.hpp's Rng: bitwise the same result for any
// thread count.
#include "centrix/mini_batch.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "centrix/error.hpp"
#include "common/parallel.hpp"
#include "common/random.hpp"
#include "kmeans/frame.hpp"
#include "kmeans/init.hpp"
#include "kmeans/step.hpp"
#include "kmeans/validate.hpp"

namespace centrix {

namespace detail {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Independent random streams of one seed: the fit's sampling, a state's first
// initialisation, and each step's reassignment.
constexpr std::uint64_t kFitStream = 0x6d696e69ULL;
constexpr std::uint64_t kInitStream = 0x696e6974ULL;
constexpr std::uint64_t kReassignStream = 0x72656173ULL;

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index = 0) {
  return splitmix64(splitmix64(seed ^ stream) + index);
}

/// The k-means options the shared validation and initialisation read.
KMeansOptions as_kmeans_options(const MiniBatchOptions& o) {
  KMeansOptions k;
  k.n_clusters = o.n_clusters;
  k.metric = o.metric;
  k.init = o.init;
  k.n_local_trials = o.n_local_trials;
  k.initial_centers = o.initial_centers;
  k.n_init = std::max(1, o.n_init);
  k.max_iter = o.max_iter;
  k.tol = o.tol;
  k.refine = Refine::None;
  k.seed = o.seed;
  k.n_threads = o.n_threads;
  k.interrupted = o.interrupted;
  return k;
}

/// scikit-learn's n_init="auto": 3 for random, 1 for k-means++ and given centers.
int resolved_n_init(const MiniBatchOptions& o) {
  if (o.init == Init::Given) return 1;
  if (o.n_init > 0) return o.n_init;
  return o.init == Init::Random ? 3 : 1;
}

/// Rows for the initialisation: init_size, or 3 x batch (at least 3 k), capped at n (scikit-learn).
std::size_t resolved_init_size(const MiniBatchOptions& o, std::size_t n, std::size_t batch) {
  const auto k = static_cast<std::size_t>(o.n_clusters);
  std::size_t size = static_cast<std::size_t>(o.init_size);
  if (o.init_size == 0) {
    size = 3 * batch;
    if (size < k) size = 3 * k;
  } else if (size < k) {
    size = 3 * k;
  }
  return std::min(size, n);
}

/// Rows `rows` of `data` copied into a contiguous buffer (and their weights, if any).
template <class T>
void gather_rows(MatrixView<T> data, const double* weights, std::span<const std::size_t> rows, std::vector<T>& out,
                 std::vector<double>& out_weights) {
  const std::size_t d = data.cols();
  out.resize(rows.size() * d);
  for (std::size_t r = 0; r < rows.size(); ++r) std::copy_n(data.row(rows[r]), d, out.data() + r * d);
  out_weights.clear();
  if (weights) {
    out_weights.resize(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) out_weights[r] = weights[rows[r]];
  }
}

/// Nearest of the k centers (original coordinates, double) for every row of
/// `rows`, in a frame whose origin is the centers' mean (as predict). Writes
/// labels and squared frame distances; returns sum of w * distance, summed
/// per block in block order.
template <class T>
double assign_to_centers(MatrixView<T> rows, Metric metric, const std::vector<double>& centers, std::size_t k,
                         const double* weights, int n_threads, std::int32_t* labels, T* sq_distances) {
  const std::size_t d = rows.cols();
  std::vector<double> origin(d, 0.0);
  if (metric == Metric::Euclidean) {
    for (std::size_t j = 0; j < k; ++j) {
      for (std::size_t t = 0; t < d; ++t) origin[t] += centers[j * d + t] / static_cast<double>(k);
    }
  }
  const DataFrame<T> frame = DataFrame<T>::with_origin(rows, metric, std::move(origin), n_threads);
  kernels::ColumnPanel<T> panel;
  frame.fill_panel(centers.data(), k, panel);
  const bool cosine = metric == Metric::Cosine;
  std::vector<double> block_inertia(frame.n_blocks(), 0.0);
  frame.for_each_block(
      n_threads, static_cast<double>(k * d),
      [&](std::size_t b, std::size_t first, std::size_t count, const T* block, const T* sq_norms) {
        kernels::nearest_columns(block, count, sq_norms, panel, frame.form(), labels + first, sq_distances + first);
        double sum = 0;
        for (std::size_t r = 0; r < count; ++r) {
          sum += weight_of(weights, first + r) * inertia_term(static_cast<double>(sq_distances[first + r]), cosine);
        }
        block_inertia[b] = sum;
      });
  double total = 0;
  for (double v : block_inertia) total += v;
  return total;
}

/// Sample elements (rows x columns) from which the initialisation uses every thread.
constexpr std::size_t kParallelInitElements = std::size_t{1} << 20;

/// One initialisation (scikit-learn's _init_centroids): on init_size rows of
/// `data` drawn with replacement (all rows if init_size >= n), k-means++ or
/// random rows; given centers as they are. Unit length for cosine.
template <class T>
std::vector<double> initial_mini_batch_centers(MatrixView<T> data, const double* weights, const KMeansOptions& options,
                                               std::size_t init_size, Rng& rng, int n_threads) {
  const std::size_t n = data.rows();
  std::vector<T> buffer;
  std::vector<double> sub_weights;
  MatrixView<T> sample = data;
  const double* sample_weights = weights;
  if (options.init != Init::Given && init_size < n) {
    std::vector<std::size_t> rows(init_size);
    for (std::size_t& r : rows) r = static_cast<std::size_t>(rng.below(n));
    gather_rows(data, weights, rows, buffer, sub_weights);
    sample = MatrixView<T>(buffer.data(), init_size, data.cols());
    sample_weights = weights ? sub_weights.data() : nullptr;
  }
  // k-means++ passes over the sample k times, each pass a parallel region; on a sample this small a thread
  // team costs more than it saves (far more on a loaded machine), so it runs on one thread. The result does
  // not depend on it.
  const int threads = sample.rows() * sample.cols() >= kParallelInitElements ? n_threads : 1;
  // Lane tiles for k-means++'s candidates (init.cpp).
  const DataFrame<T> frame = DataFrame<T>::for_fit(
      sample, options.metric, threads, options.init == Init::KMeansPlusPlus ? LaneTiles::Always : LaneTiles::None);
  return initial_centers(frame, sample_weights, options, rng, threads);
}

/// `m` distinct indices of [0, weights.size()) drawn without replacement with
/// probability proportional to weight (uniform when `weights` is null), in
/// the order drawn (Efraimidis & Spirakis 2006, as init's random rows).
std::vector<std::size_t> weighted_distinct(std::size_t n, const double* weights, std::size_t m, Rng& rng) {
  std::vector<std::pair<double, std::size_t>> keyed(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weight_of(weights, i);
    const double u = rng.uniform();
    keyed[i] = {
        w > 0 ? std::log(u > 0 ? u : std::numeric_limits<double>::min()) / w : -std::numeric_limits<double>::infinity(),
        i};
  }
  std::partial_sort(
      keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(m), keyed.end(),
      [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  std::vector<std::size_t> out(m);
  for (std::size_t j = 0; j < m; ++j) out[j] = keyed[j].second;
  return out;
}

}  // namespace
}  // namespace detail

template <class T>
MiniBatchState<T> MiniBatchState<T>::resume(MiniBatchOptions options, std::size_t n_features,
                                            std::vector<double> centers, std::vector<double> counts,
                                            std::int64_t n_steps, std::int64_t n_since_last_reassign) {
  const auto k = static_cast<std::size_t>(std::max(0, options.n_clusters));
  if (n_features == 0) throw InvalidArgument("mini-batch state: n_features must be at least 1");
  if (k == 0) throw InvalidArgument("k must be at least 1 (got " + std::to_string(options.n_clusters) + ")");
  if (centers.size() != k * n_features) {
    throw InvalidArgument("mini-batch state: expected k x d = " + std::to_string(k) + " x " +
                          std::to_string(n_features) + " center values, got " + std::to_string(centers.size()));
  }
  if (counts.size() != k) {
    throw InvalidArgument("mini-batch state: expected " + std::to_string(k) + " counts, got " +
                          std::to_string(counts.size()));
  }
  detail::check_finite(MatrixView<double>(centers.data(), k, n_features), "centers");
  for (double c : counts) {
    if (!(c >= 0) || !std::isfinite(c)) throw InvalidArgument("mini-batch state: counts must be finite and >= 0");
  }
  if (n_steps < 0 || n_since_last_reassign < 0) {
    throw InvalidArgument("mini-batch state: n_steps and n_since_last_reassign must be >= 0");
  }
  detail::validate_mini_batch_options(options);
  MiniBatchState state(std::move(options));
  state.d_ = n_features;
  state.centers_ = std::move(centers);
  state.counts_ = std::move(counts);
  state.n_steps_ = n_steps;
  state.n_since_last_reassign_ = n_since_last_reassign;
  return state;
}

template <class T>
Matrix<T> MiniBatchState<T>::centers() const {
  const std::size_t k = d_ == 0 ? 0 : centers_.size() / d_;
  Matrix<T> m(k, d_);
  std::transform(centers_.begin(), centers_.end(), m.values.begin(), [](double v) { return static_cast<T>(v); });
  return m;
}

template <class T>
MiniBatchStepStats MiniBatchState<T>::partial_fit(MatrixView<T> batch, std::span<const double> weights) {
  using namespace detail;
  const auto start = Clock::now();
  const int n_threads = resolve_threads(options_.n_threads);
  const auto k = static_cast<std::size_t>(options_.n_clusters);
  const std::size_t n = batch.rows();
  const double* w = weights.empty() ? nullptr : weights.data();
  const bool cosine = options_.metric == Metric::Cosine;

  // Everything is computed into locals and committed at the end: a throw leaves the state unchanged.
  std::vector<double> centers = centers_;
  std::vector<double> counts = counts_;
  if (!initialized()) {
    const KMeansOptions kmeans_options = as_kmeans_options(options_);
    validate_fit(batch, kmeans_options, weights);
    validate_mini_batch_options(options_);
    const std::size_t batch_size = std::min<std::size_t>(static_cast<std::size_t>(options_.batch_size), n);
    Rng rng(stream_seed(options_.seed, kInitStream));
    centers = initial_mini_batch_centers(batch, w, kmeans_options, resolved_init_size(options_, n, batch_size), rng,
                                         n_threads);
    counts.assign(k, 0.0);
  } else {
    if (batch.rows() == 0) throw InvalidArgument("batch has no rows");
    if (batch.cols() != d_) {
      throw InvalidArgument("batch has " + std::to_string(batch.cols()) + " columns but the centers have " +
                            std::to_string(d_));
    }
    check_finite(batch, "batch");
    validate_weights(weights, n, /*allow_all_zero=*/true);
  }
  const std::size_t d = batch.cols();

  MiniBatchStepStats stats;
  stats.step = n_steps_ + 1;
  stats.n_rows = static_cast<std::int64_t>(n);
  std::vector<std::int32_t> labels(n);
  std::vector<T> sq_distances(n);
  stats.batch_inertia =
      assign_to_centers(batch, options_.metric, centers, k, w, n_threads, labels.data(), sq_distances.data());

  // scikit-learn's "weight sums" update, summed in double in batch row order.
  std::vector<double> sums(k * d, 0.0);
  std::vector<double> batch_weight(k, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto l = static_cast<std::size_t>(labels[i]);
    const double wi = weight_of(w, i);
    const T* x = batch.row(i);
    double scale = 1.0;
    if (cosine) {
      double norm = 0;
      for (std::size_t t = 0; t < d; ++t) norm += static_cast<double>(x[t]) * static_cast<double>(x[t]);
      scale = 1.0 / std::sqrt(norm);
    }
    double* s = sums.data() + l * d;
    for (std::size_t t = 0; t < d; ++t) s[t] += wi * (static_cast<double>(x[t]) * scale);
    batch_weight[l] += wi;
  }
  std::vector<double> updated = centers;
  for (std::size_t j = 0; j < k; ++j) {
    if (!(batch_weight[j] > 0)) continue;
    const double total = counts[j] + batch_weight[j];
    double* c = updated.data() + j * d;
    const double* s = sums.data() + j * d;
    for (std::size_t t = 0; t < d; ++t) c[t] = (c[t] * counts[j] + s[t]) / total;
    counts[j] = total;
    if (cosine) {
      double norm = 0;
      for (std::size_t t = 0; t < d; ++t) norm += c[t] * c[t];
      if (norm > 0) {
        const double inv = 1.0 / std::sqrt(norm);
        for (std::size_t t = 0; t < d; ++t) c[t] *= inv;
      } else {
        std::copy_n(centers.data() + j * d, d, c);  // opposite directions cancelled: keep the old one
      }
    }
  }

  // Reassignment of low-count centers (scikit-learn's _random_reassign and _mini_batch_step).
  std::int64_t since = n_since_last_reassign_ + static_cast<std::int64_t>(n);
  const bool any_empty = std::any_of(counts.begin(), counts.end(), [](double c) { return c == 0; });
  const bool check = any_empty || since >= 10 * static_cast<std::int64_t>(k);
  if (check) since = 0;
  if (check && options_.reassignment_ratio > 0) {
    const double largest = *std::max_element(counts.begin(), counts.end());
    std::vector<bool> reassign(k);
    std::size_t n_reassign = 0;
    for (std::size_t j = 0; j < k; ++j) {
      reassign[j] = counts[j] < options_.reassignment_ratio * largest;
      n_reassign += reassign[j];
    }
    // At most half the batch (and no more than its rows of positive weight): only the lowest counts (ties by
    // index) stay eligible.
    std::size_t positive = 0;
    for (std::size_t i = 0; i < n; ++i) positive += weight_of(w, i) > 0;
    const std::size_t limit = std::min(static_cast<std::size_t>(0.5 * static_cast<double>(n)), positive);
    if (static_cast<double>(n_reassign) > 0.5 * static_cast<double>(n) || n_reassign > positive) {
      std::vector<std::size_t> order(k);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return counts[a] < counts[b]; });
      for (std::size_t r = limit; r < k; ++r) reassign[order[r]] = false;
      n_reassign = std::min(n_reassign, limit);
    }
    if (n_reassign > 0) {
      Rng rng(stream_seed(options_.seed, kReassignStream, static_cast<std::uint64_t>(stats.step)));
      const std::vector<std::size_t> rows = weighted_distinct(n, w, n_reassign, rng);
      std::size_t next = 0;
      for (std::size_t j = 0; j < k; ++j) {
        if (!reassign[j]) continue;
        const T* x = batch.row(rows[next++]);
        double norm = 0;
        for (std::size_t t = 0; t < d; ++t) norm += static_cast<double>(x[t]) * static_cast<double>(x[t]);
        const double scale = cosine ? 1.0 / std::sqrt(norm) : 1.0;
        for (std::size_t t = 0; t < d; ++t) updated[j * d + t] = static_cast<double>(x[t]) * scale;
      }
      stats.n_reassigned = static_cast<int>(n_reassign);
    }
    // Reset the counts of the reassigned centers, but not too low, to avoid instant reassignment.
    double smallest_kept = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < k; ++j) {
      if (!reassign[j]) smallest_kept = std::min(smallest_kept, counts[j]);
    }
    if (std::isfinite(smallest_kept)) {
      for (std::size_t j = 0; j < k; ++j) {
        if (reassign[j]) counts[j] = smallest_kept;
      }
    }
  }

  for (std::size_t i = 0; i < k * d; ++i) stats.center_shift += (updated[i] - centers[i]) * (updated[i] - centers[i]);
  stats.ewa_inertia = std::numeric_limits<double>::quiet_NaN();
  d_ = d;
  centers_ = std::move(updated);
  counts_ = std::move(counts);
  n_since_last_reassign_ = since;
  ++n_steps_;
  stats.seconds = seconds_since(start);
  return stats;
}

template <class T>
MiniBatchResult<T> fit_mini_batch(MatrixView<T> data, const MiniBatchOptions& options,
                                  std::span<const double> sample_weights) {
  using namespace detail;
  const auto start = Clock::now();
  const KMeansOptions kmeans_options = as_kmeans_options(options);
  validate_fit(data, kmeans_options, sample_weights);
  validate_mini_batch_options(options);
  const int n_threads = resolve_threads(options.n_threads);
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  const auto k = static_cast<std::size_t>(options.n_clusters);
  const double* weights = sample_weights.empty() ? nullptr : sample_weights.data();
  const std::size_t batch_size = std::min<std::size_t>(static_cast<std::size_t>(options.batch_size), n);
  const std::size_t init_size = resolved_init_size(options, n, batch_size);

  MiniBatchResult<T> result;
  if (options.init_size > 0 && static_cast<std::size_t>(options.init_size) < k) {
    result.warnings.push_back("init_size=" + std::to_string(options.init_size) +
                              " should be larger than n_clusters=" + std::to_string(k) +
                              ": using min(3 * n_clusters, n_samples) = " + std::to_string(init_size));
  }
  int n_init = resolved_n_init(options);
  if (options.init == Init::Given && options.n_init > 1) {
    result.warnings.push_back("n_init = " + std::to_string(options.n_init) +
                              " ignored: explicit initial centers give a single initialisation");
  }
  // The tolerance is absolute: tol x the mean feature variance (scikit-learn's _tolerance). The frame also
  // checks, for cosine, that no row is all zeros, naming the row.
  double shift_tolerance = 0;
  if (options.tol > 0 || options.metric == Metric::Cosine) {
    const DataFrame<T> frame = DataFrame<T>::for_fit(data, options.metric, n_threads);
    shift_tolerance = options.tol * frame.mean_variance();
  }

  // The fit's one random stream, drawn in scikit-learn's order: validation rows, then each initialisation,
  // then the batches.
  Rng rng(stream_seed(options.seed, kFitStream));
  std::vector<std::size_t> validation(init_size);
  for (std::size_t& r : validation) r = static_cast<std::size_t>(rng.below(n));
  std::vector<double> best_centers;
  double best_inertia = std::numeric_limits<double>::infinity();
  {
    std::vector<T> valid_rows;
    std::vector<double> valid_weights;
    if (n_init > 1) gather_rows(data, weights, validation, valid_rows, valid_weights);
    std::vector<std::int32_t> valid_labels(init_size);
    std::vector<T> valid_distances(init_size);
    for (int run = 0; run < n_init; ++run) {
      std::vector<double> centers =
          initial_mini_batch_centers(data, weights, kmeans_options, init_size, rng, n_threads);
      if (n_init == 1) {
        best_centers = std::move(centers);
        break;
      }
      const double valid_inertia = assign_to_centers(MatrixView<T>(valid_rows.data(), init_size, d), options.metric,
                                                     centers, k, weights ? valid_weights.data() : nullptr, n_threads,
                                                     valid_labels.data(), valid_distances.data());
      if (valid_inertia < best_inertia || run == 0) {
        best_inertia = valid_inertia;
        best_centers = std::move(centers);
      }
    }
  }

  // Batches are drawn with replacement, with probability proportional to the weight (cumulative sums in row
  // order, then a binary search), and counted with unit weight.
  std::vector<double> cumulative;
  double total_weight = static_cast<double>(n);
  if (weights) {
    cumulative.resize(n);
    double running = 0;
    for (std::size_t i = 0; i < n; ++i) cumulative[i] = running += weights[i];
    total_weight = running;
  }
  // Without weights the row is floor(u n): the row the search finds when every weight is 1, so weights of
  // ones give exactly the unweighted fit.
  const auto draw_row = [&]() -> std::size_t {
    const double target = rng.uniform() * total_weight;
    if (!weights) return std::min<std::size_t>(static_cast<std::size_t>(target), n - 1);
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()), n - 1);
  };

  MiniBatchState<T> state =
      MiniBatchState<T>::resume(options, d, std::move(best_centers), std::vector<double>(k, 0.0), 0, 0);
  const std::int64_t n_steps =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(options.max_iter) * static_cast<std::int64_t>(n) /
                                    static_cast<std::int64_t>(batch_size));
  const double alpha = std::min(1.0, static_cast<double>(batch_size) * 2.0 / (static_cast<double>(n) + 1.0));
  std::vector<std::size_t> batch_rows(batch_size);
  std::vector<T> batch;
  std::vector<double> unused_weights;
  bool have_ewa = false;
  double ewa = 0;
  double ewa_min = 0;
  bool have_ewa_min = false;
  int no_improvement = 0;
  double last_batch_mean = 0;
  std::int64_t step = 0;
  while (step < n_steps) {
    ++step;
    for (std::size_t& r : batch_rows) r = draw_row();
    gather_rows(data, nullptr, batch_rows, batch, unused_weights);
    MiniBatchStepStats stats = state.partial_fit(MatrixView<T>(batch.data(), batch_size, d));

    // scikit-learn's _mini_batch_convergence; the first step's inertia is that of the initial centers.
    const double batch_mean = stats.batch_inertia / static_cast<double>(batch_size);
    last_batch_mean = batch_mean;
    bool stop = false;
    if (step > 1) {
      ewa = have_ewa ? ewa * (1 - alpha) + batch_mean * alpha : batch_mean;
      have_ewa = true;
      stats.ewa_inertia = ewa;
      if (shift_tolerance > 0 && stats.center_shift <= shift_tolerance) {
        stop = true;
      } else {
        if (!have_ewa_min || ewa < ewa_min) {
          no_improvement = 0;
          ewa_min = ewa;
          have_ewa_min = true;
        } else {
          ++no_improvement;
        }
        stop = options.max_no_improvement && no_improvement >= *options.max_no_improvement;
      }
    }
    if (options.keep_history) result.history.push_back(stats);
    if ((options.on_step && !options.on_step(stats)) || (options.interrupted && options.interrupted())) {
      throw Cancelled("mini-batch k-means cancelled after step " + std::to_string(step));
    }
    if (stop) {
      result.converged = true;
      break;
    }
  }

  result.n_steps = step;
  result.n_iter = static_cast<int>((step * static_cast<std::int64_t>(batch_size) + static_cast<std::int64_t>(n) - 1) /
                                   static_cast<std::int64_t>(n));
  result.centers = state.centers();
  if (options.compute_labels) {
    // Labels of the returned centers (as stored in T), and the exact inertia.
    std::vector<double> returned(result.centers.values.begin(), result.centers.values.end());
    result.labels.resize(n);
    std::vector<T> sq_distances(n);
    assign_to_centers(data, options.metric, returned, k, weights, n_threads, result.labels.data(), sq_distances.data());
    result.inertia = inertia(data, result.centers.view(), std::span<const std::int32_t>(result.labels), options.metric,
                             sample_weights);
  } else {
    const double total = weights ? total_weight : static_cast<double>(n);
    result.inertia = (have_ewa ? ewa : last_batch_mean) * total;
  }
  result.state = std::move(state);
  result.seconds = seconds_since(start);
  return result;
}

#define CENTRIX_INSTANTIATE(T)      \
  template class MiniBatchState<T>; \
  template MiniBatchResult<T> fit_mini_batch<T>(MatrixView<T>, const MiniBatchOptions&, std::span<const double>);
CENTRIX_INSTANTIATE(float)
CENTRIX_INSTANTIATE(double)
#undef CENTRIX_INSTANTIATE

}  // namespace centrix
