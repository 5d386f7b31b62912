// armory's LAPACK routines in liblapack.so.3, linked ahead of the reference archive (whose copies of them
// are left out): sgesdd_, dgesdd_, sgesvd_, dgesvd_ on armory's SVD. Each checks its arguments in
// LAPACK's order with LAPACK's INFO codes and reports them through xerbla_, answers the workspace query
// (lwork = -1), and returns LAPACK's outcome codes: INFO > 0 when the bidiagonal iteration did not
// converge, and, as dgesdd documents for NaN, INFO = -(position of A) when A holds NaN or Inf (for
// ?gesvd too, without xerbla_, so the caller can tell it from a bad argument).
//
// WORK is not used: armory allocates what it needs. The minimum LWORK accepted is the smallest that
// LAPACK accepts on any of its paths, so no call LAPACK takes is refused; the query answers that minimum.
//
// Also ?laswp_, the row interchanges of LU (dgetrf, dgetrs, dgesv: numpy.linalg.solve and inv), with the
// reference's results in a cache-friendly order (laswp below), ?getrf_: LU on armory's recursive
// factorization (lapack/lu.h), and ?potrf_: Cholesky on armory's recursive factorization (lapack/cholesky.h;
// numpy.linalg.cholesky, scipy's cho_factor, and LAPACK's ?posv, ?pocon callers), with LAPACK's argument
// checks and INFO. And ?syevd_ (numpy.linalg.eigh and eigvalsh) of small orders by Jacobi (lapack/jacobi_eigen.h),
// the reference's (renamed armory_reference_?syevd_ at link time) for everything else.
#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "lapack/cholesky.h"
#include "lapack/jacobi_eigen.h"
#include "lapack/lu.h"
#include "lapack/range_scale.h"
#include "lapack/svd_bridge.h"
#include "lapack/svd_info.h"

extern "C" void xerbla_(const char* routine, const int* info, size_t routine_length);

// The reference LAPACK's ?syevd, under the names CMakeLists.txt gives them in the archive.
extern "C" void armory_reference_ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda,
                                         float* w, float* work, const int* lwork, int* iwork, const int* liwork,
                                         int* info, size_t jobz_length, size_t uplo_length);
extern "C" void armory_reference_dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                                         double* w, double* work, const int* lwork, int* iwork, const int* liwork,
                                         int* info, size_t jobz_length, size_t uplo_length);

