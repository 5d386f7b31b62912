// The AVX2+FMA register tile shared by the f32 and f64 micro-kernels: MR rows of C, NV ymm vectors wide
// (MR*NV + NV + 1 <= 16 ymm). Same contract as the AVX-512 tile (docs/kernels.md).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace armory::gemm_engine::avx2 {

template <class T>
struct Vec;

template <>
struct Vec<float> {
  using V = __m256;
  static constexpr int lanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
};

template <>
struct Vec<double> {
  using V = __m256d;
  static constexpr int lanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static V broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static V set1(double x) { return _mm256_set1_pd(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
};

template <class T, int MR, int NV>
__attribute__((always_inline)) inline void tile(int64_t kc, const T* __restrict a, const T* __restrict b,
                                                T* __restrict c, int64_t ldc, T alpha, T beta) {
  using S = Vec<T>;
  using V = typename S::V;
  constexpr int L = S::lanes;
  constexpr int NR = NV * L;

  V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = S::zero();
  }
  for (int64_t p = 0; p < kc; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 8 * MR), _MM_HINT_T0);
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = S::load(b + j * L);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      V av = S::broadcast(a + i);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = S::fmadd(av, bv[j], acc[i][j]);
    }
    a += MR;
    b += NR;
  }

  const V va = S::set1(alpha);
  const V vb = S::set1(beta);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      T* cp = c + i * ldc + j * L;
      V scaled = S::mul(acc[i][j], va);
      S::store(cp, beta == T(0) ? scaled : S::fmadd(S::load(cp), vb, scaled));
    }
  }
}

}  // namespace armory::gemm_engine::avx2
