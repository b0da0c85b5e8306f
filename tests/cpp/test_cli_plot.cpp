// The pictures from the command line: `fit`/`meanshift` --plot/--report and
// `demo`, on the UEF benchmark sets and generated blobs.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::CliRun;
using testing::count;
using testing::franti;
using testing::read_all;
using testing::run_cli;
using testing::TempDir;

/// The element `<svg id="ID"...>...</svg>` of a file.
std::string svg_element(const std::string& text, const std::string& id) {
  const std::size_t a = text.find("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" + id + "\"");
  if (a == std::string::npos) return {};
  return text.substr(a, text.find("</svg>", a) + 6 - a);
}

#define SKIP_WITHOUT_UEF() \
  if (!std::filesystem::exists(franti("s1.txt"))) GTEST_SKIP() << "UEF data not found at " << franti("")

TEST(CliPlot, FitS1WritesScatterAndReport) {
  SKIP_WITHOUT_UEF();
  TempDir dir;
  const CliRun run = run_cli(dir, "fit " + franti("s1.txt") + " -k 15 --seed 1 --true-centers " + franti("s1-cb.txt") +
                                      " --plot " + dir.file("s1.svg") + " --report " + dir.file("s1.html"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("wrote " + dir.file("s1.svg")), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("wrote " + dir.file("s1.html")), std::string::npos) << run.out;
  const std::string svg = read_all(dir.file("s1.svg"));
  EXPECT_EQ(count(svg, "class=\"point\""), 5000U);
  EXPECT_EQ(count(svg, "class=\"center\""), 15U);
  EXPECT_EQ(count(svg, "class=\"true-center\""), 15U);
  EXPECT_NE(svg.find(">x0</text>"), std::string::npos);
  EXPECT_NE(svg.find(">x1</text>"), std::string::npos);

  const std::string html = read_all(dir.file("s1.html"));
  const std::string scatter = svg_element(html, "scatter");
  EXPECT_EQ(count(scatter, "class=\"point\""), 5000U);
  EXPECT_EQ(count(scatter, "class=\"center\""), 15U);
  EXPECT_EQ(count(scatter, "class=\"true-center\""), 15U);
  EXPECT_EQ(count(svg_element(html, "animation-view"), "class=\"point\""), 5000U);
  EXPECT_EQ(count(svg_element(html, "animation-view"), "class=\"center\""), 15U);
  EXPECT_EQ(count(svg_element(html, "convergence"), "class=\"inertia-line\""), 1U);
  EXPECT_NE(html.find("<p id=\"sample-note\">showing all 5,000 points</p>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>centroid index</th><td>0</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<button id=\"play\""), std::string::npos);
  EXPECT_NE(html.find("id=\"frame-slider\" min=\"0\" max=\""), std::string::npos);
  EXPECT_EQ(html.find("<canvas"), std::string::npos);  // 2-D data: no 3-D view
  EXPECT_LT(html.size(), 2'000'000U);
}

TEST(CliPlot, Dim032IsDrawnOnPrincipalComponents) {
  SKIP_WITHOUT_UEF();
  TempDir dir;
  const CliRun run = run_cli(dir, "fit " + franti("dim032.txt") + " -k 16 --true-centers " + franti("dim032_gt.txt") +
                                      " --plot " + dir.file("d.svg") + " --report " + dir.file("d.html"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string svg = read_all(dir.file("d.svg"));
  EXPECT_NE(svg.find(">PC1 ("), std::string::npos);
  EXPECT_NE(svg.find(">PC2 ("), std::string::npos);
  EXPECT_NE(svg.find("% of variance)</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"point\""), 1024U);
  EXPECT_EQ(count(svg, "class=\"true-center\""), 16U);
  // D = 32: a 3-D view only when asked for.
  EXPECT_EQ(read_all(dir.file("d.html")).find("<canvas"), std::string::npos);
  ASSERT_EQ(
      run_cli(dir, "fit " + franti("dim032.txt") + " -k 16 --projection 3d --report " + dir.file("d3.html")).exit_code,
      0);
  const std::string html = read_all(dir.file("d3.html"));
  EXPECT_NE(html.find("<canvas id=\"view-3d\""), std::string::npos);
  EXPECT_NE(html.find("PC3 ("), std::string::npos);
}

TEST(CliPlot, ThreeColumnsGetARotatableView) {
  TempDir dir;
  ASSERT_EQ(run_cli(dir, "generate blobs --n 2000 --d 3 --centers 4 --seed 3 -o " + dir.file("b.csv") +
                             " --true-centers " + dir.file("t.csv"))
                .exit_code,
            0);
  const CliRun run = run_cli(dir, "fit " + dir.file("b.csv") + " -k 4 --true-centers " + dir.file("t.csv") +
                                      " --report " + dir.file("r.html"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = read_all(dir.file("r.html"));
  EXPECT_EQ(count(html, "<canvas id=\"view-3d\""), 1U);
  EXPECT_NE(html.find("\"axis_labels\":[\"x0\",\"x1\",\"x2\"]"), std::string::npos);
  ASSERT_EQ(
      run_cli(dir, "fit " + dir.file("b.csv") + " -k 4 --projection 2d --report " + dir.file("r2.html")).exit_code, 0);
  EXPECT_EQ(read_all(dir.file("r2.html")).find("<canvas"), std::string::npos);
}

TEST(CliPlot, Birch1DrawsASampleAndStaysSmall) {
  SKIP_WITHOUT_UEF();
  TempDir dir;
  const CliRun run = run_cli(dir, "fit " + franti("birch1.txt") + " -k 100 --refine none --max-iter 30 --plot " +
                                      dir.file("b.svg") + " --report " + dir.file("b.html"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string svg = read_all(dir.file("b.svg"));
  const std::string html = read_all(dir.file("b.html"));
  EXPECT_EQ(count(svg, "class=\"point\""), 5000U);
  EXPECT_EQ(count(svg, "class=\"center\""), 100U);
  EXPECT_NE(html.find("showing 5,000 of 100,000 points (uniform sample)"), std::string::npos);
  EXPECT_LT(svg.size(), 600'000U);
  EXPECT_LT(html.size(), 2'000'000U);
  // --plot-points lowers the cap.
  ASSERT_EQ(run_cli(dir, "fit " + franti("birch1.txt") + " -k 100 --refine none --max-iter 5 --plot-points 700 " +
                             "--plot " + dir.file("small.svg"))
                .exit_code,
            0);
  EXPECT_EQ(count(read_all(dir.file("small.svg")), "class=\"point\""), 700U);
}

TEST(CliPlot, MeanShiftReport) {
  TempDir dir;
  ASSERT_EQ(
      run_cli(dir, "generate blobs --n 1500 --d 2 --centers 3 --std 0.5 --seed 4 -o " + dir.file("b.csv")).exit_code,
      0);
  const CliRun run = run_cli(dir, "meanshift " + dir.file("b.csv") + " --bandwidth 2 --plot " + dir.file("m.svg") +
                                      " --report " + dir.file("m.html") + " --plot-frames 30");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("wrote " + dir.file("m.html")), std::string::npos) << run.out;
  const std::string svg = read_all(dir.file("m.svg"));
  EXPECT_EQ(count(svg, "class=\"point\""), 1500U);
  EXPECT_EQ(count(svg, "class=\"center\""), 3U);
  const std::string html = read_all(dir.file("m.html"));
  EXPECT_NE(html.find("<tr><th>kernel</th><td>flat</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("id=\"frame-slider\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"convergence\""), std::string::npos);
  EXPECT_GE(count(svg_element(html, "animation-view"), "class=\"center\""), 1U);
}

TEST(CliPlot, DemoWritesReportAndScatter) {
  TempDir dir;
  const CliRun run = run_cli(dir, "demo -o " + dir.file("demo"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* name : {"report.html", "clusters.svg"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.file("demo/") + name)) << name;
    EXPECT_NE(run.out.find(dir.file("demo/") + name), std::string::npos) << run.out;
  }
  const std::string svg = read_all(dir.file("demo/clusters.svg"));
  EXPECT_EQ(count(svg, "class=\"point\""), 1500U);
  EXPECT_EQ(count(svg, "class=\"center\""), 6U);
  EXPECT_EQ(count(svg, "class=\"true-center\""), 6U);
}

TEST(CliPlot, BadFlagsExitTwoAndWriteNothing) {
  TempDir dir;
  ASSERT_EQ(run_cli(dir, "generate blobs --n 200 --d 2 --centers 3 --seed 4 -o " + dir.file("b.csv")).exit_code, 0);
  const std::string outputs =
      " --plot " + dir.file("p.svg") + " --report " + dir.file("r.html") + " --labels " + dir.file("l.txt");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--plot-points 0", "--plot-points"},
      {"--plot-points -5", "--plot-points"},
      {"--plot-frames 1", "--plot-frames"},
      {"--projection 4d", "--projection"},
      {"--projection 3d", "--projection 3d needs data with at least 3 columns"},
  };
  for (const char* command : {"fit", "meanshift"}) {
    const std::string k = std::string(command) == "fit" ? " -k 3 " : " --bandwidth 3 ";
    for (const auto& [flags, message] : cases) {
      const CliRun run = run_cli(dir, std::string(command) + " " + dir.file("b.csv") + k + flags + outputs);
      EXPECT_EQ(run.exit_code, 2) << command << ' ' << flags << ": " << run.err;
      EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
      EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
      for (const char* name : {"p.svg", "r.html", "l.txt"}) {
        EXPECT_FALSE(std::filesystem::exists(dir.file(name))) << command << ' ' << flags << ": " << name;
      }
    }
    // A picture over the input is refused, the input left as it was.
    const std::string before = read_all(dir.file("b.csv"));
    const CliRun run =
        run_cli(dir, std::string(command) + " " + dir.file("b.csv") + k + "--report " + dir.file("b.csv"));
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_EQ(read_all(dir.file("b.csv")), before);
  }
}

TEST(CliPlot, HelpMentionsThePictureFlags) {
  TempDir dir;
  for (const char* command : {"fit", "meanshift"}) {
    const CliRun run = run_cli(dir, std::string(command) + " --help");
    ASSERT_EQ(run.exit_code, 0);
    for (const char* flag : {"--plot", "--report", "--projection", "--plot-points", "--plot-frames"}) {
      EXPECT_NE(run.out.find(flag), std::string::npos) << command << ' ' << flag;
    }
  }
}

}  // namespace
}  // namespace centrix
