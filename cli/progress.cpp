#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace centrix::cli {

namespace {

std::string format_seconds(double s) {
  char buffer[32];
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%.1f s", s);
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%d min %02d s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%d h %02d min", static_cast<int>(s) / 3600, static_cast<int>(s) % 3600 / 60);
  }
  return buffer;
}

}  // namespace

ProgressLine::ProgressLine(bool quiet, int runs, int max_iter)
    : enabled_(!quiet && isatty(STDERR_FILENO) == 1),
      runs_(std::max(1, runs)),
      max_iter_(std::max(1, max_iter)),
      start_(Clock::now()),
      last_draw_(start_) {
  if (const char* delay = std::getenv("CENTRIX_PROGRESS_DELAY")) delay_ = std::atof(delay);
}

ProgressLine::~ProgressLine() {
  finish();
}

double ProgressLine::estimate_remaining(const IterationStats& stats) const {
  // Label changes shrink roughly geometrically as a descent converges; the
  // descent ends when they reach zero (or earlier, by the tolerance).
  double iterations_left = max_iter_ - stats.iteration;
  if (stats.n_changed > 0 && change_ratio_ < 1) {
    iterations_left = std::min(
        iterations_left, std::log(static_cast<double>(stats.n_changed) + 1) / -std::log(std::max(change_ratio_, 1e-6)));
  }
  const double per_iteration = descent_iterations_ > 0 ? descent_seconds_ / descent_iterations_ : 0;
  double remaining = std::max(0.0, iterations_left) * per_iteration;
  const int runs_left = runs_ - 1 - stats.run;
  if (runs_left > 0) {
    const double per_run = finished_runs_ > 0 ? finished_runs_seconds_ / finished_runs_ : descent_seconds_ + remaining;
    remaining += runs_left * per_run;
  }
  return remaining;
}

void ProgressLine::update(const IterationStats& stats) {
  if (!enabled_) return;
  if (stats.run != current_run_) {
    finished_runs_seconds_ = std::chrono::duration<double>(Clock::now() - start_).count();
    finished_runs_ = stats.run;
    current_run_ = stats.run;
  }
  if (stats.iteration == 1 || stats.swap != current_swap_) {
    descent_iterations_ = 0;
    descent_seconds_ = 0;
    previous_changed_ = 0;
    change_ratio_ = 0.5;
    current_swap_ = stats.swap;
  }
  ++descent_iterations_;
  descent_seconds_ += stats.seconds;
  if (previous_changed_ > 0) {
    const double ratio = static_cast<double>(stats.n_changed) / previous_changed_;
    change_ratio_ = 0.5 * change_ratio_ + 0.5 * std::min(ratio, 1.0);
  }
  previous_changed_ = static_cast<double>(stats.n_changed);

  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < delay_ || std::chrono::duration<double>(now - last_draw_).count() < 0.1) return;
  last_draw_ = now;
  std::string where = runs_ > 1 ? "run " + std::to_string(stats.run + 1) + "/" + std::to_string(runs_) + "  " : "";
  if (stats.swap > 0) where += "swap " + std::to_string(stats.swap) + "  ";
  const std::string outlook = stats.swap > 0 ? "refining" : "remaining ~" + format_seconds(estimate_remaining(stats));
  std::fprintf(stderr, "\r%siteration %d  inertia %.6g  elapsed %s  %s\x1b[K", where.c_str(), stats.iteration,
               stats.inertia, format_seconds(elapsed).c_str(), outlook.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace centrix::cli