namespace {

int64_t bridge(char vectors, int64_t m, int64_t n, float* a, int64_t lda, float* s, float* u, int64_t ldu, float* vt,
               int64_t ldvt) {
  return armory_lapack_svd_s(vectors, m, n, a, lda, s, u, ldu, vt, ldvt);
}
int64_t bridge(char vectors, int64_t m, int64_t n, double* a, int64_t lda, double* s, double* u, int64_t ldu,
               double* vt, int64_t ldvt) {
  return armory_lapack_svd_d(vectors, m, n, a, lda, s, u, ldu, vt, ldvt);
}

void report_bad_argument(const char* routine, int info) {
  const int position = -info;
  xerbla_(routine, &position, std::strlen(routine));
}

// The workspace size as LAPACK writes it into WORK(1): rounded up, so that a float converted back to an
// integer is never below the size.
template <class T>
T workspace_value(int64_t size) {
  T value = static_cast<T>(size);
  if (static_cast<double>(value) < static_cast<double>(size)) value = std::nextafter(value, T(INFINITY));
  return value;
}

// WORK(1) answers the query; a non-query LWORK below the minimum is argument `lwork_position`'s error.
template <class T>
void check_workspace(int64_t minimum, T* work, int lwork, int lwork_position, int* info) {
  if (*info != 0) return;
  if (work != nullptr) work[0] = workspace_value<T>(minimum);
  if (lwork != -1 && lwork < std::min<int64_t>(minimum, INT_MAX)) *info = -lwork_position;
}

// The INFO for the SVD's outcome.
int outcome(int64_t result, const char* routine, int a_position, int lwork_position) {
  if (result >= 0) return static_cast<int>(std::min<int64_t>(result, INT_MAX));
  if (result == armory::lapack::kSvdInvalidInput) return -a_position;
  std::fprintf(stderr, "armory: %s could not allocate its workspace\n", routine);
  return -lwork_position;
}

template <class T>
void copy_matrix(int64_t rows, int64_t cols, const T* from, int64_t ld_from, T* to, int64_t ld_to) {
  for (int64_t j = 0; j < cols; ++j) std::copy_n(from + j * ld_from, rows, to + j * ld_to);
}

template <class T>
void gesdd(const char* routine, char jobz, int m, int n, T* a, int lda, T* s, T* u, int ldu, T* vt, int ldvt, T* work,
           int lwork, int* info) {
  jobz = static_cast<char>(std::toupper(static_cast<unsigned char>(jobz)));
  const bool all = jobz == 'A', thin = jobz == 'S', overwrite = jobz == 'O', none = jobz == 'N';
  const int64_t mn = std::min(m, n);
  *info = 0;
  if (!(all || thin || overwrite || none)) {
    *info = -1;
  } else if (m < 0) {
    *info = -2;
  } else if (n < 0) {
    *info = -3;
  } else if (lda < std::max(1, m)) {
    *info = -5;
  } else if (ldu < 1 || ((all || thin) && ldu < m) || (overwrite && m < n && ldu < m)) {
    *info = -8;
  } else if (ldvt < 1 || (all && ldvt < n) || (thin && ldvt < mn) || (overwrite && m >= n && ldvt < n)) {
    *info = -10;
  }
  // LAPACK's smallest minimum over its paths: 8 mn without vectors, 3 mn^2 + 7 mn with.
  const int64_t minimum = mn == 0 ? 1 : (none ? 8 * mn : 3 * mn * mn + 7 * mn);
  check_workspace(minimum, work, lwork, 12, info);
  if (*info != 0) return report_bad_argument(routine, *info);
  if (lwork == -1 || m == 0 || n == 0) return;

  int64_t result = 0;
  try {
    if (none) {
      result = bridge('N', m, n, a, lda, s, nullptr, 1, nullptr, 1);
    } else if (!overwrite) {
      result = bridge(all ? 'A' : 'S', m, n, a, lda, s, u, ldu, vt, ldvt);
    } else if (m >= n) {  // U (m x n) over A, V^T in vt
      std::vector<T> thin_u(static_cast<size_t>(m) * n);
      result = bridge('S', m, n, a, lda, s, thin_u.data(), m, vt, ldvt);
      if (result == 0) copy_matrix<T>(m, n, thin_u.data(), m, a, lda);
    } else {  // U in u, V^T (m x n) over A
      std::vector<T> thin_vt(static_cast<size_t>(m) * n);
      result = bridge('S', m, n, a, lda, s, u, ldu, thin_vt.data(), m);
      if (result == 0) copy_matrix<T>(m, n, thin_vt.data(), m, a, lda);
    }
  } catch (const std::bad_alloc&) {
    result = armory::lapack::kSvdOutOfMemory;
  }
  *info = outcome(result, routine, 4, 12);
}

template <class T>
void gesvd(const char* routine, char jobu, char jobvt, int m, int n, T* a, int lda, T* s, T* u, int ldu, T* vt,
           int ldvt, T* work, int lwork, int* info) {
  jobu = static_cast<char>(std::toupper(static_cast<unsigned char>(jobu)));
  jobvt = static_cast<char>(std::toupper(static_cast<unsigned char>(jobvt)));
  const auto valid = [](char job) { return job == 'A' || job == 'S' || job == 'O' || job == 'N'; };
  const int64_t mn = std::min(m, n);
  *info = 0;
  if (!valid(jobu)) {
    *info = -1;
  } else if (!valid(jobvt) || (jobu == 'O' && jobvt == 'O')) {
    *info = -2;
  } else if (m < 0) {
    *info = -3;
  } else if (n < 0) {
    *info = -4;
  } else if (lda < std::max(1, m)) {
    *info = -6;
  } else if (ldu < 1 || ((jobu == 'A' || jobu == 'S') && ldu < m)) {
    *info = -9;
  } else if (ldvt < 1 || (jobvt == 'A' && ldvt < n) || (jobvt == 'S' && ldvt < mn)) {
    *info = -11;
  }
  const int64_t minimum = mn == 0 ? 1 : 5 * mn;  // LAPACK's smallest over its paths (its bdsqr space)
  check_workspace(minimum, work, lwork, 13, info);
  if (*info != 0) return report_bad_argument(routine, *info);
  if (lwork == -1 || m == 0 || n == 0) return;

  int64_t result = 0;
  try {
    if (jobu == 'N' && jobvt == 'N') {
      result = bridge('N', m, n, a, lda, s, nullptr, 1, nullptr, 1);
    } else if (jobu == jobvt && (jobu == 'A' || jobu == 'S')) {
      result = bridge(jobu, m, n, a, lda, s, u, ldu, vt, ldvt);
    } else {
      // Mixed requests: the SVD into scratch (full only where a full factor is asked for and larger than
      // the thin one), then each factor where its job wants it.
      const bool full = (jobu == 'A' && m > n) || (jobvt == 'A' && n > m);
      const int64_t ucols = full ? m : mn, vtrows = full ? n : mn;
      std::vector<T> su(static_cast<size_t>(m) * ucols), svt(static_cast<size_t>(vtrows) * n);
      result = bridge(full ? 'A' : 'S', m, n, a, lda, s, su.data(), m, svt.data(), vtrows);
      if (result == 0) {
        if (jobu == 'A') copy_matrix<T>(m, m, su.data(), m, u, ldu);
        if (jobu == 'S') copy_matrix<T>(m, mn, su.data(), m, u, ldu);
        if (jobu == 'O') copy_matrix<T>(m, mn, su.data(), m, a, lda);
        if (jobvt == 'A') copy_matrix<T>(n, n, svt.data(), vtrows, vt, ldvt);
        if (jobvt == 'S') copy_matrix<T>(mn, n, svt.data(), vtrows, vt, ldvt);
        if (jobvt == 'O') copy_matrix<T>(mn, n, svt.data(), vtrows, a, lda);
      }
    }
  } catch (const std::bad_alloc&) {
    result = armory::lapack::kSvdOutOfMemory;
  }
  *info = outcome(result, routine, 5, 13);
}

// LAPACK's ?laswp: for each of n columns, rows i and ipiv(ix) swapped for i = k1..k2 (incx > 0) or k2..k1
// (incx < 0), ix stepping by incx from the end that i starts at; incx = 0 does nothing. Every interchange of
// one column before the next: the reference takes blocks of 32 columns pivot by pivot, so each swap reads a
// new cache line per column; a column (8 KiB at n = 1024) stays in L1 here. numpy.linalg.inv at n = 1024,
// 1 thread: the reference's dlaswp was 13% of the time. The same swaps in the same order per column, so the
// same results.
template <class T>
void laswp(int n, T* a, int lda, int k1, int k2, const int* ipiv, int incx) {
  if (incx == 0 || n <= 0) return;
  const int first = incx > 0 ? k1 : k2, last = incx > 0 ? k2 : k1, step = incx > 0 ? 1 : -1;
  const int64_t ix0 = incx > 0 ? k1 : k1 + static_cast<int64_t>(k1 - k2) * incx;
  if ((last - first) * step < 0) return;
  for (int j = 0; j < n; ++j) {
    T* column = a + static_cast<ptrdiff_t>(j) * lda;
    int64_t ix = ix0;
    for (int i = first;; i += step) {
      const int ip = ipiv[ix - 1];
      if (ip != i) std::swap(column[i - 1], column[ip - 1]);
      if (i == last) break;
      ix += incx;
    }
  }
}

// ?syevd for an order Jacobi takes (1..kJacobiEigenMaxOrder) with arguments and workspaces the reference
// accepts and a finite A: the eigenvalues into w and, for jobz 'V', the eigenvectors over A, WORK(1) and
// IWORK(1) set to the minimal sizes. False, with nothing written, for anything else: the caller then calls the
// reference, which answers workspace queries, reports bad arguments through xerbla_ and decides what NaN gives.
template <class T>
bool small_syevd(char jobz, char uplo, int n, T* a, int lda, T* w, T* work, int lwork, int* iwork, int liwork,
                 int* info) {
  jobz = static_cast<char>(std::toupper(static_cast<unsigned char>(jobz)));
  uplo = static_cast<char>(std::toupper(static_cast<unsigned char>(uplo)));
  if ((jobz != 'N' && jobz != 'V') || (uplo != 'U' && uplo != 'L')) return false;
  if (n < 1 || n > armory::lapack::kJacobiEigenMaxOrder || lda < n) return false;
  const bool vectors = jobz == 'V';
  // dsyevd's minimal workspaces.
  const int lwork_min = n == 1 ? 1 : (vectors ? 1 + 6 * n + 2 * n * n : 2 * n + 1);
  const int liwork_min = n == 1 || !vectors ? 1 : 3 + 5 * n;
  if (lwork < lwork_min || liwork < liwork_min) return false;  // the query (-1) included
  constexpr int64_t kMax = armory::lapack::kJacobiEigenMaxOrder;
  T full[kMax * kMax], values[kMax], v[kMax * kMax];
  // The triangle LAPACK reads, mirrored; scaled as LAPACK's drivers do when its entries' squares would under- or
  // overflow (into [sqrt(min)/eps, sqrt(max)*eps]).
  T amax = 0;
  for (int j = 0; j < n; ++j) {
    for (int i = uplo == 'U' ? 0 : j; i < (uplo == 'U' ? j + 1 : n); ++i) {
      const T x = a[i + static_cast<int64_t>(j) * lda];
      if (!std::isfinite(x)) return false;
      amax = std::max(amax, std::abs(x));
    }
  }
  const T scale = armory::lapack::range_scale(amax);
  for (int j = 0; j < n; ++j) {
    for (int i = uplo == 'U' ? 0 : j; i < (uplo == 'U' ? j + 1 : n); ++i) {
      full[i + j * kMax] = full[j + i * kMax] = scale * a[i + static_cast<int64_t>(j) * lda];
    }
  }
  if (!armory::lapack::jacobi_eigen<T>(n, full, kMax, values, vectors ? v : nullptr, kMax)) return false;
  for (int i = 0; i < n; ++i) w[i] = values[i] / scale;
  if (vectors) copy_matrix<T>(n, n, v, kMax, a, lda);
  work[0] = static_cast<T>(lwork_min);
  iwork[0] = liwork_min;
  *info = 0;
  return true;
}

// LAPACK's ?laset: alpha off the diagonal and beta on it, in the upper ('U') or lower ('L') triangle or all of
// the m x n matrix. The reference's loop stores element by element, unvectorised in Debian's build, and
// dtrevc3 (numpy's eig, through dgeev) clears an n x (1 + 2 nb) workspace with it on every call, nb = 128:
// a fifth of numpy's eig of a stack of 3 x 3 matrices. Column by column with std::fill: the same values.
template <class T>
void laset(char uplo, int m, int n, T alpha, T beta, T* a, int lda) {
  if (m <= 0 || n <= 0) return;
  uplo = static_cast<char>(std::toupper(static_cast<unsigned char>(uplo)));
  const int64_t ld = lda;
  for (int j = 0; j < n; ++j) {
    T* column = a + j * ld;
    if (uplo == 'U') {
      std::fill(column, column + std::min(j, m), alpha);
    } else if (uplo == 'L') {
      if (j + 1 < m) std::fill(column + j + 1, column + m, alpha);
    } else {
      std::fill(column, column + m, alpha);
    }
  }
  for (int i = 0; i < std::min(m, n); ++i) a[i + i * ld] = beta;
}

template <class R>
struct ComplexElement {  // LAPACK's COMPLEX / COMPLEX*16, only ever moved here
  R re, im;
};

}  // namespace

