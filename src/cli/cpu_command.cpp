// `armory cpu`: what the machine is and what armory will run on it.
#include <armory/cpu.h>
#include <armory/gemm.h>
#include <armory/isa.h>
#include <armory/version.h>

#include "cli/commands.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace armory::cli {

namespace {

struct CpuOptions {
  bool json = false;
  std::string root;  // fixture root instead of the live machine
};

std::string human_bytes(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20) && bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

std::string cache_name(const CacheLevel& c) {
  std::string name = "L" + std::to_string(c.level);
  if (c.type == "Data") name += "d";
  if (c.type == "Instruction") name += "i";
  return name;
}

nlohmann::json to_json(const CpuInfo& cpu, const IsaPolicy& policy) {
  nlohmann::json j;
  j["arch"] = arch_name(cpu.arch);
  j["vendor"] = cpu.vendor;
  j["model_name"] = cpu.model_name;
  j["uarch"] = cpu.uarch;
  if (cpu.arch == Arch::x86_64) {
    j["family"] = cpu.family;
    j["model"] = cpu.model;
    j["stepping"] = cpu.stepping;
  } else if (cpu.arch == Arch::aarch64) {
    j["implementer"] = cpu.implementer;
    j["part"] = cpu.part;
    j["variant"] = cpu.variant;
    j["revision"] = cpu.revision;
  }
  nlohmann::json features = nlohmann::json::array(), hidden = nlohmann::json::array();
  for (Feature f : cpu.features.list()) features.push_back(feature_name(f));
  for (Feature f : cpu.hidden_features.list()) hidden.push_back(feature_name(f));
  j["features"] = features;
  j["hidden_features"] = hidden;
  j["sve_vector_bits"] = cpu.sve_vector_bits;
  nlohmann::json caches = nlohmann::json::array();
  for (const auto& c : cpu.caches) {
    caches.push_back({{"level", c.level}, {"type", c.type}, {"size_bytes", c.size_bytes},
                      {"shared_by_cpus", c.shared_by_cpus}});
  }
  j["caches"] = caches;
  j["online_cpus"] = cpu.online_cpus;
  j["affinity_cpus"] = cpu.affinity_cpus;
  j["cpu_quota"] = cpu.cpu_quota;
  j["usable_cores"] = cpu.usable_cores;
  j["isa"] = {{"best", isa_name(policy.best)}, {"cap", isa_name(policy.cap)}, {"from_env", policy.from_env}};
  j["source"] = cpu.source;
  nlohmann::json kernels = nlohmann::json::object();
  std::string summary = gemm_dispatch_summary(cpu, policy);
  for (size_t start = 0, end; (end = summary.find('\n', start)) != std::string::npos; start = end + 1) {
    std::string line = summary.substr(start, end - start);
    size_t colon = line.find(": ");
    kernels[line.substr(0, colon)] = line.substr(colon + 2);
  }
  j["kernels"] = kernels;
  j["notes"] = cpu.notes;
  const auto& build = build_info();
  j["armory"] = {{"version", build.version}, {"git_commit", build.git_commit}, {"build_type", build.build_type},
                 {"target_arch", build.target_arch}};
  return j;
}

void print_text(const CpuInfo& cpu, const IsaPolicy& policy) {
  auto row = [](const char* label, const std::string& value) { std::printf("%-10s %s\n", label, value.c_str()); };
  std::string identity = cpu.vendor;
  char buffer[128];
  if (cpu.arch == Arch::x86_64) {
    std::snprintf(buffer, sizeof buffer, ", family 0x%x model 0x%x stepping %u", cpu.family, cpu.model, cpu.stepping);
    identity += buffer;
  } else if (cpu.arch == Arch::aarch64) {
    std::snprintf(buffer, sizeof buffer, ", implementer 0x%02x part 0x%03x r%up%u", cpu.implementer, cpu.part,
                  cpu.variant, cpu.revision);
    identity += buffer;
  }
  row("cpu", cpu.model_name + " (" + identity + ")");
  row("uarch", cpu.uarch);
  row("arch", std::string(arch_name(cpu.arch)));
  row("features", cpu.features.to_string());
  if (!cpu.hidden_features.empty()) row("hidden", cpu.hidden_features.to_string() + " (CPU has them, the OS disabled them)");
  if (cpu.features.has(Feature::sve)) row("sve", std::to_string(cpu.sve_vector_bits) + "-bit vectors");
  row("isa", "best " + std::string(isa_name(policy.best)) + ", cap " + std::string(isa_name(policy.cap)) +
                 (policy.from_env ? " (ARMORY_ISA)" : " (default: the best)"));
  std::string caches;
  for (const auto& c : cpu.caches) {
    if (!caches.empty()) caches += ", ";
    caches += cache_name(c) + " " + human_bytes(c.size_bytes);
    if (c.shared_by_cpus > 1) caches += " (shared by " + std::to_string(c.shared_by_cpus) + ")";
  }
  row("caches", caches.empty() ? "unknown" : caches);
  char quota[64] = "none";
  if (cpu.cpu_quota > 0) std::snprintf(quota, sizeof quota, "%.2f CPUs", cpu.cpu_quota);
  row("cores", std::to_string(cpu.usable_cores) + " usable (online " + std::to_string(cpu.online_cpus) +
                   ", affinity " + std::to_string(cpu.affinity_cpus) + ", cgroup quota " + quota + ")");
  row("source", cpu.source);
  for (const auto& note : cpu.notes) row("note", note);
  std::string kernels = gemm_dispatch_summary(cpu, policy);
  for (size_t start = 0, end; (end = kernels.find('\n', start)) != std::string::npos; start = end + 1) {
    row("kernel", kernels.substr(start, end - start));
  }
}

}  // namespace

Command add_cpu_command(CLI::App& app) {
  auto options = std::make_shared<CpuOptions>();
  CLI::App* cmd = app.add_subcommand("cpu", "Show the CPU, its ISA features and what armory will run on it");
  cmd->add_flag("--json", options->json, "Print JSON");
  cmd->add_option("--root", options->root,
                  "Read /proc and /sys below this directory instead of probing the machine (CPU fixtures)")
      ->check(CLI::ExistingDirectory);
  return [options]() -> int {
    CpuInfo cpu;
    if (options->root.empty()) {
      cpu = host_cpu();
    } else {
      auto detected = detect_cpu_from_root(options->root);
      if (!detected) {
        std::fprintf(stderr, "armory cpu: %s\n", detected.status().message().c_str());
        return 1;
      }
      cpu = std::move(detected).value();
    }
    auto policy = make_isa_policy(cpu, std::getenv("ARMORY_ISA"));
    if (!policy) {
      std::fprintf(stderr, "armory cpu: %s\n", policy.status().message().c_str());
      return 2;
    }
    if (options->json) {
      std::printf("%s\n", to_json(cpu, policy.value()).dump(2).c_str());
    } else {
      print_text(cpu, policy.value());
    }
    return 0;
  };
}

}  // namespace armory::cli
