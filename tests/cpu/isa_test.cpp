#include <armory/isa.h>

#include <gtest/gtest.h>

namespace armory {
namespace {

CpuInfo zen4_like() {
  CpuInfo cpu;
  cpu.arch = Arch::x86_64;
  cpu.features = isa_features(IsaLevel::avx512_bf16);
  return cpu;
}

CpuInfo n2_like() {
  CpuInfo cpu;
  cpu.arch = Arch::aarch64;
  cpu.features = isa_features(IsaLevel::sve_bf16);
  cpu.sve_vector_bits = 128;
  return cpu;
}

TEST(IsaNames, RoundTrip) {
  for (Arch arch : {Arch::x86_64, Arch::aarch64}) {
    for (IsaLevel level : isa_levels(arch)) {
      auto parsed = parse_isa(isa_name(level));
      ASSERT_TRUE(parsed);
      EXPECT_EQ(*parsed, level);
    }
  }
  EXPECT_FALSE(parse_isa("avx1024"));
}

TEST(IsaLevels, HigherLevelsIncludeLowerOnes) {
  // x86 is a chain; aarch64 is a diamond: neon below both neon_bf16 and sve, sve_bf16 above both.
  const std::pair<IsaLevel, IsaLevel> includes[] = {
      {IsaLevel::avx512, IsaLevel::avx2},      {IsaLevel::avx512_bf16, IsaLevel::avx512},
      {IsaLevel::neon_bf16, IsaLevel::neon},   {IsaLevel::sve, IsaLevel::neon},
      {IsaLevel::sve_bf16, IsaLevel::sve},     {IsaLevel::sve_bf16, IsaLevel::neon_bf16},
  };
  for (auto [higher, lower] : includes) {
    EXPECT_TRUE(isa_features(higher).contains(isa_features(lower)))
        << isa_name(higher) << " does not include " << isa_name(lower);
    EXPECT_TRUE(isa_required_features(higher).contains(isa_required_features(lower)));
  }
  EXPECT_FALSE(isa_features(IsaLevel::sve).has(Feature::bf16));
}

TEST(IsaPolicy, DefaultIsTheBest) {
  auto policy = make_isa_policy(zen4_like(), nullptr);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->cap, IsaLevel::avx512_bf16);
  EXPECT_EQ(policy->best, IsaLevel::avx512_bf16);
  EXPECT_FALSE(policy->from_env);
  EXPECT_TRUE(policy->allowed.has(Feature::avx512_bf16));
}

TEST(IsaPolicy, CapLowersAndHidesFeatures) {
  auto policy = make_isa_policy(zen4_like(), "avx2");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  EXPECT_EQ(policy->cap, IsaLevel::avx2);
  EXPECT_TRUE(policy->from_env);
  EXPECT_TRUE(policy->allowed.has(Feature::fma));
  EXPECT_FALSE(policy->allowed.has(Feature::avx512f));

  auto neon = make_isa_policy(n2_like(), "neon");
  ASSERT_TRUE(neon.ok());
  EXPECT_FALSE(neon->allowed.has(Feature::sve));
  EXPECT_FALSE(neon->allowed.has(Feature::bf16));

  auto sve = make_isa_policy(n2_like(), "sve");
  ASSERT_TRUE(sve.ok());
  EXPECT_TRUE(sve->allowed.has(Feature::sve));
  EXPECT_FALSE(sve->allowed.has(Feature::bf16)) << "capping at sve must also rule out BF16 kernels";
}

TEST(IsaPolicy, OtherArchitectureIsAClearError) {
  auto policy = make_isa_policy(zen4_like(), "sve");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), Errc::unsupported);
  const std::string& msg = policy.status().message();
  EXPECT_NE(msg.find("ARMORY_ISA=sve"), std::string::npos) << msg;
  EXPECT_NE(msg.find("aarch64"), std::string::npos) << msg;
  EXPECT_NE(msg.find("avx512_bf16"), std::string::npos) << "must list what the CPU supports: " << msg;
}

TEST(IsaPolicy, AboveTheCpuIsAnError) {
  CpuInfo skx = zen4_like();
  skx.features.remove(Feature::avx512_bf16);
  auto policy = make_isa_policy(skx, "avx512_bf16");
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.status().message().find("avx512_bf16, which this CPU lacks"), std::string::npos)
      << policy.status().message();
}

TEST(IsaPolicy, UnknownNameListsTheLevels) {
  auto policy = make_isa_policy(zen4_like(), "fastest");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), Errc::invalid_argument);
  EXPECT_NE(policy.status().message().find("sve_bf16"), std::string::npos);
}

TEST(IsaPolicy, ScalarAlwaysAllowed) {
  for (CpuInfo cpu : {zen4_like(), n2_like(), CpuInfo{}}) {
    auto policy = make_isa_policy(cpu, "scalar");
    ASSERT_TRUE(policy.ok());
    EXPECT_TRUE(policy->allowed.empty());
  }
}

TEST(IsaBest, A64fxHasSveWithoutBf16) {
  CpuInfo a64fx;
  a64fx.arch = Arch::aarch64;
  a64fx.features = {Feature::asimd, Feature::fp16, Feature::sve};
  EXPECT_EQ(best_isa(a64fx), IsaLevel::sve);
  CpuInfo sve_off;  // qemu -cpu max,sve=off: NEON BF16 without SVE
  sve_off.arch = Arch::aarch64;
  sve_off.features = {Feature::asimd, Feature::bf16, Feature::i8mm};
  EXPECT_EQ(best_isa(sve_off), IsaLevel::neon_bf16);
}

// bf16 multiplied in hardware: the BF16 levels of both architectures and AMX; not AVX2 or AVX-512 without
// AVX512_BF16, nor SVE without BF16 (A64FX).
TEST(IsaFeatures, Bf16ArithmeticIsTheBf16LevelsOrAmx) {
  EXPECT_TRUE(has_bf16_arithmetic(isa_features(IsaLevel::avx512_bf16)));
  EXPECT_TRUE(has_bf16_arithmetic(isa_features(IsaLevel::neon_bf16)));
  EXPECT_TRUE(has_bf16_arithmetic(isa_features(IsaLevel::sve_bf16)));
  EXPECT_TRUE(has_bf16_arithmetic({Feature::avx2, Feature::fma, Feature::amx_tile, Feature::amx_bf16}));
  EXPECT_FALSE(has_bf16_arithmetic(isa_features(IsaLevel::avx2)));
  EXPECT_FALSE(has_bf16_arithmetic(isa_features(IsaLevel::avx512)));
  EXPECT_FALSE(has_bf16_arithmetic({Feature::asimd, Feature::fp16, Feature::sve}));
  EXPECT_FALSE(has_bf16_arithmetic({}));
}

}  // namespace
}  // namespace armory
