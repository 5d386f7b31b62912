#include "doctor/facts.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/alternatives.h"
#include "common/multiarch.h"
#include "common/process.h"
#include "cpu/system_files.h"

extern char** environ;

namespace armory::doctor {

namespace fs = std::filesystem;

namespace {

// Runs inside each interpreter (Python 3.6 and later): never raises, prints one JSON object.
const char* const kProbeScript = R"PY(
import json, os, sys
out = {"version": "%d.%d.%d" % tuple(sys.version_info[:3]), "prefix": sys.prefix,
       "executable": os.path.realpath(sys.executable),
       "base_prefix": getattr(sys, "base_prefix", sys.prefix)}
missing = []
for name in ("ssl", "bz2", "lzma", "sqlite3", "ctypes", "zlib"):
    try:
        __import__(name)
    except Exception:
        missing.append(name)
out["missing_modules"] = missing
try:
    import numpy, numpy.linalg
    out["numpy"] = numpy.__version__
except Exception as e:
    out["numpy_error"] = str(e)[:200]
try:
    import scipy, scipy.linalg
    out["scipy"] = scipy.__version__
except Exception:
    pass
files = []
try:
    for line in open("/proc/self/maps"):
        parts = line.split()
        if len(parts) >= 6:
            base = os.path.basename(parts[-1])
            if (base.startswith("lib") and ("blas" in base or "lapack" in base or "mkl_rt" in base)
                    and parts[-1] not in files):
                files.append(parts[-1])
except Exception:
    pass
out["blas_files"] = files
try:
    import ctypes
    for path in files:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "armory_get_config"):
            out["armory_blas"] = True
        elif hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            out["openblas"] = {"corename": lib.openblas_get_corename().decode(),
                               "config": lib.openblas_get_config().decode(),
                               "threads": lib.openblas_get_num_threads()}
except Exception:
    pass
try:
    import torch
    out["torch"] = {"version": torch.__version__, "onednn": bool(torch.backends.mkldnn.is_available()),
                    "acl": "ACL" in torch.__config__.show()}
except Exception:
    pass
try:
    import importlib.util
    if importlib.util.find_spec("tensorflow") is not None:
        try:
            from importlib.metadata import version
            out["tensorflow"] = version("tensorflow")
        except Exception:
            out["tensorflow"] = "unknown version"
except Exception:
    pass
print(json.dumps(out))
)PY";

std::string today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &utc);
  return buffer;
}

std::string trimmed(std::string_view s) { return std::string(cpu::trim(s)); }

std::map<std::string, std::string> parse_environ(const std::string& text) {
  std::map<std::string, std::string> env;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos && eq > 0) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

std::map<std::string, std::string> live_environ() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

void read_os_release(const cpu::SystemFiles& files, Facts& facts) {
  auto text = files.read("/etc/os-release");
  if (!text) return;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) value = value.substr(1, value.size() - 2);
    if (key == "PRETTY_NAME") facts.os_pretty_name = value;
    if (key == "ID") facts.os_id = value;
  }
}

bool exists_below(const std::string& root, const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::path(root.empty() ? "/" : root) / path.substr(1), ec);
}

