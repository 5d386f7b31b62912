#include "doctor/checks.h"

#include <armory/gemm.h>
#include <armory/isa.h>
#include <armory/version.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "gemm/thread_pool.h"

namespace armory::doctor {

namespace {

Finding finding(const char* category, std::string subject, Level level, std::string found) {
  Finding f;
  f.category = category;
  f.subject = std::move(subject);
  f.level = level;
  f.found = std::move(found);
  return f;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string features_text(FeatureSet set) { return set.empty() ? "none" : set.to_string(); }

// Days from 0000-03-01, enough to compare and subtract dates.
long days(const std::string& date) {
  int y = 0, m = 0, d = 0;
  if (std::sscanf(date.c_str(), "%d-%d-%d", &y, &m, &d) != 3) return 0;
  if (m <= 2) {
    y -= 1;
    m += 12;
  }
  return 365L * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d;
}

bool is_reference_blas(const std::string& path) {
  // Debian's netlib reference BLAS/LAPACK live in .../blas/ and .../lapack/; others name themselves.
  return path.find("/blas/libblas.so") != std::string::npos || path.find("/lapack/liblapack.so") != std::string::npos;
}

// oneDNN's default floating-point math mode as the process would read it: ONEDNN_DEFAULT_FPMATH_MODE, else
// DNNL_DEFAULT_FPMATH_MODE, lowercased; strict, bf16, f16, tf32 and any are modes, anything else is ignored.
// bf16 and any let a CPU with BF16 multiply in bf16.
struct OneDnnFpmath {
  std::string variable;  // the one that was read; ONEDNN_DEFAULT_FPMATH_MODE when neither is set
  std::string setting;   // "NAME=value" as set, or "" when neither is set
  bool known = true;
  bool allows_bf16 = false;
};

OneDnnFpmath onednn_fpmath(const Facts& facts) {
  OneDnnFpmath mode{"ONEDNN_DEFAULT_FPMATH_MODE", "", true, false};
  for (const char* name : {"ONEDNN_DEFAULT_FPMATH_MODE", "DNNL_DEFAULT_FPMATH_MODE"}) {
    const auto it = facts.environ.find(name);
    if (it == facts.environ.end() || it->second.empty()) continue;  // oneDNN reads an empty one as unset
    std::string value = it->second;
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    mode.variable = name;
    mode.setting = std::string(name) + "=" + it->second;
    mode.known = value == "strict" || value == "bf16" || value == "f16" || value == "tf32" || value == "any";
    mode.allows_bf16 = value == "bf16" || value == "any";
    break;
  }
  return mode;
}

}  // namespace

std::string python_end_of_life(int major, int minor) {
  if (major == 2) return "2020-01-01";
  if (major != 3) return "";
  static const char* const kEndOfLife[] = {
      "2018-06-27",  // 3.0 .. 3.4 are long gone; 3.4's date stands for all of them
      "2018-06-27", "2018-06-27", "2018-06-27", "2019-03-18",
      "2020-09-30",  // 3.5
      "2021-12-23",  // 3.6
      "2023-06-27",  // 3.7
      "2024-10-07",  // 3.8
      "2025-10-31",  // 3.9
      "2026-10-31",  // 3.10
      "2027-10-31",  // 3.11
      "2028-10-31",  // 3.12
      "2029-10-31",  // 3.13
      "2030-10-31",  // 3.14
  };
  if (minor < 0 || minor >= static_cast<int>(std::size(kEndOfLife))) return "";
  return kEndOfLife[minor];
}

void check_cpu(const Facts& facts, std::vector<Finding>& out) {
  const CpuInfo& cpu = facts.cpu;
  if (cpu.arch == Arch::unknown) {
    Finding f = finding("cpu", "cpu", Level::unknown, "the CPU could not be identified");
    f.details = cpu.notes;
    out.push_back(f);
    return;
  }
  const FeatureSet matters =
      cpu.arch == Arch::x86_64 ? FeatureSet{Feature::avx2,        Feature::fma,      Feature::avx512f,
                                            Feature::avx512_bf16, Feature::amx_tile, Feature::amx_bf16}
                               : FeatureSet{Feature::asimd, Feature::sve, Feature::sve2, Feature::bf16, Feature::i8mm};
  std::string found = cpu.model_name + " (" + cpu.uarch + "): " + features_text(cpu.features & matters);
  if (cpu.features.has(Feature::sve)) found += ", SVE " + std::to_string(cpu.sve_vector_bits) + "-bit";
  const FeatureSet hidden = cpu.hidden_features & matters;
  if (hidden.empty()) {
    Finding f = finding("cpu", "cpu", Level::ok, found);
    f.details.push_back("all features: " + features_text(cpu.features));
    for (const std::string& note : cpu.notes) f.details.push_back(note);
    out.push_back(f);
    return;
  }
  Finding f =
      finding("cpu", "cpu", Level::problem, found + "; hidden by the OS or hypervisor: " + features_text(hidden));
  f.why =
      "the CPU has these instructions but their state is not enabled, so no library (armory, oneDNN, "
      "OpenBLAS) may use them: the fastest kernels are off";
  f.fix =
      cpu.arch == Arch::x86_64
          ? "expose the features to the guest: use the host CPU model (e.g. libvirt <cpu mode='host-passthrough'/>, "
            "QEMU -cpu host) and make sure the kernel enables AVX-512/AMX state (no 'noxsave'/'clearcpuid' boot "
            "options)"
          : "enable SVE/BF16 for the guest and the kernel: QEMU/KVM -cpu host (with sve=on), a kernel built with "
            "CONFIG_ARM64_SVE, and no 'arm64.nosve' boot option";
  out.push_back(f);
}

void check_threads(const Facts& facts, std::vector<Finding>& out) {
  const int usable = std::max(1, facts.cpu.usable_cores);
  // What armory's pool caps a thread count at: the CPUs the process may run on, which a cgroup quota can
  // leave above the usable cores.
  const int armory_cap = cpu_thread_limit(facts.cpu);
  bool any = false;
  for (const char* name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "ARMORY_NUM_THREADS"}) {
    auto it = facts.environ.find(name);
    if (it == facts.environ.end()) continue;
    any = true;
    const std::string setting = std::string(name) + "=" + it->second;
    // Each finding that is not ok has the same fix: the variable at the usable cores.
    auto flag = [&](Level level, std::string found, const char* why) {
      Finding f = finding("threads", name, level, std::move(found));
      f.why = why;
      f.fix = "export " + std::string(name) + "=" + std::to_string(usable);
      out.push_back(f);
    };
    const long value = parse_thread_count(it->second);
    const std::string cores = " but only " + std::to_string(usable) + " cores are usable";
    if (value == 0) {
      flag(Level::warning, setting + " is not a number >= 1", "libraries ignore it or fall back to their own defaults");
    } else if (value > usable && std::string_view(name) == "ARMORY_NUM_THREADS" && armory_cap <= usable) {
      // armory never runs more threads than the CPUs it may run on: the setting misleads, it does no harm.
      flag(Level::warning, setting + cores + ": armory runs " + std::to_string(armory_cap),
           "armory caps its threads at the CPUs it may run on, so the variable says more than what runs");
    } else if (value > usable) {
      flag(Level::problem, setting + cores + (facts.cpu.cpu_quota > 0 ? " (cgroup CPU quota)" : ""),
           "more threads than cores oversubscribe the CPU: every BLAS call and parallel region slows down, often "
           "by several times");
    } else {
      out.push_back(finding("threads", name, Level::ok, setting));
    }
  }
  if (facts.cpu.cpu_quota > 0 && facts.cpu.cpu_quota + 0.5 < facts.cpu.online_cpus &&
      !facts.environ.count("OMP_NUM_THREADS")) {
    Finding f = finding("threads", "cgroup quota", Level::warning,
                        "a CPU quota of " + std::to_string(usable) + " cores on a machine with " +
                            std::to_string(facts.cpu.online_cpus) + " online CPUs, and OMP_NUM_THREADS is not set");
    f.why = "OpenMP and OpenBLAS size their thread pools from the CPUs they see, not from the quota";
    f.fix = "export OMP_NUM_THREADS=" + std::to_string(usable) + " OPENBLAS_NUM_THREADS=" + std::to_string(usable);
    out.push_back(f);
  } else if (!any) {
    out.push_back(finding("threads", "threads", Level::ok,
                          std::to_string(usable) + " usable cores; no thread-count variables set"));
  }
}

void check_python(const Facts& facts, std::vector<Finding>& out) {
  if (facts.interpreters.empty()) {
    out.push_back(
        finding("python", "python", Level::unknown, "no interpreter examined: " + facts.interpreters_unknown_reason));
    return;
  }
  std::vector<std::string> kinds;
  for (const Interpreter& i : facts.interpreters) {
    if (!i.probe_error.empty()) {
      out.push_back(finding("python", i.path, Level::unknown, i.path + " could not be examined: " + i.probe_error));
      continue;
    }
    if (std::find(kinds.begin(), kinds.end(), i.kind()) == kinds.end()) kinds.push_back(i.kind());
    const std::string name = i.path + " (Python " + i.version + ", " + i.kind() + ")";
    const std::string eol = python_end_of_life(i.major, i.minor);
    if (!i.missing_modules.empty()) {
      Finding f = finding("python", i.path, Level::problem, name + " lacks " + join(i.missing_modules, ", "));
      f.why =
          "a Python built without these development headers cannot use pip over HTTPS (ssl), read compressed "
          "data (bz2, lzma, zlib), or load many packages (ctypes, sqlite3)";
      f.fix =
          "apt-get install libssl-dev libbz2-dev liblzma-dev libsqlite3-dev libffi-dev zlib1g-dev, then rebuild "
          "this Python (pyenv install --force " +
          i.version + ")";
      out.push_back(f);
    }
    if (!eol.empty() && days(eol) < days(facts.date)) {
      Finding f = finding("python", i.path, Level::problem, name + " reached end of life on " + eol);
      f.why = "no security fixes any more, and current numpy, scipy and PyTorch releases no longer support it";
      f.fix =
          "install Python 3.11 or newer (Debian 12: apt-get install python3; or pyenv install 3.12) and move your "
          "environments to it";
      out.push_back(f);
    } else if (!eol.empty() && days(eol) - days(facts.date) < 183) {
      Finding f = finding("python", i.path, Level::warning, name + " reaches end of life on " + eol);
      f.why = "less than six months of security fixes left";
      f.fix = "plan the move to Python 3.12 or newer";
      out.push_back(f);
    } else if (i.major == 3 && i.minor < 11) {
      Finding f = finding("python", i.path, Level::warning, name + " is older than 3.11");
      f.why = "CPython 3.11 made the interpreter itself 10-60% faster";
      f.fix = "prefer Python 3.11 or newer";
      out.push_back(f);
    } else if (i.missing_modules.empty()) {
      Finding f = finding("python", i.path, Level::ok, name + (eol.empty() ? "" : ", supported until " + eol));
      if (i.first_on_path) f.details.push_back("this is what `python3` runs");
      out.push_back(f);
    }
  }
  if (kinds.size() > 1) {
    Finding f = finding("python", "installations", Level::warning,
                        "Python comes from several installations: " + join(kinds, ", "));
    f.why = "which python3 and pip run depends on PATH order; packages installed for one are missing in the other";
    f.fix = "use one installation per project, and call it explicitly (e.g. /usr/bin/python3 -m pip, or a venv)";
    for (const Interpreter& i : facts.interpreters) f.details.push_back(i.path + ": " + i.kind());
    out.push_back(f);
  }
}

void check_libc(const Facts& facts, std::vector<Finding>& out) {
  const std::string where = facts.os_pretty_name.empty() ? "" : " on " + facts.os_pretty_name;
  const std::string container =
      facts.container_evidence.empty() ? "" : " (container: " + join(facts.container_evidence, "; ") + ")";
  if (facts.libc.empty()) {
    out.push_back(finding("libc", "libc", Level::unknown, "the C library is unknown: " + facts.libc_unknown_reason));
    return;
  }
  if (facts.libc == "musl") {
    Finding f = finding("libc", "libc", Level::warning, "musl libc" + where + container);
    f.why =
        "manylinux wheels (numpy, scipy, PyTorch) need glibc: on musl pip builds them from source, slowly, often "
        "against a reference BLAS, and PyTorch has no wheels at all";
    f.fix = "use a glibc-based image (e.g. debian:bookworm-slim or python:3.12-slim) for numerical Python";
    out.push_back(f);
    return;
  }
  out.push_back(finding("libc", "libc", Level::ok, facts.libc + where + container));
}

void check_numpy(const Facts& facts, std::vector<Finding>& out) {
  bool any = false;
  const CpuInfo& cpu = facts.cpu;
  for (const Interpreter& i : facts.interpreters) {
    if (!i.probe_error.empty() || i.numpy_version.empty()) continue;
    any = true;
    const std::string name = "numpy " + i.numpy_version + " (" + i.path + ")";
    Finding f;
    const bool reference = std::any_of(i.blas_files.begin(), i.blas_files.end(), is_reference_blas);
    if (i.blas_files.empty()) {
      f = finding("numpy", i.path, Level::unknown, name + ": no BLAS library found in the process's memory maps");
    } else if (i.armory_blas_loaded) {
      f = finding("numpy", i.path, Level::ok, name + " runs on armory's BLAS");
    } else if (reference) {
      f = finding("numpy", i.path, Level::problem, name + " runs on the netlib reference BLAS");
      f.why = "the reference BLAS is plain loops: matrix products run 10-50x slower than on a tuned BLAS";
      f.fix = "armory blas enable (or apt-get install libopenblas0-pthread)";
    } else if (i.openblas_loaded) {
      const std::string core = i.openblas_corename;
      auto lower = core;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      const bool avx512_cpu = cpu.features.has(Feature::avx512f);
      const bool n2 = cpu.uarch == "neoverse-n2" || cpu.uarch == "neoverse-v1" || cpu.uarch == "neoverse-v2";
      const bool weak_core =
          (avx512_cpu && (lower == "haswell" || lower == "zen" || lower == "sandybridge")) ||
          (n2 && lower.find("neoversen2") == std::string::npos && lower.find("neoversev1") == std::string::npos);
      if (weak_core) {
        f = finding("numpy", i.path, Level::warning,
                    name + " runs on OpenBLAS with its " + core + " kernels on a " + cpu.uarch + " CPU");
        f.why = cpu.arch == Arch::x86_64
                    ? "those kernels do not use AVX-512: GEMM reaches about half of this CPU's peak"
                    : "those kernels do not use SVE/BF16: GEMM leaves much of this CPU's speed unused";
        f.fix = cpu.arch == Arch::x86_64
                    ? "armory blas enable (or an OpenBLAS built with DYNAMIC_ARCH=1 that knows this CPU)"
                    : "armory blas enable (or an OpenBLAS built with TARGET=NEOVERSEN2)";
      } else {
        f = finding("numpy", i.path, Level::ok, name + " runs on OpenBLAS (" + core + " kernels)");
      }
      if (i.openblas_threads > std::max(1, cpu.usable_cores) && f.level == Level::ok) {
        f.level = Level::warning;
        f.found += "; it starts " + std::to_string(i.openblas_threads) + " threads on " +
                   std::to_string(cpu.usable_cores) + " usable cores";
        f.why = "more BLAS threads than cores oversubscribe the CPU and slow every large product down";
        f.fix = "export OPENBLAS_NUM_THREADS=" + std::to_string(std::max(1, cpu.usable_cores));
      }
      if (!i.openblas_config.empty()) f.details.push_back("openblas_get_config: " + i.openblas_config);
    } else {
      f = finding("numpy", i.path, Level::ok, name + " runs on " + i.blas_files.front());
    }
    for (const std::string& file : i.blas_files) f.details.push_back("loaded: " + file);
    if (!i.scipy_version.empty()) f.details.push_back("scipy " + i.scipy_version);
    out.push_back(f);
  }
  if (!any) out.push_back(finding("numpy", "numpy", Level::ok, "no interpreter here has numpy"));
}

void check_frameworks(const Facts& facts, std::vector<Finding>& out) {
  const CpuInfo& cpu = facts.cpu;
  const bool cpu_bf16 = has_bf16_arithmetic(cpu.features);
  const OneDnnFpmath fpmath = onednn_fpmath(facts);
  bool any = false;
  for (const Interpreter& i : facts.interpreters) {
    if (!i.probe_error.empty()) continue;
    if (!i.torch_version.empty()) {
      any = true;
      const std::string name = "PyTorch " + i.torch_version + " (" + i.path + ")";
      if (!i.torch_onednn) {
        Finding f = finding("frameworks", i.path, Level::warning, name + " is built without oneDNN");
        f.why = "CPU convolutions and matmuls fall back to slower paths";
        f.fix = "install an official PyTorch build (with oneDNN" +
                std::string(cpu.arch == Arch::aarch64 ? " and ACL" : "") + ")";
        out.push_back(f);
      } else if (cpu.arch == Arch::aarch64 && !i.torch_acl) {
        Finding f = finding("frameworks", i.path, Level::warning, name + " uses oneDNN without the Arm Compute Library");
        f.why = "on Arm, oneDNN reaches its fast convolution and matmul kernels (SVE, BF16) through ACL";
        f.fix = "install a PyTorch aarch64 build with ACL (the official Linux aarch64 wheels since 2.0 have it)";
        out.push_back(f);
      } else if (!fpmath.known) {
        Finding f = finding("frameworks", i.path, Level::warning,
                            name + " uses oneDNN, which ignores " + fpmath.setting + ": not a mode it knows");
        f.why = "oneDNN reads strict, bf16, f16, tf32 or any (in any case) and runs anything else strict, in fp32";
        f.fix = cpu_bf16 ? "export " + fpmath.variable +
                               "=BF16 for bf16 products with fp32 accumulation (check the accuracy of your model), "
                               "or unset it for strict fp32"
                         : "unset " + fpmath.variable + " (this CPU has no BF16 for oneDNN to use)";
        out.push_back(f);
      } else if (cpu_bf16 && !fpmath.allows_bf16) {
        Finding f = finding("frameworks", i.path, Level::warning,
                            name + " uses oneDNN, but BF16 fast math is off on a CPU with BF16" +
                                (fpmath.setting.empty() ? "" : " (" + fpmath.setting + ")"));
        f.why = "oneDNN can run fp32 models with bf16 products and fp32 accumulation, typically 1.5-2x faster";
        f.fix =
            "export ONEDNN_DEFAULT_FPMATH_MODE=BF16 (check the accuracy of your model), and run inference in graph "
            "mode (torch.jit.trace + torch.jit.freeze) so weights are prepacked once";
        out.push_back(f);
      } else {
        Finding f = finding("frameworks", i.path, Level::ok,
                            name + " with oneDNN" + (i.torch_acl ? " and ACL" : "") +
                                (fpmath.setting.empty() ? "" : ", " + fpmath.setting));
        out.push_back(f);
      }
    }
    if (!i.tensorflow_version.empty()) {
      any = true;
      const auto onednn = facts.environ.find("TF_ENABLE_ONEDNN_OPTS");
      const bool off = onednn != facts.environ.end() && onednn->second == "0";
      const std::string name = "TensorFlow " + i.tensorflow_version + " (" + i.path + ")";
      if (off) {
        Finding f = finding("frameworks", i.path, Level::warning, name + " with TF_ENABLE_ONEDNN_OPTS=0");
        f.why = "oneDNN's optimised CPU kernels are switched off";
        f.fix = "unset TF_ENABLE_ONEDNN_OPTS (or set it to 1)";
        out.push_back(f);
      } else {
        out.push_back(finding("frameworks", i.path, Level::ok, name));
      }
    }
  }
  if (!any) out.push_back(finding("frameworks", "frameworks", Level::ok, "no PyTorch or TensorFlow found"));
}

// PyTorch allocates each activation afresh; glibc's malloc serves blocks above its mmap threshold (at most
// 32 MiB) from the kernel and gives them back when freed, so every inference faults its activations in
// and zero-fills them again. tcmalloc and jemalloc keep them.
void check_allocator(const Facts& facts, std::vector<Finding>& out) {
  const bool torch = std::any_of(facts.interpreters.begin(), facts.interpreters.end(), [](const Interpreter& i) {
    return i.probe_error.empty() && !i.torch_version.empty();
  });
  if (!torch) return;
  std::string preloaded;
  if (auto it = facts.environ.find("LD_PRELOAD"); it != facts.environ.end()) {
    for (const char* name : {"tcmalloc", "jemalloc"}) {
      if (it->second.find(name) != std::string::npos) preloaded = name;
    }
  }
  if (!preloaded.empty()) {
    out.push_back(finding("allocator", "allocator", Level::ok, "PyTorch runs under " + preloaded + " (LD_PRELOAD)"));
    return;
  }
  Finding f = finding("allocator", "allocator", Level::warning,
                      "PyTorch runs on glibc's malloc (no tcmalloc or jemalloc preloaded)");
  f.why = "glibc gives large freed blocks back to the kernel, so every inference faults in and zero-fills its "
          "activations again: ResNet50 at batch 16 ran 1.6-2.3x slower than under tcmalloc on a 2-core Zen 5";
  const auto& installed = facts.caching_allocators;
  const auto tcmalloc = std::find_if(installed.begin(), installed.end(), [](const std::string& path) {
    return path.find("tcmalloc") != std::string::npos;
  });
  const std::string library = tcmalloc != installed.end() ? *tcmalloc
                              : installed.empty()        ? std::string("libtcmalloc_minimal.so.4")
                                                         : installed.front();
  f.fix = std::string(installed.empty() ? "apt-get install libtcmalloc-minimal4, then run " : "run ") +
          "inference with LD_PRELOAD=" + library + " (in the service's environment, or before python3)";
  out.push_back(f);
}

// ARMORY_ISA may only lower the ISA, for testing one kernel path: a value armory cannot honour fails every
// product it is asked for, and a lower one leaves the faster kernels unused.
void check_isa_override(const Facts& facts, std::vector<Finding>& out) {
  const auto it = facts.environ.find("ARMORY_ISA");
  if (it == facts.environ.end() || it->second.empty()) return;
  const std::string setting = "ARMORY_ISA=" + it->second;
  const Result<IsaPolicy> policy = make_isa_policy(facts.cpu, it->second.c_str());
  if (!policy) {
    Finding f = finding("armory", "ARMORY_ISA", Level::problem, policy.status().message());
    f.why =
        "armory runs no product with an ISA it cannot honour: Python and C++ calls return this error, and BLAS "
        "calls (numpy through armory's libblas) print it once and leave their results uncomputed";
    f.fix = "unset ARMORY_ISA (armory then picks " + std::string(isa_name(best_isa(facts.cpu))) +
            ", the best this CPU has)";
    out.push_back(f);
  } else if (policy->cap != policy->best) {
    Finding f =
        finding("armory", "ARMORY_ISA", Level::warning,
                setting + " holds armory below " + std::string(isa_name(policy->best)) + ", the best ISA this CPU has");
    f.why = "the override is for testing one kernel path; lower ISAs run armory's products slower";
    f.fix = "unset ARMORY_ISA";
    out.push_back(f);
  } else {
    out.push_back(finding("armory", "ARMORY_ISA", Level::ok, setting + ": the best ISA this CPU has"));
  }
}

void check_armory(const Facts& facts, std::vector<Finding>& out) {
  Finding f = finding("armory", "armory", Level::ok, std::string("armory ") + build_info().version);
  if (facts.root.empty()) {
    std::string summary = gemm_dispatch_summary();
    size_t start = 0;
    while (start < summary.size()) {
      const size_t end = summary.find('\n', start);
      f.details.push_back(summary.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  if (facts.blas_alternative) {
    const bool armory = facts.blas_alternative->find("/armory/") != std::string::npos;
    f.found +=
        armory ? "; the system BLAS (libblas.so.3) is armory's" : "; the system BLAS is " + *facts.blas_alternative;
    if (!armory) f.details.push_back("switch numpy and scipy to armory with: armory blas enable");
  } else {
    f.details.push_back("system BLAS alternative unknown: " + facts.blas_alternative_unknown_reason);
  }
  out.push_back(f);
  check_isa_override(facts, out);
}

}  // namespace armory::doctor
