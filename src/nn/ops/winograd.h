// 3x3 stride-1 convolutions as Winograd F(m x m, 3x3) (Lavin and Gray, 2015), m = 2 or 4: each m x m block
// of output pixels comes from an (m+2) x (m+2) input tile, transformed (V = B^T d B), multiplied element by
// element with the transformed filter (U = G g G^T) and transformed back (Y = A^T M A). Over channels the
// (m+2)^2 element products are as many GEMMs, tiles x cin times cin x cout: F(2x2, 3x3) makes 16 multiplies
// per 4 outputs instead of 36 (2.25x fewer), F(4x4, 3x3) 36 per 16 (4x fewer), for the price of the
// transforms and of results that differ from the direct convolution in the last bits (F(4x4, 3x3) by about
// ten times more, which fp32 absorbs and bf16 does not: it is for fp32 only).
#pragma once

#include "nn/kernel.h"

#include <vector>

namespace armory::nn {

struct WinogradWeights {
  std::vector<PackedMatrix> packed;  // the matrices U_e, cin x cout, packed for gemm_packed
  FpMath fpmath = FpMath::strict;    // bf16: packed in bf16, and the input tiles are rounded to bf16 to match
  int output_tile = 2;               // m: 2 or 4
  int64_t cin = 0, cout = 0;

  int tile() const { return output_tile + 2; }
  int elements() const { return tile() * tile(); }
  size_t bytes() const;
};

// w: the ONNX weights [cout][cin][3][3], float32. output_tile 2 or 4 (4 with FpMath::strict only).
Result<WinogradWeights> pack_winograd_weights(const float* w, int64_t cout, int64_t cin, FpMath fpmath,
                                              int output_tile);

// x: channels-last [batch, cin, in_h, in_w] (logical NCHW shape), float32, or bfloat16 when the weights are
// bf16. y: channels-last [batch, cout, out_h, out_w], float32 or bfloat16, holding the residual to add when
// accumulate; out_h = in_h + pads - 2 (and so for the width), the pads begin with pad_top and pad_left.
// y = relu(conv(x) + bias + (accumulate ? y : 0)), bias null or cout values, relu optional.
Status winograd_conv(Arena& arena, const WinogradWeights& weights, const Tensor& x, int64_t pad_top, int64_t pad_left,
                     Tensor& y, const float* bias, bool accumulate, bool relu);

}  // namespace armory::nn
