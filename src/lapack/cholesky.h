// Cholesky factorization (LAPACK's ?potrf) on armory's BLAS: recursive, halving the order so that nearly all
// of the flops are one large trsm and one large syrk / herk per level, down to blocks factored in place.
// LAPACK's blocked ?potrf runs 64-column panels, each a skinny trsm, GEMM and syrk: behind OpenBLAS's own
// potrf at every size (numpy.linalg.cholesky, 1 thread: n = 128 0.72, n = 2048 0.86). liblapack.so.3's
// ?potrf_ reach this through the C functions below (the engine lives in libblas.so.3, as for LU).
#pragma once

#include <complex>
#include <cstdint>

namespace armory::lapack {

// Factors the Hermitian (symmetric) positive definite n x n column-major A (ld lda >= max(1, n)) in place:
// lower, A = L L^H with L in the lower triangle; upper, A = U^H U with U in the upper one. The other triangle
// is neither read nor written; the imaginary parts of a complex diagonal are taken as zero and written so.
// Returns 0, or k > 0 when the leading minor of order k is not positive definite (its pivot <= 0 or NaN):
// the factorization stops there, as LAPACK's does. Arguments are not checked.
template <class T>
int64_t cholesky_factor(bool lower, int64_t n, T* a, int64_t lda);

}  // namespace armory::lapack

extern "C" {
int64_t armory_lapack_cholesky_s(int lower, int64_t n, float* a, int64_t lda);
int64_t armory_lapack_cholesky_d(int lower, int64_t n, double* a, int64_t lda);
int64_t armory_lapack_cholesky_c(int lower, int64_t n, std::complex<float>* a, int64_t lda);
int64_t armory_lapack_cholesky_z(int lower, int64_t n, std::complex<double>* a, int64_t lda);
}
