// One function per `armory` subcommand: each registers its options on the CLI11 app and returns the
// callback that runs it. The exit code is the callback's return value.
#pragma once

#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <string>

namespace armory::cli {

using Command = std::function<int()>;

// Integer options: "--threads: 0 is not an integer >= 1" rather than CLI11's PositiveNumber message, which
// prints the range up to the largest double.
inline CLI::Validator at_least(int least) {
  return CLI::Validator(
      [least](std::string& value) -> std::string {
        try {
          size_t used = 0;
          const long long n = std::stoll(value, &used);
          if (used == value.size() && n >= least) return {};
        } catch (const std::exception&) {
        }
        return value + " is not an integer >= " + std::to_string(least);
      },
      "INT>=" + std::to_string(least));
}

Command add_cpu_command(CLI::App& app);
Command add_blas_command(CLI::App& app);
Command add_doctor_command(CLI::App& app);
Command add_run_command(CLI::App& app);
// The workload suite (builds with SQLite only): bench, report, serve.
Command add_bench_command(CLI::App& app, const std::string& command_line);
Command add_report_command(CLI::App& app);
Command add_serve_command(CLI::App& app);

}  // namespace armory::cli
