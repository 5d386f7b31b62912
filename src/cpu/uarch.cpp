#include "cpu/uarch.h"

#include <array>

namespace armory::cpu {

namespace {

struct IntelModel {
  uint32_t model;
  std::string_view uarch;
};

// Family 6 models, from Intel's SDM and the kernel's intel-family.h.
constexpr std::array<IntelModel, 30> kIntelFamily6 = {{
    {0x3C, "haswell"}, {0x3F, "haswell"}, {0x45, "haswell"}, {0x46, "haswell"},
    {0x3D, "broadwell"}, {0x47, "broadwell"}, {0x4F, "broadwell"}, {0x56, "broadwell"},
    {0x4E, "skylake"}, {0x5E, "skylake"}, {0x8E, "skylake"}, {0x9E, "skylake"},
    {0x55, "skylake-x"},  // refined by stepping below (Cascade Lake, Cooper Lake)
    {0x66, "cannonlake"},
    {0x6A, "icelake-server"}, {0x6C, "icelake-server"}, {0x7D, "icelake-client"}, {0x7E, "icelake-client"},
    {0x8C, "tigerlake"}, {0x8D, "tigerlake"},
    {0x8F, "sapphirerapids"}, {0xCF, "emeraldrapids"}, {0xAD, "graniterapids"}, {0xAE, "graniterapids"},
    {0x97, "alderlake"}, {0x9A, "alderlake"}, {0xB7, "raptorlake"}, {0xBA, "raptorlake"}, {0xBF, "raptorlake"},
    {0xAA, "meteorlake"},
}};

std::string amd_uarch(uint32_t family, uint32_t model) {
  switch (family) {
    case 0x17:
      // Zen 2 starts at model 0x30 (Rome 0x31, Renoir 0x60, Lucienne 0x68, Matisse 0x71, Mendocino 0xA0).
      if (model >= 0x30) return "zen2";
      return model == 0x08 || model == 0x18 ? "zen+" : "zen";
    case 0x19:
      // Zen 4: Genoa 0x10-0x1F, Raphael 0x60-0x6F, Phoenix 0x70-0x7F, Bergamo/Siena 0xA0-0xAF.
      if ((model >= 0x10 && model <= 0x1F) || (model >= 0x60 && model <= 0x7F) || (model >= 0xA0 && model <= 0xAF))
        return "zen4";
      return "zen3";
    case 0x1A: return "zen5";
    case 0x18: return "hygon-dhyana";
    default: return "unknown";
  }
}

struct ArmPartEntry {
  uint32_t implementer;
  uint32_t part;
  ArmPart info;
};

constexpr std::array<ArmPartEntry, 28> kArmParts = {{
    {0x41, 0xd03, {"ARM", "cortex-a53", "Cortex-A53"}},
    {0x41, 0xd07, {"ARM", "cortex-a57", "Cortex-A57"}},
    {0x41, 0xd08, {"ARM", "cortex-a72", "Cortex-A72"}},
    {0x41, 0xd0a, {"ARM", "cortex-a75", "Cortex-A75"}},
    {0x41, 0xd0b, {"ARM", "cortex-a76", "Cortex-A76"}},
    {0x41, 0xd0c, {"ARM", "neoverse-n1", "Neoverse N1"}},
    {0x41, 0xd0d, {"ARM", "cortex-a77", "Cortex-A77"}},
    {0x41, 0xd40, {"ARM", "neoverse-v1", "Neoverse V1"}},
    {0x41, 0xd41, {"ARM", "cortex-a78", "Cortex-A78"}},
    {0x41, 0xd44, {"ARM", "cortex-x1", "Cortex-X1"}},
    {0x41, 0xd49, {"ARM", "neoverse-n2", "Neoverse N2"}},
    {0x41, 0xd4f, {"ARM", "neoverse-v2", "Neoverse V2"}},
    {0x41, 0xd84, {"ARM", "neoverse-v3", "Neoverse V3"}},
    {0x41, 0xd8e, {"ARM", "neoverse-n3", "Neoverse N3"}},
    {0x41, 0xd4a, {"ARM", "neoverse-e1", "Neoverse E1"}},
    {0xc0, 0xac3, {"Ampere", "ampere1", "AmpereOne"}},
    {0xc0, 0xac4, {"Ampere", "ampere1a", "AmpereOne A"}},
    {0x48, 0xd01, {"HiSilicon", "tsv110", "Kunpeng 920 (TaiShan v110)"}},
    {0x46, 0x001, {"Fujitsu", "a64fx", "A64FX"}},
    {0x61, 0x022, {"Apple", "apple-m1", "Apple M1 (Icestorm)"}},
    {0x61, 0x023, {"Apple", "apple-m1", "Apple M1 (Firestorm)"}},
    {0x61, 0x024, {"Apple", "apple-m1", "Apple M1 Pro (Icestorm)"}},
    {0x61, 0x025, {"Apple", "apple-m1", "Apple M1 Pro (Firestorm)"}},
    {0x61, 0x028, {"Apple", "apple-m1", "Apple M1 Max (Icestorm)"}},
    {0x61, 0x029, {"Apple", "apple-m1", "Apple M1 Max (Firestorm)"}},
    {0x61, 0x032, {"Apple", "apple-m2", "Apple M2 (Blizzard)"}},
    {0x61, 0x033, {"Apple", "apple-m2", "Apple M2 (Avalanche)"}},
    {0x51, 0x001, {"Qualcomm", "oryon", "Oryon"}},
}};

std::string_view arm_vendor(uint32_t implementer) {
  switch (implementer) {
    case 0x00: return "software";  // reserved for software use: emulators such as qemu -cpu max
    case 0x41: return "ARM";
    case 0x42: return "Broadcom";
    case 0x43: return "Cavium";
    case 0x46: return "Fujitsu";
    case 0x48: return "HiSilicon";
    case 0x4e: return "NVIDIA";
    case 0x50: return "APM";
    case 0x51: return "Qualcomm";
    case 0x61: return "Apple";
    case 0xc0: return "Ampere";
    default: return "unknown";
  }
}

}  // namespace

std::string x86_uarch(std::string_view vendor, uint32_t family, uint32_t model, uint32_t stepping) {
  if (vendor == "AuthenticAMD") return amd_uarch(family, model);
  if (vendor == "HygonGenuine") return "hygon-dhyana";
  if (vendor != "GenuineIntel" || family != 6) return "unknown";
  for (const auto& entry : kIntelFamily6) {
    if (entry.model != model) continue;
    if (model == 0x55) {
      // One model number for three server generations; the stepping tells them apart.
      if (stepping >= 10) return "cooperlake";
      if (stepping >= 5) return "cascadelake";
    }
    return std::string(entry.uarch);
  }
  return "unknown";
}

ArmPart arm_part(uint32_t implementer, uint32_t part) {
  for (const auto& entry : kArmParts) {
    if (entry.implementer == implementer && entry.part == part) return entry.info;
  }
  return {arm_vendor(implementer), "unknown", "unknown part"};
}

}  // namespace armory::cpu
