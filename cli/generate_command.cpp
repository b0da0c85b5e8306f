#include <cstdio>

#include "centrix/datasets.hpp"
#include "centrix/error.hpp"
#include "common.hpp"

namespace centrix::cli {

namespace {

struct BlobsFlags {
  datasets::BlobsOptions options;
  std::vector<double> center_box = {-10.0, 10.0};
  std::string out;
  std::string labels_out;
  std::string centers_out;
};

int run_blobs(const BlobsFlags& f) {
  datasets::BlobsOptions options = f.options;
  options.center_low = f.center_box[0];
  options.center_high = f.center_box[1];
  if (options.n_samples < 1) throw InvalidArgument("--n must be at least 1");
  const datasets::Blobs blobs = datasets::make_blobs(options);
  io::OutputBatch batch;
  batch.add(f.out, encode_matrix_for(f.out, blobs.data.view()));
  if (!f.labels_out.empty()) batch.add(f.labels_out, encode_labels_for(f.labels_out, blobs.labels));
  if (!f.centers_out.empty()) batch.add(f.centers_out, encode_matrix_for(f.centers_out, blobs.centers.view()));
  batch.commit();
  std::printf("wrote %zu x %zu blobs (%zu centers) to %s\n", options.n_samples, options.n_features, options.n_centers,
              f.out.c_str());
  return 0;
}

}  // namespace

Command add_generate_command(CLI::App& root) {
  CLI::App* app = root.add_subcommand("generate", "Generate synthetic data sets");
  app->require_subcommand(1);
  auto flags = std::make_shared<BlobsFlags>();
  BlobsFlags& f = *flags;
  CLI::App* blobs = app->add_subcommand("blobs", "Isotropic Gaussian blobs, like scikit-learn's make_blobs");
  blobs->add_option("--n", f.options.n_samples, "Number of rows")->required();
  blobs->add_option("--d", f.options.n_features, "Number of columns")->required();
  blobs->add_option("--centers", f.options.n_centers, "Number of blobs")->required();
  blobs->add_option("--std", f.options.cluster_std, "Standard deviation of each blob")->capture_default_str();
  blobs->add_option("--center-box", f.center_box, "Blob centers are uniform in [LOW, HIGH) per coordinate")
      ->expected(2)
      ->capture_default_str();
  blobs->add_option("--seed", f.options.seed, "Random seed")->capture_default_str();
  blobs->add_option("-o,--output", f.out, "Write the data here (text, or .npy)")->required();
  blobs->add_option("--labels", f.labels_out, "Write the true blob of each row here");
  blobs->add_option("--true-centers", f.centers_out, "Write the true blob centers here");
  return {app, [flags] { return run_blobs(*flags); }};
}

}  // namespace centrix::cli
