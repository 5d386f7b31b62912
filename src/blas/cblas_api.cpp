// The CBLAS ABI, declared by the netlib cblas.h (Debian's libblas-dev), so the compiler checks every
// signature here against the standard one.
//
// A row-major problem is the column-major problem on the transposed matrices: level 3 swaps operands or
// sides, level 2 transposes the matrix (flips uplo, swaps m and n). The one thing column-major BLAS cannot
// express is conjugating a matrix without transposing it, which row-major A^H and row-major Hermitian
// matrices need; those cases use conj(y) = A conj(x) with conjugated copies of the vectors, as reference
// CBLAS does. Argument errors are reported with the positions reference CBLAS uses.
#include <cblas.h>

#include <exception>
#include <optional>
#include <vector>

#include "checked.h"
#include "xerbla.h"

using namespace armory::blas;

#define ARMORY_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using CE = CblasArgumentError;

template <class T>
std::optional<Op> op_of(CBLAS_TRANSPOSE t) {
  switch (t) {
    case CblasNoTrans:
      return Op::none;
    case CblasTrans:
      return Op::trans;
    case CblasConjTrans:
      return is_complex<T> ? Op::conj_trans : Op::trans;
  }
  return std::nullopt;
}
std::optional<Uplo> uplo_of(CBLAS_UPLO u) {
  if (u == CblasUpper) return Uplo::upper;
  if (u == CblasLower) return Uplo::lower;
  return std::nullopt;
}
std::optional<Diag> diag_of(CBLAS_DIAG d) {
  if (d == CblasNonUnit) return Diag::non_unit;
  if (d == CblasUnit) return Diag::unit;
  return std::nullopt;
}
std::optional<Side> side_of(CBLAS_SIDE s) {
  if (s == CblasLeft) return Side::left;
  if (s == CblasRight) return Side::right;
  return std::nullopt;
}
Uplo flipped(Uplo u) { return u == Uplo::upper ? Uplo::lower : Uplo::upper; }
Side flipped(Side s) { return s == Side::left ? Side::right : Side::left; }

// Reports an invalid layout; returns whether the layout is row-major through *row_major.
bool check_layout(CBLAS_LAYOUT layout, const char* name, bool* row_major) {
  if (layout != CblasRowMajor && layout != CblasColMajor) {
    cblas_bad_option(1, name, "order", layout);
    return false;
  }
  *row_major = layout == CblasRowMajor;
  return true;
}

// The vector x (n elements, increment inc) conjugated into contiguous storage; nothing, reported for the
// routine `name`, when memory cannot hold the copy.
template <class T>
std::optional<std::vector<T>> conjugated_copy(const char* name, index_t n, const T* x, index_t inc) try {
  std::vector<T> copy(static_cast<size_t>(std::max<index_t>(n, 0)));
  if (n <= 0) return copy;
  Strided<const T> xs(x, n, inc);
  for (index_t i = 0; i < n; ++i) copy[i] = conj_value(xs[i]);
  return copy;
} catch (const std::exception& e) {
  report_exception(name, e);
  return std::nullopt;
}

template <class T>
void conjugate_in_place(index_t n, T* x, index_t inc) {
  if (n <= 0) return;
  Strided<T> xs(x, n, inc);
  for (index_t i = 0; i < n; ++i) xs[i] = conj_value(xs[i]);
}

// ---- level 2 -------------------------------------------------------------------------------------------

// gemv (kl = ku = -1) and gbmv. Row-major A (m x n) is column-major A^T (n x m) with kl and ku swapped.
template <class T>
void general_matvec_c(const char* name, bool band, CBLAS_LAYOUT layout, CBLAS_TRANSPOSE trans, index_t m, index_t n,
                      index_t kl, index_t ku, T alpha, const T* a, index_t lda, const T* x, index_t incx, T beta, T* y,
                      index_t incy) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto op = op_of<T>(trans);
  if (!op) return cblas_bad_option(2, name, "TransA", trans);
  auto run = [&](Op op_cm, index_t rows, index_t cols, index_t lower, index_t upper, T scale, const T* xv, index_t xinc,
                 T beta_cm) {
    if (band) {
      gbmv(op_cm, rows, cols, lower, upper, scale, a, lda, xv, xinc, beta_cm, y, incy);
    } else {
      gemv(op_cm, rows, cols, scale, a, lda, xv, xinc, beta_cm, y, incy);
    }
  };
  auto validate = [&](Op op_cm, index_t rows, index_t cols, index_t lower, index_t upper) {
    return band ? validate_gbmv(op_cm, rows, cols, lower, upper, lda, incx, incy)
                : validate_gemv(op_cm, rows, cols, lda, incx, incy);
  };
  if (!row_major) {
    if (int bad = validate(*op, m, n, kl, ku)) return CE{name, false}(bad);
    return run(*op, m, n, kl, ku, alpha, x, incx, beta);
  }
  const Op op_cm = *op == Op::none ? Op::trans : Op::none;
  if (int bad = validate(op_cm, n, m, ku, kl)) return CE{name, true}(bad);
  if (*op != Op::conj_trans) return run(op_cm, n, m, ku, kl, alpha, x, incx, beta);
  // y = A^H x = conj(A_cm) x, computed as conj(y) = A_cm conj(x). x has m elements, y has n.
  if (m == 0 || n == 0) return;
  const auto xc = conjugated_copy(name, m, x, incx);
  if (!xc) return;
  conjugate_in_place(n, y, incy);
  run(Op::none, n, m, ku, kl, conj_value(alpha), xc->data(), 1, conj_value(beta));
  conjugate_in_place(n, y, incy);
}

// symv / sbmv / spmv and hemv / hbmv / hpmv. Row-major: the other triangle; for a Hermitian matrix the
// column-major reading of that triangle is conj(A), so conj(y) = conj(A) conj(x) + ... is what runs.
template <class T>
void symmetric_matvec_c(const char* name, StorageForm form, bool hermitian, CBLAS_LAYOUT layout, CBLAS_UPLO uplo_value,
                        index_t n, index_t k, T alpha, const T* a, index_t lda, const T* x, index_t incx, T beta, T* y,
                        index_t incy) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto uplo = uplo_of(uplo_value);
  if (!uplo) return cblas_bad_option(2, name, "Uplo", uplo_value);
  const Uplo uplo_cm = row_major ? flipped(*uplo) : *uplo;
  if (int bad = validate_symmetric_matvec(form, uplo_cm, n, k, lda, incx, incy)) return CE{name, row_major}(bad);
  if (!row_major || !hermitian) {
    return symmetric_matvec_form(form, hermitian, uplo_cm, n, k, alpha, a, lda, x, incx, beta, y, incy);
  }
  if (n == 0) return;
  const auto xc = conjugated_copy(name, n, x, incx);
  if (!xc) return;
  conjugate_in_place(n, y, incy);
  symmetric_matvec_form(form, true, uplo_cm, n, k, conj_value(alpha), a, lda, xc->data(), 1, conj_value(beta), y, incy);
  conjugate_in_place(n, y, incy);
}

// trmv / tbmv / tpmv and trsv / tbsv / tpsv. Row-major A^H is conj(A_cm): x is conjugated around the call.
template <class T>
void triangular_c(const char* name, StorageForm form, bool solve, CBLAS_LAYOUT layout, CBLAS_UPLO uplo_value,
                  CBLAS_TRANSPOSE trans, CBLAS_DIAG diag_value, index_t n, index_t k, const T* a, index_t lda, T* x,
                  index_t incx) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto uplo = uplo_of(uplo_value);
  if (!uplo) return cblas_bad_option(2, name, "Uplo", uplo_value);
  const auto op = op_of<T>(trans);
  if (!op) return cblas_bad_option(3, name, "TransA", trans);
  const auto diag = diag_of(diag_value);
  if (!diag) return cblas_bad_option(4, name, "Diag", diag_value);
  const Uplo uplo_cm = row_major ? flipped(*uplo) : *uplo;
  const Op op_cm = !row_major ? *op : (*op == Op::none ? Op::trans : Op::none);
  if (int bad = validate_triangular(form, uplo_cm, op_cm, diag, n, k, lda, incx)) return CE{name, row_major}(bad);
  const bool conjugate = row_major && *op == Op::conj_trans;
  if (conjugate) conjugate_in_place(n, x, incx);
  triangular_form(form, solve, uplo_cm, op_cm, *diag, n, k, a, lda, x, incx);
  if (conjugate) conjugate_in_place(n, x, incx);
}

