// Detection from files (the fixtures, and the parts of the live machine only files describe: caches,
// topology, cgroup quota) plus the live ISA probe on the host.
#include <armory/cpu.h>

#include "cpu/probe.h"
#include "cpu/system_files.h"
#include "cpu/uarch.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace armory {

namespace cpu {
namespace {

using Fields = std::map<std::string, std::string, std::less<>>;

// The key/value pairs of /proc/cpuinfo up to the end of the first processor block. aarch64 kernels
// print "Features"/"CPU part" inside each block; older ones print a trailer: keep the first value seen.
Fields parse_cpuinfo(std::string_view text) {
  Fields fields;
  bool seen_processor = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (seen_processor && trim(line).empty() && fields.count("Features") + fields.count("flags") > 0) break;
      continue;
    }
    std::string key(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    if (key == "processor") seen_processor = true;
    fields.emplace(std::move(key), std::move(value));
  }
  return fields;
}

std::string field(const Fields& fields, std::string_view key) {
  auto it = fields.find(key);
  return it == fields.end() ? std::string() : it->second;
}

bool has_word(std::string_view list, std::string_view word) {
  std::istringstream in{std::string(list)};
  std::string token;
  while (in >> token) {
    if (token == word) return true;
  }
  return false;
}

FeatureSet x86_features_from_flags(std::string_view flags) {
  FeatureSet out;
  for (Feature f : {Feature::avx2, Feature::fma, Feature::avx512f, Feature::avx512bw, Feature::avx512dq,
                    Feature::avx512vl, Feature::avx512_bf16, Feature::avx512_vnni, Feature::amx_tile,
                    Feature::amx_bf16, Feature::amx_int8}) {
    if (has_word(flags, feature_name(f))) out.add(f);
  }
  return out;
}

FeatureSet aarch64_features_from_flags(std::string_view flags) {
  FeatureSet out;
  if (has_word(flags, "asimd")) out.add(Feature::asimd);
  if (has_word(flags, "asimdhp")) out.add(Feature::fp16);
  if (has_word(flags, "asimddp")) out.add(Feature::dotprod);
  for (Feature f : {Feature::sve, Feature::sve2, Feature::bf16, Feature::i8mm, Feature::svebf16}) {
    if (has_word(flags, feature_name(f))) out.add(f);
  }
  return out;
}

void set_midr(CpuInfo& cpu, uint64_t midr) {
  cpu.implementer = (midr >> 24) & 0xff;
  cpu.variant = (midr >> 20) & 0xf;
  cpu.part = (midr >> 4) & 0xfff;
  cpu.revision = midr & 0xf;
}

void read_identity(const SystemFiles& files, const Fields& info, CpuInfo& cpu) {
  if (cpu.arch == Arch::x86_64) {
    cpu.vendor = field(info, "vendor_id");
    cpu.model_name = field(info, "model name");
    cpu.family = static_cast<uint32_t>(parse_uint(field(info, "cpu family")).value_or(0));
    cpu.model = static_cast<uint32_t>(parse_uint(field(info, "model")).value_or(0));
    cpu.stepping = static_cast<uint32_t>(parse_uint(field(info, "stepping")).value_or(0));
    cpu.features = x86_features_from_flags(field(info, "flags"));
    return;
  }
  cpu.features = aarch64_features_from_flags(field(info, "Features"));
  if (auto midr = files.read_line("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1")) {
    if (auto value = parse_uint(*midr)) set_midr(cpu, *value);
  }
  if (cpu.implementer == 0) {
    auto implementer = parse_uint(field(info, "CPU implementer"));
    auto part = parse_uint(field(info, "CPU part"));
    if (implementer && part) {
      cpu.implementer = static_cast<uint32_t>(*implementer);
      cpu.part = static_cast<uint32_t>(*part);
      cpu.variant = static_cast<uint32_t>(parse_uint(field(info, "CPU variant")).value_or(0));
      cpu.revision = static_cast<uint32_t>(parse_uint(field(info, "CPU revision")).value_or(0));
    }
  }
  if (cpu.features.has(Feature::sve)) {
    // The default vector length new processes get, in bytes.
    if (auto vl = files.read_line("/proc/sys/abi/sve_default_vector_length")) {
      if (auto bytes = parse_uint(*vl)) cpu.sve_vector_bits = static_cast<int>(*bytes * 8);
    }
  }
}

void name_uarch(CpuInfo& cpu) {
  if (cpu.arch == Arch::x86_64) {
    cpu.uarch = x86_uarch(cpu.vendor, cpu.family, cpu.model, cpu.stepping);
    return;
  }
  if (cpu.arch == Arch::aarch64) {
    ArmPart part = arm_part(cpu.implementer, cpu.part);
    cpu.vendor = std::string(part.vendor);
    cpu.uarch = std::string(part.uarch);
    if (cpu.model_name.empty()) cpu.model_name = std::string(part.vendor) + " " + std::string(part.name);
  }
}

void read_caches(const SystemFiles& files, CpuInfo& cpu) {
  for (int index = 0; index < 10; ++index) {
    std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    auto level = files.read_line(dir + "level");
    if (!level) break;
    CacheLevel cache;
    cache.level = static_cast<int>(parse_uint(*level).value_or(0));
    cache.type = files.read_line(dir + "type").value_or("Unknown");
    cache.size_bytes = parse_cache_size(files.read_line(dir + "size").value_or("")).value_or(0);
    cache.shared_by_cpus = count_cpu_list(files.read_line(dir + "shared_cpu_list").value_or("")).value_or(0);
    cpu.caches.push_back(cache);
  }
  if (cpu.caches.empty()) cpu.notes.push_back("cache sizes unknown: no /sys/devices/system/cpu/cpu0/cache");
}

// The cgroup path of this process for the v2 unified hierarchy ("0::/path") or the v1 cpu controller.
std::optional<std::string> cgroup_path(const std::string& proc_cgroup, bool v2) {
  std::istringstream in(proc_cgroup);
  std::string line;
  while (std::getline(in, line)) {
    size_t first = line.find(':');
    size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (v2 && line.compare(0, first, "0") == 0 && controllers.empty()) return path;
    if (!v2) {
      std::istringstream list(controllers);
      std::string c;
      while (std::getline(list, c, ',')) {
        if (c == "cpu") return path;
      }
    }
  }
  return std::nullopt;
}

// Smallest CPU quota on the way from this process's cgroup up to the root (a parent's limit binds too).
double read_cpu_quota(const SystemFiles& files) {
  std::string proc_cgroup = files.read("/proc/self/cgroup").value_or("0::/\n");
  double best = 0;
  auto consider = [&best](double cpus) {
    if (cpus > 0 && (best == 0 || cpus < best)) best = cpus;
  };
  auto walk_up = [](std::string path, auto&& visit) {
    while (true) {
      visit(path);
      if (path.empty() || path == "/") break;
      size_t slash = path.find_last_of('/');
      path = slash == 0 ? "/" : path.substr(0, slash);
    }
  };
  if (auto path = cgroup_path(proc_cgroup, /*v2=*/true)) {
    walk_up(*path, [&](const std::string& dir) {
      std::string base = "/sys/fs/cgroup" + (dir == "/" ? std::string() : dir);
      auto line = files.read_line(base + "/cpu.max");
      if (!line) return;
      std::istringstream in(*line);
      std::string quota, period;
      in >> quota >> period;
      auto q = parse_uint(quota), p = parse_uint(period);
      if (q && p && *p > 0) consider(static_cast<double>(*q) / static_cast<double>(*p));
    });
  }
  if (auto path = cgroup_path(proc_cgroup, /*v2=*/false)) {
    for (const char* mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      walk_up(*path, [&](const std::string& dir) {
        std::string base = mount + (dir == "/" ? std::string() : dir);
        auto quota = files.read_line(base + "/cpu.cfs_quota_us");
        auto period = files.read_line(base + "/cpu.cfs_period_us");
        if (!quota || !period || quota->front() == '-') return;  // -1 = unlimited
        auto q = parse_uint(*quota), p = parse_uint(*period);
        if (q && p && *p > 0) consider(static_cast<double>(*q) / static_cast<double>(*p));
      });
    }
  }
  return best;
}

void read_topology(const SystemFiles& files, CpuInfo& cpu, int live_affinity) {
  cpu.online_cpus = count_cpu_list(files.read_line("/sys/devices/system/cpu/online").value_or("")).value_or(0);
  if (live_affinity > 0) {
    cpu.affinity_cpus = live_affinity;
  } else if (auto status = files.read("/proc/self/status")) {
    size_t at = status->find("Cpus_allowed_list:");
    if (at != std::string::npos) {
      size_t end = status->find('\n', at);
      cpu.affinity_cpus = count_cpu_list(status->substr(at + 18, end - at - 18)).value_or(0);
    }
  }
  if (cpu.online_cpus == 0) {
    cpu.notes.push_back("online CPUs unknown: /sys/devices/system/cpu/online unreadable");
  }
  cpu.cpu_quota = read_cpu_quota(files);

  int cores = cpu.affinity_cpus > 0 ? cpu.affinity_cpus : cpu.online_cpus;
  if (cpu.online_cpus > 0 && cores > cpu.online_cpus) cores = cpu.online_cpus;
  if (cpu.cpu_quota > 0) {
    // A quota of 1.5 CPUs still lets two threads run; rounding up matches what runtimes (JVM, .NET) do.
    int quota_cores = static_cast<int>(std::ceil(cpu.cpu_quota - 1e-9));
    cores = cores > 0 ? std::min(cores, quota_cores) : quota_cores;
  }
  cpu.usable_cores = std::max(cores, 1);
}

Arch arch_from_cpuinfo(const Fields& info, const SystemFiles& files) {
  if (info.count("vendor_id") || info.count("flags")) return Arch::x86_64;
  if (info.count("CPU implementer") || info.count("Features")) return Arch::aarch64;
  if (files.read_line("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1")) return Arch::aarch64;
  return Arch::unknown;
}

int live_affinity_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
  return CPU_COUNT(&set);
}

}  // namespace
}  // namespace cpu

