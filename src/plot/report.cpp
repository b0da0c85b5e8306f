// Report builders: from a fit to the plain structs the renderers draw.
//
// They draw a uniform sample of at most max_points rows (Floyd's algorithm,
// fixed seed), project it (raw columns for 1-2 columns and for the 3-D view of
// 3 columns, principal components otherwise, fitted on at most pca_rows
// rows), and label the sample in every animation frame with predict() against
// that frame's centers. Only the drawn rows are ever copied.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "centrix/error.hpp"
#include "centrix/metrics.hpp"
#include "centrix/pca.hpp"
#include "centrix/plot.hpp"
#include "common/random.hpp"

namespace centrix::plot {

std::string group_thousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string sample_note(std::size_t drawn, std::size_t n, const char* what) {
  if (drawn >= n) return "showing all " + group_thousands(n) + " " + what;
  return "showing " + group_thousands(drawn) + " of " + group_thousands(n) + " " + what + " (uniform sample)";
}

void scale_to_unit(double* row, std::size_t d) {
  double norm = 0;
  for (std::size_t j = 0; j < d; ++j) norm += row[j] * row[j];
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (std::size_t j = 0; j < d; ++j) row[j] /= norm;
  }
}

/// The rows of `data` listed in `rows`, as doubles; scaled to unit length if `unit` (cosine metric).
template <class T>
Matrix<double> gather(MatrixView<T> data, const std::vector<std::size_t>& rows, bool unit) {
  Matrix<double> out(rows.size(), data.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const T* src = data.row(rows[i]);
    double* dst = out.row(i);
    for (std::size_t j = 0; j < data.cols(); ++j) dst[j] = static_cast<double>(src[j]);
    if (unit) scale_to_unit(dst, data.cols());
  }
  return out;
}

/// The rows of `data` listed in `rows`, in the data's own type (for predict()).
template <class T>
Matrix<T> gather_same(MatrixView<T> data, const std::vector<std::size_t>& rows) {
  Matrix<T> out(rows.size(), data.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) std::copy_n(data.row(rows[i]), data.cols(), out.row(i));
  return out;
}

template <class T>
Matrix<double> all_rows(MatrixView<T> data, bool unit) {
  Matrix<double> out(data.rows(), data.cols());
  for (std::size_t i = 0; i < data.rows(); ++i) {
    for (std::size_t j = 0; j < data.cols(); ++j) out(i, j) = static_cast<double>(data(i, j));
    if (unit) scale_to_unit(out.row(i), data.cols());
  }
  return out;
}

std::string percent_label(const char* name, double ratio) {
  return std::string(name) + " (" + format("%.1f", 100 * ratio) + "% of variance)";
}

/// How rows become points of the pictures: raw columns or principal components.
class Projector {
 public:
  template <class T>
  Projector(MatrixView<T> data, bool unit, const ReportOptions& options) : d_(data.cols()) {
    if (options.projection == Projection::ThreeD && d_ < 3) {
      throw InvalidArgument("the 3-D view needs data with at least 3 columns (this data has " + std::to_string(d_) +
                            ")");
    }
    has_3d_ = options.projection == Projection::ThreeD || (options.projection == Projection::Auto && d_ == 3);
    if (d_ <= 2) {
      x_label_ = "x0";
      y_label_ = d_ == 2 ? "x1" : "";
      description_ = d_ == 2 ? "columns x0 and x1" : "column x0 (1-D data drawn as a strip)";
      return;
    }
    PcaOptions pca_options;
    pca_options.n_components = has_3d_ && d_ > 3 ? 3 : 2;
    pca_options.seed = options.seed;
    pca_options.n_threads = options.n_threads;
    const std::size_t fitted = std::min(data.rows(), options.pca_rows > 0 ? options.pca_rows : data.rows());
    if (unit) {
      // Cosine: the components of the rows scaled to unit length, fitted on a sample of them.
      const Matrix<double> rows = gather(data, detail::uniform_sample(data.rows(), fitted, options.seed + 1), true);
      pca_ = pca(rows.view(), pca_options);
    } else {
      pca_options.max_rows = fitted < data.rows() ? fitted : 0;
      pca_ = pca(data, pca_options);
    }
    const std::vector<double>& ratio = pca_->explained_variance_ratio;
    x_label_ = percent_label("PC1", ratio.at(0));
    y_label_ = percent_label("PC2", ratio.at(1));
    description_ = "first two principal components (fitted on " + group_thousands(fitted) + " of " +
                   group_thousands(data.rows()) + " rows; " + format("%.1f", 100 * (ratio[0] + ratio[1])) +
                   "% of the variance)";
    if (has_3d_ && d_ > 3) {
      axis_labels_3d_ = {x_label_, y_label_, percent_label("PC3", ratio.at(2))};
    }
  }

