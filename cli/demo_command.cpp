#include <cmath>
#include <cstdio>
#include <filesystem>

#include "centrix/datasets.hpp"
#include "centrix/error.hpp"
#include "common.hpp"
#include "fit_command.hpp"

namespace centrix::cli {

namespace {

struct DemoFlags {
  std::string out_dir = "centrix-demo";
  int threads = 0;
};

/// The notebook-2d workload: 6 centers uniform in [-35, 35]^2, 250 points
/// each from N(c, 5 I) (standard deviation sqrt(5)), clustered with k = 6
/// and 10 k-means++ starts.
int run_demo(const DemoFlags& f) {
  std::error_code ec;
  std::filesystem::create_directories(f.out_dir, ec);
  if (ec) throw IoError(f.out_dir + ": cannot create folder: " + ec.message());
  const auto path = [&](const char* name) { return (std::filesystem::path(f.out_dir) / name).string(); };

  datasets::BlobsOptions options;
  options.n_samples = 1500;
  options.n_features = 2;
  options.n_centers = 6;
  options.cluster_std = std::sqrt(5.0);
  options.center_low = -35.0;
  options.center_high = 35.0;
  options.seed = 2026;
  const datasets::Blobs blobs = datasets::make_blobs(options);
  io::OutputBatch batch;
  batch.add(path("data.csv"), encode_matrix_for(path("data.csv"), blobs.data.view()));
  batch.add(path("true_labels.txt"), encode_labels_for(path("true_labels.txt"), blobs.labels));
  batch.add(path("true_centers.csv"), encode_matrix_for(path("true_centers.csv"), blobs.centers.view()));
  batch.commit();
  std::printf("notebook-2d demo: 1500 points in 2-D around 6 random centers, written to %s\n",
              path("data.csv").c_str());

  FitFlags fit;
  fit.data = path("data.csv");
  fit.n_clusters = 6;
  // Defaults: one k-means++ start, whose local optimum (a blob split, two merged) the swap refinement repairs.
  fit.threads = f.threads;
  fit.labels_out = path("labels.txt");
  fit.centers_out = path("centers.csv");
  fit.summary_out = path("summary.json");
  fit.true_centers = path("true_centers.csv");
  fit.plot.plot_out = path("clusters.svg");
  fit.plot.report_out = path("report.html");
  const int status = run_fit(fit);
  if (status == 0) {
    std::printf("pictures: %s (the clusters), %s (open it in a browser: clusters, iterations, convergence)\n",
                fit.plot.plot_out.c_str(), fit.plot.report_out.c_str());
  }
  return status;
}

}  // namespace

Command add_demo_command(CLI::App& root) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* app = root.add_subcommand(
      "demo",
      "Generate the notebook-2d example, cluster it, write the results and pictures (clusters.svg, report.html)");
  app->add_option("-o,--output", flags->out_dir, "Folder for the outputs")->capture_default_str();
  app->add_option("--threads", flags->threads, "Threads to use (0: all cores)");
  return {app, [flags] { return run_demo(*flags); }};
}

}  // namespace centrix::cli
