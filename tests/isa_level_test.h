// The fixture of the suites registered once per ISA level (armory_isa_matrix in tests/CMakeLists.txt):
// every level runs under every CPU, native and under each qemu model, so a level ARMORY_ISA names that
// this CPU lacks is a skip; any other ARMORY_ISA problem (a misspelt level) fails.
#pragma once

#include <armory/isa.h>

#include <gtest/gtest.h>

class IsaLevelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& policy = armory::host_isa_policy();
    if (policy.ok()) return;
    if (policy.status().code() == armory::Errc::unsupported) GTEST_SKIP() << policy.status().message();
    FAIL() << policy.status().message();
  }
};
