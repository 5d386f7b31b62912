// What the doctor knows about a machine, gathered once: from the live system, or from a fixture root
// that stands in for it (see Options::root in include/armory/doctor.h).
#pragma once

#include <armory/cpu.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace armory::doctor {

// One Python interpreter's answers to the probe (a script run inside it).
struct Interpreter {
  std::string path;            // as found (PATH entry or a usual prefix)
  bool first_on_path = false;  // what `python3` runs
  std::string probe_error;     // non-empty: the interpreter could not be probed
  std::string executable;      // the real file sys.executable resolves to (interpreters are kept once by it)
  std::string version;         // "3.11.2"
  int major = 0, minor = 0;
  std::string prefix, base_prefix;
  std::vector<std::string> missing_modules;  // of ssl, bz2, lzma, sqlite3, ctypes, zlib
  std::string numpy_version, scipy_version;  // empty when not importable
  std::vector<std::string> blas_files;       // BLAS/LAPACK files mapped after importing numpy and scipy
  bool openblas_loaded = false;
  std::string openblas_corename, openblas_config;
  int openblas_threads = 0;
  bool armory_blas_loaded = false;
  std::string torch_version;  // empty when absent
  bool torch_onednn = false;  // torch.backends.mkldnn.is_available()
  bool torch_acl = false;     // built with the Arm Compute Library
  std::string tensorflow_version;
  std::string kind() const;  // "system", "pyenv", "conda", "venv", "self-built", "other"
};

struct Facts {
  std::string root;  // "" = live
  std::string date;  // YYYY-MM-DD
  CpuInfo cpu;
  std::map<std::string, std::string> environ;
  std::string os_pretty_name;  // from etc/os-release, "" when unreadable
  std::string os_id;
  std::string libc;  // "glibc 2.36", "musl", or "" when unknown
  std::string libc_unknown_reason;
  std::vector<std::string> container_evidence;  // why we think this is a container (empty: not one)
  std::vector<Interpreter> interpreters;
  std::string interpreters_unknown_reason;      // set when discovery itself failed
  std::optional<std::string> blas_alternative;  // what libblas.so.3 points at
  std::string blas_alternative_unknown_reason;
  std::vector<std::string> caching_allocators;  // tcmalloc / jemalloc libraries installed (paths below root)
};

Facts gather(const std::string& root);

// Runs the probe inside the interpreter at `path` (in this process's environment, LD_LIBRARY_PATH
// included). Failures are reported in probe_error, never thrown; so is an interpreter that has not answered
// within timeout_seconds (a wrapper waiting for input, an import that hangs), which is stopped: the doctor
// reports it and goes on. Importing numpy, scipy and PyTorch takes seconds.
inline constexpr double kProbeTimeoutSeconds = 60;
Interpreter probe_interpreter(const std::string& path, double timeout_seconds = kProbeTimeoutSeconds);

// The probe's JSON answer (one object) into an Interpreter; the path comes from the caller.
Interpreter parse_probe_answer(const std::string& path, const std::string& json);

// The script run inside each interpreter; prints one JSON object.
const char* probe_script();

}  // namespace armory::doctor
