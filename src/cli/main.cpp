#include <armory/version.h>

#include "cli/commands.h"

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  CLI::App app{"armory: fast GEMM, BLAS, SVD and inference for ARM and x86 servers"};
  app.require_subcommand(0, 1);
  const auto& build = armory::build_info();
  std::string version_line = std::string("armory ") + build.version + " (commit " + build.git_commit + ", " +
                             build.build_type + ", " + build.target_arch + ")";
  app.set_version_flag("--version", version_line);

  armory::cli::Command cpu = armory::cli::add_cpu_command(app);
  armory::cli::Command blas = armory::cli::add_blas_command(app);
  armory::cli::Command doctor = armory::cli::add_doctor_command(app);
  armory::cli::Command run = armory::cli::add_run_command(app);
#if defined(ARMORY_HAVE_WORKLOADS)
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  armory::cli::Command bench = armory::cli::add_bench_command(app, command_line);
  armory::cli::Command report = armory::cli::add_report_command(app);
  armory::cli::Command serve = armory::cli::add_serve_command(app);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // app.exit prints the message (or the help); a usage error exits 2, as the commands' own checks do,
    // rather than CLI11's 105-109.
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (app.got_subcommand("cpu")) return cpu();
  if (app.got_subcommand("blas")) return blas();
  if (app.got_subcommand("doctor")) return doctor();
  if (app.got_subcommand("run")) return run();
#if defined(ARMORY_HAVE_WORKLOADS)
  if (app.got_subcommand("bench")) return bench();
  if (app.got_subcommand("report")) return report();
  if (app.got_subcommand("serve")) return serve();
#endif
  std::fputs(app.help().c_str(), stdout);
  return 0;
}
