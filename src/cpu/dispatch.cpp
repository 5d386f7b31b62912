#include "cpu/dispatch.h"

namespace armory {

std::string rejection_reason(const KernelId& id, const CpuInfo& cpu, const IsaPolicy& policy) {
  Arch arch = isa_arch(id.isa);
  if (arch != Arch::unknown && arch != cpu.arch) {
    return "needs " + std::string(arch_name(arch)) + ", this CPU is " + std::string(arch_name(cpu.arch));
  }
  if (!id.compiled) return "not compiled into this build";
  FeatureSet needed = isa_required_features(id.isa);
  FeatureSet hidden = needed & cpu.hidden_features;
  if (!hidden.empty()) return "the OS or hypervisor disabled " + hidden.to_string() + " (XCR0)";
  FeatureSet missing = needed.without(cpu.features);
  if (!missing.empty()) return "CPU lacks " + missing.to_string();
  FeatureSet capped = needed.without(policy.allowed);
  if (!capped.empty()) {
    return "above the ISA cap " + std::string(isa_name(policy.cap)) +
           (policy.from_env ? " set by ARMORY_ISA" : "");
  }
  return {};
}

void log_decision(const DispatchDecision& decision, std::string_view detail) {
  for (const auto& [name, reason] : decision.rejected) {
    verbose_log("dispatch", "%.*s: skip %.*s: %s", static_cast<int>(decision.operation.size()),
                decision.operation.data(), static_cast<int>(name.size()), name.data(), reason.c_str());
  }
  if (decision.chosen.empty()) {
    verbose_log("dispatch", "%.*s: no kernel fits", static_cast<int>(decision.operation.size()),
                decision.operation.data());
    return;
  }
  verbose_log("dispatch", "%.*s: use %.*s%s%.*s", static_cast<int>(decision.operation.size()),
              decision.operation.data(), static_cast<int>(decision.chosen.size()), decision.chosen.data(),
              detail.empty() ? "" : " ", static_cast<int>(detail.size()), detail.data());
}

}  // namespace armory
