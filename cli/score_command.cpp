// centrix score: quality measures of a labeling of a data file.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/metrics.hpp"
#include "common.hpp"

namespace centrix::cli {

namespace {

struct ScoreFlags {
  std::string data;
  std::string labels;
  std::string true_labels;
  std::string true_centers;
  std::size_t silhouette_sample = 10000;
  std::uint64_t seed = 0;
  int threads = 0;
  std::string summary_out;
  DataFlags data_flags;
};

/// Shortest decimal form that reads back as the same double.
std::string number(double value) {
  if (std::isnan(value)) return "nan";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

/// Labels of `path`, one per row of the data file `data_path` (n rows); `what` names them in messages.
std::vector<std::int64_t> load_row_labels(const std::string& path, const std::string& data_path, std::size_t n,
                                          const char* what) {
  std::vector<std::int64_t> labels = io::load_labels(path);
  if (labels.size() != n) {
    throw IoError(path + ": " + std::to_string(labels.size()) + " " + what + " for the " + std::to_string(n) +
                  " rows of " + data_path);
  }
  return labels;
}

int run_score(const ScoreFlags& f) {
  if (!f.summary_out.empty()) {
    for (const std::string& input : {f.data, f.labels, f.true_labels, f.true_centers}) {
      if (!input.empty()) io::ensure_distinct_files(input, f.summary_out);
    }
  }
  const io::Dataset data = io::load_matrix(f.data, f.data_flags.load_options());
  const std::size_t n = data.rows();
  const std::vector<std::int64_t> labels = load_row_labels(f.labels, f.data, n, "labels");
  std::optional<std::vector<std::int64_t>> true_labels;
  if (!f.true_labels.empty()) true_labels = load_row_labels(f.true_labels, f.data, n, "true labels");
  std::optional<io::Dataset> true_centers;
  if (!f.true_centers.empty()) {
    io::LoadOptions as_double;
    as_double.dtype = io::DType::Float64;
    true_centers = io::load_matrix(f.true_centers, as_double);
    if (true_centers->cols() != data.cols()) {
      throw IoError(f.true_centers + ": " + std::to_string(true_centers->cols()) + " columns, the data " +
                    std::to_string(data.cols()));
    }
  }

  // name, value: printed as "name value" lines and written as the JSON summary.
  std::vector<std::pair<std::string, nlohmann::json>> scores;
  std::vector<std::string> warnings;
  const auto start = std::chrono::steady_clock::now();
  data.visit([&](auto view) {
    using T = typename decltype(view)::value_type;
    metrics::LabelMeans<T> means;
    try {
      means = metrics::centers_from_labels(view, std::span<const std::int64_t>(labels));
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(f.data + ": " + e.what());
    }
    scores.emplace_back("n", n);
    scores.emplace_back("d", data.cols());
    scores.emplace_back("clusters", means.values.size());
    scores.emplace_back("inertia", inertia(view, means.centers.view(), std::span<const std::int32_t>(means.labels)));

    metrics::SilhouetteOptions options;
    const bool sampled = f.silhouette_sample > 0 && n > f.silhouette_sample;
    options.sample_size = sampled ? f.silhouette_sample : 0;
    options.seed = f.seed;
    options.n_threads = f.threads;
    nlohmann::json silhouette = nullptr;
    try {
      silhouette = metrics::silhouette(view, std::span<const std::int64_t>(labels), options);
    } catch (const InvalidArgument& e) {
      // Undefined for one cluster or all singletons; the other measures still stand.
      warnings.push_back(f.labels + ": no silhouette: " + e.what());
    }
    scores.emplace_back("silhouette", std::move(silhouette));
    scores.emplace_back("silhouette_sample", sampled ? nlohmann::json(f.silhouette_sample) : nlohmann::json("exact"));
    if (sampled) scores.emplace_back("silhouette_seed", f.seed);

    if (true_labels) {
      scores.emplace_back("ari", metrics::adjusted_rand_index(*true_labels, labels));
      scores.emplace_back("nmi", metrics::normalized_mutual_info(*true_labels, labels));
    }
    if (true_centers) {
      scores.emplace_back("centroid_index",
                          metrics::centroid_index(means.centers.view(), true_centers->view<double>()));
    }
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!f.summary_out.empty()) {
    nlohmann::json summary = {{"data", f.data}, {"labels", f.labels}, {"dtype", io::to_string(data.dtype())}};
    if (!f.true_labels.empty()) summary["true_labels"] = f.true_labels;
    if (!f.true_centers.empty()) summary["true_centers"] = f.true_centers;
    for (const auto& [name, value] : scores) summary[name] = value;
    summary["seconds"] = seconds;
    summary["warnings"] = warnings;
    io::write_file_atomic(f.summary_out, summary.dump(2) + "\n");
  }
  for (const std::string& w : warnings) warn(w);
  for (const auto& [name, value] : scores) {
    std::string text;
    if (value.is_null()) {
      text = "nan";
    } else if (value.is_number_float()) {
      text = number(value.get<double>());
    } else if (value.is_string()) {
      text = value.get<std::string>();
    } else {
      text = value.dump();
    }
    std::printf("%s %s\n", name.c_str(), text.c_str());
  }
  return 0;
}

}  // namespace

Command add_score_command(CLI::App& root) {
  auto flags = std::make_shared<ScoreFlags>();
  ScoreFlags& f = *flags;
  CLI::App* app = root.add_subcommand(
      "score",
      "Clustering-quality measures of a labeling: inertia and silhouette; ARI and NMI against true labels; "
      "Centroid Index against true centers");
  app->add_option("DATA", f.data, "Data file: .csv/.tsv/.txt (delimited text), .npy or .fvecs")->required();
  app->add_option("--labels", f.labels, "File of one integer label per data row (text, .npy or .ivecs)")->required();
  app->add_option("--true-labels", f.true_labels, "Ground-truth labels: report the ARI and NMI against them");
  app->add_option("--true-centers", f.true_centers,
                  "Ground-truth centers: report the Centroid Index of the label means against them");
  app->add_option("--silhouette-sample", f.silhouette_sample,
                  "Silhouette on this many rows drawn at random when the data has more (0: always exact)")
      ->capture_default_str();
  app->add_option("--seed", f.seed, "Seed of the silhouette sample")->capture_default_str();
  app->add_option("--threads", f.threads, "Threads to use (0: all cores)");
  app->add_option("--summary", f.summary_out, "Write the measures as JSON here");
  f.data_flags.add_to(*app);
  return {app, [flags] { return run_score(*flags); }};
}

}  // namespace centrix::cli
