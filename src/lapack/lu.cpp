#include "lapack/lu.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "blas/level3.h"
#include "blas/types.h"
#include "blas/vector_kernels.h"
#include "gemm/thread_pool.h"

namespace armory::lapack {
namespace {

using blas::Diag;
using blas::Op;
using blas::Side;
using blas::Uplo;

// Panels of at most this many columns are factored column by column (a leaf of the recursion); above it the
// columns are halved. Reference dgetrf2 recurses down to single columns, each level's trsm and GEMM calls
// then too small to run at speed.
constexpr int64_t kLeafColumns = 16;

// Below this many element moves, the interchanges run on the caller alone.
constexpr int64_t kSwapsPerThread = int64_t{1} << 16;

// The interchanges of rows k and ipiv[k] - 1 for k in [k0, k1), in that order, applied to cols columns of a:
// each column takes all of its swaps before the next, so it stays in L1 (as armory's ?laswp does).
template <class T>
void interchange_rows(int64_t cols, T* a, int64_t lda, const int* ipiv, int64_t k0, int64_t k1) {
  if (cols <= 0 || k1 <= k0) return;
  auto columns = [&](int64_t c0, int64_t c1, int) {
    for (int64_t c = c0; c < c1; ++c) {
      T* column = a + c * lda;
      for (int64_t k = k0; k < k1; ++k) {
        const int64_t p = ipiv[k] - 1;
        if (p != k) std::swap(column[k], column[p]);
      }
    }
  };
  const int64_t moves = cols * (k1 - k0);
  const int threads =
      static_cast<int>(std::clamp<int64_t>(moves / kSwapsPerThread, 1, ThreadPool::global().max_threads()));
  for_chunks(cols, std::min<int64_t>(threads, cols), columns);
}

// A panel of at most kLeafColumns columns (or rows), right-looking: the pivot is the first largest magnitude
// (i?amax's choice), the column below it divided by it (multiplied by its reciprocal when that is safe, as
// ?getrf2 does), the rest of the panel updated by the rank-1 product.
template <class T>
int64_t factor_panel(int64_t m, int64_t n, T* a, int64_t lda, int* ipiv) {
  const blas::ElementKernels<T> kernels;
  const auto safe_minimum = std::numeric_limits<blas::real_t<T>>::min();
  int64_t info = 0;
  for (int64_t j = 0; j < std::min(m, n); ++j) {
    T* column = a + j * lda;
    const int64_t p = j + kernels.iamax(m - j, column + j);
    ipiv[j] = static_cast<int>(p + 1);
    const int64_t below = m - j - 1;
    if (column[p] != T(0)) {
      if (p != j) {
        for (int64_t c = 0; c < n; ++c) std::swap(a[j + c * lda], a[p + c * lda]);
      }
      const T pivot = column[j];
      if (std::abs(pivot) >= safe_minimum) {
        if (below > 0) kernels.scal(below, T(1) / pivot, column + j + 1);
      } else {
        for (int64_t i = j + 1; i < m; ++i) column[i] /= pivot;
      }
    } else if (info == 0) {
      info = j + 1;
    }
    if (below == 0) continue;
    for (int64_t c = j + 1; c < n; ++c) {
      const T u = a[j + c * lda];
      if (u != T(0)) kernels.axpy(below, -u, column + j + 1, a + j + 1 + c * lda);
    }
  }
  return info;
}

template <class T>
int64_t factor(int64_t m, int64_t n, T* a, int64_t lda, int* ipiv) {
  const int64_t mn = std::min(m, n);
  if (mn <= kLeafColumns) return factor_panel(m, n, a, lda, ipiv);
  // [A11 A12; A21 A22] with n1 columns on the left: factor the left, bring the right up to date, factor what
  // is left of it, then apply its interchanges to the left (dgetrf2's order).
  const int64_t n1 = mn / 2, n2 = n - n1;
  const int64_t info1 = factor(m, n1, a, lda, ipiv);
  T* a12 = a + n1 * lda;
  T* a21 = a + n1;
  T* a22 = a12 + n1;
  interchange_rows(n2, a12, lda, ipiv, 0, n1);
  blas::trsm(Side::left, Uplo::lower, Op::none, Diag::unit, n1, n2, T(1), a, lda, a12, lda);
  blas::gemm(Op::none, Op::none, m - n1, n2, n1, T(-1), a21, lda, a12, lda, T(1), a22, lda);
  const int64_t info2 = factor(m - n1, n2, a22, lda, ipiv + n1);
  const int64_t pivots2 = std::min(m - n1, n2);
  for (int64_t k = n1; k < n1 + pivots2; ++k) ipiv[k] += static_cast<int>(n1);
  interchange_rows(n1, a, lda, ipiv, n1, n1 + pivots2);
  if (info1 != 0) return info1;
  return info2 != 0 ? info2 + n1 : 0;
}

}  // namespace

template <class T>
int64_t lu_factor(int64_t m, int64_t n, T* a, int64_t lda, int* ipiv) {
  if (m <= 0 || n <= 0) return 0;
  return factor(m, n, a, lda, ipiv);
}

template int64_t lu_factor<float>(int64_t, int64_t, float*, int64_t, int*);
template int64_t lu_factor<double>(int64_t, int64_t, double*, int64_t, int*);
template int64_t lu_factor<std::complex<float>>(int64_t, int64_t, std::complex<float>*, int64_t, int*);
template int64_t lu_factor<std::complex<double>>(int64_t, int64_t, std::complex<double>*, int64_t, int*);

}  // namespace armory::lapack

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_lu_s(int64_t m, int64_t n, float* a,
                                                                             int64_t lda, int* ipiv) {
  return armory::lapack::lu_factor(m, n, a, lda, ipiv);
}

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_lu_d(int64_t m, int64_t n, double* a,
                                                                             int64_t lda, int* ipiv) {
  return armory::lapack::lu_factor(m, n, a, lda, ipiv);
}

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_lu_c(int64_t m, int64_t n,
                                                                             std::complex<float>* a, int64_t lda,
                                                                             int* ipiv) {
  return armory::lapack::lu_factor(m, n, a, lda, ipiv);
}

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_lu_z(int64_t m, int64_t n,
                                                                             std::complex<double>* a, int64_t lda,
                                                                             int* ipiv) {
  return armory::lapack::lu_factor(m, n, a, lda, ipiv);
}
