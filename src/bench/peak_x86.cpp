// Compiled with AVX-512 (+BF16) flags: only called after the CPU was checked.
#include <immintrin.h>

#include <cstdint>

namespace armory::bench {

namespace {

// 24 independent accumulators hide the FMA latency on every core we know (latency 4 x 2 pipes needs 8;
// Zen 5 and Sapphire Rapids need no more than 16). Returns the FLOPs done.
template <class V, class Step>
double run_chains(int64_t iterations, V init, Step step, double flops_per_step) {
  V acc[24];
  for (auto& x : acc) x = init;
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = step(acc[i]);
  }
  // Keep the result alive so the loop is not optimised away.
  for (int i = 1; i < 24; ++i) __asm__ volatile("" : : "v"(acc[i]));
  __asm__ volatile("" : : "v"(acc[0]));
  return static_cast<double>(iterations) * 24 * flops_per_step;
}

}  // namespace

double fma_loop_f32(int64_t iterations) {
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  return run_chains(iterations, _mm512_set1_ps(1e-3f), [&](__m512 a) { return _mm512_fmadd_ps(a, x, y); }, 16 * 2);
}

double fma_loop_f64(int64_t iterations) {
  const __m512d x = _mm512_set1_pd(0.999999), y = _mm512_set1_pd(1e-7);
  return run_chains(iterations, _mm512_set1_pd(1e-3), [&](__m512d a) { return _mm512_fmadd_pd(a, x, y); }, 8 * 2);
}

double dot_loop_bf16(int64_t iterations) {
  const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3380);
  // 2 products and 2 additions per fp32 lane.
  return run_chains(iterations, _mm512_setzero_ps(), [&](__m512 a) { return _mm512_dpbf16_ps(a, x, y); }, 16 * 4);
}

}  // namespace armory::bench
