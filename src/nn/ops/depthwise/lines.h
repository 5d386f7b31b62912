// The depthwise convolution of kernels.h written once over a vector of W channels (GCC vector extensions)
// and compiled per ISA by lines__<isa>.cpp. Included by those files only: everything here has internal
// linkage, so copies built with different ISA flags never merge at link time.
#pragma once

#include <cstring>

#include "nn/ops/depthwise/kernels.h"
#include "nn/ops/lanes.h"

namespace armory::nn::depthwise {
namespace {

// W channels as a vector: loaded from float32 or bf16 (exactly: bf16 is float32's high half), stored to
// float32 or to bf16 rounded to nearest even (NaN stays a quiet NaN), the rounding written out in integer
// operations so that every row, whatever its ISA has, gives the same bits.
template <int W>
struct Vec {
  using type = typename Lanes<W>::f32;
  using u32 = typename Lanes<W>::u32;
  using u16 = typename Lanes<W>::u16;
  static type load(const float* p) {
    type v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static type load(const bf16_t* p) {
    u16 half;
    std::memcpy(&half, p, sizeof half);
    const u32 bits = __builtin_convertvector(half, u32) << 16;
    type v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  static void store(float* p, type v) { std::memcpy(p, &v, sizeof v); }
  static void store(bf16_t* p, type v) {
    u32 bits;
    std::memcpy(&bits, &v, sizeof bits);
    const u32 rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const u32 quiet_nan = (bits >> 16) | 0x40u;
    const u32 out = (bits & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded;
    const u16 half = __builtin_convertvector(out, u16);
    std::memcpy(p, &half, sizeof half);
  }
};

// A channel tail, one at a time.
template <>
struct Vec<1> {
  typedef float type;
  static type load(const float* p) { return *p; }
  static type load(const bf16_t* p) {
    const uint32_t bits = uint32_t{*p} << 16;
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  static void store(float* p, type v) { *p = v; }
  static void store(bf16_t* p, type v) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    *p = static_cast<bf16_t>((bits & 0x7fffffffu) > 0x7f800000u ? (bits >> 16) | 0x40u : rounded);
  }
};

// One output pixel's channels [c0, c0 + N * W) (with W = 1, N single channels): the window summed in N
// registers. Each register's sum is a chain of dependent additions, so N of them run side by side: one at
// a time, MobileNetV2's 144-channel 56 x 56 conv waited on the adder's latency (0.54 ms, ~70 cycles a
// vector of 16 channels).
template <int W, int N, class In, class Out>
inline void pixel(const Problem& p, int64_t b, int64_t oy, int64_t ox, int64_t c0) {
  using V = Vec<W>;
  using T = typename V::type;
  const int64_t c = p.channels;
  const In* x = static_cast<const In*>(p.x);
  Out* out = static_cast<Out*>(p.y) + ((b * p.out_h + oy) * p.out_w + ox) * c + c0;
  T acc[N];
  for (int n = 0; n < N; ++n) {
    acc[n] = p.accumulate ? V::load(out + n * W) : T{};
    acc[n] = acc[n] + (p.bias ? V::load(p.bias + c0 + n * W) : T{});
  }
  for (int64_t ky = 0; ky < p.kh; ++ky) {
    const int64_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
    if (iy < 0 || iy >= p.in_h) continue;
    const In* row = x + (b * p.in_h + iy) * p.in_w * c + c0;
    const float* taps = p.w + ky * p.kw * c + c0;
    for (int64_t kx = 0; kx < p.kw; ++kx) {
      const int64_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
      if (ix < 0 || ix >= p.in_w) continue;
      const In* in = row + ix * c;
      const float* tap = taps + kx * c;
      for (int n = 0; n < N; ++n) acc[n] = acc[n] + V::load(in + n * W) * V::load(tap + n * W);
    }
  }
  const T upper = T{} + p.upper;
  for (int n = 0; n < N; ++n) {
    if (p.relu) acc[n] = acc[n] > T{} ? acc[n] : T{};
    acc[n] = acc[n] > upper ? upper : acc[n];  // NaN stays NaN; no bound is an infinite one
    V::store(out + n * W, acc[n]);
  }
}

template <int W, class In, class Out>
void lines_of(const Problem& p, int64_t first, int64_t end) {
  const int64_t c = p.channels;
  for (int64_t line = first; line < end; ++line) {
    const int64_t b = line / p.out_h, oy = line % p.out_h;
    // Pixels outside, channels inside: each input pixel's channels are read whole, in order, and the
    // window's rows stay in L1 until the next pixel reads them again. Channel blocks outside took MobileNetV2's
    // stride-2 96-channel conv (input 4.8 MB, read once per block) 1.6 ms against 0.5 this way.
    for (int64_t ox = 0; ox < p.out_w; ++ox) {
      int64_t c0 = 0;
      for (; c0 + 4 * W <= c; c0 += 4 * W) pixel<W, 4, In, Out>(p, b, oy, ox, c0);
      for (; c0 + 2 * W <= c; c0 += 2 * W) pixel<W, 2, In, Out>(p, b, oy, ox, c0);
      for (; c0 + W <= c; c0 += W) pixel<W, 1, In, Out>(p, b, oy, ox, c0);
      for (; c0 < c; ++c0) pixel<1, 1, In, Out>(p, b, oy, ox, c0);
    }
  }
}

template <int W>
void lines(const Problem& p, int64_t first, int64_t end) {
  if (p.x_bf16) {
    return p.y_bf16 ? lines_of<W, bf16_t, bf16_t>(p, first, end) : lines_of<W, bf16_t, float>(p, first, end);
  }
  return p.y_bf16 ? lines_of<W, float, bf16_t>(p, first, end) : lines_of<W, float, float>(p, first, end);
}

}  // namespace
}  // namespace armory::nn::depthwise
