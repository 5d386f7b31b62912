// The depthwise convolution of kernels.h written once over a vector of W channels (GCC vector extensions)
// and compiled per ISA by lines__<isa>.cpp. Included by those files only: everything here has internal
// linkage, so copies built with different ISA flags never merge at link time.
#pragma once

#include "nn/ops/depthwise/kernels.h"
#include "nn/ops/lanes.h"

namespace armory::nn::depthwise {
namespace {

// One output pixel's channels [c0, c0 + N * W) (W = 1 for a channel tail): the window summed in N
// registers. Each register's sum is a chain of dependent additions, so N of them run side by side: one at
// a time, MobileNetV2's 144-channel 56 x 56 conv waited on the adder's latency (0.54 ms, ~70 cycles a
// vector of 16 channels).
// Loads and stores are nn/ops/lanes.h's portable ones (bf16 rounded in integer operations), never an ISA's
// conversion instruction, so every row gives the same bits.
template <int W, int N, class In, class Out>
inline void pixel(const Problem& p, int64_t b, int64_t oy, int64_t ox, int64_t c0) {
  using T = typename Lanes<W>::f32;
  const int64_t c = p.channels;
  const In* x = static_cast<const In*>(p.x);
  Out* out = static_cast<Out*>(p.y) + ((b * p.out_h + oy) * p.out_w + ox) * c + c0;
  T acc[N];
  for (int n = 0; n < N; ++n) {
    acc[n] = p.accumulate ? load_lanes<W>(out + n * W) : T{};
    acc[n] = acc[n] + (p.bias ? load_lanes<W>(p.bias + c0 + n * W) : T{});
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
      for (int n = 0; n < N; ++n) acc[n] = acc[n] + load_lanes<W>(in + n * W) * load_lanes<W>(tap + n * W);
    }
  }
  const T upper = T{} + p.upper;
  for (int n = 0; n < N; ++n) {
    if (p.relu) acc[n] = acc[n] > T{} ? acc[n] : T{};
    acc[n] = acc[n] > upper ? upper : acc[n];  // NaN stays NaN; no bound is an infinite one
    store_lanes<W>(out + n * W, acc[n]);
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
