// `armory blas status|enable|disable`: armory's libblas.so.3 and liblapack.so.3 as the system's BLAS and
// LAPACK through Debian's alternatives, and what numpy really loads.
#include "cli/commands.h"
#include "common/alternatives.h"
#include "common/multiarch.h"
#include "common/process.h"
#include "doctor/facts.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace armory::cli {

namespace {

namespace fs = std::filesystem;

// One of the two libraries armory provides, as Debian's alternatives system knows it.
struct Library {
  std::string file;    // libblas.so.3
  std::string marker;  // an exported symbol only armory's build of it has
  std::string name() const { return file + "-" + kDebianMultiarch; }
  std::string link() const { return std::string("/usr/lib/") + kDebianMultiarch + "/" + file; }
};
const std::vector<Library>& libraries() {
  static const std::vector<Library> list = {{"libblas.so.3", "armory_get_config"},
                                            {"liblapack.so.3", "armory_lapack_provider"}};
  return list;
}

struct BlasOptions {
  std::string root;                         // alternatives and install under this root (tests)
  std::string prefix = "/usr/local";        // install to <prefix>/lib/armory
  std::string from = ARMORY_BUILD_LIB_DIR;  // where the build put the libraries
  int priority = 50;
  bool json = false;
};

std::string install_dir(const BlasOptions& o) { return o.prefix + "/lib/armory"; }
std::string on_disk(const BlasOptions& o, const std::string& path) { return o.root + path; }

// Whether a library file is armory's: its dynamic string table names one of the marker symbols. The file
// is read once whatever the number of markers.
bool is_armory_file(const std::string& path, const std::vector<std::string>& markers) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return std::any_of(markers.begin(), markers.end(),
                     [&](const std::string& marker) { return bytes.find(marker + '\0') != std::string::npos; });
}

std::vector<std::string> alternatives_command(const BlasOptions& o) {
  std::vector<std::string> argv = {"update-alternatives"};
  if (!o.root.empty()) argv.insert(argv.end(), {"--root", o.root});
  return argv;
}

int status_command(const BlasOptions& o) {
  nlohmann::json report;
  std::string text;
  for (const Library& lib : libraries()) {
    const AlternativeState state = query_alternative(lib.name(), o.root);
    const bool armory = state.registered && is_armory_file(on_disk(o, state.value), {lib.marker});
    report["alternatives"][lib.file] = {{"name", lib.name()},  {"registered", state.registered},
                                        {"mode", state.mode},  {"value", state.value},
                                        {"is_armory", armory}, {"problem", state.problem}};
    text += "  " + lib.link() + " -> " + (state.registered ? state.value + " (" + state.mode + ")" : state.problem) +
            (armory ? "  [armory]" : "") + "\n";
  }
  // What numpy really uses: the files a fresh /usr/bin/python3 maps after importing it (the doctor's probe).
  const doctor::Interpreter python = doctor::probe_interpreter("/usr/bin/python3");
  if (python.probe_error.empty() && !python.numpy_version.empty()) {
    report["numpy"]["version"] = python.numpy_version;
    text += "numpy " + python.numpy_version + " (/usr/bin/python3) loads:\n";
    nlohmann::json files = nlohmann::json::array();
    std::vector<std::string> markers;
    for (const Library& lib : libraries()) markers.push_back(lib.marker);
    bool any_armory = false;
    for (const std::string& path : python.blas_files) {
      const bool armory = is_armory_file(path, markers);
      any_armory = any_armory || armory;
      files.push_back({{"path", path}, {"is_armory", armory}});
      text += "  " + path + (armory ? "  [armory]" : "") + "\n";
    }
    report["numpy"]["libraries"] = files;
    report["numpy"]["uses_armory"] = any_armory;
    text += any_armory ? "numpy uses armory.\n" : "numpy does not use armory (enable it with: armory blas enable).\n";
  } else {
    const std::string why = python.probe_error.empty() ? "/usr/bin/python3 could not import numpy" : python.probe_error;
    report["numpy"]["problem"] = why;
    text += "numpy: unknown (" + why + ")\n";
  }
  if (o.json) {
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    std::printf("BLAS/LAPACK alternatives:\n%s", text.c_str());
  }
  return 0;
}

// Copies through a temporary name and renames, so a process loading the library never sees half a file.
Status install_file(const fs::path& from, const fs::path& to) {
  auto failed = [](const std::string& what, const std::error_code& ec) {
    return error(Errc::io_error, what + ": " + ec.message() +
                                     (ec == std::errc::permission_denied ? " (run as root, or pass --prefix)" : ""));
  };
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) return failed("cannot create " + to.parent_path().string(), ec);
  const fs::path temporary = to.string() + ".armory-new";
  fs::copy_file(from, temporary, fs::copy_options::overwrite_existing, ec);
  if (ec) return failed("cannot copy " + from.string() + " to " + temporary.string(), ec);
  fs::permissions(temporary,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read, ec);
  fs::rename(temporary, to, ec);
  if (ec) return failed("cannot rename " + temporary.string(), ec);
  return {};
}

int fail(const std::string& message) {
  std::fprintf(stderr, "armory blas: %s\n", message.c_str());
  return 1;
}

