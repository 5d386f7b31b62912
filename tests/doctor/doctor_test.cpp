// The doctor's checks: whole reports from fixture machines (a directory standing in for / plus the
// interpreters' recorded answers), and each check's ok / warning / problem cases on hand-made facts.
#include <armory/doctor.h>
#include <armory/isa.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/multiarch.h"
#include "doctor/checks.h"
#include "doctor/facts.h"

namespace armory::doctor {
namespace {

std::string fixture(const char* name) { return std::string(ARMORY_FIXTURES_DIR) + "/doctor/" + name; }

// The first finding of a category whose text contains `text` (nullptr when none).
const Finding* find(const std::vector<Finding>& findings, const std::string& category, const std::string& text = "") {
  for (const Finding& f : findings) {
    if (f.category == category && f.found.find(text) != std::string::npos) return &f;
  }
  return nullptr;
}

TEST(DoctorFixtures, NeoverseN2WithOpenBlasReportingHaswell) {
  const Report report = run({fixture("n2-openblas")});
  EXPECT_EQ(report.date, "2026-11-24");
  const Finding* cpu = find(report.findings, "cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->level, Level::ok);
  EXPECT_NE(cpu->found.find("SVE 128-bit"), std::string::npos) << cpu->found;
  const Finding* numpy = find(report.findings, "numpy");
  ASSERT_NE(numpy, nullptr);
  EXPECT_EQ(numpy->level, Level::warning);
  EXPECT_NE(numpy->found.find("Haswell"), std::string::npos);
  EXPECT_NE(numpy->fix.find("TARGET=NEOVERSEN2"), std::string::npos);
  EXPECT_NE(numpy->fix.find("armory blas enable"), std::string::npos);
  const Finding* torch = find(report.findings, "frameworks", "PyTorch 1.13.1");
  ASSERT_NE(torch, nullptr);
  EXPECT_EQ(torch->level, Level::warning);
  EXPECT_NE(torch->found.find("without the Arm Compute Library"), std::string::npos) << torch->found;
  EXPECT_EQ(find(report.findings, "python")->level, Level::ok);
  EXPECT_EQ(report.worst(), Level::warning);
}

TEST(DoctorFixtures, AlpineContainerWithASelfBuiltPython36) {
  const Report report = run({fixture("alpine-python36")});
  const Finding* libc = find(report.findings, "libc");
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->level, Level::warning);
  EXPECT_NE(libc->found.find("musl"), std::string::npos);
  EXPECT_NE(libc->found.find(".dockerenv"), std::string::npos);
  const Finding* eol = find(report.findings, "python", "end of life");
  ASSERT_NE(eol, nullptr);
  EXPECT_EQ(eol->level, Level::problem);
  const Finding* missing = find(report.findings, "python", "lacks ssl, bz2, lzma");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->level, Level::problem);
  EXPECT_NE(missing->fix.find("libssl-dev"), std::string::npos);
  const Finding* unreadable = find(report.findings, "python", "could not be examined");
  ASSERT_NE(unreadable, nullptr);
  EXPECT_EQ(unreadable->level, Level::unknown);
  EXPECT_EQ(report.worst(), Level::problem);
}

TEST(DoctorFixtures, QuotaOfTwoCoresWithOmpNumThreads128AndReferenceBlas) {
  const Report report = run({fixture("quota-reference-blas")});
  const Finding* omp = find(report.findings, "threads", "OMP_NUM_THREADS=128");
  ASSERT_NE(omp, nullptr);
  EXPECT_EQ(omp->level, Level::problem);
  EXPECT_EQ(omp->fix, "export OMP_NUM_THREADS=2");
  const Finding* openblas = find(report.findings, "threads", "OPENBLAS_NUM_THREADS=2");
  ASSERT_NE(openblas, nullptr);
  EXPECT_EQ(openblas->level, Level::ok);
  const Finding* numpy = find(report.findings, "numpy");
  ASSERT_NE(numpy, nullptr);
  EXPECT_EQ(numpy->level, Level::problem);
  EXPECT_NE(numpy->found.find("reference BLAS"), std::string::npos);
  EXPECT_NE(find(report.findings, "frameworks", "TensorFlow 2.12.0"), nullptr);
}

TEST(DoctorFixtures, AMissingRootIsReportedAsUnknownNotACrash) {
  const Report report = run({fixture("does-not-exist")});
  EXPECT_EQ(find(report.findings, "cpu")->level, Level::unknown);
  EXPECT_EQ(find(report.findings, "python")->level, Level::unknown);
  EXPECT_EQ(find(report.findings, "libc")->level, Level::unknown);
}

// ---- single checks on hand-made facts ---------------------------------------------------------------

Facts x86_facts() {
  Facts facts;
  facts.root = "/fixture";
  facts.date = "2026-11-24";
  facts.cpu.arch = Arch::x86_64;
  facts.cpu.model_name = "test CPU";
  facts.cpu.uarch = "zen4";
  facts.cpu.features = {Feature::avx2, Feature::fma, Feature::avx512f, Feature::avx512_bf16};
  facts.cpu.online_cpus = 8;
  facts.cpu.usable_cores = 8;
  return facts;
}

Interpreter python(const std::string& path, int minor) {
  Interpreter i;
  i.path = path;
  i.major = 3;
  i.minor = minor;
  i.version = "3." + std::to_string(minor) + ".1";
  i.prefix = i.base_prefix = "/usr";
  return i;
}

TEST(DoctorChecks, FeaturesTheHypervisorHidesAreAProblem) {
  Facts facts = x86_facts();
  facts.cpu.features = {Feature::avx2, Feature::fma};
  facts.cpu.hidden_features = {Feature::avx512f, Feature::avx512_bf16};
  std::vector<Finding> out;
  check_cpu(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::problem);
  EXPECT_NE(out[0].found.find("avx512f"), std::string::npos);
  EXPECT_NE(out[0].fix.find("host-passthrough"), std::string::npos);
}

TEST(DoctorChecks, EndOfLifeDependsOnTheDate) {
  for (auto [date, minor, level] : {std::tuple{"2026-10-30", 10, Level::warning},  // one day left
                                    std::tuple{"2026-11-01", 10, Level::problem},  // the day after
                                    std::tuple{"2026-11-24", 11, Level::ok},       // 11 months left
                                    std::tuple{"2027-06-01", 11, Level::warning},  // under 6 months left
                                    std::tuple{"2026-11-24", 13, Level::ok}}) {
    Facts facts = x86_facts();
    facts.date = date;
    facts.interpreters.push_back(python("/usr/bin/python3", minor));
    std::vector<Finding> out;
    check_python(facts, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].level, level) << date << " 3." << minor << ": " << out[0].found;
  }
  EXPECT_EQ(python_end_of_life(3, 10), "2026-10-31");
  EXPECT_EQ(python_end_of_life(3, 99), "");
}

