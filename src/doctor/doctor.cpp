#include <armory/doctor.h>

#include <nlohmann/json.hpp>

#include "doctor/checks.h"
#include "doctor/facts.h"

namespace armory::doctor {

const char* level_name(Level level) noexcept {
  switch (level) {
    case Level::ok:
      return "ok";
    case Level::warning:
      return "warning";
    case Level::problem:
      return "problem";
    case Level::unknown:
      return "unknown";
  }
  return "unknown";
}

Level Report::worst() const {
  auto rank = [](Level l) { return l == Level::problem ? 3 : l == Level::warning ? 2 : l == Level::unknown ? 1 : 0; };
  Level worst = Level::ok;
  for (const Finding& f : findings) {
    if (rank(f.level) > rank(worst)) worst = f.level;
  }
  return worst;
}

int Report::count(Level level) const {
  int n = 0;
  for (const Finding& f : findings) n += f.level == level;
  return n;
}

Report run(const Options& options) {
  const Facts facts = gather(options.root);
  Report report;
  report.date = facts.date;
  report.machine = facts.cpu.model_name.empty() ? "unknown CPU" : facts.cpu.model_name + " (" + facts.cpu.uarch + ")";
  for (auto check : {check_cpu, check_threads, check_python, check_libc, check_numpy, check_frameworks, check_allocator,
                     check_armory}) {
    check(facts, report.findings);
  }
  return report;
}

std::string to_json(const Report& report) {
  nlohmann::json j;
  j["date"] = report.date;
  j["machine"] = report.machine;
  j["worst"] = level_name(report.worst());
  for (Level level : {Level::ok, Level::warning, Level::problem, Level::unknown}) {
    j["counts"][level_name(level)] = report.count(level);
  }
  j["findings"] = nlohmann::json::array();
  for (const Finding& f : report.findings) {
    j["findings"].push_back({{"category", f.category},
                             {"subject", f.subject},
                             {"level", level_name(f.level)},
                             {"found", f.found},
                             {"why", f.why},
                             {"fix", f.fix},
                             {"details", f.details}});
  }
  return j.dump(2);
}

}  // namespace armory::doctor
