#include "common/large_buffer.h"

#include <armory/memory.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace armory {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugeFrom = size_t{1} << 20;

// A retained block is poisoned, and unpoisoned when it is handed out again: a use after free_large still
// fails under AddressSanitizer.
void set_poisoned(void* p, size_t bytes, bool poisoned) {
#if defined(__SANITIZE_ADDRESS__)
  if (poisoned) {
    __asan_poison_memory_region(p, bytes);
  } else {
    __asan_unpoison_memory_region(p, bytes);
  }
#else
  (void)p, (void)bytes, (void)poisoned;
#endif
}

// Large blocks come straight from the kernel, never from malloc: fresh pages, advised for huge pages
// before anything touches them, so the kernel backs them with 2 MiB pages (in madvise mode too). A
// malloc that hands back memory another library already touched (tcmalloc after PyTorch has run) gives
// 4 KiB pages that the advice no longer changes. On this paravirtualised guest (shadow page tables) that
// cost armory 15-30% per ResNet50 inference whenever other large working sets ran in between:
// 4 KiB-backed activations made MaxPool 2-4x and the stem conv 2x slower.
//
// Base-page blocks are for memory written once: on a later guest (Zen 4, with the hypervisor's free page
// reporting), a huge page never touched since the guest freed it faulted in at 0.35 GB/s against 2 GB/s
// for base pages, and ResNet50's load spent 1.4-1.7 s of system time on its weights (0.15 s in base pages).
void* map_fresh(size_t bytes, PageSize pages) {
  if (pages == PageSize::base) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  // Over-map by a huge page and trim, for a 2 MiB-aligned start.
  const size_t mapped = bytes + kHugePage;
  void* raw = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) ::munmap(raw, aligned - start);
  const uintptr_t tail = aligned + bytes, end = start + mapped;
  if (end > tail) ::munmap(reinterpret_cast<void*>(tail), end - tail);
  void* p = reinterpret_cast<void*>(aligned);
#if defined(MADV_HUGEPAGE)
  // Advice only: with THP off (or unsupported) the memory is ordinary pages.
  ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

// Freed huge-page blocks of 1 MiB and more are kept for the next allocation that fits them, up to a limit,
// instead of going back to the kernel: on this kind of guest a fresh page costs a fault and a clear (a 2048
// x 2048 float64 SVD spent ~0.3 s of its 2.6 s faulting in the 32 MB workspaces it had freed on the
// previous call). The limit is an eighth of the machine's memory, at most 2 GiB.
class RetainedBlocks {
 public:
  void* take(size_t bytes) {
    std::lock_guard<std::mutex> guard(lock_);
    // The smallest block that fits, unless it is more than twice the size asked for.
    auto it = free_.lower_bound(bytes);
    if (it == free_.end() || it->first > 2 * bytes) return nullptr;
    void* p = it->second;
    set_poisoned(p, it->first, false);
    retained_ -= it->first;
    free_.erase(it);
    return p;
  }

  void track(void* p, size_t bytes, PageSize pages) {
    std::lock_guard<std::mutex> guard(lock_);
    blocks_[p] = Block{bytes, pages};
  }

  // True when p was a large block (then kept or unmapped here); false for the caller to std::free.
  bool give_back(void* p) {
    std::unique_lock<std::mutex> guard(lock_);
    auto it = blocks_.find(p);
    if (it == blocks_.end()) return false;
    const size_t bytes = it->second.bytes;
    if (it->second.pages == PageSize::huge && retained_ + bytes <= limit()) {
      try {
        free_.emplace(bytes, p);
        set_poisoned(p, bytes, true);
        retained_ += bytes;
        return true;
      } catch (const std::bad_alloc&) {
        // No room to remember it: the block goes back to the kernel (std::free must never see it).
      }
    }
    blocks_.erase(it);
    guard.unlock();
    ::munmap(p, bytes);
    return true;
  }

 private:
  static size_t limit() {
    static const size_t bytes = [] {
      const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
      const size_t physical = pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
      return std::min(physical / 8, size_t{2} << 30);
    }();
    return bytes;
  }

  struct Block {
    size_t bytes;
    PageSize pages;
  };
  std::mutex lock_;
  std::multimap<size_t, void*> free_;        // retained, by size
  std::unordered_map<void*, Block> blocks_;  // every live or retained large block
  size_t retained_ = 0;
};

RetainedBlocks& retained_blocks() {
  static auto* blocks = new RetainedBlocks;  // never destroyed: blocks may be freed during exit
  return *blocks;
}

}  // namespace

void* allocate_large(size_t bytes, PageSize pages) noexcept {
  if (bytes < kHugeFrom) return std::aligned_alloc(64, bytes == 0 ? 64 : (bytes + 63) / 64 * 64);
  // A retained block serves either kind: its pages are already there, which is what base pages are for.
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  if (void* p = retained_blocks().take(rounded)) return p;
  void* p = map_fresh(rounded, pages);
  if (p == nullptr) return nullptr;
  try {
    retained_blocks().track(p, rounded, pages);
  } catch (const std::bad_alloc&) {
    ::munmap(p, rounded);  // untracked, free_large could not give it back
    return nullptr;
  }
  return p;
}

void free_large(void* p) noexcept {
  if (p == nullptr) return;
  if (!retained_blocks().give_back(p)) std::free(p);
}

std::shared_ptr<void> allocate_array(size_t bytes) noexcept { return allocate_array(bytes, PageSize::huge); }

std::shared_ptr<void> allocate_array(size_t bytes, PageSize pages) noexcept {
  void* p = allocate_large(bytes, pages);
  if (p == nullptr) return nullptr;
  try {
    return std::shared_ptr<void>(p, free_large);
  } catch (const std::bad_alloc&) {
    free_large(p);
    return nullptr;
  }
}

}  // namespace armory
