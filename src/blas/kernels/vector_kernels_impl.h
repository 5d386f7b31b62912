// Portable bodies of the vector kernels (see vector_kernels.h), written so the compiler vectorises them
// for whatever ISA the including file is compiled for: unit stride, restrict pointers, and reductions
// marked `omp simd` (compiled with -fopenmp-simd: vector reassociation for these loops only, no OpenMP
// runtime). Included by one file per ISA; never compiled on its own.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "blas/substitution.h"
#include "blas/vector_kernels.h"

namespace armory::blas::vector_impl {
// Internal linkage: each per-ISA file must keep its own instantiations. With external linkage the linker
// would merge the same template from every file into one, compiled for whichever ISA it saw first (the
// AVX-512 table then ran SSE2 code for the kernels it takes from here).
namespace {

// The widest vector the including file is compiled for: dot's tail and gemv_t's partial sums per column are
// one vector wide. (With 64-byte lanes on AVX2, gemv_t's eight columns took sixteen ymm accumulators and x as
// well, and GCC 12 kept three accumulators on the stack; on NEON they would have taken all 32 registers.)
#if defined(__AVX512F__)
inline constexpr int kVectorBytes = 64;
#elif defined(__AVX__)
inline constexpr int kVectorBytes = 32;
#else
inline constexpr int kVectorBytes = 16;
#endif

// Partial sums zeroed lane by lane rather than by `= {}`, which GCC 12 compiles to `rep stos` for the larger
// arrays (gemv_t's 256 bytes, dot's 128): its start-up took a fifth of a 64 x 64 gemv_t. (The files including
// this one are compiled with -fno-tree-loop-distribute-patterns, so that the loop stays a loop.)
template <class T, int kLanes>
void zero(T (&lanes)[kLanes]) {
#pragma omp simd
  for (int l = 0; l < kLanes; ++l) lanes[l] = T(0);
}

// The sum of term(i) for i < n (dot, asum, snrm2) in kLanes independent partial sums: several vector
// accumulators, so the loop runs at the FMA throughput (or the memory's) instead of one FMA latency per
// vector. The terms are captured by value: through references GCC lost the pointers' restrict, and sdot
// n = 1000 ran 4% slower. 128 bytes of lanes: four ymm chains, eight xmm or NEON ones, enough for two loads a
// cycle. No software prefetch: the hardware follows the two streams. Zen 3, 1 thread, cblas_sdot / cblas_ddot of the
// library before and after, alternating in one process with OpenBLAS's, ÷ OpenBLAS, before -> after (256 bytes of lanes
// with one line in four fetched 2 KiB ahead -> 128 bytes without): f32 n = 1000 / 10^5 / 10^6 / 4 * 10^6 0.90 / 0.78 /
// 0.92 / 0.70 -> 1.03 / 0.99 / 0.99 / 0.97, f64 0.98 / 0.88 / 0.86 / 0.79 -> 1.06 / 0.98 / 1.02 / 0.96. The SSE2
// baseline (16 xmm: 256 bytes of lanes left two on the stack) ran the same loop 1.2-1.5x faster at every n.
template <class Acc, class Term>
Acc sum_in_lanes(int64_t n, const Term& term) {
  constexpr int kLanes = 128 / sizeof(Acc);
  Acc lanes[kLanes];
  zero(lanes);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) lanes[l] += term(i + l);
  }
  // The rest a vector at a time, into the first lanes: one by one, up to 63 floats took a dependent add each
  // (cblas_sdot n = 1000: 40 of them).
  constexpr int kVectorLanes = kVectorBytes / sizeof(Acc);
  for (; i + kVectorLanes <= n; i += kVectorLanes) {
#pragma omp simd
    for (int l = 0; l < kVectorLanes; ++l) lanes[l] += term(i + l);
  }
  Acc sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int l = 0; l < kLanes; ++l) sum += lanes[l];
  for (; i < n; ++i) sum += term(i);
  return sum;
}

template <class T>
T dot(int64_t n, const T* __restrict x, const T* __restrict y) {
  return sum_in_lanes<T>(n, [x, y](int64_t i) { return x[i] * y[i]; });
}

