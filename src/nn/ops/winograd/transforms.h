// The Winograd F(2x2, 3x3) and F(4x4, 3x3) transforms written once over a vector of W channels (GCC vector
// extensions) and compiled per ISA by transforms__<isa>.cpp, each choosing W for its registers. Included by
// those files only: everything here has internal linkage, so the copies built with different ISA flags never
// merge at link time (an inline function shared between them could run AVX-512 code on a CPU without it).
#pragma once

#include "nn/ops/lanes.h"
#include "nn/ops/winograd/kernels.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__ARM_FEATURE_BF16_VECTOR_ARITHMETIC)
#include <arm_neon.h>
#endif

namespace armory::nn::winograd {
namespace {

template <int W>
inline typename Lanes<W>::f32 load(const float* p) {
  return load_lanes<W>(p);
}

template <int W>
inline typename Lanes<W>::f32 load(const bf16_t* p) {
#if defined(__AVX512F__)
  // One VPMOVZXWD: GCC widens the generic vector through two 256-bit halves.
  if constexpr (W == 16) {
    // (The maskz form: GCC 12 warns that the plain one's undefined pass-through is uninitialised.)
    const __m512i wide = _mm512_maskz_cvtepu16_epi32(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return reinterpret_cast<typename Lanes<W>::f32>(reinterpret_cast<typename Lanes<W>::u32>(wide) << 16);
  }
#endif
  return load_lanes<W>(p);
}

template <int W>
inline void store(float* p, typename Lanes<W>::f32 v) {
  store_lanes<W>(p, v);
}

// Round to nearest even, NaN kept quiet: gemm/pack.h's round_to_bf16 lane by lane; with AVX512_BF16 one
// VCVTNEPS2BF16 instead of ten instructions, which also flushes subnormals to zero (as the GEMM's
// conversion of A does); with Arm's BF16 one BFCVTN.
template <int W>
inline void store(bf16_t* p, typename Lanes<W>::f32 v) {
#if defined(__AVX512BF16__)
  if constexpr (W == 16) {
    const __m256bh half = _mm512_cvtneps_pbh(reinterpret_cast<__m512>(v));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), reinterpret_cast<__m256i>(half));
    return;
  }
#endif
#if defined(__ARM_FEATURE_BF16_VECTOR_ARITHMETIC)
  if constexpr (W == 4) {  // one BFCVTN
    vst1_bf16(reinterpret_cast<bfloat16_t*>(p), vcvt_bf16_f32(reinterpret_cast<float32x4_t>(v)));
    return;
  }
#endif
  store_lanes<W>(p, v);
}

// V = B^T d B for channels [c, c + W) of one 4x4 tile, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]. The
// tile's pixels are local copies: a store to V could otherwise alias them, and each would be reloaded per
// vector.
template <int W, class In, class V>
[[gnu::always_inline]] inline void input_lanes_f23(const In* const d_pixels[16], int64_t c, V* __restrict v,
                                                   int64_t v_stride) {
  using f32 = typename Lanes<W>::f32;
  f32 t[4][4];  // B^T d
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const f32 d0 = load<W>(d_pixels[j] + c), d1 = load<W>(d_pixels[4 + j] + c);
    const f32 d2 = load<W>(d_pixels[8 + j] + c), d3 = load<W>(d_pixels[12 + j] + c);
    t[0][j] = d0 - d2;
    t[1][j] = d1 + d2;
    t[2][j] = d2 - d1;
    t[3][j] = d1 - d3;
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    V* row = v + 4 * i * v_stride + c;
    store<W>(row, t[i][0] - t[i][2]);
    store<W>(row + v_stride, t[i][1] + t[i][2]);
    store<W>(row + 2 * v_stride, t[i][2] - t[i][1]);
    store<W>(row + 3 * v_stride, t[i][1] - t[i][3]);
  }
}

// F(4x4, 3x3)'s B^T (interpolation points 0, -1, 1, -2, 2 and infinity) applied to six values:
//   [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
// Multiplications by 2 and 4 are exact; the sources are built with -ffp-contract=off, so that no row
// fuses a multiply-add the portable one rounds twice.
template <class F>
[[gnu::always_inline]] inline void apply_bt_f43(const F d[6], F t[6]) {
  const F four = F{} + 4.0f, five = F{} + 5.0f, two = F{} + 2.0f;
  const F d4_minus_d2 = d[4] - d[2], d1_minus_d3 = d[1] - d[3];
  t[0] = four * d[0] - five * d[2] + d[4];
  t[1] = (d[3] + d[4]) - four * (d[1] + d[2]);
  t[2] = (d[4] - d[3]) + four * (d[1] - d[2]);
  t[3] = d4_minus_d2 - two * d1_minus_d3;
  t[4] = d4_minus_d2 + two * d1_minus_d3;
  t[5] = four * d[1] - five * d[3] + d[5];
}

