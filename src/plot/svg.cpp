// SVG pictures: the scatter (standalone or inside the report) and the
// convergence curves. Pixel coordinates carry one decimal to keep files small.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <utility>

#include "centrix/error.hpp"
#include "plot/markup.hpp"

namespace centrix::plot {

const char* color_of(std::int32_t label) noexcept {
  if (label < 0) return kNoiseColor;
  return kPalette[static_cast<std::size_t>(label) % kPalette.size()];
}

Marker marker_of(std::int32_t label) noexcept {
  if (label < 0) return Marker::Circle;
  return static_cast<Marker>((label / static_cast<std::int32_t>(kPalette.size())) % kMarkerCount);
}

const char* to_string(Marker marker) noexcept {
  switch (marker) {
    case Marker::Circle:
      return "circle";
    case Marker::Square:
      return "square";
    case Marker::Triangle:
      return "triangle";
    case Marker::Diamond:
      return "diamond";
    case Marker::TriangleDown:
      return "triangle-down";
    case Marker::Hexagon:
      return "hexagon";
  }
  return "circle";
}

Projection parse_projection(const std::string& name) {
  if (name == "auto") return Projection::Auto;
  if (name == "2d") return Projection::TwoD;
  if (name == "3d") return Projection::ThreeD;
  throw InvalidArgument("unknown projection '" + name + "' (expected auto, 2d or 3d)");
}

const char* to_string(Projection projection) noexcept {
  switch (projection) {
    case Projection::Auto:
      return "auto";
    case Projection::TwoD:
      return "2d";
    case Projection::ThreeD:
      return "3d";
  }
  return "auto";
}

std::string render_svg(const Scatter& scatter) {
  const detail::ScatterGeometry geometry = detail::scatter_geometry(scatter, nullptr);
  return detail::scatter_svg(scatter, geometry, "scatter", nullptr);
}

namespace detail {

std::size_t utf8_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t j) { return j < text.size() ? static_cast<unsigned char>(text[j]) : 0U; };
  const unsigned lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned min = 0;
  unsigned code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    min = 0x80;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    min = 0x800;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    min = 0x10000;
    code = lead & 0x07;
  } else {
    return 0;
  }
  for (std::size_t j = 1; j < length; ++j) {
    const unsigned next = byte(i + j);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

void append_escaped(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Multi-byte UTF-8 passes through; a malformed byte becomes U+FFFD so the file stays well-formed.
      const std::size_t length = utf8_length(text, i);
      if (length == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(text.substr(i, length));
        i += length - 1;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters other than tab and newline are not allowed in XML at all.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
}

std::string escaped(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

void append_number(std::string& out, double value, int decimals) {
  if (!std::isfinite(value)) {
    out += '0';
    return;
  }
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (ec != std::errc()) {
    out += '0';
    return;
  }
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  if (text.find('.') != std::string_view::npos) {
    while (text.back() == '0') text.remove_suffix(1);
    if (text.back() == '.') text.remove_suffix(1);
  }
  if (text == "-0") text = "0";
  out += text;
}

std::string format_tick(double value) {
  char buffer[64];
  const double magnitude = std::fabs(value);
  if (magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    std::snprintf(buffer, sizeof buffer, "%.7g", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  // "1.5e+13" -> "1.5e13", "2e-05" -> "2e-5".
  std::string text = buffer;
  const std::size_t e = text.find('e');
  if (e == std::string::npos) return text;
  std::string mantissa = text.substr(0, e);
  std::string exponent = text.substr(e + 1);
  const bool negative = !exponent.empty() && exponent[0] == '-';
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) exponent.erase(0, 1);
  while (exponent.size() > 1 && exponent[0] == '0') exponent.erase(0, 1);
  return mantissa + "e" + (negative ? "-" : "") + exponent;
}

std::vector<double> linear_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo) || target < 1) {
    ticks.push_back(lo);
    return ticks;
  }
  const double raw = (hi - lo) / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw) break;
  }
  const double first = std::ceil(lo / step - 1e-9);
  const double last = std::floor(hi / step + 1e-9);
  for (double i = first; i <= last; i += 1) {
    const double v = i * step;
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  const int e_lo = static_cast<int>(std::floor(std::log10(lo)));
  const int e_hi = static_cast<int>(std::ceil(std::log10(hi)));
  // Coarse to fine mantissa sets; the first that gives at least three ticks is used.
  static const std::vector<std::vector<double>> sets = {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  const int decades = e_hi - e_lo;
  const int every = decades > 10 ? (decades + 9) / 10 : 1;
  for (const auto& mantissas : sets) {
    ticks.clear();
    for (int e = e_lo; e <= e_hi; ++e) {
      if (mantissas.size() == 1 && (e - e_lo) % every != 0) continue;
      for (const double m : mantissas) {
        const double v = m * std::pow(10.0, e);
        if (v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12)) ticks.push_back(v);
      }
    }
    if (ticks.size() >= 3) return ticks;
  }
  // Less than a decade between lo and hi: nice linear values, placed on the log axis.
  ticks = linear_ticks(lo, hi, 4);
  ticks.erase(std::remove_if(ticks.begin(), ticks.end(), [](double v) { return v <= 0; }), ticks.end());
  if (ticks.size() < 2) ticks = {lo, hi};
  return ticks;
}

