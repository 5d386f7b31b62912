// `armory bench [--suite gemm,svd,resnet50] [--full] [--filter TEXT...] [--threads 1,2] [--repeat N]
// [--json FILE] [--db PATH | --no-db] [--report FILE | --no-report] [--list]`: the workload suite, armory
// beside the peers on this machine; every result stored in the database as it is measured, then the report.
#include <armory/cpu.h>
#include <armory/gemm.h>
#include <armory/isa.h>
#include <armory/version.h>

#include "bench/report.h"
#include "bench/runner.h"
#include "bench/store.h"
#include "bench/suites.h"
#include "cli/commands.h"
#include "cli/output_file.h"

#include <nlohmann/json.hpp>

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

namespace armory::cli {

namespace {

struct BenchOptions {
  std::vector<std::string> suites;
  bool full = false;
  std::vector<std::string> filters;
  std::vector<int> threads = {1, 2};
  int repeat = 5;
  std::string json;
  std::string db;
  bool no_db = false;
  std::string report;
  bool no_report = false;
  bool list = false;
  std::string command_line;
};

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "";
}

bench::RunInfo machine_facts(const bench::Plan& plan, const std::string& command) {
  const CpuInfo& cpu = host_cpu();
  const auto& build = build_info();
  bench::RunInfo info;
  info.host = bench::local_host_name();
  info.cpu_model = cpu.model_name;
  info.uarch = cpu.uarch;
  info.isa = dispatched_isa_name();
  info.cores = cpu.usable_cores;
  info.kernel = kernel_release();
  info.armory_version = build.version;
  info.git_commit = build.git_commit;
  info.dispatch = gemm_dispatch_summary();
  info.libraries = nlohmann::json(plan.libraries).dump();
  info.command = command;
  return info;
}

void on_signal(int) { bench::request_stop(); }

int run_bench(const BenchOptions& o) {
  bench::SuiteOptions so;
  if (!o.suites.empty()) so.suites = o.suites;
  for (const auto& s : so.suites) {
    if (std::find(bench::kSuiteNames.begin(), bench::kSuiteNames.end(), s) == bench::kSuiteNames.end()) {
      std::fprintf(stderr, "armory bench: unknown suite '%s' (gemm, svd, resnet50)\n", s.c_str());
      return 2;
    }
  }
  // armory caps its threads at the cores this process may use; a peer asked for more oversubscribes them,
  // and the two would be compared at different thread counts under one label.
  const int usable_cores = host_cpu().usable_cores;
  for (int t : o.threads) {
    if (t > usable_cores) {
      std::fprintf(stderr, "armory bench: --threads %d is more than the %d cores this process may use\n", t,
                   usable_cores);
      return 2;
    }
  }
  so.full = o.full;
  so.filters = o.filters;
  so.threads = o.threads;
  so.repeat = o.repeat;
  const std::string db_path = o.db.empty() ? bench::Store::default_path() : o.db;
  so.model_dir = (std::filesystem::path(db_path).parent_path() / "models").string();
  bench::Plan plan = bench::make_plan(so);
  double estimate = 0;
  for (const auto& j : plan.jobs) estimate += j.estimate_seconds;

  if (o.list) {
    for (const auto& j : plan.jobs) {
      std::printf("%s/%s t=%d %s\n", j.spec.suite.c_str(), j.spec.name.c_str(), j.spec.threads, j.spec.library.c_str());
    }
    std::printf("%zu jobs, about %s\n", plan.jobs.size(), bench::format_duration(estimate).c_str());
    return 0;
  }
  if (plan.jobs.empty()) {
    std::fprintf(stderr, "armory bench: no job matches the suites and filters; --list shows them\n");
    return 2;
  }
  // Told now, not after the minutes of measuring they would hold. The default report goes beside the
  // database, whose folder opening the store makes.
  for (const std::string* output : {&o.json, o.no_db || o.no_report ? nullptr : &o.report}) {
    if (output == nullptr || output->empty()) continue;
    if (Status writable = check_writable(*output); !writable) {
      std::fprintf(stderr, "armory bench: %s\n", writable.message().c_str());
      return 2;
    }
  }
  const CpuInfo& cpu = host_cpu();
  std::printf("armory bench: %zu jobs (%s), about %s on this machine%s\n", plan.jobs.size(),
              [&] {
                std::string s;
                for (const auto& name : so.suites) s += (s.empty() ? "" : ", ") + name;
                return s;
              }().c_str(),
              bench::format_duration(estimate).c_str(), o.full ? "" : " (--full adds the long sizes)");
  std::printf("machine: %s (%s), %d usable cores, armory %s dispatching %s\n", cpu.model_name.c_str(), cpu.uarch.c_str(),
              cpu.usable_cores, build_info().version, dispatched_isa_name().c_str());
  for (const auto& [name, version] : plan.libraries) {
    if (version.rfind("missing", 0) == 0) std::printf("peer %s (skipped)\n", version.c_str());
  }
  std::fflush(stdout);

  std::unique_ptr<bench::Store> store;
  int64_t run_id = 0;
  if (!o.no_db) {
    auto opened = bench::Store::open(db_path);
    if (!opened) {
      std::fprintf(stderr, "armory bench: %s\n", opened.status().message().c_str());
      return 1;
    }
    store = std::make_unique<bench::Store>(std::move(opened.value()));
  }
  bench::fill_peaks(plan);
  if (store) {
    auto id = store->begin_run(machine_facts(plan, o.command_line));
    if (!id) {
      std::fprintf(stderr, "armory bench: %s\n", id.status().message().c_str());
      return 1;
    }
    run_id = id.value();
    std::printf("run %lld, stored in %s\n", static_cast<long long>(run_id), db_path.c_str());
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  bench::RunOutcome outcome = bench::run_plan(plan, store.get(), run_id, stdout, isatty(fileno(stdout)) != 0);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (store) store->finish_run(run_id, outcome.interrupted ? "interrupted" : "complete");

  std::printf("\n%zu results, %zu jobs skipped%s\n", outcome.results.size(), outcome.skipped.size(),
              outcome.interrupted ? ", stopped before the end" : "");
  std::fputs(bench::ratio_summary(outcome.results).c_str(), stdout);

  int exit_code = 0;
  if (!o.json.empty()) {
    nlohmann::json context = {{"executable", "armory bench"}, {"cpu", cpu.model_name}, {"uarch", cpu.uarch},
                              {"num_cpus", cpu.usable_cores}, {"armory_version", build_info().version},
                              {"armory_commit", build_info().git_commit}, {"isa", dispatched_isa_name()},
                              {"libraries", plan.libraries}, {"run_id", run_id}};
    if (Status written = write_file(o.json, bench::to_benchmark_json(outcome.results, context.dump())); !written) {
      std::fprintf(stderr, "armory bench: %s (the results are %s)\n", written.message().c_str(),
                   store ? "in the database" : "printed above");
      exit_code = 1;
    } else {
      std::printf("JSON: %s\n", o.json.c_str());
    }
  }
  if (store && !o.no_report) {
    std::string path = o.report.empty()
                           ? (std::filesystem::path(db_path).parent_path() / ("report-" + std::to_string(run_id) + ".html")).string()
                           : o.report;
    auto html = bench::render_report(*store, run_id, 0);
    if (!html) {
      std::fprintf(stderr, "armory bench: report: %s\n", html.status().message().c_str());
      return 1;
    }
    if (Status written = write_file(path, html.value()); !written) {
      std::fprintf(stderr, "armory bench: %s\n", written.message().c_str());
      return 1;
    }
    std::printf("report: %s\n", path.c_str());
  }
  return outcome.interrupted ? 130 : exit_code;
}

}  // namespace

Command add_bench_command(CLI::App& app, const std::string& command_line) {
  auto o = std::make_shared<BenchOptions>();
  o->command_line = command_line;
  CLI::App* cmd = app.add_subcommand("bench", "GEMM, SVD and ResNet50 on armory beside the peers on this machine");
  cmd->add_option("--suite", o->suites, "suites to run: gemm, svd, resnet50 (default all)")->delimiter(',');
  cmd->add_flag("--full", o->full, "the long sizes too (GEMM n = 4096, SVD 4096 and 10000x500)");
  cmd->add_option("--filter", o->filters, "only jobs whose suite/case/library contains this text (repeatable: any)");
  cmd->add_option("--threads", o->threads, "thread counts (default 1,2)")->delimiter(',')->check(at_least(1));
  cmd->add_option("--repeat", o->repeat, "samples per figure, median reported (default 5)")->check(CLI::Range(1, 1000));
  cmd->add_option("--json", o->json, "also write Google Benchmark-style JSON here");
  cmd->add_option("--db", o->db, "results database (default $ARMORY_BENCH_DB or ~/.local/share/armory/bench.db)");
  cmd->add_flag("--no-db", o->no_db, "do not store the results");
  cmd->add_option("--report", o->report, "write the HTML report here (default beside the database)");
  cmd->add_flag("--no-report", o->no_report, "do not write the HTML report");
  cmd->add_flag("--list", o->list, "print the jobs and the estimated time, run nothing");
  return [o] { return run_bench(*o); };
}

}  // namespace armory::cli
