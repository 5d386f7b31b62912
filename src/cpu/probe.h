// Live probes of the ISA features, one per architecture; each is compiled only for its own target.
#pragma once

#include <armory/cpu.h>

namespace armory::cpu {

// CPUID + XGETBV (+ the AMX permission request): fills vendor, family/model/stepping, brand string,
// features and hidden_features.
void probe_x86(CpuInfo& cpu);

// getauxval(AT_HWCAP/AT_HWCAP2) and prctl(PR_SVE_GET_VL): fills features, sve_vector_bits and, when the
// kernel traps MRS for user space (HWCAP_CPUID), the MIDR fields.
void probe_aarch64(CpuInfo& cpu);

}  // namespace armory::cpu
