#include "gemm/kernels/kernels.h"

#include <arm_neon.h>

namespace armory::gemm_engine {

// BFMMLA: one instruction multiplies a 2x4 bf16 block of A by a 4x2 block of B into a 2x2 fp32 tile,
// 16 multiply-adds, so k runs in groups of 4. Packed with k_group = 4, one q-register holds two rows of A
// (or two columns of B) times 4 k. 8x8 tile: 16 accumulators (4 row pairs x 4 column pairs) + 4 A + 4 B.
// Each accumulator holds [c(2r,2q) c(2r,2q+1) c(2r+1,2q) c(2r+1,2q+1)]; rows are unzipped when stored.
void gemm_bf16_8x8__neonbfmmla(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                             float beta) {
  float32x4_t acc[4][4];  // every loop over it is unrolled, so it stays in registers
#pragma GCC unroll 4
  for (int r = 0; r < 4; ++r) {
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) acc[r][q] = vdupq_n_f32(0.0f);
  }
  for (int64_t p = 0; p < kc; p += 4) {
    bfloat16x8_t av[4], bv[4];
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) av[r] = vreinterpretq_bf16_u16(vld1q_u16(a + 8 * r));
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) bv[q] = vreinterpretq_bf16_u16(vld1q_u16(b + 8 * q));
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) {
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) acc[r][q] = vbfmmlaq_f32(acc[r][q], av[r], bv[q]);
    }
    a += 32;
    b += 32;
  }
  const float32x4_t va = vdupq_n_f32(alpha), vb = vdupq_n_f32(beta);
  auto store = [&](float* dst, float32x4_t x) {
    float32x4_t scaled = vmulq_f32(x, va);
    vst1q_f32(dst, beta == 0.0f ? scaled : vfmaq_f32(scaled, vld1q_f32(dst), vb));
  };
#pragma GCC unroll 4
  for (int r = 0; r < 4; ++r) {
#pragma GCC unroll 2
    for (int q = 0; q < 4; q += 2) {
      float64x2_t left = vreinterpretq_f64_f32(acc[r][q]), right = vreinterpretq_f64_f32(acc[r][q + 1]);
      store(c + (2 * r) * ldc + 2 * q, vreinterpretq_f32_f64(vzip1q_f64(left, right)));
      store(c + (2 * r + 1) * ldc + 2 * q, vreinterpretq_f32_f64(vzip2q_f64(left, right)));
    }
  }
}

}  // namespace armory::gemm_engine