// step(i) for i < n, 128 bytes a pass (four ymm, eight xmm or NEON vectors): one vector a pass ran at the
// mercy of where the linker put the five-instruction loop; across a 64-byte line (as in libblas.so.3) it lost
// a quarter of its speed. Zen 3, 1 thread, alternating in one process with OpenBLAS's saxpy, ÷ OpenBLAS, the
// library's one-vector loop -> the same loop compiled elsewhere -> 128 bytes a pass: n = 1000 0.76 -> 1.14 ->
// 1.16, n = 10^5 0.75 -> 0.93 -> 1.01, n = 10^6 0.80 -> 0.91 -> 1.00 (sscal one vector a pass: 0.60-0.81x).
// The step captures its pointers by value, as sum_in_lanes's terms do.
template <class T, class Step>
void in_passes(int64_t n, const Step& step) {
  constexpr int kPass = 128 / sizeof(T);
  int64_t i = 0;
  for (; i + kPass <= n; i += kPass) {
#pragma omp simd
    for (int l = 0; l < kPass; ++l) step(i + l);
  }
#pragma omp simd
  for (int64_t j = i; j < n; ++j) step(j);
}

template <class T>
void axpy(int64_t n, T alpha, const T* __restrict x, T* __restrict y) {
  in_passes<T>(n, [alpha, x, y](int64_t i) { y[i] += alpha * x[i]; });
}

// y[0:m] += A[:, 0:C] t in one pass over y, t the columns' factors (alpha applied): each y[i] adds its C
// products, summed in column order, at once.
template <class T, int C>
void add_columns(int64_t m, const T* a, int64_t lda, const T (&t)[C], T* __restrict y) {
  constexpr int kLanes = kVectorBytes / sizeof(T);
  const T* __restrict column[C];
  for (int c = 0; c < C; ++c) column[c] = a + c * lda;
  int64_t i = 0;
  for (; i + kLanes <= m; i += kLanes) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      T sum = column[0][i + l] * t[0];
#pragma GCC unroll 8
      for (int c = 1; c < C; ++c) sum += column[c][i + l] * t[c];
      y[i + l] += sum;
    }
  }
  for (; i < m; ++i) {
    T sum = column[0][i] * t[0];
    for (int c = 1; c < C; ++c) sum += column[c][i] * t[c];
    y[i] += sum;
  }
}

// Eight columns a pass, so y is loaded and stored once for eight columns of A, without software prefetches.
// The fetches 4 KiB ahead were measured on Zen 5 when this code served the AVX-512 tables too (which have
// their own kernels now); on Zen 3, A from DRAM (float32 n = 4096, 1 thread, variants alternating in one
// process with OpenBLAS's sgemv), four columns with them ran at 0.76-0.80x OpenBLAS, four without at 0.94,
// eight without at 1.05 (eight with them 0.47), as for gemv_t. The AVX2 and baseline rows run this.
template <class T>
void gemv_n(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* __restrict y) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const T t[8] = {alpha * x[j],     alpha * x[j + 1], alpha * x[j + 2], alpha * x[j + 3],
                    alpha * x[j + 4], alpha * x[j + 5], alpha * x[j + 6], alpha * x[j + 7]};
    add_columns(m, a + j * lda, lda, t, y);
  }
  if (j + 4 <= n) {
    const T t[4] = {alpha * x[j], alpha * x[j + 1], alpha * x[j + 2], alpha * x[j + 3]};
    add_columns(m, a + j * lda, lda, t, y);
    j += 4;
  }
  for (; j < n; ++j) axpy(m, alpha * x[j], a + j * lda, y);
}

// A column's partial sums added in a fixed tree, lane l + width into lane l for width = half, quarter, ...:
// vector adds, where one running sum took a dependent scalar add per lane (at n = 64 the reductions took
// longer than the products).
template <class T, int kLanes>
T sum_of_lanes(T (&lanes)[kLanes]) {
#pragma GCC unroll 8
  for (int width = kLanes / 2; width > 0; width /= 2) {
#pragma omp simd
    for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
  }
  return lanes[0];
}

// One column of gemv_t below, summed exactly as the eight-column pass sums each of its columns: a column's
// result must not depend on whether it fell in a group of eight (callers split the columns between threads).
template <class T>
T gemv_t_column(int64_t m, const T* __restrict c, const T* __restrict x) {
  constexpr int kLanes = kVectorBytes / sizeof(T);
  T lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= m; i += kLanes) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) lanes[l] += c[i + l] * x[i + l];
  }
  T sum = sum_of_lanes(lanes);
  for (; i < m; ++i) sum += c[i] * x[i];
  return sum;
}

// kColumns dot products in one pass over x, each column summed exactly as gemv_t_column sums it.
template <int kColumns, class T>
void gemv_t_columns(int64_t m, T alpha, const T* a, int64_t lda, const T* __restrict x, T* y) {
  constexpr int kLanes = kVectorBytes / sizeof(T);
  T lanes[kColumns][kLanes];
#pragma GCC unroll 8
  for (int c = 0; c < kColumns; ++c) zero(lanes[c]);
  int64_t i = 0;
  for (; i + kLanes <= m; i += kLanes) {
#pragma GCC unroll 8
    for (int c = 0; c < kColumns; ++c) {
      const T* __restrict column = a + c * lda;
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) lanes[c][l] += column[i + l] * x[i + l];
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < kColumns; ++c) {
    const T* column = a + c * lda;
    T sum = sum_of_lanes(lanes[c]);
    for (int64_t t = i; t < m; ++t) sum += column[t] * x[t];
    y[c] += alpha * sum;
  }
}

