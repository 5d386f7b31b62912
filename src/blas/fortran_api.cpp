// The Fortran BLAS ABI (gfortran conventions): every argument by pointer, 32-bit INTEGER, CHARACTER
// lengths passed as trailing hidden arguments (unused here, so not declared), COMPLEX functions returning
// their value. Each entry point is one line into the checked templates of checked.h.
#include "checked.h"
#include "xerbla.h"

using namespace armory::blas;

#define ARMORY_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using FE = FortranArgumentError;

}  // namespace

// ---- level 1 -------------------------------------------------------------------------------------------

ARMORY_EXPORT void srotg_(float* a, float* b, float* c, float* s) { rotg(a, b, c, s); }
ARMORY_EXPORT void drotg_(double* a, double* b, double* c, double* s) { rotg(a, b, c, s); }
ARMORY_EXPORT void crotg_(cfloat* a, const cfloat* b, float* c, cfloat* s) { rotg(a, b, c, s); }
ARMORY_EXPORT void zrotg_(cdouble* a, const cdouble* b, double* c, cdouble* s) { rotg(a, b, c, s); }

ARMORY_EXPORT void srotmg_(float* d1, float* d2, float* x1, const float* y1, float* param) {
  rotmg(d1, d2, x1, *y1, param);
}
ARMORY_EXPORT void drotmg_(double* d1, double* d2, double* x1, const double* y1, double* param) {
  rotmg(d1, d2, x1, *y1, param);
}

ARMORY_EXPORT void srot_(const int* n, float* x, const int* incx, float* y, const int* incy, const float* c,
                         const float* s) {
  rot(*n, x, *incx, y, *incy, *c, *s);
}
ARMORY_EXPORT void drot_(const int* n, double* x, const int* incx, double* y, const int* incy, const double* c,
                         const double* s) {
  rot(*n, x, *incx, y, *incy, *c, *s);
}
ARMORY_EXPORT void csrot_(const int* n, cfloat* x, const int* incx, cfloat* y, const int* incy, const float* c,
                          const float* s) {
  rot(*n, x, *incx, y, *incy, *c, *s);
}
ARMORY_EXPORT void zdrot_(const int* n, cdouble* x, const int* incx, cdouble* y, const int* incy, const double* c,
                          const double* s) {
  rot(*n, x, *incx, y, *incy, *c, *s);
}

ARMORY_EXPORT void srotm_(const int* n, float* x, const int* incx, float* y, const int* incy, const float* param) {
  rotm(*n, x, *incx, y, *incy, param);
}
ARMORY_EXPORT void drotm_(const int* n, double* x, const int* incx, double* y, const int* incy, const double* param) {
  rotm(*n, x, *incx, y, *incy, param);
}

