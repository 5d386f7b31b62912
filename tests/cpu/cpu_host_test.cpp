// The live detector on the machine running the tests, checked against what /proc and the scheduler say.
#include <armory/cpu.h>
#include <armory/isa.h>

#include "cpu/system_files.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace armory {
namespace {

std::string cpuinfo_value(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return std::string(cpu::trim(line.substr(colon + 1)));
    }
  }
  return {};
}

bool cpuinfo_matches_build() {
#if defined(__x86_64__)
  return !cpuinfo_value("flags").empty();
#elif defined(__aarch64__)
  return !cpuinfo_value("Features").empty();  // under qemu-user /proc/cpuinfo is the x86 host's
#else
  return false;
#endif
}

TEST(HostCpu, ArchitectureIsTheBuildTarget) {
  const CpuInfo& cpu = host_cpu();
#if defined(__x86_64__)
  EXPECT_EQ(cpu.arch, Arch::x86_64);
#elif defined(__aarch64__)
  EXPECT_EQ(cpu.arch, Arch::aarch64);
#endif
  EXPECT_GE(cpu.usable_cores, 1);
}

TEST(HostCpu, FeaturesAgreeWithProcCpuinfo) {
  if (!cpuinfo_matches_build()) GTEST_SKIP() << "/proc/cpuinfo describes another architecture (emulator)";
  const CpuInfo& live = host_cpu();
  auto from_files = detect_cpu_from_root("/");
  ASSERT_TRUE(from_files.ok()) << from_files.status().message();
  // The kernel lists only features whose state it enables, so CPUID+XGETBV (or HWCAP) must agree.
  EXPECT_EQ(live.features.to_string(), from_files->features.to_string());
  EXPECT_EQ(live.uarch, from_files->uarch);
#if defined(__x86_64__)
  EXPECT_EQ(live.vendor, cpuinfo_value("vendor_id"));
  EXPECT_EQ(std::to_string(live.family), cpuinfo_value("cpu family"));
  EXPECT_EQ(std::to_string(live.model), cpuinfo_value("model"));
#endif
}

TEST(HostCpu, UsableCoresFollowAffinityAndQuota) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  const CpuInfo& cpu = host_cpu();
  EXPECT_EQ(cpu.affinity_cpus, CPU_COUNT(&set));
  EXPECT_LE(cpu.usable_cores, CPU_COUNT(&set));
  if (cpu.cpu_quota == 0) {
    EXPECT_EQ(cpu.usable_cores, std::min<int>(CPU_COUNT(&set), cpu.online_cpus));
  }
}

TEST(HostCpu, SveVectorLengthMatchesTheProcess) {
  const CpuInfo& cpu = host_cpu();
  if (!cpu.features.has(Feature::sve)) {
    EXPECT_EQ(cpu.sve_vector_bits, 0);
    return;
  }
  EXPECT_GE(cpu.sve_vector_bits, 128);
  EXPECT_EQ(cpu.sve_vector_bits % 128, 0);
}

TEST(HostCpu, IsaPolicyOfTheProcessIsValidOrExplained) {
  const auto& policy = host_isa_policy();
  if (!policy.ok()) {
    EXPECT_FALSE(policy.status().message().empty());
    return;
  }
  EXPECT_TRUE(host_cpu().features.contains(policy->allowed));
}

// The test command names the CPU each suite runs on (ARMORY_TEST_EXPECT: the best level and, for SVE,
// the vector length) because it leaves out the forced runs of that level: the runs without ARMORY_ISA are
// the ones that cover it, which holds only while detection still picks it there.
TEST(HostCpu, BestLevelIsTheOneTheTestCommandExpects) {
  const char* expected = std::getenv("ARMORY_TEST_EXPECT");
  if (expected == nullptr) GTEST_SKIP() << "ARMORY_TEST_EXPECT is not set (the test command sets it under qemu)";
  const auto& policy = host_isa_policy();
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  std::string got(isa_name(policy->best));
  if (host_cpu().sve_vector_bits > 0) got.append("/").append(std::to_string(host_cpu().sve_vector_bits));
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace armory
