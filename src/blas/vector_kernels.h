// The memory-bound BLAS kernels worth a wider vector unit: contiguous dot, axpy and plane rotation, scal,
// swap, asum, iamax and nrm2's sum, column-major gemv in both orientations, the rank-1 update and symv's
// rectangles, for float and double; and two small compute kernels too short for the GEMM engine's packing
// (trsm's substitution blocks, products of small order). One table per ISA, each compiled from the same portable source
// (kernels/vector_kernels_impl.h) with that ISA's flags only; the table is chosen once, under ARMORY_ISA like
// every other dispatch.
#pragma once

#include <complex>
#include <cstdint>

#include "blas/types.h"

namespace armory::blas {

// rank_k_chunk's tiles: columns, and the rows' padding, a multiple of any ISA's lanes (64 bytes); the tiles it
// computes: all of P's, or those that reach its lower (row >= column) or upper triangle.
enum class RankKPart { all, lower, upper };
inline constexpr int kRankKColumns = 6;
template <class T>
inline constexpr int64_t kRankKPadding = 64 / sizeof(T);

template <class T>
struct VectorKernelsOf {
  T (*dot)(int64_t n, const T* x, const T* y);
  void (*axpy)(int64_t n, T alpha, const T* x, T* y);
  // y[0:m] += alpha * A x, A column-major m x n.
  void (*gemv_n)(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y);
  // y[j] += alpha * dot(A[:, j], x) for j < n, A column-major m x n.
  void (*gemv_t)(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y);
  // The plane rotation of x and y (no overlap): x = c x + s y, y = c y - s x.
  void (*rot)(int64_t n, T* x, T* y, T c, T s);
  // A[:, j] += alpha * y[j] * x for j < n, A column-major m x n (the rank-1 update of BLAS ger).
  void (*ger)(int64_t m, int64_t n, T alpha, const T* x, const T* y, T* a, int64_t lda);
  // gemv_t reading eight columns at a time, the same sums: from memory, eight streams keep more lines in
  // flight than four (vector_bidiagonal_products); from the caches no faster. The AVX-512 gemv_t reads four;
  // the portable one (AVX2 and baseline tables) reads eight already and serves as both.
  void (*gemv_t_eight_streams)(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y);
  // Level 1 on contiguous vectors, each with reference BLAS's result up to the order of a sum.
  void (*scal)(int64_t n, T alpha, T* x);
  void (*swap)(int64_t n, T* x, T* y);  // no overlap
  T (*asum)(int64_t n, const T* x);
  // The 0-based index of the first element of largest |x| (n >= 1): a NaN counts only in first place, as in
  // reference BLAS's loop, where no comparison with it holds.
  int64_t (*iamax)(int64_t n, const T* x);
  // nrm2's sum of the squares, in double. Every square of a float fits double's range, so float's sum never
  // refuses (and keeps what float lanes would round away: scipy's test_stable, 10^4 and 10^4 ones, expects the
  // exact 10^4 + 0.5 or a sequential float sum's 10^4); double's is taken only when every element is 0 or has
  // its magnitude in [small, big], where no square overflows or loses its digits to underflow, otherwise -1
  // (the caller then scales).
  double (*nrm2_sum_of_squares)(int64_t n, const T* x, T small, T big);
  // symv's off-diagonal rectangles, four columns of A (m x 4) read once: yn[0:m] += alpha A xn[0:4] and
  // yt[c] += alpha dot(A[:, c], xt[0:m]); yn must not overlap xt or A.
  void (*symv_columns)(int64_t m, T alpha, const T* a, int64_t lda, const T* xn, T* yn, const T* xt, T* yt);
  // trsm's small triangular solves on a row-major block of X (substitution.h).
  void (*substitute_row_block)(bool lower, bool unit, const T* m, int64_t ldm, int64_t ib, int64_t width, T* rows,
                               int64_t ld_rows);
  // A depth chunk of a product of small order by its rows (syrk, syr2k, gemm's A B^T): P(i, j) += sum over
  // s < depth of x[s * ldx + i] * y[s * ldy + j] for i < rows on every tile of P's columns [first_column,
  // end_column) (first_column a multiple of kRankKColumns) in `part`, P column-major (ld ldp). The tiles' rows
  // run to `rows` rounded up to the vector's lanes (at most kRankKPadding) and their columns to a multiple of
  // kRankKColumns: P must have those, and x's and y's rows those elements (whatever their values: their
  // products fall outside the part).
  void (*rank_k_chunk)(RankKPart part, int64_t rows, int64_t first_column, int64_t end_column, int64_t depth,
                       const T* x, int64_t ldx, const T* y, int64_t ldy, T* p, int64_t ldp);