// ger / geru (conjugate_y = false) and gerc. Row-major: A^T += alpha op(y) x^T.
template <class T>
void ger_c(const char* name, bool conjugate_y, CBLAS_LAYOUT layout, index_t m, index_t n, T alpha, const T* x,
           index_t incx, const T* y, index_t incy, T* a, index_t lda) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  if (!row_major) {
    if (int bad = validate_ger(m, n, incx, incy, lda)) return CE{name, false}(bad);
    return ger(m, n, alpha, x, incx, y, incy, a, lda, conjugate_y);
  }
  if (int bad = validate_ger(n, m, incy, incx, lda)) return CE{name, true}(bad);
  if (!conjugate_y) return ger(n, m, alpha, y, incy, x, incx, a, lda, false);
  const auto yc = conjugated_copy(name, n, y, incy);
  if (!yc) return;
  ger(n, m, alpha, yc->data(), 1, x, incx, a, lda, false);
}

// syr / spr / her / hpr. Row-major Hermitian: conj(A) += alpha conj(x) conj(x)^H.
template <class T>
void rank1_c(const char* name, bool packed, bool hermitian, CBLAS_LAYOUT layout, CBLAS_UPLO uplo_value, index_t n,
             T alpha, const T* x, index_t incx, T* a, index_t lda) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto uplo = uplo_of(uplo_value);
  if (!uplo) return cblas_bad_option(2, name, "Uplo", uplo_value);
  const Uplo uplo_cm = row_major ? flipped(*uplo) : *uplo;
  if (int bad = validate_rank_update(false, packed, uplo_cm, n, incx, 1, lda)) return CE{name, row_major}(bad);
  if (!row_major || !hermitian) return rank1_form(packed, hermitian, uplo_cm, n, alpha, x, incx, a, lda);
  const auto xc = conjugated_copy(name, n, x, incx);
  if (!xc) return;
  rank1_form(packed, true, uplo_cm, n, alpha, xc->data(), 1, a, lda);
}

// syr2 / spr2 / her2 / hpr2. Row-major Hermitian: conj(A) += alpha conj(y) conj(x)^H + conj(alpha) conj(x) conj(y)^H.
template <class T>
void rank2_c(const char* name, bool packed, bool hermitian, CBLAS_LAYOUT layout, CBLAS_UPLO uplo_value, index_t n,
             T alpha, const T* x, index_t incx, const T* y, index_t incy, T* a, index_t lda) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto uplo = uplo_of(uplo_value);
  if (!uplo) return cblas_bad_option(2, name, "Uplo", uplo_value);
  const Uplo uplo_cm = row_major ? flipped(*uplo) : *uplo;
  if (!row_major || !hermitian) {
    if (int bad = validate_rank_update(true, packed, uplo_cm, n, incx, incy, lda)) return CE{name, row_major}(bad);
    return rank2_form(packed, hermitian, uplo_cm, n, alpha, x, incx, y, incy, a, lda);
  }
  if (int bad = validate_rank_update(true, packed, uplo_cm, n, incy, incx, lda)) return CE{name, true}(bad);
  const auto xc = conjugated_copy(name, n, x, incx);
  if (!xc) return;
  const auto yc = conjugated_copy(name, n, y, incy);
  if (!yc) return;
  rank2_form(packed, true, uplo_cm, n, alpha, yc->data(), 1, xc->data(), 1, a, lda);
}

// ---- level 3 -------------------------------------------------------------------------------------------

// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: the operands swap.
template <class T>
void gemm_c(const char* name, CBLAS_LAYOUT layout, CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, index_t m,
            index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b, index_t ldb, T beta, T* c,
            index_t ldc) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto op_a = op_of<T>(trans_a);
  if (!op_a) return cblas_bad_option(2, name, "TransA", trans_a);
  const auto op_b = op_of<T>(trans_b);
  if (!op_b) return cblas_bad_option(3, name, "TransB", trans_b);
  if (!row_major) {
    if (int bad = validate_gemm(op_a, op_b, m, n, k, lda, ldb, ldc)) return CE{name, false}(bad);
    return gemm(*op_a, *op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  if (int bad = validate_gemm(op_b, op_a, n, m, k, ldb, lda, ldc)) return CE{name, true}(bad);
  gemm(*op_b, *op_a, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
}

// symm / hemm. Row-major: the other side and the other triangle (for a Hermitian A, A^T = conj(A) is
// exactly what the other triangle holds).
template <class T>
void symm_c(const char* name, bool hermitian, CBLAS_LAYOUT layout, CBLAS_SIDE side_value, CBLAS_UPLO uplo_value,
            index_t m, index_t n, T alpha, const T* a, index_t lda, const T* b, index_t ldb, T beta, T* c,
            index_t ldc) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto side = side_of(side_value);
  if (!side) return cblas_bad_option(2, name, "Side", side_value);
  const auto uplo = uplo_of(uplo_value);
  if (!uplo) return cblas_bad_option(3, name, "Uplo", uplo_value);
  const Side side_cm = row_major ? flipped(*side) : *side;
  const Uplo uplo_cm = row_major ? flipped(*uplo) : *uplo;
  const index_t m_cm = row_major ? n : m, n_cm = row_major ? m : n;
  if (int bad = validate_symm(side_cm, uplo_cm, m_cm, n_cm, lda, ldb, ldc)) return CE{name, row_major}(bad);
  symm(hermitian, side_cm, uplo_cm, m_cm, n_cm, alpha, a, lda, b, ldb, beta, c, ldc);
}

// Row-major syrk/syr2k transpose the other way (N <-> T, or N <-> C for herk/her2k); a transpose the routine
// does not accept stays as it is so that validation rejects it.
template <class T>
Op row_major_rank_k_op(bool hermitian, Op op) {
  const Op other = hermitian ? Op::conj_trans : Op::trans;
  if (op == Op::none) return other;
  if (op == other || !is_complex<T>) return Op::none;
  return op;
}

// syrk / herk (rank2 = false, b unused) and syr2k / her2k. Row-major her2k runs with conj(alpha).
template <class T>
void rank_k_c(const char* name, bool rank2, bool hermitian, CBLAS_LAYOUT layout, CBLAS_UPLO uplo_value,
              CBLAS_TRANSPOSE trans, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b, index_t ldb,
              T beta, T* c, index_t ldc) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto uplo = uplo_of(uplo_value);
  if (!uplo) return cblas_bad_option(2, name, "Uplo", uplo_value);
  // CBLAS rejects a transpose value outside the enum itself; one the routine does not accept (ConjTrans for
  // complex syrk, Trans for herk) is rejected by validation at the same position.
  auto op = op_of<T>(trans);
  if (!op) return cblas_bad_option(3, name, "Trans", trans);
  const Uplo uplo_cm = row_major ? flipped(*uplo) : *uplo;
  const Op op_cm = row_major ? row_major_rank_k_op<T>(hermitian, *op) : *op;
  if (int bad = validate_rank_k<T>(rank2, hermitian, uplo_cm, op_cm, n, k, lda, rank2 ? ldb : 1, ldc)) {
    return CE{name, row_major}(bad);
  }
  if (!rank2) return syrk(hermitian, uplo_cm, op_cm, n, k, alpha, a, lda, beta, c, ldc);
  const T alpha_cm = row_major && hermitian ? conj_value(alpha) : alpha;
  syr2k(hermitian, uplo_cm, op_cm, n, k, alpha_cm, a, lda, b, ldb, beta, c, ldc);
}