TEST(DoctorChecks, SeveralInstallationsAreAWarning) {
  Facts facts = x86_facts();
  facts.interpreters.push_back(python("/usr/bin/python3", 11));
  Interpreter pyenv = python("/root/.pyenv/versions/3.12.1/bin/python3", 12);
  facts.interpreters.push_back(pyenv);
  std::vector<Finding> out;
  check_python(facts, out);
  const Finding* mix = find(out, "python", "several installations");
  ASSERT_NE(mix, nullptr);
  EXPECT_EQ(mix->level, Level::warning);
  EXPECT_NE(mix->found.find("pyenv"), std::string::npos);
}

TEST(DoctorChecks, NumpyOnEachKindOfBlas) {
  struct Case {
    const char* what;
    std::vector<std::string> files;
    bool armory, openblas;
    const char* core;
    Level level;
  };
  for (const Case& c :
       {Case{"armory", {"/usr/local/lib/armory/libblas.so.3"}, true, false, "", Level::ok},
        Case{"openblas skylakex", {"/usr/lib/libopenblas.so.0"}, false, true, "SkylakeX", Level::ok},
        Case{"openblas haswell", {"/usr/lib/libopenblas.so.0"}, false, true, "Haswell", Level::warning},
        Case{"reference", {"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"}, false, false, "", Level::problem},
        Case{"nothing mapped", {}, false, false, "", Level::unknown}}) {
    Facts facts = x86_facts();
    Interpreter i = python("/usr/bin/python3", 11);
    i.numpy_version = "1.24.2";
    i.blas_files = c.files;
    i.armory_blas_loaded = c.armory;
    i.openblas_loaded = c.openblas;
    i.openblas_corename = c.core;
    facts.interpreters.push_back(i);
    std::vector<Finding> out;
    check_numpy(facts, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].level, c.level) << c.what << ": " << out[0].found;
  }
}

