// centrix: k-means clustering from the shell.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "centrix/error.hpp"
#include "common.hpp"

int main(int argc, char** argv) {
  using namespace centrix::cli;
  CLI::App app{"centrix: fast, exact k-means and mean-shift clustering"};
  app.name("centrix");
  app.require_subcommand(1);
  app.set_version_flag("--version", "centrix 0.1.0");
  const std::vector<Command> commands = {add_fit_command(app),   add_predict_command(app),  add_mean_shift_command(app),
                                         add_score_command(app), add_generate_command(app), add_demo_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << " (run 'centrix --help' for usage)\n";
    return kInputError;
  }
  try {
    for (const Command& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const centrix::Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kInputError;
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << '\n';
    return 1;
  }
  return kInputError;
}
