// Every checked-in machine (tests/fixtures/cpu/<name>) is detected as its expected.json says.
#include <armory/cpu.h>
#include <armory/isa.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace armory {
namespace {

namespace fs = std::filesystem;

const fs::path kCpuFixtures = fs::path(ARMORY_FIXTURES_DIR) / "cpu";

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCpuFixtures)) {
    if (fs::exists(entry.path() / "expected.json")) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

uint64_t cache_size(const CpuInfo& cpu, int level, const std::string& type) {
  for (const auto& c : cpu.caches) {
    if (c.level == level && c.type == type) return c.size_bytes;
  }
  return 0;
}

class CpuFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(CpuFixture, DetectedAsExpected) {
  fs::path root = kCpuFixtures / GetParam();
  std::ifstream in(root / "expected.json");
  nlohmann::json expected = nlohmann::json::parse(in);

  auto detected = detect_cpu_from_root(root.string());
  ASSERT_TRUE(detected.ok()) << detected.status().message();
  const CpuInfo& cpu = detected.value();

  EXPECT_EQ(arch_name(cpu.arch), expected["arch"].get<std::string>());
  EXPECT_EQ(cpu.vendor, expected["vendor"].get<std::string>());
  EXPECT_EQ(cpu.uarch, expected["uarch"].get<std::string>());
  FeatureSet want;
  for (const auto& name : expected["features"]) {
    Feature f;
    ASSERT_TRUE(parse_feature(name.get<std::string>(), &f)) << name;
    want.add(f);
  }
  EXPECT_EQ(cpu.features.to_string(), want.to_string());
  EXPECT_EQ(cpu.sve_vector_bits, expected["sve_vector_bits"].get<int>());
  EXPECT_EQ(cpu.online_cpus, expected["online_cpus"].get<int>());
  EXPECT_EQ(cpu.usable_cores, expected["usable_cores"].get<int>());
  EXPECT_EQ(isa_name(best_isa(cpu)), expected["best_isa"].get<std::string>());
  if (expected.contains("cpu_quota")) {
    EXPECT_DOUBLE_EQ(cpu.cpu_quota, expected["cpu_quota"].get<double>());
  }
  if (expected.contains("l1d")) {
    EXPECT_EQ(cache_size(cpu, 1, "Data"), expected["l1d"].get<uint64_t>());
  }
  if (expected.contains("l3")) {
    EXPECT_EQ(cache_size(cpu, 3, "Unified"), expected["l3"].get<uint64_t>());
  }
  EXPECT_FALSE(cpu.model_name.empty());
}

INSTANTIATE_TEST_SUITE_P(Machines, CpuFixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(CpuFixtureErrors, MissingRootIsAnErrorNotACrash) {
  auto detected = detect_cpu_from_root("/nonexistent/armory-fixture");
  ASSERT_FALSE(detected.ok());
  EXPECT_EQ(detected.status().code(), Errc::not_found);
  EXPECT_NE(detected.status().message().find("proc/cpuinfo"), std::string::npos);
}

TEST(CpuFixtureErrors, GarbageCpuinfoIsAParseError) {
  fs::path root = fs::temp_directory_path() / ("armory-garbage-" + std::to_string(::getpid()));
  fs::create_directories(root / "proc");
  std::ofstream(root / "proc" / "cpuinfo") << "\x01\x02 no colon here\n\n:::\n";
  auto detected = detect_cpu_from_root(root.string());
  fs::remove_all(root);
  ASSERT_FALSE(detected.ok());
  EXPECT_EQ(detected.status().code(), Errc::parse_error);
}

TEST(CpuFixtureErrors, MalformedTopologyFilesFallBackToOneCore) {
  fs::path root = fs::temp_directory_path() / ("armory-malformed-" + std::to_string(::getpid()));
  fs::create_directories(root / "proc/self");
  fs::create_directories(root / "sys/devices/system/cpu");
  fs::create_directories(root / "sys/fs/cgroup");
  std::ofstream(root / "proc/cpuinfo") << "processor\t: 0\nFeatures\t: asimd\nCPU implementer\t: zz\n";
  std::ofstream(root / "sys/devices/system/cpu/online") << "7-3\n";
  std::ofstream(root / "proc/self/status") << "Cpus_allowed_list:\tgarbage\n";
  std::ofstream(root / "sys/fs/cgroup/cpu.max") << "lots 0\n";
  auto detected = detect_cpu_from_root(root.string());
  fs::remove_all(root);
  ASSERT_TRUE(detected.ok()) << detected.status().message();
  EXPECT_EQ(detected->usable_cores, 1);
  EXPECT_EQ(detected->uarch, "unknown");
  EXPECT_EQ(detected->cpu_quota, 0.0);
}

}  // namespace
}  // namespace armory