Result<CpuInfo> detect_cpu_from_root(const std::string& root) {
  cpu::SystemFiles files(root);
  auto text = files.read("/proc/cpuinfo");
  if (!text) {
    return error(Errc::not_found, "cannot read " + root + "/proc/cpuinfo: a CPU fixture root needs at least that file");
  }
  cpu::Fields info = cpu::parse_cpuinfo(*text);
  CpuInfo out;
  out.arch = cpu::arch_from_cpuinfo(info, files);
  if (out.arch == Arch::unknown) {
    return error(Errc::parse_error, root + "/proc/cpuinfo has neither x86 'flags' nor aarch64 'Features'");
  }
  out.source = "fixture:" + root;
  cpu::read_identity(files, info, out);
  cpu::name_uarch(out);
  cpu::read_caches(files, out);
  cpu::read_topology(files, out, /*live_affinity=*/0);
  return out;
}

CpuInfo detect_host_cpu() {
  cpu::SystemFiles files("/");
  CpuInfo out;
  // /proc/cpuinfo may describe another machine (qemu-user shows the host's), so the architecture is the
  // one we were compiled for and the ISA comes from the live probe.
  cpu::Fields info = cpu::parse_cpuinfo(files.read("/proc/cpuinfo").value_or(""));
#if defined(__x86_64__)
  out.arch = Arch::x86_64;
  out.source = "cpuid+sysfs";
  cpu::probe_x86(out);
  // The name the OS and lscpu show. A hypervisor may hand user space another CPUID brand string than the
  // kernel read at boot (seen on a KVM guest: "AMD EPYC" in /proc/cpuinfo, "Oxide Virtual Turin-like
  // Processor" from CPUID); keep the brand as a note then.
  if (std::string os_name = cpu::field(info, "model name"); !os_name.empty() && os_name != out.model_name) {
    if (!out.model_name.empty()) out.notes.push_back("CPUID brand string: " + out.model_name);
    out.model_name = os_name;
  }
#elif defined(__aarch64__)
  out.arch = Arch::aarch64;
  out.source = "hwcap+sysfs";
  if (cpu::arch_from_cpuinfo(info, files) == Arch::aarch64) {
    // MIDR from the files; the features read there are replaced by the live probe below.
    cpu::read_identity(files, info, out);
  } else {
    out.notes.push_back("/proc/cpuinfo describes another architecture (emulator?): MIDR read with MRS");
  }
  cpu::probe_aarch64(out);
#else
  out.arch = Arch::unknown;
  out.source = "sysfs";
  out.notes.push_back("no ISA probe for this architecture: scalar code only");
#endif
  cpu::name_uarch(out);
  cpu::read_caches(files, out);
  cpu::read_topology(files, out, cpu::live_affinity_count());
  return out;
}

const CpuInfo& host_cpu() {
  static const CpuInfo info = detect_host_cpu();
  return info;
}

}  // namespace armory
