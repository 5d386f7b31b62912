// BF16 fast math on a CPU without a bf16 dot product (AVX2+FMA): bf16 values are widened to fp32 (a bf16 is
// the upper half of an fp32) and multiplied with fp32 FMAs. A product of two bf16 values is exact in fp32,
// so each k pair gives the bits vdpbf16ps and the portable twin give: the even product added, then the odd
// one. Before this kernel such a CPU ran the portable loops, a fifth of its fp32 speed.
#include <immintrin.h>

#include <algorithm>

#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

namespace {

constexpr int kRows = 6, kColumns = 16;
// A's panel is widened a chunk of k pairs at a time into a buffer on the stack (6 KiB: it stays in L1).
constexpr int64_t kChunkPairs = 128;

// The even k of each 32-bit pair (its lower half) and the odd one (its upper half), as fp32. The odd half
// is cleared below by two shifts rather than one AND with a mask: a mask register is the 17th ymm the tile
// would need, and GCC 12 paid for it by keeping two accumulators on the stack, each pair of FMAs waiting on
// a store and a reload. Kernel alone on Zen 3, panels in L1 / B from L3: 60 / 56 -> 77 / 76 GFLOPS.
inline __m256 even_half(__m256i pairs) { return _mm256_castsi256_ps(_mm256_slli_epi32(pairs, 16)); }
inline __m256 odd_half(__m256i pairs) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_srli_epi32(pairs, 16), 16));
}

// `pairs` k pairs of A's packed panel (row i's pair at a + 2 i) into fp32: even[q] and odd[q] for pair q of
// the panel's (k pair, row) order. Widening a broadcast costs an ALU op per row and k pair, which left the
// FMAs waiting (39 GFLOPS against fp32's 81 on Zen 3); widened once, A is broadcast from memory for free.
inline void widen_a(const bf16_t* a, int64_t pairs, float* even, float* odd) {
  const int64_t values = pairs * kRows;  // a multiple of 8 (kChunkPairs is) or the panel's last chunk
  int64_t q = 0;
  for (; q + 8 <= values; q += 8) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 2 * q));
    _mm256_storeu_ps(even + q, even_half(v));
    _mm256_storeu_ps(odd + q, odd_half(v));
  }
  for (; q < values; ++q) {
    const __m256i v = _mm256_set1_epi32(static_cast<int>(uint32_t{a[2 * q]} | uint32_t{a[2 * q + 1]} << 16));
    even[q] = _mm256_cvtss_f32(even_half(v));
    odd[q] = _mm256_cvtss_f32(odd_half(v));
  }
}

}  // namespace

// 6 rows x 2 ymm of fp32: 12 accumulators, B's two widened vectors and a broadcast of A in the 16 ymm
// registers, with none to spare (odd_half). Per k pair the even values pass over the tile, then the odd ones,
// B's pairs loaded again from L1 for the second pass rather than kept.
void gemm_bf16_6x16__avx2(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                          float beta) {
  alignas(32) float a_even[kChunkPairs * kRows], a_odd[kChunkPairs * kRows];
  __m256 acc[kRows][2];
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  const int64_t total_pairs = kc / 2;
  for (int64_t chunk = 0; chunk < total_pairs; chunk += kChunkPairs) {
    const int64_t pairs = std::min(kChunkPairs, total_pairs - chunk);
    widen_a(a + chunk * 2 * kRows, pairs, a_even, a_odd);
    const __m256i* b_pairs = reinterpret_cast<const __m256i*>(b + chunk * 2 * kColumns);
    for (int64_t p = 0; p < pairs; ++p, b_pairs += 2) {
      const __m256 b0_even = even_half(_mm256_loadu_si256(b_pairs));
      const __m256 b1_even = even_half(_mm256_loadu_si256(b_pairs + 1));
#pragma GCC unroll 6
      for (int i = 0; i < kRows; ++i) {
        const __m256 ai = _mm256_broadcast_ss(a_even + p * kRows + i);
        acc[i][0] = _mm256_fmadd_ps(ai, b0_even, acc[i][0]);
        acc[i][1] = _mm256_fmadd_ps(ai, b1_even, acc[i][1]);
      }
      const __m256 b0_odd = odd_half(_mm256_loadu_si256(b_pairs));
      const __m256 b1_odd = odd_half(_mm256_loadu_si256(b_pairs + 1));
#pragma GCC unroll 6
      for (int i = 0; i < kRows; ++i) {
        const __m256 ai = _mm256_broadcast_ss(a_odd + p * kRows + i);
        acc[i][0] = _mm256_fmadd_ps(ai, b0_odd, acc[i][0]);
        acc[i][1] = _mm256_fmadd_ps(ai, b1_odd, acc[i][1]);
      }
    }
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
  for (int i = 0; i < kRows; ++i) {
    for (int j = 0; j < 2; ++j) {
      float* cp = c + i * ldc + 8 * j;
      const __m256 scaled = _mm256_mul_ps(acc[i][j], va);
      _mm256_storeu_ps(cp, beta == 0.0f ? scaled : _mm256_fmadd_ps(_mm256_loadu_ps(cp), vb, scaled));
    }
  }
}

}  // namespace armory::gemm_engine