// Eight dot products per pass, so x is read once for eight columns; each keeps a vector's worth of partial
// sums (kVectorBytes). The AVX2 and baseline rows run this (AVX-512 has its own). No software prefetch: on Zen 3,
// A from DRAM (float32 n = 4096, 1 thread, variants alternating in one process with OpenBLAS's sgemv),
// four columns with each stream fetched 4 KiB ahead ran at 0.85-0.91x OpenBLAS, four without at 0.88-0.93,
// eight without at 1.02 (eight with the fetches 0.64): the hardware follows eight streams by itself.
// The columns left over go four, two, then one at a time: one at a time, seven of them read x seven times
// (Householder panels of 31 columns, dgeqrf's: dgemv 600 x 31 0.79 of OpenBLAS).
template <class T>
void gemv_t(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* __restrict x, T* y) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) gemv_t_columns<8>(m, alpha, a + j * lda, lda, x, y + j);
  for (; j + 4 <= n; j += 4) gemv_t_columns<4>(m, alpha, a + j * lda, lda, x, y + j);
  for (; j + 2 <= n; j += 2) gemv_t_columns<2>(m, alpha, a + j * lda, lda, x, y + j);
  for (; j < n; ++j) y[j] += alpha * gemv_t_column(m, a + j * lda, x);
}

// symv's rectangles: yn[0:m] += alpha A xn and yt[c] += alpha dot(A[:, c], xt) for the four columns of A
// (m x 4, column-major) in one read of A, where gemv_n and gemv_t would read it twice. Four columns: their
// partial sums, y, x and four factors in sixteen ymm registers.
// When the columns share an alignment, the vector loop starts at the first vector-aligned row, so that its
// column loads never split a cache line: 16 bytes off (numpy's large arrays, and every other trailing matrix
// of dsytrd) ran dsymv n = 1024 at 31.6 GB/s against 41.2 aligned (1 thread, Zen 3). The dot products are
// still summed as from row 0 (each lane its rows in row order, the lanes folded, then the rows past the last
// whole vector one by one), so that where A sits never changes the bits (see gemv's test of every start
// within a line).
template <class T>
void symv_columns(int64_t m, T alpha, const T* a, int64_t lda, const T* xn, T* __restrict yn, const T* __restrict xt,
                  T* yt) {
  constexpr int kLanes = kVectorBytes / sizeof(T);
  constexpr int kColumns = 4;
  const T* __restrict column[kColumns];
  T factor[kColumns];
  for (int c = 0; c < kColumns; ++c) {
    column[c] = a + c * lda;
    factor[c] = alpha * xn[c];
  }
  const int64_t whole = m / kLanes * kLanes;  // rows summed in lanes; the rest one by one
  const auto address = reinterpret_cast<uintptr_t>(a);
  const bool aligned_alike = (lda * int64_t{sizeof(T)}) % kVectorBytes == 0 && address % sizeof(T) == 0;
  const int64_t off = static_cast<int64_t>(address % kVectorBytes / sizeof(T));
  const int64_t peel = aligned_alike && off != 0 && kLanes - off <= whole ? kLanes - off : 0;
  // Row r's products outside the vector loop: into y, and into `sums` (lane l holding the rows with
  // r % kLanes == (peel + l) % kLanes, as the loop's lanes do) while r < whole. The loop's own lanes are
  // touched only by whole vectors, so that they stay in registers. Each lane sums its rows in row order.
  auto one_row = [&](int64_t r, T(&sums)[kColumns][kLanes]) {
    T y = yn[r];
    for (int c = 0; c < kColumns; ++c) {
      y += column[c][r] * factor[c];
      if (r < whole) sums[c][(r - peel + kLanes) % kLanes] += column[c][r] * xt[r];
    }
    yn[r] = y;
  };
  T edge[kColumns][kLanes];
  for (int c = 0; c < kColumns; ++c) zero(edge[c]);
  int64_t i = 0;
  for (; i < peel; ++i) one_row(i, edge);
  T lanes[kColumns][kLanes];
  for (int c = 0; c < kColumns; ++c) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) lanes[c][l] = edge[c][l];
  }
  for (; i + kLanes <= whole; i += kLanes) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) {
      const T x = xt[i + l];
      T y = yn[i + l];
#pragma GCC unroll 4
      for (int c = 0; c < kColumns; ++c) {
        const T v = column[c][i + l];
        y += v * factor[c];
        lanes[c][l] += v * x;
      }
      yn[i + l] = y;
    }
  }
  // Aligned (nothing peeled), the loop's lanes are in row order and it stopped at `whole`.
  if (peel == 0) {
    for (int c = 0; c < kColumns; ++c) {
      T sum = sum_of_lanes(lanes[c]);
      for (int64_t t = whole; t < m; ++t) sum += column[c][t] * xt[t];
      yt[c] += alpha * sum;
    }
    for (int64_t r = i; r < m; ++r) one_row(r, edge);
    return;
  }
  for (int c = 0; c < kColumns; ++c) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) edge[c][l] = lanes[c][l];
  }
  for (int64_t r = i; r < m; ++r) one_row(r, edge);
  for (int c = 0; c < kColumns; ++c) {
    // Folded as sum_of_lanes folds, but in scalars: its vector loads of lanes just stored one by one stalled
    // the store buffer (a fifth of dsymv n = 256). The lanes are those of row order turned by `peel`, and
    // the fold gives the same bits turned or not: each of its steps adds lanes whose indices differ by a
    // fixed half, a quarter, ... of kLanes (mod kLanes), so turning only swaps the operands of some adds.
    T folded[kLanes];
#pragma GCC unroll 16
    for (int l = 0; l < kLanes; ++l) folded[l] = edge[c][l];
#pragma GCC unroll 16
    for (int width = kLanes / 2; width > 0; width /= 2) {
#pragma GCC unroll 16
      for (int l = 0; l < width; ++l) folded[l] += folded[l + width];
    }
    T sum = folded[0];
    for (int64_t t = whole; t < m; ++t) sum += column[c][t] * xt[t];
    yt[c] += alpha * sum;
  }
}

