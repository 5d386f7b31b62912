#include <armory/isa.h>

#include <array>
#include <cstdlib>
#include <string>

namespace armory {

namespace {

struct LevelInfo {
  IsaLevel level;
  std::string_view name;
  Arch arch;
  FeatureSet features;  // everything a kernel of this level may use
};

constexpr FeatureSet kAvx2 = {Feature::avx2, Feature::fma};
constexpr FeatureSet kAvx512 = kAvx2 | FeatureSet{Feature::avx512f, Feature::avx512bw, Feature::avx512dq,
                                                  Feature::avx512vl, Feature::avx512_vnni};
constexpr FeatureSet kAvx512Bf16 = kAvx512 | FeatureSet{Feature::avx512_bf16};
constexpr FeatureSet kNeon = {Feature::asimd, Feature::fp16, Feature::dotprod};
constexpr FeatureSet kNeonBf16 = kNeon | FeatureSet{Feature::bf16, Feature::i8mm};
constexpr FeatureSet kSve = kNeon | FeatureSet{Feature::sve, Feature::sve2};
constexpr FeatureSet kSveBf16 = kSve | kNeonBf16 | FeatureSet{Feature::svebf16};

// A level's requirement is the features that distinguish it; fp16/dotprod/vnni/sve2 are allowed at a
// level but not required, so an SVE1-only core (A64FX) still reaches "sve".
struct LevelRequirement {
  IsaLevel level;
  FeatureSet required;
};

constexpr std::array<LevelInfo, 8> kLevels = {{
    {IsaLevel::scalar, "scalar", Arch::unknown, {}},
    {IsaLevel::avx2, "avx2", Arch::x86_64, kAvx2},
    {IsaLevel::avx512, "avx512", Arch::x86_64, kAvx512},
    {IsaLevel::avx512_bf16, "avx512_bf16", Arch::x86_64, kAvx512Bf16},
    {IsaLevel::neon, "neon", Arch::aarch64, kNeon},
    {IsaLevel::neon_bf16, "neon_bf16", Arch::aarch64, kNeonBf16},
    {IsaLevel::sve, "sve", Arch::aarch64, kSve},
    {IsaLevel::sve_bf16, "sve_bf16", Arch::aarch64, kSveBf16},
}};

constexpr std::array<LevelRequirement, 8> kRequirements = {{
    {IsaLevel::scalar, {}},
    {IsaLevel::avx2, kAvx2},
    {IsaLevel::avx512, {Feature::avx2, Feature::fma, Feature::avx512f, Feature::avx512bw, Feature::avx512dq,
                        Feature::avx512vl}},
    {IsaLevel::avx512_bf16, {Feature::avx2, Feature::fma, Feature::avx512f, Feature::avx512bw,
                             Feature::avx512dq, Feature::avx512vl, Feature::avx512_bf16}},
    {IsaLevel::neon, {Feature::asimd}},
    {IsaLevel::neon_bf16, {Feature::asimd, Feature::bf16}},
    {IsaLevel::sve, {Feature::asimd, Feature::sve}},
    {IsaLevel::sve_bf16, {Feature::asimd, Feature::sve, Feature::bf16, Feature::svebf16}},
}};

constexpr std::array<IsaLevel, 4> kX86Levels = {IsaLevel::scalar, IsaLevel::avx2, IsaLevel::avx512,
                                                IsaLevel::avx512_bf16};
constexpr std::array<IsaLevel, 5> kArmLevels = {IsaLevel::scalar, IsaLevel::neon, IsaLevel::neon_bf16,
                                                IsaLevel::sve, IsaLevel::sve_bf16};
constexpr std::array<IsaLevel, 1> kScalarOnly = {IsaLevel::scalar};

const LevelInfo& info(IsaLevel level) { return kLevels[static_cast<size_t>(level)]; }

FeatureSet required(IsaLevel level) { return kRequirements[static_cast<size_t>(level)].required; }

bool supports(const CpuInfo& cpu, IsaLevel level) {
  Arch arch = isa_arch(level);
  return (arch == Arch::unknown || arch == cpu.arch) && cpu.features.contains(required(level));
}

std::string supported_list(const CpuInfo& cpu) {
  std::string out;
  for (IsaLevel level : isa_levels(cpu.arch)) {
    if (!supports(cpu, level)) continue;
    if (!out.empty()) out += ", ";
    out += isa_name(level);
  }
  return out;
}

}  // namespace

std::string_view isa_name(IsaLevel level) noexcept { return info(level).name; }

std::optional<IsaLevel> parse_isa(std::string_view name) noexcept {
  for (const auto& l : kLevels) {
    if (l.name == name) return l.level;
  }
  return std::nullopt;
}

Arch isa_arch(IsaLevel level) noexcept { return info(level).arch; }

FeatureSet isa_features(IsaLevel level) noexcept { return info(level).features; }

FeatureSet isa_required_features(IsaLevel level) noexcept { return required(level); }

std::span<const IsaLevel> isa_levels(Arch arch) noexcept {
  switch (arch) {
    case Arch::x86_64: return kX86Levels;
    case Arch::aarch64: return kArmLevels;
    case Arch::unknown: break;
  }
  return kScalarOnly;
}

IsaLevel best_isa(const CpuInfo& cpu) noexcept {
  IsaLevel best = IsaLevel::scalar;
  for (IsaLevel level : isa_levels(cpu.arch)) {
    if (supports(cpu, level)) best = level;
  }
  return best;
}

Result<IsaPolicy> make_isa_policy(const CpuInfo& cpu, const char* requested) {
  IsaPolicy policy;
  policy.best = best_isa(cpu);
  policy.cap = policy.best;
  if (requested != nullptr && *requested != '\0') {
    std::string name(requested);
    auto level = parse_isa(name);
    if (!level) {
      std::string known;
      for (const auto& l : kLevels) known += (known.empty() ? "" : ", ") + std::string(l.name);
      return error(Errc::invalid_argument,
                   "ARMORY_ISA=" + name + " is not an ISA level; use one of: " + known);
    }
    if (!supports(cpu, *level)) {
      std::string why = isa_arch(*level) != Arch::unknown && isa_arch(*level) != cpu.arch
                            ? " is for " + std::string(arch_name(isa_arch(*level))) + " but this CPU is " +
                                  std::string(arch_name(cpu.arch))
                            : " needs " + required(*level).without(cpu.features).to_string() +
                                  ", which this CPU lacks";
      return error(Errc::unsupported, "ARMORY_ISA=" + name + why + "; this CPU supports: " +
                                          supported_list(cpu) + " (ARMORY_ISA may only lower the ISA)");
    }
    policy.cap = *level;
    policy.from_env = true;
  }
  policy.allowed = cpu.features & isa_features(policy.cap);
  return policy;
}

const Result<IsaPolicy>& host_isa_policy() {
  static const Result<IsaPolicy> policy = make_isa_policy(host_cpu(), std::getenv("ARMORY_ISA"));
  return policy;
}

std::string dispatched_isa_name() {
  const auto& policy = host_isa_policy();
  return policy.ok() ? std::string(isa_name(policy->cap)) : "unavailable: " + policy.status().message();
}

}  // namespace armory
