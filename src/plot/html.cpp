// The HTML report: one self-contained file of polyglot markup (parsed as HTML
// by browsers, and well-formed XML too). Its script and data sit in CDATA
// sections; the data is JSON with '<', '>' and '&' escaped, so that neither
// "]]>" nor "</script" can occur in it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "centrix/error.hpp"
#include "plot/markup.hpp"
#include "plot/report_assets.hpp"

namespace centrix::plot {

namespace {

using detail::append_escaped;
using detail::append_number;

/// Digits of the frame-label strings (base 62: no character needing escapes in JSON, XML or HTML).
constexpr std::string_view kLabelDigits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

void json_string(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t length = detail::utf8_length(text, i);
      if (length == 0) {
        out += "\\ufffd";
      } else {
        out.append(text.substr(i, length));
        i += length - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || c == '<' || c == '>' || c == '&') {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(u));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

template <class F>
void json_array(std::string& out, std::size_t n, F&& element) {
  out += '[';
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    element(i);
  }
  out += ']';
}

void json_numbers(std::string& out, const std::vector<double>& values, int decimals) {
  json_array(out, values.size(), [&](std::size_t i) { append_number(out, values[i], decimals); });
}

/// A general-purpose number (convergence values): 6 significant digits, null when not finite.
void json_general(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  out += buffer;
}

void json_labels(std::string& out, const std::vector<std::int32_t>& labels) {
  json_array(out, labels.size(), [&](std::size_t i) { out += std::to_string(labels[i]); });
}

/// Digits per label so that every label + 1 fits.
std::size_t label_width(const Report& report) {
  std::int64_t largest = 1;
  for (const std::int32_t l : report.scatter.labels) largest = std::max<std::int64_t>(largest, l + 1);
  for (const Frame& f : report.frames) {
    for (const std::int32_t l : f.labels) largest = std::max<std::int64_t>(largest, l + 1);
  }
  std::size_t width = 1;
  std::int64_t capacity = static_cast<std::int64_t>(kLabelDigits.size());
  while (capacity <= largest) {
    capacity *= static_cast<std::int64_t>(kLabelDigits.size());
    ++width;
  }
  return width;
}

void encode_labels(std::string& out, const std::vector<std::int32_t>& labels, std::size_t width) {
  out += '"';
  const auto base = static_cast<std::int64_t>(kLabelDigits.size());
  std::string digits(width, '0');
  for (const std::int32_t l : labels) {
    std::int64_t v = std::max<std::int64_t>(0, static_cast<std::int64_t>(l) + 1);
    for (std::size_t j = width; j-- > 0;) {
      digits[j] = kLabelDigits[static_cast<std::size_t>(v % base)];
      v /= base;
    }
    out += digits;
  }
  out += '"';
}

/// Pixel coordinates of `points` in the scatter's plot area (y in the middle for 1-D data).
void json_pixels(std::string& out, const Points& points, const detail::ScatterGeometry& g) {
  std::vector<double> x(points.size());
  std::vector<double> y(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    x[i] = g.px(points.x[i]);
    y[i] = g.show_y && i < points.y.size() ? g.py(points.y[i]) : (g.top + g.bottom) / 2;
  }
  out += "{\"x\":";
  json_numbers(out, x, 1);
  out += ",\"y\":";
  json_numbers(out, y, 1);
  out += '}';
}

/// 3-D coordinates scaled per axis into [-1, 1], flattened x0, y0, z0, x1, ...
struct Cube {
  detail::Range axes[3];
  void include(const Points& p) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      axes[0].include(p.x[i]);
      axes[1].include(i < p.y.size() ? p.y[i] : 0.0);
      axes[2].include(i < p.z.size() ? p.z[i] : 0.0);
    }
  }
  void append(std::string& out, const Points& p) const {
    std::vector<double> flat;
    flat.reserve(3 * p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double v[3] = {p.x[i], i < p.y.size() ? p.y[i] : 0.0, i < p.z.size() ? p.z[i] : 0.0};
      for (int a = 0; a < 3; ++a) {
        const detail::Range& r = axes[a];
        flat.push_back(r.hi > r.lo ? 2 * (v[a] - r.lo) / (r.hi - r.lo) - 1 : 0.0);
      }
    }
    json_numbers(out, flat, 3);
  }
};

