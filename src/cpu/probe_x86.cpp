#include "cpu/probe.h"

#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace armory::cpu {

namespace {

struct Regs {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs cpuid(unsigned leaf, unsigned subleaf = 0) {
  Regs r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

bool bit(unsigned reg, int n) { return (reg >> n) & 1u; }

uint64_t read_xcr0() {
  unsigned lo = 0, hi = 0;
  // xgetbv with ecx=0; encoded as bytes so the file needs no -mxsave.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}

// Linux hands out AMX tile state only after this request (arch_prctl ARCH_REQ_XCOMP_PERM).
bool request_amx_permission() {
  constexpr int kArchReqXcompPerm = 0x1023;
  constexpr int kXfeatureXtileData = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtileData) == 0;
}

}  // namespace

void probe_x86(CpuInfo& cpu) {
  Regs leaf0 = cpuid(0);
  unsigned max_leaf = leaf0.eax;
  char vendor[13] = {};
  std::memcpy(vendor + 0, &leaf0.ebx, 4);
  std::memcpy(vendor + 4, &leaf0.edx, 4);
  std::memcpy(vendor + 8, &leaf0.ecx, 4);
  cpu.vendor = vendor;

  Regs leaf1 = cpuid(1);
  unsigned base_family = (leaf1.eax >> 8) & 0xF;
  unsigned base_model = (leaf1.eax >> 4) & 0xF;
  cpu.family = base_family == 0xF ? base_family + ((leaf1.eax >> 20) & 0xFF) : base_family;
  cpu.model = (base_family == 0x6 || base_family == 0xF) ? (((leaf1.eax >> 16) & 0xF) << 4) | base_model : base_model;
  cpu.stepping = leaf1.eax & 0xF;

  if (cpuid(0x80000000).eax >= 0x80000004) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      Regs r = cpuid(0x80000002 + i);
      std::memcpy(brand + 16 * i + 0, &r.eax, 4);
      std::memcpy(brand + 16 * i + 4, &r.ebx, 4);
      std::memcpy(brand + 16 * i + 8, &r.ecx, 4);
      std::memcpy(brand + 16 * i + 12, &r.edx, 4);
    }
    std::string name = brand;
    size_t first = name.find_first_not_of(' ');
    size_t last = name.find_last_not_of(' ');
    cpu.model_name = first == std::string::npos ? "" : name.substr(first, last - first + 1);
  }

  // What the silicon reports.
  FeatureSet reported;
  bool osxsave = bit(leaf1.ecx, 27);
  if (bit(leaf1.ecx, 12)) reported.add(Feature::fma);
  if (max_leaf >= 7) {
    Regs leaf7 = cpuid(7, 0);
    if (bit(leaf7.ebx, 5)) reported.add(Feature::avx2);
    if (bit(leaf7.ebx, 16)) reported.add(Feature::avx512f);
    if (bit(leaf7.ebx, 17)) reported.add(Feature::avx512dq);
    if (bit(leaf7.ebx, 30)) reported.add(Feature::avx512bw);
    if (bit(leaf7.ebx, 31)) reported.add(Feature::avx512vl);
    if (bit(leaf7.ecx, 11)) reported.add(Feature::avx512_vnni);
    if (bit(leaf7.edx, 22)) reported.add(Feature::amx_bf16);
    if (bit(leaf7.edx, 24)) reported.add(Feature::amx_tile);
    if (bit(leaf7.edx, 25)) reported.add(Feature::amx_int8);
    if (leaf7.eax >= 1 && bit(cpuid(7, 1).eax, 5)) reported.add(Feature::avx512_bf16);
  }

  // What the OS saves and restores on a context switch (XCR0): without it the registers are unusable.
  uint64_t xcr0 = osxsave ? read_xcr0() : 0;
  bool os_avx = (xcr0 & 0x6) == 0x6;             // XMM and YMM state
  bool os_avx512 = os_avx && (xcr0 & 0xE0) == 0xE0;  // opmask, ZMM_Hi256, Hi16_ZMM
  bool os_amx = (xcr0 & 0x60000) == 0x60000;       // XTILECFG, XTILEDATA

  FeatureSet avx_family = {Feature::avx2, Feature::fma};
  FeatureSet avx512_family = {Feature::avx512f, Feature::avx512bw, Feature::avx512dq, Feature::avx512vl,
                              Feature::avx512_bf16, Feature::avx512_vnni};
  FeatureSet amx_family = {Feature::amx_tile, Feature::amx_bf16, Feature::amx_int8};

  FeatureSet disabled;
  if (!os_avx) disabled = disabled | avx_family | avx512_family;
  if (!os_avx512) disabled = disabled | avx512_family;
  if ((reported & amx_family).empty() == false && !(os_amx && request_amx_permission())) {
    disabled = disabled | amx_family;
  }
  cpu.features = reported.without(disabled);
  cpu.hidden_features = reported & disabled;
}

}  // namespace armory::cpu
