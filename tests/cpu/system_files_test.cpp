#include "cpu/system_files.h"

#include <gtest/gtest.h>

namespace armory::cpu {
namespace {

TEST(CpuList, CountsRangesAndSingles) {
  EXPECT_EQ(count_cpu_list("0"), 1);
  EXPECT_EQ(count_cpu_list("0-127\n"), 128);
  EXPECT_EQ(count_cpu_list("0-3,8,10-11"), 7);
  EXPECT_EQ(count_cpu_list("0-23,48-71"), 48);
}

TEST(CpuList, RejectsMalformed) {
  EXPECT_FALSE(count_cpu_list(""));
  EXPECT_FALSE(count_cpu_list("3-1"));
  EXPECT_FALSE(count_cpu_list("a-b"));
  EXPECT_FALSE(count_cpu_list("1,,2"));
  EXPECT_FALSE(count_cpu_list("0-99999999999"));
}

TEST(CacheSize, UnitsAndPlainBytes) {
  EXPECT_EQ(parse_cache_size("48K"), 48u * 1024);
  EXPECT_EQ(parse_cache_size("32M"), 32u << 20);
  EXPECT_EQ(parse_cache_size("512"), 512u);
  EXPECT_FALSE(parse_cache_size("K"));
  EXPECT_FALSE(parse_cache_size("12Q"));
}

TEST(ParseUint, DecimalAndHex) {
  EXPECT_EQ(parse_uint("0x41"), 0x41u);
  EXPECT_EQ(parse_uint(" 25 "), 25u);
  EXPECT_EQ(parse_uint("0x00000000410fd490"), 0x410fd490u);
  EXPECT_FALSE(parse_uint("0x"));
  EXPECT_FALSE(parse_uint("-1"));
  EXPECT_FALSE(parse_uint("12abc"));
}

}  // namespace
}  // namespace armory::cpu
