#include "cpu/core_choices.h"

#include <gtest/gtest.h>

#include "cpu/uarch.h"

namespace armory::cpu {
namespace {

// The table is keyed by the names detection gives: a row spelled differently would never apply.
TEST(CoreChoices, Zen4AsDetectedLeavesStreamsToTheHardwareAndTakesWinogradTo512Channels) {
  const CoreChoices genoa = core_choices_for(x86_uarch("AuthenticAMD", 0x19, 0x11, 1));
  EXPECT_TRUE(genoa.hardware_prefetch_only);
  EXPECT_EQ(genoa.winograd_max_weights, 512 * 512);
}

// Zen 5 streams the caller's arrays in 256-bit loads, leaves the streams to the hardware only on armory's
// huge-page workspaces, and keeps direct 3x3 convs at 512 channels.
TEST(CoreChoices, Zen5AsDetectedStreamsNarrowAndLeavesOnlyHugePageStreamsToTheHardware) {
  const CoreChoices turin = core_choices_for(x86_uarch("AuthenticAMD", 0x1A, 0x02, 0));
  EXPECT_FALSE(turin.hardware_prefetch_only);
  EXPECT_TRUE(turin.hardware_prefetch_on_huge_pages);
  EXPECT_TRUE(turin.narrow_streams);
  EXPECT_EQ(turin.winograd_max_weights, CoreChoices{}.winograd_max_weights);
}

TEST(CoreChoices, OtherCoresGetTheDefaults) {
  const CoreChoices defaults;
  for (const std::string& uarch : {x86_uarch("GenuineIntel", 6, 0x8F, 0),
                                   std::string(arm_part(0x41, 0xD49).uarch), std::string("unknown")}) {
    SCOPED_TRACE(uarch);
    const CoreChoices choices = core_choices_for(uarch);
    EXPECT_EQ(choices.hardware_prefetch_only, defaults.hardware_prefetch_only);
    EXPECT_EQ(choices.hardware_prefetch_on_huge_pages, defaults.hardware_prefetch_on_huge_pages);
    EXPECT_EQ(choices.narrow_streams, defaults.narrow_streams);
    EXPECT_EQ(choices.winograd_max_weights, defaults.winograd_max_weights);
    EXPECT_LT(choices.winograd_max_weights, 512 * 512);
  }
}

}  // namespace
}  // namespace armory::cpu
