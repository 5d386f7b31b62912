// The depthwise convolution of kernels.h written once over a vector of W channels (GCC vector extensions)
// and compiled per ISA by lines__<isa>.cpp. Included by those files only: everything here has internal
// linkage, so copies built with different ISA flags never merge at link time.
#pragma once

#include <algorithm>

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
    if (p.relu) acc[n] = acc[n] < T{} ? T{} : acc[n];  // NaN stays NaN
    acc[n] = acc[n] > upper ? upper : acc[n];  // NaN stays NaN; no bound is an infinite one
    store_lanes<W>(out + n * W, acc[n]);
  }
}

// Every channel of output pixels [ox_begin, ox_end) of line (b, oy), pixel by pixel.
template <int W, class In, class Out>
void pixels(const Problem& p, int64_t b, int64_t oy, int64_t ox_begin, int64_t ox_end) {
  const int64_t c = p.channels;
  // Pixels outside, channels inside: each input pixel's channels are read whole, in order, and the
  // window's rows stay in L1 until the next pixel reads them again. Channel blocks outside took MobileNetV2's
  // stride-2 96-channel conv (input 4.8 MB, read once per block) 1.6 ms against 0.5 this way.
  for (int64_t ox = ox_begin; ox < ox_end; ++ox) {
    int64_t c0 = 0;
    for (; c0 + 4 * W <= c; c0 += 4 * W) pixel<W, 4, In, Out>(p, b, oy, ox, c0);
    for (; c0 + 2 * W <= c; c0 += 2 * W) pixel<W, 2, In, Out>(p, b, oy, ox, c0);
    for (; c0 + W <= c; c0 += W) pixel<W, 1, In, Out>(p, b, oy, ox, c0);
    for (; c0 < c; ++c0) pixel<1, 1, In, Out>(p, b, oy, ox, c0);
  }
}

// 3 x 3 windows wholly inside the input, stride 1 along x, dilation 1: P output pixels side by side in one
// vector of W channels. Each input vector is loaded (and widened, from bf16) once and added to the up to
// three pixels whose windows hold it, instead of once per pixel and tap; the nine weight vectors are the
// caller's. Each pixel still sums its taps in pixel()'s order (ky, then kx, multiply then add), so the
// bits are pixel()'s.
template <int W, int P, class In, class Out>
inline void window_3x3(const Problem& p, const In* row0, Out* out, const typename Lanes<W>::f32 (&w)[9],
                       typename Lanes<W>::f32 bias, typename Lanes<W>::f32 upper) {
  using T = typename Lanes<W>::f32;
  const int64_t c = p.channels, in_row = p.in_w * c;
  T acc[P];
#pragma GCC unroll 16
  for (int i = 0; i < P; ++i) {
    acc[i] = p.accumulate ? load_lanes<W>(out + i * c) : T{};
    acc[i] = acc[i] + bias;
  }
#pragma GCC unroll 3
  for (int ky = 0; ky < 3; ++ky) {
    const In* row = row0 + ky * in_row;
    // Input column j serves pixel i as its tap kx = j - i, in increasing kx for each pixel.
#pragma GCC unroll 32
    for (int j = 0; j < P + 2; ++j) {
      const T v = load_lanes<W>(row + j * c);
#pragma GCC unroll 16
      for (int i = 0; i < P; ++i) {
        const int kx = j - i;
        if (kx >= 0 && kx < 3) acc[i] = acc[i] + v * w[ky * 3 + kx];
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < P; ++i) {
    if (p.relu) acc[i] = acc[i] < T{} ? T{} : acc[i];
    acc[i] = acc[i] > upper ? upper : acc[i];  // as pixel(): NaN stays NaN
    store_lanes<W>(out + i * c, acc[i]);
  }
}

// Pixels [ox, ox + P) of line (b, oy), all of whose 3 x 3 windows lie inside the input: each vector of W
// channels in turn, with its weights loaded once for the P pixels; channels past the last whole vector one
// by one. The pixels' channels go in order, so the input's rows are read as streams.
template <int W, int P, class In, class Out>
void inside_3x3(const Problem& p, int64_t b, int64_t oy, int64_t ox) {
  using T = typename Lanes<W>::f32;
  const int64_t c = p.channels;
  const In* x =
      static_cast<const In*>(p.x) + ((b * p.in_h + oy * p.stride_h - p.pad_top) * p.in_w + ox - p.pad_left) * c;
  Out* y = static_cast<Out*>(p.y) + ((b * p.out_h + oy) * p.out_w + ox) * c;
  const T upper = T{} + p.upper;
  int64_t c0 = 0;
  for (; c0 + W <= c; c0 += W) {
    T w[9];
    for (int t = 0; t < 9; ++t) w[t] = load_lanes<W>(p.w + t * c + c0);
    const T bias = p.bias ? load_lanes<W>(p.bias + c0) : T{};
    window_3x3<W, P>(p, x + c0, y + c0, w, bias, upper);
  }
  for (; c0 < c; ++c0) {
    for (int i = 0; i < P; ++i) pixel<1, 1, In, Out>(p, b, oy, ox + i, c0);
  }
}

template <int W, class In, class Out>
void lines_of(const Problem& p, int64_t first, int64_t end) {
  // MobileNets' stride-1 3 x 3 convs take inside_3x3 where their windows lie inside the input. Stride 2 does
  // not: there each input vector serves fewer pixels, and reading the channels of eight pixels in vectors,
  // one vector at a time, measured slower than pixel by pixel (Zen 4, batch 16, 96 channels at 112 x 112:
  // 9.4 -> 11.0 ms in float32, 6.3 -> 6.8 ms in bf16; the input comes from memory, 77 MB in float32).
  const bool three_by_three =
      p.kh == 3 && p.kw == 3 && p.dilation_h == 1 && p.dilation_w == 1 && p.stride_w == 1 && p.channels >= W;
  // Output columns whose windows lie inside: ox - pad_left >= 0 and ox - pad_left + 2 < in_w.
  const int64_t inside_begin = std::min(p.out_w, p.pad_left);
  const int64_t inside_end = std::clamp(p.in_w + p.pad_left - 2, inside_begin, p.out_w);
  // Nine weight vectors, P accumulators and an input vector in registers (16 or 32 of them).
  constexpr int P = W >= 16 ? 8 : 4;
  for (int64_t line = first; line < end; ++line) {
    const int64_t b = line / p.out_h, oy = line % p.out_h;
    const int64_t iy = oy * p.stride_h - p.pad_top;
    if (!three_by_three || iy < 0 || iy + 3 > p.in_h) {
      pixels<W, In, Out>(p, b, oy, 0, p.out_w);
      continue;
    }
    pixels<W, In, Out>(p, b, oy, 0, inside_begin);
    int64_t ox = inside_begin;
    for (; ox + P <= inside_end; ox += P) inside_3x3<W, P, In, Out>(p, b, oy, ox);
    if constexpr (P > 4) {
      for (; ox + 4 <= inside_end; ox += 4) inside_3x3<W, 4, In, Out>(p, b, oy, ox);
    }
    pixels<W, In, Out>(p, b, oy, ox, p.out_w);
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