template <class T>
void rot(int64_t n, T* __restrict x, T* __restrict y, T c, T s) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    const T xi = x[i], yi = y[i];
    x[i] = c * xi + s * yi;
    y[i] = c * yi - s * xi;
  }
}

template <class T>
void ger(int64_t m, int64_t n, T alpha, const T* x, const T* y, T* a, int64_t lda) {
  for (int64_t j = 0; j < n; ++j) axpy(m, alpha * y[j], x, a + j * lda);
}

template <class T>
void scal(int64_t n, T alpha, T* __restrict x) {
  in_passes<T>(n, [alpha, x](int64_t i) { x[i] *= alpha; });
}

template <class T>
void swap(int64_t n, T* __restrict x, T* __restrict y) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    const T xi = x[i];
    x[i] = y[i];
    y[i] = xi;
  }
}

template <class T>
T asum(int64_t n, const T* __restrict x) {
  return sum_in_lanes<T>(n, [x](int64_t i) { return std::abs(x[i]); });
}

// The index of the first largest magnitude(i), i < n: each block's largest in vector lanes (a NaN never wins:
// `v > m ? v : m` keeps m), and only when it beats the best so far, the block scanned again from L1 for its
// first such element; a later equal maximum never replaces an earlier one.
template <class T, class Magnitude>
int64_t first_largest(int64_t n, const Magnitude& magnitude) {
  T best = magnitude(0);
  if (best != best) return 0;
  int64_t best_index = 0;
  constexpr int64_t kBlock = 1024;
  constexpr int kLanes = kVectorBytes / sizeof(T);
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = start + kBlock < n ? start + kBlock : n;
    T lanes[kLanes];
    zero(lanes);
    int64_t i = start;
    for (; i + kLanes <= end; i += kLanes) {
#pragma omp simd
      for (int l = 0; l < kLanes; ++l) {
        const T v = magnitude(i + l);
        lanes[l] = v > lanes[l] ? v : lanes[l];
      }
    }
    T block_max = 0;
    for (int l = 0; l < kLanes; ++l) block_max = lanes[l] > block_max ? lanes[l] : block_max;
    for (; i < end; ++i) block_max = magnitude(i) > block_max ? magnitude(i) : block_max;
    if (block_max > best) {
      int64_t j = start;
      while (magnitude(j) != block_max) ++j;
      best = block_max;
      best_index = j;
    }
  }
  return best_index;
}

template <class T>
int64_t iamax(int64_t n, const T* __restrict x) {
  return first_largest<T>(n, [x](int64_t i) { return std::abs(x[i]); });
}

