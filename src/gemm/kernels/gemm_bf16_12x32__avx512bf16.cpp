#include "gemm/kernels/kernels.h"

#include <immintrin.h>

namespace armory::gemm_engine {

// vdpbf16ps: each fp32 lane accumulates the two products of a k pair, so one instruction does the work of
// two fp32 FMAs. A k step is a pair: B holds (b[k][j], b[k+1][j]) per column j, 32 bits each; A holds
// (a[i][k], a[i][k+1]) per row i, broadcast as one 32-bit value. 12 rows x 2 zmm of 16 columns.
void gemm_bf16_12x32__avx512bf16(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                                 float beta) {
  constexpr int MR = 12, NV = 2, NR = 32;
  __m512 acc[MR][NV];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    acc[i][0] = _mm512_setzero_ps();
    acc[i][1] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < kc; p += 2) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 16 * MR), _MM_HINT_T0);
    __m512bh b0 = (__m512bh)_mm512_loadu_si512(b);
    __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + 32);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      int32_t pair;
      __builtin_memcpy(&pair, a + 2 * i, sizeof pair);
      __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
    }
    a += 2 * MR;
    b += 2 * NR;
  }
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) {
      float* cp = c + i * ldc + j * 16;
      __m512 scaled = _mm512_mul_ps(acc[i][j], va);
      _mm512_storeu_ps(cp, beta == 0.0f ? scaled : _mm512_fmadd_ps(_mm512_loadu_ps(cp), vb, scaled));
    }
  }
}

}  // namespace armory::gemm_engine
