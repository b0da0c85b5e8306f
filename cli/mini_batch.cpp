#include "mini_batch.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "centrix/error.hpp"
#include "centrix/metrics.hpp"
#include "centrix/mini_batch.hpp"
#include "centrix/plot.hpp"
#include "fit_command.hpp"
#include "summary.hpp"

namespace centrix::cli {

namespace {

/// --max-no-improvement: a count >= 0, or "none" (never stop on it).
std::optional<int> parse_max_no_improvement(const std::string& value) {
  if (value == "none") return std::nullopt;
  std::size_t used = 0;
  int parsed = 0;
  try {
    parsed = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size()) {
    throw InvalidArgument("--max-no-improvement '" + value + "' is neither a number nor none");
  }
  return parsed;
}

MiniBatchOptions mini_batch_options(const FitFlags& f, const KMeansOptions& k) {
  const MiniBatchFlags& m = f.mini_batch;
  MiniBatchOptions o;
  o.n_clusters = k.n_clusters;
  o.metric = k.metric;
  o.init = k.init;
  o.n_local_trials = k.n_local_trials;
  o.initial_centers = k.initial_centers;
  o.n_init = m.n_init->count() > 0 ? k.n_init : 0;
  o.batch_size = m.batch_size;
  o.max_iter = m.max_iter->count() > 0 ? k.max_iter : MiniBatchOptions{}.max_iter;
  o.max_no_improvement = parse_max_no_improvement(m.max_no_improvement);
  o.tol = m.tol->count() > 0 ? k.tol : MiniBatchOptions{}.tol;
  o.reassignment_ratio = m.reassignment_ratio;
  o.init_size = m.init_size;
  o.seed = k.seed;
  o.n_threads = k.n_threads;
  return o;
}

template <class T>
nlohmann::json mini_batch_summary(const MiniBatchResult<T>& r, const MiniBatchOptions& o, const FitFlags& f,
                                  const io::Dataset& data, std::optional<std::size_t> centroid_index) {
  nlohmann::json history = nlohmann::json::array();
  for (const MiniBatchStepStats& s : r.history) {
    history.push_back({{"step", s.step},
                       {"batch_inertia", s.batch_inertia},
                       {"ewa_inertia", std::isnan(s.ewa_inertia) ? nlohmann::json() : nlohmann::json(s.ewa_inertia)},
                       {"center_shift", s.center_shift},
                       {"n_reassigned", s.n_reassigned},
                       {"seconds", s.seconds}});
  }
  nlohmann::json j = {
      {"data", f.data},
      {"n", data.rows()},
      {"d", data.cols()},
      {"k", o.n_clusters},
      {"dtype", io::to_string(data.dtype())},
      {"metric", to_string(o.metric)},
      {"algorithm", "mini-batch"},
      {"init", to_string(o.init)},
      {"n_init", o.n_init},
      {"batch_size", o.batch_size},
      {"max_iter", o.max_iter},
      {"max_no_improvement", o.max_no_improvement ? nlohmann::json(*o.max_no_improvement) : nlohmann::json()},
      {"tol", o.tol},
      {"reassignment_ratio", o.reassignment_ratio},
      {"init_size", o.init_size},
      {"seed", o.seed},
      {"threads", f.threads},
      {"inertia", r.inertia},
      {"n_iter", r.n_iter},
      {"n_steps", r.n_steps},
      {"converged", r.converged},
      {"seconds", r.seconds},
      {"centers", matrix_json(r.centers)},
      {"history", std::move(history)},
      {"warnings", r.warnings}};
  if (centroid_index) j["centroid_index"] = *centroid_index;
  return j;
}

/// The mini-batch result in the shape the k-means report draws (each step as one iteration).
template <class T>
KMeansResult<T> as_kmeans_result(const MiniBatchResult<T>& r) {
  KMeansResult<T> k;
  k.centers = r.centers;
  k.labels = r.labels;
  k.inertia = r.inertia;
  k.n_iter = static_cast<int>(r.n_steps);
  k.converged = r.converged;
  k.seconds = r.seconds;
  for (const MiniBatchStepStats& s : r.history) {
    IterationStats it;
    it.iteration = static_cast<int>(s.step);
    it.inertia = s.batch_inertia;
    it.center_shift = s.center_shift;
    it.seconds = s.seconds;
    k.history.push_back(it);
  }
  return k;
}

}  // namespace

void MiniBatchFlags::add_to(CLI::App& app) {
  mini_batch = app.add_option("--mini-batch", batch_size,
                              "Mini-batch k-means (scikit-learn's MiniBatchKMeans) with this many rows per step; "
                              "--max-iter then counts epochs (default 100) and --tol is a center-shift tolerance "
                              "(default 0: off)");
  app.add_option("--max-no-improvement", max_no_improvement,
                 "Mini-batch: stop after this many steps without a new minimum of the smoothed batch inertia "
                 "(none: never)")
      ->capture_default_str();
  app.add_option("--reassignment-ratio", reassignment_ratio,
                 "Mini-batch: move centers whose count is below this fraction of the largest onto batch rows (0: "
                 "never)")
      ->capture_default_str();
  app.add_option("--init-size", init_size, "Mini-batch: rows sampled for the initialisation (0: 3 x batch size)")
      ->capture_default_str();
  max_iter = app.get_option("--max-iter");
  tol = app.get_option("--tol");
  n_init = app.get_option("--n-init");
}

int run_mini_batch_fit(const FitFlags& f, const io::Dataset& data, const KMeansOptions& kmeans_options,
                       const std::vector<double>& weights, const std::optional<io::Dataset>& true_centers) {
  MiniBatchOptions options = mini_batch_options(f, kmeans_options);
  if (f.verbose) {
    options.on_step = [](const MiniBatchStepStats& s) {
      std::printf("step %6lld  batch inertia %.9g  ewa %.9g  shift %.3g  reassigned %d  %.3f ms\n",
                  static_cast<long long>(s.step), s.batch_inertia, s.ewa_inertia, s.center_shift, s.n_reassigned,
                  s.seconds * 1e3);
      return true;
    };
  }
  return data.visit([&](auto view) {
    using T = typename decltype(view)::value_type;
    MiniBatchResult<T> result;
    try {
      result = fit_mini_batch(view, options, weights);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(f.data + ": " + e.what());
    }
    for (const std::string& w : result.warnings) warn(f.data + ": " + w);

    std::optional<std::size_t> centroid_index;
    if (true_centers) {
      if (true_centers->cols() != data.cols()) {
        throw IoError(f.true_centers + ": " + std::to_string(true_centers->cols()) + " columns, the data has " +
                      std::to_string(data.cols()));
      }
      centroid_index = metrics::centroid_index(result.centers.view(), true_centers->view<double>());
    }

    io::OutputBatch batch;
    if (!f.labels_out.empty()) batch.add(f.labels_out, encode_labels_for(f.labels_out, result.labels));
    if (!f.centers_out.empty()) batch.add(f.centers_out, encode_matrix_for(f.centers_out, result.centers.view()));
    if (!f.summary_out.empty()) {
      batch.add(f.summary_out, mini_batch_summary(result, options, f, data, centroid_index).dump(2) + "\n");
    }
    if (f.plot.wanted()) {
      plot::ReportOptions report_options = f.plot.report_options(f.data, io::to_string(data.dtype()), f.threads);
      if (true_centers) {
        report_options.true_centers = true_centers->visit([](auto tv) {
          Matrix<double> m(tv.rows(), tv.cols());
          for (std::size_t i = 0; i < tv.rows(); ++i) {
            for (std::size_t j = 0; j < tv.cols(); ++j) m(i, j) = static_cast<double>(tv(i, j));
          }
          return m;
        });
      }
      f.plot.write(plot::kmeans_report(view, as_kmeans_result(result), kmeans_options, report_options), batch);
    }
    batch.commit();

    std::printf("mini-batch k-means: %zu x %zu (%s), k = %d, %s, init %s, batch size %lld\n", data.rows(), data.cols(),
                io::to_string(data.dtype()), options.n_clusters, to_string(options.metric), to_string(options.init),
                static_cast<long long>(options.batch_size));
    std::printf("inertia %.10g after %lld steps, %d epochs (%s) in %.3f s\n", result.inertia,
                static_cast<long long>(result.n_steps), result.n_iter,
                result.converged ? "stopped early" : "all steps run", result.seconds);
    if (centroid_index) std::printf("centroid index against %s: %zu\n", f.true_centers.c_str(), *centroid_index);
    for (const std::string& out : {f.labels_out, f.centers_out, f.summary_out}) {
      if (!out.empty()) std::printf("wrote %s\n", out.c_str());
    }
    for (const std::string& out : f.plot.outputs()) std::printf("wrote %s\n", out.c_str());
    return 0;
  });
}

}  // namespace centrix::cli
