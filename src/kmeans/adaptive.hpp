// What algorithm = Auto runs where a row's k distances are worth skipping
// (k >= 8 and k * d >= 4096, and k >= 32 unless the rows are held in memory):
// Hamerly's step, watched. Below that, the bounds' bookkeeping per row costs
// as much as the distances it saves (keops-2d, k = 50 in 2-D: 0.22 ms per
// iteration against Lloyd's 0.12 ms; workshop, k = 26 in 26-D: 0.19 against
// 0.15). On data read from memory every iteration with few centers, the pass
// over the data costs the same for both and Hamerly's per-row work is extra
// (Fashion-MNIST, 220 MB, k = 10: 50 ms per iteration against Lloyd's 36). Hamerly's bounds pay off on
// clustered data and cost up to a third more than Lloyd when they skip
// nothing (many centers in unstructured data: keops-large's N(0,1) with
// k = 1000 skips under 2%). After two iterations in a row that
// computed more than kGiveUpFraction of the n x k distances, or one that
// computed more than kHopelessFraction, the fit goes on with Lloyd's step.
// A new descent's first iteration, which computes every distance either way,
// runs Lloyd's step, so the per-row bounds exist only once Hamerly runs. Every
// 64th row's bounds are tested before each iteration, and an iteration they
// predict hopeless already runs Lloyd's step (keops-large never runs Hamerly:
// with cosine, whose rows are not held, a hopeless Hamerly iteration cost
// ~110 ms more than Lloyd's). Both give identical labels, so the switch
// changes the time, never the result.
#pragma once

#include "kmeans/hamerly.hpp"
#include "kmeans/lloyd.hpp"

namespace centrix::detail {

template <class T>
class AdaptiveStep {
 public:
  /// Hamerly's step is dropped once it computes more than this share of the distances twice in a row...
  static constexpr double kGiveUpFraction = 0.75;
  /// ...or more than this share once: early iterations, whose centers move most, may skip less than later
  /// ones, but not this little (keops-large skips under 2%: one such iteration costs 0.2 s more than Lloyd's).
  static constexpr double kHopelessFraction = 0.95;
  /// The bounds are sampled before an iteration only if the last one computed more than this share.
  static constexpr double kSampleAbove = 0.5;

  /// Whether Auto tries Hamerly at all for k centers in d dimensions; `small_data`: the data fit the frame
  /// cache (DataFrame::cache_bytes), so are not read from memory afresh for every iteration.
  static constexpr bool worth_trying(std::size_t k, std::size_t d, bool small_data) noexcept {
    return k >= 8 && k * d >= 4096 && (k >= 32 || small_data);
  }

  /// `frame` is not const: Hamerly's step has it hold its rows' norms again (DataFrame::hold_row_norms).
  AdaptiveStep(DataFrame<T>& frame, const double* weights, int n_threads)
      : frame_(frame), hamerly_(frame, weights, n_threads), lloyd_(frame, weights, n_threads), rows_(frame.rows()) {}

  AssignStats assign(const double* centers, std::size_t k, std::span<std::int32_t> labels) {
    if (use_lloyd_) return lloyd_.assign(centers, k, labels);
    if (labels.empty() || labels[0] < 0) {
      // A new descent's first iteration computes every distance whichever
      // step runs it: Lloyd's does it without Hamerly's per-row bounds, which
      // a trial that gives Hamerly up at once (keops-large) held for nothing
      // (1M rows: 24 MB). Hamerly goes on from these centers, its bounds
      // unknown, as after its own first iteration.
      const AssignStats stats = lloyd_.assign(centers, k, labels);
      hamerly_.continue_from(centers, k);
      return stats;
    }
    if (computed_share_ > kSampleAbove) {
      // A sample of the bounds tells beforehand whether this iteration would
      // be hopeless, and Lloyd's step does it instead (keops-large: a second
      // Hamerly iteration that skips nothing). Not after an iteration that
      // skipped most distances: the next is seldom hopeless, and the sample
      // cost mid from a k-means++ start ~3% of each iteration.
      const std::optional<double> unsettled = hamerly_.sampled_unsettled_share(centers, k, labels);
      if (unsettled && *unsettled > kHopelessFraction) {
        give_up();
        return lloyd_.assign(centers, k, labels);
      }
    }
    frame_.hold_row_norms();
    const AssignStats stats = hamerly_.assign(centers, k, labels);
    const double all = static_cast<double>(rows_) * static_cast<double>(k);
    const auto evals = static_cast<double>(stats.distance_evals);
    computed_share_ = evals / all;
    poor_in_a_row_ = evals > kGiveUpFraction * all ? poor_in_a_row_ + 1 : 0;
    if (poor_in_a_row_ >= 2 || evals > kHopelessFraction * all) give_up();
    return stats;
  }

 private:
  /// Lloyd's step from now on; Hamerly's bounds are freed.
  void give_up() noexcept {
    use_lloyd_ = true;
    hamerly_.release();
  }

  DataFrame<T>& frame_;
  HamerlyStep<T> hamerly_;
  LloydStep<T> lloyd_;
  std::size_t rows_;
  int poor_in_a_row_ = 0;
  double computed_share_ = 1.0;  // of the distances, in the last Hamerly iteration
  bool use_lloyd_ = false;
};

static_assert(AssignmentStep<AdaptiveStep<float>, float>);
static_assert(AssignmentStep<AdaptiveStep<double>, double>);

}  // namespace centrix::detail