void Range::include(double value) {
  if (!std::isfinite(value)) return;
  if (empty) {
    lo = hi = value;
    empty = false;
  } else {
    lo = std::min(lo, value);
    hi = std::max(hi, value);
  }
}

void Range::pad(double fraction) {
  if (empty) {
    lo = -1;
    hi = 1;
    empty = false;
    return;
  }
  const double width = hi - lo;
  if (!(width > 0) || width < 1e-12 * std::max(std::fabs(lo), std::fabs(hi))) {
    const double half = lo == 0 ? 1.0 : std::fabs(lo) / 10;
    lo -= half;
    hi += half;
    return;
  }
  lo -= width * fraction;
  hi += width * fraction;
}

namespace {

constexpr double kMarginLeft = 84;
constexpr double kMarginRight = 24;
constexpr double kMarginTop = 64;
constexpr double kMarginBottom = 80;

void include_points(Range& x, Range& y, const Points& points) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    x.include(points.x[i]);
    if (i < points.y.size()) y.include(points.y[i]);
  }
}

/// `<text>` with escaped content; `attributes` is inserted as it is.
void append_text(std::string& out, double x, double y, std::string_view attributes, std::string_view text) {
  out += "<text x=\"";
  append_number(out, x, 1);
  out += "\" y=\"";
  append_number(out, y, 1);
  out += '"';
  if (!attributes.empty()) {
    out += ' ';
    out += attributes;
  }
  out += '>';
  append_escaped(out, text);
  out += "</text>\n";
}

void append_polygon(std::string& out, std::string_view cls, double x, double y, double r,
                    std::initializer_list<std::pair<double, double>> unit_points, std::string_view fill) {
  out += "<polygon class=\"";
  out += cls;
  out += "\" points=\"";
  bool first = true;
  for (const auto& [ux, uy] : unit_points) {
    if (!first) out += ' ';
    first = false;
    append_number(out, x + ux * r, 1);
    out += ',';
    append_number(out, y + uy * r, 1);
  }
  out += "\" fill=\"";
  out += fill;
  out += '"';
}

void append_svg_open(std::string& out, std::string_view id, int width, int height) {
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"";
  append_escaped(out, id);
  out += "\" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
         std::to_string(width) + ' ' + std::to_string(height) +
         "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
}

}  // namespace