std::string report_json(const Report& report, const detail::ScatterGeometry& g, const std::vector<Frame>& frames) {
  const Scatter& s = report.scatter;
  std::string out;
  out.reserve(64 * 1024 + s.points.size() * (20 + 2 * frames.size()));
  out += "{\"version\":1,\"title\":";
  json_string(out, report.title);
  out += ",\"sample_note\":";
  json_string(out, report.sample_note);
  out += ",\"n_drawn\":" + std::to_string(s.points.size());
  out += ",\"n_centers\":" + std::to_string(s.centers.size());
  out += ",\"n_true_centers\":" + std::to_string(s.true_centers.size());
  out += ",\"width\":" + std::to_string(s.width) + ",\"height\":" + std::to_string(s.height);
  out += ",\"palette\":";
  json_array(out, kPalette.size(), [&](std::size_t i) { json_string(out, kPalette[i]); });
  out += ",\"noise_color\":";
  json_string(out, kNoiseColor);
  out += ",\"markers\":";
  json_array(out, kMarkerCount, [&](std::size_t i) { json_string(out, to_string(static_cast<Marker>(i))); });
  out += ",\"point_radius\":";
  append_number(out, detail::point_radius(s.points.size()), 1);
  out += ",\"center_radius\":";
  append_number(out, detail::kCenterRadius, 1);
  out += ",\"seed_radius\":";
  append_number(out, detail::kSeedRadius, 1);
  out += ",\"axis_labels\":[";
  json_string(out, s.x_label);
  out += ',';
  json_string(out, s.y_label);
  out += "],\"labels\":";
  json_labels(out, s.labels);
  out += ",\"points\":";
  json_pixels(out, s.points, g);
  out += ",\"centers\":";
  json_pixels(out, s.centers, g);
  out += ",\"true_centers\":";
  json_pixels(out, s.true_centers, g);

  const std::size_t width = label_width(report);
  out += ",\"label_digits\":";
  json_string(out, kLabelDigits);
  out += ",\"label_width\":" + std::to_string(width);
  out += ",\"frames\":";
  json_array(out, frames.size(), [&](std::size_t f) {
    const Frame& frame = frames[f];
    out += "{\"caption\":";
    json_string(out, frame.caption);
    out += ",\"centers\":";
    json_pixels(out, frame.centers, g);
    out += ",\"labels\":";
    if (frame.labels.empty()) {
      out += "\"\"";
    } else {
      encode_labels(out, frame.labels, width);
    }
    out += ",\"center_labels\":";
    json_labels(out, frame.center_labels);
    out += '}';
  });

  out += ",\"convergence\":";
  json_array(out, report.convergence.size(), [&](std::size_t i) {
    const Series& series = report.convergence[i];
    out += "{\"name\":";
    json_string(out, series.name);
    out += ",\"highlight\":";
    out += series.highlight ? "true" : "false";
    out += ",\"inertia\":";
    json_array(out, series.inertia.size(), [&](std::size_t j) { json_general(out, series.inertia[j]); });
    out += ",\"shift\":";
    json_array(out, series.shift.size(), [&](std::size_t j) { json_general(out, series.shift[j]); });
    out += '}';
  });
  out += ",\"summary\":";
  json_array(out, report.summary.size(), [&](std::size_t i) {
    out += '[';
    json_string(out, report.summary[i].first);
    out += ',';
    json_string(out, report.summary[i].second);
    out += ']';
  });

  out += ",\"view3d\":";
  if (report.view3d) {
    const View3D& v = *report.view3d;
    Cube cube;
    cube.include(v.points);
    cube.include(v.centers);
    cube.include(v.true_centers);
    for (auto& axis : cube.axes) axis.pad(0.02);
    out += "{\"axis_labels\":";
    json_array(out, 3, [&](std::size_t i) { json_string(out, v.axis_labels[i]); });
    out += ",\"points\":";
    cube.append(out, v.points);
    out += ",\"centers\":";
    cube.append(out, v.centers);
    out += ",\"true_centers\":";
    cube.append(out, v.true_centers);
    out += '}';
  } else {
    out += "null";
  }
  out += "}";
  return out;
}

void check_points(const Points& p, std::string_view what) {
  if (p.y.size() != p.x.size() || (!p.z.empty() && p.z.size() != p.x.size())) {
    throw InvalidArgument("report: " + std::string(what) + " have coordinate vectors of different lengths");
  }
}

}  // namespace

