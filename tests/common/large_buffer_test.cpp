// Large blocks freed with free_large are kept and handed to the next allocation they fit (not one less
// than half their size); small ones are ordinary heap memory.
#include "common/large_buffer.h"

#include <gtest/gtest.h>

#include <cstring>

namespace armory {
namespace {

TEST(LargeBuffer, FreedBlocksAreReusedWhenTheyFit) {
  constexpr size_t kMiB = size_t{1} << 20;
  void* first = allocate_large(6 * kMiB);
  ASSERT_NE(first, nullptr);
  std::memset(first, 1, 6 * kMiB);
  free_large(first);
  void* again = allocate_large(5 * kMiB);  // rounds to 6 MiB: the same block
  EXPECT_EQ(again, first);
  std::memset(again, 2, 5 * kMiB);  // usable (and under AddressSanitizer unpoisoned) again
  free_large(again);

  void* small = allocate_large(2 * kMiB);  // the 6 MiB block is more than twice this: a new one
  EXPECT_NE(small, first);
  void* fits = allocate_large(6 * kMiB);
  EXPECT_EQ(fits, first);
  free_large(small);
  free_large(fits);

  void* tiny = allocate_large(100);  // below 1 MiB: heap memory, freed as such
  ASSERT_NE(tiny, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(tiny) % 64, 0u);
  free_large(tiny);
  free_large(nullptr);
}

TEST(LargeBuffer, VectorsAndBuffersGiveTheirMemoryBack) {
  const void* data = nullptr;
  {
    LargeVector<double> v(size_t{3} << 20, 1.0);
    data = v.data();
  }
  LargeBuffer<double> b(size_t{3} << 20);
  EXPECT_EQ(static_cast<const void*>(b.data()), data);
}

}  // namespace
}  // namespace armory