TEST(DoctorChecks, FrameworksWithoutOneDnnOrWithItSwitchedOff) {
  Facts facts = x86_facts();
  Interpreter i = python("/usr/bin/python3", 11);
  i.torch_version = "2.1.0";
  i.torch_onednn = false;
  i.tensorflow_version = "2.15.0";
  facts.interpreters.push_back(i);
  facts.environ["TF_ENABLE_ONEDNN_OPTS"] = "0";
  std::vector<Finding> out;
  check_frameworks(facts, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].level, Level::warning);
  EXPECT_NE(out[0].found.find("without oneDNN"), std::string::npos);
  EXPECT_EQ(out[1].level, Level::warning);
  EXPECT_NE(out[1].fix.find("TF_ENABLE_ONEDNN_OPTS"), std::string::npos);

  // With oneDNN but BF16 fast math off, on a BF16 CPU: the advice to turn it on (and to use graph mode).
  facts.interpreters[0].torch_onednn = true;
  facts.interpreters[0].tensorflow_version.clear();
  out.clear();
  check_frameworks(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::warning);
  EXPECT_NE(out[0].fix.find("ONEDNN_DEFAULT_FPMATH_MODE=BF16"), std::string::npos);
  EXPECT_NE(out[0].fix.find("graph mode"), std::string::npos);

  // With oneDNN and BF16 fast math on, on a BF16 CPU: nothing to fix.
  facts.interpreters[0].torch_onednn = true;
  facts.interpreters[0].tensorflow_version.clear();
  facts.environ["ONEDNN_DEFAULT_FPMATH_MODE"] = "BF16";
  out.clear();
  check_frameworks(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::ok);
}

