#include "cpu/probe.h"

#include <sys/auxv.h>
#include <sys/prctl.h>

namespace armory::cpu {

namespace {

// Bit positions from the kernel's arch/arm64/include/uapi/asm/hwcap.h (stable ABI).
constexpr unsigned long kHwcapAsimd = 1ul << 1;
constexpr unsigned long kHwcapAsimdHp = 1ul << 10;
constexpr unsigned long kHwcapCpuid = 1ul << 11;
constexpr unsigned long kHwcapAsimdDp = 1ul << 20;
constexpr unsigned long kHwcapSve = 1ul << 22;
constexpr unsigned long kHwcap2Sve2 = 1ul << 1;
constexpr unsigned long kHwcap2SveBf16 = 1ul << 12;
constexpr unsigned long kHwcap2I8mm = 1ul << 13;
constexpr unsigned long kHwcap2Bf16 = 1ul << 14;

constexpr int kPrSveGetVl = 51;
constexpr int kPrSveVlLenMask = 0xffff;

}  // namespace

void probe_aarch64(CpuInfo& cpu) {
  unsigned long hwcap = getauxval(AT_HWCAP);
  unsigned long hwcap2 = getauxval(AT_HWCAP2);
  FeatureSet f;
  if (hwcap & kHwcapAsimd) f.add(Feature::asimd);
  if (hwcap & kHwcapAsimdHp) f.add(Feature::fp16);
  if (hwcap & kHwcapAsimdDp) f.add(Feature::dotprod);
  if (hwcap & kHwcapSve) f.add(Feature::sve);
  if (hwcap2 & kHwcap2Sve2) f.add(Feature::sve2);
  if (hwcap2 & kHwcap2Bf16) f.add(Feature::bf16);
  if (hwcap2 & kHwcap2I8mm) f.add(Feature::i8mm);
  if (hwcap2 & kHwcap2SveBf16) f.add(Feature::svebf16);
  cpu.features = f;
  cpu.hidden_features = {};

  cpu.sve_vector_bits = 0;
  if (f.has(Feature::sve)) {
    int vl = prctl(kPrSveGetVl, 0, 0, 0, 0);
    if (vl > 0) cpu.sve_vector_bits = (vl & kPrSveVlLenMask) * 8;
  }

  if (cpu.implementer == 0 && (hwcap & kHwcapCpuid)) {
    // The kernel emulates this MRS for user space when HWCAP_CPUID is set.
    unsigned long midr = 0;
    __asm__ volatile("mrs %0, MIDR_EL1" : "=r"(midr));
    cpu.implementer = (midr >> 24) & 0xff;
    cpu.variant = (midr >> 20) & 0xf;
    cpu.part = (midr >> 4) & 0xfff;
    cpu.revision = midr & 0xf;
  }
}

}  // namespace armory::cpu
