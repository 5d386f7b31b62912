// One function per `armory` subcommand: each registers its options on the CLI11 app and returns the
// callback that runs it. The exit code is the callback's return value.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace armory::cli {

using Command = std::function<int()>;

Command add_cpu_command(CLI::App& app);
Command add_blas_command(CLI::App& app);
Command add_doctor_command(CLI::App& app);
Command add_run_command(CLI::App& app);
// The workload suite (builds with SQLite only): bench, report, serve.
Command add_bench_command(CLI::App& app, const std::string& command_line);
Command add_report_command(CLI::App& app);
Command add_serve_command(CLI::App& app);

}  // namespace armory::cli