  /// Points in the plane of the 2-D pictures.
  [[nodiscard]] Points plane(const Matrix<double>& rows) const {
    Points p;
    if (pca_) {
      const Matrix<double> t = pca_->transform(rows.view());
      take(t, p, 2);
      return p;
    }
    take(rows, p, std::min<std::size_t>(d_, 2));
    if (d_ == 1) p.y.assign(p.x.size(), 0.0);
    return p;
  }

  /// Points in the 3-D view: raw columns for 3 columns, principal components above.
  [[nodiscard]] Points space(const Matrix<double>& rows) const {
    Points p;
    if (d_ == 3) {
      take(rows, p, 3);
    } else {
      take(pca_->transform(rows.view()), p, 3);
    }
    return p;
  }

  [[nodiscard]] bool has_3d() const noexcept { return has_3d_; }
  [[nodiscard]] const std::string& x_label() const noexcept { return x_label_; }
  [[nodiscard]] const std::string& y_label() const noexcept { return y_label_; }
  [[nodiscard]] const std::string& description() const noexcept { return description_; }
  [[nodiscard]] std::array<std::string, 3> axis_labels_3d() const {
    if (d_ == 3) return {"x0", "x1", "x2"};
    return axis_labels_3d_;
  }

 private:
  static void take(const Matrix<double>& m, Points& p, std::size_t axes) {
    std::vector<double>* out[3] = {&p.x, &p.y, &p.z};
    for (std::size_t a = 0; a < axes; ++a) {
      out[a]->resize(m.rows);
      for (std::size_t i = 0; i < m.rows; ++i) (*out[a])[i] = m(i, a);
    }
  }

  std::size_t d_ = 0;
  bool has_3d_ = false;
  std::optional<Pca> pca_;
  std::string x_label_;
  std::string y_label_;
  std::string description_;
  std::array<std::string, 3> axis_labels_3d_;
};

void check_common(std::size_t n, std::size_t d, const ReportOptions& options) {
  if (n == 0 || d == 0) throw InvalidArgument("report: the data is empty");
  if (options.max_points < 1) throw InvalidArgument("report: max_points must be >= 1");
  if (options.true_centers.rows > 0 && options.true_centers.cols != d) {
    throw InvalidArgument("report: the true centers have " + std::to_string(options.true_centers.cols) +
                          " columns, the data has " + std::to_string(d));
  }
}

/// Fills the parts every report shares: title, sample, points, centers, true centers, 3-D view.
template <class T>
Report base_report(MatrixView<T> data, const std::vector<std::int32_t>& labels, const Matrix<T>& centers,
                   const std::vector<std::size_t>& rows, const Projector& projector, bool unit, const char* method,
                   const ReportOptions& options) {
  Report report;
  report.title = std::string(method) + " clustering" + (options.title.empty() ? "" : " of " + options.title);
  report.sample_note = sample_note(rows.size(), data.rows(), "points");
  const Matrix<double> drawn = gather(data, rows, unit);
  const Matrix<double> found = all_rows(centers.view(), unit);
  const Matrix<double> truth = all_rows(options.true_centers.view(), unit);
  Scatter& s = report.scatter;
  s.points = projector.plane(drawn);
  s.labels.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) s.labels[i] = labels[rows[i]];
  s.centers = projector.plane(found);
  if (truth.rows > 0) s.true_centers = projector.plane(truth);
  s.x_label = projector.x_label();
  s.y_label = projector.y_label();
  s.title = report.title + ": " + std::to_string(centers.rows) + " clusters";
  s.note = report.sample_note + (unit ? "; rows scaled to unit length (cosine metric)" : "");
  if (projector.has_3d()) {
    View3D v;
    v.points = projector.space(drawn);
    v.centers = projector.space(found);
    if (truth.rows > 0) v.true_centers = projector.space(truth);
    v.axis_labels = projector.axis_labels_3d();
    report.view3d = std::move(v);
  }
  report.summary = options.summary;
  report.summary.emplace_back("n", std::to_string(data.rows()));
  report.summary.emplace_back("d", std::to_string(data.cols()));
  return report;
}

std::string kmeans_caption(int swap, int iteration) {
  if (iteration == 0) return "the final centers and their clusters";
  std::string caption = "centers of iteration " + std::to_string(iteration);
  if (swap > 0) caption += " after swap trial " + std::to_string(swap);
  if (swap == 0 && iteration == 1) caption += " (the initial centers)";
  return caption;
}

}  // namespace