std::string render_html(const Report& report) {
  const Scatter& s = report.scatter;
  check_points(s.points, "the points");
  check_points(s.centers, "the centers");
  check_points(s.true_centers, "the true centers");
  // The animation needs at least one frame: without any, it shows the final state.
  std::vector<Frame> frames = report.frames;
  if (frames.empty()) frames.push_back({"final state", s.centers, {}, {}});
  for (const Frame& f : frames) {
    check_points(f.centers, "a frame's centers");
    if (!f.labels.empty() && f.labels.size() != s.points.size()) {
      throw InvalidArgument("report: a frame has " + std::to_string(f.labels.size()) + " labels for " +
                            std::to_string(s.points.size()) + " points");
    }
  }
  if (report.view3d) {
    const View3D& v = *report.view3d;
    if (v.points.size() != s.points.size()) {
      throw InvalidArgument("report: the 3-D view has " + std::to_string(v.points.size()) + " points, the scatter " +
                            std::to_string(s.points.size()));
    }
  }
  const detail::ScatterGeometry geometry = detail::scatter_geometry(s, &frames);

  std::string out;
  out.reserve(256 * 1024 + s.points.size() * (160 + 2 * frames.size()));
  out += "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n";
  out += "<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<meta name=\"generator\" content=\"centrix\"/>\n<title>";
  append_escaped(out, report.title);
  out += "</title>\n<style>/*<![CDATA[*/";
  out += detail::kReportCss;
  out += "/*]]>*/</style>\n</head>\n<body>\n<h1>";
  append_escaped(out, report.title);
  out += "</h1>\n";

  out += "<section id=\"clusters-section\">\n<h2>Clusters</h2>\n<p id=\"sample-note\">";
  append_escaped(out, report.sample_note);
  out += "</p>\n";
  out += detail::scatter_svg(s, geometry, "scatter", nullptr);
  out += "</section>\n";

  if (report.view3d) {
    const View3D& v = *report.view3d;
    out += "<section id=\"view-3d-section\">\n<h2>3-D view</h2>\n<p class=\"note\">Drag to rotate. Axes: ";
    append_escaped(out, v.axis_labels[0] + ", " + v.axis_labels[1] + ", " + v.axis_labels[2]);
    out += "; each scaled to the box. Points coloured by their final cluster; found centers: white diamonds";
    if (!v.true_centers.x.empty()) out += "; true centers: black rings";
    out +=
        ".</p>\n<canvas id=\"view-3d\" width=\"640\" height=\"560\">A 3-D view of the clusters "
        "(needs JavaScript).</canvas>\n</section>\n";
  }

  const std::size_t last = frames.size() - 1;
  out += "<section id=\"animation-section\">\n<h2>Iterations</h2>\n<p class=\"note\">";
  append_escaped(out, report.frames_note);
  out += "</p>\n<div class=\"controls\">\n<button id=\"play\" type=\"button\">Play</button>\n";
  out += "<input type=\"range\" id=\"frame-slider\" min=\"0\" max=\"" + std::to_string(last) +
         "\" value=\"0\" step=\"1\" aria-label=\"frame\"/>\n";
  out += "<span id=\"frame-label\">frame 1 of " + std::to_string(frames.size()) +
         (frames.size() == 1 ? " (final)" : "") + "</span>\n";
  out += "<span id=\"frame-detail\">";
  append_escaped(out, frames.front().caption);
  out += "</span>\n</div>\n";
  out += detail::scatter_svg(s, geometry, "animation-view", &frames.front());
  out += "</section>\n";

  if (!report.convergence.empty()) {
    out += "<section id=\"convergence-section\">\n<h2>Convergence</h2>\n";
    out += detail::convergence_svg(report.convergence, report.convergence_note);
    out += "</section>\n";
  }

  out += "<section id=\"summary-section\">\n<h2>Summary</h2>\n<table id=\"summary\">\n";
  for (const auto& [name, value] : report.summary) {
    out += "<tr><th>";
    append_escaped(out, name);
    out += "</th><td>";
    append_escaped(out, value);
    out += "</td></tr>\n";
  }
  out += "</table>\n</section>\n";

  out += "<script type=\"application/json\" id=\"report-data\">//<![CDATA[\n";
  out += report_json(report, geometry, frames);
  out += "\n//]]></script>\n<script>//<![CDATA[";
  out += detail::kReportScript;
  out += "//]]></script>\n</body>\n</html>\n";
  return out;
}

}  // namespace centrix::plot