// oneDNN reads ONEDNN_DEFAULT_FPMATH_MODE (else DNNL_DEFAULT_FPMATH_MODE) in any case; "any" allows bf16 too,
// and a value it does not know leaves it strict.
TEST(DoctorChecks, OneDnnFpmathModesAsOneDnnReadsThem) {
  Facts facts = x86_facts();
  Interpreter i = python("/usr/bin/python3", 11);
  i.torch_version = "2.1.0";
  i.torch_onednn = true;
  facts.interpreters.push_back(i);
  auto torch_finding = [&](const std::map<std::string, std::string>& environ) {
    facts.environ = environ;
    std::vector<Finding> out;
    check_frameworks(facts, out);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? Finding{} : out[0];
  };
  for (const char* on : {"BF16", "bf16", "Bf16", "ANY", "any"}) {
    EXPECT_EQ(torch_finding({{"ONEDNN_DEFAULT_FPMATH_MODE", on}}).level, Level::ok) << on;
  }
  EXPECT_EQ(torch_finding({{"DNNL_DEFAULT_FPMATH_MODE", "bf16"}}).level, Level::ok);
  // The ONEDNN_ name wins over the DNNL_ one; an empty one counts as unset.
  EXPECT_EQ(torch_finding({{"ONEDNN_DEFAULT_FPMATH_MODE", "strict"}, {"DNNL_DEFAULT_FPMATH_MODE", "bf16"}}).level,
            Level::warning);
  EXPECT_EQ(torch_finding({{"ONEDNN_DEFAULT_FPMATH_MODE", ""}, {"DNNL_DEFAULT_FPMATH_MODE", "bf16"}}).level, Level::ok);

  const Finding strict = torch_finding({{"ONEDNN_DEFAULT_FPMATH_MODE", "TF32"}});
  EXPECT_EQ(strict.level, Level::warning);
  EXPECT_NE(strict.found.find("fast math is off"), std::string::npos) << strict.found;
  EXPECT_NE(strict.found.find("ONEDNN_DEFAULT_FPMATH_MODE=TF32"), std::string::npos) << strict.found;

  const Finding unknown = torch_finding({{"ONEDNN_DEFAULT_FPMATH_MODE", "bfloat16"}});
  EXPECT_EQ(unknown.level, Level::warning);
  EXPECT_NE(unknown.found.find("ignores ONEDNN_DEFAULT_FPMATH_MODE=bfloat16"), std::string::npos) << unknown.found;
  EXPECT_NE(unknown.fix.find("export ONEDNN_DEFAULT_FPMATH_MODE=BF16"), std::string::npos) << unknown.fix;

  // Without BF16 in the CPU, strict is right, and a value oneDNN ignores is only to be unset.
  facts.cpu.features = {Feature::avx2, Feature::fma, Feature::avx512f};
  EXPECT_EQ(torch_finding({}).level, Level::ok);
  const Finding ignored = torch_finding({{"DNNL_DEFAULT_FPMATH_MODE", "fast"}});
  EXPECT_EQ(ignored.level, Level::warning);
  EXPECT_EQ(ignored.fix.rfind("unset DNNL_DEFAULT_FPMATH_MODE", 0), 0u) << ignored.fix;
}

// ARMORY_ISA may only lower the ISA: a value armory cannot honour fails every product (a problem), a lower
// one is a warning, the best one is fine, and no finding without the variable.
TEST(DoctorChecks, ArmoryIsaOverrideThatFailsOrHoldsArmoryBack) {
  Facts facts = x86_facts();
  facts.cpu.features = isa_required_features(IsaLevel::avx512_bf16);
  auto isa_finding = [&](const char* value) -> const Finding* {
    static std::vector<Finding> out;
    out.clear();
    if (value)
      facts.environ["ARMORY_ISA"] = value;
    else
      facts.environ.erase("ARMORY_ISA");
    check_armory(facts, out);
    for (const Finding& f : out) {
      if (f.subject == "ARMORY_ISA") return &f;
    }
    return nullptr;
  };
  EXPECT_EQ(isa_finding(nullptr), nullptr);
  EXPECT_EQ(isa_finding(""), nullptr);
  for (const char* wrong : {"avx1024", "sve", "AVX2 "}) {
    const Finding* f = isa_finding(wrong);
    ASSERT_NE(f, nullptr) << wrong;
    EXPECT_EQ(f->level, Level::problem) << wrong;
    EXPECT_NE(f->found.find(std::string("ARMORY_ISA=") + wrong), std::string::npos) << f->found;
    EXPECT_EQ(f->fix, "unset ARMORY_ISA (armory then picks avx512_bf16, the best this CPU has)");
  }
  const Finding* lower = isa_finding("avx2");
  ASSERT_NE(lower, nullptr);
  EXPECT_EQ(lower->level, Level::warning);
  EXPECT_NE(lower->found.find("below avx512_bf16"), std::string::npos) << lower->found;
  const Finding* best = isa_finding("avx512_bf16");
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->level, Level::ok);
  // Above what the CPU has: Zen 3 without AVX-512.
  facts.cpu.features = isa_required_features(IsaLevel::avx2);
  const Finding* above = isa_finding("avx512");
  ASSERT_NE(above, nullptr);
  EXPECT_EQ(above->level, Level::problem);
  EXPECT_NE(above->found.find("which this CPU lacks"), std::string::npos) << above->found;
  EXPECT_EQ(above->fix, "unset ARMORY_ISA (armory then picks avx2, the best this CPU has)");
}