template <class T>
Report kmeans_report(MatrixView<T> data, const KMeansResult<T>& result, const KMeansOptions& fit_options,
                     const ReportOptions& options) {
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  check_common(n, d, options);
  if (result.labels.size() != n || result.centers.cols != d || result.centers.rows == 0) {
    throw InvalidArgument("report: the k-means result does not belong to this data (" +
                          std::to_string(result.labels.size()) + " labels and " + std::to_string(result.centers.cols) +
                          "-column centers for " + std::to_string(n) + " x " + std::to_string(d) + " data)");
  }
  for (const CenterFrame<T>& f : result.frames) {
    if (f.centers.cols != d) throw InvalidArgument("report: a frame's centers do not have the data's columns");
  }
  const bool unit = fit_options.metric == Metric::Cosine;
  const std::vector<std::size_t> rows = detail::uniform_sample(n, options.max_points, options.seed);
  const Projector projector(data, unit, options);
  Report report = base_report(data, result.labels, result.centers, rows, projector, unit, "k-means", options);

  // Animation: each frame's centers, and the drawn points labelled against them.
  if (result.frames.empty()) {
    report.frames.push_back({"the final centers (no iterations were recorded)", report.scatter.centers, {}, {}});
    report.frames_note = "Only the final state: the fit kept no frames (KMeansOptions::max_frames = 0).";
  } else {
    const Matrix<T> drawn = gather_same(data, rows);
    for (const CenterFrame<T>& f : result.frames) {
      Frame frame;
      frame.caption = kmeans_caption(f.swap, f.iteration);
      frame.centers = projector.plane(all_rows(f.centers.view(), unit));
      frame.labels = predict(drawn.view(), f.centers.view(), fit_options.metric, options.n_threads);
      report.frames.push_back(std::move(frame));
    }
    report.frames_note = std::to_string(result.frames.size()) +
                         " frames along the returned run: the centers each iteration assigned the points to (its "
                         "first descent, then the iterations after each kept swap), ending with the final centers. "
                         "In each frame the drawn points take the colour of their nearest center; rejected swap "
                         "trials are not shown.";
    if (fit_options.max_frames > 0 && result.frames.size() >= static_cast<std::size_t>(fit_options.max_frames)) {
      report.frames_note +=
          " Longer paths are thinned evenly to at most " + std::to_string(fit_options.max_frames) + " frames.";
    }
  }

  // Convergence: one series per run, its iterations in history order.
  std::map<int, Series> runs;
  std::map<int, int> last_swap;
  for (const IterationStats& s : result.history) {
    Series& series = runs[s.run];
    const auto [previous, first] = last_swap.try_emplace(s.run, s.swap);
    if (!first && previous->second != s.swap) series.breaks.push_back(series.inertia.size());
    previous->second = s.swap;
    series.inertia.push_back(s.inertia);
    series.shift.push_back(s.center_shift);
  }
  for (auto& [run, series] : runs) {
    series.highlight = run == result.best_run;
    series.name = "run " + std::to_string(run) + (series.highlight ? " (returned)" : "");
    report.convergence.push_back(std::move(series));
  }
  if (runs.size() > 1) {
    report.convergence_note = "One line per run (" + std::to_string(runs.size()) +
                              " runs); each swap trial starts a new segment. The returned run (run " +
                              std::to_string(result.best_run) + ") in colour. Zero shifts are not drawn.";
  } else {
    report.convergence_note =
        "The run's iterations in order; each swap trial (" + std::to_string(result.n_swaps_accepted) + " kept of " +
        std::to_string(result.n_swaps_tried) + " tried) starts a new segment. Zero shifts are not drawn.";
  }

  const int n_init = fit_options.init == Init::Given ? 1 : fit_options.n_init;
  auto& summary = report.summary;
  summary.emplace_back("k", std::to_string(result.centers.rows));
  summary.emplace_back("metric", to_string(fit_options.metric));
  summary.emplace_back("init", to_string(fit_options.init));
  summary.emplace_back("n_init", std::to_string(n_init));
  if (n_init > 1) summary.emplace_back("returned run", std::to_string(result.best_run));
  summary.emplace_back("inertia", format("%.10g", result.inertia));
  summary.emplace_back("iterations", std::to_string(result.n_iter));
  summary.emplace_back("converged", result.converged ? "yes" : "no");
  summary.emplace_back(
      "swaps", std::to_string(result.n_swaps_accepted) + " kept of " + std::to_string(result.n_swaps_tried) + " tried");
  summary.emplace_back("seconds", format("%.3f", result.seconds));
  if (options.true_centers.rows > 0) {
    summary.emplace_back("centroid index",
                         std::to_string(metrics::centroid_index(result.centers.view(), options.true_centers.view())));
  }
  std::string warnings;
  for (const std::string& w : result.warnings) warnings += (warnings.empty() ? "" : "; ") + w;
  summary.emplace_back("warnings", warnings.empty() ? "none" : warnings);
  summary.emplace_back("points drawn", report.sample_note.substr(std::string("showing ").size()));
  summary.emplace_back("projection", projector.description());
  summary.emplace_back("frames", std::to_string(report.frames.size()));
  return report;
}