// V = B^T d B for channels [c, c + W) of one 6x6 tile (F(4x4, 3x3)): 36 vectors in flight, more than the
// registers, so the column pass keeps its results in a local array the row pass reads back from L1.
template <int W, class In, class V>
[[gnu::always_inline]] inline void input_lanes_f43(const In* const d_pixels[36], int64_t c, V* __restrict v,
                                                   int64_t v_stride) {
  using f32 = typename Lanes<W>::f32;
  f32 t[6][6];  // B^T d, stored transposed: t[j] is column j
#pragma GCC unroll 6
  for (int j = 0; j < 6; ++j) {
    f32 d[6];
#pragma GCC unroll 6
    for (int k = 0; k < 6; ++k) d[k] = load<W>(d_pixels[6 * k + j] + c);
    apply_bt_f43(d, t[j]);
  }
#pragma GCC unroll 6
  for (int i = 0; i < 6; ++i) {
    f32 row[6], r[6];
#pragma GCC unroll 6
    for (int j = 0; j < 6; ++j) row[j] = t[j][i];
    apply_bt_f43(row, r);
#pragma GCC unroll 6
    for (int j = 0; j < 6; ++j) store<W>(v + (6 * i + j) * v_stride + c, r[j]);
  }
}

template <int OutTile, int W, class In, class V>
[[gnu::always_inline]] inline void input_lanes(const In* const* d_pixels, int64_t c, V* __restrict v,
                                               int64_t v_stride) {
  if constexpr (OutTile == 2) {
    input_lanes_f23<W>(d_pixels, c, v, v_stride);
  } else {
    input_lanes_f43<W>(d_pixels, c, v, v_stride);
  }
}

template <int OutTile, int W, class In, class V>
void input_transform(const In* const* pixels, int64_t tiles, int64_t channels, V* v, int64_t v_stride) {
  constexpr int kPixels = (OutTile + 2) * (OutTile + 2);
  for (int64_t t = 0; t < tiles; ++t, pixels += kPixels, v += channels) {
    const In* d_pixels[kPixels];
    for (int i = 0; i < kPixels; ++i) d_pixels[i] = pixels[i];
    int64_t c = 0;
    for (; c + W <= channels; c += W) input_lanes<OutTile, W>(d_pixels, c, v, v_stride);
    for (; c < channels; ++c) input_lanes<OutTile, 1>(d_pixels, c, v, v_stride);
  }
}

// The epilogue for one output pixel (null: beyond the output's edge). Its choices are template arguments,
// so that nothing is tested per vector.
template <int W, class Out, bool Bias, bool Relu, bool Accumulate>
[[gnu::always_inline]] inline void finish_pixel(typename Lanes<W>::f32 y, typename Lanes<W>::f32 b, Out* pixel,
                                                int64_t c) {
  using f32 = typename Lanes<W>::f32;
  if (pixel == nullptr) return;
  f32 r = y;
  if constexpr (Bias) r += b;
  if constexpr (Accumulate) r += load<W>(pixel + c);
  if constexpr (Relu) r = r < 0 ? f32{} : r;  // NaN stays NaN
  store<W>(pixel + c, r);
}

// Y = A^T M A for channels [c, c + W) of one F(2x2, 3x3) tile, A^T = [1 1 1 0; 0 1 -1 -1], then the
// epilogue. The output pixels are local copies (a store through one could otherwise alias them).
template <int W, class Out, bool Bias, bool Relu, bool Accumulate>
[[gnu::always_inline]] inline void output_lanes_f23(const float* __restrict m, int64_t m_stride, int64_t c,
                                                    const float* __restrict bias, Out* const out[4]) {
  using f32 = typename Lanes<W>::f32;
  f32 t[2][4];  // A^T M
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const f32 m0 = load<W>(m + j * m_stride + c), m1 = load<W>(m + (4 + j) * m_stride + c);
    const f32 m2 = load<W>(m + (8 + j) * m_stride + c), m3 = load<W>(m + (12 + j) * m_stride + c);
    t[0][j] = m0 + m1 + m2;
    t[1][j] = m1 - m2 - m3;
  }
  f32 b{};
  if constexpr (Bias) b = load<W>(bias + c);
  for (int i = 0; i < 2; ++i) {
    finish_pixel<W, Out, Bias, Relu, Accumulate>(t[i][0] + t[i][1] + t[i][2], b, out[2 * i], c);
    finish_pixel<W, Out, Bias, Relu, Accumulate>(t[i][1] - t[i][2] - t[i][3], b, out[2 * i + 1], c);
  }
}

