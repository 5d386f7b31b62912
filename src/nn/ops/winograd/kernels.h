// Winograd transforms, one row per ISA: the input tiles into the matrices the GEMMs multiply (16 for
// F(2x2, 3x3), 36 for F(4x4, 3x3)), and the products back into output pixels (2x2 or 4x4 per tile). The
// same arithmetic in every row (the transforms' additions and multiplications by constants, never fused,
// and the epilogue, in the same order per channel), so every row gives the same bits; they differ in how
// many channels one instruction takes, and the rows with a bf16 conversion instruction
// (AVX512_BF16, Arm BF16) may flush subnormals to zero where they round to bf16.
#pragma once

#include "cpu/dispatch.h"

#include <cstdint>
#include <span>

namespace armory::nn::winograd {

using bf16_t = uint16_t;

// Input transform of `tiles` input tiles (4x4 for F(2x2, 3x3), 6x6 for F(4x4, 3x3)): pixels holds one
// pointer per tile pixel (row-major over the tile), each at `channels` channels-last values (a zero row
// stands for padding). Writes V = B^T d B per channel: element e (row-major over the tile) of tile t,
// channel c at v[e * v_stride + t * channels + c]. A bf16 V is rounded to nearest even.
template <class In, class V>
using InputTransform = void (*)(const In* const* pixels, int64_t tiles, int64_t channels, V* v, int64_t v_stride);

// Output transform: m holds the products per tile as the input transform laid V out (stride m_stride
// between elements e). Each tile's result Y = A^T M A (2x2 or 4x4) goes to the pixels it covers (row-major;
// a null pointer for one beyond the output's edge) as out = relu(Y + bias[c] + (accumulate ? out : 0)),
// bias may be null, relu optional; a bf16 out is rounded to nearest even.
template <class Out>
using OutputTransform = void (*)(const float* m, int64_t m_stride, int64_t tiles, int64_t channels, const float* bias,
                                 bool relu, bool accumulate, Out* const* pixels);

// F(4x4, 3x3) only in float32: its larger transform coefficients (up to 25 in B^T d B, 8 in A^T M A) turn
// bf16's rounding of V into errors about 16x those of F(2x2, 3x3), too coarse for BF16 fast math.
struct Transforms {
  InputTransform<float, float> input_f32;  // F(2x2, 3x3)
  InputTransform<float, bf16_t> input_f32_to_bf16;
  InputTransform<bf16_t, bf16_t> input_bf16;
  OutputTransform<float> output_f32;
  OutputTransform<bf16_t> output_bf16;
  InputTransform<float, float> input_f32_f43;  // F(4x4, 3x3)
  OutputTransform<float> output_f32_f43;
};

// One row per ISA, ranked best first: the transforms compiled for it (null when this build has no code
// for the row's architecture).
struct TransformRow {
  KernelId id;
  Transforms (*transforms)();
};

std::span<const TransformRow> transform_rows();

// The best row this process may use (ARMORY_ISA honoured): the portable one at worst.
const TransformRow& selected_transform_row();

// transforms__<isa>.cpp: the same code (transforms.h) compiled with each ISA's flags.
Transforms transforms__scalar();
Transforms transforms__avx2();
Transforms transforms__avx512();
Transforms transforms__avx512bf16();
Transforms transforms__neonbf16();

}  // namespace armory::nn::winograd