template <class T>
Report mean_shift_report(MatrixView<T> data, const MeanShiftResult<T>& result, const MeanShiftOptions& run_options,
                         const ReportOptions& options) {
  const std::size_t n = data.rows();
  const std::size_t d = data.cols();
  check_common(n, d, options);
  if (result.labels.size() != n || result.centers.cols != d || result.centers.rows == 0) {
    throw InvalidArgument("report: the mean-shift result does not belong to this data");
  }
  std::size_t n_seeds = result.frames.empty() ? 0 : result.frames.front().rows;
  for (const Matrix<T>& f : result.frames) {
    if (f.cols != d || f.rows != n_seeds) {
      throw InvalidArgument("report: the mean-shift frames do not all hold n_seeds x d positions");
    }
  }
  const std::vector<std::size_t> rows = detail::uniform_sample(n, options.max_points, options.seed);
  const Projector projector(data, false, options);
  Report report = base_report(data, result.labels, result.centers, rows, projector, false, "mean-shift", options);

  // Animation: a sample of the seeds climbing; each seed coloured by the mode its last position is nearest to.
  if (result.frames.empty()) {
    report.frames.push_back({"the final modes (no iterations were recorded)", report.scatter.centers, {}, {}});
    report.frames_note = "Only the final state: the run kept no frames (MeanShiftOptions::max_frames = 0).";
  } else {
    const std::size_t max_seeds = std::max<std::size_t>(1, options.max_seeds);
    const std::vector<std::size_t> seeds = detail::uniform_sample(n_seeds, max_seeds, options.seed + 2);
    const Matrix<T> last = gather_same(result.frames.back().view(), seeds);
    const std::vector<std::int32_t> reached =
        predict(last.view(), result.centers.view(), Metric::Euclidean, options.n_threads);
    for (std::size_t f = 0; f < result.frames.size(); ++f) {
      Frame frame;
      const int iteration = f < result.frame_iterations.size() ? result.frame_iterations[f] : static_cast<int>(f);
      frame.caption =
          iteration == 0 ? "the seeds (iteration 0)" : "seed positions after iteration " + std::to_string(iteration);
      frame.centers = projector.plane(gather(result.frames[f].view(), seeds, false));
      frame.center_labels = reached;
      report.frames.push_back(std::move(frame));
    }
    report.frames_note = std::to_string(result.frames.size()) + " frames: " +
                         sample_note(seeds.size(), n_seeds, "seeds").substr(std::string("showing ").size()) +
                         " climbing to the modes, each coloured by the mode it reaches; the points keep the colour "
                         "of their final cluster.";
    if (run_options.max_frames > 0 && result.frames.size() >= static_cast<std::size_t>(run_options.max_frames)) {
      report.frames_note +=
          " Longer runs are thinned evenly to at most " + std::to_string(run_options.max_frames) + " frames.";
    }
  }

  const auto unclustered = std::count(result.labels.begin(), result.labels.end(), -1);
  auto& summary = report.summary;
  summary.emplace_back("kernel", to_string(run_options.kernel));
  summary.emplace_back("bandwidth",
                       format("%.6g", result.bandwidth) + (run_options.bandwidth > 0 ? "" : " (estimated)"));
  summary.emplace_back("bin seeding", run_options.bin_seeding ? "yes" : "no");
  summary.emplace_back("cluster all", run_options.cluster_all ? "yes" : "no");
  summary.emplace_back("seeds", std::to_string(result.n_seeds));
  summary.emplace_back("clusters", std::to_string(result.centers.rows));
  if (unclustered > 0) summary.emplace_back("unclustered rows", std::to_string(unclustered));
  summary.emplace_back("iterations", std::to_string(result.n_iter));
  summary.emplace_back("seconds", format("%.3f", result.seconds));
  if (options.true_centers.rows > 0) {
    summary.emplace_back("centroid index",
                         std::to_string(metrics::centroid_index(result.centers.view(), options.true_centers.view())));
  }
  summary.emplace_back("points drawn", report.sample_note.substr(std::string("showing ").size()));
  summary.emplace_back("projection", projector.description());
  summary.emplace_back("frames", std::to_string(report.frames.size()));
  return report;
}

#define CENTRIX_INSTANTIATE_REPORTS(T)                                                                                 \
  template Report kmeans_report<T>(MatrixView<T>, const KMeansResult<T>&, const KMeansOptions&, const ReportOptions&); \
  template Report mean_shift_report<T>(MatrixView<T>, const MeanShiftResult<T>&, const MeanShiftOptions&,              \
                                       const ReportOptions&);
CENTRIX_INSTANTIATE_REPORTS(float)
CENTRIX_INSTANTIATE_REPORTS(double)
#undef CENTRIX_INSTANTIATE_REPORTS

}  // namespace centrix::plot
