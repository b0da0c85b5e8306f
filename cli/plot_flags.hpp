// The picture flags shared by `centrix fit` and `centrix meanshift`:
// --plot OUT.svg, --report OUT.html, --projection, --plot-points, --plot-frames.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "centrix/io.hpp"
#include "centrix/plot.hpp"

namespace centrix::cli {

struct PlotFlags {
  std::string plot_out;             ///< --plot: the scatter as SVG
  std::string report_out;           ///< --report: the HTML report
  std::string projection = "auto";  ///< --projection auto|2d|3d
  long long points = 5000;          ///< --plot-points: most rows drawn
  int frames = 60;                  ///< --plot-frames: most animation frames kept

  /// Registers the flags on `app`.
  void add_to(CLI::App& app);
  /// True when a picture is asked for.
  [[nodiscard]] bool wanted() const { return !plot_out.empty() || !report_out.empty(); }
  /// The output paths asked for (for ensure_distinct_files and the "wrote" lines).
  [[nodiscard]] std::vector<std::string> outputs() const;
  /// Checks the values against the data's column count; throws InvalidArgument with the flag's name.
  void validate(const std::string& data_path, std::size_t columns) const;
  /// Frames to keep in the fit: --plot-frames when a report is written, else 0.
  [[nodiscard]] int max_frames() const { return report_out.empty() ? 0 : frames; }
  /// Report options from the flags; `data_path` titles the pictures and heads the summary.
  [[nodiscard]] plot::ReportOptions report_options(const std::string& data_path, const std::string& dtype,
                                                   int threads) const;
  /// Renders the asked-for pictures into `batch`.
  void write(const plot::Report& report, io::OutputBatch& batch) const;
};

}  // namespace centrix::cli
