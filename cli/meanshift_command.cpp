#include <cstdio>
#include <nlohmann/json.hpp>

#include "centrix/error.hpp"
#include "centrix/mean_shift.hpp"
#include "centrix/plot.hpp"
#include "common.hpp"
#include "plot_flags.hpp"
#include "summary.hpp"

namespace centrix::cli {

namespace {

struct MeanShiftFlags {
  std::string data;
  double bandwidth = 0;
  double quantile = 0.3;
  std::size_t bandwidth_samples = 0;
  std::string kernel = "flat";
  double gaussian_cutoff = 3.0;
  bool bin_seeding = false;
  int min_bin_freq = 1;
  bool cluster_all = true;
  int max_iter = 300;
  double tol = 1e-3;
  std::string label_mode = "nearest";
  std::uint64_t seed = 0;
  int threads = 0;
  std::string labels_out;
  std::string centers_out;
  std::string summary_out;
  DataFlags data_flags;
  PlotFlags plot;
};

int run_mean_shift(const MeanShiftFlags& f, bool bandwidth_given) {
  if (bandwidth_given && !(f.bandwidth > 0)) {
    throw InvalidArgument("--bandwidth must be > 0, got " + std::to_string(f.bandwidth) +
                          " (leave it out to estimate the bandwidth)");
  }
  const io::Dataset data = io::load_matrix(f.data, f.data_flags.load_options());
  f.plot.validate(f.data, data.cols());
  std::vector<std::string> outputs = {f.labels_out, f.centers_out, f.summary_out};
  for (const std::string& out : f.plot.outputs()) outputs.push_back(out);
  for (const std::string& out : outputs) {
    if (!out.empty()) io::ensure_distinct_files(f.data, out);
  }
  MeanShiftOptions options;
  options.bandwidth = f.bandwidth;
  options.quantile = f.quantile;
  options.bandwidth_samples = f.bandwidth_samples;
  options.kernel = parse_mean_shift_kernel(f.kernel);
  options.gaussian_cutoff = f.gaussian_cutoff;
  options.bin_seeding = f.bin_seeding;
  options.min_bin_freq = f.min_bin_freq;
  options.cluster_all = f.cluster_all;
  options.max_iter = f.max_iter;
  options.tol = f.tol;
  options.labels = parse_mean_shift_labels(f.label_mode);
  options.seed = f.seed;
  options.n_threads = f.threads;
  options.max_frames = f.plot.max_frames();
  return data.visit([&](auto view) {
    using T = typename decltype(view)::value_type;
    MeanShiftResult<T> result;
    try {
      result = mean_shift(view, options);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(f.data + ": " + e.what());
    }
    io::OutputBatch batch;
    if (!f.labels_out.empty()) batch.add(f.labels_out, encode_labels_for(f.labels_out, result.labels));
    if (!f.centers_out.empty()) batch.add(f.centers_out, encode_matrix_for(f.centers_out, result.centers.view()));
    if (!f.summary_out.empty()) {
      const nlohmann::json summary = {{"data", f.data},
                                      {"n", data.rows()},
                                      {"d", data.cols()},
                                      {"dtype", io::to_string(data.dtype())},
                                      {"kernel", to_string(options.kernel)},
                                      {"bandwidth", result.bandwidth},
                                      {"bandwidth_estimated", f.bandwidth == 0},
                                      {"bin_seeding", f.bin_seeding},
                                      {"cluster_all", f.cluster_all},
                                      {"label_mode", f.label_mode},
                                      {"n_seeds", result.n_seeds},
                                      {"n_clusters", result.centers.rows},
                                      {"n_iter", result.n_iter},
                                      {"seconds", result.seconds},
                                      {"populations", result.populations},
                                      {"centers", matrix_json(result.centers)}};
      batch.add(f.summary_out, summary.dump(2) + "\n");
    }
    if (f.plot.wanted()) {
      const plot::ReportOptions report_options = f.plot.report_options(f.data, io::to_string(data.dtype()), f.threads);
      f.plot.write(plot::mean_shift_report(view, result, options, report_options), batch);
    }
    batch.commit();
    std::printf("mean shift: %zu x %zu (%s), %s kernel, bandwidth %.6g%s, %zu seeds\n", data.rows(), data.cols(),
                io::to_string(data.dtype()), to_string(options.kernel), result.bandwidth,
                f.bandwidth == 0 ? " (estimated)" : "", result.n_seeds);
    std::printf("%zu clusters after at most %d iterations in %.4f s\n", result.centers.rows, result.n_iter,
                result.seconds);
    for (const std::string& out : outputs) {
      if (!out.empty()) std::printf("wrote %s\n", out.c_str());
    }
    return 0;
  });
}

}  // namespace

Command add_mean_shift_command(CLI::App& root) {
  auto flags = std::make_shared<MeanShiftFlags>();
  MeanShiftFlags& f = *flags;
  CLI::App* app = root.add_subcommand("meanshift", "Cluster the rows of a data file with mean shift");
  app->add_option("DATA", f.data, "Data file: .csv/.tsv/.txt (delimited text), .npy or .fvecs")->required();
  auto* bandwidth = app->add_option("--bandwidth", f.bandwidth, "Kernel bandwidth (default: estimated)");
  auto* quantile = app->add_option("--quantile", f.quantile,
                                   "Estimate the bandwidth as the mean distance to the quantile x n-th neighbour")
                       ->capture_default_str();
  bandwidth->excludes(quantile);
  app->add_option("--bandwidth-samples", f.bandwidth_samples, "Rows sampled to estimate the bandwidth (0: all)");
  app->add_option("--kernel", f.kernel, "flat (scikit-learn's), triangular or gaussian")
      ->check(CLI::IsMember({"flat", "triangular", "gaussian"}))
      ->capture_default_str();
  app->add_option("--gaussian-cutoff", f.gaussian_cutoff, "Gaussian kernel: zero beyond this many bandwidths")
      ->capture_default_str();
  app->add_flag("--bin-seeding", f.bin_seeding, "Seed from grid bins of side bandwidth instead of every row");
  app->add_option("--min-bin-freq", f.min_bin_freq, "Rows a bin needs to give a seed")->capture_default_str();
  app->add_flag("--cluster-all,!--no-cluster-all", f.cluster_all,
                "Label every row (default), or give -1 to rows beyond the bandwidth of every mode");
  app->add_option("--max-iter", f.max_iter, "Most mean updates per seed")->capture_default_str();
  app->add_option("--tol", f.tol, "A seed stops when its mean moves at most tol x bandwidth")->capture_default_str();
  app->add_option("--label-mode", f.label_mode,
                  "nearest: nearest mode (scikit-learn); attractor: the mode of "
                  "the row's own trajectory")
      ->check(CLI::IsMember({"nearest", "attractor"}))
      ->capture_default_str();
  app->add_option("--seed", f.seed, "Seed of the bandwidth-estimation sample")->capture_default_str();
  app->add_option("--threads", f.threads, "Threads to use (0: all cores)");
  app->add_option("--labels", f.labels_out, "Write the cluster of each row here (text, or .npy)");
  app->add_option("--centers", f.centers_out, "Write the modes here (text, or .npy)");
  app->add_option("--summary", f.summary_out, "Write a JSON summary of the run here");
  f.plot.add_to(*app);
  f.data_flags.add_to(*app);
  return {app, [flags, bandwidth] { return run_mean_shift(*flags, bandwidth->count() > 0); }};
}

}  // namespace centrix::cli