TEST(DoctorChecks, PyTorchOnGlibcMallocGetsTheCachingAllocator) {
  Facts facts = x86_facts();
  std::vector<Finding> out;
  facts.interpreters.push_back(python("/usr/bin/python3", 11));
  check_allocator(facts, out);
  EXPECT_TRUE(out.empty()) << "no PyTorch, nothing to say";

  facts.interpreters[0].torch_version = "1.13.1";
  check_allocator(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::warning);
  EXPECT_NE(out[0].fix.find("apt-get install libtcmalloc-minimal4"), std::string::npos) << out[0].fix;

  // Installed but not preloaded: the fix names the library that is there (tcmalloc before jemalloc).
  facts.caching_allocators = {"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
                              "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"};
  out.clear();
  check_allocator(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::warning);
  EXPECT_EQ(out[0].fix.find("apt-get"), std::string::npos) << out[0].fix;
  EXPECT_NE(out[0].fix.find("LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"), std::string::npos);

  facts.environ["LD_PRELOAD"] = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
  out.clear();
  check_allocator(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::ok);
  EXPECT_NE(out[0].found.find("jemalloc"), std::string::npos);
}

TEST(DoctorFixtures, InstalledAllocatorsAreFoundBelowTheRoot) {
  const std::string root = ::testing::TempDir() + "armory-doctor-allocators";
  const std::string dir = root + "/usr/lib/" + kDebianMultiarch;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/libtcmalloc_minimal.so.4") << "";
  const Facts facts = gather(root);
  std::filesystem::remove_all(root);
  ASSERT_EQ(facts.caching_allocators.size(), 1u);
  EXPECT_EQ(facts.caching_allocators[0], std::string("/usr/lib/") + kDebianMultiarch + "/libtcmalloc_minimal.so.4");
}

TEST(DoctorChecks, OpenBlasStartingMoreThreadsThanUsableCores) {
  Facts facts = x86_facts();
  Interpreter i = python("/usr/bin/python3", 11);
  i.numpy_version = "1.24.2";
  i.blas_files = {"/usr/lib/libopenblas.so.0"};
  i.openblas_loaded = true;
  i.openblas_corename = "Zen";
  i.openblas_threads = 64;
  facts.cpu.features = {Feature::avx2, Feature::fma};
  facts.interpreters.push_back(i);
  std::vector<Finding> out;
  check_numpy(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::warning);
  EXPECT_EQ(out[0].fix, "export OPENBLAS_NUM_THREADS=8");
}

// The thread findings on a 64-CPU machine (all of them in the affinity) under a cgroup quota of 4 CPUs.
std::vector<Finding> threads_under_a_quota_of_4(Facts& facts) {
  facts.cpu.online_cpus = facts.cpu.affinity_cpus = 64;
  facts.cpu.cpu_quota = 4;
  facts.cpu.usable_cores = 4;
  std::vector<Finding> out;
  check_threads(facts, out);
  return out;
}