// Everything checked before anything is copied or switched: a library that is not armory's (--from
// pointed at OpenBLAS's directory installed it as armory's, and status then denied it was armory).
Status check_libraries_to_install(const BlasOptions& o) {
  for (const Library& lib : libraries()) {
    const fs::path path = fs::path(o.from) / lib.file;
    if (!fs::exists(path)) {
      return error(Errc::not_found,
                   path.string() + " not found: build armory first (bash scripts/build.sh native) or pass --from DIR");
    }
    if (!is_armory_file(path.string(), {lib.marker})) {
      return error(Errc::invalid_argument, path.string() + " is not armory's " + lib.file + " (it does not export " +
                                               lib.marker + "); pass --from the directory armory's build puts it in (" +
                                               ARMORY_BUILD_LIB_DIR + ")");
    }
  }
  return {};
}

int enable_command(const BlasOptions& o) {
  if (Status s = check_libraries_to_install(o); !s.ok()) return fail(s.message());
  for (const Library& lib : libraries()) {
    const std::string target = install_dir(o) + "/" + lib.file;
    if (Status s = install_file(fs::path(o.from) / lib.file, on_disk(o, target)); !s.ok()) return fail(s.message());
  }
  std::string switched;  // the links this run already switched, named when a later one fails
  for (const Library& lib : libraries()) {
    const std::string target = install_dir(o) + "/" + lib.file;
    auto install = alternatives_command(o);
    install.insert(install.end(), {"--install", lib.link(), lib.name(), target, std::to_string(o.priority)});
    auto set = alternatives_command(o);
    set.insert(set.end(), {"--set", lib.name(), target});
    for (const auto& argv : {install, set}) {
      auto run = run_process(argv);
      std::string why;
      if (!run.ok()) {
        why = run.status().message() + " (update-alternatives comes with dpkg)";
      } else if (run->exit_code != 0) {
        why = "update-alternatives failed: " + run->output;
      }
      if (!why.empty()) {
        return fail(why + (switched.empty()
                               ? ""
                               : "\n" + switched + " was switched to armory; undo with: armory blas disable"));
      }
    }
    switched += (switched.empty() ? "" : ", ") + lib.link();
    std::printf("%s -> %s (armory)\n", lib.link().c_str(), target.c_str());
  }
  std::printf("armory is now the system BLAS and LAPACK. Undo with: armory blas disable\n");
  return 0;
}

int disable_command(const BlasOptions& o) {
  for (const Library& lib : libraries()) {
    const std::string target = install_dir(o) + "/" + lib.file;
    auto remove = alternatives_command(o);
    remove.insert(remove.end(), {"--remove", lib.name(), target});
    auto run = run_process(remove);
    if (!run.ok()) return fail(run.status().message());
    // Exit 0 also when armory was not registered; anything else is a real failure.
    if (run->exit_code != 0) return fail("update-alternatives failed: " + run->output);
    std::error_code ec;
    fs::remove(on_disk(o, target), ec);
    const AlternativeState now = query_alternative(lib.name(), o.root);
    std::printf("%s -> %s\n", lib.link().c_str(), now.registered ? now.value.c_str() : "(no alternative left)");
  }
  std::error_code ec;
  fs::remove(on_disk(o, install_dir(o)), ec);  // only if empty
  return 0;
}

}  // namespace

Command add_blas_command(CLI::App& app) {
  auto options = std::make_shared<BlasOptions>();
  CLI::App* blas =
      app.add_subcommand("blas", "Use armory as the system BLAS/LAPACK (numpy, scipy) or check which one is used");
  blas->require_subcommand(1);
  // update-alternatives takes absolute paths only, and the files live at root + prefix: a relative prefix
  // copied the libraries beside the root ("/tmp/rootrel/lib") before update-alternatives refused it.
  const CLI::Validator absolute(
      [](std::string& value) {
        return fs::path(value).is_absolute() ? std::string() : value + " is not an absolute path";
      },
      "ABSOLUTE PATH");
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--root", options->root, "Alternatives and files under this root directory (for tests)")
        ->check(absolute);
    sub->add_option("--prefix", options->prefix, "Install the libraries to PREFIX/lib/armory")
        ->capture_default_str()
        ->check(absolute);
  };
  CLI::App* status = blas->add_subcommand("status", "Show the BLAS/LAPACK alternatives and what numpy really loads");
  add_common(status);
  status->add_flag("--json", options->json, "Print JSON");
  CLI::App* enable = blas->add_subcommand("enable", "Install armory's libblas.so.3/liblapack.so.3 and switch to them");
  add_common(enable);
  enable->add_option("--from", options->from, "Directory with the built libraries")->capture_default_str();
  enable->add_option("--priority", options->priority, "Alternatives priority")->capture_default_str();
  CLI::App* disable = blas->add_subcommand("disable", "Switch back and remove armory's libraries");
  add_common(disable);
  return [options, status, enable, disable]() -> int {
    if (*status) return status_command(*options);
    if (*enable) return enable_command(*options);
    if (*disable) return disable_command(*options);
    return 2;
  };
}

}  // namespace armory::cli
