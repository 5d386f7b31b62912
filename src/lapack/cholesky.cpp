#include "lapack/cholesky.h"

#include <cmath>

#include "blas/level3.h"
#include "blas/types.h"
#include "blas/vector_kernels.h"

namespace armory::lapack {
namespace {

using blas::conj_value;
using blas::Diag;
using blas::is_complex;
using blas::Op;
using blas::real_t;
using blas::Side;
using blas::Uplo;

// Blocks of at most this order are a leaf of the recursion, factored without it: element by element up to
// kElementLeafOrder (and complex ones), real ones above that a column or row at a time on the vector kernels
// (factor_leaf_real). dpotrf in one process alternating with OpenBLAS, OpenBLAS time / armory time, L / U:
// leaves of 16 elements (before) -> 16 elements and 48 on the vector kernels: n = 8 1.39 / 1.40 -> 1.39 /
// 1.33, n = 16 0.94-1.28 / 1.19 -> 1.28 / 1.18, n = 32 0.86-0.99 / 0.76 -> 1.02 / 1.00, n = 48 0.81 / 0.90
// -> 1.02 / 0.98, n = 96 0.78 / 0.90 -> 0.83 / 0.94; n = 128, 200 within 0.02. Vector-kernel leaves of 64
// and 128 lost at n = 128 (U 1.00 -> 0.87 / 0.55): from there the trsm and syrk between leaves cost less.
constexpr int64_t kElementLeafOrder = 16;
template <class T>
constexpr int64_t kLeafOrder = is_complex<T> ? kElementLeafOrder : 48;
// A whole real matrix up to this order is one leaf, where inside the recursion 64 stays two leaves of 32 and
// a trsm and a syrk between them. dpotrf in one process alternating with OpenBLAS, OpenBLAS time / armory
// time, L / U: n = 56 0.95-0.98 / 0.94-0.99 -> 1.03-1.10 / 1.12-1.13, n = 64 0.82-0.84 / 0.99-1.02 -> 0.88-0.92
// / 1.06-1.10. Leaves of 64 inside the recursion (n = 128, lda = 128: a leaf's columns 1 KiB apart, in a
// quarter of L1's sets) measured 0.86 -> 0.82 (L), so only at the top.
constexpr int64_t kWholeLeafOrder = 64;

// The pivot a leaf takes the square root of, or 0 when it cannot (<= 0 or NaN): LAPACK's test.
template <class T>
real_t<T> positive_pivot(T diagonal) {
  const real_t<T> d = std::real(diagonal);
  return d > real_t<T>(0) ? std::sqrt(d) : real_t<T>(0);
}

// Right-looking, in place: each pivot's column (lower) or row (upper) scaled by it, then the rest of the
// triangle updated by the rank-1 product.
template <class T>
int64_t factor_leaf(bool lower, int64_t n, T* a, int64_t lda) {
  auto at = [&](int64_t i, int64_t j) -> T& { return a[i + j * lda]; };
  for (int64_t j = 0; j < n; ++j) {
    const real_t<T> pivot = positive_pivot(at(j, j));
    if (pivot == real_t<T>(0)) return j + 1;
    at(j, j) = T(pivot);
    const real_t<T> inverse = real_t<T>(1) / pivot;
    if (lower) {
      for (int64_t i = j + 1; i < n; ++i) at(i, j) *= inverse;
      for (int64_t c = j + 1; c < n; ++c) {
        const T factor = conj_value(at(c, j));
        for (int64_t i = c; i < n; ++i) at(i, c) -= at(i, j) * factor;
      }
    } else {
      for (int64_t c = j + 1; c < n; ++c) at(j, c) *= inverse;
      for (int64_t c = j + 1; c < n; ++c) {
        const T factor = at(j, c);
        for (int64_t i = j + 1; i <= c; ++i) at(i, c) -= conj_value(at(j, i)) * factor;
      }
    }
  }
  return 0;
}

// Left-looking, as LAPACK's ?potf2: pivot j's column (lower) or row (upper) first takes the products of the
// columns (rows) already factored, one gemv on the ISA's vector kernels, then the pivot's square root and the
// scaling. The element-by-element leaf (compiled for the baseline ISA) ran dpotrf n = 64 at 0.39 of
// OpenBLAS's speed as a 64-order leaf.
template <class T>
int64_t factor_leaf_real(bool lower, int64_t n, T* a, int64_t lda) {
  const auto& kernels = blas::vector_kernels_for<T>();
  T row[kWholeLeafOrder];  // lower: L's row j; upper: U's row j past the diagonal
  for (int64_t j = 0; j < n; ++j) {
    const int64_t rest = n - j - 1;
    T* const diagonal = a + j + j * lda;
    // The factored part of pivot j's row (lower, strided: copied) or column (upper).
    const T* factored = a + j * lda;
    if (lower) {
      for (int64_t c = 0; c < j; ++c) row[c] = a[j + c * lda];
      factored = row;
    }
    const T pivot_square = *diagonal - kernels.dot(j, factored, factored);
    if (!(pivot_square > T(0))) {
      *diagonal = pivot_square;  // as LAPACK leaves it
      return j + 1;
    }
    const T pivot = std::sqrt(pivot_square);
    *diagonal = pivot;
    if (rest == 0) break;
    const T inverse = T(1) / pivot;
    if (lower) {
      T* const column = diagonal + 1;
      if (j > 0) kernels.gemv_n(rest, j, T(-1), a + j + 1, lda, row, column);
      kernels.scal(rest, inverse, column);
    } else {
      for (int64_t c = 0; c < rest; ++c) row[c] = diagonal[(c + 1) * lda];
      if (j > 0) kernels.gemv_t(j, rest, T(-1), a + (j + 1) * lda, lda, factored, row);
      for (int64_t c = 0; c < rest; ++c) diagonal[(c + 1) * lda] = row[c] * inverse;
    }
  }
  return 0;
}

// [A11 A12; A21 A22] with n1 rows and columns first: factor A11; lower, L21 = A21 L11^-H and A22 -= L21 L21^H;
// upper, U12 = U11^-H A12 and A22 -= U12^H U12; then factor A22.
template <class T>
int64_t factor(bool lower, int64_t n, T* a, int64_t lda) {
  if (n <= kLeafOrder<T>) {
    if constexpr (!is_complex<T>) {
      if (n > kElementLeafOrder) return factor_leaf_real(lower, n, a, lda);
    }
    return factor_leaf(lower, n, a, lda);
  }
  const int64_t n1 = n / 2, n2 = n - n1;
  if (const int64_t info = factor(lower, n1, a, lda); info != 0) return info;
  const Op adjoint = is_complex<T> ? Op::conj_trans : Op::trans;
  T* a22 = a + n1 + n1 * lda;
  if (lower) {
    T* a21 = a + n1;
    blas::trsm(Side::right, Uplo::lower, adjoint, Diag::non_unit, n2, n1, T(1), a, lda, a21, lda);
    blas::syrk(is_complex<T>, Uplo::lower, Op::none, n2, n1, T(-1), a21, lda, T(1), a22, lda);
  } else {
    T* a12 = a + n1 * lda;
    blas::trsm(Side::left, Uplo::upper, adjoint, Diag::non_unit, n1, n2, T(1), a, lda, a12, lda);
    blas::syrk(is_complex<T>, Uplo::upper, adjoint, n2, n1, T(-1), a12, lda, T(1), a22, lda);
  }
  const int64_t info = factor(lower, n2, a22, lda);
  return info != 0 ? info + n1 : 0;
}

}  // namespace

template <class T>
int64_t cholesky_factor(bool lower, int64_t n, T* a, int64_t lda) {
  if (n <= 0) return 0;
  if constexpr (!is_complex<T>) {
    if (n > kLeafOrder<T> && n <= kWholeLeafOrder) return factor_leaf_real(lower, n, a, lda);
  }
  return factor(lower, n, a, lda);
}

template int64_t cholesky_factor<float>(bool, int64_t, float*, int64_t);
template int64_t cholesky_factor<double>(bool, int64_t, double*, int64_t);
template int64_t cholesky_factor<std::complex<float>>(bool, int64_t, std::complex<float>*, int64_t);
template int64_t cholesky_factor<std::complex<double>>(bool, int64_t, std::complex<double>*, int64_t);

}  // namespace armory::lapack

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_cholesky_s(int lower, int64_t n, float* a,
                                                                                   int64_t lda) {
  return armory::lapack::cholesky_factor(lower != 0, n, a, lda);
}

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_cholesky_d(int lower, int64_t n, double* a,
                                                                                   int64_t lda) {
  return armory::lapack::cholesky_factor(lower != 0, n, a, lda);
}

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_cholesky_c(int lower, int64_t n,
                                                                                   std::complex<float>* a,
                                                                                   int64_t lda) {
  return armory::lapack::cholesky_factor(lower != 0, n, a, lda);
}

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_cholesky_z(int lower, int64_t n,
                                                                                   std::complex<double>* a,
                                                                                   int64_t lda) {
  return armory::lapack::cholesky_factor(lower != 0, n, a, lda);
}
