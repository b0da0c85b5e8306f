// `centrix fit --mini-batch`: outputs, reproducibility, and one-line errors with exit code 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "centrix/io.hpp"
#include "cli_util.hpp"
#include "test_util.hpp"

namespace centrix {
namespace {

using testing::CliRun;
using testing::read_all;
using testing::run_cli;
using testing::TempDir;

/// Generates blobs into dir/b.npy.
void make_blobs(const TempDir& dir, const std::string& extra = "") {
  const CliRun gen = run_cli(dir, "generate blobs --n 3000 --d 4 --centers 5 --seed 1 -o " + dir.file("b.npy") + extra);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
}

TEST(CliMiniBatch, WritesLabelsCentersAndSummary) {
  TempDir dir;
  make_blobs(dir);
  const CliRun fit =
      run_cli(dir, "fit " + dir.file("b.npy") + " -k 5 --mini-batch 256 --seed 3 --labels " + dir.file("labels.npy") +
                       " --centers " + dir.file("centers.csv") + " --summary " + dir.file("summary.json"));
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_NE(fit.out.find("mini-batch k-means: 3000 x 4"), std::string::npos) << fit.out;
  EXPECT_EQ(io::load_labels(dir.file("labels.npy")).size(), 3000U);
  const io::Dataset centers = io::load_matrix(dir.file("centers.csv"), {});
  EXPECT_EQ(centers.rows(), 5U);
  EXPECT_EQ(centers.cols(), 4U);
  const std::string summary = read_all(dir.file("summary.json"));
  for (const char* key : {"\"algorithm\": \"mini-batch\"", "\"batch_size\": 256", "\"n_steps\"", "\"n_iter\"",
                          "\"inertia\"", "\"ewa_inertia\"", "\"max_iter\": 100", "\"tol\": 0.0"}) {
    EXPECT_NE(summary.find(key), std::string::npos) << key << "\n" << summary;
  }
  // The labels are the nearest of the written centers.
  const CliRun predicted = run_cli(dir, "predict " + dir.file("b.npy") + " --centers " + dir.file("centers.csv") +
                                            " --labels " + dir.file("again.npy"));
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  EXPECT_EQ(io::load_labels(dir.file("again.npy")), io::load_labels(dir.file("labels.npy")));
}

TEST(CliMiniBatch, SameSeedSameCentersWhateverTheThreads) {
  TempDir dir;
  make_blobs(dir);
  for (const char* threads : {"1", "2"}) {
    const CliRun fit =
        run_cli(dir, "fit " + dir.file("b.npy") + " -k 5 --mini-batch 100 --max-no-improvement none --max-iter 2 " +
                         "--reassignment-ratio 0.1 --init-size 500 --seed 7 --threads " + threads + " --centers " +
                         dir.file(std::string("c") + threads + ".txt"));
    ASSERT_EQ(fit.exit_code, 0) << fit.err;
    EXPECT_NE(fit.out.find("after 60 steps, 2 epochs"), std::string::npos) << fit.out;
  }
  EXPECT_EQ(read_all(dir.file("c1.txt")), read_all(dir.file("c2.txt")));
}

/// A mini-batch fit that must fail: exit 2, one line on stderr holding `expected`, no output written.
void expect_error(const TempDir& dir, const std::string& args, const std::string& expected) {
  const CliRun run = run_cli(dir, "fit " + dir.file("b.npy") + " -k 5 " + args + " --labels " + dir.file("labels.txt") +
                                      " --centers " + dir.file("centers.csv"));
  EXPECT_EQ(run.exit_code, 2) << args << "\nstderr: " << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << "one line expected, got: " << run.err;
  EXPECT_EQ(run.err.rfind("error: ", 0), 0U) << run.err;
  EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("labels.txt")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("centers.csv")));
}

TEST(CliMiniBatch, BadValuesExitWithOneLine) {
  TempDir dir;
  make_blobs(dir);
  expect_error(dir, "--mini-batch 0", "batch_size must be at least 1 (got 0)");
  expect_error(dir, "--mini-batch abc", "--mini-batch");
  expect_error(dir, "--mini-batch 64 --reassignment-ratio -1", "reassignment_ratio must be a finite number >= 0");
  expect_error(dir, "--mini-batch 64 --max-no-improvement -2", "max_no_improvement must be >= 0 (got -2)");
  expect_error(dir, "--mini-batch 64 --max-no-improvement soon", "--max-no-improvement 'soon'");
  expect_error(dir, "--mini-batch 64 --init-size -5", "init_size must be >= 0");
}

}  // namespace
}  // namespace centrix
