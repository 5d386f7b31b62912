// W lanes as GCC generic vectors, for the operator kernels written once over a vector width and compiled per
// ISA (the Winograd transforms, the depthwise rows). Internal linkage, as those files need: copies built
// with different ISA flags never merge at link time.
#pragma once

#include <cstdint>

namespace armory::nn {
namespace {

template <int W>
struct Lanes {
  typedef float f32 __attribute__((vector_size(W * sizeof(float))));
  typedef uint32_t u32 __attribute__((vector_size(W * sizeof(uint32_t))));
  typedef uint16_t u16 __attribute__((vector_size(W * sizeof(uint16_t))));
};

}  // namespace
}  // namespace armory::nn
