// Working memory kept between calls: 64-byte aligned, not zeroed, grown when a call needs more and reused
// after. One per thread and purpose (thread_local at the user), so nothing is shared or locked. Memory
// taken and freed per call is, above malloc's mapping threshold, mapped fresh and faulted in every time.
#pragma once

#include <cstddef>
#include <cstdlib>

namespace armory {

class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(data_); }
  // At least `bytes`, or nullptr when out of memory (the old block is gone then too).
  void* get(size_t bytes) {
    if (bytes > size_) {
      std::free(data_);
      size_ = (bytes + 63) / 64 * 64;
      data_ = std::aligned_alloc(64, size_);
      if (data_ == nullptr) size_ = 0;
    }
    return data_;
  }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace armory
