// Depthwise convolutions (one filter per channel, as MobileNets and EfficientNets use them) on channels-last
// activations, float32 or (BF16 fast math) bf16, summed in float32; one row per ISA. Each output vector of W channels
// sums its window in a register, in the order of the taps, multiply then add (never fused), so every row gives the bits
// of the portable one; the rows differ only in W.
#pragma once

#include <cstdint>
#include <limits>
#include <span>

#include "cpu/dispatch.h"

namespace armory::nn::depthwise {

using bf16_t = uint16_t;

// y[b][oy][ox][c] = min(relu(init + bias[c] + sum over taps (ky, kx) of x[b][iy][ix][c] * w[ky * kw + kx][c]),
// upper), in that order, with iy = oy * stride_h - pad_top + ky * dilation_h (taps outside the input skipped) and
// init = y's own value when accumulate (a residual already stored there), else 0; bias may be null, relu
// optional. The shapes are the caller's to check.
struct Problem {
  const void* x;      // [batch][in_h][in_w][channels], float32 or (x_bf16) bf16
  const float* w;     // [kh * kw][channels]
  const float* bias;  // [channels] or null
  void* y;            // [batch][out_h][out_w][channels], float32 or (y_bf16) bf16, rounded to nearest even
  int64_t batch, channels, in_h, in_w, out_h, out_w, kh, kw;
  int64_t stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  bool accumulate, relu;
  float upper = std::numeric_limits<float>::infinity();  // none
  bool x_bf16 = false, y_bf16 = false;                   // BF16 fast math's activations
};

// Output lines [first, end) of p, a line being one (b, oy) (b * out_h + oy).
using Lines = void (*)(const Problem& p, int64_t first, int64_t end);

struct Row {
  KernelId id;
  Lines (*lines)();  // null when this build has no code for the row's architecture
};

// One row per ISA, best first; the portable one last.
std::span<const Row> rows();

// The best row this process may use (ARMORY_ISA honoured): the portable one at worst.
const Row& selected_row();

// lines__<isa>.cpp: lines.h compiled with each ISA's flags.
Lines lines__portable();
Lines lines__avx2();
Lines lines__avx512();

}  // namespace armory::nn::depthwise
