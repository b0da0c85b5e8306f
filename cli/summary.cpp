#include "summary.hpp"

#include <cstdio>

namespace centrix::cli {

template <class T>
nlohmann::json matrix_json(const Matrix<T>& matrix) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t j = 0; j < matrix.rows; ++j) {
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t t = 0; t < matrix.cols; ++t) row.push_back(static_cast<double>(matrix(j, t)));
    rows.push_back(std::move(row));
  }
  return rows;
}

template nlohmann::json matrix_json<float>(const Matrix<float>&);
template nlohmann::json matrix_json<double>(const Matrix<double>&);

template <class T>
nlohmann::json summary_json(const KMeansResult<T>& result, const RunDescription& run) {
  const KMeansOptions& o = *run.options;
  nlohmann::json history = nlohmann::json::array();
  for (const IterationStats& s : result.history) {
    history.push_back({{"run", s.run},
                       {"swap", s.swap},
                       {"iteration", s.iteration},
                       {"inertia", s.inertia},
                       {"center_shift", s.center_shift},
                       {"seconds", s.seconds},
                       {"n_changed", s.n_changed},
                       {"n_empty", s.n_empty},
                       {"distance_evals", s.distance_evals}});
  }
  nlohmann::json j = {{"data", run.data_path},
                      {"n", run.n},
                      {"d", run.d},
                      {"k", o.n_clusters},
                      {"dtype", run.dtype},
                      {"metric", to_string(o.metric)},
                      {"algorithm", to_string(o.algorithm)},
                      {"init", to_string(o.init)},
                      {"n_init", o.n_init},
                      {"max_iter", o.max_iter},
                      {"tol", o.tol},
                      {"tol_mode", to_string(o.tol_mode)},
                      {"early_stop", o.early_stop},
                      {"refine", to_string(o.refine)},
                      {"n_swaps_tried", result.n_swaps_tried},
                      {"n_swaps_accepted", result.n_swaps_accepted},
                      {"seed", o.seed},
                      {"threads", run.n_threads},
                      {"inertia", result.inertia},
                      {"n_iter", result.n_iter},
                      {"converged", result.converged},
                      {"best_run", result.best_run},
                      {"seconds", result.seconds},
                      {"centers", matrix_json(result.centers)},
                      {"history", std::move(history)},
                      {"warnings", result.warnings}};
  if (run.centroid_index) j["centroid_index"] = *run.centroid_index;
  return j;
}

template nlohmann::json summary_json<float>(const KMeansResult<float>&, const RunDescription&);
template nlohmann::json summary_json<double>(const KMeansResult<double>&, const RunDescription&);

std::string iteration_line(const IterationStats& s, bool show_run) {
  const std::string prefix = (show_run ? "run " + std::to_string(s.run) + "  " : std::string()) +
                             (s.swap > 0 ? "swap " + std::to_string(s.swap) + "  " : std::string());
  char line[200];
  std::snprintf(line, sizeof line, "%siteration %3d  inertia %.9g  shift %.3g  changed %lld  %.3f ms", prefix.c_str(),
                s.iteration, s.inertia, s.center_shift, static_cast<long long>(s.n_changed), s.seconds * 1e3);
  return line;
}

}  // namespace centrix::cli
