// Pictures: the SVG/HTML renderers on small hand-made inputs, and the report
// builders on small fits (sampling, projection, frames).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "centrix/error.hpp"
#include "centrix/kmeans.hpp"
#include "centrix/mean_shift.hpp"
#include "centrix/plot.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using plot::Frame;
using plot::Points;
using plot::Report;
using plot::Scatter;
using testing::count;

/// The text between the first `open` after `from` and the next `close`.
std::string between(const std::string& text, const std::string& open, const std::string& close, std::size_t from = 0) {
  const std::size_t a = text.find(open, from);
  if (a == std::string::npos) return {};
  const std::size_t b = text.find(close, a + open.size());
  return text.substr(a + open.size(), b == std::string::npos ? std::string::npos : b - a - open.size());
}

/// The element `<svg id="ID"...>...</svg>` of an HTML report.
std::string svg_element(const std::string& html, const std::string& id) {
  const std::size_t a = html.find("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" + id + "\"");
  if (a == std::string::npos) return {};
  return html.substr(a, html.find("</svg>", a) + 6 - a);
}

Points points(std::vector<double> x, std::vector<double> y) {
  Points p;
  p.x = std::move(x);
  p.y = std::move(y);
  return p;
}

Scatter small_scatter(std::size_t n, std::int32_t k) {
  Scatter s;
  for (std::size_t i = 0; i < n; ++i) {
    s.points.x.push_back(static_cast<double>(i % 17));
    s.points.y.push_back(static_cast<double>(i % 5) * 1.5);
    s.labels.push_back(static_cast<std::int32_t>(i) % k);
  }
  s.centers = points({1, 5, 9}, {1, 2, 3});
  s.true_centers = points({1.1, 5.2}, {0.9, 2.1});
  s.x_label = "x0";
  s.y_label = "x1";
  s.title = "test";
  return s;
}

Report small_report(std::size_t n_frames) {
  Report r;
  r.title = "report";
  r.scatter = small_scatter(12, 3);
  r.sample_note = "showing all 12 points";
  r.summary = {{"n", "12"}, {"d", "2"}};
  for (std::size_t f = 0; f < n_frames; ++f) {
    Frame frame;
    frame.caption = "iteration " + std::to_string(f + 1);
    frame.centers = points({1.0 + static_cast<double>(f), 5, 9}, {1, 2, 3});
    frame.labels.assign(12, static_cast<std::int32_t>(f % 3));
    r.frames.push_back(std::move(frame));
  }
  plot::Series series;
  series.name = "run 0 (returned)";
  series.highlight = true;
  series.inertia = {100, 50, 20, 19.5};
  series.shift = {10, 1, 0.01, 0};
  r.convergence.push_back(series);
  return r;
}

TEST(PlotSvg, OneElementPerPointCenterAndTrueCenter) {
  const std::string svg = plot::render_svg(small_scatter(40, 4));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"scatter\"", 0), 0U) << svg.substr(0, 100);
  EXPECT_EQ(count(svg, "class=\"point\""), 40U);
  EXPECT_EQ(count(svg, "class=\"center\""), 3U);
  EXPECT_EQ(count(svg, "class=\"true-center\""), 2U);
  EXPECT_EQ(count(svg, "<svg"), count(svg, "</svg>"));
}

