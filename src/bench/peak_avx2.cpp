// Compiled with AVX2+FMA flags: only called after the CPU was checked.
#include <immintrin.h>

#include <cstdint>

#include "bench/peak_chains.h"

namespace armory::bench {

// 12 chains: 12 accumulators and the two operands in the 16 ymm registers.
double fma_loop_f32_avx2(int64_t iterations) {
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  return run_chains<12>(
      iterations, _mm256_set1_ps(1e-3f), [&](__m256 a) { return _mm256_fmadd_ps(a, x, y); }, 8 * 2);
}

double fma_loop_f64_avx2(int64_t iterations) {
  const __m256d x = _mm256_set1_pd(0.999999), y = _mm256_set1_pd(1e-7);
  return run_chains<12>(
      iterations, _mm256_set1_pd(1e-3), [&](__m256d a) { return _mm256_fmadd_pd(a, x, y); }, 4 * 2);
}

}  // namespace armory::bench
