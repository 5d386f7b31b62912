#include "gemm/kernel_table.h"

#include <array>
#include <cstdio>

namespace armory::gemm_engine {

namespace {

// A row's function exists only in builds for its architecture; elsewhere the row stays, uncompiled, so
// that dispatch can say why it was skipped.
#if defined(__x86_64__)
constexpr bool kX86 = true;
#define ARMORY_X86_FN(fn) &fn
#else
constexpr bool kX86 = false;
#define ARMORY_X86_FN(fn) nullptr
#endif

#if defined(__aarch64__)
constexpr bool kArm = true;
#define ARMORY_ARM_FN(fn) &fn
#else
constexpr bool kArm = false;
#define ARMORY_ARM_FN(fn) nullptr
#endif

// Columns: {name, isa, compiled}, mr, nr (per 128 bits if scalable), k_group, fn, optional fn reading a
// row-major A unpacked, scalable, optional fp32 -> bf16 conversions for A and for B's pairs, optional
// edge tile reading A in place, optional small-problem tile reading A and B in place, optional fp32
// bias + ReLU epilogue, optional store of a finished tile to a bf16 C, optional unpacked-A tile storing a bf16
// C with the epilogue fused, optional unpacked-A fp32 tile with the epilogue fused, optional tile reading A and
// B in place that packs B's panel as it goes.
// One row per kernel, its optional parts in the order of KernelInfo.
// clang-format off
constexpr std::array<F32Kernel, 5> kF32 = {{
    {{"gemm_f32_12x32__avx512", IsaLevel::avx512, kX86}, 12, 32, 1, ARMORY_X86_FN(gemm_f32_12x32__avx512),
     ARMORY_X86_FN(gemm_f32_12x32__avx512_unpacked_a), false, nullptr, PairInterleave{},
     ARMORY_X86_FN(gemm_f32_12x32__avx512_unpacked_a_edge), ARMORY_X86_FN(gemm_f32_12x32__avx512_direct),
     ARMORY_X86_FN(bias_relu_f32__avx512), nullptr, nullptr, ARMORY_X86_FN(gemm_f32_12x32__avx512_unpacked_a_fused),
     ARMORY_X86_FN(gemm_f32_12x32__avx512_direct_packing_b)},
    {{"gemm_f32_6x16__avx2", IsaLevel::avx2, kX86}, 6, 16, 1, ARMORY_X86_FN(gemm_f32_6x16__avx2),
     ARMORY_X86_FN(gemm_f32_6x16__avx2_unpacked_a), false, nullptr, PairInterleave{},
     ARMORY_X86_FN(gemm_f32_6x16__avx2_unpacked_a_edge), ARMORY_X86_FN(gemm_f32_6x16__avx2_direct), nullptr, nullptr,
     nullptr, nullptr, ARMORY_X86_FN(gemm_f32_6x16__avx2_direct_packing_b)},
    {{"gemm_f32_8x3vl__sve", IsaLevel::sve, kArm}, 8, 12, 1, ARMORY_ARM_FN(gemm_f32_8x3vl__sve), nullptr, true},
    {{"gemm_f32_8x12__neon", IsaLevel::neon, kArm}, 8, 12, 1, ARMORY_ARM_FN(gemm_f32_8x12__neon)},
    {{"gemm_f32_4x16__scalar", IsaLevel::scalar, true}, 4, 16, 1, &gemm_f32_4x16__scalar},
}};

constexpr std::array<F64Kernel, 5> kF64 = {{
    {{"gemm_f64_12x16__avx512", IsaLevel::avx512, kX86}, 12, 16, 1, ARMORY_X86_FN(gemm_f64_12x16__avx512),
     ARMORY_X86_FN(gemm_f64_12x16__avx512_unpacked_a), false, nullptr, PairInterleave{},
     ARMORY_X86_FN(gemm_f64_12x16__avx512_unpacked_a_edge), ARMORY_X86_FN(gemm_f64_12x16__avx512_direct), nullptr,
     nullptr, nullptr, nullptr, ARMORY_X86_FN(gemm_f64_12x16__avx512_direct_packing_b)},
    {{"gemm_f64_6x8__avx2", IsaLevel::avx2, kX86}, 6, 8, 1, ARMORY_X86_FN(gemm_f64_6x8__avx2),
     ARMORY_X86_FN(gemm_f64_6x8__avx2_unpacked_a), false, nullptr, PairInterleave{},
     ARMORY_X86_FN(gemm_f64_6x8__avx2_unpacked_a_edge), ARMORY_X86_FN(gemm_f64_6x8__avx2_direct), nullptr, nullptr,
     nullptr, nullptr, ARMORY_X86_FN(gemm_f64_6x8__avx2_direct_packing_b)},
    {{"gemm_f64_8x3vl__sve", IsaLevel::sve, kArm}, 8, 6, 1, ARMORY_ARM_FN(gemm_f64_8x3vl__sve), nullptr, true},
    {{"gemm_f64_8x6__neon", IsaLevel::neon, kArm}, 8, 6, 1, ARMORY_ARM_FN(gemm_f64_8x6__neon)},
    {{"gemm_f64_4x8__scalar", IsaLevel::scalar, true}, 4, 8, 1, &gemm_f64_4x8__scalar},
}};

constexpr std::array<Bf16Kernel, 6> kBf16 = {{
    {{"gemm_bf16_8x4vl__svebfmmla", IsaLevel::sve_bf16, kArm}, 8, 8, 4, ARMORY_ARM_FN(gemm_bf16_8x4vl__svebfmmla), nullptr,
     true},
    {{"gemm_bf16_8x8__neonbfmmla", IsaLevel::neon_bf16, kArm}, 8, 8, 4, ARMORY_ARM_FN(gemm_bf16_8x8__neonbfmmla)},
    {{"gemm_bf16_8x12__neonbfdot", IsaLevel::neon_bf16, kArm}, 8, 12, 2, ARMORY_ARM_FN(gemm_bf16_8x12__neonbfdot)},
    {{"gemm_bf16_12x32__avx512bf16", IsaLevel::avx512_bf16, kX86}, 12, 32, 2, ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16),
     ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16_unpacked_a), false, ARMORY_X86_FN(convert_f32_to_bf16__avx512bf16),
     PairInterleave{ARMORY_X86_FN(interleave_f32_to_bf16__avx512bf16), ARMORY_X86_FN(interleave_bf16__avx512bf16)},
     ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16_unpacked_a_edge),
     {ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16_direct), ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16_direct_f32_b)},
     ARMORY_X86_FN(bias_relu_f32__avx512), ARMORY_X86_FN(store_bf16__avx512bf16),
     ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16_unpacked_a_bf16_c), nullptr,
     {ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16_direct_packing_b),
      ARMORY_X86_FN(gemm_bf16_12x32__avx512bf16_direct_packing_b_f32_b)}},
    {{"gemm_bf16_6x16__avx2", IsaLevel::avx2, kX86}, 6, 16, 2, ARMORY_X86_FN(gemm_bf16_6x16__avx2),
     ARMORY_X86_FN(gemm_bf16_6x16__avx2_unpacked_a), false, ARMORY_X86_FN(convert_f32_to_bf16__avx2),
     PairInterleave{ARMORY_X86_FN(interleave_f32_to_bf16__avx2), ARMORY_X86_FN(interleave_bf16__avx2)},
     ARMORY_X86_FN(gemm_bf16_6x16__avx2_unpacked_a_edge),
     {ARMORY_X86_FN(gemm_bf16_6x16__avx2_direct), ARMORY_X86_FN(gemm_bf16_6x16__avx2_direct_f32_b)}, nullptr,
     ARMORY_X86_FN(store_bf16__avx2), ARMORY_X86_FN(gemm_bf16_6x16__avx2_unpacked_a_bf16_c), nullptr,
     {ARMORY_X86_FN(gemm_bf16_6x16__avx2_direct_packing_b),
      ARMORY_X86_FN(gemm_bf16_6x16__avx2_direct_packing_b_f32_b)}},
    {{"gemm_bf16_4x16__scalar", IsaLevel::scalar, true}, 4, 16, 2, &gemm_bf16_4x16__scalar},
}};
// clang-format on

