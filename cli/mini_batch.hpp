// `centrix fit --mini-batch SIZE`: mini-batch k-means (include/centrix/mini_batch.hpp) instead of Lloyd,
// with the outputs of `centrix fit`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "centrix/io.hpp"
#include "centrix/kmeans.hpp"

namespace centrix::cli {

struct FitFlags;

/// The flags only mini-batch k-means reads; names follow MiniBatchOptions' fields.
struct MiniBatchFlags {
  long long batch_size = 1024;              ///< --mini-batch SIZE: rows per step
  std::string max_no_improvement = "10";    ///< --max-no-improvement N, or none
  double reassignment_ratio = 0.01;         ///< --reassignment-ratio X
  long long init_size = 0;                  ///< --init-size N (0: 3 x batch size, at least 3 k)
  const CLI::Option* mini_batch = nullptr;  ///< whether --mini-batch was given
  const CLI::Option* max_iter = nullptr;    ///< whether --max-iter was given (else 100 epochs, not 300)
  const CLI::Option* tol = nullptr;         ///< whether --tol was given (else 0: no center-shift stop)
  const CLI::Option* n_init = nullptr;      ///< whether --n-init was given (else auto: 3 for random, else 1)

  /// Registers the flags on `app`; call after `fit`'s own --max-iter, --tol and --n-init.
  void add_to(CLI::App& app);
  /// True when --mini-batch was given.
  [[nodiscard]] bool enabled() const { return mini_batch != nullptr && mini_batch->count() > 0; }
};

/// Runs mini-batch k-means with what `centrix fit` prepared (data, k-means options from the shared flags,
/// weights, true centers), writes the same outputs all-or-nothing and prints a short report. Returns the
/// exit status.
int run_mini_batch_fit(const FitFlags& flags, const io::Dataset& data, const KMeansOptions& options,
                       const std::vector<double>& weights, const std::optional<io::Dataset>& true_centers);

}  // namespace centrix::cli