// F(4x4, 3x3)'s A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1] applied to six values (the
// multiplications by powers of two exact).
template <class F>
[[gnu::always_inline]] inline void apply_at_f43(const F m[6], F s[4]) {
  const F sum12 = m[1] + m[2], diff12 = m[1] - m[2], sum34 = m[3] + m[4], diff34 = m[3] - m[4];
  s[0] = m[0] + sum12 + sum34;
  s[1] = diff12 + (F{} + 2.0f) * diff34;
  s[2] = sum12 + (F{} + 4.0f) * sum34;
  s[3] = diff12 + (F{} + 8.0f) * diff34 + m[5];
}

template <int W, class Out, bool Bias, bool Relu, bool Accumulate>
[[gnu::always_inline]] inline void output_lanes_f43(const float* __restrict m, int64_t m_stride, int64_t c,
                                                    const float* __restrict bias, Out* const out[16]) {
  using f32 = typename Lanes<W>::f32;
  f32 t[6][4];  // (A^T M)^T: t[j] is column j
#pragma GCC unroll 6
  for (int j = 0; j < 6; ++j) {
    f32 column[6];
#pragma GCC unroll 6
    for (int k = 0; k < 6; ++k) column[k] = load<W>(m + (6 * k + j) * m_stride + c);
    apply_at_f43(column, t[j]);
  }
  f32 b{};
  if constexpr (Bias) b = load<W>(bias + c);
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    f32 row[6], y[4];
#pragma GCC unroll 6
    for (int j = 0; j < 6; ++j) row[j] = t[j][i];
    apply_at_f43(row, y);
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) finish_pixel<W, Out, Bias, Relu, Accumulate>(y[j], b, out[4 * i + j], c);
  }
}

template <int OutTile, int W, class Out, bool Bias, bool Relu, bool Accumulate>
void output_tiles(const float* m, int64_t m_stride, int64_t tiles, int64_t channels, const float* bias,
                  Out* const* pixels) {
  constexpr int kPixels = OutTile * OutTile;
  for (int64_t t = 0; t < tiles; ++t, pixels += kPixels, m += channels) {
    Out* out[kPixels];
    for (int i = 0; i < kPixels; ++i) out[i] = pixels[i];
    int64_t c = 0;
    if constexpr (OutTile == 2) {
      for (; c + W <= channels; c += W) output_lanes_f23<W, Out, Bias, Relu, Accumulate>(m, m_stride, c, bias, out);
      for (; c < channels; ++c) output_lanes_f23<1, Out, Bias, Relu, Accumulate>(m, m_stride, c, bias, out);
    } else {
      for (; c + W <= channels; c += W) output_lanes_f43<W, Out, Bias, Relu, Accumulate>(m, m_stride, c, bias, out);
      for (; c < channels; ++c) output_lanes_f43<1, Out, Bias, Relu, Accumulate>(m, m_stride, c, bias, out);
    }
  }
}

template <int OutTile, int W, class Out>
void output_transform(const float* m, int64_t m_stride, int64_t tiles, int64_t channels, const float* bias, bool relu,
                      bool accumulate, Out* const* pixels) {
  auto run = [&]<bool Bias, bool Relu, bool Accumulate>() {
    output_tiles<OutTile, W, Out, Bias, Relu, Accumulate>(m, m_stride, tiles, channels, bias, pixels);
  };
  const int which = (bias != nullptr) * 4 + relu * 2 + accumulate;
  switch (which) {
    case 0: return run.template operator()<false, false, false>();
    case 1: return run.template operator()<false, false, true>();
    case 2: return run.template operator()<false, true, false>();
    case 3: return run.template operator()<false, true, true>();
    case 4: return run.template operator()<true, false, false>();
    case 5: return run.template operator()<true, false, true>();
    case 6: return run.template operator()<true, true, false>();
    default: return run.template operator()<true, true, true>();
  }
}

template <int W>
Transforms transforms_of_width() {
  return {&input_transform<2, W, float, float>, &input_transform<2, W, float, bf16_t>,
          &input_transform<2, W, bf16_t, bf16_t>,   &output_transform<2, W, float>,
          &output_transform<2, W, bf16_t>,          &input_transform<4, W, float, float>,
          &output_transform<4, W, float>};
}

}  // namespace
}  // namespace armory::nn::winograd