TEST(PlotSvg, PaletteColoursAndMarkerShapesCycleBeyondTenClusters) {
  EXPECT_STREQ(plot::kPalette[0], "#4E79A7");
  EXPECT_STREQ(plot::kPalette[9], "#BAB0AC");
  EXPECT_STREQ(plot::color_of(0), "#4E79A7");
  EXPECT_STREQ(plot::color_of(13), plot::kPalette[3]);
  EXPECT_STREQ(plot::color_of(-1), plot::kNoiseColor);
  EXPECT_EQ(plot::marker_of(9), plot::Marker::Circle);
  EXPECT_EQ(plot::marker_of(10), plot::Marker::Square);
  EXPECT_EQ(plot::marker_of(25), plot::Marker::Triangle);
  EXPECT_EQ(plot::marker_of(-1), plot::Marker::Circle);
  EXPECT_EQ(plot::marker_of(10 * plot::kMarkerCount), plot::Marker::Circle);

  // One point per label 0..24: labels 0-9 circles, 10-19 squares, 20-24 triangles, colours repeating.
  Scatter s = small_scatter(25, 25);
  s.true_centers = {};
  const std::string svg = plot::render_svg(s);
  EXPECT_EQ(count(svg, "<circle class=\"point\""), 10U);
  EXPECT_EQ(count(svg, "<rect class=\"point\""), 10U);
  EXPECT_EQ(count(svg, "<polygon class=\"point\""), 5U);
  for (const char* colour : plot::kPalette) {
    EXPECT_GE(count(svg, std::string("fill=\"") + colour + "\""), 2U) << colour;
  }
  // Noise is light grey.
  s.labels[3] = -1;
  EXPECT_EQ(count(plot::render_svg(s), std::string("fill=\"") + plot::kNoiseColor + "\""), 1U);
}