void append_marker(std::string& out, Marker marker, double x, double y, double r, std::string_view fill,
                   std::string_view cls) {
  switch (marker) {
    case Marker::Circle:
      out += "<circle class=\"";
      out += cls;
      out += "\" cx=\"";
      append_number(out, x, 1);
      out += "\" cy=\"";
      append_number(out, y, 1);
      out += "\" r=\"";
      append_number(out, r, 1);
      out += "\" fill=\"";
      out += fill;
      out += "\"/>";
      return;
    case Marker::Square:
      out += "<rect class=\"";
      out += cls;
      out += "\" x=\"";
      append_number(out, x - 0.9 * r, 1);
      out += "\" y=\"";
      append_number(out, y - 0.9 * r, 1);
      out += "\" width=\"";
      append_number(out, 1.8 * r, 1);
      out += "\" height=\"";
      append_number(out, 1.8 * r, 1);
      out += "\" fill=\"";
      out += fill;
      out += "\"/>";
      return;
    case Marker::Triangle:
      append_polygon(out, cls, x, y, r, {{0, -1.25}, {1.1, 0.65}, {-1.1, 0.65}}, fill);
      break;
    case Marker::Diamond:
      append_polygon(out, cls, x, y, r, {{0, -1.25}, {1.25, 0}, {0, 1.25}, {-1.25, 0}}, fill);
      break;
    case Marker::TriangleDown:
      append_polygon(out, cls, x, y, r, {{0, 1.25}, {1.1, -0.65}, {-1.1, -0.65}}, fill);
      break;
    case Marker::Hexagon:
      append_polygon(out, cls, x, y, r,
                     {{0, -1.1}, {0.95, -0.55}, {0.95, 0.55}, {0, 1.1}, {-0.95, 0.55}, {-0.95, -0.55}}, fill);
      break;
  }
  out += "/>";
}

void append_center(std::string& out, double x, double y, double r, std::string_view fill) {
  append_polygon(out, "center", x, y, r, {{0, -1.3}, {1, 0}, {0, 1.3}, {-1, 0}}, fill);
  out += " stroke=\"#000000\" stroke-width=\"1.5\"/>";
}

double point_radius(std::size_t n) {
  if (n <= 500) return 4;
  if (n <= 2000) return 3.2;
  return 2.6;
}

ScatterGeometry scatter_geometry(const Scatter& scatter, const std::vector<Frame>* frames) {
  ScatterGeometry g;
  g.left = kMarginLeft;
  g.right = std::max(g.left + 50, scatter.width - kMarginRight);
  g.top = kMarginTop;
  g.bottom = std::max(g.top + 50, scatter.height - kMarginBottom);
  g.show_y = !scatter.y_label.empty();
  include_points(g.x, g.y, scatter.points);
  include_points(g.x, g.y, scatter.centers);
  include_points(g.x, g.y, scatter.true_centers);
  if (frames != nullptr) {
    for (const Frame& f : *frames) include_points(g.x, g.y, f.centers);
  }
  g.x.pad(0.04);
  g.y.pad(0.04);
  return g;
}