  // The complex type's kernels (BLAS's c for float, z for double), contiguous vectors of n elements, leading
  // dimensions in elements. Those a real kernel does on the 2n parts (asum, nrm2, swap, a real scal or rot)
  // have no entry here.
  using C = std::complex<T>;
  void (*complex_axpy)(int64_t n, C alpha, const C* x, C* y);
  // sum x[i] y[i], or conj(x[i]) y[i].
  C (*complex_dot)(int64_t n, const C* x, const C* y, bool conjugate_x);
  void (*complex_scal)(int64_t n, C alpha, C* x);
  // The 0-based index of the first element of largest |re| + |im| (n >= 1), NaN as in iamax.
  int64_t (*complex_iamax)(int64_t n, const C* x);
  // y[0:m] += alpha A x and y[j] += alpha dot(op(A[:, j]), x), op conjugating or not; A column-major m x n.
  void (*complex_gemv_n)(int64_t m, int64_t n, C alpha, const C* a, int64_t lda, const C* x, C* y);
  void (*complex_gemv_t)(int64_t m, int64_t n, C alpha, const C* a, int64_t lda, const C* x, C* y, bool conjugate_a);
  // symv_columns for symv and hemv: yt[c] += alpha dot(op(A[:, c]), xt[0:m]), op conjugating when asked.
  void (*complex_symv_columns)(int64_t m, C alpha, const C* a, int64_t lda, const C* xn, C* yn, const C* xt, C* yt,
                               bool conjugate_a);
};

struct VectorKernels {
  const char* isa;
  VectorKernelsOf<float> f32;
  VectorKernelsOf<double> f64;
};

// The table for this process: the widest compiled in that the CPU and ARMORY_ISA allow.
const VectorKernels& vector_kernels();
// The same ISA's table for armory's own large workspaces (huge pages, common/large_buffer.h), which on some
// cores stream faster without the kernels' prefetches (cpu/core_choices.h).
const VectorKernels& workspace_vector_kernels();

// A table's kernels for T.
template <class T>
const VectorKernelsOf<T>& kernels_of(const VectorKernels& table) {
  if constexpr (sizeof(T) == sizeof(float)) {
    return table.f32;
  } else {
    return table.f64;
  }
}

template <class T>
const VectorKernelsOf<T>& vector_kernels_for() {
  return kernels_of<T>(vector_kernels());
}

// A complex element is two reals: of work, and of storage where a kernel treats the parts alike.
template <class T>
inline constexpr int64_t kRealsPerElement = is_complex<T> ? 2 : 1;

// The process's kernels for one element type, real or complex (the complex ones on (re, im) pairs), behind
// one interface: what the whole-problem kernels below, level 2's column segments and LU's panels call.
template <class T>
struct ElementKernels {
  const VectorKernelsOf<real_t<T>>& table = vector_kernels_for<real_t<T>>();