#define LAPACK_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// ?getrf's arguments in LAPACK's order (INFO = -1 for M, -2 for N, -4 for LDA, reported through xerbla_), then
// the factorization; INFO > 0 is the first zero pivot.
template <class T, class Factor>
void getrf(const char* routine, int m, int n, T* a, int lda, int* ipiv, int* info, Factor factor) {
  *info = 0;
  if (m < 0) {
    *info = -1;
  } else if (n < 0) {
    *info = -2;
  } else if (lda < std::max(1, m)) {
    *info = -4;
  }
  if (*info != 0) {
    report_bad_argument(routine, *info);
    return;
  }
  if (m == 0 || n == 0) return;
  *info = static_cast<int>(factor(m, n, a, lda, ipiv));
}

}  // namespace

LAPACK_EXPORT void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info) {
  getrf("SGETRF", *m, *n, a, *lda, ipiv, info, armory_lapack_lu_s);
}

LAPACK_EXPORT void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info) {
  getrf("DGETRF", *m, *n, a, *lda, ipiv, info, armory_lapack_lu_d);
}

LAPACK_EXPORT void cgetrf_(const int* m, const int* n, void* a, const int* lda, int* ipiv, int* info) {
  getrf("CGETRF", *m, *n, static_cast<std::complex<float>*>(a), *lda, ipiv, info, armory_lapack_lu_c);
}

