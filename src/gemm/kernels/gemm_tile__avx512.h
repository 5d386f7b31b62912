// The AVX-512 register tile shared by the f32 and f64 micro-kernels: MR rows of C, each NV vectors wide.
// Each k step loads NV vectors of the packed B row, broadcasts MR values of the packed A column and does
// MR*NV FMAs into accumulators that stay in registers (MR*NV + NV + 1 <= 32 zmm).
// Contract: docs/kernels.md. Include only from a file compiled with AVX-512 flags.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "gemm/kernels/by_height.h"

namespace armory::gemm_engine::avx512 {

template <class T>
struct Vec;

template <>
struct Vec<float> {
  using V = __m512;
  static constexpr int lanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V load_masked(const float* p, int lanes) { return _mm512_maskz_loadu_ps(mask(lanes), p); }
  static void store_masked(float* p, V v, int lanes) { _mm512_mask_storeu_ps(p, mask(lanes), v); }
  static __mmask16 mask(int lanes) { return static_cast<__mmask16>((1u << lanes) - 1); }
};

template <>
struct Vec<double> {
  using V = __m512d;
  static constexpr int lanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static V broadcast(const double* p) { return _mm512_set1_pd(*p); }
  static V set1(double x) { return _mm512_set1_pd(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V load_masked(const double* p, int lanes) { return _mm512_maskz_loadu_pd(mask(lanes), p); }
  static void store_masked(double* p, V v, int lanes) { _mm512_mask_storeu_pd(p, mask(lanes), v); }
  static __mmask8 mask(int lanes) { return static_cast<__mmask8>((1u << lanes) - 1); }
};

// What a tile does to each finished vector of C (column block j), after alpha and beta and before the
// store: nothing, or a fused epilogue (see gemm_f32_12x32__avx512.cpp).
struct NoFinish {
  template <class V>
  __attribute__((always_inline)) V operator()(int, V v) const {
    return v;
  }
};

// At the tuned kc a packed B micro-panel (kc x NR, 64 KiB in f64) is larger than L1 and streams from L2,
// one 128-byte row a k step: the hardware prefetchers alone left the full tiles waiting on it. Fetched 16
// steps ahead, Zen 4, 1 thread, in one process alternating with the kernels without it, GFLOPS: f64 n =
// 1024 41.7 -> 44.9, n = 2048 44.8 -> 48.3 and 47.0 -> 48.4 (9 of 9 rounds); f32 n = 1024 88.4 -> 91.9,
// n = 2048 94.0 -> 96.9; n <= 512 and ResNet50's 3136 x 64 x 576 unchanged (within 2%). 8 and 32 steps
// measured no better.
inline constexpr int kPackedBPrefetchSteps = 16;

// C[MR x NR] = alpha * A * B_panel + beta * C, C row-major with row stride ldc.
// A element (i, p) is a[i * rsa + p * csa]: a packed panel has rsa = 1, csa = MR; a row-major A read in
// place has rsa = lda, csa = 1. b: kc rows of NR = NV*lanes values. beta == 0 never reads C.
// B row p starts at b + p * rsb: a packed panel has rsb = NR; a row-major B read in place has rsb = ldb,
// and then MaskedB loads only the first cols columns (the rest of the row may not exist).
// cols < NR writes (and reads) only the first cols columns of C, with masked stores: the edge of C needs
// no scratch tile. MR may be below the kernel's height for the last rows of C (instantiated per height).
// finish(j, v) is applied to each full-width vector before it is stored (not on the masked edge).
// PrefetchB > 0 fetches B's row that many k steps ahead into L1 (kPackedBPrefetchSteps, for packed panels).
// b_copy, when given (full-width B only), receives each row of B as it is loaded: B's packed micro-panel
// (kc rows of NR), written by the first tile that reads a B in place so that later tiles read it packed.
template <class T, int MR, int NV, bool MaskedB = false, class Finish = NoFinish, int PrefetchB = 0, bool CopyB = false>
__attribute__((always_inline)) inline void tile(int64_t kc, const T* __restrict a, int64_t rsa, int64_t csa,
                                                const T* __restrict b, int64_t rsb, T* __restrict c, int64_t ldc,
                                                T alpha, T beta, int cols = NV * Vec<T>::lanes, Finish finish = {},
                                                T* __restrict b_copy = nullptr) {
  using S = Vec<T>;
  using V = typename S::V;
  constexpr int L = S::lanes;
  constexpr int NR = NV * L;

  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = S::zero();
  }

  int b_lanes[NV];
#pragma GCC unroll 4
  for (int j = 0; j < NV; ++j) b_lanes[j] = cols - j * L < 0 ? 0 : (cols - j * L > L ? L : cols - j * L);

  // An A read in place has its rows rsa apart: rows 6 and up are addressed from a second base, so the
  // offsets 1..5 * rsa are all the general registers the rows need. From one base, eleven rows' offsets
  // ran out of registers and two were reloaded (stack, xmm) every k step.
  const T* a_upper = a + 6 * rsa;
  for (int64_t p = 0; p < kc; ++p) {
    V bv[NV];
    if constexpr (PrefetchB > 0) {
      const char* ahead = reinterpret_cast<const char*>(b + PrefetchB * rsb);
#pragma GCC unroll 4
      for (int line = 0; line < NR * int{sizeof(T)} / 64; ++line) _mm_prefetch(ahead + 64 * line, _MM_HINT_T0);
      // B read in place need not start on a line (numpy's arrays start 16 bytes into one): its row then
      // spans one line more, and that line was left to a demand miss every k step. Zen 5, 1 thread, the
      // first tile row of a 48-row block over 512 columns of B (16 bytes into a line), GFLOPS: f64 n = 1008
      // 87-89 -> 97, n = 2048 62-67 -> 75-78; f32 n = 2048 163 -> 171; B on a line unchanged (+0-4%).
      if constexpr (CopyB) _mm_prefetch(ahead + NR * int{sizeof(T)} - 1, _MM_HINT_T0);
    }
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      if constexpr (MaskedB) {
        bv[j] = S::load_masked(b + j * L, b_lanes[j]);
      } else {
        bv[j] = S::load(b + j * L);
      }
      if constexpr (CopyB) S::store(b_copy + j * L, bv[j]);
    }
    if constexpr (CopyB) b_copy += NR;
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      V av = S::broadcast(i < 6 ? a + i * rsa : a_upper + (i - 6) * rsa);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[i][j] = S::fmadd(av, bv[j], acc[i][j]);
    }
    a += csa;
    a_upper += csa;
    b += rsb;
  }

