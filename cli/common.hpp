// Pieces shared by the centrix subcommands.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "centrix/io.hpp"

namespace centrix::cli {

/// Exit status of every input or usage error.
inline constexpr int kInputError = 2;

/// Registers each subcommand's options on `app`; the returned callable runs it
/// once parsing succeeded.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

Command add_fit_command(CLI::App& root);
Command add_predict_command(CLI::App& root);
Command add_generate_command(CLI::App& root);
Command add_demo_command(CLI::App& root);
Command add_mean_shift_command(CLI::App& root);
Command add_score_command(CLI::App& root);

/// Input format and element type flags (--format, --dtype) shared by commands reading data.
struct DataFlags {
  std::string format = "auto";
  std::string dtype = "auto";
  void add_to(CLI::App& app);
  [[nodiscard]] io::LoadOptions load_options() const;
};

/// Prints a warning line to stderr.
void warn(const std::string& message);

/// Encodes labels for `path` (NPY or text by extension).
std::string encode_labels_for(const std::string& path, const std::vector<std::int32_t>& labels);
/// Encodes a matrix for `path` (NPY or text by extension, delimiter by extension).
template <class T>
std::string encode_matrix_for(const std::string& path, MatrixView<T> matrix);

}  // namespace centrix::cli