// trmm / trsm. Row-major: the other side and triangle, same transpose, m and n swapped.
template <class T>
void triangular_mm_c(const char* name, bool solve, CBLAS_LAYOUT layout, CBLAS_SIDE side_value, CBLAS_UPLO uplo_value,
                     CBLAS_TRANSPOSE trans, CBLAS_DIAG diag_value, index_t m, index_t n, T alpha, const T* a,
                     index_t lda, T* b, index_t ldb) {
  bool row_major;
  if (!check_layout(layout, name, &row_major)) return;
  const auto side = side_of(side_value);
  if (!side) return cblas_bad_option(2, name, "Side", side_value);
  const auto uplo = uplo_of(uplo_value);
  if (!uplo) return cblas_bad_option(3, name, "Uplo", uplo_value);
  const auto op = op_of<T>(trans);
  if (!op) return cblas_bad_option(4, name, "TransA", trans);
  const auto diag = diag_of(diag_value);
  if (!diag) return cblas_bad_option(5, name, "Diag", diag_value);
  const Side side_cm = row_major ? flipped(*side) : *side;
  const Uplo uplo_cm = row_major ? flipped(*uplo) : *uplo;
  const index_t m_cm = row_major ? n : m, n_cm = row_major ? m : n;
  if (int bad = validate_triangular_mm(side_cm, uplo_cm, op, diag, m_cm, n_cm, lda, ldb)) {
    return CE{name, row_major}(bad);
  }
  triangular_mm(solve, side_cm, uplo_cm, *op, *diag, m_cm, n_cm, alpha, a, lda, b, ldb);
}

// CBLAS's i?amax are 0-based; BLAS's are 1-based with 0 for an empty vector.
CBLAS_INDEX zero_based(index_t one_based) { return one_based > 0 ? static_cast<CBLAS_INDEX>(one_based - 1) : 0; }

template <class T>
const T* in(const void* p) {
  return static_cast<const T*>(p);
}
template <class T>
T* out(void* p) {
  return static_cast<T*>(p);
}

}  // namespace

// ---- level 1 entry points ------------------------------------------------------------------------------

ARMORY_EXPORT double cblas_dcabs1(const void* z) { return abs1(*in<cdouble>(z)); }

ARMORY_EXPORT float cblas_scabs1(const void* c) { return abs1(*in<cfloat>(c)); }

ARMORY_EXPORT float cblas_sdsdot(const CBLAS_INT N, const float alpha, const float* X, const CBLAS_INT incX,
                                 const float* Y, const CBLAS_INT incY) {
  return static_cast<float>(double(alpha) + dot_accumulate<double>(N, X, incX, Y, incY, false));
}

ARMORY_EXPORT double cblas_dsdot(const CBLAS_INT N, const float* X, const CBLAS_INT incX, const float* Y,
                                 const CBLAS_INT incY) {
  return dot_accumulate<double>(N, X, incX, Y, incY, false);
}

ARMORY_EXPORT float cblas_sdot(const CBLAS_INT N, const float* X, const CBLAS_INT incX, const float* Y,
                               const CBLAS_INT incY) {
  return dot(N, X, incX, Y, incY);
}

ARMORY_EXPORT double cblas_ddot(const CBLAS_INT N, const double* X, const CBLAS_INT incX, const double* Y,
                                const CBLAS_INT incY) {
  return dot(N, X, incX, Y, incY);
}

ARMORY_EXPORT void cblas_cdotu_sub(const CBLAS_INT N, const void* X, const CBLAS_INT incX, const void* Y,
                                   const CBLAS_INT incY, void* dotu) {
  *out<cfloat>(dotu) = dot(N, in<cfloat>(X), incX, in<cfloat>(Y), incY, false);
}

ARMORY_EXPORT void cblas_cdotc_sub(const CBLAS_INT N, const void* X, const CBLAS_INT incX, const void* Y,
                                   const CBLAS_INT incY, void* dotc) {
  *out<cfloat>(dotc) = dot(N, in<cfloat>(X), incX, in<cfloat>(Y), incY, true);
}

ARMORY_EXPORT void cblas_zdotu_sub(const CBLAS_INT N, const void* X, const CBLAS_INT incX, const void* Y,
                                   const CBLAS_INT incY, void* dotu) {
  *out<cdouble>(dotu) = dot(N, in<cdouble>(X), incX, in<cdouble>(Y), incY, false);
}

ARMORY_EXPORT void cblas_zdotc_sub(const CBLAS_INT N, const void* X, const CBLAS_INT incX, const void* Y,
                                   const CBLAS_INT incY, void* dotc) {
  *out<cdouble>(dotc) = dot(N, in<cdouble>(X), incX, in<cdouble>(Y), incY, true);
}

ARMORY_EXPORT float cblas_snrm2(const CBLAS_INT N, const float* X, const CBLAS_INT incX) { return nrm2(N, X, incX); }

ARMORY_EXPORT float cblas_sasum(const CBLAS_INT N, const float* X, const CBLAS_INT incX) { return asum(N, X, incX); }

ARMORY_EXPORT double cblas_dnrm2(const CBLAS_INT N, const double* X, const CBLAS_INT incX) { return nrm2(N, X, incX); }

ARMORY_EXPORT double cblas_dasum(const CBLAS_INT N, const double* X, const CBLAS_INT incX) { return asum(N, X, incX); }

ARMORY_EXPORT float cblas_scnrm2(const CBLAS_INT N, const void* X, const CBLAS_INT incX) {
  return nrm2(N, in<cfloat>(X), incX);
}

ARMORY_EXPORT float cblas_scasum(const CBLAS_INT N, const void* X, const CBLAS_INT incX) {
  return asum(N, in<cfloat>(X), incX);
}

ARMORY_EXPORT double cblas_dznrm2(const CBLAS_INT N, const void* X, const CBLAS_INT incX) {
  return nrm2(N, in<cdouble>(X), incX);
}

ARMORY_EXPORT double cblas_dzasum(const CBLAS_INT N, const void* X, const CBLAS_INT incX) {
  return asum(N, in<cdouble>(X), incX);
}

ARMORY_EXPORT CBLAS_INDEX cblas_isamax(const CBLAS_INT N, const float* X, const CBLAS_INT incX) {
  return zero_based(iamax(N, X, incX));
}

ARMORY_EXPORT CBLAS_INDEX cblas_idamax(const CBLAS_INT N, const double* X, const CBLAS_INT incX) {
  return zero_based(iamax(N, X, incX));
}

ARMORY_EXPORT CBLAS_INDEX cblas_icamax(const CBLAS_INT N, const void* X, const CBLAS_INT incX) {
  return zero_based(iamax(N, in<cfloat>(X), incX));
}

ARMORY_EXPORT CBLAS_INDEX cblas_izamax(const CBLAS_INT N, const void* X, const CBLAS_INT incX) {
  return zero_based(iamax(N, in<cdouble>(X), incX));
}

ARMORY_EXPORT void cblas_sswap(const CBLAS_INT N, float* X, const CBLAS_INT incX, float* Y, const CBLAS_INT incY) {
  swap(N, X, incX, Y, incY);
}

ARMORY_EXPORT void cblas_scopy(const CBLAS_INT N, const float* X, const CBLAS_INT incX, float* Y,
                               const CBLAS_INT incY) {
  copy(N, X, incX, Y, incY);
}

ARMORY_EXPORT void cblas_saxpy(const CBLAS_INT N, const float alpha, const float* X, const CBLAS_INT incX, float* Y,
                               const CBLAS_INT incY) {
  axpy(N, alpha, X, incX, Y, incY);
}

ARMORY_EXPORT void cblas_dswap(const CBLAS_INT N, double* X, const CBLAS_INT incX, double* Y, const CBLAS_INT incY) {
  swap(N, X, incX, Y, incY);
}

ARMORY_EXPORT void cblas_dcopy(const CBLAS_INT N, const double* X, const CBLAS_INT incX, double* Y,
                               const CBLAS_INT incY) {
  copy(N, X, incX, Y, incY);
}

ARMORY_EXPORT void cblas_daxpy(const CBLAS_INT N, const double alpha, const double* X, const CBLAS_INT incX, double* Y,
                               const CBLAS_INT incY) {
  axpy(N, alpha, X, incX, Y, incY);
}