LAPACK_EXPORT void zgetrf_(const int* m, const int* n, void* a, const int* lda, int* ipiv, int* info) {
  getrf("ZGETRF", *m, *n, static_cast<std::complex<double>*>(a), *lda, ipiv, info, armory_lapack_lu_z);
}

namespace {

// ?potrf's arguments in LAPACK's order (INFO = -1 for UPLO, -2 for N, -4 for LDA, reported through xerbla_),
// then the factorization; INFO > 0 is the order of the first leading minor that is not positive definite.
template <class T, class Factor>
void potrf(const char* routine, char uplo, int n, T* a, int lda, int* info, Factor factor) {
  const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(uplo)));
  *info = 0;
  if (u != 'U' && u != 'L') {
    *info = -1;
  } else if (n < 0) {
    *info = -2;
  } else if (lda < std::max(1, n)) {
    *info = -4;
  }
  if (*info != 0) {
    report_bad_argument(routine, *info);
    return;
  }
  if (n == 0) return;
  *info = static_cast<int>(factor(u == 'L', n, a, lda));
}

}  // namespace

LAPACK_EXPORT void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info,
                           size_t /*uplo_length*/) {
  potrf("SPOTRF", *uplo, *n, a, *lda, info, armory_lapack_cholesky_s);
}

