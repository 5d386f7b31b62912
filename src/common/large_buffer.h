// Memory for large, long-lived arrays (packed weights, constants, activation buffers): not zero-filled
// (every user writes it before reading), and from 1 MiB up mapped fresh from the kernel, whatever malloc
// the host process uses, backed by transparent huge pages where it allows them (madvise mode) unless the
// caller asks for base pages. Which pages pay depends on the host: on a shadow-paging guest each 4 KiB
// fault cost microseconds (25,000 per pass over a 100 MB model: most of ResNet50's load time then); on a
// guest whose hypervisor takes back free memory, a fresh huge page costs six times as much per byte as
// base pages do (PageSize below).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace armory {

// Which pages back a large block fresh from the kernel. Huge pages for memory that passes read over and
// over (activations, workspaces): fewer TLB misses and, once touched, kept for reuse. Base pages for
// memory written once and then only read in streams (a model's weights as they are decoded and packed):
// where the hypervisor has taken back free memory (free page reporting), a fresh huge page is faulted in
// at a sixth of the speed of base pages (large_buffer.cpp), and such blocks go back to the kernel when
// freed, so that they never serve as activations.
enum class PageSize { huge, base };

// 64-byte aligned (2 MiB for large huge-page sizes); nullptr when out of memory. Freed with free_large,
// which keeps huge-page blocks of 1 MiB and more for reuse (see large_buffer.cpp).
void* allocate_large(size_t bytes, PageSize pages = PageSize::huge) noexcept;
void free_large(void* p) noexcept;

// allocate_large's memory owned by a shared_ptr that frees it (armory/memory.h's allocate_array, with the
// choice of pages).
std::shared_ptr<void> allocate_array(size_t bytes, PageSize pages) noexcept;

// A fixed-size array of T with that memory. T must be trivially copyable.
template <class T>
class LargeBuffer {
 public:
  LargeBuffer() = default;
  explicit LargeBuffer(size_t count, PageSize pages = PageSize::huge)
      : data_(static_cast<T*>(allocate_large(count * sizeof(T), pages))), size_(count) {
    if (count > 0 && data_ == nullptr) throw std::bad_alloc();
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(T* p) const { free_large(p); }
  };
  std::unique_ptr<T, Free> data_;
  size_t size_ = 0;
};

// A std::allocator for vectors that grow large (the SVD's workspaces): the same memory as LargeBuffer.
// Elements are value-initialised as usual.
template <class T>
struct LargeAllocator {
  using value_type = T;
  LargeAllocator() = default;
  template <class U>
  LargeAllocator(const LargeAllocator<U>&) noexcept {}
  T* allocate(size_t count) {
    void* p = allocate_large(count * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) noexcept { free_large(p); }
  template <class U>
  bool operator==(const LargeAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

}  // namespace armory
