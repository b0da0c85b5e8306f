// `centrix score`, run as a user would: the measures on the UEF s1 set
// against its ground truth, the JSON summary, and bad input (exit code 2, one
// line on stderr naming the file, no summary written).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::CliRun;
using testing::franti;
using testing::read_all;
using testing::run_cli;
using testing::TempDir;
using testing::write_all;

/// The "name value" lines of the output, in a map.
std::map<std::string, std::string> measures(const std::string& out) {
  std::map<std::string, std::string> values;
  std::istringstream lines(out);
  std::string name, value;
  while (lines >> name >> value) values[name] = value;
  return values;
}

/// A score that must fail: exit 2, one stderr line with every piece of `expected`, no summary written.
void expect_score_error(const TempDir& dir, const std::string& args, const std::vector<std::string>& expected) {
  const CliRun run = run_cli(dir, "score " + args + " --summary " + dir.file("summary.json"));
  EXPECT_EQ(run.exit_code, 2) << args << "\nstderr: " << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << "one line expected, got: " << run.err;
  EXPECT_EQ(run.err.rfind("error: ", 0), 0U) << run.err;
  for (const std::string& piece : expected) EXPECT_NE(run.err.find(piece), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("summary.json"))) << "summary written despite the error";
}

// Six rows in two groups; labels 1-based.
constexpr const char* kData = "0,0\n0,1\n1,0\n10,10\n10,11\n11,10\n";
constexpr const char* kLabels = "1\n1\n1\n2\n2\n2\n";