LAPACK_EXPORT void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info,
                           size_t /*uplo_length*/) {
  potrf("DPOTRF", *uplo, *n, a, *lda, info, armory_lapack_cholesky_d);
}

LAPACK_EXPORT void cpotrf_(const char* uplo, const int* n, void* a, const int* lda, int* info, size_t /*uplo_length*/) {
  potrf("CPOTRF", *uplo, *n, static_cast<std::complex<float>*>(a), *lda, info, armory_lapack_cholesky_c);
}

LAPACK_EXPORT void zpotrf_(const char* uplo, const int* n, void* a, const int* lda, int* info, size_t /*uplo_length*/) {
  potrf("ZPOTRF", *uplo, *n, static_cast<std::complex<double>*>(a), *lda, info, armory_lapack_cholesky_z);
}

LAPACK_EXPORT void slaswp_(const int* n, float* a, const int* lda, const int* k1, const int* k2, const int* ipiv,
                           const int* incx) {
  laswp(*n, a, *lda, *k1, *k2, ipiv, *incx);
}

LAPACK_EXPORT void dlaswp_(const int* n, double* a, const int* lda, const int* k1, const int* k2, const int* ipiv,
                           const int* incx) {
  laswp(*n, a, *lda, *k1, *k2, ipiv, *incx);
}

