#include "gemm/kernels/kernels.h"

#include <immintrin.h>

namespace armory::gemm_engine {

namespace {

// vdpbf16ps: each fp32 lane accumulates the two products of a k pair, so one instruction does the work of
// two fp32 FMAs. A k step is a pair: B holds (b[k][j], b[k+1][j]) per column j, 32 bits each; row i's pair
// (a[i][k], a[i][k+1]) is broadcast as one 32-bit value from a + i * rsa, and A advances by csa per pair
// (packed: rsa = 2, csa = 2 * 12; a row-major bf16 A in place: rsa = lda, csa = 2). 12 rows x 2 zmm.
__attribute__((always_inline)) inline void tile(int64_t kc, const bf16_t* a, int64_t rsa, int64_t csa,
                                                const bf16_t* b, float* c, int64_t ldc, float alpha, float beta) {
  constexpr int MR = 12, NV = 2, NR = 32;
  __m512 acc[MR][NV];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    acc[i][0] = _mm512_setzero_ps();
    acc[i][1] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < kc; p += 2) {
    __m512bh b0 = (__m512bh)_mm512_loadu_si512(b);
    __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + 32);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      int32_t pair;
      __builtin_memcpy(&pair, a + i * rsa, sizeof pair);
      __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
    }
    a += csa;
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

}  // namespace

void gemm_bf16_12x32__avx512bf16(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                                 float beta) {
  tile(kc, a, 2, 24, b, c, ldc, alpha, beta);
}

void gemm_bf16_12x32__avx512bf16_unpacked_a(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, float* c,
                                            int64_t ldc, float alpha, float beta) {
  tile(kc, a, lda, 2, b, c, ldc, alpha, beta);
}

// fp32 -> bf16 with VCVTNEPS2BF16 (round to nearest even, 16 at a time): what BF16 fast math does to A
// before the unpacked-A kernel reads it. Denormal inputs become zeros, as the instruction defines.
void convert_f32_to_bf16__avx512bf16(const float* src, int64_t n, bf16_t* dst) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256bh converted = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), (__m256i)converted);
  }
  if (i < n) {
    __mmask16 tail = static_cast<__mmask16>((1u << (n - i)) - 1);
    __m256bh converted = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(tail, src + i));
    _mm256_mask_storeu_epi16(dst + i, tail, (__m256i)converted);
  }
}

// (row0[j], row1[j]) pairs for 16 columns at a time: VCVTNE2PS2BF16 puts row0's 16 values in the low half
// and row1's in the high half; one VPERMW interleaves them.
void interleave_f32_to_bf16__avx512bf16(const float* row0, const float* row1, int64_t n, bf16_t* dst) {
  const __m512i pairs = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6, 21,
                                         5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    __m512bh both = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(row1 + j), _mm512_loadu_ps(row0 + j));
    _mm512_storeu_si512(dst + 2 * j, _mm512_permutexvar_epi16(pairs, (__m512i)both));
  }
  if (j < n) {
    __mmask16 tail = static_cast<__mmask16>((1u << (n - j)) - 1);
    __m512bh both = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(tail, row1 + j), _mm512_maskz_loadu_ps(tail, row0 + j));
    __mmask32 out = static_cast<__mmask32>((uint64_t{1} << (2 * (n - j))) - 1);
    _mm512_mask_storeu_epi16(dst + 2 * j, out, _mm512_permutexvar_epi16(pairs, (__m512i)both));
  }
}

}  // namespace armory::gemm_engine