template <class Fn, size_t N>
Result<Plan<Fn>> choose(const std::array<KernelInfo<Fn>, N>& table, const char* operation, int element_bytes,
                        const CpuInfo& cpu, const Result<IsaPolicy>& policy, bool log) {
  if (!policy.ok()) return policy.status();
  DispatchDecision decision;
  bool verbose = log && verbose_enabled("dispatch");
  const KernelInfo<Fn>* row = select_kernel<KernelInfo<Fn>>(table, operation, cpu, policy.value(),
                                                            verbose ? nullptr : &decision);
  if (row == nullptr) return error(Errc::internal, std::string("no GEMM kernel for ") + operation);
  Plan<Fn> plan = plan_for(cpu, *row, element_bytes);
  if (verbose) {
    verbose_log("dispatch", "%s: %s runs with MR=%d NR=%d mc=%d kc=%d nc=%d (%s)", operation,
                std::string(row->id.name).c_str(), plan.mr, plan.nr, plan.blocking.mc, plan.blocking.kc,
                plan.blocking.nc, cpu.uarch.c_str());
  }
  return plan;
}

template <class PlanT>
std::string describe(const char* what, const Result<PlanT>& plan) {
  if (!plan) return std::string(what) + ": " + plan.status().message();
  const auto& p = plan.value();
  return std::string(what) + ": " + std::string(p.kernel->id.name) + " (MR=" + std::to_string(p.mr) +
         " NR=" + std::to_string(p.nr) + ", mc=" + std::to_string(p.blocking.mc) +
         " kc=" + std::to_string(p.blocking.kc) + " nc=" + std::to_string(p.blocking.nc) + ")";
}

}  // namespace

