// `armory report [--run ID | --compare A B] [--db PATH] [--out FILE]` writes the HTML report of a run (the
// newest by default) or of two runs compared; `armory serve [--host H] [--port P] [--db PATH]` serves the
// same pages live with the JSON API and Prometheus metrics.
#include "bench/report.h"
#include "bench/server.h"
#include "bench/store.h"
#include "cli/commands.h"
#include "cli/output_file.h"

#include <cstdio>
#include <memory>

namespace armory::cli {

namespace {

struct ReportOptions {
  int64_t run = 0;
  std::vector<int64_t> compare;
  std::string db;
  std::string out = "armory-report.html";
};

int run_report(const ReportOptions& o) {
  auto store = bench::Store::open_existing(o.db.empty() ? bench::Store::default_path() : o.db);
  if (!store) {
    std::fprintf(stderr, "armory report: %s\n", store.status().message().c_str());
    return 1;
  }
  auto html = o.compare.size() == 2 ? bench::render_report(store.value(), o.compare[0], o.compare[1])
                                    : bench::render_report(store.value(), o.run, 0);
  if (!html) {
    std::fprintf(stderr, "armory report: %s\n", html.status().message().c_str());
    return 1;
  }
  if (Status written = write_file(o.out, html.value()); !written) {
    std::fprintf(stderr, "armory report: %s\n", written.message().c_str());
    return 1;
  }
  std::printf("report: %s\n", o.out.c_str());
  return 0;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Write the HTML report of a benchmark run, or compare two runs");
  auto* run = cmd->add_option("--run", o->run, "the run (default: the newest)")->check(at_least(1));
  cmd->add_option("--compare", o->compare, "two runs to compare: A B")->expected(2)->excludes(run);
  cmd->add_option("--db", o->db, "results database (default as armory bench)");
  cmd->add_option("--out", o->out, "the HTML file to write (default armory-report.html)");
  return [o] { return run_report(*o); };
}

Command add_serve_command(CLI::App& app) {
  auto o = std::make_shared<bench::ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the dashboard, /api/runs, /api/results and /metrics");
  cmd->add_option("--host", o->host, "address to listen on (default 127.0.0.1: loopback only)");
  cmd->add_option("--port", o->port, "port (default 8080)")->check(CLI::Range(1, 65535));
  cmd->add_option("--db", o->db, "results database (default as armory bench)");
  return [o] {
    Status s = bench::serve(*o, stdout);
    if (!s) {
      std::fprintf(stderr, "armory serve: %s\n", s.message().c_str());
      return 1;
    }
    return 0;
  };
}

}  // namespace armory::cli
