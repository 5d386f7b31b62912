// `armory doctor`: checks a machine against the advice for fast numerical Python on Arm and x86 servers
// (CPU features, thread settings, Python versions, libc, which BLAS numpy really loads, oneDNN/BF16 in
// the frameworks) and gives the fix for each problem. The report is data: the CLI prints it, Python
// returns it.
#pragma once

#include <string>
#include <vector>

namespace armory::doctor {

enum class Level { ok, warning, problem, unknown };
const char* level_name(Level level) noexcept;  // "ok", "warning", "problem", "unknown"

struct Finding {
  std::string category;  // "cpu", "threads", "python", "libc", "numpy", "frameworks", "allocator", "armory"
  std::string subject;   // what was checked: "/usr/bin/python3.11", "OMP_NUM_THREADS", ...
  Level level = Level::ok;
  std::string found;                 // one line: what was found
  std::string why;                   // why it matters (warnings and problems)
  std::string fix;                   // the exact fix (warnings and problems)
  std::vector<std::string> details;  // shown with -v
};

struct Report {
  std::string date;     // the day end-of-life dates were judged against, YYYY-MM-DD
  std::string machine;  // one line: CPU model and microarchitecture
  std::vector<Finding> findings;
  Level worst() const;  // problem > warning > unknown > ok
  int count(Level level) const;
};

struct Options {
  // A directory standing in for "/" (proc, sys, etc/os-release, lib) plus armory-doctor/ with the answers
  // the live doctor gets by running programs (interpreters.json, environ, libc, blas_alternative, date).
  // Empty: the live machine.
  std::string root;
};

Report run(const Options& options);

// The report as JSON (date, machine, worst, counts per level, findings): what `armory doctor --json`
// prints and what Python's armory.doctor() returns, parsed.
std::string to_json(const Report& report);

}  // namespace armory::doctor