std::span<const F32Kernel> f32_kernels() { return kF32; }
std::span<const F64Kernel> f64_kernels() { return kF64; }
std::span<const Bf16Kernel> bf16_kernels() { return kBf16; }

const Result<F32Plan>& f32_plan() {
  static const Result<F32Plan> plan = choose(kF32, "gemm_f32", 4, host_cpu(), host_isa_policy(), true);
  return plan;
}

const Result<F64Plan>& f64_plan() {
  static const Result<F64Plan> plan = choose(kF64, "gemm_f64", 8, host_cpu(), host_isa_policy(), true);
  return plan;
}

const Result<Bf16Plan>& bf16_plan() {
  static const Result<Bf16Plan> plan = choose(kBf16, "gemm_bf16", 2, host_cpu(), host_isa_policy(), true);
  return plan;
}

std::string plan_summary(const CpuInfo& cpu, const Result<IsaPolicy>& policy) {
  return describe("gemm f32", choose(kF32, "gemm_f32", 4, cpu, policy, false)) + "\n" +
         describe("gemm f64", choose(kF64, "gemm_f64", 8, cpu, policy, false)) + "\n" +
         describe("gemm bf16", choose(kBf16, "gemm_bf16", 2, cpu, policy, false)) + "\n";
}

}  // namespace armory::gemm_engine

namespace armory {

std::string gemm_dispatch_summary() { return gemm_engine::plan_summary(host_cpu(), host_isa_policy()); }

std::string gemm_dispatch_summary(const CpuInfo& cpu, const IsaPolicy& policy) {
  return gemm_engine::plan_summary(cpu, Result<IsaPolicy>(policy));
}

}  // namespace armory
