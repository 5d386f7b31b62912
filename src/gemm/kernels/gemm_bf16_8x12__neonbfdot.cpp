#include "gemm/kernels/kernels.h"

#include <arm_neon.h>

namespace armory::gemm_engine {

namespace {

// Row I of one k-pair step: BFDOT by element adds, to every column lane, the dot product of that column's
// k pair with row I's pair (lane I % 4 of A vector I / 4). The lane must be a constant: recursion over I.
template <int I>
__attribute__((always_inline)) inline void dot_rows(float32x4_t (&acc)[8][3], const bfloat16x8_t (&bv)[3],
                                                   const bfloat16x8_t (&av)[2]) {
  if constexpr (I < 8) {
#pragma GCC unroll 3
    for (int j = 0; j < 3; ++j) acc[I][j] = vbfdotq_laneq_f32(acc[I][j], bv[j], av[I / 4], I % 4);
    dot_rows<I + 1>(acc, bv, av);
  }
}

}  // namespace

// The BFDOT alternative to the BFMMLA kernels, with the packing of the x86 vdpbf16ps kernel (k pairs,
// k_group = 2): one q-register holds 4 columns of B (or 4 rows of A) times a k pair. 8x12 tile, the
// fp32 NEON kernel's shape: 24 accumulators + 2 A + 3 B registers. Half of BFMMLA's FLOPs per instruction
// on N2, so it ranks after the MMLA kernels; it is there for cores where BFMMLA is slow.
void gemm_bf16_8x12__neonbfdot(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                               float beta) {
  float32x4_t acc[8][3];  // every loop over it is unrolled, so it stays in registers
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
#pragma GCC unroll 3
    for (int j = 0; j < 3; ++j) acc[i][j] = vdupq_n_f32(0.0f);
  }
  for (int64_t p = 0; p < kc; p += 2) {
    const bfloat16x8_t av[2] = {vreinterpretq_bf16_u16(vld1q_u16(a)), vreinterpretq_bf16_u16(vld1q_u16(a + 8))};
    const bfloat16x8_t bv[3] = {vreinterpretq_bf16_u16(vld1q_u16(b)), vreinterpretq_bf16_u16(vld1q_u16(b + 8)),
                                vreinterpretq_bf16_u16(vld1q_u16(b + 16))};
    dot_rows<0>(acc, bv, av);
    a += 16;
    b += 24;
  }
  const float32x4_t va = vdupq_n_f32(alpha), vb = vdupq_n_f32(beta);
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
#pragma GCC unroll 3
    for (int j = 0; j < 3; ++j) {
      float* cp = c + i * ldc + 4 * j;
      float32x4_t scaled = vmulq_f32(acc[i][j], va);
      vst1q_f32(cp, beta == 0.0f ? scaled : vfmaq_f32(scaled, vld1q_f32(cp), vb));
    }
  }
}

}  // namespace armory::gemm_engine
