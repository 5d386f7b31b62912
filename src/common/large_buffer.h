// Memory for large, long-lived arrays (packed weights, constants, activation buffers): not zero-filled
// (every user writes it before reading), and from 1 MiB up mapped fresh from the kernel and backed by
// transparent huge pages where it allows them (madvise mode), whatever malloc the host process uses.
// A 100 MB model otherwise takes ~25,000 page faults per pass over its weights, and on a paravirtualised
// guest each one costs microseconds: that was most of ResNet50's load time.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace armory {

// 64-byte aligned (2 MiB for large sizes); nullptr when out of memory. Freed with free_large, which keeps
// blocks of 1 MiB and more for reuse (see large_buffer.cpp).
void* allocate_large(size_t bytes) noexcept;
void free_large(void* p) noexcept;

// A fixed-size array of T with that memory. T must be trivially copyable.
template <class T>
class LargeBuffer {
 public:
  LargeBuffer() = default;
  explicit LargeBuffer(size_t count) : data_(static_cast<T*>(allocate_large(count * sizeof(T)))), size_(count) {
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
