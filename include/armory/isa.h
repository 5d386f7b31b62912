// ISA levels and the ARMORY_ISA cap. A level names a set of features; capping at a level hides every
// feature outside that set from dispatch. The cap may only lower what the CPU offers.
#pragma once

#include <armory/cpu.h>
#include <armory/status.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace armory {

enum class IsaLevel : uint8_t {
  scalar,
  // x86-64, each level includes the previous one
  avx2, avx512, avx512_bf16,
  // aarch64: neon below both neon_bf16 and sve; sve_bf16 includes all of them
  neon, neon_bf16, sve, sve_bf16,
};

std::string_view isa_name(IsaLevel level) noexcept;
std::optional<IsaLevel> parse_isa(std::string_view name) noexcept;
Arch isa_arch(IsaLevel level) noexcept;  // Arch::unknown for scalar
FeatureSet isa_features(IsaLevel level) noexcept;           // what a kernel of this level may use
FeatureSet isa_required_features(IsaLevel level) noexcept;  // what the CPU must have for the level

// The levels of one architecture, lowest first (scalar included).
std::span<const IsaLevel> isa_levels(Arch arch) noexcept;

// The highest level whose features the CPU has.
IsaLevel best_isa(const CpuInfo& cpu) noexcept;

struct IsaPolicy {
  IsaLevel cap = IsaLevel::scalar;   // what dispatch may use at most
  IsaLevel best = IsaLevel::scalar;  // what the CPU could do
  FeatureSet allowed;                // cpu.features limited to the cap's features
  bool from_env = false;             // cap came from ARMORY_ISA
};

// requested: the ARMORY_ISA value (nullptr or "" = no cap). An unknown name, a level of another
// architecture or one above what the CPU supports is an error naming what the CPU supports.
Result<IsaPolicy> make_isa_policy(const CpuInfo& cpu, const char* requested);

// The policy for this process (host_cpu() and $ARMORY_ISA), computed once.
const Result<IsaPolicy>& host_isa_policy();

// The level dispatch uses in this process ("avx512_bf16", "sve", ...), or "unavailable: <why>" when
// $ARMORY_ISA cannot be honoured: for reports (armory_get_config, Python's config()).
std::string dispatched_isa_name();

}  // namespace armory