template <class T>
double nrm2_sum_of_squares(int64_t n, const T* __restrict x, T small, T big) {
  if constexpr (sizeof(T) == 4) {
    // Every square of a float is a normal double: no range to check.
    return sum_in_lanes<double>(n, [x](int64_t i) { return double(x[i]) * double(x[i]); });
  } else {
    constexpr int kLanes = 128 / sizeof(T);
    T sum = 0, count = 0;
    int64_t i = 0;
    // Short vectors (LAPACK's Householder reflectors of a 3 x 3 matrix: numpy's eig of a stack of them) skip
    // the lanes, whose zeroing and reduction cost more than their few elements; adding the lanes' zeros
    // first changed no bit of the sum.
    if (n >= kLanes) {
      T lanes[kLanes], outside[kLanes];
      zero(lanes);
      zero(outside);
      for (; i + kLanes <= n; i += kLanes) {
#pragma omp simd
        for (int l = 0; l < kLanes; ++l) {
          const T v = x[i + l], a = std::abs(v);
          lanes[l] += v * v;
          outside[l] += (a > big) | (a < small && a != T(0)) ? T(1) : T(0);
        }
      }
      for (int l = 0; l < kLanes; ++l) {
        sum += lanes[l];
        count += outside[l];
      }
    }
    for (; i < n; ++i) {
      const T a = std::abs(x[i]);
      sum += x[i] * x[i];
      count += (a > big) | (a < small && a != T(0)) ? T(1) : T(0);
    }
    return count == T(0) ? sum : -1.0;
  }
}

// Complex vectors as BLAS stores them, (re, im) pairs. The loops run over whole pairs, both parts side by
// side, so the vectoriser loads vectors of pairs as they lie and finds each part's partner (im for re) by a
// swap within the pair, rather than splitting the parts into two vectors and merging them back.
template <class T>
const T* parts(const std::complex<T>* z) {
  return reinterpret_cast<const T*>(z);
}
template <class T>
T* parts(std::complex<T>* z) {
  return reinterpret_cast<T*>(z);
}

template <class T>
__attribute__((noinline)) void complex_axpy(int64_t n, std::complex<T> alpha, const std::complex<T>* xc,
                                            std::complex<T>* yc) {
  const T ar = alpha.real(), ai = alpha.imag();
  const T* __restrict x = parts(xc);
  T* __restrict y = parts(yc);
  in_passes<std::complex<T>>(n, [ar, ai, x, y](int64_t i) {
    const T xr = x[2 * i], xi = x[2 * i + 1];
    y[2 * i] += ar * xr - ai * xi;
    y[2 * i + 1] += ar * xi + ai * xr;
  });
}

template <class T>
void complex_scal(int64_t n, std::complex<T> alpha, std::complex<T>* xc) {
  const T ar = alpha.real(), ai = alpha.imag();
  T* __restrict x = parts(xc);
  in_passes<std::complex<T>>(n, [ar, ai, x](int64_t i) {
    const T xr = x[2 * i], xi = x[2 * i + 1];
    x[2 * i] = ar * xr - ai * xi;
    x[2 * i + 1] = ar * xi + ai * xr;
  });
}

// The partial sums of a complex dot product of u and v over kPairs lanes: same[] sums each part of u times
// the same part of v (ur vr, ui vi), crossed[] times the other part (ur vi, ui vr). Both parts of the
// product come out of them, with u conjugated or not, at the end.
template <class T, int kPairs>
struct ComplexSums {
  T same[2 * kPairs], crossed[2 * kPairs];

  void clear() {
    zero(same);
    zero(crossed);
  }
  // Elements [i, i + kCount) into the first kCount pairs of lanes. v's parts are swapped into a block of
  // their own first, then both sums are one flat loop: written as four interleaved statements, GCC loaded u
  // and v twice a vector (cdotu n = 1000 / 10^5 1.14 / 1.32x, zdotu 1.23 / 1.06x slower).
  template <int kCount>
  void add(const T* __restrict u, const T* __restrict v, int64_t i) {
    static_assert(kCount <= kPairs);
    u += 2 * i;
    v += 2 * i;
    T swapped[2 * kCount];
#pragma omp simd
    for (int l = 0; l < kCount; ++l) {
      swapped[2 * l] = v[2 * l + 1];
      swapped[2 * l + 1] = v[2 * l];
    }
#pragma omp simd
    for (int r = 0; r < 2 * kCount; ++r) {
      same[r] += u[r] * v[r];
      crossed[r] += u[r] * swapped[r];
    }
  }
  // Elements [i, n) of u and v, every full kPairs first.
  void add_all(const T* u, const T* v, int64_t i, int64_t n) {
    for (; i + kPairs <= n; i += kPairs) add<kPairs>(u, v, i);
    for (; i < n; ++i) add<1>(u, v, i);
  }
  // sum u v, or sum conj(u) v. The lanes folded in halves down to one pair, as sum_of_lanes folds them (an
  // even half keeps re and im apart): vector adds, where one sum per part took a dependent add per lane
  // (hemv's short column segments spent longer there than in the products).
  std::complex<T> result(bool conjugate_u) {
#pragma GCC unroll 8
    for (int width = kPairs; width >= 2; width /= 2) {
#pragma omp simd
      for (int l = 0; l < width; ++l) {
        same[l] += same[l + width];
        crossed[l] += crossed[l + width];
      }
    }
    return conjugate_u ? std::complex<T>(same[0] + same[1], crossed[0] - crossed[1])
                       : std::complex<T>(same[0] - same[1], crossed[0] + crossed[1]);
  }
};

