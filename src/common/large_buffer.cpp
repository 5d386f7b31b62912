#include "common/large_buffer.h"

#include <sys/mman.h>

namespace armory {

void* allocate_large(size_t bytes) noexcept {
  constexpr size_t kHugePage = size_t{2} << 20;
  constexpr size_t kHugeFrom = size_t{1} << 20;
  if (bytes < kHugeFrom) return std::aligned_alloc(64, bytes == 0 ? 64 : (bytes + 63) / 64 * 64);
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
#if defined(MADV_HUGEPAGE)
  // Advice only: without THP (or with it off) the memory is ordinary pages.
  if (p != nullptr) ::madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

}  // namespace armory