ARMORY_EXPORT void sswap_(const int* n, float* x, const int* incx, float* y, const int* incy) {
  swap(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT void dswap_(const int* n, double* x, const int* incx, double* y, const int* incy) {
  swap(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT void cswap_(const int* n, cfloat* x, const int* incx, cfloat* y, const int* incy) {
  swap(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT void zswap_(const int* n, cdouble* x, const int* incx, cdouble* y, const int* incy) {
  swap(*n, x, *incx, y, *incy);
}

ARMORY_EXPORT void sscal_(const int* n, const float* alpha, float* x, const int* incx) { scal(*n, *alpha, x, *incx); }
ARMORY_EXPORT void dscal_(const int* n, const double* alpha, double* x, const int* incx) { scal(*n, *alpha, x, *incx); }
ARMORY_EXPORT void cscal_(const int* n, const cfloat* alpha, cfloat* x, const int* incx) { scal(*n, *alpha, x, *incx); }
ARMORY_EXPORT void zscal_(const int* n, const cdouble* alpha, cdouble* x, const int* incx) {
  scal(*n, *alpha, x, *incx);
}
ARMORY_EXPORT void csscal_(const int* n, const float* alpha, cfloat* x, const int* incx) { scal(*n, *alpha, x, *incx); }
ARMORY_EXPORT void zdscal_(const int* n, const double* alpha, cdouble* x, const int* incx) {
  scal(*n, *alpha, x, *incx);
}

ARMORY_EXPORT void scopy_(const int* n, const float* x, const int* incx, float* y, const int* incy) {
  copy(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT void dcopy_(const int* n, const double* x, const int* incx, double* y, const int* incy) {
  copy(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT void ccopy_(const int* n, const cfloat* x, const int* incx, cfloat* y, const int* incy) {
  copy(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT void zcopy_(const int* n, const cdouble* x, const int* incx, cdouble* y, const int* incy) {
  copy(*n, x, *incx, y, *incy);
}

ARMORY_EXPORT void saxpy_(const int* n, const float* alpha, const float* x, const int* incx, float* y,
                          const int* incy) {
  axpy(*n, *alpha, x, *incx, y, *incy);
}
ARMORY_EXPORT void daxpy_(const int* n, const double* alpha, const double* x, const int* incx, double* y,
                          const int* incy) {
  axpy(*n, *alpha, x, *incx, y, *incy);
}
ARMORY_EXPORT void caxpy_(const int* n, const cfloat* alpha, const cfloat* x, const int* incx, cfloat* y,
                          const int* incy) {
  axpy(*n, *alpha, x, *incx, y, *incy);
}
ARMORY_EXPORT void zaxpy_(const int* n, const cdouble* alpha, const cdouble* x, const int* incx, cdouble* y,
                          const int* incy) {
  axpy(*n, *alpha, x, *incx, y, *incy);
}

ARMORY_EXPORT float sdot_(const int* n, const float* x, const int* incx, const float* y, const int* incy) {
  return dot(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT double ddot_(const int* n, const double* x, const int* incx, const double* y, const int* incy) {
  return dot(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT float sdsdot_(const int* n, const float* sb, const float* x, const int* incx, const float* y,
                            const int* incy) {
  return static_cast<float>(double(*sb) + dot_accumulate<double>(*n, x, *incx, y, *incy, false));
}
ARMORY_EXPORT double dsdot_(const int* n, const float* x, const int* incx, const float* y, const int* incy) {
  return dot_accumulate<double>(*n, x, *incx, y, *incy, false);
}
ARMORY_EXPORT cfloat cdotu_(const int* n, const cfloat* x, const int* incx, const cfloat* y, const int* incy) {
  return dot(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT cfloat cdotc_(const int* n, const cfloat* x, const int* incx, const cfloat* y, const int* incy) {
  return dot(*n, x, *incx, y, *incy, true);
}
ARMORY_EXPORT cdouble zdotu_(const int* n, const cdouble* x, const int* incx, const cdouble* y, const int* incy) {
  return dot(*n, x, *incx, y, *incy);
}
ARMORY_EXPORT cdouble zdotc_(const int* n, const cdouble* x, const int* incx, const cdouble* y, const int* incy) {
  return dot(*n, x, *incx, y, *incy, true);
}

ARMORY_EXPORT float snrm2_(const int* n, const float* x, const int* incx) { return nrm2(*n, x, *incx); }
ARMORY_EXPORT double dnrm2_(const int* n, const double* x, const int* incx) { return nrm2(*n, x, *incx); }
ARMORY_EXPORT float scnrm2_(const int* n, const cfloat* x, const int* incx) { return nrm2(*n, x, *incx); }
ARMORY_EXPORT double dznrm2_(const int* n, const cdouble* x, const int* incx) { return nrm2(*n, x, *incx); }

ARMORY_EXPORT float sasum_(const int* n, const float* x, const int* incx) { return asum(*n, x, *incx); }
ARMORY_EXPORT double dasum_(const int* n, const double* x, const int* incx) { return asum(*n, x, *incx); }
ARMORY_EXPORT float scasum_(const int* n, const cfloat* x, const int* incx) { return asum(*n, x, *incx); }
ARMORY_EXPORT double dzasum_(const int* n, const cdouble* x, const int* incx) { return asum(*n, x, *incx); }

ARMORY_EXPORT int isamax_(const int* n, const float* x, const int* incx) {
  return static_cast<int>(iamax(*n, x, *incx));
}
ARMORY_EXPORT int idamax_(const int* n, const double* x, const int* incx) {
  return static_cast<int>(iamax(*n, x, *incx));
}
ARMORY_EXPORT int icamax_(const int* n, const cfloat* x, const int* incx) {
  return static_cast<int>(iamax(*n, x, *incx));
}
ARMORY_EXPORT int izamax_(const int* n, const cdouble* x, const int* incx) {
  return static_cast<int>(iamax(*n, x, *incx));
}

ARMORY_EXPORT float scabs1_(const cfloat* z) { return abs1(*z); }
ARMORY_EXPORT double dcabs1_(const cdouble* z) { return abs1(*z); }

// ---- level 2 -------------------------------------------------------------------------------------------

namespace {

template <class T>
void gemv_f(const char* name, const char* trans, const int* m, const int* n, const T* alpha, const T* a, const int* lda,
            const T* x, const int* incx, const T* beta, T* y, const int* incy) {
  const auto op = parse_op<T>(*trans);
  if (int bad = validate_gemv(op, *m, *n, *lda, *incx, *incy)) return FE{name}(bad);
  gemv(*op, *m, *n, *alpha, a, *lda, x, *incx, *beta, y, *incy);
}

template <class T>
void gbmv_f(const char* name, const char* trans, const int* m, const int* n, const int* kl, const int* ku,
            const T* alpha, const T* a, const int* lda, const T* x, const int* incx, const T* beta, T* y,
            const int* incy) {
  const auto op = parse_op<T>(*trans);
  if (int bad = validate_gbmv(op, *m, *n, *kl, *ku, *lda, *incx, *incy)) return FE{name}(bad);
  gbmv(*op, *m, *n, *kl, *ku, *alpha, a, *lda, x, *incx, *beta, y, *incy);
}

// symv / sbmv / spmv and the Hermitian hemv / hbmv / hpmv. k and lda are null where the form has none.
template <class T>
void symmetric_matvec_f(const char* name, StorageForm form, bool hermitian, const char* uplo_char, const int* n,
                        const int* k, const T* alpha, const T* a, const int* lda, const T* x, const int* incx,
                        const T* beta, T* y, const int* incy) {
  const auto uplo = parse_uplo(*uplo_char);
  const index_t band = k ? *k : 0, ld = lda ? *lda : 0;
  if (int bad = validate_symmetric_matvec(form, uplo, *n, band, ld, *incx, *incy)) return FE{name}(bad);
  symmetric_matvec_form(form, hermitian, *uplo, *n, band, *alpha, a, ld, x, *incx, *beta, y, *incy);
}

template <class T>
void triangular_f(const char* name, StorageForm form, bool solve, const char* uplo_char, const char* trans,
                  const char* diag_char, const int* n, const int* k, const T* a, const int* lda, T* x,
                  const int* incx) {
  const auto uplo = parse_uplo(*uplo_char);
  const auto op = parse_op<T>(*trans);
  const auto diag = parse_diag(*diag_char);
  const index_t band = k ? *k : 0, ld = lda ? *lda : 0;
  if (int bad = validate_triangular(form, uplo, op, diag, *n, band, ld, *incx)) return FE{name}(bad);
  triangular_form(form, solve, *uplo, *op, *diag, *n, band, a, ld, x, *incx);
}

template <class T>
void ger_f(const char* name, bool conjugate_y, const int* m, const int* n, const T* alpha, const T* x, const int* incx,
           const T* y, const int* incy, T* a, const int* lda) {
  if (int bad = validate_ger(*m, *n, *incx, *incy, *lda)) return FE{name}(bad);
  ger(*m, *n, *alpha, x, *incx, y, *incy, a, *lda, conjugate_y);
}

// syr / her (S: the real type for her) and spr / hpr when lda is null.
template <class T, class S>
void rank1_f(const char* name, bool hermitian, const char* uplo_char, const int* n, const S* alpha, const T* x,
             const int* incx, T* a, const int* lda) {
  const auto uplo = parse_uplo(*uplo_char);
  const bool packed = lda == nullptr;
  const index_t ld = packed ? 0 : *lda;
  if (int bad = validate_rank_update(false, packed, uplo, *n, *incx, 1, ld)) return FE{name}(bad);
  rank1_form(packed, hermitian, *uplo, *n, T(*alpha), x, *incx, a, ld);
}

// syr2 / her2, and spr2 / hpr2 when lda is null.
template <class T>
void rank2_f(const char* name, bool hermitian, const char* uplo_char, const int* n, const T* alpha, const T* x,
             const int* incx, const T* y, const int* incy, T* a, const int* lda) {
  const auto uplo = parse_uplo(*uplo_char);
  const bool packed = lda == nullptr;
  const index_t ld = packed ? 0 : *lda;
  if (int bad = validate_rank_update(true, packed, uplo, *n, *incx, *incy, ld)) return FE{name}(bad);
  rank2_form(packed, hermitian, *uplo, *n, *alpha, x, *incx, y, *incy, a, ld);
}

}  // namespace

// ---- level 3 -------------------------------------------------------------------------------------------

namespace {

template <class T>
void gemm_f(const char* name, const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const T* alpha, const T* a, const int* lda, const T* b, const int* ldb, const T* beta, T* c,
            const int* ldc) {
  const auto op_a = parse_op<T>(*transa), op_b = parse_op<T>(*transb);
  if (int bad = validate_gemm(op_a, op_b, *m, *n, *k, *lda, *ldb, *ldc)) return FE{name}(bad);
  gemm(*op_a, *op_b, *m, *n, *k, *alpha, a, *lda, b, *ldb, *beta, c, *ldc);
}

template <class T>
void symm_f(const char* name, bool hermitian, const char* side_char, const char* uplo_char, const int* m, const int* n,
            const T* alpha, const T* a, const int* lda, const T* b, const int* ldb, const T* beta, T* c,
            const int* ldc) {
  const auto side = parse_side(*side_char);
  const auto uplo = parse_uplo(*uplo_char);
  if (int bad = validate_symm(side, uplo, *m, *n, *lda, *ldb, *ldc)) return FE{name}(bad);
  symm(hermitian, *side, *uplo, *m, *n, *alpha, a, *lda, b, *ldb, *beta, c, *ldc);
}

// syrk, and herk with real alpha and beta (S = the real type).
template <class T, class S>
void syrk_f(const char* name, bool hermitian, const char* uplo_char, const char* trans, const int* n, const int* k,
            const S* alpha, const T* a, const int* lda, const S* beta, T* c, const int* ldc) {
  const auto uplo = parse_uplo(*uplo_char);
  const auto op = parse_op<T>(*trans);
  if (int bad = validate_rank_k<T>(false, hermitian, uplo, op, *n, *k, *lda, 1, *ldc)) return FE{name}(bad);
  syrk(hermitian, *uplo, *op, *n, *k, T(*alpha), a, *lda, T(*beta), c, *ldc);
}

// syr2k, and her2k with a real beta.
template <class T, class S>
void syr2k_f(const char* name, bool hermitian, const char* uplo_char, const char* trans, const int* n, const int* k,
             const T* alpha, const T* a, const int* lda, const T* b, const int* ldb, const S* beta, T* c,
             const int* ldc) {
  const auto uplo = parse_uplo(*uplo_char);
  const auto op = parse_op<T>(*trans);
  if (int bad = validate_rank_k<T>(true, hermitian, uplo, op, *n, *k, *lda, *ldb, *ldc)) return FE{name}(bad);
  syr2k(hermitian, *uplo, *op, *n, *k, *alpha, a, *lda, b, *ldb, T(*beta), c, *ldc);
}

template <class T>
void triangular_mm_f(const char* name, bool solve, const char* side_char, const char* uplo_char, const char* transa,
                     const char* diag_char, const int* m, const int* n, const T* alpha, const T* a, const int* lda,
                     T* b, const int* ldb) {
  const auto side = parse_side(*side_char);
  const auto uplo = parse_uplo(*uplo_char);
  const auto op = parse_op<T>(*transa);
  const auto diag = parse_diag(*diag_char);
  if (int bad = validate_triangular_mm(side, uplo, op, diag, *m, *n, *lda, *ldb)) return FE{name}(bad);
  triangular_mm(solve, *side, *uplo, *op, *diag, *m, *n, *alpha, a, *lda, b, *ldb);
}

}  // namespace

// ---- level 2 entry points ------------------------------------------------------------------------------

ARMORY_EXPORT void sgemv_(const char* trans, const int* m, const int* n, const float* alpha, const float* a,
                          const int* lda, const float* x, const int* incx, const float* beta, float* y,
                          const int* incy) {
  gemv_f("SGEMV", trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void dgemv_(const char* trans, const int* m, const int* n, const double* alpha, const double* a,
                          const int* lda, const double* x, const int* incx, const double* beta, double* y,
                          const int* incy) {
  gemv_f("DGEMV", trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void cgemv_(const char* trans, const int* m, const int* n, const cfloat* alpha, const cfloat* a,
                          const int* lda, const cfloat* x, const int* incx, const cfloat* beta, cfloat* y,
                          const int* incy) {
  gemv_f("CGEMV", trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void zgemv_(const char* trans, const int* m, const int* n, const cdouble* alpha, const cdouble* a,
                          const int* lda, const cdouble* x, const int* incx, const cdouble* beta, cdouble* y,
                          const int* incy) {
  gemv_f("ZGEMV", trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

ARMORY_EXPORT void sgbmv_(const char* trans, const int* m, const int* n, const int* kl, const int* ku,
                          const float* alpha, const float* a, const int* lda, const float* x, const int* incx,
                          const float* beta, float* y, const int* incy) {
  gbmv_f("SGBMV", trans, m, n, kl, ku, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void dgbmv_(const char* trans, const int* m, const int* n, const int* kl, const int* ku,
                          const double* alpha, const double* a, const int* lda, const double* x, const int* incx,
                          const double* beta, double* y, const int* incy) {
  gbmv_f("DGBMV", trans, m, n, kl, ku, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void cgbmv_(const char* trans, const int* m, const int* n, const int* kl, const int* ku,
                          const cfloat* alpha, const cfloat* a, const int* lda, const cfloat* x, const int* incx,
                          const cfloat* beta, cfloat* y, const int* incy) {
  gbmv_f("CGBMV", trans, m, n, kl, ku, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void zgbmv_(const char* trans, const int* m, const int* n, const int* kl, const int* ku,
                          const cdouble* alpha, const cdouble* a, const int* lda, const cdouble* x, const int* incx,
                          const cdouble* beta, cdouble* y, const int* incy) {
  gbmv_f("ZGBMV", trans, m, n, kl, ku, alpha, a, lda, x, incx, beta, y, incy);
}

ARMORY_EXPORT void ssymv_(const char* uplo, const int* n, const float* alpha, const float* a, const int* lda,
                          const float* x, const int* incx, const float* beta, float* y, const int* incy) {
  symmetric_matvec_f("SSYMV", StorageForm::dense, false, uplo, n, nullptr, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void dsymv_(const char* uplo, const int* n, const double* alpha, const double* a, const int* lda,
                          const double* x, const int* incx, const double* beta, double* y, const int* incy) {
  symmetric_matvec_f("DSYMV", StorageForm::dense, false, uplo, n, nullptr, alpha, a, lda, x, incx, beta, y, incy);
}

ARMORY_EXPORT void chemv_(const char* uplo, const int* n, const cfloat* alpha, const cfloat* a, const int* lda,
                          const cfloat* x, const int* incx, const cfloat* beta, cfloat* y, const int* incy) {
  symmetric_matvec_f("CHEMV", StorageForm::dense, true, uplo, n, nullptr, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void zhemv_(const char* uplo, const int* n, const cdouble* alpha, const cdouble* a, const int* lda,
                          const cdouble* x, const int* incx, const cdouble* beta, cdouble* y, const int* incy) {
  symmetric_matvec_f("ZHEMV", StorageForm::dense, true, uplo, n, nullptr, alpha, a, lda, x, incx, beta, y, incy);
}

ARMORY_EXPORT void ssbmv_(const char* uplo, const int* n, const int* k, const float* alpha, const float* a,
                          const int* lda, const float* x, const int* incx, const float* beta, float* y,
                          const int* incy) {
  symmetric_matvec_f("SSBMV", StorageForm::band, false, uplo, n, k, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void dsbmv_(const char* uplo, const int* n, const int* k, const double* alpha, const double* a,
                          const int* lda, const double* x, const int* incx, const double* beta, double* y,
                          const int* incy) {
  symmetric_matvec_f("DSBMV", StorageForm::band, false, uplo, n, k, alpha, a, lda, x, incx, beta, y, incy);
}

ARMORY_EXPORT void chbmv_(const char* uplo, const int* n, const int* k, const cfloat* alpha, const cfloat* a,
                          const int* lda, const cfloat* x, const int* incx, const cfloat* beta, cfloat* y,
                          const int* incy) {
  symmetric_matvec_f("CHBMV", StorageForm::band, true, uplo, n, k, alpha, a, lda, x, incx, beta, y, incy);
}
ARMORY_EXPORT void zhbmv_(const char* uplo, const int* n, const int* k, const cdouble* alpha, const cdouble* a,
                          const int* lda, const cdouble* x, const int* incx, const cdouble* beta, cdouble* y,
                          const int* incy) {
  symmetric_matvec_f("ZHBMV", StorageForm::band, true, uplo, n, k, alpha, a, lda, x, incx, beta, y, incy);
}

ARMORY_EXPORT void sspmv_(const char* uplo, const int* n, const float* alpha, const float* ap, const float* x,
                          const int* incx, const float* beta, float* y, const int* incy) {
  symmetric_matvec_f("SSPMV", StorageForm::packed, false, uplo, n, nullptr, alpha, ap, nullptr, x, incx, beta, y, incy);
}
ARMORY_EXPORT void dspmv_(const char* uplo, const int* n, const double* alpha, const double* ap, const double* x,
                          const int* incx, const double* beta, double* y, const int* incy) {
  symmetric_matvec_f("DSPMV", StorageForm::packed, false, uplo, n, nullptr, alpha, ap, nullptr, x, incx, beta, y, incy);
}

ARMORY_EXPORT void chpmv_(const char* uplo, const int* n, const cfloat* alpha, const cfloat* ap, const cfloat* x,
                          const int* incx, const cfloat* beta, cfloat* y, const int* incy) {
  symmetric_matvec_f("CHPMV", StorageForm::packed, true, uplo, n, nullptr, alpha, ap, nullptr, x, incx, beta, y, incy);
}
ARMORY_EXPORT void zhpmv_(const char* uplo, const int* n, const cdouble* alpha, const cdouble* ap, const cdouble* x,
                          const int* incx, const cdouble* beta, cdouble* y, const int* incy) {
  symmetric_matvec_f("ZHPMV", StorageForm::packed, true, uplo, n, nullptr, alpha, ap, nullptr, x, incx, beta, y, incy);
}

ARMORY_EXPORT void strmv_(const char* uplo, const char* trans, const char* diag, const int* n, const float* a,
                          const int* lda, float* x, const int* incx) {
  triangular_f("STRMV", StorageForm::dense, false, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}
ARMORY_EXPORT void dtrmv_(const char* uplo, const char* trans, const char* diag, const int* n, const double* a,
                          const int* lda, double* x, const int* incx) {
  triangular_f("DTRMV", StorageForm::dense, false, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}
ARMORY_EXPORT void ctrmv_(const char* uplo, const char* trans, const char* diag, const int* n, const cfloat* a,
                          const int* lda, cfloat* x, const int* incx) {
  triangular_f("CTRMV", StorageForm::dense, false, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}
ARMORY_EXPORT void ztrmv_(const char* uplo, const char* trans, const char* diag, const int* n, const cdouble* a,
                          const int* lda, cdouble* x, const int* incx) {
  triangular_f("ZTRMV", StorageForm::dense, false, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}

ARMORY_EXPORT void stbmv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const float* a, const int* lda, float* x, const int* incx) {
  triangular_f("STBMV", StorageForm::band, false, uplo, trans, diag, n, k, a, lda, x, incx);
}
ARMORY_EXPORT void dtbmv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const double* a, const int* lda, double* x, const int* incx) {
  triangular_f("DTBMV", StorageForm::band, false, uplo, trans, diag, n, k, a, lda, x, incx);
}
ARMORY_EXPORT void ctbmv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const cfloat* a, const int* lda, cfloat* x, const int* incx) {
  triangular_f("CTBMV", StorageForm::band, false, uplo, trans, diag, n, k, a, lda, x, incx);
}
ARMORY_EXPORT void ztbmv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const cdouble* a, const int* lda, cdouble* x, const int* incx) {
  triangular_f("ZTBMV", StorageForm::band, false, uplo, trans, diag, n, k, a, lda, x, incx);
}

ARMORY_EXPORT void stpmv_(const char* uplo, const char* trans, const char* diag, const int* n, const float* ap,
                          float* x, const int* incx) {
  triangular_f("STPMV", StorageForm::packed, false, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}
ARMORY_EXPORT void dtpmv_(const char* uplo, const char* trans, const char* diag, const int* n, const double* ap,
                          double* x, const int* incx) {
  triangular_f("DTPMV", StorageForm::packed, false, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}
ARMORY_EXPORT void ctpmv_(const char* uplo, const char* trans, const char* diag, const int* n, const cfloat* ap,
                          cfloat* x, const int* incx) {
  triangular_f("CTPMV", StorageForm::packed, false, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}
ARMORY_EXPORT void ztpmv_(const char* uplo, const char* trans, const char* diag, const int* n, const cdouble* ap,
                          cdouble* x, const int* incx) {
  triangular_f("ZTPMV", StorageForm::packed, false, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}

ARMORY_EXPORT void strsv_(const char* uplo, const char* trans, const char* diag, const int* n, const float* a,
                          const int* lda, float* x, const int* incx) {
  triangular_f("STRSV", StorageForm::dense, true, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}
ARMORY_EXPORT void dtrsv_(const char* uplo, const char* trans, const char* diag, const int* n, const double* a,
                          const int* lda, double* x, const int* incx) {
  triangular_f("DTRSV", StorageForm::dense, true, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}
ARMORY_EXPORT void ctrsv_(const char* uplo, const char* trans, const char* diag, const int* n, const cfloat* a,
                          const int* lda, cfloat* x, const int* incx) {
  triangular_f("CTRSV", StorageForm::dense, true, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}
ARMORY_EXPORT void ztrsv_(const char* uplo, const char* trans, const char* diag, const int* n, const cdouble* a,
                          const int* lda, cdouble* x, const int* incx) {
  triangular_f("ZTRSV", StorageForm::dense, true, uplo, trans, diag, n, nullptr, a, lda, x, incx);
}

ARMORY_EXPORT void stbsv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const float* a, const int* lda, float* x, const int* incx) {
  triangular_f("STBSV", StorageForm::band, true, uplo, trans, diag, n, k, a, lda, x, incx);
}
ARMORY_EXPORT void dtbsv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const double* a, const int* lda, double* x, const int* incx) {
  triangular_f("DTBSV", StorageForm::band, true, uplo, trans, diag, n, k, a, lda, x, incx);
}
ARMORY_EXPORT void ctbsv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const cfloat* a, const int* lda, cfloat* x, const int* incx) {
  triangular_f("CTBSV", StorageForm::band, true, uplo, trans, diag, n, k, a, lda, x, incx);
}
ARMORY_EXPORT void ztbsv_(const char* uplo, const char* trans, const char* diag, const int* n, const int* k,
                          const cdouble* a, const int* lda, cdouble* x, const int* incx) {
  triangular_f("ZTBSV", StorageForm::band, true, uplo, trans, diag, n, k, a, lda, x, incx);
}

ARMORY_EXPORT void stpsv_(const char* uplo, const char* trans, const char* diag, const int* n, const float* ap,
                          float* x, const int* incx) {
  triangular_f("STPSV", StorageForm::packed, true, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}
ARMORY_EXPORT void dtpsv_(const char* uplo, const char* trans, const char* diag, const int* n, const double* ap,
                          double* x, const int* incx) {
  triangular_f("DTPSV", StorageForm::packed, true, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}
ARMORY_EXPORT void ctpsv_(const char* uplo, const char* trans, const char* diag, const int* n, const cfloat* ap,
                          cfloat* x, const int* incx) {
  triangular_f("CTPSV", StorageForm::packed, true, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}
ARMORY_EXPORT void ztpsv_(const char* uplo, const char* trans, const char* diag, const int* n, const cdouble* ap,
                          cdouble* x, const int* incx) {
  triangular_f("ZTPSV", StorageForm::packed, true, uplo, trans, diag, n, nullptr, ap, nullptr, x, incx);
}

ARMORY_EXPORT void sger_(const int* m, const int* n, const float* alpha, const float* x, const int* incx,
                         const float* y, const int* incy, float* a, const int* lda) {
  ger_f("SGER", false, m, n, alpha, x, incx, y, incy, a, lda);
}
ARMORY_EXPORT void dger_(const int* m, const int* n, const double* alpha, const double* x, const int* incx,
                         const double* y, const int* incy, double* a, const int* lda) {
  ger_f("DGER", false, m, n, alpha, x, incx, y, incy, a, lda);
}

ARMORY_EXPORT void cgeru_(const int* m, const int* n, const cfloat* alpha, const cfloat* x, const int* incx,
                          const cfloat* y, const int* incy, cfloat* a, const int* lda) {
  ger_f("CGERU", false, m, n, alpha, x, incx, y, incy, a, lda);
}
ARMORY_EXPORT void zgeru_(const int* m, const int* n, const cdouble* alpha, const cdouble* x, const int* incx,
                          const cdouble* y, const int* incy, cdouble* a, const int* lda) {
  ger_f("ZGERU", false, m, n, alpha, x, incx, y, incy, a, lda);
}

ARMORY_EXPORT void cgerc_(const int* m, const int* n, const cfloat* alpha, const cfloat* x, const int* incx,
                          const cfloat* y, const int* incy, cfloat* a, const int* lda) {
  ger_f("CGERC", true, m, n, alpha, x, incx, y, incy, a, lda);
}
ARMORY_EXPORT void zgerc_(const int* m, const int* n, const cdouble* alpha, const cdouble* x, const int* incx,
                          const cdouble* y, const int* incy, cdouble* a, const int* lda) {
  ger_f("ZGERC", true, m, n, alpha, x, incx, y, incy, a, lda);
}

ARMORY_EXPORT void ssyr_(const char* uplo, const int* n, const float* alpha, const float* x, const int* incx, float* a,
                         const int* lda) {
  rank1_f("SSYR", false, uplo, n, alpha, x, incx, a, lda);
}
ARMORY_EXPORT void dsyr_(const char* uplo, const int* n, const double* alpha, const double* x, const int* incx,
                         double* a, const int* lda) {
  rank1_f("DSYR", false, uplo, n, alpha, x, incx, a, lda);
}

ARMORY_EXPORT void cher_(const char* uplo, const int* n, const float* alpha, const cfloat* x, const int* incx,
                         cfloat* a, const int* lda) {
  rank1_f("CHER", true, uplo, n, alpha, x, incx, a, lda);
}
ARMORY_EXPORT void zher_(const char* uplo, const int* n, const double* alpha, const cdouble* x, const int* incx,
                         cdouble* a, const int* lda) {
  rank1_f("ZHER", true, uplo, n, alpha, x, incx, a, lda);
}

ARMORY_EXPORT void sspr_(const char* uplo, const int* n, const float* alpha, const float* x, const int* incx,
                         float* ap) {
  rank1_f("SSPR", false, uplo, n, alpha, x, incx, ap, nullptr);
}
ARMORY_EXPORT void dspr_(const char* uplo, const int* n, const double* alpha, const double* x, const int* incx,
                         double* ap) {
  rank1_f("DSPR", false, uplo, n, alpha, x, incx, ap, nullptr);
}

ARMORY_EXPORT void chpr_(const char* uplo, const int* n, const float* alpha, const cfloat* x, const int* incx,
                         cfloat* ap) {
  rank1_f("CHPR", true, uplo, n, alpha, x, incx, ap, nullptr);
}
ARMORY_EXPORT void zhpr_(const char* uplo, const int* n, const double* alpha, const cdouble* x, const int* incx,
                         cdouble* ap) {
  rank1_f("ZHPR", true, uplo, n, alpha, x, incx, ap, nullptr);
}

ARMORY_EXPORT void ssyr2_(const char* uplo, const int* n, const float* alpha, const float* x, const int* incx,
                          const float* y, const int* incy, float* a, const int* lda) {
  rank2_f("SSYR2", false, uplo, n, alpha, x, incx, y, incy, a, lda);
}
ARMORY_EXPORT void dsyr2_(const char* uplo, const int* n, const double* alpha, const double* x, const int* incx,
                          const double* y, const int* incy, double* a, const int* lda) {
  rank2_f("DSYR2", false, uplo, n, alpha, x, incx, y, incy, a, lda);
}

ARMORY_EXPORT void cher2_(const char* uplo, const int* n, const cfloat* alpha, const cfloat* x, const int* incx,
                          const cfloat* y, const int* incy, cfloat* a, const int* lda) {
  rank2_f("CHER2", true, uplo, n, alpha, x, incx, y, incy, a, lda);
}
ARMORY_EXPORT void zher2_(const char* uplo, const int* n, const cdouble* alpha, const cdouble* x, const int* incx,
                          const cdouble* y, const int* incy, cdouble* a, const int* lda) {
  rank2_f("ZHER2", true, uplo, n, alpha, x, incx, y, incy, a, lda);
}

ARMORY_EXPORT void sspr2_(const char* uplo, const int* n, const float* alpha, const float* x, const int* incx,
                          const float* y, const int* incy, float* ap) {
  rank2_f("SSPR2", false, uplo, n, alpha, x, incx, y, incy, ap, nullptr);
}
ARMORY_EXPORT void dspr2_(const char* uplo, const int* n, const double* alpha, const double* x, const int* incx,
                          const double* y, const int* incy, double* ap) {
  rank2_f("DSPR2", false, uplo, n, alpha, x, incx, y, incy, ap, nullptr);
}

ARMORY_EXPORT void chpr2_(const char* uplo, const int* n, const cfloat* alpha, const cfloat* x, const int* incx,
                          const cfloat* y, const int* incy, cfloat* ap) {
  rank2_f("CHPR2", true, uplo, n, alpha, x, incx, y, incy, ap, nullptr);
}
ARMORY_EXPORT void zhpr2_(const char* uplo, const int* n, const cdouble* alpha, const cdouble* x, const int* incx,
                          const cdouble* y, const int* incy, cdouble* ap) {
  rank2_f("ZHPR2", true, uplo, n, alpha, x, incx, y, incy, ap, nullptr);
}

// ---- level 3 entry points ------------------------------------------------------------------------------

ARMORY_EXPORT void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                          const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                          const float* beta, float* c, const int* ldc) {
  gemm_f("SGEMM", transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                          const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
                          const double* beta, double* c, const int* ldc) {
  gemm_f("DGEMM", transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void cgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                          const cfloat* alpha, const cfloat* a, const int* lda, const cfloat* b, const int* ldb,
                          const cfloat* beta, cfloat* c, const int* ldc) {
  gemm_f("CGEMM", transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void zgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                          const cdouble* alpha, const cdouble* a, const int* lda, const cdouble* b, const int* ldb,
                          const cdouble* beta, cdouble* c, const int* ldc) {
  gemm_f("ZGEMM", transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

ARMORY_EXPORT void ssymm_(const char* side, const char* uplo, const int* m, const int* n, const float* alpha,
                          const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
                          const int* ldc) {
  symm_f("SSYMM", false, side, uplo, m, n, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void dsymm_(const char* side, const char* uplo, const int* m, const int* n, const double* alpha,
                          const double* a, const int* lda, const double* b, const int* ldb, const double* beta,
                          double* c, const int* ldc) {
  symm_f("DSYMM", false, side, uplo, m, n, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void csymm_(const char* side, const char* uplo, const int* m, const int* n, const cfloat* alpha,
                          const cfloat* a, const int* lda, const cfloat* b, const int* ldb, const cfloat* beta,
                          cfloat* c, const int* ldc) {
  symm_f("CSYMM", false, side, uplo, m, n, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void zsymm_(const char* side, const char* uplo, const int* m, const int* n, const cdouble* alpha,
                          const cdouble* a, const int* lda, const cdouble* b, const int* ldb, const cdouble* beta,
                          cdouble* c, const int* ldc) {
  symm_f("ZSYMM", false, side, uplo, m, n, alpha, a, lda, b, ldb, beta, c, ldc);
}

ARMORY_EXPORT void chemm_(const char* side, const char* uplo, const int* m, const int* n, const cfloat* alpha,
                          const cfloat* a, const int* lda, const cfloat* b, const int* ldb, const cfloat* beta,
                          cfloat* c, const int* ldc) {
  symm_f("CHEMM", true, side, uplo, m, n, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void zhemm_(const char* side, const char* uplo, const int* m, const int* n, const cdouble* alpha,
                          const cdouble* a, const int* lda, const cdouble* b, const int* ldb, const cdouble* beta,
                          cdouble* c, const int* ldc) {
  symm_f("ZHEMM", true, side, uplo, m, n, alpha, a, lda, b, ldb, beta, c, ldc);
}

ARMORY_EXPORT void ssyrk_(const char* uplo, const char* trans, const int* n, const int* k, const float* alpha,
                          const float* a, const int* lda, const float* beta, float* c, const int* ldc) {
  syrk_f("SSYRK", false, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}
ARMORY_EXPORT void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
                          const double* a, const int* lda, const double* beta, double* c, const int* ldc) {
  syrk_f("DSYRK", false, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}
ARMORY_EXPORT void csyrk_(const char* uplo, const char* trans, const int* n, const int* k, const cfloat* alpha,
                          const cfloat* a, const int* lda, const cfloat* beta, cfloat* c, const int* ldc) {
  syrk_f("CSYRK", false, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}
ARMORY_EXPORT void zsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const cdouble* alpha,
                          const cdouble* a, const int* lda, const cdouble* beta, cdouble* c, const int* ldc) {
  syrk_f("ZSYRK", false, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}

ARMORY_EXPORT void cherk_(const char* uplo, const char* trans, const int* n, const int* k, const float* alpha,
                          const cfloat* a, const int* lda, const float* beta, cfloat* c, const int* ldc) {
  syrk_f("CHERK", true, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}
ARMORY_EXPORT void zherk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
                          const cdouble* a, const int* lda, const double* beta, cdouble* c, const int* ldc) {
  syrk_f("ZHERK", true, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}

ARMORY_EXPORT void ssyr2k_(const char* uplo, const char* trans, const int* n, const int* k, const float* alpha,
                           const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
                           const int* ldc) {
  syr2k_f("SSYR2K", false, uplo, trans, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void dsyr2k_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
                           const double* a, const int* lda, const double* b, const int* ldb, const double* beta,
                           double* c, const int* ldc) {
  syr2k_f("DSYR2K", false, uplo, trans, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void csyr2k_(const char* uplo, const char* trans, const int* n, const int* k, const cfloat* alpha,
                           const cfloat* a, const int* lda, const cfloat* b, const int* ldb, const cfloat* beta,
                           cfloat* c, const int* ldc) {
  syr2k_f("CSYR2K", false, uplo, trans, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void zsyr2k_(const char* uplo, const char* trans, const int* n, const int* k, const cdouble* alpha,
                           const cdouble* a, const int* lda, const cdouble* b, const int* ldb, const cdouble* beta,
                           cdouble* c, const int* ldc) {
  syr2k_f("ZSYR2K", false, uplo, trans, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

ARMORY_EXPORT void cher2k_(const char* uplo, const char* trans, const int* n, const int* k, const cfloat* alpha,
                           const cfloat* a, const int* lda, const cfloat* b, const int* ldb, const float* beta,
                           cfloat* c, const int* ldc) {
  syr2k_f("CHER2K", true, uplo, trans, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
ARMORY_EXPORT void zher2k_(const char* uplo, const char* trans, const int* n, const int* k, const cdouble* alpha,
                           const cdouble* a, const int* lda, const cdouble* b, const int* ldb, const double* beta,
                           cdouble* c, const int* ldc) {
  syr2k_f("ZHER2K", true, uplo, trans, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

ARMORY_EXPORT void strmm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const float* alpha, const float* a, const int* lda, float* b, const int* ldb) {
  triangular_mm_f("STRMM", false, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}
ARMORY_EXPORT void dtrmm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const double* alpha, const double* a, const int* lda, double* b,
                          const int* ldb) {
  triangular_mm_f("DTRMM", false, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}
ARMORY_EXPORT void ctrmm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const cfloat* alpha, const cfloat* a, const int* lda, cfloat* b,
                          const int* ldb) {
  triangular_mm_f("CTRMM", false, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}
ARMORY_EXPORT void ztrmm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const cdouble* alpha, const cdouble* a, const int* lda, cdouble* b,
                          const int* ldb) {
  triangular_mm_f("ZTRMM", false, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}

ARMORY_EXPORT void strsm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const float* alpha, const float* a, const int* lda, float* b, const int* ldb) {
  triangular_mm_f("STRSM", true, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}
ARMORY_EXPORT void dtrsm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const double* alpha, const double* a, const int* lda, double* b,
                          const int* ldb) {
  triangular_mm_f("DTRSM", true, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}
ARMORY_EXPORT void ctrsm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const cfloat* alpha, const cfloat* a, const int* lda, cfloat* b,
                          const int* ldb) {
  triangular_mm_f("CTRSM", true, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}
ARMORY_EXPORT void ztrsm_(const char* side, const char* uplo, const char* transa, const char* diag, const int* m,
                          const int* n, const cdouble* alpha, const cdouble* a, const int* lda, cdouble* b,
                          const int* ldb) {
  triangular_mm_f("ZTRSM", true, side, uplo, transa, diag, m, n, alpha, a, lda, b, ldb);
}
