// Pictures of a clustering: an SVG scatter of the clusters, and one
// self-contained HTML report (scatter, convergence curve, summary table, an
// animation of the iterations and, for 3-D data, a view the mouse rotates).
//
// Two layers:
// - renderers (render_svg, render_html) turn plain data structs, already
//   projected to 2-D/3-D, into SVG/HTML text; they know nothing of k-means;
// - builders (kmeans_report, mean_shift_report) fill those structs from a fit:
//   they draw a uniform sample of the rows, project it (raw columns for
//   D <= 2 or the 3-D view of D = 3, principal components otherwise), and
//   label the sample in every animation frame.
//
// The output is well-formed XML (the HTML is polyglot markup that also parses
// as XML) and needs no network access: no external scripts, fonts, images or
// CSS. See docs/pictures.md for the element ids and classes tests rely on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "centrix/kmeans.hpp"
#include "centrix/matrix_view.hpp"
#include "centrix/mean_shift.hpp"

namespace centrix::plot {

/// Cluster colours: Tableau 10, readable by colour-blind people. Cluster c gets kPalette[c % 10];
/// clusters 10..19 reuse the colours with the second marker shape, and so on (see marker_of).
inline constexpr std::array<const char*, 10> kPalette = {"#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
                                                         "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"};
/// Colour of label -1 (mean shift's rows outside every mode's window).
inline constexpr const char* kNoiseColor = "#DDDDDD";

/// Shape of a point marker; cluster c uses shape (c / 10) % kMarkerCount.
enum class Marker {
  Circle,        ///< clusters 0-9 (and noise)
  Square,        ///< clusters 10-19
  Triangle,      ///< clusters 20-29, pointing up
  Diamond,       ///< clusters 30-39
  TriangleDown,  ///< clusters 40-49
  Hexagon,       ///< clusters 50-59; then the shapes repeat
};
/// Number of Marker shapes.
inline constexpr int kMarkerCount = 6;

/// The colour of a cluster's points (upper-case hex): kPalette[label % 10], or kNoiseColor for label < 0.
const char* color_of(std::int32_t label) noexcept;
/// The marker of a cluster's points: shape (label / 10) % kMarkerCount; Circle for label < 0.
Marker marker_of(std::int32_t label) noexcept;
/// "circle", "square", "triangle", "diamond", "triangle-down", "hexagon".
const char* to_string(Marker marker) noexcept;

/// Which views are drawn.
enum class Projection {
  Auto,   ///< the 2-D scatter, plus a 3-D view in the HTML report when the data has exactly 3 columns
  TwoD,   ///< only the 2-D scatter
  ThreeD  ///< the 2-D scatter plus a 3-D view (the data needs at least 3 columns)
};
/// Parses "auto", "2d", "3d"; throws InvalidArgument otherwise.
Projection parse_projection(const std::string& name);
const char* to_string(Projection projection) noexcept;

/// Coordinates of a set of points, one vector per axis.
struct Points {
  std::vector<double> x;  ///< first coordinate of each point
  std::vector<double> y;  ///< second coordinate of each point (same length as x)
  std::vector<double> z;  ///< third coordinate of each point, or empty for points in the plane
  /// Number of points.
  [[nodiscard]] std::size_t size() const noexcept { return x.size(); }
};

/// A 2-D scatter of clustered points (the .svg picture and the report's first view).
struct Scatter {
  Points points;                     ///< drawn points, in the projected coordinates the axes show
  std::vector<std::int32_t> labels;  ///< cluster of each drawn point (-1: noise, drawn light grey)
  Points centers;                    ///< found centers, drawn as large white diamonds with black edges
  Points true_centers;               ///< ground-truth centers, drawn as hollow black rings (may be empty)
  std::string x_label;               ///< horizontal axis label, e.g. "x0" or "PC1 (42.1% of variance)"
  std::string y_label;               ///< vertical axis label; empty hides the vertical axis (1-D data)
  std::string title;                 ///< heading drawn above the plot
  std::string note;                  ///< smaller line under the title, e.g. the sampling note
  int width = 720;                   ///< picture width in pixels
  int height = 560;                  ///< picture height in pixels
};

/// One line of the convergence picture: the iterations of one k-means run, in order.
struct Series {
  std::string name;                 ///< legend text, e.g. "run 3 (returned)"
  std::vector<double> inertia;      ///< inertia of each iteration (values <= 0 are not drawn on the log scale)
  std::vector<double> shift;        ///< center shift of each iteration (values <= 0 are not drawn)
  std::vector<std::size_t> breaks;  ///< iterations starting a new descent (a swap trial): the line is not joined
                                    ///< into them
  bool highlight = false;           ///< drawn in colour and thick (the returned run); others thin and grey
};

/// One step of the animation.
struct Frame {
  std::string caption;                      ///< what the frame shows, e.g. "Lloyd iteration 3 after swap 2"
  Points centers;                           ///< k-means centers (or mean-shift seeds) of this frame, projected
  std::vector<std::int32_t> labels;         ///< each drawn point's cluster in this frame; empty: Scatter::labels
  std::vector<std::int32_t> center_labels;  ///< fill colour of each center marker; empty: white
};

/// The rotatable 3-D view of the report.
struct View3D {
  Points points;                           ///< the drawn points in 3-D, in the order of Scatter::points
  Points centers;                          ///< found centers in 3-D
  Points true_centers;                     ///< ground-truth centers in 3-D (may be empty)
  std::array<std::string, 3> axis_labels;  ///< names of the three axes, e.g. "x0" or "PC1 (40.2% of variance)"
};

/// Everything the HTML report shows.
struct Report {
  std::string title;                                         ///< page title and main heading
  Scatter scatter;                                           ///< the clusters; its points are animated too
  std::string sample_note;                                   ///< e.g. "showing 5,000 of 1,000,000 points (...)"
  std::vector<Series> convergence;                           ///< convergence lines; empty: no convergence picture
  std::string convergence_note;                              ///< what the convergence lines are
  std::vector<std::pair<std::string, std::string>> summary;  ///< rows of the summary table: name, value
  std::vector<Frame> frames;                                 ///< animation frames, oldest first (at least one)
  std::string frames_note;                                   ///< what the frames are (thinning, seeds drawn, ...)
  std::optional<View3D> view3d;                              ///< the 3-D view, if any
};

/// The scatter as a standalone SVG document (root `<svg id="scatter">`, well-formed XML).
std::string render_svg(const Scatter& scatter);

/// The report as one self-contained HTML file (polyglot markup: also well-formed XML).
std::string render_html(const Report& report);

/// How the builders sample and project the data.
struct ReportOptions {
  std::size_t max_points = 5000;             ///< draw at most this many rows (a uniform sample); must be >= 1
  std::size_t max_seeds = 500;               ///< mean shift: animate at most this many seeds (a uniform sample)
  std::size_t pca_rows = 20000;              ///< fit the principal components on at most this many sampled rows
  std::uint64_t seed = 0;                    ///< fixes both samples
  Projection projection = Projection::Auto;  ///< whether the report gets a 3-D view
  std::string title;                         ///< title of the pictures (e.g. the data file's name)
  std::vector<std::pair<std::string, std::string>> summary;  ///< extra summary rows, shown first (file, dtype, ...)
  Matrix<double> true_centers;  ///< ground-truth centers (k' x d) to mark, and to compute the Centroid Index
                                ///< against; 0 rows: none
  int n_threads = 0;            ///< OpenMP threads for PCA and labelling; 0 uses all available
};

/// The report of a k-means fit. `fit_options` are the options the fit ran with (metric, init, ... for the
/// summary; the metric also labels the drawn points in each of result.frames). Frames come from
/// result.frames (set KMeansOptions::max_frames); without frames the animation shows the final state only.
/// Throws InvalidArgument for inconsistent shapes or Projection::ThreeD with fewer than 3 columns.
template <class T>
Report kmeans_report(MatrixView<T> data, const KMeansResult<T>& result, const KMeansOptions& fit_options,
                     const ReportOptions& options = {});

/// The report of a mean-shift run: rows coloured by their final label, modes as centers, and an animation
/// of (a sample of) the seeds climbing, from result.frames (set MeanShiftOptions::max_frames).
template <class T>
Report mean_shift_report(MatrixView<T> data, const MeanShiftResult<T>& result, const MeanShiftOptions& run_options,
                         const ReportOptions& options = {});

/// "1,234,567": an integer with thousands separators, as the notes print counts.
std::string group_thousands(std::uint64_t value);

}  // namespace centrix::plot
