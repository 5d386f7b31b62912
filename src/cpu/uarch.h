// Microarchitecture names from CPUID family/model (x86) or MIDR implementer/part (aarch64).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace armory::cpu {

// "haswell", "skylake-x", "icelake-server", "sapphirerapids", "zen2", "zen4", ... or "unknown".
std::string x86_uarch(std::string_view vendor, uint32_t family, uint32_t model, uint32_t stepping);

struct ArmPart {
  std::string_view vendor;  // "ARM", "Ampere", "Apple", ...
  std::string_view uarch;   // "neoverse-n2", "cortex-a72", ... or "unknown"
  std::string_view name;    // human name, e.g. "Neoverse N2"
};

ArmPart arm_part(uint32_t implementer, uint32_t part);

}  // namespace armory::cpu
