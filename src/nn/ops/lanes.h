// W lanes as GCC generic vectors (W = 1 included), loaded and stored as float32 or bf16, for the operator
// kernels written once over a vector width and compiled per ISA (the Winograd transforms, the depthwise rows). Internal
// linkage, as those files need: copies built with different ISA flags never merge at link time.
#pragma once

#include <cstdint>
#include <cstring>

namespace armory::nn {
namespace {

template <int W>
struct Lanes {
  typedef float f32 __attribute__((vector_size(W * sizeof(float))));
  typedef uint32_t u32 __attribute__((vector_size(W * sizeof(uint32_t))));
  typedef uint16_t u16 __attribute__((vector_size(W * sizeof(uint16_t))));
};

template <int W>
inline typename Lanes<W>::f32 load_lanes(const float* p) {
  typename Lanes<W>::f32 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// bf16 (uint16_t storage) widened exactly: its 16 bits become the high half of each float.
template <int W>
inline typename Lanes<W>::f32 load_lanes(const uint16_t* p) {
  typename Lanes<W>::u16 half;
  std::memcpy(&half, p, sizeof half);
  const typename Lanes<W>::u32 bits = __builtin_convertvector(half, typename Lanes<W>::u32) << 16;
  typename Lanes<W>::f32 v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

template <int W>
inline void store_lanes(float* p, typename Lanes<W>::f32 v) {
  std::memcpy(p, &v, sizeof v);
}

// To bf16, rounded to nearest even with a NaN kept quiet: gemm/pack.h's round_to_bf16 lane by lane, in
// integer operations, so any ISA gives the same bits (subnormals included).
template <int W>
inline void store_lanes(uint16_t* p, typename Lanes<W>::f32 v) {
  using u32 = typename Lanes<W>::u32;
  u32 bits;
  std::memcpy(&bits, &v, sizeof bits);
  const u32 rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  const u32 quiet = (bits >> 16) | 0x0040u;
  const u32 nan = (u32)((bits & 0x7fffffffu) > 0x7f800000u);  // all ones where NaN
  const u32 chosen = (quiet & nan) | (rounded & ~nan);
  const typename Lanes<W>::u16 half = __builtin_convertvector(chosen, typename Lanes<W>::u16);
  std::memcpy(p, &half, sizeof half);
}

}  // namespace
}  // namespace armory::nn
