#include <cstdio>
#include <iostream>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "common.hpp"

namespace centrix::cli {

namespace {

struct PredictFlags {
  std::string data;
  std::string centers;
  std::string labels_out;
  std::string metric = "euclidean";
  int threads = 0;
  DataFlags data_flags;
};

int run_predict(const PredictFlags& f) {
  const io::Dataset data = io::load_matrix(f.data, f.data_flags.load_options());
  if (!f.labels_out.empty()) {
    io::ensure_distinct_files(f.data, f.labels_out);
    io::ensure_distinct_files(f.centers, f.labels_out);
  }
  io::LoadOptions center_options;
  center_options.dtype = data.dtype();
  const io::Dataset centers = io::load_matrix(f.centers, center_options);
  if (centers.cols() != data.cols()) {
    throw IoError(f.centers + ": centers have " + std::to_string(centers.cols()) + " columns, the data " +
                  std::to_string(data.cols()));
  }
  const Metric metric = parse_metric(f.metric);
  const std::vector<std::int32_t> labels = data.visit([&](auto view) {
    using T = typename decltype(view)::value_type;
    return predict(view, centers.view<T>(), metric, f.threads);
  });
  if (f.labels_out.empty()) {
    std::string text = io::encode_labels(labels, io::Format::Text);
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    io::write_file_atomic(f.labels_out, encode_labels_for(f.labels_out, labels));
  }
  return 0;
}

}  // namespace

Command add_predict_command(CLI::App& root) {
  auto flags = std::make_shared<PredictFlags>();
  PredictFlags& f = *flags;
  CLI::App* app = root.add_subcommand("predict", "Label each row of a data file with its nearest center");
  app->add_option("DATA", f.data, "Data file: .csv/.tsv/.txt (delimited text), .npy or .fvecs")->required();
  app->add_option("--centers", f.centers, "File of k x d centers (e.g. from centrix fit --centers)")->required();
  app->add_option("--labels", f.labels_out, "Write the labels here (text, or .npy); default: standard output");
  app->add_option("--metric", f.metric, "euclidean or cosine")
      ->check(CLI::IsMember({"euclidean", "cosine"}))
      ->capture_default_str();
  app->add_option("--threads", f.threads, "Threads to use (0: all cores)");
  f.data_flags.add_to(*app);
  return {app, [flags] { return run_predict(*flags); }};
}

}  // namespace centrix::cli
