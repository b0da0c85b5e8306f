// Internals of the pictures shared by the SVG and HTML renderers: escaping,
// compact numbers, axes and ticks, markers, and the SVG pieces.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "centrix/plot.hpp"

namespace centrix::plot::detail {

/// Length of the valid UTF-8 sequence starting at text[i], or 0 if the bytes there are malformed.
std::size_t utf8_length(std::string_view text, std::size_t i) noexcept;
/// Appends `text` with &, <, >, " and ' escaped, and malformed UTF-8 replaced
/// by U+FFFD: safe in XML text and in quoted attribute values.
void append_escaped(std::string& out, std::string_view text);
/// `text` escaped as append_escaped does.
std::string escaped(std::string_view text);
/// Appends `value` rounded to `decimals` decimals, without trailing zeros ("12.5", "3", "-0.25").
void append_number(std::string& out, double value, int decimals);
/// A tick label: plain decimals for moderate values ("600000", "0.25"), else "1.5e13".
std::string format_tick(double value);

/// Nice (1, 2, 5 x 10^e) ticks covering [lo, hi], about `target` of them, all inside [lo, hi].
std::vector<double> linear_ticks(double lo, double hi, int target);
/// Ticks for a log axis over [lo, hi] (both > 0): powers of ten, or 1-2-5 or finer values when the range
/// spans less than a few decades; at least two ticks whenever lo < hi.
std::vector<double> log_ticks(double lo, double hi);

/// A closed interval of data values, grown by include().
struct Range {
  double lo = 0;      ///< smallest value included
  double hi = 0;      ///< largest value included
  bool empty = true;  ///< nothing included yet
  void include(double value);
  /// Pads the range by `fraction` of its width on each side (a degenerate range gets +-1 or +-|value|/10).
  void pad(double fraction);
};

/// Where a scatter's plot area lies in pixels and which data ranges it maps.
struct ScatterGeometry {
  double left = 0;     ///< plot area, pixels from the picture's left edge
  double right = 0;    ///< right edge of the plot area
  double top = 0;      ///< top edge of the plot area
  double bottom = 0;   ///< bottom edge of the plot area
  Range x;             ///< data range shown horizontally
  Range y;             ///< data range shown vertically
  bool show_y = true;  ///< false for 1-D data: no vertical axis
  [[nodiscard]] double px(double value) const { return left + (value - x.lo) / (x.hi - x.lo) * (right - left); }
  [[nodiscard]] double py(double value) const { return bottom - (value - y.lo) / (y.hi - y.lo) * (bottom - top); }
};

/// The geometry of `scatter`, its ranges covering its points, centers, true centers and the centers of
/// `frames` (may be null), so that every view of the report shares one mapping.
ScatterGeometry scatter_geometry(const Scatter& scatter, const std::vector<Frame>* frames);

/// Radius of a point marker for `n` drawn points (smaller when there are many).
double point_radius(std::size_t n);
/// Half-size of the found-center diamond and radius of the true-center ring, in pixels.
inline constexpr double kCenterRadius = 8;
inline constexpr double kTrueCenterRadius = 11;
/// Half-size of a mean-shift seed marker in the animation.
inline constexpr double kSeedRadius = 4.5;

/// Appends one marker element of class `cls` centred at (x, y): circle, rect or polygon.
void append_marker(std::string& out, Marker marker, double x, double y, double r, std::string_view fill,
                   std::string_view cls);
/// Appends a found-center diamond (class "center"), white-filled or filled with `fill`, black edge.
void append_center(std::string& out, double x, double y, double r, std::string_view fill);

/// The scatter as an `<svg id="...">` element (with its xmlns). Without `frame`, draws the scatter's
/// labels, centers and true centers; with one, that frame's labels and centers (no true centers), the point
/// and center layers getting ids `id`-points and `id`-centers for the animation script.
std::string scatter_svg(const Scatter& scatter, const ScatterGeometry& geometry, std::string_view id,
                        const Frame* frame);

/// The convergence picture `<svg id="convergence">`: inertia (top) and center shift (bottom) per
/// iteration on log scales, one path of class "inertia-line" and one of class "shift-line" per series.
std::string convergence_svg(const std::vector<Series>& series, std::string_view note);

}  // namespace centrix::plot::detail