  const V va = S::set1(alpha);
  if (cols < NR) {
    const V vb = S::set1(beta);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        int lanes = cols - j * L;
        if (lanes <= 0) break;
        if (lanes > L) lanes = L;
        T* cp = c + i * ldc + j * L;
        V scaled = S::mul(acc[i][j], va);
        S::store_masked(cp, beta == T(0) ? scaled : S::fmadd(S::load_masked(cp, lanes), vb, scaled), lanes);
      }
    }
  } else if (beta == T(0)) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) S::store(c + i * ldc + j * L, finish(j, S::mul(acc[i][j], va)));
    }
  } else if (beta == T(1)) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        T* cp = c + i * ldc + j * L;
        S::store(cp, finish(j, S::fmadd(acc[i][j], va, S::load(cp))));
      }
    }
  } else {
    const V vb = S::set1(beta);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        T* cp = c + i * ldc + j * L;
        S::store(cp, finish(j, S::fmadd(acc[i][j], va, S::mul(S::load(cp), vb))));
      }
    }
  }
}

// A full tile over a packed B panel (rsb = NR), fetching B's rows ahead.
template <class T, int MR, int NV, class Finish = NoFinish>
__attribute__((always_inline)) inline void packed_b_tile(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b,
                                                         T* c, int64_t ldc, T alpha, T beta, Finish finish = {}) {
  constexpr int NR = NV * Vec<T>::lanes;
  tile<T, MR, NV, false, Finish, kPackedBPrefetchSteps>(kc, a, rsa, csa, b, NR, c, ldc, alpha, beta, NR, finish);
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

// The edge of C for a row-major A read in place: rows 1..MR and cols 1..NR (masked stores), with only the
// vectors that hold columns computed (a 16 x 16 f32 product used half of a 32-wide tile's FMAs). B is a
// packed panel (rsb = NR) or, with MaskedB, a row-major B read in place (rsb = ldb).
template <class T, int MR, int NV, bool MaskedB = false>
inline void edge_tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t rsb, T* c, int64_t ldc, T alpha,
                      T beta, int rows, int cols) {
  if constexpr (NV > 1) {
    if (cols <= (NV - 1) * Vec<T>::lanes) {
      return edge_tile<T, MR, NV - 1, MaskedB>(kc, a, lda, b, rsb, c, ldc, alpha, beta, rows, cols);
    }
  }
  run_for_height<RowsTile<T, NV, MaskedB>, MR>(rows, kc, a, lda, b, rsb, c, ldc, alpha, beta, cols);
}

// Tiles of each height reading a row-major A and B in place, full width, and writing B's packed panel
// (for run_for_height). B's rows come from wherever B is, L2 to memory: fetched kDirectBPrefetchSteps ahead.
// Zen 5, 1 thread, 16 / 32 / 64 steps, GFLOPS: f64 128 x 4096 x 4096 (B from memory) 78-82 / 74-77 / 75-78,
// f32 49 x 512 x 4608 170-173 / 176-179 / 180; f32 n = 512 and 2048 within 1%.
inline constexpr int kDirectBPrefetchSteps = 32;

template <class T, int NV>
struct PackingBTile {
  template <int MR>
  static void run(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* b_packed, T* c, int64_t ldc, T alpha,
                  T beta) {
    tile<T, MR, NV, false, NoFinish, kDirectBPrefetchSteps, true>(kc, a, lda, 1, b, ldb, c, ldc, alpha, beta,
                                                                  NV * Vec<T>::lanes, {}, b_packed);
  }
};

template <class T, int MR, int NV>
inline void direct_packing_b_tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* b_packed, T* c,
                                  int64_t ldc, T alpha, T beta, int rows) {
  run_for_height<PackingBTile<T, NV>, MR>(rows, kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta);
}

// Small problems: A and B both read in place (row-major, not transposed), any tile height and width.
template <class T, int MR, int NV>
inline void direct_tile(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha,
                        T beta, int rows, int cols) {
  if (cols == NV * Vec<T>::lanes) return edge_tile<T, MR, NV, false>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
  edge_tile<T, MR, NV, true>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
}

}  // namespace armory::gemm_engine::avx512
