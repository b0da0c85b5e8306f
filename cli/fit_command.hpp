// `centrix fit`: flags, and the run shared with `centrix demo`.
#pragma once

#include <cstdint>
#include <string>

#include "centrix/kmeans.hpp"
#include "common.hpp"
#include "mini_batch.hpp"
#include "plot_flags.hpp"

namespace centrix::cli {

/// Every flag of `centrix fit`; names follow KMeansOptions' fields.
struct FitFlags {
  std::string data;
  int n_clusters = 0;
  std::string init = "k-means++";
  int n_init = 1;
  int n_local_trials = 0;
  int max_iter = 300;
  double tol = 1e-4;
  std::string tol_mode = "shift";
  bool no_early_stop = false;
  std::string refine = "auto";
  int swap_patience = KMeansOptions{}.swap_patience;
  int swap_iter = KMeansOptions{}.swap_iter;
  int max_swaps = 0;
  std::string metric = "euclidean";
  std::string algorithm = "auto";
  std::uint64_t seed = 0;
  int threads = 0;
  std::string weights;
  std::string labels_out;
  std::string centers_out;
  std::string summary_out;
  std::string true_centers;
  bool verbose = false;
  bool quiet = false;
  DataFlags data_flags;
  PlotFlags plot;  ///< --plot, --report and their options

  MiniBatchFlags mini_batch;  ///< --mini-batch and the flags only it reads
};

/// Loads, fits, writes the outputs all-or-nothing and prints a short report. Returns the exit status.
int run_fit(const FitFlags& flags);

}  // namespace centrix::cli
