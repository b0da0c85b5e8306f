// The command line, run as a user would: exit codes, messages, outputs.
// Every bad input must give exit code 2, one line on stderr that names the
// problem (file, line and column where known), and leave no output file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "centrix/io.hpp"
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

/// A fit that must fail: exit 2, one stderr line containing every piece of
/// `expected`, and none of its three outputs written.
void expect_fit_error(const TempDir& dir, const std::string& args, const std::vector<std::string>& expected) {
  const std::string outputs = " --labels " + dir.file("labels.txt") + " --centers " + dir.file("centers.csv") +
                              " --summary " + dir.file("summary.json");
  const CliRun run = run_cli(dir, "fit " + args + outputs);
  EXPECT_EQ(run.exit_code, 2) << args << "\nstderr: " << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << "one line expected, got: " << run.err;
  EXPECT_EQ(run.err.rfind("error: ", 0), 0U) << run.err;
  for (const std::string& piece : expected) EXPECT_NE(run.err.find(piece), std::string::npos) << run.err;
  for (const char* name : {"labels.txt", "centers.csv", "summary.json"}) {
    EXPECT_FALSE(std::filesystem::exists(dir.file(name))) << name << " written despite the error";
  }
  // No temporary files left behind either.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

constexpr const char* kGoodData = "1,2\n1.5,1.8\n5,8\n8,8\n1,0.6\n9,11\n";

TEST(CliBadInput, MissingFile) {
  TempDir dir;
  expect_fit_error(dir, dir.file("nope.csv") + " -k 2", {"nope.csv", "cannot open"});
}

TEST(CliBadInput, UnreadablePathIsADirectory) {
  // Tests run as root, who can read any file; a folder is the unreadable input we can make.
  TempDir dir;
  std::filesystem::create_directory(dir.file("folder.csv"));
  expect_fit_error(dir, dir.file("folder.csv") + " -k 2", {"folder.csv", "directory"});
}

TEST(CliBadInput, EmptyFile) {
  TempDir dir;
  write_all(dir.file("empty.csv"), "");
  expect_fit_error(dir, dir.file("empty.csv") + " -k 2", {"empty.csv", "empty"});
  write_all(dir.file("comments.csv"), "# only a comment\n\n");
  expect_fit_error(dir, dir.file("comments.csv") + " -k 2", {"comments.csv", "empty"});
}

TEST(CliBadInput, RaggedRows) {
  TempDir dir;
  write_all(dir.file("ragged.csv"), "1,2\n3,4\n5,6,7\n");
  expect_fit_error(dir, dir.file("ragged.csv") + " -k 2", {"ragged.csv:3:", "3 fields", "expected 2"});
}

TEST(CliBadInput, NonNumericField) {
  TempDir dir;
  write_all(dir.file("text.csv"), "1,2\n3,abc\n");
  expect_fit_error(dir, dir.file("text.csv") + " -k 2", {"text.csv:2:3:", "non-numeric", "abc"});
}

TEST(CliBadInput, NaNAndInf) {
  TempDir dir;
  write_all(dir.file("nan.txt"), "1 2\n3 4\n5 nan\n");
  expect_fit_error(dir, dir.file("nan.txt") + " -k 2", {"nan.txt:3:3:", "NaN or Inf"});
  write_all(dir.file("inf.csv"), "1,2\n-inf,4\n5,6\n");
  expect_fit_error(dir, dir.file("inf.csv") + " -k 2", {"inf.csv:2:1:", "NaN or Inf"});
}

TEST(CliBadInput, NaNInNpy) {
  TempDir dir;
  const std::vector<double> values = {1, 2, 3, std::nan(""), 5, 6};
  write_all(dir.file("nan.npy"), io::encode_matrix(MatrixView<double>(values.data(), 3, 2), io::Format::Npy));
  expect_fit_error(dir, dir.file("nan.npy") + " -k 2", {"nan.npy", "row 2, column 2", "NaN or Inf"});
}

TEST(CliBadInput, KBelowOne) {
  TempDir dir;
  write_all(dir.file("data.csv"), kGoodData);
  expect_fit_error(dir, dir.file("data.csv") + " -k 0", {"k must be at least 1"});
  expect_fit_error(dir, dir.file("data.csv") + " -k -3", {"k must be at least 1"});
}

TEST(CliBadInput, KAboveRowCount) {
  TempDir dir;
  write_all(dir.file("data.csv"), kGoodData);
  expect_fit_error(dir, dir.file("data.csv") + " -k 7", {"data.csv", "k = 7", "n_samples=6 should be >= n_clusters=7"});
}

TEST(CliBadInput, FewerDistinctPointsThanKIsAWarning) {
  TempDir dir;
  write_all(dir.file("dups.csv"), "1,1\n1,1\n2,2\n2,2\n");
  const CliRun run = run_cli(dir, "fit " + dir.file("dups.csv") + " -k 3 --centers " + dir.file("centers.csv"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.rfind("warning: ", 0), 0U) << run.err;
  EXPECT_NE(run.err.find("only 2 distinct rows"), std::string::npos) << run.err;
  const io::Dataset centers = io::load_matrix(dir.file("centers.csv"));
  EXPECT_EQ(centers.rows(), 3U);
}

TEST(CliBadInput, WeightsOfWrongLength) {
  TempDir dir;
  write_all(dir.file("data.csv"), kGoodData);
  write_all(dir.file("w.txt"), "1\n2\n3\n");
  expect_fit_error(dir, dir.file("data.csv") + " -k 2 --weights " + dir.file("w.txt"),
                   {"w.txt", "3 weights for 6 data rows"});
}

TEST(CliBadInput, NegativeWeights) {
  TempDir dir;
  write_all(dir.file("data.csv"), kGoodData);
  write_all(dir.file("w.txt"), "1\n2\n3\n-1\n1\n1\n");
  expect_fit_error(dir, dir.file("data.csv") + " -k 2 --weights " + dir.file("w.txt"),
                   {"w.txt", "weight 4 is negative"});
}

std::string npy_header(const std::string& dict) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header;
}

TEST(CliBadInput, NpyUnsupportedDtype) {
  TempDir dir;
  write_all(dir.file("c.npy"),
            npy_header("{'descr': '<c16', 'fortran_order': False, 'shape': (2, 1), }") + std::string(32, '\0'));
  expect_fit_error(dir, dir.file("c.npy") + " -k 1", {"c.npy", "unsupported NPY dtype '<c16'"});
  write_all(dir.file("be.npy"),
            npy_header("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 1), }") + std::string(16, '\0'));
  expect_fit_error(dir, dir.file("be.npy") + " -k 1", {"be.npy", "unsupported NPY dtype '>f8'"});
}

TEST(CliBadInput, NpyFortranOrder) {
  TempDir dir;
  write_all(dir.file("f.npy"),
            npy_header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }") + std::string(32, '\0'));
  expect_fit_error(dir, dir.file("f.npy") + " -k 1", {"f.npy", "Fortran"});
}

TEST(CliBadInput, NpyTruncated) {
  TempDir dir;
  const std::vector<double> values = {1, 2, 3, 4, 5, 6};
  std::string bytes = io::encode_matrix(MatrixView<double>(values.data(), 3, 2), io::Format::Npy);
  bytes.resize(bytes.size() - 5);
  write_all(dir.file("cut.npy"), bytes);
  expect_fit_error(dir, dir.file("cut.npy") + " -k 1", {"cut.npy", "truncated"});
}

TEST(CliBadInput, FvecsTruncated) {
  TempDir dir;
  std::string bytes;
  const std::int32_t d = 2;
  const float v[2] = {1.0f, 2.0f};
  for (int row = 0; row < 2; ++row) {
    bytes.append(reinterpret_cast<const char*>(&d), 4);
    bytes.append(reinterpret_cast<const char*>(v), 8);
  }
  bytes.resize(bytes.size() - 3);
  write_all(dir.file("cut.fvecs"), bytes);
  expect_fit_error(dir, dir.file("cut.fvecs") + " -k 1", {"cut.fvecs", "truncated"});
}

TEST(CliBadInput, InitCentersOfWrongShape) {
  TempDir dir;
  write_all(dir.file("data.csv"), kGoodData);
  write_all(dir.file("init.csv"), "1,2\n3,4\n5,6\n");
  expect_fit_error(dir, dir.file("data.csv") + " -k 2 --init " + dir.file("init.csv"),
                   {"init.csv", "shape 3 x 2", "expected k x d = 2 x 2"});
  write_all(dir.file("init3.csv"), "1,2,3\n3,4,5\n");
  expect_fit_error(dir, dir.file("data.csv") + " -k 2 --init " + dir.file("init3.csv"), {"init3.csv", "shape 2 x 3"});
}

TEST(CliBadInput, UnknownFlagsAndValues) {
  TempDir dir;
  write_all(dir.file("data.csv"), kGoodData);
  expect_fit_error(dir, dir.file("data.csv") + " -k 2 --bogus", {"--bogus"});
  expect_fit_error(dir, dir.file("data.csv") + " -k 2 --metric manhattan", {"manhattan"});
  expect_fit_error(dir, dir.file("data.csv") + " -k two", {"two"});
  const CliRun run = run_cli(dir, "frobnicate");
  EXPECT_EQ(run.exit_code, 2);
}

TEST(CliBadInput, OutputOverInputIsRefused) {
  TempDir dir;
  write_all(dir.file("data.csv"), kGoodData);
  const CliRun run = run_cli(dir, "fit " + dir.file("data.csv") + " -k 2 --labels " + dir.file("data.csv"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("refusing to overwrite the input"), std::string::npos) << run.err;
  EXPECT_EQ(read_all(dir.file("data.csv")), kGoodData);
}

TEST(Cli, HelpOnEveryCommand) {
  TempDir dir;
  for (const char* command : {"", "fit ", "predict ", "generate ", "generate blobs ", "demo "}) {
    const CliRun run = run_cli(dir, std::string(command) + "--help");
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_NE(run.out.find("Usage"), std::string::npos) << command << run.out;
  }
}

TEST(Cli, FitWritesOutputsAndPredictAgrees) {
  TempDir dir;
  const CliRun gen = run_cli(dir, "generate blobs --n 500 --d 3 --centers 4 --seed 1 -o " + dir.file("blobs.npy") +
                                      " --labels " + dir.file("truth.txt"));
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const CliRun fit =
      run_cli(dir, "fit " + dir.file("blobs.npy") + " -k 4 --seed 3 --verbose --labels " + dir.file("labels.npy") +
                       " --centers " + dir.file("centers.txt") + " --summary " + dir.file("summary.json"));
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_NE(fit.out.find("iteration   1  inertia"), std::string::npos) << fit.out;
  const std::vector<std::int64_t> labels = io::load_labels(dir.file("labels.npy"));
  ASSERT_EQ(labels.size(), 500U);
  const std::string summary = read_all(dir.file("summary.json"));
  for (const char* key : {"\"n\": 500", "\"d\": 3", "\"k\": 4", "\"inertia\"", "\"n_iter\"", "\"converged\"",
                          "\"seconds\"", "\"centers\"", "\"history\""}) {
    EXPECT_NE(summary.find(key), std::string::npos) << key;
  }
  const CliRun predicted = run_cli(dir, "predict " + dir.file("blobs.npy") + " --centers " + dir.file("centers.txt"));
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  std::istringstream lines(predicted.out);
  std::int64_t label = 0;
  std::size_t i = 0;
  while (lines >> label) {
    ASSERT_LT(i, labels.size());
    EXPECT_EQ(label, labels[i]) << "row " << i;
    ++i;
  }
  EXPECT_EQ(i, 500U);
}

TEST(Cli, SameSeedSameOutputWhateverTheThreads) {
  TempDir dir;
  ASSERT_EQ(run_cli(dir, "generate blobs --n 5000 --d 8 --centers 10 --seed 2 -o " + dir.file("b.npy")).exit_code, 0);
  ASSERT_EQ(run_cli(dir, "fit " + dir.file("b.npy") + " -k 10 --seed 5 --threads 1 --centers " + dir.file("c1.txt"))
                .exit_code,
            0);
  ASSERT_EQ(run_cli(dir, "fit " + dir.file("b.npy") + " -k 10 --seed 5 --threads 2 --centers " + dir.file("c2.txt"))
                .exit_code,
            0);
  EXPECT_EQ(read_all(dir.file("c1.txt")), read_all(dir.file("c2.txt")));
}

TEST(Cli, DemoWritesItsOutputs) {
  TempDir dir;
  const CliRun run = run_cli(dir, "demo -o " + dir.file("demo"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const char* name : {"data.csv", "labels.txt", "centers.csv", "summary.json", "true_centers.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.file("demo/") + name)) << name;
  }
  EXPECT_NE(run.out.find("centroid index"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace centrix

namespace centrix {
namespace {

TEST(CliMeanShift, ClustersAndWritesOutputs) {
  TempDir dir;
  ASSERT_EQ(
      run_cli(dir, "generate blobs --n 1000 --d 2 --centers 3 --std 0.5 --seed 4 -o " + dir.file("b.csv")).exit_code,
      0);
  const CliRun run =
      run_cli(dir, "meanshift " + dir.file("b.csv") + " --bandwidth 2 --bin-seeding --labels " + dir.file("l.txt") +
                       " --centers " + dir.file("c.csv") + " --summary " + dir.file("s.json"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(io::load_matrix(dir.file("c.csv")).rows(), 3U);
  EXPECT_EQ(io::load_labels(dir.file("l.txt")).size(), 1000U);
  EXPECT_NE(read_all(dir.file("s.json")).find("\"n_clusters\": 3"), std::string::npos);
}

void expect_mean_shift_error(const TempDir& dir, const std::string& args, const std::string& expected) {
  const CliRun run = run_cli(dir, "meanshift " + args + " --labels " + dir.file("l.txt"));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("l.txt")));
}

TEST(CliMeanShift, BadInputs) {
  TempDir dir;
  write_all(dir.file("d.csv"), "1,2\n1.5,1.8\n5,8\n");
  write_all(dir.file("one.csv"), "1,2\n");
  write_all(dir.file("same.csv"), "1,2\n1,2\n1,2\n");
  write_all(dir.file("nan.csv"), "1,2\nnan,1\n");
  expect_mean_shift_error(dir, dir.file("d.csv") + " --bandwidth 0", "--bandwidth must be > 0");
  expect_mean_shift_error(dir, dir.file("d.csv") + " --bandwidth -2", "--bandwidth must be > 0");
  expect_mean_shift_error(dir, dir.file("one.csv"), "bandwidth estimation needs at least 2 rows");
  expect_mean_shift_error(dir, dir.file("same.csv"), "estimated bandwidth is 0");
  expect_mean_shift_error(dir, dir.file("nan.csv") + " --bandwidth 1", "nan.csv:2:1:");
  expect_mean_shift_error(dir, dir.file("d.csv") + " --kernel epanechnikov", "epanechnikov");
}

}  // namespace
}  // namespace centrix
