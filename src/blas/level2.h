// BLAS level 2: matrix-vector operations, templated over the four BLAS types.
//
// The dense, band and packed storage forms of one operation share a single implementation: each takes an
// accessor `at(i, j)` returning the stored element (i, j) and the band limits of column j, so symv, sbmv
// and spmv (or trmv, tbmv and tpmv) differ only in how an element is found. Column-major throughout;
// reference BLAS 3.11 semantics, including its quick returns and the "skip when x[j] is zero" rules.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <type_traits>

#include "gemm/thread_pool.h"
#include "types.h"
#include "vector_kernels.h"

namespace armory::blas {

// y <- beta y, without reading y when beta is zero (so NaN in y does not spread).
template <class T>
void scale_vector(index_t n, T beta, Strided<T> y) {
  if (beta == T(1)) return;
  for (index_t i = 0; i < n; ++i) y[i] = beta == T(0) ? T(0) : beta * y[i];
}

// Where each storage form keeps element (i, j), and which rows of column j it stores.
template <class T>
struct DenseStorage {
  T* a;
  index_t lda;
  T& operator()(index_t i, index_t j) const { return a[i + j * lda]; }
};
template <class T>
struct GeneralBandStorage {  // gbmv: a(ku + i - j, j)
  T* a;
  index_t lda, ku;
  T& operator()(index_t i, index_t j) const { return a[(ku + i - j) + j * lda]; }
};
template <class T>
struct TriangularBandStorage {  // sbmv/tbmv: upper a(k + i - j, j), lower a(i - j, j)
  T* a;
  index_t lda, k;
  Uplo uplo;
  T& operator()(index_t i, index_t j) const {
    return uplo == Uplo::upper ? a[(k + i - j) + j * lda] : a[(i - j) + j * lda];
  }
};
template <class T>
struct PackedStorage {  // spmv/tpmv: columns of the triangle one after another
  T* ap;
  index_t n;
  Uplo uplo;
  T& operator()(index_t i, index_t j) const {
    return uplo == Uplo::upper ? ap[i + j * (j + 1) / 2] : ap[(i - j) + j * n - j * (j - 1) / 2];
  }
};

// Rows [first, last] of column j inside a triangle of bandwidth k (k = n - 1 for a full triangle).
struct TriangleRows {
  index_t n, k;
  Uplo uplo;
  index_t first(index_t j) const { return uplo == Uplo::upper ? std::max<index_t>(0, j - k) : j; }
  index_t last(index_t j) const { return uplo == Uplo::upper ? j : std::min(n - 1, j + k); }
};

// The rows of column j off the diagonal, [begin, end): those above it (upper) or below it (lower). Every
// storage form keeps a column's rows next to each other, so &at(begin, j) starts a contiguous segment.
struct OffDiagonal {
  index_t begin, end;
  index_t size() const { return end - begin; }
};
inline OffDiagonal off_diagonal(const TriangleRows& rows, index_t j) {
  return rows.uplo == Uplo::upper ? OffDiagonal{rows.first(j), j} : OffDiagonal{j + 1, rows.last(j) + 1};
}

// Below these orders the column segments are too short for the kernel calls to pay. Zen 3, 1 thread, against
// the scalar loops, double: trsv n = 16 / 32 / 48 0.68 / 0.84 / 1.05x, symv, syr, syr2 and spmv n = 16
// 0.79-1.12x, n = 32 1.10-1.83x.
constexpr index_t kTriangularVectorMinOrder = 48;
constexpr index_t kSymmetricVectorMinOrder = 24;

// y <- alpha op(A) x + beta y for a general m x n matrix whose column j stores rows [first(j), last(j)].
template <class T, class Storage, class Rows>
void general_matvec(Op op, index_t m, index_t n, T alpha, const Storage& at, Rows rows, const T* x,
                    index_t incx, T beta, T* y, index_t incy) {
  if (m == 0 || n == 0 || (alpha == T(0) && beta == T(1))) return;
  const index_t len_x = op == Op::none ? n : m, len_y = op == Op::none ? m : n;
  Strided<const T> xs(x, len_x, incx);
  Strided<T> ys(y, len_y, incy);
  scale_vector(len_y, beta, ys);
  if (alpha == T(0)) return;
  if (op == Op::none) {
    for (index_t j = 0; j < n; ++j) {
      const T scaled = alpha * xs[j];
      const index_t lo = rows.first(j), hi = rows.last(j);
      if (incy == 1) {
        T* yc = ys.data;
        for (index_t i = lo; i <= hi; ++i) yc[i] += scaled * at(i, j);
      } else {
        for (index_t i = lo; i <= hi; ++i) ys[i] += scaled * at(i, j);
      }
    }
  } else {
    const bool conjugate = op == Op::conj_trans;
    for (index_t j = 0; j < n; ++j) {
      T sum(0);
      const index_t lo = rows.first(j), hi = rows.last(j);
      if (conjugate) {
        for (index_t i = lo; i <= hi; ++i) sum += conj_value(at(i, j)) * xs[i];
      } else if (incx == 1) {
        const T* xc = xs.data;
        for (index_t i = lo; i <= hi; ++i) sum += at(i, j) * xc[i];
      } else {
        for (index_t i = lo; i <= hi; ++i) sum += at(i, j) * xs[i];
      }
      ys[j] += alpha * sum;
    }
  }
}

struct AllRows {
  index_t m;
  index_t first(index_t) const { return 0; }
  index_t last(index_t) const { return m - 1; }
};
struct GeneralBandRows {
  index_t m, kl, ku;
  index_t first(index_t j) const { return std::max<index_t>(0, j - ku); }
  index_t last(index_t j) const { return std::min(m - 1, j + kl); }
};

// From this many elements of A, gemv with strided vectors gathers them into contiguous copies for the vector
// kernels; the copies cost little beside A. (LAPACK's dlatrd, the panel of dsytrd under numpy's eigh and
// eigvalsh, passes rows of its workspace as x: the strided loops were 3% of eigvalsh at n = 1024.) Below it
// too from kGatherMinRows rows and two columns, where the loops walk a strided vector once per column or sum
// in scalars: dlabrd (dgebrd, under numpy.linalg.lstsq) passes rows of A of 600 elements with 2-6 columns,
// 0.29-0.84 of OpenBLAS in the loops, and dlals0 (lstsq's back-transformation) rows of B as y with 8
// columns: the strided loops were a fifth of lstsq n = 200.
constexpr index_t kGatherMinElements = 64 * 64;
constexpr index_t kGatherMinRows = 16;

template <class T>
void gemv(Op op, index_t m, index_t n, T alpha, const T* a, index_t lda, const T* x, index_t incx, T beta, T* y,
          index_t incy) {
  // Unit strides: the ISA's vector kernels (see vector_kernels.h).
  if (incx == 1 && incy == 1 && m > 0 && n > 0 && !(alpha == T(0) && beta == T(1))) {
    const index_t len_y = op == Op::none ? m : n;
    scale_vector(len_y, beta, Strided<T>(y, len_y, 1));
    if (alpha == T(0)) return;
    if (op == Op::none) {
      vector_gemv_n(m, n, alpha, a, lda, x, y);
    } else {
      vector_gemv_t(m, n, alpha, a, lda, x, y, op == Op::conj_trans);
    }
    return;
  }
  const bool gather = m * n >= kGatherMinElements || (n >= 2 && m >= kGatherMinRows);
  if (m > 0 && n > 0 && gather && !(alpha == T(0) && beta == T(1))) {
    const index_t len_x = op == Op::none ? n : m, len_y = op == Op::none ? m : n;
    // Only the strided vectors are copied. A strided y: alpha op(A) x into a zeroed copy, then y = beta y + it
    // in one pass over y (gathering y and scattering it back took two). Copies of up to kOnStack elements
    // live on the stack: at 16 x 3 two allocations were half the call.
    constexpr index_t kOnStack = 256;
    T x_stack[kOnStack], y_stack[kOnStack];
    // Without memory for the copies, the strided loops below (an exception must not leave the C ABI).
    const bool copy_x = incx != 1, copy_y = incy != 1;
    const std::unique_ptr<T[]> x_heap(copy_x && len_x > kOnStack ? new (std::nothrow) T[len_x] : nullptr);
    const std::unique_ptr<T[]> y_heap(copy_y && len_y > kOnStack ? new (std::nothrow) T[len_y] : nullptr);
    T* const xc = !copy_x ? nullptr : len_x > kOnStack ? x_heap.get() : x_stack;
    T* const product = !copy_y ? nullptr : len_y > kOnStack ? y_heap.get() : y_stack;
    if ((!copy_x || xc != nullptr) && (!copy_y || product != nullptr)) {
      if (copy_x) {
        const Strided<const T> xs(x, len_x, incx);
        for (index_t i = 0; i < len_x; ++i) xc[i] = xs[i];
      }
      const T* const x_unit = copy_x ? xc : x;
      if (!copy_y) {
        gemv(op, m, n, alpha, a, lda, x_unit, 1, beta, y, 1);
        return;
      }
      std::fill(product, product + len_y, T(0));
      gemv(op, m, n, alpha, a, lda, x_unit, 1, T(1), product, 1);
      const Strided<T> ys(y, len_y, incy);
      for (index_t i = 0; i < len_y; ++i) ys[i] = (beta == T(0) ? T(0) : beta * ys[i]) + product[i];
      return;
    }
  }
  general_matvec(op, m, n, alpha, DenseStorage<const T>{a, lda}, AllRows{m}, x, incx, beta, y, incy);
}

template <class T>
void gbmv(Op op, index_t m, index_t n, index_t kl, index_t ku, T alpha, const T* a, index_t lda, const T* x,
          index_t incx, T beta, T* y, index_t incy) {
  general_matvec(op, m, n, alpha, GeneralBandStorage<const T>{a, lda, ku}, GeneralBandRows{m, kl, ku}, x, incx,
                 beta, y, incy);
}

// y <- alpha A x + beta y with A symmetric (hermitian = false) or Hermitian, one triangle stored.
template <class T, class Storage>
void symmetric_matvec(bool hermitian, Uplo uplo, index_t n, index_t k, T alpha, const Storage& at, const T* x,
                      index_t incx, T beta, T* y, index_t incy) {
  if (n == 0 || (alpha == T(0) && beta == T(1))) return;
  Strided<const T> xs(x, n, incx);
  Strided<T> ys(y, n, incy);
  scale_vector(n, beta, ys);
  if (alpha == T(0)) return;
  const TriangleRows rows{n, k, uplo};
  auto diagonal = [&](index_t j) {
    const T d = at(j, j);
    if constexpr (is_complex<T>) {
      if (hermitian) return T(d.real());
    }
    return d;
  };
  if (incx == 1 && incy == 1 && n >= kSymmetricVectorMinOrder) {
    if constexpr (std::is_same_v<Storage, DenseStorage<const T>>) {
      const ElementKernels<T> kernels;
      // Dense: four columns at a time, their rectangle beside the triangle (below it, lower; above it,
      // upper) read once for both of its products; the small triangle of the block column by column. The
      // blocks [b0, b1) add their products into out.
      constexpr index_t kBlock = 4;
      auto run_blocks = [&](index_t b0, index_t b1, T* out) {
        for (index_t first = b0 * kBlock; first < std::min(n, b1 * kBlock); first += kBlock) {
          const index_t end = std::min(n, first + kBlock), width = end - first;
          const index_t rect_begin = uplo == Uplo::lower ? end : 0;
          const index_t rect_rows = uplo == Uplo::lower ? n - end : first;
          if (rect_rows > 0) {
            const T* rect = &at(rect_begin, first);
            if (width == kBlock) {
              kernels.symv_columns(rect_rows, alpha, rect, at.lda, x + first, out + rect_begin, x + rect_begin,
                                   out + first, hermitian);
            } else {
              kernels.gemv_n(rect_rows, width, alpha, rect, at.lda, x + first, out + rect_begin);
              kernels.gemv_t(rect_rows, width, alpha, rect, at.lda, x + rect_begin, out + first, hermitian);
            }
          }
          // The block's triangle (at most 4 x 4) in place: a kernel call per column cost more than its work.
          for (index_t j = first; j < end; ++j) {
            const T scaled = alpha * x[j];
            const OffDiagonal off = off_diagonal(rows, j);
            T sum(0);
            for (index_t i = std::max(off.begin, first); i < std::min(off.end, end); ++i) {
              out[i] += scaled * at(i, j);
              sum += conj_if(at(i, j), hermitian) * x[i];
            }
            out[j] += scaled * diagonal(j) + alpha * sum;
          }
        }
      };
      const index_t blocks = (n + kBlock - 1) / kBlock;
      // As many threads as the vector kernels give the triangle's parts (two from order 362 real, 256 complex).
      const int threads = vector_threads_for(kRealsPerElement<T> * n * (n + 1) / 2);
      // Threads take block ranges of equal area, each adding into a y of its own (the first into y itself),
      // summed in thread order at the end: a result depends on the thread count only. Without memory for
      // the partial ys, one thread.
      const std::unique_ptr<T[]> partial(threads > 1 ? new (std::nothrow) T[size_t(threads - 1) * n] : nullptr);
      if (threads == 1 || !partial) {
        run_blocks(0, blocks, y);
        return;
      }
      auto boundary = [&](int t) -> index_t {
        if (t == threads) return blocks;  // the last block too, however n rounds
        // The share of the triangle's area before column c: lower c (2n - c) / n^2, upper (c / n)^2.
        const double f = double(t) / threads;
        const double c = uplo == Uplo::lower ? n * (1 - std::sqrt(1 - f)) : n * std::sqrt(f);
        return std::min(blocks, static_cast<index_t>(c / kBlock + 0.5));
      };
      ThreadPool::global().parallel_shares(threads, [&](int t) {
        T* out = t == 0 ? y : partial.get() + size_t(t - 1) * n;
        if (t > 0) std::fill(out, out + n, T(0));
        run_blocks(boundary(t), boundary(t + 1), out);
      });
      for (int t = 1; t < threads; ++t) kernels.axpy(n, T(1), partial.get() + size_t(t - 1) * n, y);
    } else {
      // Band and packed: each column's off-diagonal segment through axpy into y and a dot with x (the second
      // read from L1).
      const ElementKernels<T> kernels;
      for (index_t j = 0; j < n; ++j) {
        const T scaled = alpha * x[j];
        const OffDiagonal off = off_diagonal(rows, j);
        T sum(0);
        if (off.size() > 0) {
          const T* column = &at(off.begin, j);
          kernels.axpy(off.size(), scaled, column, y + off.begin);
          sum = kernels.dot(off.size(), column, x + off.begin, hermitian);
        }
        y[j] += scaled * diagonal(j) + alpha * sum;
      }
    }
    return;
  }
  for (index_t j = 0; j < n; ++j) {
    const T scaled = alpha * xs[j];
    T sum(0);
    for (index_t i = rows.first(j); i <= rows.last(j); ++i) {
      if (i == j) continue;
      const T aij = at(i, j);
      ys[i] += scaled * aij;
      sum += conj_if(aij, hermitian) * xs[i];
    }
    ys[j] += scaled * diagonal(j) + alpha * sum;
  }
}

// Calls column(j) for every column, first to last (forward) or last to first: the triangular routines
// must visit a column only after every column whose result it reads.
template <class Column>
void for_each_column(index_t n, bool forward, const Column& column) {
  if (forward) {
    for (index_t j = 0; j < n; ++j) column(j);
  } else {
    for (index_t j = n - 1; j >= 0; --j) column(j);
  }
}

// x <- op(A) x, A triangular with bandwidth k.
template <class T, class Storage>
void triangular_matvec(Uplo uplo, Op op, Diag diag, index_t n, index_t k, const Storage& at, T* x, index_t incx) {
  if (n == 0) return;
  Strided<T> xs(x, n, incx);
  const TriangleRows rows{n, k, uplo};
  const bool unit = diag == Diag::unit;
  if (incx == 1 && n >= kTriangularVectorMinOrder) {
    const ElementKernels<T> kernels;
    if (op == Op::none) {
      for_each_column(n, uplo == Uplo::upper, [&](index_t j) {
        const T xj = x[j];
        if (xj == T(0)) return;
        const OffDiagonal off = off_diagonal(rows, j);
        if (off.size() > 0) kernels.axpy(off.size(), xj, &at(off.begin, j), x + off.begin);
        if (!unit) x[j] *= at(j, j);
      });
    } else {
      const bool conjugate = op == Op::conj_trans;
      for_each_column(n, uplo == Uplo::lower, [&](index_t j) {
        T sum = unit ? x[j] : x[j] * conj_if(at(j, j), conjugate);
        const OffDiagonal off = off_diagonal(rows, j);
        if (off.size() > 0) sum += kernels.dot(off.size(), &at(off.begin, j), x + off.begin, conjugate);
        x[j] = sum;
      });
    }
    return;
  }
  if (op == Op::none) {
    auto column = [&](index_t j) {
      const T xj = xs[j];
      if (xj == T(0)) return;
      for (index_t i = rows.first(j); i <= rows.last(j); ++i) {
        if (i != j) xs[i] += xj * at(i, j);
      }
      if (!unit) xs[j] *= at(j, j);
    };
    // Upper: x[j] feeds rows above it, so walk forwards; lower: backwards.
    for_each_column(n, uplo == Uplo::upper, column);
  } else {
    const bool conjugate = op == Op::conj_trans;
    auto column = [&](index_t j) {
      T sum = unit ? xs[j] : xs[j] * conj_if(at(j, j), conjugate);
      for (index_t i = rows.first(j); i <= rows.last(j); ++i) {
        if (i != j) sum += conj_if(at(i, j), conjugate) * xs[i];
      }
      xs[j] = sum;
    };
    for_each_column(n, uplo == Uplo::lower, column);
  }
}

// Solves op(A) x = b in place, A triangular with bandwidth k. No test for singularity (BLAS semantics).
template <class T, class Storage>
void triangular_solve(Uplo uplo, Op op, Diag diag, index_t n, index_t k, const Storage& at, T* x, index_t incx) {
  if (n == 0) return;
  Strided<T> xs(x, n, incx);
  const TriangleRows rows{n, k, uplo};
  const bool unit = diag == Diag::unit;
  if (incx == 1 && n >= kTriangularVectorMinOrder) {
    const ElementKernels<T> kernels;
    if (op == Op::none) {
      for_each_column(n, uplo == Uplo::lower, [&](index_t j) {
        if (x[j] == T(0)) return;
        if (!unit) x[j] /= at(j, j);
        const OffDiagonal off = off_diagonal(rows, j);
        if (off.size() > 0) kernels.axpy(off.size(), -x[j], &at(off.begin, j), x + off.begin);
      });
    } else {
      const bool conjugate = op == Op::conj_trans;
      for_each_column(n, uplo == Uplo::upper, [&](index_t j) {
        T sum = x[j];
        const OffDiagonal off = off_diagonal(rows, j);
        if (off.size() > 0) sum -= kernels.dot(off.size(), &at(off.begin, j), x + off.begin, conjugate);
        if (!unit) sum /= conj_if(at(j, j), conjugate);
        x[j] = sum;
      });
    }
    return;
  }
  if (op == Op::none) {
    auto column = [&](index_t j) {
      if (xs[j] == T(0)) return;
      if (!unit) xs[j] /= at(j, j);
      const T xj = xs[j];
      for (index_t i = rows.first(j); i <= rows.last(j); ++i) {
        if (i != j) xs[i] -= xj * at(i, j);
      }
    };
    for_each_column(n, uplo == Uplo::lower, column);
  } else {
    const bool conjugate = op == Op::conj_trans;
    auto column = [&](index_t j) {
      T sum = xs[j];
      for (index_t i = rows.first(j); i <= rows.last(j); ++i) {
        if (i != j) sum -= conj_if(at(i, j), conjugate) * xs[i];
      }
      if (!unit) sum /= conj_if(at(j, j), conjugate);
      xs[j] = sum;
    };
    for_each_column(n, uplo == Uplo::upper, column);
  }
}

// A <- alpha x op(y) + A, op = conjugate (gerc) or not (ger, geru).
template <class T>
void ger(index_t m, index_t n, T alpha, const T* x, index_t incx, const T* y, index_t incy, T* a, index_t lda,
         bool conjugate_y) {
  if (m == 0 || n == 0 || alpha == T(0)) return;
  Strided<const T> xs(x, m, incx);
  Strided<const T> ys(y, n, incy);
  for (index_t j = 0; j < n; ++j) {
    // A zero y[j] leaves column j untouched, Inf or NaN in x included, as reference BLAS does.
    if (ys[j] == T(0)) continue;
    if (incx == 1) {
      if constexpr (is_complex<T>) {
        ElementKernels<T>().axpy(m, alpha * conj_if(ys[j], conjugate_y), x, a + j * lda);
      } else {
        vector_kernels_for<T>().ger(m, 1, alpha, x, &ys[j], a + j * lda, lda);
      }
      continue;
    }
    const T scaled = alpha * conj_if(ys[j], conjugate_y);
    T* column = a + j * lda;
    if (incx == 1) {
      for (index_t i = 0; i < m; ++i) column[i] += xs.data[i] * scaled;
    } else {
      for (index_t i = 0; i < m; ++i) column[i] += xs[i] * scaled;
    }
  }
}

// Keeps a Hermitian diagonal real, as reference BLAS does after every update.
template <class T>
T hermitian_diagonal(T value, bool hermitian) {
  if constexpr (is_complex<T>) {
    if (hermitian) return T(value.real());
  }
  return value;
}

// A <- alpha x x^T + A (syr/spr) or alpha x x^H + A (her/hpr, alpha real), one triangle.
template <class T, class Storage>
void symmetric_rank1(bool hermitian, Uplo uplo, index_t n, T alpha, const T* x, index_t incx, const Storage& at) {
  if (n == 0 || alpha == T(0)) return;
  Strided<const T> xs(x, n, incx);
  const TriangleRows rows{n, n - 1, uplo};
  // Unit stride: column j's rows, its diagonal among them as in reference BLAS's loop, in one axpy (a
  // Hermitian diagonal's imaginary part dropped after it, as BLAS drops it).
  if (incx == 1 && n >= kSymmetricVectorMinOrder) {
    const ElementKernels<T> kernels;
    for (index_t j = 0; j < n; ++j) {
      if (x[j] != T(0)) {
        const index_t first = rows.first(j);
        kernels.axpy(rows.last(j) - first + 1, alpha * conj_if(x[j], hermitian), x + first, &at(first, j));
      }
      at(j, j) = hermitian_diagonal(at(j, j), hermitian);
    }
    return;
  }
  for (index_t j = 0; j < n; ++j) {
    if (xs[j] == T(0)) {
      at(j, j) = hermitian_diagonal(at(j, j), hermitian);
      continue;
    }
    const T scaled = alpha * conj_if(xs[j], hermitian);
    for (index_t i = rows.first(j); i <= rows.last(j); ++i) {
      if (i != j) at(i, j) += xs[i] * scaled;
    }
    at(j, j) = hermitian_diagonal(at(j, j), hermitian) + hermitian_diagonal(xs[j] * scaled, hermitian);
  }
}

// A <- alpha x y^T + alpha y x^T + A (syr2/spr2) or alpha x y^H + conj(alpha) y x^H + A (her2/hpr2).
template <class T, class Storage>
void symmetric_rank2(bool hermitian, Uplo uplo, index_t n, T alpha, const T* x, index_t incx, const T* y,
                     index_t incy, const Storage& at) {
  if (n == 0 || alpha == T(0)) return;
  Strided<const T> xs(x, n, incx);
  Strided<const T> ys(y, n, incy);
  const TriangleRows rows{n, n - 1, uplo};
  // Unit strides: A(i, j) + x(i) alpha y(j) + y(i) alpha x(j), as reference BLAS's loop sums it, in two axpys
  // (conjugated as her2 does, the Hermitian diagonal kept real after them).
  if (incx == 1 && incy == 1 && n >= kSymmetricVectorMinOrder) {
    const ElementKernels<T> kernels;
    for (index_t j = 0; j < n; ++j) {
      if (x[j] != T(0) || y[j] != T(0)) {
        const index_t first = rows.first(j), count = rows.last(j) - first + 1;
        kernels.axpy(count, alpha * conj_if(y[j], hermitian), x + first, &at(first, j));
        kernels.axpy(count, conj_if(alpha * x[j], hermitian), y + first, &at(first, j));
      }
      at(j, j) = hermitian_diagonal(at(j, j), hermitian);
    }
    return;
  }
  for (index_t j = 0; j < n; ++j) {
    if (xs[j] == T(0) && ys[j] == T(0)) {
      at(j, j) = hermitian_diagonal(at(j, j), hermitian);
      continue;
    }
    const T scaled_y = alpha * conj_if(ys[j], hermitian);
    const T scaled_x = conj_if(alpha * xs[j], hermitian);
    for (index_t i = rows.first(j); i <= rows.last(j); ++i) {
      if (i != j) at(i, j) += xs[i] * scaled_y + ys[i] * scaled_x;
    }
    at(j, j) = hermitian_diagonal(at(j, j), hermitian) +
               hermitian_diagonal(xs[j] * scaled_y + ys[j] * scaled_x, hermitian);
  }
}

}  // namespace armory::blas