// 128 bytes of each kind of sum, as sum_in_lanes keeps for real dots, then a vector of pairs at a time.
template <class T>
std::complex<T> complex_dot(int64_t n, const std::complex<T>* xc, const std::complex<T>* yc, bool conjugate_x) {
  constexpr int kPairs = 64 / sizeof(T), kVectorPairs = kVectorBytes / sizeof(T) / 2;
  const T *x = parts(xc), *y = parts(yc);
  ComplexSums<T, kPairs> sums;
  sums.clear();
  int64_t i = 0;
  for (; i + kPairs <= n; i += kPairs) sums.template add<kPairs>(x, y, i);
  for (; i + kVectorPairs <= n; i += kVectorPairs) sums.template add<kVectorPairs>(x, y, i);
  for (; i < n; ++i) sums.template add<1>(x, y, i);
  return sums.result(conjugate_x);
}

template <class T>
int64_t complex_iamax(int64_t n, const std::complex<T>* xc) {
  const T* x = parts(xc);
  return first_largest<T>(n, [x](int64_t i) { return std::abs(x[2 * i]) + std::abs(x[2 * i + 1]); });
}

// y[0:m] += A[:, 0:C] t in one pass over y (t the columns' factors, alpha applied), as add_columns.
template <class T, int C>
void add_complex_columns(int64_t m, const std::complex<T>* a, int64_t lda, const std::complex<T> (&t)[C],
                         std::complex<T>* yc) {
  constexpr int kPairs = kVectorBytes / sizeof(T) / 2;
  const T* __restrict column[C];
  T tr[C], ti[C];
  for (int c = 0; c < C; ++c) {
    column[c] = parts(a + c * lda);
    tr[c] = t[c].real();
    ti[c] = t[c].imag();
  }
  T* __restrict y = parts(yc);
  auto row = [&](int64_t e) {
    T yr = y[e], yi = y[e + 1];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const T ar = column[c][e], ai = column[c][e + 1];
      yr += ar * tr[c] - ai * ti[c];
      yi += ai * tr[c] + ar * ti[c];
    }
    y[e] = yr;
    y[e + 1] = yi;
  };
  int64_t i = 0;
  for (; i + kPairs <= m; i += kPairs) {
#pragma omp simd
    for (int l = 0; l < kPairs; ++l) row(2 * (i + l));
  }
  for (; i < m; ++i) row(2 * i);
}

// Four columns a pass, y loaded and stored once for the four.
template <class T>
void complex_gemv_n(int64_t m, int64_t n, std::complex<T> alpha, const std::complex<T>* a, int64_t lda,
                    const std::complex<T>* x, std::complex<T>* y) {
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const std::complex<T> t[4] = {alpha * x[j], alpha * x[j + 1], alpha * x[j + 2], alpha * x[j + 3]};
    add_complex_columns(m, a + j * lda, lda, t, y);
  }
  for (; j < n; ++j) {
    const std::complex<T> t[1] = {alpha * x[j]};
    add_complex_columns(m, a + j * lda, lda, t, y);
  }
}

// Four dot products a pass, x read once for the four, each column's sums a vector of pairs wide. A column
// left over is summed the same way, so its result does not depend on the group it fell in.
template <class T>
void complex_gemv_t(int64_t m, int64_t n, std::complex<T> alpha, const std::complex<T>* a, int64_t lda,
                    const std::complex<T>* xc, std::complex<T>* y, bool conjugate_a) {
  constexpr int kPairs = kVectorBytes / sizeof(T) / 2;
  constexpr int kColumns = 4;
  const T* x = parts(xc);
  int64_t j = 0;
  for (; j + kColumns <= n; j += kColumns) {
    ComplexSums<T, kPairs> sums[kColumns];
    const T* column[kColumns];
    for (int c = 0; c < kColumns; ++c) {
      sums[c].clear();
      column[c] = parts(a + (j + c) * lda);
    }
    int64_t i = 0;
    for (; i + kPairs <= m; i += kPairs) {
#pragma GCC unroll 4
      for (int c = 0; c < kColumns; ++c) sums[c].template add<kPairs>(column[c], x, i);
    }
    for (int c = 0; c < kColumns; ++c) {
      sums[c].add_all(column[c], x, i, m);
      y[j + c] += alpha * sums[c].result(conjugate_a);
    }
  }
  for (; j < n; ++j) {
    ComplexSums<T, kPairs> sums;
    sums.clear();
    sums.add_all(parts(a + j * lda), x, 0, m);
    y[j] += alpha * sums.result(conjugate_a);
  }
}

