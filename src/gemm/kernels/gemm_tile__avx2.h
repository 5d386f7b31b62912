// The AVX2+FMA register tile shared by the f32 and f64 micro-kernels: MR rows of C, NV ymm vectors wide
// (MR*NV + NV + 1 <= 16 ymm). Same contract as the AVX-512 tile (docs/kernels.md), full tiles only: the
// driver finishes edges in a scratch tile.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "gemm/kernels/by_height.h"

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

// A element (i, p) is a[i * rsa + p * csa]: a packed panel has rsa = 1, csa = MR; a row-major A read in place
// has rsa = lda, csa = 1 (the _unpacked_a variants: no pass packing A ahead of the kernel). B row p starts at
// b + p * rsb: a packed panel has rsb = NR, a row-major B read in place rsb = ldb. b_copy, when CopyB, receives
// each row of B as it is loaded: B's packed micro-panel, written by the first tile that reads a B in place
// so that later tiles read it packed (the _direct_packing_b variants: no pass packing B either).
// PrefetchB > 0 fetches B's row that many k steps ahead (a B read in place comes from L2 or memory).
template <class T, int MR, int NV, int PrefetchB = 0, bool CopyB = false>
__attribute__((always_inline)) inline void tile(int64_t kc, const T* __restrict a, int64_t rsa, int64_t csa,
                                                const T* __restrict b, int64_t rsb, T* __restrict c, int64_t ldc,
                                                T alpha, T beta, T* __restrict b_copy = nullptr) {
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
  // An A read in place has its rows rsa apart: rows 3 and up are addressed from a second base, so that the
  // offsets 1..2 * rsa fit x86's scaled addressing and no row needs a register of its own.
  const T* a_upper = a + 3 * rsa;
  for (int64_t p = 0; p < kc; ++p) {
    if (csa == MR) _mm_prefetch(reinterpret_cast<const char*>(a + 8 * MR), _MM_HINT_T0);  // packed A
    if constexpr (PrefetchB > 0) {
      const char* ahead = reinterpret_cast<const char*>(b + PrefetchB * rsb);
      // The row's lines, and its last byte's, which is one line more when B does not start on a line.
#pragma GCC unroll 4
      for (int line = 0; line < NR * int{sizeof(T)} / 64; ++line) _mm_prefetch(ahead + 64 * line, _MM_HINT_T0);
      _mm_prefetch(ahead + NR * int{sizeof(T)} - 1, _MM_HINT_T0);
    }
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      bv[j] = S::load(b + j * L);
      if constexpr (CopyB) S::store(b_copy + j * L, bv[j]);
    }
    if constexpr (CopyB) b_copy += NR;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      V av = S::broadcast(i < 3 ? a + i * rsa : a_upper + (i - 3) * rsa);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = S::fmadd(av, bv[j], acc[i][j]);
    }
    a += csa;
    a_upper += csa;
    b += rsb;
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

// A B read in place comes from wherever B is, L2 to memory: its rows are fetched this many k steps ahead
// (as the AVX-512 tiles do).
inline constexpr int kDirectBPrefetchSteps = 32;

// Tiles of each height reading a row-major A and B in place, full width, and writing B's packed panel
// (for run_for_height).
template <class T, int NV>
struct PackingBTile {
  template <int MR>
  static void run(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* b_packed, T* c, int64_t ldc, T alpha,
                  T beta) {
    tile<T, MR, NV, kDirectBPrefetchSteps, true>(kc, a, lda, 1, b, ldb, c, ldc, alpha, beta, b_packed);
  }
};

template <class T, int MR, int NV>
inline void direct_packing_b_tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* b_packed, T* c,
                                  int64_t ldc, T alpha, T beta, int rows) {
  run_for_height<PackingBTile<T, NV>, MR>(rows, kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine::avx2