LAPACK_EXPORT void claswp_(const int* n, void* a, const int* lda, const int* k1, const int* k2, const int* ipiv,
                           const int* incx) {
  laswp(*n, static_cast<ComplexElement<float>*>(a), *lda, *k1, *k2, ipiv, *incx);
}

LAPACK_EXPORT void zlaswp_(const int* n, void* a, const int* lda, const int* k1, const int* k2, const int* ipiv,
                           const int* incx) {
  laswp(*n, static_cast<ComplexElement<double>*>(a), *lda, *k1, *k2, ipiv, *incx);
}

LAPACK_EXPORT void slaset_(const char* uplo, const int* m, const int* n, const float* alpha, const float* beta,
                           float* a, const int* lda, size_t /*uplo_length*/) {
  laset(*uplo, *m, *n, *alpha, *beta, a, *lda);
}

LAPACK_EXPORT void dlaset_(const char* uplo, const int* m, const int* n, const double* alpha, const double* beta,
                           double* a, const int* lda, size_t /*uplo_length*/) {
  laset(*uplo, *m, *n, *alpha, *beta, a, *lda);
}

LAPACK_EXPORT void claset_(const char* uplo, const int* m, const int* n, const void* alpha, const void* beta, void* a,
                           const int* lda, size_t /*uplo_length*/) {
  using C = ComplexElement<float>;
  laset(*uplo, *m, *n, *static_cast<const C*>(alpha), *static_cast<const C*>(beta), static_cast<C*>(a), *lda);
}

LAPACK_EXPORT void zlaset_(const char* uplo, const int* m, const int* n, const void* alpha, const void* beta, void* a,
                           const int* lda, size_t /*uplo_length*/) {
  using C = ComplexElement<double>;
  laset(*uplo, *m, *n, *static_cast<const C*>(alpha), *static_cast<const C*>(beta), static_cast<C*>(a), *lda);
}

LAPACK_EXPORT void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w,
                           float* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t jobz_length,
                           size_t uplo_length) {
  if (small_syevd(*jobz, *uplo, *n, a, *lda, w, work, *lwork, iwork, *liwork, info)) return;
  armory_reference_ssyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, jobz_length, uplo_length);
}

LAPACK_EXPORT void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                           double* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t jobz_length,
                           size_t uplo_length) {
  if (small_syevd(*jobz, *uplo, *n, a, *lda, w, work, *lwork, iwork, *liwork, info)) return;
  armory_reference_dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, jobz_length, uplo_length);
}

LAPACK_EXPORT void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u,
                           const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork, int* /*iwork*/,
                           int* info, size_t /*jobz_length*/) {
  gesdd("SGESDD", *jobz, *m, *n, a, *lda, s, u, *ldu, vt, *ldvt, work, *lwork, info);
}

LAPACK_EXPORT void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
                           double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
                           int* /*iwork*/, int* info, size_t /*jobz_length*/) {
  gesdd("DGESDD", *jobz, *m, *n, a, *lda, s, u, *ldu, vt, *ldvt, work, *lwork, info);
}

LAPACK_EXPORT void sgesvd_(const char* jobu, const char* jobvt, const int* m, const int* n, float* a, const int* lda,
                           float* s, float* u, const int* ldu, float* vt, const int* ldvt, float* work,
                           const int* lwork, int* info, size_t /*jobu_length*/, size_t /*jobvt_length*/) {
  gesvd("SGESVD", *jobu, *jobvt, *m, *n, a, *lda, s, u, *ldu, vt, *ldvt, work, *lwork, info);
}

LAPACK_EXPORT void dgesvd_(const char* jobu, const char* jobvt, const int* m, const int* n, double* a, const int* lda,
                           double* s, double* u, const int* ldu, double* vt, const int* ldvt, double* work,
                           const int* lwork, int* info, size_t /*jobu_length*/, size_t /*jobvt_length*/) {
  gesvd("DGESVD", *jobu, *jobvt, *m, *n, a, *lda, s, u, *ldu, vt, *ldvt, work, *lwork, info);
}
