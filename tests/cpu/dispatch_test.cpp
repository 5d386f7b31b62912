#include "cpu/dispatch.h"

#include <gtest/gtest.h>

#include <array>

namespace armory {
namespace {

struct FakeKernel {
  KernelId id;
  int payload;
};

constexpr std::array<FakeKernel, 5> kTable = {{
    {{"k__avx512bf16", IsaLevel::avx512_bf16, true}, 4},
    {{"k__sve", IsaLevel::sve, false}, 3},
    {{"k__avx512", IsaLevel::avx512, true}, 2},
    {{"k__avx2", IsaLevel::avx2, true}, 1},
    {{"k__scalar", IsaLevel::scalar, true}, 0},
}};

CpuInfo skylake_x() {
  CpuInfo cpu;
  cpu.arch = Arch::x86_64;
  cpu.features = isa_features(IsaLevel::avx512).without({Feature::avx512_vnni});
  return cpu;
}

TEST(Dispatch, PicksTheFirstEligibleAndExplainsTheRest) {
  CpuInfo cpu = skylake_x();
  auto policy = make_isa_policy(cpu, nullptr);
  ASSERT_TRUE(policy.ok());
  DispatchDecision decision;
  const FakeKernel* k = select_kernel<FakeKernel>(kTable, "fake", cpu, policy.value(), &decision);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->payload, 2);
  EXPECT_EQ(decision.chosen, "k__avx512");
  ASSERT_EQ(decision.rejected.size(), 2u);
  EXPECT_EQ(decision.rejected[0].second, "CPU lacks avx512_bf16");
  EXPECT_EQ(decision.rejected[1].second, "needs aarch64, this CPU is x86_64");
}

TEST(Dispatch, CapIsNamedAsTheReason) {
  CpuInfo cpu = skylake_x();
  auto policy = make_isa_policy(cpu, "avx2");
  ASSERT_TRUE(policy.ok());
  DispatchDecision decision;
  const FakeKernel* k = select_kernel<FakeKernel>(kTable, "fake", cpu, policy.value(), &decision);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->payload, 1);
  EXPECT_EQ(decision.rejected.back().second, "above the ISA cap avx2 set by ARMORY_ISA");
}

TEST(Dispatch, OsDisabledStateIsNamed) {
  CpuInfo cpu = skylake_x();
  FeatureSet avx512 = {Feature::avx512f, Feature::avx512bw, Feature::avx512dq, Feature::avx512vl};
  cpu.features = cpu.features.without(avx512);
  cpu.hidden_features = avx512;
  auto policy = make_isa_policy(cpu, nullptr);
  ASSERT_TRUE(policy.ok());
  DispatchDecision decision;
  const FakeKernel* k = select_kernel<FakeKernel>(kTable, "fake", cpu, policy.value(), &decision);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->payload, 1);
  EXPECT_NE(decision.rejected.back().second.find("OS or hypervisor disabled"), std::string::npos);
}

TEST(Dispatch, NotCompiledIsNamed) {
  CpuInfo n2;
  n2.arch = Arch::aarch64;
  n2.features = isa_features(IsaLevel::sve_bf16);
  auto policy = make_isa_policy(n2, nullptr);
  ASSERT_TRUE(policy.ok());
  DispatchDecision decision;
  const FakeKernel* k = select_kernel<FakeKernel>(kTable, "fake", n2, policy.value(), &decision);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->payload, 0);
  EXPECT_EQ(decision.rejected[1].second, "not compiled into this build");
}

}  // namespace
}  // namespace armory
