#include "fit_command.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/metrics.hpp"
#include "centrix/plot.hpp"
#include "mini_batch.hpp"
#include "progress.hpp"
#include "summary.hpp"

namespace centrix::cli {

namespace {

std::vector<double> load_weights(const std::string& path, std::size_t n) {
  std::vector<double> weights = io::load_vector(path);
  if (weights.size() != n) {
    throw IoError(path + ": " + std::to_string(weights.size()) + " weights for " + std::to_string(n) + " data rows");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (weights[i] < 0) {
      throw IoError(path + ": weight " + std::to_string(i + 1) + " is negative (" + std::to_string(weights[i]) + ")");
    }
  }
  return weights;
}

/// Reads --init: a method name, or a file of k x d centers.
void apply_init(const std::string& init, std::size_t k, std::size_t d, KMeansOptions& options) {
  if (init == "k-means++" || init == "kmeans++") {
    options.init = Init::KMeansPlusPlus;
    return;
  }
  if (init == "random") {
    options.init = Init::Random;
    return;
  }
  if (!std::filesystem::exists(init)) {
    throw InvalidArgument("--init '" + init + "' is neither k-means++, random nor an existing centers file");
  }
  io::LoadOptions load;
  load.dtype = io::DType::Float64;
  const io::Dataset centers = io::load_matrix(init, load);
  if (centers.rows() != k || centers.cols() != d) {
    throw IoError(init + ": initial centers have shape " + std::to_string(centers.rows()) + " x " +
                  std::to_string(centers.cols()) + ", expected k x d = " + std::to_string(k) + " x " +
                  std::to_string(d));
  }
  const MatrixView<double> view = centers.view<double>();
  options.init = Init::Given;
  options.initial_centers.assign(view.data(), view.data() + k * d);
}

/// A loaded matrix copied into doubles (true centers may be a float32 file).
Matrix<double> to_double_matrix(const io::Dataset& data) {
  return data.visit([](auto view) {
    Matrix<double> m(view.rows(), view.cols());
    for (std::size_t i = 0; i < view.rows(); ++i) {
      for (std::size_t j = 0; j < view.cols(); ++j) m(i, j) = static_cast<double>(view(i, j));
    }
    return m;
  });
}

}  // namespace

int run_fit(const FitFlags& f) {
  const io::Dataset data = io::load_matrix(f.data, f.data_flags.load_options());
  f.plot.validate(f.data, data.cols());
  std::vector<std::string> outputs = {f.labels_out, f.centers_out, f.summary_out};
  for (const std::string& out : f.plot.outputs()) outputs.push_back(out);
  for (const std::string& out : outputs) {
    if (out.empty()) continue;
    for (const std::string& input : {f.data, f.weights, f.init, f.true_centers}) {
      if (!input.empty()) io::ensure_distinct_files(input, out);
    }
  }

  KMeansOptions options;
  options.n_clusters = f.n_clusters;
  options.n_init = f.n_init;
  options.n_local_trials = f.n_local_trials;
  options.max_iter = f.max_iter;
  options.tol = f.tol;
  options.tol_mode = parse_tol_mode(f.tol_mode);
  options.early_stop = !f.no_early_stop;
  options.refine = parse_refine(f.refine);
  options.swap_patience = f.swap_patience;
  options.swap_iter = f.swap_iter;
  options.max_swaps = f.max_swaps;
  options.metric = parse_metric(f.metric);
  options.algorithm = parse_algorithm(f.algorithm);
  options.seed = f.seed;
  options.n_threads = f.threads;
  options.max_frames = f.plot.max_frames();
  apply_init(f.init, f.n_clusters > 0 ? static_cast<std::size_t>(f.n_clusters) : 0, data.cols(), options);
  const std::vector<double> weights = f.weights.empty() ? std::vector<double>() : load_weights(f.weights, data.rows());
  std::optional<io::Dataset> true_centers;
  if (!f.true_centers.empty()) true_centers = io::load_matrix(f.true_centers, {});
  if (f.mini_batch.enabled()) return run_mini_batch_fit(f, data, options, weights, true_centers);
  ProgressLine progress(f.quiet || f.verbose, options.init == Init::Given ? 1 : options.n_init, options.max_iter);
  if (f.verbose) {
    const bool show_run = options.n_init > 1;
    options.on_iteration = [show_run](const IterationStats& s) {
      std::cout << iteration_line(s, show_run) << '\n';
      return true;
    };
  } else if (progress.enabled()) {
    options.on_iteration = [&progress](const IterationStats& s) {
      progress.update(s);
      return true;
    };
  }

  return data.visit([&](auto view) {
    using T = typename decltype(view)::value_type;
    KMeansResult<T> result;
    try {
      result = fit(view, options, weights);
      progress.finish();
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(f.data + ": " + e.what());
    }
    for (const std::string& w : result.warnings) warn(f.data + ": " + w);

    RunDescription run{f.data, io::to_string(data.dtype()), data.rows(), data.cols(), &options, f.threads, {}};
    if (true_centers) {
      if (true_centers->cols() != data.cols()) {
        throw IoError(f.true_centers + ": " + std::to_string(true_centers->cols()) + " columns, the data has " +
                      std::to_string(data.cols()));
      }
      run.centroid_index = metrics::centroid_index(result.centers.view(), true_centers->view<double>());
    }

    io::OutputBatch batch;
    if (!f.labels_out.empty()) batch.add(f.labels_out, encode_labels_for(f.labels_out, result.labels));
    if (!f.centers_out.empty()) batch.add(f.centers_out, encode_matrix_for(f.centers_out, result.centers.view()));
    if (!f.summary_out.empty()) batch.add(f.summary_out, summary_json(result, run).dump(2) + "\n");
    if (f.plot.wanted()) {
      plot::ReportOptions report_options = f.plot.report_options(f.data, io::to_string(data.dtype()), f.threads);
      if (true_centers) report_options.true_centers = to_double_matrix(*true_centers);
      f.plot.write(plot::kmeans_report(view, result, options, report_options), batch);
    }
    batch.commit();

    std::printf("k-means: %zu x %zu (%s), k = %d, %s, init %s, n_init %d\n", data.rows(), data.cols(),
                io::to_string(data.dtype()), options.n_clusters, to_string(options.metric), to_string(options.init),
                options.init == Init::Given ? 1 : options.n_init);
    std::printf("inertia %.10g after %d iterations (%s) in %.3f s\n", result.inertia, result.n_iter,
                result.converged ? "converged" : "not converged", result.seconds);
    if (result.n_swaps_tried > 0)
      std::printf("swap refinement: %d of %d trial swaps kept\n", result.n_swaps_accepted, result.n_swaps_tried);
    if (run.centroid_index)
      std::printf("centroid index against %s: %zu\n", f.true_centers.c_str(), *run.centroid_index);
    for (const std::string& out : outputs) {
      if (!out.empty()) std::printf("wrote %s\n", out.c_str());
    }
    return 0;
  });
}

Command add_fit_command(CLI::App& root) {
  auto flags = std::make_shared<FitFlags>();
  CLI::App* app = root.add_subcommand("fit", "Cluster the rows of a data file with k-means");
  FitFlags& f = *flags;
  app->add_option("DATA", f.data, "Data file: .csv/.tsv/.txt (delimited text), .npy or .fvecs")->required();
  app->add_option("-k,--n-clusters", f.n_clusters, "Number of clusters")->required();
  app->add_option("--init", f.init, "k-means++ (default), random, or a file of k x d initial centers");
  app->add_option("--n-init", f.n_init, "Independent runs; the lowest inertia is kept")->capture_default_str();
  app->add_option("--n-local-trials", f.n_local_trials, "k-means++ candidates per center (0: 2 + ln k)");
  app->add_option("--max-iter", f.max_iter, "Most iterations per run")->capture_default_str();
  app->add_option("--tol", f.tol, "Convergence tolerance (see --tol-mode)")->capture_default_str();
  app->add_option("--tol-mode", f.tol_mode,
                  "shift: squared center shift <= tol x mean feature variance (scikit-learn); "
                  "inertia: relative inertia decrease <= tol")
      ->check(CLI::IsMember({"shift", "inertia"}))
      ->capture_default_str();
  app->add_flag("--no-early-stop", f.no_early_stop, "Run exactly --max-iter iterations (for benchmarks)");
  app->add_option("--refine", f.refine,
                  "After Lloyd converges: swap (move centers between regions, keep what lowers the inertia), "
                  "none, or auto (swap unless --init gives centers or --no-early-stop)")
      ->check(CLI::IsMember({"auto", "none", "swap"}))
      ->capture_default_str();
  app->add_option("--swap-patience", f.swap_patience, "Swap trials in a row without improvement before stopping")
      ->capture_default_str();
  app->add_option("--swap-iter", f.swap_iter, "Lloyd iterations that settle each trial swap")->capture_default_str();
  app->add_option("--max-swaps", f.max_swaps, "Most swap trials per run (0: 2k + 16)")->capture_default_str();
  app->add_option("--metric", f.metric, "euclidean, or cosine (spherical k-means)")
      ->check(CLI::IsMember({"euclidean", "cosine"}))
      ->capture_default_str();
  app->add_option("--algorithm", f.algorithm,
                  "Assignment algorithm: auto, lloyd, hamerly, yinyang or elkan (identical labels)")
      ->check(CLI::IsMember({"auto", "lloyd", "hamerly", "yinyang", "elkan"}))
      ->capture_default_str();
  app->add_option("--seed", f.seed, "Random seed; the same seed gives the same result")->capture_default_str();
  app->add_option("--threads", f.threads, "Threads to use (0: all cores)")->capture_default_str();
  app->add_option("--weights", f.weights, "File of one non-negative weight per data row");
  app->add_option("--labels", f.labels_out, "Write the cluster of each row here (text, or .npy)");
  app->add_option("--centers", f.centers_out, "Write the k x d centers here (text, or .npy)");
  app->add_option("--summary", f.summary_out, "Write a JSON summary of the run here");
  app->add_option("--true-centers", f.true_centers,
                  "Ground-truth centers: report the Centroid Index against them (and mark them in --plot/--report)");
  app->add_flag("-v,--verbose", f.verbose, "Print one line per iteration");
  app->add_flag("-q,--quiet", f.quiet,
                "No progress line (shown on stderr, when it is a terminal, for runs longer than a second)");
  f.plot.add_to(*app);
  f.data_flags.add_to(*app);
  f.mini_batch.add_to(*app);
  return {app, [flags] { return run_fit(*flags); }};
}

}  // namespace centrix::cli