std::string scatter_svg(const Scatter& scatter, const ScatterGeometry& g, std::string_view id, const Frame* frame) {
  const std::size_t n = scatter.points.size();
  if (scatter.points.y.size() != n || scatter.labels.size() != n) {
    throw InvalidArgument("scatter: points.x, points.y and labels must have the same length");
  }
  if (frame != nullptr && !frame->labels.empty() && frame->labels.size() != n) {
    throw InvalidArgument("scatter: a frame has " + std::to_string(frame->labels.size()) + " labels for " +
                          std::to_string(n) + " points");
  }
  std::string out;
  out.reserve(200 * 1024 + n * 70);
  const bool standalone = frame == nullptr;
  append_svg_open(out, id, scatter.width, scatter.height);
  out += "<title>";
  append_escaped(out, scatter.title.empty() ? std::string("clusters") : scatter.title);
  out += "</title>\n";
  out += "<rect width=\"" + std::to_string(scatter.width) + "\" height=\"" + std::to_string(scatter.height) +
         "\" fill=\"#FFFFFF\"/>\n";
  const double mid = scatter.width / 2.0;
  if (standalone) {
    append_text(out, mid, 24, "class=\"title\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"",
                scatter.title);
    append_text(out, mid, 46, "class=\"note\" text-anchor=\"middle\" fill=\"#555555\"", scatter.note);
  }

  // Axes: the plot frame, ticks and their labels, the axis names.
  out += "<g class=\"axes\" stroke=\"#999999\" fill=\"none\">\n<rect x=\"";
  append_number(out, g.left, 1);
  out += "\" y=\"";
  append_number(out, g.top, 1);
  out += "\" width=\"";
  append_number(out, g.right - g.left, 1);
  out += "\" height=\"";
  append_number(out, g.bottom - g.top, 1);
  out += "\"/>\n";
  const std::vector<double> x_ticks = linear_ticks(g.x.lo, g.x.hi, 6);
  const std::vector<double> y_ticks = g.show_y ? linear_ticks(g.y.lo, g.y.hi, 6) : std::vector<double>();
  std::string tick_path;
  for (const double t : x_ticks) {
    tick_path += 'M';
    append_number(tick_path, g.px(t), 1);
    tick_path += ',';
    append_number(tick_path, g.bottom, 1);
    tick_path += "v5";
  }
  for (const double t : y_ticks) {
    tick_path += 'M';
    append_number(tick_path, g.left, 1);
    tick_path += ',';
    append_number(tick_path, g.py(t), 1);
    tick_path += "h-5";
  }
  if (!tick_path.empty()) out += "<path d=\"" + tick_path + "\"/>\n";
  out += "</g>\n<g class=\"tick-labels\" fill=\"#333333\">\n";
  for (const double t : x_ticks) append_text(out, g.px(t), g.bottom + 18, "text-anchor=\"middle\"", format_tick(t));
  for (const double t : y_ticks) append_text(out, g.left - 8, g.py(t) + 4, "text-anchor=\"end\"", format_tick(t));
  out += "</g>\n";
  append_text(out, (g.left + g.right) / 2, g.bottom + 38, "class=\"axis-label\" text-anchor=\"middle\"",
              scatter.x_label);
  if (g.show_y) {
    const double x = 18;
    const double y = (g.top + g.bottom) / 2;
    std::string attributes = "class=\"axis-label\" text-anchor=\"middle\" transform=\"rotate(-90 ";
    append_number(attributes, x, 1);
    attributes += ' ';
    append_number(attributes, y, 1);
    attributes += ")\"";
    append_text(out, x, y, attributes, scatter.y_label);
  }

  // Points, then true centers, then found centers on top.
  const double r = point_radius(n);
  const std::vector<std::int32_t>& labels = frame != nullptr && !frame->labels.empty() ? frame->labels : scatter.labels;
  out += "<g class=\"points\"";
  if (!standalone) out += " id=\"" + escaped(id) + "-points\"";
  out += " fill-opacity=\"0.8\">\n";
  for (std::size_t i = 0; i < n; ++i) {
    const double y = g.show_y ? g.py(scatter.points.y[i]) : (g.top + g.bottom) / 2;
    append_marker(out, marker_of(labels[i]), g.px(scatter.points.x[i]), y, r, color_of(labels[i]), "point");
    out += '\n';
  }
  out += "</g>\n";
  const auto center_y = [&](const Points& p, std::size_t j) {
    return g.show_y && j < p.y.size() ? g.py(p.y[j]) : (g.top + g.bottom) / 2;
  };
  if (standalone) {
    out += "<g class=\"true-centers\">\n";
    for (std::size_t j = 0; j < scatter.true_centers.size(); ++j) {
      out += "<circle class=\"true-center\" cx=\"";
      append_number(out, g.px(scatter.true_centers.x[j]), 1);
      out += "\" cy=\"";
      append_number(out, center_y(scatter.true_centers, j), 1);
      out += "\" r=\"";
      append_number(out, kTrueCenterRadius, 1);
      out += "\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.5\"/>\n";
    }
    out += "</g>\n";
  }
  const Points& centers = standalone ? scatter.centers : frame->centers;
  const bool seeds = !standalone && !frame->center_labels.empty();
  out += "<g class=\"centers\"";
  if (!standalone) out += " id=\"" + escaped(id) + "-centers\"";
  out += ">\n";
  for (std::size_t j = 0; j < centers.size(); ++j) {
    const char* fill = seeds && j < frame->center_labels.size() ? color_of(frame->center_labels[j]) : "#FFFFFF";
    append_center(out, g.px(centers.x[j]), center_y(centers, j), seeds ? kSeedRadius : kCenterRadius, fill);
    out += '\n';
  }
  out += "</g>\n";

  // Legend of the center marks (class "legend-mark", so that they are not counted as centers).
  if (standalone) {
    double x = g.left;
    const double y = scatter.height - 16.0;
    out += "<g class=\"legend\">\n";
    if (!scatter.centers.x.empty()) {
      append_polygon(out, "legend-mark", x + 6, y - 4, 6, {{0, -1.3}, {1, 0}, {0, 1.3}, {-1, 0}}, "#FFFFFF");
      out += " stroke=\"#000000\" stroke-width=\"1.5\"/>\n";
      append_text(out, x + 18, y, "", "found centers (" + std::to_string(scatter.centers.size()) + ")");
      x += 150;
    }
    if (!scatter.true_centers.x.empty()) {
      out += "<circle class=\"legend-mark\" cx=\"";
      append_number(out, x + 8, 1);
      out += "\" cy=\"";
      append_number(out, y - 4, 1);
      out += "\" r=\"7\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.5\"/>\n";
      append_text(out, x + 22, y, "", "true centers (" + std::to_string(scatter.true_centers.size()) + ")");
      x += 150;
    }
    append_text(out, x, y, "fill=\"#555555\"", "points coloured by cluster");
    out += "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

namespace {

/// One log-scale panel of the convergence picture.
struct LogPanel {
  double top = 0;
  double bottom = 0;
  double lo = 1;  // data range (> 0)
  double hi = 10;
  [[nodiscard]] double py(double v) const {
    const double a = std::log10(lo);
    const double b = std::log10(hi);
    return bottom - (std::log10(v) - a) / (b - a) * (bottom - top);
  }
};

LogPanel make_panel(const std::vector<Series>& series, bool inertia, double top, double bottom) {
  LogPanel p;
  p.top = top;
  p.bottom = bottom;
  Range range;
  for (const Series& s : series) {
    for (const double v : inertia ? s.inertia : s.shift) {
      if (v > 0 && std::isfinite(v)) range.include(v);
    }
  }
  if (range.empty) {
    p.lo = 0.1;
    p.hi = 10;
    return p;
  }
  // Pad by a few percent in log space; a flat range gets half a decade either way.
  double a = std::log10(range.lo);
  double b = std::log10(range.hi);
  if (b - a < 1e-9) {
    a -= 0.5;
    b += 0.5;
  } else {
    const double pad = (b - a) * 0.05;
    a -= pad;
    b += pad;
  }
  p.lo = std::pow(10.0, a);
  p.hi = std::pow(10.0, b);
  return p;
}

}  // namespace

std::string convergence_svg(const std::vector<Series>& series, std::string_view note) {
  constexpr int width = 720;
  constexpr int height = 560;
  constexpr double left = kMarginLeft;
  constexpr double right = width - kMarginRight;
  std::string out;
  append_svg_open(out, "convergence", width, height);
  out += "<title>Convergence: inertia and center shift per iteration</title>\n";
  out += "<rect width=\"720\" height=\"560\" fill=\"#FFFFFF\"/>\n";
  append_text(out, width / 2.0, 24, "class=\"title\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\"",
              "Convergence: inertia and center shift per iteration");
  append_text(out, width / 2.0, 46, "class=\"note\" text-anchor=\"middle\" fill=\"#555555\"", note);

  std::size_t longest = 1;
  for (const Series& s : series) longest = std::max({longest, s.inertia.size(), s.shift.size()});
  const double x_lo = 1;
  const double x_hi = std::max<double>(2, static_cast<double>(longest));
  const auto px = [&](double i) { return left + (i - x_lo) / (x_hi - x_lo) * (right - left); };

  const LogPanel panels[2] = {make_panel(series, true, 64, 284), make_panel(series, false, 314, 494)};
  const char* names[2] = {"inertia (log scale)", "center shift (log scale)"};
  const char* classes[2] = {"inertia-line", "shift-line"};
  const char* colours[2] = {kPalette[0], kPalette[1]};
  for (int which = 0; which < 2; ++which) {
    const LogPanel& p = panels[which];
    out += "<g class=\"axes\" stroke=\"#999999\" fill=\"none\">\n<rect x=\"";
    append_number(out, left, 1);
    out += "\" y=\"";
    append_number(out, p.top, 1);
    out += "\" width=\"";
    append_number(out, right - left, 1);
    out += "\" height=\"";
    append_number(out, p.bottom - p.top, 1);
    out += "\"/>\n";
    const std::vector<double> ticks = log_ticks(p.lo, p.hi);
    std::string grid;
    for (const double t : ticks) {
      grid += 'M';
      append_number(grid, left - 5, 1);
      grid += ',';
      append_number(grid, p.py(t), 1);
      grid += 'H';
      append_number(grid, right, 1);
    }
    out += "<path stroke=\"#E5E5E5\" d=\"" + grid + "\"/>\n</g>\n<g class=\"tick-labels\" fill=\"#333333\">\n";
    for (const double t : ticks) append_text(out, left - 8, p.py(t) + 4, "text-anchor=\"end\"", format_tick(t));
    out += "</g>\n";
    const double y = (p.top + p.bottom) / 2;
    std::string attributes = "class=\"axis-label\" text-anchor=\"middle\" transform=\"rotate(-90 18 ";
    append_number(attributes, y, 1);
    attributes += ")\"";
    append_text(out, 18, y, attributes, names[which]);

    // Lines: other runs first (thin, grey), the highlighted run on top.
    out += "<g fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n";
    for (const bool highlighted : {false, true}) {
      for (const Series& s : series) {
        if (s.highlight != highlighted) continue;
        const std::vector<double>& values = which == 0 ? s.inertia : s.shift;
        std::string d;
        bool pen_down = false;
        for (std::size_t i = 0; i < values.size(); ++i) {
          const double v = values[i];
          if (std::find(s.breaks.begin(), s.breaks.end(), i) != s.breaks.end()) pen_down = false;
          if (!(v > 0) || !std::isfinite(v)) {
            pen_down = false;  // log scale: zero shifts leave a gap
            continue;
          }
          d += pen_down ? 'L' : 'M';
          append_number(d, px(static_cast<double>(i + 1)), 1);
          d += ',';
          append_number(d, p.py(std::clamp(v, p.lo, p.hi)), 1);
          const bool lone = i + 1 >= values.size() || !(values[i + 1] > 0) ||
                            std::find(s.breaks.begin(), s.breaks.end(), i + 1) != s.breaks.end();
          if (!pen_down && lone) d += "h0.01";  // a lone point: a dot
          pen_down = true;
        }
        out += "<path class=\"";
        out += classes[which];
        out += "\" d=\"" + d + "\" stroke=\"";
        out += highlighted ? colours[which] : "#BAB0AC";
        out += highlighted ? "\" stroke-width=\"2.5\"" : "\" stroke-width=\"1\" stroke-opacity=\"0.8\"";
        out += "><title>";
        append_escaped(out, s.name);
        out += "</title></path>\n";
      }
    }
    out += "</g>\n";
  }

  // Shared iteration axis under the lower panel.
  const std::vector<double> x_ticks = linear_ticks(x_lo, x_hi, 8);
  std::string tick_path;
  for (const double t : x_ticks) {
    if (t != std::floor(t)) continue;
    tick_path += 'M';
    append_number(tick_path, px(t), 1);
    tick_path += ',';
    append_number(tick_path, panels[1].bottom, 1);
    tick_path += "v5";
  }
  out += "<path stroke=\"#999999\" d=\"" + tick_path + "\"/>\n<g class=\"tick-labels\" fill=\"#333333\">\n";
  for (const double t : x_ticks) {
    if (t == std::floor(t)) append_text(out, px(t), panels[1].bottom + 18, "text-anchor=\"middle\"", format_tick(t));
  }
  out += "</g>\n";
  append_text(out, (left + right) / 2, panels[1].bottom + 38, "class=\"axis-label\" text-anchor=\"middle\"",
              "iteration (in order within each run; a new segment starts at each swap trial)");
  // Legend.
  const double ly = height - 14.0;
  out += "<g class=\"legend\">\n";
  double lx = left;
  for (int which = 0; which < 2; ++which) {
    out += "<path d=\"M";
    append_number(out, lx, 1);
    out += ',';
    append_number(out, ly - 4, 1);
    out += "h24\" stroke=\"";
    out += colours[which];
    out += "\" stroke-width=\"2.5\"/>\n";
    append_text(out, lx + 30, ly, "", which == 0 ? "inertia, returned run" : "center shift, returned run");
    lx += 200;
  }
  if (series.size() > 1) {
    out += "<path d=\"M";
    append_number(out, lx, 1);
    out += ',';
    append_number(out, ly - 4, 1);
    out += "h24\" stroke=\"#BAB0AC\" stroke-width=\"1\"/>\n";
    append_text(out, lx + 30, ly, "", "other runs");
  }
  out += "</g>\n</svg>\n";
  return out;
}

}  // namespace detail
}  // namespace centrix::plot