ARMORY_EXPORT void cblas_cswap(const CBLAS_INT N, void* X, const CBLAS_INT incX, void* Y, const CBLAS_INT incY) {
  swap(N, out<cfloat>(X), incX, out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_ccopy(const CBLAS_INT N, const void* X, const CBLAS_INT incX, void* Y, const CBLAS_INT incY) {
  copy(N, in<cfloat>(X), incX, out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_caxpy(const CBLAS_INT N, const void* alpha, const void* X, const CBLAS_INT incX, void* Y,
                               const CBLAS_INT incY) {
  axpy(N, *in<cfloat>(alpha), in<cfloat>(X), incX, out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_zswap(const CBLAS_INT N, void* X, const CBLAS_INT incX, void* Y, const CBLAS_INT incY) {
  swap(N, out<cdouble>(X), incX, out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_zcopy(const CBLAS_INT N, const void* X, const CBLAS_INT incX, void* Y, const CBLAS_INT incY) {
  copy(N, in<cdouble>(X), incX, out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_zaxpy(const CBLAS_INT N, const void* alpha, const void* X, const CBLAS_INT incX, void* Y,
                               const CBLAS_INT incY) {
  axpy(N, *in<cdouble>(alpha), in<cdouble>(X), incX, out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_srotmg(float* d1, float* d2, float* b1, const float b2, float* P) { rotmg(d1, d2, b1, b2, P); }

ARMORY_EXPORT void cblas_srotm(const CBLAS_INT N, float* X, const CBLAS_INT incX, float* Y, const CBLAS_INT incY,
                               const float* P) {
  rotm(N, X, incX, Y, incY, P);
}

ARMORY_EXPORT void cblas_drotmg(double* d1, double* d2, double* b1, const double b2, double* P) {
  rotmg(d1, d2, b1, b2, P);
}

ARMORY_EXPORT void cblas_drotm(const CBLAS_INT N, double* X, const CBLAS_INT incX, double* Y, const CBLAS_INT incY,
                               const double* P) {
  rotm(N, X, incX, Y, incY, P);
}

ARMORY_EXPORT void cblas_sscal(const CBLAS_INT N, const float alpha, float* X, const CBLAS_INT incX) {
  scal(N, alpha, X, incX);
}

ARMORY_EXPORT void cblas_dscal(const CBLAS_INT N, const double alpha, double* X, const CBLAS_INT incX) {
  scal(N, alpha, X, incX);
}

ARMORY_EXPORT void cblas_cscal(const CBLAS_INT N, const void* alpha, void* X, const CBLAS_INT incX) {
  scal(N, *in<cfloat>(alpha), out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_zscal(const CBLAS_INT N, const void* alpha, void* X, const CBLAS_INT incX) {
  scal(N, *in<cdouble>(alpha), out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_csscal(const CBLAS_INT N, const float alpha, void* X, const CBLAS_INT incX) {
  scal(N, alpha, out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_zdscal(const CBLAS_INT N, const double alpha, void* X, const CBLAS_INT incX) {
  scal(N, alpha, out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_srotg(float* a, float* b, float* c, float* s) { rotg(a, b, c, s); }

ARMORY_EXPORT void cblas_drotg(double* a, double* b, double* c, double* s) { rotg(a, b, c, s); }

ARMORY_EXPORT void cblas_crotg(void* a, void* b, float* c, void* s) {
  rotg(out<cfloat>(a), in<cfloat>(b), c, out<cfloat>(s));
}

ARMORY_EXPORT void cblas_zrotg(void* a, void* b, double* c, void* s) {
  rotg(out<cdouble>(a), in<cdouble>(b), c, out<cdouble>(s));
}

ARMORY_EXPORT void cblas_srot(const CBLAS_INT N, float* X, const CBLAS_INT incX, float* Y, const CBLAS_INT incY,
                              const float c, const float s) {
  rot(N, X, incX, Y, incY, c, s);
}

ARMORY_EXPORT void cblas_drot(const CBLAS_INT N, double* X, const CBLAS_INT incX, double* Y, const CBLAS_INT incY,
                              const double c, const double s) {
  rot(N, X, incX, Y, incY, c, s);
}

ARMORY_EXPORT void cblas_csrot(const CBLAS_INT N, void* X, const CBLAS_INT incX, void* Y, const CBLAS_INT incY,
                               const float c, const float s) {
  rot(N, out<cfloat>(X), incX, out<cfloat>(Y), incY, c, s);
}

ARMORY_EXPORT void cblas_zdrot(const CBLAS_INT N, void* X, const CBLAS_INT incX, void* Y, const CBLAS_INT incY,
                               const double c, const double s) {
  rot(N, out<cdouble>(X), incX, out<cdouble>(Y), incY, c, s);
}

// ---- level 2 and 3 entry points ------------------------------------------------------------------------

ARMORY_EXPORT void cblas_sgemv(const CBLAS_LAYOUT layout, const CBLAS_TRANSPOSE TransA, const CBLAS_INT M,
                               const CBLAS_INT N, const float alpha, const float* A, const CBLAS_INT lda,
                               const float* X, const CBLAS_INT incX, const float beta, float* Y, const CBLAS_INT incY) {
  general_matvec_c<float>("cblas_sgemv", false, layout, TransA, M, N, -1, -1, alpha, A, lda, X, incX, beta, Y, incY);
}

ARMORY_EXPORT void cblas_sgbmv(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, const CBLAS_INT M, const CBLAS_INT N,
                               const CBLAS_INT KL, const CBLAS_INT KU, const float alpha, const float* A,
                               const CBLAS_INT lda, const float* X, const CBLAS_INT incX, const float beta, float* Y,
                               const CBLAS_INT incY) {
  general_matvec_c<float>("cblas_sgbmv", true, layout, TransA, M, N, KL, KU, alpha, A, lda, X, incX, beta, Y, incY);
}

ARMORY_EXPORT void cblas_strmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const float* A, const CBLAS_INT lda, float* X, const CBLAS_INT incX) {
  triangular_c<float>("cblas_strmv", StorageForm::dense, false, layout, Uplo, TransA, Diag, N, 0, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_stbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const float* A, const CBLAS_INT lda, float* X,
                               const CBLAS_INT incX) {
  triangular_c<float>("cblas_stbmv", StorageForm::band, false, layout, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_stpmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const float* Ap, float* X, const CBLAS_INT incX) {
  triangular_c<float>("cblas_stpmv", StorageForm::packed, false, layout, Uplo, TransA, Diag, N, 0, Ap, 0, X, incX);
}

ARMORY_EXPORT void cblas_strsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const float* A, const CBLAS_INT lda, float* X, const CBLAS_INT incX) {
  triangular_c<float>("cblas_strsv", StorageForm::dense, true, layout, Uplo, TransA, Diag, N, 0, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_stbsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const float* A, const CBLAS_INT lda, float* X,
                               const CBLAS_INT incX) {
  triangular_c<float>("cblas_stbsv", StorageForm::band, true, layout, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_stpsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const float* Ap, float* X, const CBLAS_INT incX) {
  triangular_c<float>("cblas_stpsv", StorageForm::packed, true, layout, Uplo, TransA, Diag, N, 0, Ap, 0, X, incX);
}

ARMORY_EXPORT void cblas_dgemv(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, const CBLAS_INT M, const CBLAS_INT N,
                               const double alpha, const double* A, const CBLAS_INT lda, const double* X,
                               const CBLAS_INT incX, const double beta, double* Y, const CBLAS_INT incY) {
  general_matvec_c<double>("cblas_dgemv", false, layout, TransA, M, N, -1, -1, alpha, A, lda, X, incX, beta, Y, incY);
}

ARMORY_EXPORT void cblas_dgbmv(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, const CBLAS_INT M, const CBLAS_INT N,
                               const CBLAS_INT KL, const CBLAS_INT KU, const double alpha, const double* A,
                               const CBLAS_INT lda, const double* X, const CBLAS_INT incX, const double beta, double* Y,
                               const CBLAS_INT incY) {
  general_matvec_c<double>("cblas_dgbmv", true, layout, TransA, M, N, KL, KU, alpha, A, lda, X, incX, beta, Y, incY);
}

ARMORY_EXPORT void cblas_dtrmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const double* A, const CBLAS_INT lda, double* X,
                               const CBLAS_INT incX) {
  triangular_c<double>("cblas_dtrmv", StorageForm::dense, false, layout, Uplo, TransA, Diag, N, 0, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_dtbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const double* A, const CBLAS_INT lda, double* X,
                               const CBLAS_INT incX) {
  triangular_c<double>("cblas_dtbmv", StorageForm::band, false, layout, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_dtpmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const double* Ap, double* X, const CBLAS_INT incX) {
  triangular_c<double>("cblas_dtpmv", StorageForm::packed, false, layout, Uplo, TransA, Diag, N, 0, Ap, 0, X, incX);
}

ARMORY_EXPORT void cblas_dtrsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const double* A, const CBLAS_INT lda, double* X,
                               const CBLAS_INT incX) {
  triangular_c<double>("cblas_dtrsv", StorageForm::dense, true, layout, Uplo, TransA, Diag, N, 0, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_dtbsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const double* A, const CBLAS_INT lda, double* X,
                               const CBLAS_INT incX) {
  triangular_c<double>("cblas_dtbsv", StorageForm::band, true, layout, Uplo, TransA, Diag, N, K, A, lda, X, incX);
}

ARMORY_EXPORT void cblas_dtpsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const double* Ap, double* X, const CBLAS_INT incX) {
  triangular_c<double>("cblas_dtpsv", StorageForm::packed, true, layout, Uplo, TransA, Diag, N, 0, Ap, 0, X, incX);
}

ARMORY_EXPORT void cblas_cgemv(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, const CBLAS_INT M, const CBLAS_INT N,
                               const void* alpha, const void* A, const CBLAS_INT lda, const void* X,
                               const CBLAS_INT incX, const void* beta, void* Y, const CBLAS_INT incY) {
  general_matvec_c<cfloat>("cblas_cgemv", false, layout, TransA, M, N, -1, -1, *in<cfloat>(alpha), in<cfloat>(A), lda,
                           in<cfloat>(X), incX, *in<cfloat>(beta), out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_cgbmv(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, const CBLAS_INT M, const CBLAS_INT N,
                               const CBLAS_INT KL, const CBLAS_INT KU, const void* alpha, const void* A,
                               const CBLAS_INT lda, const void* X, const CBLAS_INT incX, const void* beta, void* Y,
                               const CBLAS_INT incY) {
  general_matvec_c<cfloat>("cblas_cgbmv", true, layout, TransA, M, N, KL, KU, *in<cfloat>(alpha), in<cfloat>(A), lda,
                           in<cfloat>(X), incX, *in<cfloat>(beta), out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_ctrmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* A, const CBLAS_INT lda, void* X, const CBLAS_INT incX) {
  triangular_c<cfloat>("cblas_ctrmv", StorageForm::dense, false, layout, Uplo, TransA, Diag, N, 0, in<cfloat>(A), lda,
                       out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_ctbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const void* A, const CBLAS_INT lda, void* X,
                               const CBLAS_INT incX) {
  triangular_c<cfloat>("cblas_ctbmv", StorageForm::band, false, layout, Uplo, TransA, Diag, N, K, in<cfloat>(A), lda,
                       out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_ctpmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* Ap, void* X, const CBLAS_INT incX) {
  triangular_c<cfloat>("cblas_ctpmv", StorageForm::packed, false, layout, Uplo, TransA, Diag, N, 0, in<cfloat>(Ap), 0,
                       out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_ctrsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* A, const CBLAS_INT lda, void* X, const CBLAS_INT incX) {
  triangular_c<cfloat>("cblas_ctrsv", StorageForm::dense, true, layout, Uplo, TransA, Diag, N, 0, in<cfloat>(A), lda,
                       out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_ctbsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const void* A, const CBLAS_INT lda, void* X,
                               const CBLAS_INT incX) {
  triangular_c<cfloat>("cblas_ctbsv", StorageForm::band, true, layout, Uplo, TransA, Diag, N, K, in<cfloat>(A), lda,
                       out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_ctpsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* Ap, void* X, const CBLAS_INT incX) {
  triangular_c<cfloat>("cblas_ctpsv", StorageForm::packed, true, layout, Uplo, TransA, Diag, N, 0, in<cfloat>(Ap), 0,
                       out<cfloat>(X), incX);
}

ARMORY_EXPORT void cblas_zgemv(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, const CBLAS_INT M, const CBLAS_INT N,
                               const void* alpha, const void* A, const CBLAS_INT lda, const void* X,
                               const CBLAS_INT incX, const void* beta, void* Y, const CBLAS_INT incY) {
  general_matvec_c<cdouble>("cblas_zgemv", false, layout, TransA, M, N, -1, -1, *in<cdouble>(alpha), in<cdouble>(A),
                            lda, in<cdouble>(X), incX, *in<cdouble>(beta), out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_zgbmv(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, const CBLAS_INT M, const CBLAS_INT N,
                               const CBLAS_INT KL, const CBLAS_INT KU, const void* alpha, const void* A,
                               const CBLAS_INT lda, const void* X, const CBLAS_INT incX, const void* beta, void* Y,
                               const CBLAS_INT incY) {
  general_matvec_c<cdouble>("cblas_zgbmv", true, layout, TransA, M, N, KL, KU, *in<cdouble>(alpha), in<cdouble>(A), lda,
                            in<cdouble>(X), incX, *in<cdouble>(beta), out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_ztrmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* A, const CBLAS_INT lda, void* X, const CBLAS_INT incX) {
  triangular_c<cdouble>("cblas_ztrmv", StorageForm::dense, false, layout, Uplo, TransA, Diag, N, 0, in<cdouble>(A), lda,
                        out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_ztbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const void* A, const CBLAS_INT lda, void* X,
                               const CBLAS_INT incX) {
  triangular_c<cdouble>("cblas_ztbmv", StorageForm::band, false, layout, Uplo, TransA, Diag, N, K, in<cdouble>(A), lda,
                        out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_ztpmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* Ap, void* X, const CBLAS_INT incX) {
  triangular_c<cdouble>("cblas_ztpmv", StorageForm::packed, false, layout, Uplo, TransA, Diag, N, 0, in<cdouble>(Ap), 0,
                        out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_ztrsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* A, const CBLAS_INT lda, void* X, const CBLAS_INT incX) {
  triangular_c<cdouble>("cblas_ztrsv", StorageForm::dense, true, layout, Uplo, TransA, Diag, N, 0, in<cdouble>(A), lda,
                        out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_ztbsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const CBLAS_INT K, const void* A, const CBLAS_INT lda, void* X,
                               const CBLAS_INT incX) {
  triangular_c<cdouble>("cblas_ztbsv", StorageForm::band, true, layout, Uplo, TransA, Diag, N, K, in<cdouble>(A), lda,
                        out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_ztpsv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA, CBLAS_DIAG Diag,
                               const CBLAS_INT N, const void* Ap, void* X, const CBLAS_INT incX) {
  triangular_c<cdouble>("cblas_ztpsv", StorageForm::packed, true, layout, Uplo, TransA, Diag, N, 0, in<cdouble>(Ap), 0,
                        out<cdouble>(X), incX);
}

ARMORY_EXPORT void cblas_ssymv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha,
                               const float* A, const CBLAS_INT lda, const float* X, const CBLAS_INT incX,
                               const float beta, float* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<float>("cblas_ssymv", StorageForm::dense, false, layout, Uplo, N, 0, alpha, A, lda, X, incX, beta,
                            Y, incY);
}

ARMORY_EXPORT void cblas_ssbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const CBLAS_INT K,
                               const float alpha, const float* A, const CBLAS_INT lda, const float* X,
                               const CBLAS_INT incX, const float beta, float* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<float>("cblas_ssbmv", StorageForm::band, false, layout, Uplo, N, K, alpha, A, lda, X, incX, beta,
                            Y, incY);
}

ARMORY_EXPORT void cblas_sspmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha,
                               const float* Ap, const float* X, const CBLAS_INT incX, const float beta, float* Y,
                               const CBLAS_INT incY) {
  symmetric_matvec_c<float>("cblas_sspmv", StorageForm::packed, false, layout, Uplo, N, 0, alpha, Ap, 0, X, incX, beta,
                            Y, incY);
}

ARMORY_EXPORT void cblas_sger(CBLAS_LAYOUT layout, const CBLAS_INT M, const CBLAS_INT N, const float alpha,
                              const float* X, const CBLAS_INT incX, const float* Y, const CBLAS_INT incY, float* A,
                              const CBLAS_INT lda) {
  ger_c<float>("cblas_sger", false, layout, M, N, alpha, X, incX, Y, incY, A, lda);
}

ARMORY_EXPORT void cblas_ssyr(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha,
                              const float* X, const CBLAS_INT incX, float* A, const CBLAS_INT lda) {
  rank1_c<float>("cblas_ssyr", false, false, layout, Uplo, N, float(alpha), X, incX, A, lda);
}

ARMORY_EXPORT void cblas_sspr(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha,
                              const float* X, const CBLAS_INT incX, float* Ap) {
  rank1_c<float>("cblas_sspr", true, false, layout, Uplo, N, float(alpha), X, incX, Ap, 0);
}

ARMORY_EXPORT void cblas_ssyr2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha,
                               const float* X, const CBLAS_INT incX, const float* Y, const CBLAS_INT incY, float* A,
                               const CBLAS_INT lda) {
  rank2_c<float>("cblas_ssyr2", false, false, layout, Uplo, N, alpha, X, incX, Y, incY, A, lda);
}

ARMORY_EXPORT void cblas_sspr2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha,
                               const float* X, const CBLAS_INT incX, const float* Y, const CBLAS_INT incY, float* A) {
  rank2_c<float>("cblas_sspr2", true, false, layout, Uplo, N, alpha, X, incX, Y, incY, A, 0);
}

ARMORY_EXPORT void cblas_dsymv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                               const double* A, const CBLAS_INT lda, const double* X, const CBLAS_INT incX,
                               const double beta, double* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<double>("cblas_dsymv", StorageForm::dense, false, layout, Uplo, N, 0, alpha, A, lda, X, incX, beta,
                             Y, incY);
}

ARMORY_EXPORT void cblas_dsbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const CBLAS_INT K,
                               const double alpha, const double* A, const CBLAS_INT lda, const double* X,
                               const CBLAS_INT incX, const double beta, double* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<double>("cblas_dsbmv", StorageForm::band, false, layout, Uplo, N, K, alpha, A, lda, X, incX, beta,
                             Y, incY);
}

ARMORY_EXPORT void cblas_dspmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                               const double* Ap, const double* X, const CBLAS_INT incX, const double beta, double* Y,
                               const CBLAS_INT incY) {
  symmetric_matvec_c<double>("cblas_dspmv", StorageForm::packed, false, layout, Uplo, N, 0, alpha, Ap, 0, X, incX, beta,
                             Y, incY);
}

ARMORY_EXPORT void cblas_dger(CBLAS_LAYOUT layout, const CBLAS_INT M, const CBLAS_INT N, const double alpha,
                              const double* X, const CBLAS_INT incX, const double* Y, const CBLAS_INT incY, double* A,
                              const CBLAS_INT lda) {
  ger_c<double>("cblas_dger", false, layout, M, N, alpha, X, incX, Y, incY, A, lda);
}

ARMORY_EXPORT void cblas_dsyr(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                              const double* X, const CBLAS_INT incX, double* A, const CBLAS_INT lda) {
  rank1_c<double>("cblas_dsyr", false, false, layout, Uplo, N, double(alpha), X, incX, A, lda);
}

ARMORY_EXPORT void cblas_dspr(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                              const double* X, const CBLAS_INT incX, double* Ap) {
  rank1_c<double>("cblas_dspr", true, false, layout, Uplo, N, double(alpha), X, incX, Ap, 0);
}

ARMORY_EXPORT void cblas_dsyr2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                               const double* X, const CBLAS_INT incX, const double* Y, const CBLAS_INT incY, double* A,
                               const CBLAS_INT lda) {
  rank2_c<double>("cblas_dsyr2", false, false, layout, Uplo, N, alpha, X, incX, Y, incY, A, lda);
}

ARMORY_EXPORT void cblas_dspr2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                               const double* X, const CBLAS_INT incX, const double* Y, const CBLAS_INT incY,
                               double* A) {
  rank2_c<double>("cblas_dspr2", true, false, layout, Uplo, N, alpha, X, incX, Y, incY, A, 0);
}

ARMORY_EXPORT void cblas_chemv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* A, const CBLAS_INT lda, const void* X, const CBLAS_INT incX,
                               const void* beta, void* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<cfloat>("cblas_chemv", StorageForm::dense, true, layout, Uplo, N, 0, *in<cfloat>(alpha),
                             in<cfloat>(A), lda, in<cfloat>(X), incX, *in<cfloat>(beta), out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_chbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const CBLAS_INT K,
                               const void* alpha, const void* A, const CBLAS_INT lda, const void* X,
                               const CBLAS_INT incX, const void* beta, void* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<cfloat>("cblas_chbmv", StorageForm::band, true, layout, Uplo, N, K, *in<cfloat>(alpha),
                             in<cfloat>(A), lda, in<cfloat>(X), incX, *in<cfloat>(beta), out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_chpmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* Ap, const void* X, const CBLAS_INT incX, const void* beta, void* Y,
                               const CBLAS_INT incY) {
  symmetric_matvec_c<cfloat>("cblas_chpmv", StorageForm::packed, true, layout, Uplo, N, 0, *in<cfloat>(alpha),
                             in<cfloat>(Ap), 0, in<cfloat>(X), incX, *in<cfloat>(beta), out<cfloat>(Y), incY);
}

ARMORY_EXPORT void cblas_cgeru(CBLAS_LAYOUT layout, const CBLAS_INT M, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* A,
                               const CBLAS_INT lda) {
  ger_c<cfloat>("cblas_cgeru", false, layout, M, N, *in<cfloat>(alpha), in<cfloat>(X), incX, in<cfloat>(Y), incY,
                out<cfloat>(A), lda);
}

ARMORY_EXPORT void cblas_cgerc(CBLAS_LAYOUT layout, const CBLAS_INT M, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* A,
                               const CBLAS_INT lda) {
  ger_c<cfloat>("cblas_cgerc", true, layout, M, N, *in<cfloat>(alpha), in<cfloat>(X), incX, in<cfloat>(Y), incY,
                out<cfloat>(A), lda);
}

ARMORY_EXPORT void cblas_cher(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha, const void* X,
                              const CBLAS_INT incX, void* A, const CBLAS_INT lda) {
  rank1_c<cfloat>("cblas_cher", false, true, layout, Uplo, N, cfloat(alpha), in<cfloat>(X), incX, out<cfloat>(A), lda);
}

ARMORY_EXPORT void cblas_chpr(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const float alpha, const void* X,
                              const CBLAS_INT incX, void* A) {
  rank1_c<cfloat>("cblas_chpr", true, true, layout, Uplo, N, cfloat(alpha), in<cfloat>(X), incX, out<cfloat>(A), 0);
}

ARMORY_EXPORT void cblas_cher2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* A,
                               const CBLAS_INT lda) {
  rank2_c<cfloat>("cblas_cher2", false, true, layout, Uplo, N, *in<cfloat>(alpha), in<cfloat>(X), incX, in<cfloat>(Y),
                  incY, out<cfloat>(A), lda);
}

ARMORY_EXPORT void cblas_chpr2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* Ap) {
  rank2_c<cfloat>("cblas_chpr2", true, true, layout, Uplo, N, *in<cfloat>(alpha), in<cfloat>(X), incX, in<cfloat>(Y),
                  incY, out<cfloat>(Ap), 0);
}

ARMORY_EXPORT void cblas_zhemv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* A, const CBLAS_INT lda, const void* X, const CBLAS_INT incX,
                               const void* beta, void* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<cdouble>("cblas_zhemv", StorageForm::dense, true, layout, Uplo, N, 0, *in<cdouble>(alpha),
                              in<cdouble>(A), lda, in<cdouble>(X), incX, *in<cdouble>(beta), out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_zhbmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const CBLAS_INT K,
                               const void* alpha, const void* A, const CBLAS_INT lda, const void* X,
                               const CBLAS_INT incX, const void* beta, void* Y, const CBLAS_INT incY) {
  symmetric_matvec_c<cdouble>("cblas_zhbmv", StorageForm::band, true, layout, Uplo, N, K, *in<cdouble>(alpha),
                              in<cdouble>(A), lda, in<cdouble>(X), incX, *in<cdouble>(beta), out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_zhpmv(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* Ap, const void* X, const CBLAS_INT incX, const void* beta, void* Y,
                               const CBLAS_INT incY) {
  symmetric_matvec_c<cdouble>("cblas_zhpmv", StorageForm::packed, true, layout, Uplo, N, 0, *in<cdouble>(alpha),
                              in<cdouble>(Ap), 0, in<cdouble>(X), incX, *in<cdouble>(beta), out<cdouble>(Y), incY);
}

ARMORY_EXPORT void cblas_zgeru(CBLAS_LAYOUT layout, const CBLAS_INT M, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* A,
                               const CBLAS_INT lda) {
  ger_c<cdouble>("cblas_zgeru", false, layout, M, N, *in<cdouble>(alpha), in<cdouble>(X), incX, in<cdouble>(Y), incY,
                 out<cdouble>(A), lda);
}

ARMORY_EXPORT void cblas_zgerc(CBLAS_LAYOUT layout, const CBLAS_INT M, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* A,
                               const CBLAS_INT lda) {
  ger_c<cdouble>("cblas_zgerc", true, layout, M, N, *in<cdouble>(alpha), in<cdouble>(X), incX, in<cdouble>(Y), incY,
                 out<cdouble>(A), lda);
}

ARMORY_EXPORT void cblas_zher(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                              const void* X, const CBLAS_INT incX, void* A, const CBLAS_INT lda) {
  rank1_c<cdouble>("cblas_zher", false, true, layout, Uplo, N, cdouble(alpha), in<cdouble>(X), incX, out<cdouble>(A),
                   lda);
}

ARMORY_EXPORT void cblas_zhpr(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const double alpha,
                              const void* X, const CBLAS_INT incX, void* A) {
  rank1_c<cdouble>("cblas_zhpr", true, true, layout, Uplo, N, cdouble(alpha), in<cdouble>(X), incX, out<cdouble>(A), 0);
}

ARMORY_EXPORT void cblas_zher2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* A,
                               const CBLAS_INT lda) {
  rank2_c<cdouble>("cblas_zher2", false, true, layout, Uplo, N, *in<cdouble>(alpha), in<cdouble>(X), incX,
                   in<cdouble>(Y), incY, out<cdouble>(A), lda);
}

ARMORY_EXPORT void cblas_zhpr2(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, const CBLAS_INT N, const void* alpha,
                               const void* X, const CBLAS_INT incX, const void* Y, const CBLAS_INT incY, void* Ap) {
  rank2_c<cdouble>("cblas_zhpr2", true, true, layout, Uplo, N, *in<cdouble>(alpha), in<cdouble>(X), incX,
                   in<cdouble>(Y), incY, out<cdouble>(Ap), 0);
}

ARMORY_EXPORT void cblas_sgemm(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, CBLAS_TRANSPOSE TransB, const CBLAS_INT M,
                               const CBLAS_INT N, const CBLAS_INT K, const float alpha, const float* A,
                               const CBLAS_INT lda, const float* B, const CBLAS_INT ldb, const float beta, float* C,
                               const CBLAS_INT ldc) {
  gemm_c<float>("cblas_sgemm", layout, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

ARMORY_EXPORT void cblas_ssymm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, const CBLAS_INT M,
                               const CBLAS_INT N, const float alpha, const float* A, const CBLAS_INT lda,
                               const float* B, const CBLAS_INT ldb, const float beta, float* C, const CBLAS_INT ldc) {
  symm_c<float>("cblas_ssymm", false, layout, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}

ARMORY_EXPORT void cblas_ssyrk(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                               const CBLAS_INT K, const float alpha, const float* A, const CBLAS_INT lda,
                               const float beta, float* C, const CBLAS_INT ldc) {
  rank_k_c<float>("cblas_ssyrk", false, false, layout, Uplo, Trans, N, K, float(alpha), A, lda, nullptr, 0, float(beta),
                  C, ldc);
}

ARMORY_EXPORT void cblas_ssyr2k(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                                const CBLAS_INT K, const float alpha, const float* A, const CBLAS_INT lda,
                                const float* B, const CBLAS_INT ldb, const float beta, float* C, const CBLAS_INT ldc) {
  rank_k_c<float>("cblas_ssyr2k", true, false, layout, Uplo, Trans, N, K, alpha, A, lda, B, ldb, float(beta), C, ldc);
}

ARMORY_EXPORT void cblas_strmm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const float alpha, const float* A,
                               const CBLAS_INT lda, float* B, const CBLAS_INT ldb) {
  triangular_mm_c<float>("cblas_strmm", false, layout, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}

ARMORY_EXPORT void cblas_strsm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const float alpha, const float* A,
                               const CBLAS_INT lda, float* B, const CBLAS_INT ldb) {
  triangular_mm_c<float>("cblas_strsm", true, layout, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}

ARMORY_EXPORT void cblas_dgemm(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, CBLAS_TRANSPOSE TransB, const CBLAS_INT M,
                               const CBLAS_INT N, const CBLAS_INT K, const double alpha, const double* A,
                               const CBLAS_INT lda, const double* B, const CBLAS_INT ldb, const double beta, double* C,
                               const CBLAS_INT ldc) {
  gemm_c<double>("cblas_dgemm", layout, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

ARMORY_EXPORT void cblas_dsymm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, const CBLAS_INT M,
                               const CBLAS_INT N, const double alpha, const double* A, const CBLAS_INT lda,
                               const double* B, const CBLAS_INT ldb, const double beta, double* C,
                               const CBLAS_INT ldc) {
  symm_c<double>("cblas_dsymm", false, layout, Side, Uplo, M, N, alpha, A, lda, B, ldb, beta, C, ldc);
}

ARMORY_EXPORT void cblas_dsyrk(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                               const CBLAS_INT K, const double alpha, const double* A, const CBLAS_INT lda,
                               const double beta, double* C, const CBLAS_INT ldc) {
  rank_k_c<double>("cblas_dsyrk", false, false, layout, Uplo, Trans, N, K, double(alpha), A, lda, nullptr, 0,
                   double(beta), C, ldc);
}

ARMORY_EXPORT void cblas_dsyr2k(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                                const CBLAS_INT K, const double alpha, const double* A, const CBLAS_INT lda,
                                const double* B, const CBLAS_INT ldb, const double beta, double* C,
                                const CBLAS_INT ldc) {
  rank_k_c<double>("cblas_dsyr2k", true, false, layout, Uplo, Trans, N, K, alpha, A, lda, B, ldb, double(beta), C, ldc);
}

ARMORY_EXPORT void cblas_dtrmm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const double alpha,
                               const double* A, const CBLAS_INT lda, double* B, const CBLAS_INT ldb) {
  triangular_mm_c<double>("cblas_dtrmm", false, layout, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}

ARMORY_EXPORT void cblas_dtrsm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const double alpha,
                               const double* A, const CBLAS_INT lda, double* B, const CBLAS_INT ldb) {
  triangular_mm_c<double>("cblas_dtrsm", true, layout, Side, Uplo, TransA, Diag, M, N, alpha, A, lda, B, ldb);
}

ARMORY_EXPORT void cblas_cgemm(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, CBLAS_TRANSPOSE TransB, const CBLAS_INT M,
                               const CBLAS_INT N, const CBLAS_INT K, const void* alpha, const void* A,
                               const CBLAS_INT lda, const void* B, const CBLAS_INT ldb, const void* beta, void* C,
                               const CBLAS_INT ldc) {
  gemm_c<cfloat>("cblas_cgemm", layout, TransA, TransB, M, N, K, *in<cfloat>(alpha), in<cfloat>(A), lda, in<cfloat>(B),
                 ldb, *in<cfloat>(beta), out<cfloat>(C), ldc);
}

ARMORY_EXPORT void cblas_csymm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, const CBLAS_INT M,
                               const CBLAS_INT N, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                               const CBLAS_INT ldb, const void* beta, void* C, const CBLAS_INT ldc) {
  symm_c<cfloat>("cblas_csymm", false, layout, Side, Uplo, M, N, *in<cfloat>(alpha), in<cfloat>(A), lda, in<cfloat>(B),
                 ldb, *in<cfloat>(beta), out<cfloat>(C), ldc);
}

ARMORY_EXPORT void cblas_csyrk(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                               const CBLAS_INT K, const void* alpha, const void* A, const CBLAS_INT lda,
                               const void* beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cfloat>("cblas_csyrk", false, false, layout, Uplo, Trans, N, K, cfloat(*in<cfloat>(alpha)), in<cfloat>(A),
                   lda, nullptr, 0, cfloat(*in<cfloat>(beta)), out<cfloat>(C), ldc);
}

ARMORY_EXPORT void cblas_csyr2k(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                                const CBLAS_INT K, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                                const CBLAS_INT ldb, const void* beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cfloat>("cblas_csyr2k", true, false, layout, Uplo, Trans, N, K, *in<cfloat>(alpha), in<cfloat>(A), lda,
                   in<cfloat>(B), ldb, cfloat(*in<cfloat>(beta)), out<cfloat>(C), ldc);
}

ARMORY_EXPORT void cblas_ctrmm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const void* alpha, const void* A,
                               const CBLAS_INT lda, void* B, const CBLAS_INT ldb) {
  triangular_mm_c<cfloat>("cblas_ctrmm", false, layout, Side, Uplo, TransA, Diag, M, N, *in<cfloat>(alpha),
                          in<cfloat>(A), lda, out<cfloat>(B), ldb);
}

ARMORY_EXPORT void cblas_ctrsm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const void* alpha, const void* A,
                               const CBLAS_INT lda, void* B, const CBLAS_INT ldb) {
  triangular_mm_c<cfloat>("cblas_ctrsm", true, layout, Side, Uplo, TransA, Diag, M, N, *in<cfloat>(alpha),
                          in<cfloat>(A), lda, out<cfloat>(B), ldb);
}

ARMORY_EXPORT void cblas_zgemm(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE TransA, CBLAS_TRANSPOSE TransB, const CBLAS_INT M,
                               const CBLAS_INT N, const CBLAS_INT K, const void* alpha, const void* A,
                               const CBLAS_INT lda, const void* B, const CBLAS_INT ldb, const void* beta, void* C,
                               const CBLAS_INT ldc) {
  gemm_c<cdouble>("cblas_zgemm", layout, TransA, TransB, M, N, K, *in<cdouble>(alpha), in<cdouble>(A), lda,
                  in<cdouble>(B), ldb, *in<cdouble>(beta), out<cdouble>(C), ldc);
}

ARMORY_EXPORT void cblas_zsymm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, const CBLAS_INT M,
                               const CBLAS_INT N, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                               const CBLAS_INT ldb, const void* beta, void* C, const CBLAS_INT ldc) {
  symm_c<cdouble>("cblas_zsymm", false, layout, Side, Uplo, M, N, *in<cdouble>(alpha), in<cdouble>(A), lda,
                  in<cdouble>(B), ldb, *in<cdouble>(beta), out<cdouble>(C), ldc);
}

ARMORY_EXPORT void cblas_zsyrk(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                               const CBLAS_INT K, const void* alpha, const void* A, const CBLAS_INT lda,
                               const void* beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cdouble>("cblas_zsyrk", false, false, layout, Uplo, Trans, N, K, cdouble(*in<cdouble>(alpha)),
                    in<cdouble>(A), lda, nullptr, 0, cdouble(*in<cdouble>(beta)), out<cdouble>(C), ldc);
}

ARMORY_EXPORT void cblas_zsyr2k(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                                const CBLAS_INT K, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                                const CBLAS_INT ldb, const void* beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cdouble>("cblas_zsyr2k", true, false, layout, Uplo, Trans, N, K, *in<cdouble>(alpha), in<cdouble>(A), lda,
                    in<cdouble>(B), ldb, cdouble(*in<cdouble>(beta)), out<cdouble>(C), ldc);
}

ARMORY_EXPORT void cblas_ztrmm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const void* alpha, const void* A,
                               const CBLAS_INT lda, void* B, const CBLAS_INT ldb) {
  triangular_mm_c<cdouble>("cblas_ztrmm", false, layout, Side, Uplo, TransA, Diag, M, N, *in<cdouble>(alpha),
                           in<cdouble>(A), lda, out<cdouble>(B), ldb);
}

ARMORY_EXPORT void cblas_ztrsm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE TransA,
                               CBLAS_DIAG Diag, const CBLAS_INT M, const CBLAS_INT N, const void* alpha, const void* A,
                               const CBLAS_INT lda, void* B, const CBLAS_INT ldb) {
  triangular_mm_c<cdouble>("cblas_ztrsm", true, layout, Side, Uplo, TransA, Diag, M, N, *in<cdouble>(alpha),
                           in<cdouble>(A), lda, out<cdouble>(B), ldb);
}

ARMORY_EXPORT void cblas_chemm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, const CBLAS_INT M,
                               const CBLAS_INT N, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                               const CBLAS_INT ldb, const void* beta, void* C, const CBLAS_INT ldc) {
  symm_c<cfloat>("cblas_chemm", true, layout, Side, Uplo, M, N, *in<cfloat>(alpha), in<cfloat>(A), lda, in<cfloat>(B),
                 ldb, *in<cfloat>(beta), out<cfloat>(C), ldc);
}

ARMORY_EXPORT void cblas_cherk(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                               const CBLAS_INT K, const float alpha, const void* A, const CBLAS_INT lda,
                               const float beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cfloat>("cblas_cherk", false, true, layout, Uplo, Trans, N, K, cfloat(alpha), in<cfloat>(A), lda, nullptr, 0,
                   cfloat(beta), out<cfloat>(C), ldc);
}

ARMORY_EXPORT void cblas_cher2k(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                                const CBLAS_INT K, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                                const CBLAS_INT ldb, const float beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cfloat>("cblas_cher2k", true, true, layout, Uplo, Trans, N, K, *in<cfloat>(alpha), in<cfloat>(A), lda,
                   in<cfloat>(B), ldb, cfloat(beta), out<cfloat>(C), ldc);
}

ARMORY_EXPORT void cblas_zhemm(CBLAS_LAYOUT layout, CBLAS_SIDE Side, CBLAS_UPLO Uplo, const CBLAS_INT M,
                               const CBLAS_INT N, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                               const CBLAS_INT ldb, const void* beta, void* C, const CBLAS_INT ldc) {
  symm_c<cdouble>("cblas_zhemm", true, layout, Side, Uplo, M, N, *in<cdouble>(alpha), in<cdouble>(A), lda,
                  in<cdouble>(B), ldb, *in<cdouble>(beta), out<cdouble>(C), ldc);
}

ARMORY_EXPORT void cblas_zherk(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                               const CBLAS_INT K, const double alpha, const void* A, const CBLAS_INT lda,
                               const double beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cdouble>("cblas_zherk", false, true, layout, Uplo, Trans, N, K, cdouble(alpha), in<cdouble>(A), lda, nullptr,
                    0, cdouble(beta), out<cdouble>(C), ldc);
}

ARMORY_EXPORT void cblas_zher2k(CBLAS_LAYOUT layout, CBLAS_UPLO Uplo, CBLAS_TRANSPOSE Trans, const CBLAS_INT N,
                                const CBLAS_INT K, const void* alpha, const void* A, const CBLAS_INT lda, const void* B,
                                const CBLAS_INT ldb, const double beta, void* C, const CBLAS_INT ldc) {
  rank_k_c<cdouble>("cblas_zher2k", true, true, layout, Uplo, Trans, N, K, *in<cdouble>(alpha), in<cdouble>(A), lda,
                    in<cdouble>(B), ldb, cdouble(beta), out<cdouble>(C), ldc);
}