// symv_columns for the complex types: each column's axpy into yn, then its dot with xt (the second read from
// cache). Fused as the real kernel is (rows in chunks, the four columns' products into y in one pass, then their
// sums while in L1), zhemv ran 0.7-0.9x as fast on one thread (Zen 3, n = 256..1024). complex_axpy is kept out
// of line: inlined here, GCC left its loop (in_passes) a call of its own and it ran at half speed.
template <class T>
void complex_symv_columns(int64_t m, std::complex<T> alpha, const std::complex<T>* a, int64_t lda,
                          const std::complex<T>* xn, std::complex<T>* yn, const std::complex<T>* xt,
                          std::complex<T>* yt, bool conjugate_a) {
  for (int c = 0; c < 4; ++c) {
    complex_axpy(m, alpha * xn[c], a + c * lda, yn);
    yt[c] += alpha * complex_dot(m, a + c * lda, xt, conjugate_a);
  }
}

// substitute_row_block (blas/substitution.h) a chunk of columns at a time, each row's updates gathered in
// registers: the chunk (eight vectors) of every row copied to a block on the stack, row p takes the products of
// every row solved before it, then its diagonal's reciprocal, and the block is written back. Row by
// row over the whole width, each row solved was subtracted from every later row in memory; and trsm from the
// right passes X's columns in place, rows 8 KiB apart (m = 1024) that all fall in one L1 set, so that every
// pass over 16 of them came from L2 (half of dtrsm R L T N 1024 x 64, Cholesky's panel solve). The same
// operations in the same order: the same bits. Columns past the last full chunk, and blocks of more than
// kGatheredRows rows, go row by row.
template <class T>
void substitute_rows_gathered(bool lower, bool unit, const T* m, int64_t ldm, int64_t ib, int64_t width, T* rows,
                              int64_t ld_rows) {
  // GCC's vector extensions, spelled per type (on a type that depends on T, GCC drops the attribute), each
  // vector moved on its own: over a lane array in `omp simd` loops, or moved whole by one memcpy, GCC 12 kept
  // the chunk on the stack.
  using Vector = std::conditional_t<std::is_same_v<T, float>, float __attribute__((vector_size(kVectorBytes))),
                                    double __attribute__((vector_size(kVectorBytes)))>;
  static_assert(sizeof(Vector) == kVectorBytes);
  constexpr int kVectors = 8, kStep = kVectorBytes / static_cast<int>(sizeof(T)), kLanes = kVectors * kStep;
  constexpr int64_t kGatheredRows = 16;  // trsm's substitution blocks (level3.cpp)
  int64_t c0 = 0;
  if (ib <= kGatheredRows) {
    // The chunk of every row, in the order they are solved: all read before any is written back, since a
    // read of one row just after a store to another 4 KiB (or 8) away waits for the store.
    Vector block[kGatheredRows][kVectors];
    auto row_at = [&](int64_t step) { return rows + (lower ? step : ib - 1 - step) * ld_rows + c0; };
    T inverse[kGatheredRows];  // the diagonal's reciprocals, once for all chunks
    for (int64_t p = 0; p < ib && !unit; ++p) inverse[p] = T(1) / m[p + p * ldm];
    for (; c0 + kLanes <= width; c0 += kLanes) {
      for (int64_t step = 0; step < ib; ++step) {
        for (int v = 0; v < kVectors; ++v) std::memcpy(&block[step][v], row_at(step) + v * kStep, sizeof(Vector));
      }
      for (int64_t step = 0; step < ib; ++step) {
        const int64_t p = lower ? step : ib - 1 - step;
        Vector chunk[kVectors];
        for (int v = 0; v < kVectors; ++v) chunk[v] = block[step][v];
        for (int64_t earlier = 0; earlier < step; ++earlier) {
          const T coefficient = m[p + (lower ? earlier : ib - 1 - earlier) * ldm];
          for (int v = 0; v < kVectors; ++v) chunk[v] -= block[earlier][v] * coefficient;
        }
        if (!unit) {
          for (int v = 0; v < kVectors; ++v) chunk[v] *= inverse[p];
        }
        for (int v = 0; v < kVectors; ++v) block[step][v] = chunk[v];
      }
      for (int64_t step = 0; step < ib; ++step) {
        for (int v = 0; v < kVectors; ++v) std::memcpy(row_at(step) + v * kStep, &block[step][v], sizeof(Vector));
      }
    }
  }
  if (c0 < width) substitute_row_block(lower, unit, m, ldm, ib, width - c0, rows + c0, ld_rows);
}

