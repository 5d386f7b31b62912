// Compiled with AVX-512 (+BF16) flags: only called after the CPU was checked.
#include <immintrin.h>

#include <cstdint>

#include "bench/peak_chains.h"

namespace armory::bench {

double fma_loop_f32_avx512(int64_t iterations) {
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  return run_chains<24>(
      iterations, _mm512_set1_ps(1e-3f), [&](__m512 a) { return _mm512_fmadd_ps(a, x, y); }, 16 * 2);
}

double fma_loop_f64_avx512(int64_t iterations) {
  const __m512d x = _mm512_set1_pd(0.999999), y = _mm512_set1_pd(1e-7);
  return run_chains<24>(
      iterations, _mm512_set1_pd(1e-3), [&](__m512d a) { return _mm512_fmadd_pd(a, x, y); }, 8 * 2);
}

double dot_loop_bf16_avx512(int64_t iterations) {
  const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3380);
  // 2 products and 2 additions per fp32 lane.
  return run_chains<24>(
      iterations, _mm512_setzero_ps(), [&](__m512 a) { return _mm512_dpbf16_ps(a, x, y); }, 16 * 4);
}

}  // namespace armory::bench
