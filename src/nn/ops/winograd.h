// 3x3 stride-1 convolutions as Winograd F(2x2, 3x3) (Lavin and Gray, 2015): each 2x2 block of output pixels
// comes from a 4x4 input tile, transformed (V = B^T d B), multiplied element by element with the transformed
// filter (U = G g G^T) and transformed back (Y = A^T M A). Over channels the 16 element products are 16
// GEMMs, tiles x cin times cin x cout, with 16 multiplies per 4 outputs instead of 36: 2.25x fewer flops,
// for the price of the transforms (additions only) and results that differ from the direct convolution in
// the last bits.
#pragma once

#include "nn/kernel.h"

#include <vector>

namespace armory::nn {

struct WinogradWeights {
  std::vector<PackedMatrix> packed;  // 16 matrices U_e, cin x cout, packed for gemm_packed
  FpMath fpmath = FpMath::strict;    // bf16: packed in bf16, and the input tiles are rounded to bf16 to match
  int64_t cin = 0, cout = 0;

  size_t bytes() const;
};

// w: the ONNX weights [cout][cin][3][3], float32.
Result<WinogradWeights> pack_winograd_weights(const float* w, int64_t cout, int64_t cin, FpMath fpmath);

// x: channels-last [batch, cin, in_h, in_w] (logical NCHW shape), float32, or bfloat16 when the weights are
// bf16. y: channels-last [batch, cout, out_h, out_w], float32 or bfloat16, holding the residual to add when
// accumulate; out_h = in_h + pads - 2 (and so for the width), the pads begin with pad_top and pad_left.
// y = relu(conv(x) + bias + (accumulate ? y : 0)), bias null or cout values, relu optional.
Status winograd_conv(Arena& arena, const WinogradWeights& weights, const Tensor& x, int64_t pad_top, int64_t pad_left,
                     Tensor& y, const float* bias, bool accumulate, bool relu);

}  // namespace armory::nn
