// The vector kernels compiled for AVX-512 (F, VL). The dot, gemv, ger and complex dot and gemv kernels are
// written with intrinsics: masked loads and stores for the tails instead of scalar loops, a vector reduction
// per column (gemv_t) where the portable version spends its time in scalar reductions on small and medium
// matrices, and gemv_n's short columns by rows held in registers. Each is a template on the vector type,
// 512-bit or 256-bit (AVX-512VL keeps the masked tails): see kVectorKernelsAvx512NarrowStreams for the cores
// that stream faster in 256-bit loads.
#include <immintrin.h>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <type_traits>

#include "blas/kernels/vector_kernels_impl.h"

namespace armory::blas {
namespace {

struct F32x16 {
  using T = float;
  using V = __m512;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static V load_first(const T* p, int count) { return _mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1), p); }
  static V load_last(const T* p, int count) {
    return _mm512_maskz_loadu_ps((__mmask16)(0xFFFFu << (kLanes - count)), p);
  }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static void store_first(T* p, int count, V v) { _mm512_mask_storeu_ps(p, (__mmask16)((1u << count) - 1), v); }
  static V broadcast(T v) { return _mm512_set1_ps(v); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static T sum(V a) { return _mm512_reduce_add_ps(a); }
  using Index = __m512i;
  static Index rotation(int shift) {  // lane l <- lane (l - shift) mod kLanes (only the index's low bits count)
    return _mm512_add_epi32(_mm512_set1_epi32(kLanes - shift),
                            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  }
  static V permute(V v, Index index) { return _mm512_permutexvar_ps(index, v); }
  static V swap_pairs(V v) { return _mm512_permute_ps(v, 0xB1); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V even_odd(V even, V odd) { return _mm512_mask_blend_ps(0xAAAA, even, odd); }
  static std::complex<T> pair_sum(V v) {
    const __m256 h =
        _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    const __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    const __m128 p = _mm_add_ps(q, _mm_movehl_ps(q, q));
    return {_mm_cvtss_f32(p), _mm_cvtss_f32(_mm_movehdup_ps(p))};
  }
};

struct F64x8 {
  using T = double;
  using V = __m512d;
  static constexpr int kLanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static V load_first(const T* p, int count) { return _mm512_maskz_loadu_pd((__mmask8)((1u << count) - 1), p); }
  static V load_last(const T* p, int count) { return _mm512_maskz_loadu_pd((__mmask8)(0xFFu << (kLanes - count)), p); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static void store_first(T* p, int count, V v) { _mm512_mask_storeu_pd(p, (__mmask8)((1u << count) - 1), v); }
  static V broadcast(T v) { return _mm512_set1_pd(v); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static T sum(V a) { return _mm512_reduce_add_pd(a); }
  using Index = __m512i;
  static Index rotation(int shift) {
    return _mm512_add_epi64(_mm512_set1_epi64(kLanes - shift), _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
  }
  static V permute(V v, Index index) { return _mm512_permutexvar_pd(index, v); }
  static V swap_pairs(V v) { return _mm512_permute_pd(v, 0x55); }
  static V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static V even_odd(V even, V odd) { return _mm512_mask_blend_pd(0xAA, even, odd); }
  static std::complex<T> pair_sum(V v) {
    const __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    const __m128d q = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    return {_mm_cvtsd_f64(q), _mm_cvtsd_f64(_mm_unpackhi_pd(q, q))};
  }
};

struct F32x8 {
  using T = float;
  using V = __m256;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V load_first(const T* p, int count) { return _mm256_maskz_loadu_ps((__mmask8)((1u << count) - 1), p); }
  static V load_last(const T* p, int count) { return _mm256_maskz_loadu_ps((__mmask8)(0xFFu << (kLanes - count)), p); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static void store_first(T* p, int count, V v) { _mm256_mask_storeu_ps(p, (__mmask8)((1u << count) - 1), v); }
  static V broadcast(T v) { return _mm256_set1_ps(v); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  using Index = __m256i;
  static Index rotation(int shift) {
    return _mm256_add_epi32(_mm256_set1_epi32(kLanes - shift), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V permute(V v, Index index) { return _mm256_permutexvar_ps(index, v); }
  static V swap_pairs(V v) { return _mm256_permute_ps(v, 0xB1); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V even_odd(V even, V odd) { return _mm256_blend_ps(even, odd, 0xAA); }
  static std::complex<T> pair_sum(V v) {
    const __m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 p = _mm_add_ps(q, _mm_movehl_ps(q, q));
    return {_mm_cvtss_f32(p), _mm_cvtss_f32(_mm_movehdup_ps(p))};
  }
  static T sum(V a) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)));
  }
};

struct F64x4 {
  using T = double;
  using V = __m256d;
  static constexpr int kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V load_first(const T* p, int count) { return _mm256_maskz_loadu_pd((__mmask8)((1u << count) - 1), p); }
  static V load_last(const T* p, int count) { return _mm256_maskz_loadu_pd((__mmask8)(0xFu << (kLanes - count)), p); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static void store_first(T* p, int count, V v) { _mm256_mask_storeu_pd(p, (__mmask8)((1u << count) - 1), v); }
  static V broadcast(T v) { return _mm256_set1_pd(v); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  using Index = __m256i;
  static Index rotation(int shift) {
    return _mm256_add_epi64(_mm256_set1_epi64x(kLanes - shift), _mm256_set_epi64x(3, 2, 1, 0));
  }
  static V permute(V v, Index index) { return _mm256_permutexvar_pd(index, v); }
  static V swap_pairs(V v) { return _mm256_permute_pd(v, 0x5); }
  static V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  static V even_odd(V even, V odd) { return _mm256_blend_pd(even, odd, 0xA); }
  static std::complex<T> pair_sum(V v) {
    const __m128d q = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return {_mm_cvtsd_f64(q), _mm_cvtsd_f64(_mm_unpackhi_pd(q, q))};
  }
  static T sum(V a) {
    const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
  }
};

// Elements before the first cache-line boundary of the columns a + j * lda, when every column starts at the
// same offset in its line (lda a whole number of lines): the gemv kernels load those apart (gemv_n in a
// masked first step, gemv_t in the last lanes of a masked first load), so that every later load reads
// within one line. At 16 or 48 bytes past a line (where a numpy array on the heap usually starts) the
// 512-bit loads each straddled two lines: float32 gemv n = 512 41 -> 49-53 GFLOPS, float64 18-20 -> 21-22
// (data in L2; 1 thread, cblas_?gemv both ways round).
template <class T>
int64_t elements_before_line(const T* a, int64_t lda, int64_t m) {
  constexpr int64_t kLine = 64;
  const auto address = reinterpret_cast<uintptr_t>(a);
  if ((lda * int64_t{sizeof(T)}) % kLine != 0 || address % sizeof(T) != 0) return 0;
  return std::min<int64_t>(m, static_cast<int64_t>((kLine - address % kLine) % kLine / sizeof(T)));
}

// Columns kColumns at a time, so x is read once for all of them, one accumulator per column.
// Each column's products are summed in an order that depends only on m, wherever A sits in memory: lane l
// sums the rows r with r % L == (l + shift) % L in increasing order, and the lanes are put back in row order
// before the one reduction. When the columns share their offset in a line, A is read from its first
// boundary on (elements_before_line: a 512-bit load at 16 bytes past a line straddles two lines), the rows
// before it in the last lanes of a first masked load; `shift` is their count. The boundary's rows used to be
// summed as a step of their own, so the sums depended on A's address: scipy's cossin (LAPACK's sorcsd over
// this gemv) returned other vectors for the same matrix from one call to the next, and its test failed.
template <class S, bool Prefetch, int kColumns = 4>
void gemv_t(int64_t m, int64_t n, typename S::T alpha, const typename S::T* a, int64_t lda, const typename S::T* x,
            typename S::T* y) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int L = S::kLanes;
  constexpr int64_t kAhead = 64 * L;  // 64 vectors ahead in each column stream (4 KiB in 512-bit ones)
  // Rows before the first boundary of a vector's width (a line, or half of one for 256-bit vectors).
  const int shift = static_cast<int>(elements_before_line(a, lda, m) % L);
  const typename S::Index row_order = S::rotation(shift);
  int64_t j = 0;
  for (; j + kColumns <= n; j += kColumns) {
    const T* c[kColumns];
    V acc[kColumns];
    const V x_first = S::load_last(x + shift - L, shift);
    for (int k = 0; k < kColumns; ++k) {
      c[k] = a + (j + k) * lda;
      acc[k] = S::fma(S::load_last(c[k] + shift - L, shift), x_first, S::zero());
    }
    int64_t i = shift;
    for (; i + L <= m; i += L) {
      const V xv = S::load(x + i);
      for (int k = 0; k < kColumns; ++k) {
        if constexpr (Prefetch) _mm_prefetch(reinterpret_cast<const char*>(c[k] + i + kAhead), _MM_HINT_T0);
        acc[k] = S::fma(S::load(c[k] + i), xv, acc[k]);
      }
    }
    if (i < m) {
      const int count = static_cast<int>(m - i);
      const V xv = S::load_first(x + i, count);
      for (int k = 0; k < kColumns; ++k) acc[k] = S::fma(S::load_first(c[k] + i, count), xv, acc[k]);
    }
    for (int k = 0; k < kColumns; ++k) y[j + k] += alpha * S::sum(S::permute(acc[k], row_order));
  }
  // The columns left over, summed the same way one at a time: a column's result must not depend on whether
  // it fell in a group (callers split the columns between threads).
  if constexpr (kColumns > 1) gemv_t<S, Prefetch, (kColumns > 4 ? 4 : 1)>(m, n - j, alpha, a + j * lda, lda, x, y + j);
}

// Four accumulators (four FMA chains), a masked tail instead of a scalar loop, and prefetching only for
// vectors long enough to stream from beyond L2.
template <class S, bool Prefetch>
typename S::T dot(int64_t n, const typename S::T* x, const typename S::T* y) {
  using V = typename S::V;
  constexpr int L = S::kLanes;
  constexpr int64_t kAhead = 32 * L;
  V acc[4] = {S::zero(), S::zero(), S::zero(), S::zero()};
  int64_t i = 0;
  const bool streaming = Prefetch && n >= (int64_t{1} << 15);
  for (; i + 4 * L <= n; i += 4 * L) {
    if (streaming) {
      // Every line of both streams: prefetching one line in four left the f64 dot of 10^6 elements at
      // 0.63x OpenBLAS here.
      for (int k = 0; k < 4; ++k) {
        _mm_prefetch(reinterpret_cast<const char*>(x + i + kAhead + k * L), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(y + i + kAhead + k * L), _MM_HINT_T0);
      }
    }
    for (int k = 0; k < 4; ++k) acc[k] = S::fma(S::load(x + i + k * L), S::load(y + i + k * L), acc[k]);
  }
  for (int k = 0; i < n; i += L, k = (k + 1) % 4) {
    const int count = n - i < L ? static_cast<int>(n - i) : L;
    acc[k] = S::fma(S::load_first(x + i, count), S::load_first(y + i, count), acc[k]);
  }
  return S::sum(S::add(S::add(acc[0], acc[1]), S::add(acc[2], acc[3])));
}

// y += A (alpha x), four columns per pass: y is loaded and stored once per four columns, and the sum of the
// four products is a tree (two independent FMA pairs), not one chain.
template <class S, bool Prefetch>
void gemv_n(int64_t m, int64_t n, typename S::T alpha, const typename S::T* a, int64_t lda,
            const typename S::T* x, typename S::T* y) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int L = S::kLanes;
  constexpr int64_t kAhead = 64 * L;
  const int64_t head = elements_before_line(a, lda, m);
  auto four_columns = [&](const T* c0, const T* c1, const T* c2, const T* c3, V t0, V t1, V t2, V t3, int64_t i,
                          int count) {
    const bool full = count == L;
    const V a0 = full ? S::load(c0 + i) : S::load_first(c0 + i, count);
    const V a1 = full ? S::load(c1 + i) : S::load_first(c1 + i, count);
    const V a2 = full ? S::load(c2 + i) : S::load_first(c2 + i, count);
    const V a3 = full ? S::load(c3 + i) : S::load_first(c3 + i, count);
    const V yv = full ? S::load(y + i) : S::load_first(y + i, count);
    const V sum = S::add(S::fma(a1, t1, S::mul(a0, t0)), S::fma(a3, t3, S::mul(a2, t2)));
    if (full) {
      S::store(y + i, S::add(yv, sum));
    } else {
      S::store_first(y + i, count, S::add(yv, sum));
    }
  };
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const T* c0 = a + j * lda;
    const T* c1 = c0 + lda;
    const T* c2 = c1 + lda;
    const T* c3 = c2 + lda;
    const V t0 = S::broadcast(alpha * x[j]), t1 = S::broadcast(alpha * x[j + 1]);
    const V t2 = S::broadcast(alpha * x[j + 2]), t3 = S::broadcast(alpha * x[j + 3]);
    int64_t i = 0;
    for (; i < head; i += L)
      four_columns(c0, c1, c2, c3, t0, t1, t2, t3, i, static_cast<int>(std::min<int64_t>(L, head - i)));
    i = head;
    for (; i + L <= m; i += L) {
      if constexpr (Prefetch) {
        _mm_prefetch(reinterpret_cast<const char*>(c0 + i + kAhead), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(c1 + i + kAhead), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(c2 + i + kAhead), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(c3 + i + kAhead), _MM_HINT_T0);
      }
      four_columns(c0, c1, c2, c3, t0, t1, t2, t3, i, L);
    }
    if (i < m) four_columns(c0, c1, c2, c3, t0, t1, t2, t3, i, static_cast<int>(m - i));
  }
  for (; j < n; ++j) vector_impl::axpy(m, alpha * x[j], a + j * lda, y);
}

constexpr int kRowBlockVectors = 8;

// f(std::integral_constant<int, NV>) for NV = vectors (1 .. kRowBlockVectors): a row block's vector count as a
// template argument, so that its sums stay in registers.
template <class F>
void with_vector_count(int vectors, F&& f) {
  switch (vectors) {
    case 1:
      return f(std::integral_constant<int, 1>{});
    case 2:
      return f(std::integral_constant<int, 2>{});
    case 3:
      return f(std::integral_constant<int, 3>{});
    case 4:
      return f(std::integral_constant<int, 4>{});
    case 5:
      return f(std::integral_constant<int, 5>{});
    case 6:
      return f(std::integral_constant<int, 6>{});
    case 7:
      return f(std::integral_constant<int, 7>{});
    default:
      return f(std::integral_constant<int, 8>{});
  }
}

// y[0:rows] += A (alpha x) for one block of at most kRowBlockVectors vectors of rows (NV of them, the last
// `last` lanes long), every column: y's block stays in registers for all n columns, in two sets of sums
// (even and odd columns: two FMA chains per vector), added to y once at the end.
template <class S, int NV>
void gemv_n_row_block(int64_t n, typename S::T alpha, const typename S::T* a, int64_t lda, const typename S::T* x,
                      typename S::T* y, int last) {
  using V = typename S::V;
  constexpr int L = S::kLanes;
  V even[NV], odd[NV];
  for (int v = 0; v < NV; ++v) even[v] = odd[v] = S::zero();
  auto column = [&](V(&acc)[NV], const typename S::T* c, V t) {
    for (int v = 0; v + 1 < NV; ++v) acc[v] = S::fma(S::load(c + v * L), t, acc[v]);
    const V tail = last == L ? S::load(c + (NV - 1) * L) : S::load_first(c + (NV - 1) * L, last);
    acc[NV - 1] = S::fma(tail, t, acc[NV - 1]);
  };
  int64_t j = 0;
  for (; j + 2 <= n; j += 2) {
    column(even, a + j * lda, S::broadcast(alpha * x[j]));
    column(odd, a + (j + 1) * lda, S::broadcast(alpha * x[j + 1]));
  }
  if (j < n) column(even, a + j * lda, S::broadcast(alpha * x[j]));
  for (int v = 0; v + 1 < NV; ++v) S::store(y + v * L, S::add(S::load(y + v * L), S::add(even[v], odd[v])));
  const V sum = S::add(even[NV - 1], odd[NV - 1]);
  S::store_first(y + (NV - 1) * L, last, S::add(S::load_first(y + (NV - 1) * L, last), sum));
}

// gemv_n by blocks of rows held in registers across all the columns: no pass over y per group of columns,
// whose loads waited on the previous pass's stores. For an A that the caches hold (its columns read a block
// at a time, lda apart).
template <class S>
void gemv_n_by_rows(int64_t m, int64_t n, typename S::T alpha, const typename S::T* a, int64_t lda,
                    const typename S::T* x, typename S::T* y) {
  constexpr int L = S::kLanes;
  // Past one block, the rows before A's first line boundary go first, in a vector of their own: every later
  // load then reads one line, not two (float n = 512 / 1024 8-9% faster; one block of 64 rows split this way
  // was 5% slower).
  int64_t i = m > kRowBlockVectors * L ? elements_before_line(a, lda, m) : 0;
  if (i > 0) gemv_n_row_block<S, 1>(n, alpha, a, lda, x, y, static_cast<int>(i));
  for (; i + kRowBlockVectors * L <= m; i += kRowBlockVectors * L)
    gemv_n_row_block<S, kRowBlockVectors>(n, alpha, a + i, lda, x, y + i, L);
  if (i == m) return;
  const int64_t rest = m - i;
  const int vectors = static_cast<int>((rest + L - 1) / L), last = static_cast<int>(rest - (vectors - 1) * L);
  with_vector_count(
      vectors, [&](auto count) { gemv_n_row_block<S, decltype(count)::value>(n, alpha, a + i, lda, x, y + i, last); });
}

// a b by the schoolbook formula, as BLAS's loops multiply: std::complex's operator* calls libgcc's __mulsc3
// (C99's recovery of infinities from NaN parts), which took 18% of a 64 x 64 cgemv.
template <class T>
std::complex<T> multiply(std::complex<T> a, std::complex<T> b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// Complex vectors as (re, im) pairs of reals, two pairs of sums per product (vector_impl::ComplexSums): `same`
// takes each part times the same part of v (ur vr, ui vi), `crossed` times the other (ur vi, ui vr, v's pairs
// swapped in a register). The portable loops compiled for AVX-512 spilled their partial sums and finished in
// scalar steps: cdotu n = 1000 1.24x OpenBLAS's time, cgemv (numpy's a @ x) n = 64 2.5x.
template <class S>
struct ComplexLanes {
  using T = typename S::T;
  using V = typename S::V;
  V same = S::zero(), crossed = S::zero();

  // The next L reals (L / 2 elements) of u and v, or the first `count` of them.
  void add(const T* u, V v, V v_swapped) {
    const V uv = S::load(u);
    same = S::fma(uv, v, same);
    crossed = S::fma(uv, v_swapped, crossed);
  }
  void add_first(const T* u, int count, V v, V v_swapped) {
    const V uv = S::load_first(u, count);
    same = S::fma(uv, v, same);
    crossed = S::fma(uv, v_swapped, crossed);
  }
  // sum u v, or sum conj(u) v: the real part is the even lanes of `same` less (or plus) the odd ones, the
  // imaginary part the lanes of `crossed` summed (or the even less the odd). Each pair's two terms are taken
  // first, into one vector of (re, im) pairs, then its pairs are added by halves.
  std::complex<T> result(bool conjugate_u) const {
    const V same_swapped = S::swap_pairs(same), crossed_swapped = S::swap_pairs(crossed);
    const V pairs = conjugate_u ? S::even_odd(S::add(same, same_swapped), S::sub(crossed_swapped, crossed))
                                : S::even_odd(S::sub(same, same_swapped), S::add(crossed, crossed_swapped));
    return S::pair_sum(pairs);
  }
};

// Two vectors of pairs a step (two sets of sums, four FMA chains), a masked tail; the streaming prefetch of
// the real dot.
template <class S, bool Prefetch>
std::complex<typename S::T> complex_dot(int64_t n, const std::complex<typename S::T>* uc,
                                        const std::complex<typename S::T>* vc, bool conjugate_u) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int L = S::kLanes;
  constexpr int64_t kAhead = 32 * L;
  const T* u = reinterpret_cast<const T*>(uc);
  const T* v = reinterpret_cast<const T*>(vc);
  const int64_t reals = 2 * n;
  const bool streaming = Prefetch && reals >= (int64_t{1} << 15);
  ComplexLanes<S> lanes[2];
  int64_t i = 0;
  for (; i + 2 * L <= reals; i += 2 * L) {
    if (streaming) {
      for (int k = 0; k < 2; ++k) {
        _mm_prefetch(reinterpret_cast<const char*>(u + i + kAhead + k * L), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(v + i + kAhead + k * L), _MM_HINT_T0);
      }
    }
    for (int k = 0; k < 2; ++k) {
      const V vv = S::load(v + i + k * L);
      lanes[k].add(u + i + k * L, vv, S::swap_pairs(vv));
    }
  }
  for (int k = 0; i < reals; i += L, ++k) {
    const int count = reals - i < L ? static_cast<int>(reals - i) : L;
    const V vv = S::load_first(v + i, count);
    lanes[k].add_first(u + i, count, vv, S::swap_pairs(vv));
  }
  lanes[0].same = S::add(lanes[0].same, lanes[1].same);
  lanes[0].crossed = S::add(lanes[0].crossed, lanes[1].crossed);
  return lanes[0].result(conjugate_u);
}

// y[j] += alpha dot(op(A[:, j]), x), kColumns columns a pass: x loaded and its pairs swapped once for all of
// them. A column left over takes the same sums alone, so its result does not depend on its group (threads
// split the columns).
template <class S, int kColumns = 4>
void complex_gemv_t(int64_t m, int64_t n, std::complex<typename S::T> alpha, const std::complex<typename S::T>* a,
                    int64_t lda, const std::complex<typename S::T>* xc, std::complex<typename S::T>* y,
                    bool conjugate_a) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int L = S::kLanes;
  const T* x = reinterpret_cast<const T*>(xc);
  const int64_t reals = 2 * m;
  int64_t j = 0;
  for (; j + kColumns <= n; j += kColumns) {
    const T* c[kColumns];
    ComplexLanes<S> lanes[kColumns];
    for (int k = 0; k < kColumns; ++k) c[k] = reinterpret_cast<const T*>(a + (j + k) * lda);
    int64_t i = 0;
    for (; i + L <= reals; i += L) {
      const V xv = S::load(x + i), xs = S::swap_pairs(xv);
      for (int k = 0; k < kColumns; ++k) lanes[k].add(c[k] + i, xv, xs);
    }
    if (i < reals) {
      const int count = static_cast<int>(reals - i);
      const V xv = S::load_first(x + i, count), xs = S::swap_pairs(xv);
      for (int k = 0; k < kColumns; ++k) lanes[k].add_first(c[k] + i, count, xv, xs);
    }
    for (int k = 0; k < kColumns; ++k) y[j + k] += multiply(alpha, lanes[k].result(conjugate_a));
  }
  if constexpr (kColumns > 1) complex_gemv_t<S, 1>(m, n - j, alpha, a + j * lda, lda, xc, y + j, conjugate_a);
}

// y[0:m] += A (alpha x) for complex A, x, y: each column's factor t = alpha x[j] applied to the column's pairs
// as re(t) times them plus im(t), signed (-, +), times them swapped. Short columns by rows in registers
// across every column (gemv_n_row_block's reasons), longer ones in the portable passes over y.
template <class S>
struct ComplexFactor {
  typename S::V re, im_signed;
  explicit ComplexFactor(std::complex<typename S::T> t) {
    alignas(64) static constexpr typename S::T kSigns[16] = {-1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1};
    re = S::broadcast(t.real());
    im_signed = S::mul(S::broadcast(t.imag()), S::load(kSigns));
  }
};

template <class S, int NV>
void complex_gemv_n_row_block(int64_t n, std::complex<typename S::T> alpha, const std::complex<typename S::T>* a,
                              int64_t lda, const std::complex<typename S::T>* x, typename S::T* y, int last) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int L = S::kLanes;
  V by_re[NV], by_im[NV];
  for (int v = 0; v < NV; ++v) by_re[v] = by_im[v] = S::zero();
  for (int64_t j = 0; j < n; ++j) {
    const ComplexFactor<S> t(multiply(alpha, x[j]));
    const T* c = reinterpret_cast<const T*>(a + j * lda);
    for (int v = 0; v < NV; ++v) {
      const V av = v + 1 < NV || last == L ? S::load(c + v * L) : S::load_first(c + v * L, last);
      by_re[v] = S::fma(av, t.re, by_re[v]);
      by_im[v] = S::fma(S::swap_pairs(av), t.im_signed, by_im[v]);
    }
  }
  for (int v = 0; v + 1 < NV; ++v) S::store(y + v * L, S::add(S::load(y + v * L), S::add(by_re[v], by_im[v])));
  const V sum = S::add(by_re[NV - 1], by_im[NV - 1]);
  S::store_first(y + (NV - 1) * L, last, S::add(S::load_first(y + (NV - 1) * L, last), sum));
}

template <class S>
void complex_gemv_n(int64_t m, int64_t n, std::complex<typename S::T> alpha, const std::complex<typename S::T>* a,
                    int64_t lda, const std::complex<typename S::T>* x, std::complex<typename S::T>* yc) {
  using T = typename S::T;
  constexpr int L = S::kLanes;
  T* y = reinterpret_cast<T*>(yc);
  const int64_t reals = 2 * m;
  if (reals <= kRowBlockVectors * L) {
    const int vectors = static_cast<int>((reals + L - 1) / L), last = static_cast<int>(reals - (vectors - 1) * L);
    return with_vector_count(vectors, [&](auto count) {
      complex_gemv_n_row_block<S, decltype(count)::value>(n, alpha, a, lda, x, y, last);
    });
  }
  vector_impl::complex_gemv_n(m, n, alpha, a, lda, x, yc);
}

// Column by column with a masked tail: the SVD's band reduction calls it on blocks of a few dozen rows, where
// the portable loop's scalar remainder would be a quarter of the work.
template <class S>
void ger(int64_t m, int64_t n, typename S::T alpha, const typename S::T* x, const typename S::T* y,
         typename S::T* a, int64_t lda) {
  using V = typename S::V;
  constexpr int L = S::kLanes;
  for (int64_t j = 0; j < n; ++j) {
    const V t = S::broadcast(alpha * y[j]);
    typename S::T* col = a + j * lda;
    int64_t i = 0;
    for (; i + L <= m; i += L) S::store(col + i, S::fma(S::load(x + i), t, S::load(col + i)));
    if (i < m) {
      const int rest = static_cast<int>(m - i);
      S::store_first(col + i, rest, S::fma(S::load_first(x + i, rest), t, S::load_first(col + i, rest)));
    }
  }
}

// Columns of at most one row block go by rows (each column read once, whole): sgemv / dgemv (numpy's x @ A) of
// n x n, 1 thread, against the four-column passes, time: float n = 16 / 33 / 64 / 128 0.40 / 0.35 / 0.28 / 0.40x,
// double 0.57 / 0.90 / 0.83 / 1.02x (Zen 5; OpenBLAS's time beside it at n = 64: 1.14x ours for float, 1.21x
// for double). Taller columns keep the passes: by rows, each block walks every column again, lda apart, and
// double n = 512 / 1024 (4 and 8 KiB strides, one L1 set for a block's lines of every column) ran 1.2x / 1.1x
// slower than the passes.
template <class S, bool Prefetch>
void gemv_n_short_by_rows(int64_t m, int64_t n, typename S::T alpha, const typename S::T* a, int64_t lda,
                          const typename S::T* x, typename S::T* y) {
  if (m <= kRowBlockVectors * S::kLanes) return gemv_n_by_rows<S>(m, n, alpha, a, lda, x, y);
  gemv_n<S, Prefetch>(m, n, alpha, a, lda, x, y);
}

template <class S, bool Prefetch>
constexpr VectorKernelsOf<typename S::T> table() {
  VectorKernelsOf<typename S::T> t = vector_impl::table<typename S::T>();
  t.dot = &dot<S, Prefetch>;
  t.gemv_n = &gemv_n_short_by_rows<S, Prefetch>;
  t.gemv_t = &gemv_t<S, Prefetch>;
  t.gemv_t_eight_streams = &gemv_t<S, Prefetch, 8>;
  t.ger = &ger<S>;
  t.complex_dot = &complex_dot<S, Prefetch>;
  t.complex_gemv_t = &complex_gemv_t<S>;
  t.complex_gemv_n = &complex_gemv_n<S>;
  return t;
}

// The narrow-stream kernels (cores whose streams from beyond L2 run faster in 256-bit loads; the measurements
// are in cpu/core_choices.cpp). Vectors that fit in L2 together keep dot's 512-bit loop, which reads L2
// faster. Beyond L3 the two kernels want opposite prefetching: dot's two streams are followed by the hardware
// prefetchers from memory but not far enough ahead from L3; gemv's four column streams the other way round.
constexpr int64_t kL2ResidentBytes = int64_t{1} << 20;
constexpr int64_t kL3ResidentBytes = int64_t{8} << 20;

template <class Wide, class Narrow>
typename Wide::T dot_narrow_streams(int64_t n, const typename Wide::T* x, const typename Wide::T* y) {
  const int64_t bytes = 2 * n * int64_t{sizeof(typename Wide::T)};
  if (bytes <= kL2ResidentBytes) return dot<Wide, false>(n, x, y);
  if (bytes <= kL3ResidentBytes) return dot<Narrow, true>(n, x, y);
  return dot<Narrow, false>(n, x, y);
}

// The same tiers for the complex dot. Zen 5, 1 thread, cdotu of 10^6 elements (16 MB), time against
// OpenBLAS's: 512-bit 1.69-1.71x, prefetched 256-bit 1.36x, plain 256-bit 1.06x.
template <class Wide, class Narrow>
std::complex<typename Wide::T> complex_dot_narrow_streams(int64_t n, const std::complex<typename Wide::T>* x,
                                                          const std::complex<typename Wide::T>* y, bool conjugate_x) {
  const int64_t bytes = 2 * n * int64_t{sizeof(std::complex<typename Wide::T>)};
  if (bytes <= kL2ResidentBytes) return complex_dot<Wide, false>(n, x, y, conjugate_x);
  if (bytes <= kL3ResidentBytes) return complex_dot<Narrow, true>(n, x, y, conjugate_x);
  return complex_dot<Narrow, false>(n, x, y, conjugate_x);
}

template <class S>
using GemvKernel = void (*)(int64_t m, int64_t n, typename S::T alpha, const typename S::T* a, int64_t lda,
                            const typename S::T* x, typename S::T* y);

template <class S, GemvKernel<S> prefetched, GemvKernel<S> plain>
void gemv_narrow_streams(int64_t m, int64_t n, typename S::T alpha, const typename S::T* a, int64_t lda,
                         const typename S::T* x, typename S::T* y) {
  const bool beyond_l3 = m * n * int64_t{sizeof(typename S::T)} > kL3ResidentBytes;
  (beyond_l3 ? prefetched : plain)(m, n, alpha, a, lda, x, y);
}

// gemv_n for the narrow-stream cores: short columns by rows in 512-bit vectors (gemv_n_short_by_rows), and
// float columns of any length while A (a thread's share of it) fits in half of L2, where a block's walk over
// the columns, a few lines of each, finds them. Zen 5, 1 thread, sgemv time against OpenBLAS's in one process
// (scratch harness), passes -> by rows: n = 200 / 256 / 512 1.59 / 1.43 / 1.41x -> 0.96 / 0.92 / 0.91x; but
// numpy's x @ A, fresh arrays each round, float32 n = 512 (1 MiB) ran 0.99-1.01x OpenBLAS by rows against
// 1.13-1.19x in the passes on one thread, and 1.36-1.45x by rows against 0.89-0.96x in the passes on two
// (each thread's half of A, 512 KiB, stays in its L2 from call to call). Double by rows ran 0.88 / 0.85 /
// 1.20x against the passes' 0.80 / 0.79 / 0.90x, so it keeps them. Beyond L3 both stream in the passes,
// prefetched (float n = 2048 / 4096 1.3 / 1.2x OpenBLAS's time; by rows, or the passes in 512-bit vectors,
// measured no better).
template <class Wide, class Narrow>
void gemv_n_narrow_streams(int64_t m, int64_t n, typename Wide::T alpha, const typename Wide::T* a, int64_t lda,
                           const typename Wide::T* x, typename Wide::T* y) {
  const bool in_l2 = m * n * int64_t{sizeof(typename Wide::T)} <= kL2ResidentBytes / 2;
  if (m <= kRowBlockVectors * Wide::kLanes || (std::is_same_v<typename Wide::T, float> && in_l2)) {
    return gemv_n_by_rows<Wide>(m, n, alpha, a, lda, x, y);
  }
  gemv_narrow_streams<Narrow, &gemv_n<Narrow, true>, &gemv_n<Narrow, false>>(m, n, alpha, a, lda, x, y);
}

template <class Wide, class Narrow>
constexpr VectorKernelsOf<typename Wide::T> narrow_streams_table() {
  VectorKernelsOf<typename Wide::T> t = table<Wide, false>();
  t.dot = &dot_narrow_streams<Wide, Narrow>;
  t.complex_dot = &complex_dot_narrow_streams<Wide, Narrow>;
  t.gemv_n = &gemv_n_narrow_streams<Wide, Narrow>;
  t.gemv_t = &gemv_narrow_streams<Narrow, &gemv_t<Narrow, true>, &gemv_t<Narrow, false>>;
  t.gemv_t_eight_streams = &gemv_narrow_streams<Narrow, &gemv_t<Narrow, true, 8>, &gemv_t<Narrow, false, 8>>;
  return t;
}

}  // namespace

const VectorKernels kVectorKernelsAvx512 = {"avx512", table<F32x16, true>(), table<F64x8, true>()};
const VectorKernels kVectorKernelsAvx512HardwarePrefetch = {"avx512", table<F32x16, false>(), table<F64x8, false>()};
const VectorKernels kVectorKernelsAvx512NarrowStreams = {"avx512", narrow_streams_table<F32x16, F32x8>(),
                                                         narrow_streams_table<F64x8, F64x4>()};

}  // namespace armory::blas
