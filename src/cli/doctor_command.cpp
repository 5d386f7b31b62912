// `armory doctor [-v] [--json] [--root DIR]`: the machine checked against best practice, one line per
// finding with the fix under each warning and problem; exit status 1 when a problem was found.
#include <armory/doctor.h>

#include "cli/commands.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

namespace armory::cli {

namespace {

struct DoctorOptions {
  bool verbose = false;
  bool json = false;
  std::string root;
};

const char* mark(doctor::Level level) {
  switch (level) {
    case doctor::Level::ok:
      return "[✓]";
    case doctor::Level::warning:
      return "[!]";
    case doctor::Level::problem:
      return "[x]";
    case doctor::Level::unknown:
      return "[?]";
  }
  return "[?]";
}

const char* category_title(const std::string& category) {
  if (category == "cpu") return "CPU";
  if (category == "threads") return "Threads";
  if (category == "python") return "Python";
  if (category == "libc") return "libc";
  if (category == "numpy") return "NumPy/SciPy BLAS";
  if (category == "frameworks") return "PyTorch/TensorFlow";
  if (category == "allocator") return "Memory allocator";
  if (category == "armory") return "armory";
  return "Other";
}

void print_finding(const doctor::Finding& f, bool verbose, const char* indent) {
  if (f.level == doctor::Level::warning || f.level == doctor::Level::problem) {
    if (!f.why.empty()) std::printf("%s  why: %s\n", indent, f.why.c_str());
    if (!f.fix.empty()) std::printf("%s  fix: %s\n", indent, f.fix.c_str());
  }
  if (verbose) {
    for (const std::string& d : f.details) std::printf("%s  - %s\n", indent, d.c_str());
  }
}

// flutter-doctor style: one line per category with the worst mark; a category with one finding says it on
// that line, one with several lists those that need attention (all of them with -v) below it.
void print_text(const doctor::Report& report, bool verbose) {
  std::printf("armory doctor: %s, %s\n\n", report.machine.c_str(), report.date.c_str());
  std::vector<std::string> categories;
  for (const doctor::Finding& f : report.findings) {
    if (std::find(categories.begin(), categories.end(), f.category) == categories.end())
      categories.push_back(f.category);
  }
  for (const std::string& category : categories) {
    std::vector<const doctor::Finding*> items;
    doctor::Report part;
    for (const doctor::Finding& f : report.findings) {
      if (f.category == category) {
        items.push_back(&f);
        part.findings.push_back(f);
      }
    }
    if (items.size() == 1) {
      std::printf("%s %s: %s\n", mark(items[0]->level), category_title(category), items[0]->found.c_str());
      print_finding(*items[0], verbose, "    ");
      continue;
    }
    const int problems = part.count(doctor::Level::problem), warnings = part.count(doctor::Level::warning);
    std::printf("%s %s: %zu checked, %d problem%s, %d warning%s\n", mark(part.worst()), category_title(category),
                items.size(), problems, problems == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    for (const doctor::Finding* f : items) {
      if (f->level == doctor::Level::ok && !verbose) continue;
      std::printf("    %s %s\n", mark(f->level), f->found.c_str());
      print_finding(*f, verbose, "        ");
    }
  }
  const int problems = report.count(doctor::Level::problem), warnings = report.count(doctor::Level::warning);
  const int unknown = report.count(doctor::Level::unknown);
  if (problems + warnings + unknown == 0) {
    std::printf("\nNo issues found.\n");
  } else {
    std::printf("\nDoctor found %d problem%s, %d warning%s and %d unknown%s.%s\n", problems, problems == 1 ? "" : "s",
                warnings, warnings == 1 ? "" : "s", unknown, unknown == 1 ? "" : "s",
                verbose ? "" : " Run with -v for details.");
  }
}

int run_doctor(const DoctorOptions& options) {
  const doctor::Report report = doctor::run({options.root});
  if (options.json) {
    std::printf("%s\n", doctor::to_json(report).c_str());
  } else {
    print_text(report, options.verbose);
  }
  return report.worst() == doctor::Level::problem ? 1 : 0;
}

}  // namespace

Command add_doctor_command(CLI::App& app) {
  auto options = std::make_shared<DoctorOptions>();
  CLI::App* cmd = app.add_subcommand("doctor", "Check this machine against best practice for fast numerical Python");
  cmd->add_flag("-v,--verbose", options->verbose, "Show the details behind each finding");
  cmd->add_flag("--json", options->json, "Print the report as JSON");
  // A root that is not there was examined as an empty machine ("unknown CPU", "1 usable cores"), not refused
  // as `armory cpu --root` refuses it.
  cmd->add_option("--root", options->root, "Examine a fixture directory standing in for / (tests)")
      ->check(CLI::ExistingDirectory);
  return [options]() { return run_doctor(*options); };
}

}  // namespace armory::cli
