// Compiled with AVX-512 (+BF16) flags: only called after the CPU was checked.
#include <immintrin.h>

#include <cstdint>

namespace armory::bench {

// Each returns the flops done: 24 independent accumulators hide the FMA latency on every core we know
// (latency 4 x 2 pipes needs 8; Zen 5 and Sapphire Rapids need no more than 16).
double fma_loop_f32(int64_t iterations) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < 24; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  volatile float sink = lanes[0];
  (void)sink;
  return static_cast<double>(iterations) * 24 * 16 * 2;
}

double fma_loop_f64(int64_t iterations) {
  __m512d acc[24];
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_pd(i * 1e-3);
  const __m512d x = _mm512_set1_pd(0.999999), y = _mm512_set1_pd(1e-7);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_pd(acc[i], x, y);
  }
  __m512d sum = acc[0];
  for (int i = 1; i < 24; ++i) sum = _mm512_add_pd(sum, acc[i]);
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, sum);
  volatile double sink = lanes[0];
  (void)sink;
  return static_cast<double>(iterations) * 24 * 8 * 2;
}

double dot_loop_bf16(int64_t iterations) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_setzero_ps();
  const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3380);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], x, y);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < 24; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  volatile float sink = lanes[0];
  (void)sink;
  return static_cast<double>(iterations) * 24 * 16 * 4;  // 2 products and 2 additions per lane
}

}  // namespace armory::bench