// rank_k_chunk's tile: kVectors vectors of P's rows by kRankKColumns columns, in registers over the chunk.
template <class T, class Vector, int kVectors>
void rank_k_tile(int64_t depth, const T* x, int64_t ldx, const T* y, int64_t ldy, T* p, int64_t ldp) {
  constexpr int kStep = kVectorBytes / static_cast<int>(sizeof(T)), kColumns = kRankKColumns;
  Vector acc[kVectors][kColumns];
#pragma GCC unroll 8
  for (int j = 0; j < kColumns; ++j) {
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) std::memcpy(&acc[v][j], p + v * kStep + j * ldp, sizeof(Vector));
  }
  for (int64_t s = 0; s < depth; ++s, x += ldx, y += ldy) {
    Vector xv[kVectors];
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) std::memcpy(&xv[v], x + v * kStep, sizeof(Vector));
#pragma GCC unroll 8
    for (int j = 0; j < kColumns; ++j) {
      const T yj = y[j];
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) acc[v][j] += xv[v] * yj;
    }
  }
#pragma GCC unroll 8
  for (int j = 0; j < kColumns; ++j) {
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) std::memcpy(p + v * kStep + j * ldp, &acc[v][j], sizeof(Vector));
  }
}

// A depth chunk of a small product of depth rows (vector_kernels.h), in tiles of two vectors of rows by
// kRankKColumns columns: x's rows are loaded as vectors, y's elements broadcast.
template <class T>
void rank_k_chunk(RankKPart part, int64_t rows, int64_t first_column, int64_t end_column, int64_t depth, const T* x,
                  int64_t ldx, const T* y, int64_t ldy, T* p, int64_t ldp) {
  using Vector = std::conditional_t<std::is_same_v<T, float>, float __attribute__((vector_size(kVectorBytes))),
                                    double __attribute__((vector_size(kVectorBytes)))>;
  constexpr int64_t kStep = kVectorBytes / static_cast<int64_t>(sizeof(T));
  const int64_t row_vectors = (rows + kStep - 1) / kStep;
  for (int64_t j0 = first_column; j0 < end_column; j0 += kRankKColumns) {
    // The row vectors that reach the part in these columns: from the diagonal's down (lower), or down to it.
    const int64_t first = part == RankKPart::lower ? j0 / kStep : 0;
    const int64_t end =
        part == RankKPart::upper ? std::min(row_vectors, (j0 + kRankKColumns + kStep - 1) / kStep) : row_vectors;
    int64_t v = first;
    for (; v + 2 <= end; v += 2) {
      rank_k_tile<T, Vector, 2>(depth, x + v * kStep, ldx, y + j0, ldy, p + v * kStep + j0 * ldp, ldp);
    }
    if (v < end) rank_k_tile<T, Vector, 1>(depth, x + v * kStep, ldx, y + j0, ldy, p + v * kStep + j0 * ldp, ldp);
  }
}

template <class T>
constexpr VectorKernelsOf<T> table() {
  VectorKernelsOf<T> t{};
  t.dot = &dot<T>;
  t.axpy = &axpy<T>;
  t.gemv_n = &gemv_n<T>;
  t.gemv_t = &gemv_t<T>;
  t.rot = &rot<T>;
  t.ger = &ger<T>;
  t.gemv_t_eight_streams = &gemv_t<T>;  // gemv_t already reads eight columns a pass
  t.scal = &scal<T>;
  t.swap = &swap<T>;
  t.asum = &asum<T>;
  t.iamax = &iamax<T>;
  t.nrm2_sum_of_squares = &nrm2_sum_of_squares<T>;
  t.symv_columns = &symv_columns<T>;
  t.substitute_row_block = &substitute_rows_gathered<T>;
  t.rank_k_chunk = &rank_k_chunk<T>;
  t.complex_axpy = &complex_axpy<T>;
  t.complex_dot = &complex_dot<T>;
  t.complex_scal = &complex_scal<T>;
  t.complex_iamax = &complex_iamax<T>;
  t.complex_gemv_n = &complex_gemv_n<T>;
  t.complex_gemv_t = &complex_gemv_t<T>;
  t.complex_symv_columns = &complex_symv_columns<T>;
  return t;
}

}  // namespace
}  // namespace armory::blas::vector_impl
