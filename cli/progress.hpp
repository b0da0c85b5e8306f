// A progress line on stderr for long k-means fits: iteration, inertia,
// elapsed and estimated remaining time, redrawn in place. Only when stderr is
// a terminal, never before the run has lasted `delay` seconds (1 s; the
// environment variable CENTRIX_PROGRESS_DELAY overrides it, for tests), and
// never with --quiet; the line is erased when the run ends.
#pragma once

#include <chrono>
#include <string>

#include "centrix/kmeans.hpp"

namespace centrix::cli {

class ProgressLine {
 public:
  /// `runs` and `max_iter` bound the estimate of the remaining time.
  ProgressLine(bool quiet, int runs, int max_iter);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// Called after every iteration (KMeansOptions::on_iteration).
  void update(const IterationStats& stats);
  /// Erases the line, if one was drawn.
  void finish();

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

 private:
  using Clock = std::chrono::steady_clock;
  [[nodiscard]] double estimate_remaining(const IterationStats& stats) const;

  bool enabled_ = false;
  bool drawn_ = false;
  int runs_ = 1;
  int max_iter_ = 1;
  double delay_ = 1.0;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  // For the estimate: the current descent's iteration times and how fast its label changes die out.
  int descent_iterations_ = 0;
  double descent_seconds_ = 0;
  double previous_changed_ = 0;
  double change_ratio_ = 0.5;
  double finished_runs_seconds_ = 0;
  int finished_runs_ = 0;
  int current_run_ = 0;
  int current_swap_ = 0;
};

}  // namespace centrix::cli