TEST(CliScore, UefS1AgainstItsGroundTruth) {
  if (!std::filesystem::exists(franti("s1.txt"))) GTEST_SKIP() << "shared data not present";
  TempDir dir;
  const std::string labels = franti("s1-label.pa");
  const CliRun run = run_cli(dir, "score " + franti("s1.txt") + " --labels " + labels + " --true-labels " + labels +
                                      " --true-centers " + franti("s1-cb.txt") + " --summary " + dir.file("s1.json"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  std::map<std::string, std::string> m = measures(run.out);
  EXPECT_EQ(m["n"], "5000");
  EXPECT_EQ(m["d"], "2");
  EXPECT_EQ(m["clusters"], "15");
  EXPECT_EQ(m["ari"], "1");
  EXPECT_EQ(m["nmi"], "1");
  EXPECT_EQ(m["centroid_index"], "0");
  EXPECT_EQ(m["silhouette_sample"], "exact");
  // scikit-learn: silhouette_score 0.7078541190943877; inertia of the label means 9114285495417.125.
  EXPECT_NEAR(std::stod(m["silhouette"]), 0.7078541190943877, 1e-12);
  EXPECT_NEAR(std::stod(m["inertia"]), 9114285495417.125, 1e-12 * 9114285495417.125);
  // The summary holds the same measures.
  const std::string json = read_all(dir.file("s1.json"));
  for (const char* piece : {"\"ari\": 1.0", "\"nmi\": 1.0", "\"centroid_index\": 0", "\"clusters\": 15", "\"n\": 5000",
                            "\"silhouette_sample\": \"exact\"", "\"silhouette\": 0.70785411909438"}) {
    EXPECT_NE(json.find(piece), std::string::npos) << piece << " not in\n" << json;
  }
}

TEST(CliScore, SampledSilhouetteIsSeededAndSaysSo) {
  if (!std::filesystem::exists(franti("s1.txt"))) GTEST_SKIP() << "shared data not present";
  TempDir dir;
  const std::string args =
      "score " + franti("s1.txt") + " --labels " + franti("s1-label.pa") + " --silhouette-sample 1500 --seed 4";
  const CliRun first = run_cli(dir, args);
  const CliRun again = run_cli(dir, args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, again.out);
  std::map<std::string, std::string> m = measures(first.out);
  EXPECT_EQ(m["silhouette_sample"], "1500");
  EXPECT_EQ(m["silhouette_seed"], "4");
  EXPECT_NEAR(std::stod(m["silhouette"]), 0.7078541190943877, 0.03);
  EXPECT_EQ(m.count("ari"), 0U);  // no --true-labels, no ARI
  // Larger than the data: exact.
  const CliRun exact =
      run_cli(dir, "score " + franti("s1.txt") + " --labels " + franti("s1-label.pa") + " --silhouette-sample 5000");
  EXPECT_EQ(measures(exact.out)["silhouette_sample"], "exact");
}

TEST(CliScore, SmallFileHandChecked) {
  TempDir dir;
  write_all(dir.file("data.csv"), kData);
  write_all(dir.file("labels.txt"), kLabels);
  write_all(dir.file("truth.txt"), "0\n0\n1\n1\n1\n1\n");  // one row moved
  write_all(dir.file("centers.csv"), "10.3,10.3\n0.3,0.3\n");
  const CliRun run =
      run_cli(dir, "score " + dir.file("data.csv") + " --labels " + dir.file("labels.txt") + " --true-labels " +
                       dir.file("truth.txt") + " --true-centers " + dir.file("centers.csv") + " --dtype float32");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, std::string> m = measures(run.out);
  EXPECT_EQ(m["n"], "6");
  EXPECT_EQ(m["clusters"], "2");
  // Means (1/3, 1/3) and (31/3, 31/3): each group's squared distances sum to 4/3, 8/3 in all.
  EXPECT_NEAR(std::stod(m["inertia"]), 8.0 / 3.0, 1e-6);
  // Contingency [[2, 0], [1, 3]]: sum C(n_ij, 2) = 1 + 3 = 4; rows 1 + 6 = 7; columns 3 + 3 = 6;
  // expected 7 * 6 / 15 = 2.8; max 6.5; ARI = 1.2 / 3.7 = 12/37.
  EXPECT_NEAR(std::stod(m["ari"]), 12.0 / 37.0, 1e-15);
  EXPECT_EQ(m["centroid_index"], "0");
}

TEST(CliScore, OneClusterWarnsAndReportsNoSilhouette) {
  TempDir dir;
  write_all(dir.file("data.csv"), kData);
  write_all(dir.file("one.txt"), "3\n3\n3\n3\n3\n3\n");
  const CliRun run = run_cli(dir, "score " + dir.file("data.csv") + " --labels " + dir.file("one.txt") +
                                      " --true-labels " + dir.file("one.txt"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.rfind("warning: ", 0), 0U) << run.err;
  EXPECT_NE(run.err.find("1 distinct label"), std::string::npos) << run.err;
  std::map<std::string, std::string> m = measures(run.out);
  EXPECT_EQ(m["silhouette"], "nan");
  EXPECT_EQ(m["ari"], "1");
  EXPECT_EQ(m["nmi"], "1");
}

TEST(CliScore, LabelCountMismatchNamesBothFiles) {
  TempDir dir;
  write_all(dir.file("data.csv"), kData);
  write_all(dir.file("short.txt"), "1\n1\n2\n2\n");
  expect_score_error(dir, dir.file("data.csv") + " --labels " + dir.file("short.txt"),
                     {"short.txt", "4 labels", "6 rows", "data.csv"});
  write_all(dir.file("labels.txt"), kLabels);
  expect_score_error(
      dir, dir.file("data.csv") + " --labels " + dir.file("labels.txt") + " --true-labels " + dir.file("short.txt"),
      {"short.txt", "4 true labels", "6 rows", "data.csv"});
}

TEST(CliScore, MissingAndMalformedFiles) {
  TempDir dir;
  write_all(dir.file("data.csv"), kData);
  write_all(dir.file("labels.txt"), kLabels);
  expect_score_error(dir, dir.file("nope.csv") + " --labels " + dir.file("labels.txt"), {"nope.csv", "cannot open"});
  expect_score_error(dir, dir.file("data.csv") + " --labels " + dir.file("nope.txt"), {"nope.txt", "cannot open"});
  expect_score_error(
      dir,
      dir.file("data.csv") + " --labels " + dir.file("labels.txt") + " --true-centers " + dir.file("nope-centers.csv"),
      {"nope-centers.csv", "cannot open"});
  write_all(dir.file("bad.txt"), "1\n1\nx\n2\n2\n2\n");
  expect_score_error(dir, dir.file("data.csv") + " --labels " + dir.file("bad.txt"), {"bad.txt:3:"});
  write_all(dir.file("nan.csv"), "0,0\n0,1\n1,nan\n10,10\n10,11\n11,10\n");
  expect_score_error(dir, dir.file("nan.csv") + " --labels " + dir.file("labels.txt"), {"nan.csv:3:3:", "NaN"});
  write_all(dir.file("centers3.csv"), "1,2,3\n");
  expect_score_error(
      dir, dir.file("data.csv") + " --labels " + dir.file("labels.txt") + " --true-centers " + dir.file("centers3.csv"),
      {"centers3.csv", "3 columns"});
}

TEST(CliScore, SummaryNeverOverwritesAnInput) {
  TempDir dir;
  write_all(dir.file("data.csv"), kData);
  write_all(dir.file("labels.txt"), kLabels);
  const CliRun run = run_cli(dir, "score " + dir.file("data.csv") + " --labels " + dir.file("labels.txt") +
                                      " --summary " + dir.file("labels.txt"));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(read_all(dir.file("labels.txt")), kLabels);
}

TEST(CliScore, MissingLabelsOptionIsAUsageError) {
  TempDir dir;
  write_all(dir.file("data.csv"), kData);
  const CliRun run = run_cli(dir, "score " + dir.file("data.csv"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--labels"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace centrix