TEST(PlotSvg, EscapesText) {
  Scatter s = small_scatter(5, 2);
  s.title = "a<b & \"c\" 'd'";
  s.x_label = "x<0>";
  s.note = "</svg>";
  const std::string svg = plot::render_svg(s);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot; &#39;d&#39;"), std::string::npos);
  EXPECT_NE(svg.find("x&lt;0&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_EQ(count(svg, "</svg>"), 1U);
  // Malformed UTF-8 cannot make the file ill-formed.
  s.title = std::string("bad \xff byte, good \xc3\xa9");
  const std::string svg2 = plot::render_svg(s);
  EXPECT_EQ(svg2.find('\xff'), std::string::npos);
  EXPECT_NE(svg2.find("good \xc3\xa9"), std::string::npos);
}

TEST(PlotSvg, RejectsMismatchedLengths) {
  Scatter s = small_scatter(5, 2);
  s.labels.pop_back();
  EXPECT_THROW(plot::render_svg(s), InvalidArgument);
}

TEST(PlotHtml, ContractElementsAndFrames) {
  const std::string html = plot::render_html(small_report(7));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"", 0), 0U);
  EXPECT_NE(html.find("<meta charset=\"utf-8\"/>"), std::string::npos);
  const std::string scatter = svg_element(html, "scatter");
  EXPECT_EQ(count(scatter, "class=\"point\""), 12U);
  EXPECT_EQ(count(scatter, "class=\"center\""), 3U);
  EXPECT_EQ(count(scatter, "class=\"true-center\""), 2U);
  const std::string animation = svg_element(html, "animation-view");
  EXPECT_EQ(count(animation, "class=\"point\""), 12U);
  EXPECT_EQ(count(animation, "class=\"center\""), 3U);
  const std::string convergence = svg_element(html, "convergence");
  EXPECT_EQ(count(convergence, "class=\"inertia-line\""), 1U);
  EXPECT_EQ(count(convergence, "class=\"shift-line\""), 1U);
  EXPECT_NE(convergence.find("inertia (log scale)"), std::string::npos);
  EXPECT_NE(html.find("<button id=\"play\" type=\"button\">Play</button>"), std::string::npos);
  EXPECT_NE(html.find("<input type=\"range\" id=\"frame-slider\" min=\"0\" max=\"6\""), std::string::npos);
  EXPECT_NE(html.find("<span id=\"frame-label\">frame 1 of 7</span>"), std::string::npos);
  EXPECT_NE(html.find("<p id=\"sample-note\">showing all 12 points</p>"), std::string::npos);
  const std::string table = between(html, "<table id=\"summary\">", "</table>");
  EXPECT_EQ(count(table, "<tr><th>"), 2U);
  EXPECT_NE(table.find("<tr><th>n</th><td>12</td></tr>"), std::string::npos);
  const std::string data =
      between(html, "<script type=\"application/json\" id=\"report-data\">//<![CDATA[", "//]]></script>");
  EXPECT_EQ(count(data, "\"caption\":"), 7U);
  // Each CDATA section ends exactly once (style, data, script), and nothing refers outside the file.
  EXPECT_EQ(count(html, "<![CDATA["), 3U);
  EXPECT_EQ(count(html, "]]>"), 3U);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(count(html, "http://"), count(html, "http://www.w3.org/"));  // namespace names only
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST(PlotHtml, FrameLabelsPerFrame) {
  Report r = small_report(3);
  r.frames[1].labels.assign(12, 2);
  r.frames[2].labels.clear();  // the final labels
  const std::string html = plot::render_html(r);
  const std::string data = between(html, "id=\"report-data\">//<![CDATA[", "//]]>");
  // Labels are stored as label + 1 in one base-62 digit each.
  EXPECT_NE(data.find("\"labels\":\"111111111111\""), std::string::npos);
  EXPECT_NE(data.find("\"labels\":\"333333333333\""), std::string::npos);
  EXPECT_NE(data.find("\"labels\":\"\""), std::string::npos);
  // The animation view starts at frame 0: every point in cluster 0's colour.
  const std::string animation = svg_element(html, "animation-view");
  EXPECT_EQ(count(animation, std::string("fill=\"") + plot::kPalette[0] + "\""), 12U);
  r.frames[0].labels.pop_back();
  EXPECT_THROW(plot::render_html(r), InvalidArgument);
}

TEST(PlotHtml, EscapesTitleInMarkupAndData) {
  Report r = small_report(2);
  r.title = "x<y & \"z\" ]]> </script>";
  r.summary.emplace_back("file", "<a&b>.csv");
  const std::string html = plot::render_html(r);
  EXPECT_NE(html.find("<title>x&lt;y &amp; &quot;z&quot; ]]&gt; &lt;/script&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;a&amp;b&gt;.csv</td>"), std::string::npos);
  EXPECT_NE(html.find("\"title\":\"x\\u003cy \\u0026 \\\"z\\\" ]]\\u003e \\u003c/script\\u003e\""), std::string::npos);
  EXPECT_EQ(count(html, "]]>"), 3U);
  EXPECT_EQ(count(html, "</script>"), 2U);
}

TEST(PlotHtml, CanvasOnlyWithA3dView) {
  Report r = small_report(2);
  EXPECT_EQ(plot::render_html(r).find("<canvas"), std::string::npos);
  plot::View3D v;
  v.points = r.scatter.points;
  v.points.z.assign(v.points.size(), 1.0);
  v.centers = r.scatter.centers;
  v.centers.z.assign(v.centers.size(), 0.5);
  v.axis_labels = {"x0", "x1", "x2"};
  r.view3d = v;
  const std::string html = plot::render_html(r);
  EXPECT_EQ(count(html, "<canvas id=\"view-3d\" width=\""), 1U);
  EXPECT_NE(html.find("\"view3d\":{\"axis_labels\":[\"x0\",\"x1\",\"x2\"]"), std::string::npos);
}

TEST(PlotHtml, NoFramesShowsTheFinalState) {
  Report r = small_report(0);
  r.convergence.clear();
  const std::string html = plot::render_html(r);
  EXPECT_NE(html.find("id=\"frame-slider\" min=\"0\" max=\"0\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"convergence\""), std::string::npos);
}

TEST(PlotHelpers, GroupThousandsAndProjectionNames) {
  EXPECT_EQ(plot::group_thousands(0), "0");
  EXPECT_EQ(plot::group_thousands(999), "999");
  EXPECT_EQ(plot::group_thousands(5000), "5,000");
  EXPECT_EQ(plot::group_thousands(1000000), "1,000,000");
  EXPECT_EQ(plot::parse_projection("3d"), plot::Projection::ThreeD);
  EXPECT_THROW(plot::parse_projection("4d"), InvalidArgument);
}

template <class T>
KMeansResult<T> fit_blobs(const std::vector<T>& data, std::size_t n, std::size_t d, int k, int frames) {
  KMeansOptions o;
  o.n_clusters = k;
  o.seed = 3;
  o.max_frames = frames;
  return fit(MatrixView<T>(data.data(), n, d), o);
}

TEST(PlotReport, KMeansSamplesPointsAndLabelsEveryFrame) {
  const datasets::Blobs b = testing::blobs(20000, 2, 6, 1.0, 7);
  const MatrixView<double> view = b.data.view();
  KMeansOptions o;
  o.n_clusters = 6;
  o.seed = 3;
  o.max_frames = 12;
  const KMeansResult<double> result = fit(view, o);
  ASSERT_GE(result.frames.size(), 2U);
  plot::ReportOptions ro;
  ro.max_points = 1000;
  ro.true_centers = b.centers;
  const Report r = plot::kmeans_report(view, result, o, ro);
  EXPECT_EQ(r.scatter.points.size(), 1000U);
  EXPECT_EQ(r.sample_note, "showing 1,000 of 20,000 points (uniform sample)");
  EXPECT_EQ(r.scatter.x_label, "x0");
  EXPECT_EQ(r.scatter.y_label, "x1");
  EXPECT_EQ(r.scatter.centers.size(), 6U);
  EXPECT_EQ(r.scatter.true_centers.size(), 6U);
  EXPECT_FALSE(r.view3d.has_value());
  ASSERT_EQ(r.frames.size(), result.frames.size());
  for (const Frame& f : r.frames) {
    EXPECT_EQ(f.labels.size(), 1000U);
    EXPECT_EQ(f.centers.size(), 6U);
  }
  // The last frame holds the final centers: its labels are the fit's labels of the drawn rows.
  EXPECT_EQ(r.frames.back().labels, r.scatter.labels);
  // The first frame's centers differ from the final ones (the animation shows something).
  EXPECT_NE(r.frames.front().centers.x, r.frames.back().centers.x);
  ASSERT_FALSE(r.convergence.empty());
  EXPECT_TRUE(r.convergence.front().highlight);
  const auto row = std::find_if(r.summary.begin(), r.summary.end(), [](const auto& p) { return p.first == "k"; });
  ASSERT_NE(row, r.summary.end());
  EXPECT_EQ(row->second, "6");
  const auto ci =
      std::find_if(r.summary.begin(), r.summary.end(), [](const auto& p) { return p.first == "centroid index"; });
  ASSERT_NE(ci, r.summary.end());

  // The same options draw the same rows; the sample is spread over the whole data.
  const Report again = plot::kmeans_report(view, result, o, ro);
  EXPECT_EQ(again.scatter.points.x, r.scatter.points.x);
  std::set<std::int32_t> clusters(r.scatter.labels.begin(), r.scatter.labels.end());
  EXPECT_EQ(clusters.size(), 6U);

  const std::string html = plot::render_html(r);
  EXPECT_NE(html.find("max=\"" + std::to_string(r.frames.size() - 1) + "\""), std::string::npos);
  EXPECT_NE(html.find("showing 1,000 of 20,000 points (uniform sample)"), std::string::npos);
}

TEST(PlotReport, AllPointsWhenFewerThanTheCap) {
  const datasets::Blobs b = testing::blobs(300, 2, 3, 1.0, 1);
  const std::vector<float> data = testing::blobs_as<float>(b);
  const KMeansResult<float> result = fit_blobs(data, 300, 2, 3, 0);
  KMeansOptions o;
  o.n_clusters = 3;
  const Report r = plot::kmeans_report(MatrixView<float>(data.data(), 300, 2), result, o);
  EXPECT_EQ(r.sample_note, "showing all 300 points");
  EXPECT_EQ(r.scatter.points.size(), 300U);
  ASSERT_EQ(r.frames.size(), 1U);  // no frames kept: the final state
}

TEST(PlotReport, PrincipalComponentsAbove2Columns) {
  const datasets::Blobs b = testing::blobs(2000, 8, 4, 1.0, 5);
  KMeansOptions o;
  o.n_clusters = 4;
  o.max_frames = 5;
  const KMeansResult<double> result = fit(b.data.view(), o);
  const Report r = plot::kmeans_report(b.data.view(), result, o);
  EXPECT_EQ(r.scatter.x_label.rfind("PC1 (", 0), 0U) << r.scatter.x_label;
  EXPECT_NE(r.scatter.x_label.find("% of variance)"), std::string::npos);
  EXPECT_EQ(r.scatter.y_label.rfind("PC2 (", 0), 0U) << r.scatter.y_label;
  EXPECT_FALSE(r.view3d.has_value());  // auto: 3-D only for 3 columns

  plot::ReportOptions three;
  three.projection = plot::Projection::ThreeD;
  const Report r3 = plot::kmeans_report(b.data.view(), result, o, three);
  ASSERT_TRUE(r3.view3d.has_value());
  EXPECT_EQ(r3.view3d->axis_labels[2].rfind("PC3 (", 0), 0U);
  EXPECT_EQ(r3.view3d->points.size(), r3.scatter.points.size());
  EXPECT_EQ(r3.view3d->points.z.size(), r3.scatter.points.size());
}

TEST(PlotReport, ThreeColumnsGetA3dViewOfTheRawColumns) {
  const datasets::Blobs b = testing::blobs(500, 3, 3, 1.0, 2);
  KMeansOptions o;
  o.n_clusters = 3;
  const KMeansResult<double> result = fit(b.data.view(), o);
  const Report r = plot::kmeans_report(b.data.view(), result, o);
  ASSERT_TRUE(r.view3d.has_value());
  EXPECT_EQ(r.view3d->axis_labels[0], "x0");
  EXPECT_EQ(r.view3d->points.x[0], b.data(0, 0));
  EXPECT_EQ(r.scatter.x_label.rfind("PC1 (", 0), 0U);
  EXPECT_NE(plot::render_html(r).find("<canvas id=\"view-3d\""), std::string::npos);

  plot::ReportOptions flat;
  flat.projection = plot::Projection::TwoD;
  EXPECT_FALSE(plot::kmeans_report(b.data.view(), result, o, flat).view3d.has_value());

  const datasets::Blobs b2 = testing::blobs(100, 2, 2, 1.0, 2);
  o.n_clusters = 2;
  const KMeansResult<double> r2 = fit(b2.data.view(), o);
  plot::ReportOptions three;
  three.projection = plot::Projection::ThreeD;
  EXPECT_THROW(plot::kmeans_report(b2.data.view(), r2, o, three), InvalidArgument);
}

TEST(PlotReport, OneColumnIsAStrip) {
  const std::vector<double> data = {1, 2, 3, 10, 11, 12};
  KMeansOptions o;
  o.n_clusters = 2;
  const KMeansResult<double> result = fit(MatrixView<double>(data.data(), 6, 1), o);
  const Report r = plot::kmeans_report(MatrixView<double>(data.data(), 6, 1), result, o);
  EXPECT_EQ(r.scatter.x_label, "x0");
  EXPECT_EQ(r.scatter.y_label, "");
  EXPECT_EQ(r.scatter.points.y, std::vector<double>(6, 0.0));
  EXPECT_EQ(count(plot::render_svg(r.scatter), "class=\"point\""), 6U);
}

TEST(PlotReport, MeanShiftAnimatesSampledSeeds) {
  const datasets::Blobs b = testing::blobs(1500, 2, 3, 0.5, 4);
  MeanShiftOptions o;
  o.bandwidth = 2;
  o.max_frames = 20;
  const MeanShiftResult<double> result = mean_shift(b.data.view(), o);
  plot::ReportOptions ro;
  ro.max_seeds = 100;
  ro.max_points = 700;
  const Report r = plot::mean_shift_report(b.data.view(), result, o, ro);
  EXPECT_EQ(r.scatter.points.size(), 700U);
  EXPECT_EQ(r.scatter.centers.size(), result.centers.rows);
  EXPECT_TRUE(r.convergence.empty());
  if (result.frames.empty()) GTEST_SKIP() << "mean shift keeps no frames yet";
  ASSERT_EQ(r.frames.size(), result.frames.size());
  for (const Frame& f : r.frames) {
    EXPECT_EQ(f.centers.size(), std::min<std::size_t>(100, result.n_seeds));
    EXPECT_TRUE(f.labels.empty());  // points keep their final colour
    EXPECT_EQ(f.center_labels.size(), f.centers.size());
  }
  const std::string html = plot::render_html(r);
  EXPECT_NE(html.find("max=\"" + std::to_string(r.frames.size() - 1) + "\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"convergence\""), std::string::npos);
}

}  // namespace
}  // namespace centrix