bool any_matching(const std::string& root, const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  const fs::path base = fs::path(root.empty() ? "/" : root) / dir.substr(1);
  for (fs::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

void detect_libc(const cpu::SystemFiles& files, Facts& facts) {
  if (!facts.root.empty()) {
    if (auto recorded = files.read_line("/armory-doctor/libc")) {
      facts.libc = trimmed(*recorded);
      return;
    }
  } else {
    char buffer[64] = {};
    if (confstr(_CS_GNU_LIBC_VERSION, buffer, sizeof buffer) > 0) {  // "glibc 2.36"
      facts.libc = buffer;
      return;
    }
  }
  if (any_matching(facts.root, "/lib", "ld-musl-")) {
    facts.libc = "musl";
  } else if (exists_below(facts.root, "/lib64/ld-linux-x86-64.so.2") ||
             exists_below(facts.root, "/lib/ld-linux-aarch64.so.1")) {
    facts.libc = "glibc";
  } else {
    facts.libc_unknown_reason = "neither a glibc nor a musl dynamic loader was found under /lib and /lib64";
  }
}

void detect_container(const cpu::SystemFiles& files, Facts& facts) {
  if (exists_below(facts.root, "/.dockerenv")) facts.container_evidence.push_back("/.dockerenv exists");
  if (exists_below(facts.root, "/run/.containerenv")) facts.container_evidence.push_back("/run/.containerenv exists");
  if (auto cgroup = files.read("/proc/1/cgroup")) {
    for (const char* word : {"docker", "kubepods", "containerd", "lxc", "libpod"}) {
      if (cgroup->find(word) != std::string::npos) {
        facts.container_evidence.push_back(std::string("/proc/1/cgroup mentions ") + word);
        break;
      }
    }
  }
}

// Interpreters on PATH and in the usual prefixes, each real file once.
std::vector<Interpreter> discover_interpreters(const std::map<std::string, std::string>& env) {
  std::vector<std::string> dirs;
  if (auto path = env.find("PATH"); path != env.end()) {
    std::istringstream parts(path->second);
    std::string dir;
    while (std::getline(parts, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  std::string home = env.count("HOME") ? env.at("HOME") : "";
  for (std::string dir : {std::string("/usr/bin"), std::string("/usr/local/bin"), std::string("/opt/conda/bin"),
                          home + "/miniconda3/bin", home + "/anaconda3/bin", home + "/.local/bin"}) {
    dirs.push_back(dir);
  }
  std::error_code ec;
  for (fs::directory_iterator it(home + "/.pyenv/versions", ec), end; !home.empty() && !ec && it != end;
       it.increment(ec)) {
    dirs.push_back((it->path() / "bin").string());
  }

  auto is_interpreter_name = [](const std::string& name) {
    if (name == "python3") return true;
    if (name.rfind("python3.", 0) != 0 || name.size() == 8) return false;
    return std::all_of(name.begin() + 8, name.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::vector<Interpreter> found;
  std::set<std::string> seen;
  bool first = true;
  for (const std::string& dir : dirs) {
    std::vector<fs::path> candidates;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (is_interpreter_name(it->path().filename().string())) candidates.push_back(it->path());
    }
    std::sort(candidates.begin(), candidates.end());
    // pyenv's versioned shims fail unless that version is selected; its `python3` shim runs the selected one.
    const bool shims = fs::path(dir).filename() == "shims";
    for (const fs::path& candidate : candidates) {
      if (shims && candidate.filename() != "python3") continue;
      const fs::path real = fs::canonical(candidate, ec);
      if (ec || access(candidate.c_str(), X_OK) != 0 || !seen.insert(real.string()).second) continue;
      Interpreter interpreter;
      interpreter.path = candidate.string();
      interpreter.first_on_path = first && candidate.filename() == "python3";
      if (interpreter.first_on_path) first = false;
      found.push_back(interpreter);
    }
  }
  return found;
}

void read_fixture_interpreters(const cpu::SystemFiles& files, Facts& facts) {
  auto text = files.read("/armory-doctor/interpreters.json");
  if (!text) {
    facts.interpreters_unknown_reason = "the fixture has no armory-doctor/interpreters.json";
    return;
  }
  const nlohmann::json list = nlohmann::json::parse(*text, nullptr, false);
  if (!list.is_array()) {
    facts.interpreters_unknown_reason = "armory-doctor/interpreters.json is not a JSON array";
    return;
  }
  for (const auto& entry : list) {
    const std::string path = entry.value("path", "");
    Interpreter interpreter;
    if (entry.contains("probe_error")) {
      interpreter.path = path;
      interpreter.probe_error = entry.value("probe_error", "");
    } else {
      interpreter = parse_probe_answer(path, entry.value("answer", nlohmann::json::object()).dump());
    }
    interpreter.first_on_path = entry.value("first_on_path", false);
    facts.interpreters.push_back(interpreter);
  }
}

void read_blas_alternative(const cpu::SystemFiles& files, Facts& facts) {
  if (!facts.root.empty()) {
    if (auto value = files.read_line("/armory-doctor/blas_alternative")) {
      facts.blas_alternative = trimmed(*value);
    } else {
      facts.blas_alternative_unknown_reason = "the fixture has no armory-doctor/blas_alternative";
    }
    return;
  }
  const AlternativeState state = query_alternative(std::string("libblas.so.3-") + kDebianMultiarch);
  if (state.registered) {
    facts.blas_alternative = state.value;
  } else {
    facts.blas_alternative_unknown_reason = "libblas.so.3: " + state.problem;
  }
}

}  // namespace

const char* probe_script() { return kProbeScript; }

Interpreter probe_interpreter(const std::string& path, double timeout_seconds) {
  Interpreter interpreter;
  interpreter.path = path;
  auto run = run_process({interpreter.path, "-c", kProbeScript}, timeout_seconds);
  if (!run.ok()) {
    interpreter.probe_error = run.status().message();
    return interpreter;
  }
  const std::string& output = run->output;
  const auto brace = output.rfind("\n{");
  const std::string json = output.substr(brace == std::string::npos ? 0 : brace + 1);
  if (run->exit_code != 0 || json.empty() || json.front() != '{') {
    interpreter.probe_error =
        "the probe failed (exit " + std::to_string(run->exit_code) + "): " + output.substr(0, 200);
    return interpreter;
  }
  return parse_probe_answer(interpreter.path, json);
}

std::string Interpreter::kind() const {
  if (path.find("/.pyenv/") != std::string::npos) return "pyenv";
  if (path.find("conda") != std::string::npos || prefix.find("conda") != std::string::npos) return "conda";
  if (!prefix.empty() && !base_prefix.empty() && prefix != base_prefix) return "venv";
  if (path.rfind("/usr/bin/", 0) == 0) return "system";
  if (path.rfind("/usr/local/", 0) == 0 || path.rfind("/opt/", 0) == 0) return "self-built";
  return "other";
}

Interpreter parse_probe_answer(const std::string& path, const std::string& json) {
  Interpreter i;
  i.path = path;
  const nlohmann::json a = nlohmann::json::parse(json, nullptr, false);
  if (!a.is_object()) {
    i.probe_error = "the probe's answer is not a JSON object";
    return i;
  }
  i.version = a.value("version", "");
  if (std::sscanf(i.version.c_str(), "%d.%d", &i.major, &i.minor) != 2) {
    i.probe_error = "the probe did not report a version";
  }
  i.executable = a.value("executable", "");
  i.prefix = a.value("prefix", "");
  i.base_prefix = a.value("base_prefix", i.prefix);
  if (a.contains("missing_modules") && a["missing_modules"].is_array()) {
    for (const auto& m : a["missing_modules"]) {
      if (m.is_string()) i.missing_modules.push_back(m.get<std::string>());
    }
  }
  i.numpy_version = a.value("numpy", "");
  i.scipy_version = a.value("scipy", "");
  if (a.contains("blas_files") && a["blas_files"].is_array()) {
    for (const auto& f : a["blas_files"]) {
      if (f.is_string()) i.blas_files.push_back(f.get<std::string>());
    }
  }
  i.armory_blas_loaded = a.value("armory_blas", false);
  if (a.contains("openblas") && a["openblas"].is_object()) {
    const auto& o = a["openblas"];
    i.openblas_loaded = true;
    i.openblas_corename = o.value("corename", "");
    i.openblas_config = o.value("config", "");
    i.openblas_threads = o.value("threads", 0);
  }
  if (a.contains("torch") && a["torch"].is_object()) {
    const auto& t = a["torch"];
    i.torch_version = t.value("version", "");
    i.torch_onednn = t.value("onednn", false);
    i.torch_acl = t.value("acl", false);
  }
  i.tensorflow_version = a.value("tensorflow", "");
  return i;
}

// The allocators PyTorch's CPU tuning guides recommend, where Debian (libtcmalloc-minimal4, libgoogle-
// perftools4, libjemalloc2) and most distributions put them.
void find_caching_allocators(const std::string& root, Facts& facts) {
  const std::string dirs[] = {std::string("/usr/lib/") + kDebianMultiarch, "/usr/lib64", "/usr/lib"};
  for (const std::string& dir : dirs) {
    for (const char* name : {"libtcmalloc_minimal.so.4", "libtcmalloc.so.4", "libjemalloc.so.2"}) {
      const std::string path = dir + "/" + name;
      std::error_code ignored;
      if (std::filesystem::exists(root + path, ignored)) facts.caching_allocators.push_back(path);
    }
  }
}

Facts gather(const std::string& root) {
  Facts facts;
  facts.root = root;
  const cpu::SystemFiles files(root.empty() ? "" : root);
  if (root.empty()) {
    facts.date = today();
    facts.cpu = host_cpu();
    facts.environ = live_environ();
  } else {
    auto date = files.read_line("/armory-doctor/date");
    facts.date = date ? trimmed(*date) : today();
    auto cpu = detect_cpu_from_root(root);
    if (cpu.ok()) {
      facts.cpu = cpu.value();
    } else {
      facts.cpu.notes.push_back(cpu.status().message());
    }
    if (auto env = files.read("/armory-doctor/environ")) facts.environ = parse_environ(*env);
  }
  read_os_release(files, facts);
  detect_libc(files, facts);
  detect_container(files, facts);
  if (root.empty()) {
    // Several files (a shim, a symlink, a versioned name) can run the same interpreter: keep it once.
    std::set<std::string> executables;
    for (const Interpreter& candidate : discover_interpreters(facts.environ)) {
      Interpreter probed = probe_interpreter(candidate.path);
      probed.first_on_path = candidate.first_on_path;
      if (!probed.executable.empty() && !executables.insert(probed.executable).second) continue;
      facts.interpreters.push_back(probed);
    }
    if (facts.interpreters.empty()) facts.interpreters_unknown_reason = "no python3 on PATH or in the usual prefixes";
  } else {
    read_fixture_interpreters(files, facts);
  }
  read_blas_alternative(files, facts);
  find_caching_allocators(root, facts);
  return facts;
}

}  // namespace armory::doctor
