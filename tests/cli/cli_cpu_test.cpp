// `armory --version`, `armory cpu` and option checking, run as a user would run them.
#include <armory/cpu.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace armory {
namespace {

struct CliResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CliResult run_cli(const std::string& env, const std::string& args) {
  std::string command = env + " " + ARMORY_CLI_COMMAND + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

#if defined(__x86_64__)
std::string proc_cpuinfo_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) == 0) {
      std::string flags = " ";
      flags += line.substr(line.find(':') + 1);
      return flags + " ";
    }
  }
  return {};
}
#endif

TEST(Cli, VersionNamesCommitAndBuildType) {
  CliResult r = run_cli("", "--version");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("armory 0."), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("commit "), std::string::npos) << r.output;
  EXPECT_TRUE(r.output.find("Release") != std::string::npos || r.output.find("Debug") != std::string::npos ||
              r.output.find("RelWithDebInfo") != std::string::npos)
      << r.output;
}

// Integer options name the value and what they take (CLI11's own message printed a range up to 1.8e308).
TEST(Cli, IntegerOptionsSayWhatTheyTake) {
  const std::pair<const char*, const char*> cases[] = {
      {"run model.onnx --batch 0", "--batch: 0 is not an integer >= 1"},
      {"run model.onnx --threads -2", "--threads: -2 is not an integer >= 0"},
      {"run model.onnx --runs 3x", "--runs: 3x is not an integer >= 1"},
  };
  for (const auto& [args, message] : cases) {
    CliResult r = run_cli("", args);
    EXPECT_EQ(r.exit_code, 2) << args;  // a usage error, as CLI11's own codes (105-109) are not
    EXPECT_NE(r.output.find(message), std::string::npos) << args << ": " << r.output;
  }
  for (const char* args : {"--no-such-option", "run", "cpu --root"}) {
    CliResult r = run_cli("", args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.output;
  }
  EXPECT_EQ(run_cli("", "--help").exit_code, 0);
}

TEST(Cli, CpuJsonDescribesThisMachine) {
  CliResult r = run_cli("ARMORY_ISA=", "cpu --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  const CpuInfo& host = host_cpu();
  EXPECT_EQ(j["arch"], std::string(arch_name(host.arch)));
  EXPECT_EQ(j["usable_cores"], host.usable_cores);
  EXPECT_GE(j["usable_cores"].get<int>(), 1);
#if defined(__x86_64__)
  // Whatever /proc/cpuinfo lists, the JSON lists too (on this AVX-512 machine: avx512f and avx512_bf16).
  std::string flags = proc_cpuinfo_flags();
  for (const char* f : {"avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"}) {
    bool in_proc = flags.find(std::string(" ") + f + " ") != std::string::npos;
    bool in_json = std::find(j["features"].begin(), j["features"].end(), f) != j["features"].end();
    EXPECT_EQ(in_proc, in_json) << f;
  }
#endif
}

TEST(Cli, IsaCapIsShown) {
#if defined(__x86_64__)
  if (!host_cpu().features.has(Feature::avx2)) GTEST_SKIP() << "CPU without AVX2";
  CliResult r = run_cli("ARMORY_ISA=avx2", "cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cap avx2 (ARMORY_ISA)"), std::string::npos) << r.output;
#else
  if (!host_cpu().features.has(Feature::asimd)) GTEST_SKIP() << "CPU without NEON";
  CliResult r = run_cli("ARMORY_ISA=neon", "cpu");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cap neon (ARMORY_ISA)"), std::string::npos) << r.output;
#endif
}

TEST(Cli, IsaOfAnotherArchitectureIsAClearError) {
#if defined(__x86_64__)
  CliResult r = run_cli("ARMORY_ISA=sve", "cpu");
  EXPECT_NE(r.output.find("ARMORY_ISA=sve is for aarch64 but this CPU is x86_64"), std::string::npos) << r.output;
#else
  CliResult r = run_cli("ARMORY_ISA=avx2", "cpu");
  EXPECT_NE(r.output.find("ARMORY_ISA=avx2 is for x86_64 but this CPU is aarch64"), std::string::npos) << r.output;
#endif
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("this CPU supports: scalar"), std::string::npos) << r.output;
}

TEST(Cli, FixtureRootDescribesTheYitian710) {
  CliResult r = run_cli("ARMORY_ISA=", std::string("cpu --json --root ") + ARMORY_FIXTURES_DIR + "/cpu/yitian710-n2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["uarch"], "neoverse-n2");
  EXPECT_EQ(j["sve_vector_bits"], 128);
  EXPECT_EQ(j["usable_cores"], 128);
  EXPECT_EQ(j["isa"]["best"], "sve_bf16");
#if defined(__aarch64__)
  // An aarch64 build names the kernels it would run on that N2 (at its 128-bit vector length).
  EXPECT_NE(j["kernels"]["gemm f32"].get<std::string>().find("gemm_f32_8x3vl__sve (MR=8 NR=12"), std::string::npos)
      << j["kernels"];
  EXPECT_NE(j["kernels"]["gemm bf16"].get<std::string>().find("gemm_bf16_8x4vl__svebfmmla"), std::string::npos)
      << j["kernels"];
#endif
}

TEST(Cli, FixtureRootDescribesGraviton2Kernels) {
  CliResult r = run_cli("ARMORY_ISA=", std::string("cpu --json --root ") + ARMORY_FIXTURES_DIR + "/cpu/graviton2-n1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["uarch"], "neoverse-n1");
#if defined(__aarch64__)
  EXPECT_NE(j["kernels"]["gemm f32"].get<std::string>().find("gemm_f32_8x12__neon"), std::string::npos) << j["kernels"];
  EXPECT_NE(j["kernels"]["gemm bf16"].get<std::string>().find("__scalar"), std::string::npos)
      << "N1 has no BF16: " << j["kernels"];
#endif
}

TEST(Cli, MissingFixtureRootIsAnError) {
  // The doctor examined a missing root as an empty machine ("unknown CPU") and exited 0.
  for (const char* command : {"cpu", "doctor"}) {
    CliResult r = run_cli("", std::string(command) + " --root /nonexistent/armory");
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_NE(r.output.find("Directory does not exist: /nonexistent/armory"), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace armory
