// Large blocks freed with free_large are kept and handed to the next allocation they fit (not one less
// than half their size); small ones are ordinary heap memory.
#include "common/large_buffer.h"

#include <armory/memory.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace armory {
namespace {

// The public form: the block goes back when the last owner lets go, and the next array of its size reuses it.
TEST(LargeBuffer, ArraysGiveTheirMemoryBackWhenTheLastOwnerLetsGo) {
  constexpr size_t kMiB = size_t{1} << 20;
  std::shared_ptr<void> array = allocate_array(7 * kMiB);
  ASSERT_NE(array, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(array.get()) % (2 * kMiB), 0u);
  void* const block = array.get();
  std::shared_ptr<void> other_owner = array;
  array.reset();
  std::memset(other_owner.get(), 3, 7 * kMiB);  // still held
  other_owner.reset();
  std::shared_ptr<void> next = allocate_array(7 * kMiB);
  EXPECT_EQ(next.get(), block);
  std::shared_ptr<void> small = allocate_array(10);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.get()) % 64, 0u);
}

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

// The smaps entry of the mapping that holds p: its VmFlags and AnonHugePages (kB); found = false when
// /proc/self/smaps does not list it.
struct Mapping {
  bool found = false;
  std::string flags;
  long anon_huge_kb = 0;
};

Mapping mapping_of(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const uintptr_t address = reinterpret_cast<uintptr_t>(p);
  Mapping m;
  bool inside = false;
  std::string line;
  while (std::getline(smaps, line)) {
    uintptr_t start = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> start >> dash >> end && dash == '-') {
      if (inside) break;  // the next mapping: ours is complete
      inside = start <= address && address < end;
      m.found = m.found || inside;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("AnonHugePages:", 0) == 0) m.anon_huge_kb = std::stol(line.substr(14));
    if (line.rfind("VmFlags:", 0) == 0) m.flags = line.substr(8) + " ";
  }
  return m;
}

std::string transparent_huge_pages_mode() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t open = all.find('['), close = all.find(']');
  return open != std::string::npos && close > open ? all.substr(open + 1, close - open - 1) : "";
}

// Whether advice given here shows in smaps at all: qemu user mode, for one, does not pass
// MADV_HUGEPAGE on to the host kernel.
bool hugepage_advice_is_visible() {
  constexpr size_t kBytes = size_t{4} << 20;
  void* p = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  const bool visible =
      ::madvise(p, kBytes, MADV_HUGEPAGE) == 0 && mapping_of(p).flags.find(" hg ") != std::string::npos;
  ::munmap(p, kBytes);
  return visible;
}

// Large blocks are fresh mappings advised for huge pages before their first touch, whatever the heap
// already holds: 4 KiB-backed activations made ResNet50 15-30% slower on a shadow-paging guest.
TEST(LargeBuffer, LargeBlocksAreAlignedMappingsAdvisedForHugePages) {
  constexpr size_t kMiB = size_t{1} << 20;
  void* block = allocate_large(8 * kMiB);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % (2 * kMiB), 0u);
  std::memset(block, 3, 8 * kMiB);
  const Mapping m = mapping_of(block);
  if (!m.found || !hugepage_advice_is_visible()) {
    free_large(block);
    GTEST_SKIP() << "this platform does not show MADV_HUGEPAGE in /proc/self/smaps (emulated?)";
  }
  EXPECT_NE(m.flags.find(" hg "), std::string::npos) << "VmFlags:" << m.flags;
  const std::string mode = transparent_huge_pages_mode();
  if (mode == "always" || mode == "madvise") {
    // The kernel may fall back to small pages when memory is fragmented; some huge pages must be there.
    EXPECT_GT(m.anon_huge_kb, 0) << "transparent huge pages are '" << mode << "' but the block has none";
  }
  free_large(block);
}

// Weights are written once and then streamed: base pages, never advised for huge ones (on a guest whose
// hypervisor takes back free memory, a fresh huge page faulted in at a sixth of the speed), and unmapped
// when freed, so that activations never land on them. A retained huge-page block still serves such a
// request: its pages are already there.
TEST(LargeBuffer, BasePageBlocksAreNotAdvisedAndGoBackToTheKernel) {
  constexpr size_t kMiB = size_t{1} << 20;
  void* block = allocate_large(10 * kMiB, PageSize::base);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 64, 0u);
  std::memset(block, 5, 10 * kMiB);
  const Mapping m = mapping_of(block);
  free_large(block);
  if (m.found) {
    EXPECT_EQ(m.flags.find(" hg "), std::string::npos) << "VmFlags:" << m.flags;
    EXPECT_FALSE(mapping_of(block).found) << "a freed base-page block is still mapped (kept for reuse?)";
  }

  void* huge = allocate_large(10 * kMiB);
  ASSERT_NE(huge, nullptr);
  free_large(huge);
  void* reused = allocate_large(10 * kMiB, PageSize::base);
  EXPECT_EQ(reused, huge);
  free_large(reused);
  void* again = allocate_large(10 * kMiB);  // still retained: it was a huge-page block
  EXPECT_EQ(again, huge);
  free_large(again);
}

}  // namespace
}  // namespace armory
