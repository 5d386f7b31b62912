// The AVX2+FMA register tile shared by the f32 and f64 micro-kernels: MR rows of C, NV ymm vectors wide
// (MR*NV + NV + 1 <= 16 ymm). Same contract as the AVX-512 tile (docs/kernels.md).
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
  // The first `lanes` lanes (0..8); the others are not read or written, so they may lie past the matrix.
  static __m256i mask(int lanes) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V load_masked(const float* p, __m256i m) { return _mm256_maskload_ps(p, m); }
  static void store_masked(float* p, V v, __m256i m) { _mm256_maskstore_ps(p, m, v); }
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
  static __m256i mask(int lanes) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(lanes), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static V load_masked(const double* p, __m256i m) { return _mm256_maskload_pd(p, m); }
  static void store_masked(double* p, V v, __m256i m) { _mm256_maskstore_pd(p, m, v); }
};

// A element (i, p) is a[i * rsa + p * csa]: a packed panel has rsa = 1, csa = MR; a row-major A read in place
// has rsa = lda, csa = 1 (the _unpacked_a variants: no pass packing A ahead of the kernel). B row p starts at
// b + p * rsb: a packed panel has rsb = NR, a row-major B read in place rsb = ldb, and then MaskedB loads only
// the first cols columns (the rest of the row may not exist). cols < NR writes (and reads) only the first
// cols columns of C, with masked stores; cols > (NV - 1) * lanes (edge_tile narrows the tile first), so only
// the last vector is ever partial and one mask register serves. b_copy, when CopyB, receives each row of B as
// it is loaded: B's packed micro-panel, written by the first tile that reads a B in place so that later tiles
// read it packed (the _direct_packing_b variants: no pass packing B either). PrefetchB > 0 fetches B's row
// that many k steps ahead (a B read in place comes from L2 or memory).
template <class T, int MR, int NV, bool MaskedB = false, int PrefetchB = 0, bool CopyB = false>
__attribute__((always_inline)) inline void tile(int64_t kc, const T* __restrict a, int64_t rsa, int64_t csa,
                                                const T* __restrict b, int64_t rsb, T* __restrict c, int64_t ldc,
                                                T alpha, T beta, int cols = NV * Vec<T>::lanes,
                                                T* __restrict b_copy = nullptr) {
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
  const __m256i last_mask = S::mask(cols - (NV - 1) * L);
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
      if (MaskedB && j == NV - 1) {
        bv[j] = S::load_masked(b + j * L, last_mask);
      } else {
        bv[j] = S::load(b + j * L);
      }
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
      const V scaled = S::mul(acc[i][j], va);
      if (j == NV - 1 && cols < NR) {
        S::store_masked(cp, beta == T(0) ? scaled : S::fmadd(S::load_masked(cp, last_mask), vb, scaled), last_mask);
      } else {
        S::store(cp, beta == T(0) ? scaled : S::fmadd(S::load(cp), vb, scaled));
      }
    }
  }
}

// Tiles of each height with A read in place (for run_for_height).
template <class T, int NV, bool MaskedB>
struct RowsTile {
  template <int MR>
  static void run(int64_t kc, const T* a, int64_t lda, const T* b, int64_t rsb, T* c, int64_t ldc, T alpha, T beta,
                  int cols) {
    tile<T, MR, NV, MaskedB>(kc, a, lda, 1, b, rsb, c, ldc, alpha, beta, cols);
  }
};

// The edge of C for a row-major A read in place: rows 1..MR and cols 1..NR, with only the vectors that hold
// columns computed. B is a packed panel (rsb = NR) or, with MaskedB, a row-major B read in place (rsb = ldb).
template <class T, int MR, int NV, bool MaskedB = false>
inline void edge_tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t rsb, T* c, int64_t ldc, T alpha, T beta,
                      int rows, int cols) {
  if constexpr (NV > 1) {
    if (cols <= (NV - 1) * Vec<T>::lanes) {
      return edge_tile<T, MR, NV - 1, MaskedB>(kc, a, lda, b, rsb, c, ldc, alpha, beta, rows, cols);
    }
  }
  run_for_height<RowsTile<T, NV, MaskedB>, MR>(rows, kc, a, lda, b, rsb, c, ldc, alpha, beta, cols);
}

// Small problems: A and B both read in place (row-major, not transposed), any tile height and width.
template <class T, int MR, int NV>
inline void direct_tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha,
                        T beta, int rows, int cols) {
  if (cols == NV * Vec<T>::lanes)
    return edge_tile<T, MR, NV, false>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
  edge_tile<T, MR, NV, true>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
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
    tile<T, MR, NV, false, kDirectBPrefetchSteps, true>(kc, a, lda, 1, b, ldb, c, ldc, alpha, beta, NV * Vec<T>::lanes,
                                                        b_packed);
  }
};

template <class T, int MR, int NV>
inline void direct_packing_b_tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* b_packed, T* c,
                                  int64_t ldc, T alpha, T beta, int rows) {
  run_for_height<PackingBTile<T, NV>, MR>(rows, kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine::avx2
