// What the machine is: architecture, microarchitecture, ISA features the OS lets us use, SVE vector
// length, caches and the number of cores this process may really use (affinity and cgroup quota).
#pragma once

#include <armory/status.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace armory {

enum class Arch { unknown, x86_64, aarch64 };

std::string_view arch_name(Arch arch) noexcept;

// ISA features armory's kernels care about. x86 names follow /proc/cpuinfo; aarch64 names follow the
// kernel's HWCAP names (which /proc/cpuinfo "Features" also uses).
enum class Feature : uint8_t {
  // x86-64
  avx2, fma, avx512f, avx512bw, avx512dq, avx512vl, avx512_bf16, avx512_vnni, amx_tile, amx_bf16, amx_int8,
  // aarch64
  asimd, fp16, dotprod, sve, sve2, bf16, i8mm, svebf16,
  count_
};

std::string_view feature_name(Feature f) noexcept;
bool parse_feature(std::string_view name, Feature* out) noexcept;

class FeatureSet {
 public:
  constexpr FeatureSet() = default;
  constexpr FeatureSet(std::initializer_list<Feature> features) {
    for (Feature f : features) add(f);
  }
  constexpr void add(Feature f) { bits_ |= bit(f); }
  constexpr void remove(Feature f) { bits_ &= ~bit(f); }
  constexpr bool has(Feature f) const { return (bits_ & bit(f)) != 0; }
  constexpr bool contains(FeatureSet other) const { return (bits_ & other.bits_) == other.bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr FeatureSet operator&(FeatureSet o) const { return from_bits(bits_ & o.bits_); }
  constexpr FeatureSet operator|(FeatureSet o) const { return from_bits(bits_ | o.bits_); }
  constexpr FeatureSet without(FeatureSet o) const { return from_bits(bits_ & ~o.bits_); }
  constexpr bool operator==(const FeatureSet&) const = default;

  std::vector<Feature> list() const;
  std::string to_string() const;  // "avx2 fma ..." in enum order; "none" when empty

 private:
  static constexpr uint64_t bit(Feature f) { return uint64_t{1} << static_cast<unsigned>(f); }
  static constexpr FeatureSet from_bits(uint64_t b) {
    FeatureSet s;
    s.bits_ = b;
    return s;
  }
  uint64_t bits_ = 0;
};

// Whether the CPU multiplies bf16 in hardware (AVX512_BF16, AMX-BF16, Arm's BF16). Without it bf16 is
// emulated: armory widens it to fp32 FMAs (BF16 fast math no faster than fp32), PyTorch far slower.
bool has_bf16_arithmetic(const FeatureSet& features) noexcept;

struct CacheLevel {
  int level = 0;
  std::string type;         // "Data", "Instruction", "Unified"
  uint64_t size_bytes = 0;
  int shared_by_cpus = 0;   // logical CPUs sharing this cache (0 when unknown)
};

struct CpuInfo {
  Arch arch = Arch::unknown;
  std::string vendor;        // "AuthenticAMD", "GenuineIntel", "ARM", "Ampere", ...
  std::string model_name;    // brand string or a name built from the MIDR
  std::string uarch;         // "zen4", "skylake-x", "neoverse-n2", ... ("unknown" when not recognised)
  // x86: family/model/stepping as the kernel prints them. aarch64: MIDR_EL1 fields.
  uint32_t family = 0, model = 0, stepping = 0;
  uint32_t implementer = 0, part = 0, variant = 0, revision = 0;

  FeatureSet features;        // usable: the CPU has it AND the OS enabled its state
  FeatureSet hidden_features; // the CPU reports it but the OS or hypervisor disabled it
  int sve_vector_bits = 0;    // 0 without SVE

  std::vector<CacheLevel> caches;
  int online_cpus = 0;        // logical CPUs online in the machine
  int affinity_cpus = 0;      // CPUs this process may be scheduled on
  double cpu_quota = 0;       // cgroup CPU limit in CPUs (0 = no limit)
  int usable_cores = 1;       // what armory sizes its thread pool to

  std::string source;         // how this was learnt: "cpuid+sysfs", "hwcap+sysfs", "fixture:<root>"
  std::vector<std::string> notes;  // what could not be read and why (never fatal)
};

// The machine this process runs on, cached after the first call.
const CpuInfo& host_cpu();

// Detect from a directory that stands in for "/" (proc/cpuinfo, sys/devices/system/cpu/..., sys/fs/cgroup/...,
// proc/self/status, proc/self/cgroup). Used by the tests with checked-in fixtures; parses x86 and aarch64
// files on any host.
Result<CpuInfo> detect_cpu_from_root(const std::string& root);

// The same, probing the live machine with CPUID/XGETBV or HWCAP/prctl for the ISA features.
CpuInfo detect_host_cpu();

}  // namespace armory