TEST(DoctorChecks, ThreadVariablesThatAreNotNumbersAndQuotasWithoutThem) {
  Facts facts = x86_facts();
  facts.environ["OPENBLAS_NUM_THREADS"] = "lots";
  std::vector<Finding> out;
  check_threads(facts, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::warning);
  EXPECT_EQ(out[0].fix, "export OPENBLAS_NUM_THREADS=8");
  // Read as the pool reads it: "2x" is no count (it passed as 2), an OpenMP list is its first level.
  facts.environ = {{"ARMORY_NUM_THREADS", "2x"}, {"OMP_NUM_THREADS", "4,2"}};
  out.clear();
  check_threads(facts, out);
  ASSERT_EQ(out.size(), 2u);
  for (const Finding& f : out) {
    EXPECT_EQ(f.level, f.subject == "ARMORY_NUM_THREADS" ? Level::warning : Level::ok) << f.subject << ": " << f.found;
  }

  facts.environ.clear();
  out = threads_under_a_quota_of_4(facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].level, Level::warning);
  EXPECT_NE(out[0].fix.find("OMP_NUM_THREADS=4"), std::string::npos);
}

// armory caps its own threads at the CPUs it may run on: ARMORY_NUM_THREADS above them misleads (a warning)
// unless a cgroup quota leaves fewer usable cores than that cap (then armory does oversubscribe: a problem).
// OMP_NUM_THREADS, which OpenMP libraries take as given, stays a problem.
TEST(DoctorChecks, ArmoryThreadsAboveTheCpusAreCappedNotOversubscribed) {
  Facts facts = x86_facts();
  facts.cpu.affinity_cpus = 8;
  facts.environ["ARMORY_NUM_THREADS"] = "64";
  facts.environ["OMP_NUM_THREADS"] = "64";
  std::vector<Finding> out;
  check_threads(facts, out);
  ASSERT_EQ(out.size(), 2u);
  for (const Finding& f : out) {
    if (f.subject == "ARMORY_NUM_THREADS") {
      EXPECT_EQ(f.level, Level::warning);
      EXPECT_NE(f.found.find("armory runs 8"), std::string::npos) << f.found;
    } else {
      EXPECT_EQ(f.level, Level::problem) << f.subject;
    }
    EXPECT_EQ(f.fix, "export " + f.subject + "=8");
  }

  facts.environ.erase("OMP_NUM_THREADS");
  out = threads_under_a_quota_of_4(facts);
  ASSERT_GE(out.size(), 1u);
  EXPECT_EQ(out[0].subject, "ARMORY_NUM_THREADS");
  EXPECT_EQ(out[0].level, Level::problem);
  EXPECT_EQ(out[0].fix, "export ARMORY_NUM_THREADS=4");
}

TEST(DoctorChecks, ProbeAnswersThatAreNotJsonAreUnknown) {
  const Interpreter garbled = parse_probe_answer("/usr/bin/python3", "Traceback (most recent call last):");
  EXPECT_FALSE(garbled.probe_error.empty());
  const Interpreter empty = parse_probe_answer("/usr/bin/python3", "{}");
  EXPECT_FALSE(empty.probe_error.empty());
  const Interpreter wrong_types = parse_probe_answer(
      "/usr/bin/python3", R"({"version": "3.11.2", "missing_modules": [1, "ssl"], "blas_files": "x"})");
  EXPECT_TRUE(wrong_types.probe_error.empty());
  EXPECT_EQ(wrong_types.missing_modules, std::vector<std::string>{"ssl"});
}

// An "interpreter" that never answers (a wrapper waiting for input, an import that hangs) is stopped and
// reported as not examined; the doctor goes on.
TEST(DoctorChecks, AnInterpreterThatNeverAnswersIsStoppedAndReported) {
  const std::filesystem::path script = std::filesystem::temp_directory_path() / "armory-doctor-hanging-python";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nsleep 30\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  const Interpreter hung = probe_interpreter(script.string(), 0.5);
  std::filesystem::remove(script);
  EXPECT_NE(hung.probe_error.find("did not finish within 0.5 s and was stopped"), std::string::npos)
      << hung.probe_error;
  Facts facts = x86_facts();
  facts.interpreters = {hung};
  std::vector<Finding> out;
  check_python(facts, out);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].level, Level::unknown);
  EXPECT_NE(out[0].found.find("could not be examined"), std::string::npos) << out[0].found;
}

}  // namespace
}  // namespace armory::doctor
