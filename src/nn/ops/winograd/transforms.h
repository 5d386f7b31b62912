// The Winograd F(2x2, 3x3) transforms written once over a vector of W channels (GCC vector extensions)
// and compiled per ISA by transforms__<isa>.cpp, each choosing W for its registers. Included by those files
// only: everything here has internal linkage, so the copies built with different ISA flags never merge
// at link time (an inline function shared between them could run AVX-512 code on a CPU without it).
#pragma once

#include "nn/ops/winograd/kernels.h"

#include <cstring>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__ARM_FEATURE_BF16_VECTOR_ARITHMETIC)
#include <arm_neon.h>
#endif

namespace armory::nn::winograd {
namespace {

template <int W>
struct Lanes {
  typedef float f32 __attribute__((vector_size(W * sizeof(float))));
  typedef uint32_t u32 __attribute__((vector_size(W * sizeof(uint32_t))));
  typedef uint16_t u16 __attribute__((vector_size(W * sizeof(uint16_t))));
};

template <int W>
inline typename Lanes<W>::f32 load(const float* p) {
  typename Lanes<W>::f32 v;
  std::memcpy(&v, p, sizeof v);
  return v;
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
  typename Lanes<W>::u16 half;
  std::memcpy(&half, p, sizeof half);
  typename Lanes<W>::u32 bits = __builtin_convertvector(half, typename Lanes<W>::u32) << 16;
  typename Lanes<W>::f32 v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

template <int W>
inline void store(float* p, typename Lanes<W>::f32 v) {
  std::memcpy(p, &v, sizeof v);
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
  using u32 = typename Lanes<W>::u32;
  u32 bits;
  std::memcpy(&bits, &v, sizeof bits);
  const u32 rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  const u32 quiet = (bits >> 16) | 0x0040u;
  const u32 nan = (u32)((bits & 0x7fffffffu) > 0x7f800000u);  // all ones where NaN
  const u32 chosen = (quiet & nan) | (rounded & ~nan);
  typename Lanes<W>::u16 half = __builtin_convertvector(chosen, typename Lanes<W>::u16);
  std::memcpy(p, &half, sizeof half);
}

// V = B^T d B for channels [c, c + W) of one tile, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]. The tile's
// pixels are local copies: a store to V could otherwise alias them, and each would be reloaded per vector.
template <int W, class In, class V>
[[gnu::always_inline]] inline void input_lanes(const In* const d_pixels[16], int64_t c, V* __restrict v,
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

template <int W, class In, class V>
void input_transform(const In* const* pixels, int64_t tiles, int64_t channels, V* v, int64_t v_stride) {
  for (int64_t t = 0; t < tiles; ++t, pixels += 16, v += channels) {
    const In* d_pixels[16];
    for (int i = 0; i < 16; ++i) d_pixels[i] = pixels[i];
    int64_t c = 0;
    for (; c + W <= channels; c += W) input_lanes<W>(d_pixels, c, v, v_stride);
    for (; c < channels; ++c) input_lanes<1>(d_pixels, c, v, v_stride);
  }
}

// Y = A^T M A for channels [c, c + W) of one tile, A^T = [1 1 1 0; 0 1 -1 -1], then the epilogue. The
// epilogue's choices are template arguments and the four pixels local copies, so that nothing is tested
// or reloaded per vector (a store through a pixel could otherwise alias them).
template <int W, class Out, bool Bias, bool Relu, bool Accumulate>
[[gnu::always_inline]] inline void output_lanes(const float* __restrict m, int64_t m_stride, int64_t c,
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
    const f32 y[2] = {t[i][0] + t[i][1] + t[i][2], t[i][1] - t[i][2] - t[i][3]};
    for (int j = 0; j < 2; ++j) {
      Out* pixel = out[2 * i + j];
      if (pixel == nullptr) continue;
      f32 r = y[j] + b;
      if constexpr (Accumulate) r += load<W>(pixel + c);
      if constexpr (Relu) r = r > 0 ? r : f32{};
      store<W>(pixel + c, r);
    }
  }
}

template <int W, class Out, bool Bias, bool Relu, bool Accumulate>
void output_tiles(const float* m, int64_t m_stride, int64_t tiles, int64_t channels, const float* bias,
                  Out* const* pixels) {
  for (int64_t t = 0; t < tiles; ++t, pixels += 4, m += channels) {
    Out* const out[4] = {pixels[0], pixels[1], pixels[2], pixels[3]};
    int64_t c = 0;
    for (; c + W <= channels; c += W) output_lanes<W, Out, Bias, Relu, Accumulate>(m, m_stride, c, bias, out);
    for (; c < channels; ++c) output_lanes<1, Out, Bias, Relu, Accumulate>(m, m_stride, c, bias, out);
  }
}

template <int W, class Out>
void output_transform(const float* m, int64_t m_stride, int64_t tiles, int64_t channels, const float* bias, bool relu,
                      bool accumulate, Out* const* pixels) {
  auto run = [&]<bool Bias, bool Relu, bool Accumulate>() {
    output_tiles<W, Out, Bias, Relu, Accumulate>(m, m_stride, tiles, channels, bias, pixels);
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
  return {&input_transform<W, float, float>, &input_transform<W, float, bf16_t>, &input_transform<W, bf16_t, bf16_t>,
          &output_transform<W, float>, &output_transform<W, bf16_t>};
}

}  // namespace
}  // namespace armory::nn::winograd
