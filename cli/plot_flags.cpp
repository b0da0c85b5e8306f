#include "plot_flags.hpp"

#include <filesystem>

#include "centrix/error.hpp"

namespace centrix::cli {

void PlotFlags::add_to(CLI::App& app) {
  app.add_option("--plot", plot_out,
                 "Write an SVG scatter of the clusters here (2-D: columns x0/x1, or the first two principal "
                 "components when there are more columns)");
  app.add_option("--report", report_out,
                 "Write one self-contained HTML report here: scatter, convergence, summary, an animation of the "
                 "iterations, and a rotatable 3-D view for 3-D data");
  app.add_option("--projection", projection, "auto (3-D view in the report when the data has 3 columns), 2d, or 3d")
      ->check(CLI::IsMember({"auto", "2d", "3d"}))
      ->capture_default_str();
  app.add_option("--plot-points", points, "Draw at most this many rows (a uniform sample with a fixed seed)")
      ->capture_default_str();
  app.add_option("--plot-frames", frames, "Keep at most this many iterations for the report's animation")
      ->capture_default_str();
}

std::vector<std::string> PlotFlags::outputs() const {
  std::vector<std::string> out;
  if (!plot_out.empty()) out.push_back(plot_out);
  if (!report_out.empty()) out.push_back(report_out);
  return out;
}

void PlotFlags::validate(const std::string& data_path, std::size_t columns) const {
  if (points < 1) throw InvalidArgument("--plot-points must be >= 1, got " + std::to_string(points));
  if (frames < 2) throw InvalidArgument("--plot-frames must be >= 2, got " + std::to_string(frames));
  const plot::Projection p = plot::parse_projection(projection);
  if (p == plot::Projection::ThreeD && columns < 3) {
    throw InvalidArgument(data_path + ": --projection 3d needs data with at least 3 columns, it has " +
                          std::to_string(columns));
  }
}

plot::ReportOptions PlotFlags::report_options(const std::string& data_path, const std::string& dtype,
                                              int threads) const {
  plot::ReportOptions options;
  options.max_points = static_cast<std::size_t>(points);
  options.projection = plot::parse_projection(projection);
  options.title = std::filesystem::path(data_path).filename().string();
  options.summary = {{"data", data_path}, {"dtype", dtype}};
  options.n_threads = threads;
  return options;
}

void PlotFlags::write(const plot::Report& report, io::OutputBatch& batch) const {
  if (!plot_out.empty()) batch.add(plot_out, plot::render_svg(report.scatter));
  if (!report_out.empty()) batch.add(report_out, plot::render_html(report));
}

}  // namespace centrix::cli