  void axpy(int64_t n, T alpha, const T* x, T* y) const {
    if constexpr (is_complex<T>) {
      table.complex_axpy(n, alpha, x, y);
    } else {
      table.axpy(n, alpha, x, y);
    }
  }
  // sum x[i] y[i], x conjugated when asked (complex only).
  T dot(int64_t n, const T* x, const T* y, bool conjugate_x) const {
    if constexpr (is_complex<T>) {
      return table.complex_dot(n, x, y, conjugate_x);
    } else {
      return table.dot(n, x, y);
    }
  }
  void scal(int64_t n, T alpha, T* x) const {
    if constexpr (is_complex<T>) {
      table.complex_scal(n, alpha, x);
    } else {
      table.scal(n, alpha, x);
    }
  }
  // The 0-based index of the first largest magnitude (|re| + |im| for complex, as i?amax).
  int64_t iamax(int64_t n, const T* x) const {
    if constexpr (is_complex<T>) {
      return table.complex_iamax(n, x);
    } else {
      return table.iamax(n, x);
    }
  }
  void gemv_n(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y) const {
    if constexpr (is_complex<T>) {
      table.complex_gemv_n(m, n, alpha, a, lda, x, y);
    } else {
      table.gemv_n(m, n, alpha, a, lda, x, y);
    }
  }
  // symv's four columns of A read once (VectorKernelsOf::symv_columns), op conjugating complex ones when asked.
  void symv_columns(int64_t m, T alpha, const T* a, int64_t lda, const T* xn, T* yn, const T* xt, T* yt,
                    bool conjugate_a) const {
    if constexpr (is_complex<T>) {
      table.complex_symv_columns(m, alpha, a, lda, xn, yn, xt, yt, conjugate_a);
    } else {
      table.symv_columns(m, alpha, a, lda, xn, yn, xt, yt);
    }
  }
  // y[j] += alpha dot(op(A[:, j]), x), op conjugating complex columns when asked.
  void gemv_t(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y, bool conjugate_a) const {
    if constexpr (is_complex<T>) {
      table.complex_gemv_t(m, n, alpha, a, lda, x, y, conjugate_a);
    } else {
      table.gemv_t(m, n, alpha, a, lda, x, y);
    }
  }
};

// How many of the pool's threads a memory-bound kernel over this many elements (reals) takes: one below two
// threads' worth (the common small case never touches the pool).
int vector_threads_for(int64_t elements);

// The kernels for whole problems: large ones split across armory's thread pool (contiguous chunks, partial
// sums added in chunk order, so a result depends only on the thread count), small ones on the caller. dot,
// axpy and gemv take float, double and their complex types.
// sum x[i] y[i], or conj(x[i]) y[i] (complex only).
template <class T>
T vector_dot(int64_t n, const T* x, const T* y, bool conjugate_x = false);
template <class T>
void vector_axpy(int64_t n, T alpha, const T* x, T* y);
// x and y must not overlap.
template <class T>
void vector_rot(int64_t n, T* x, T* y, T c, T s);
template <class T>
void vector_gemv_n(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y);
// y[j] += alpha dot(op(A[:, j]), x), op conjugating complex columns when asked.
template <class T>
void vector_gemv_t(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y, bool conjugate_a = false);

// The two products of one bidiagonalization step with one pass over A (m x n, column-major, an armory
// workspace), which is too large for the caches: y = tau (A^T v - corr), s = r - y, and w = A[1:m, :] s
// (m - 1 values, overwritten). Each block of columns is read from memory once, by the dot products (eight
// columns at a time beyond 16 MiB), and again from L1 or L2 by the update; done separately the two products
// read all of A twice. Threads take column ranges, each with its own partial w, summed in thread order.
template <class T>
void vector_bidiagonal_products(int64_t m, int64_t n, const T* a, int64_t lda, const T* v, T tau, const T* corr,
                                const T* r, T* y, T* s, T* w);

// Per-ISA tables (kernels/vector_kernels__<isa>.cpp).
extern const VectorKernels kVectorKernelsBaseline;
#if defined(__x86_64__)
extern const VectorKernels kVectorKernelsAvx2;
extern const VectorKernels kVectorKernelsAvx512;
// The same without software prefetch, for cores whose hardware prefetchers keep up (see vector_kernels.cpp).
extern const VectorKernels kVectorKernelsAvx512HardwarePrefetch;
// 256-bit loads for streams from beyond L2, prefetching only matrices from memory (cpu/core_choices.h).
extern const VectorKernels kVectorKernelsAvx512NarrowStreams;
#endif

}  // namespace armory::blas
