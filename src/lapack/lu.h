// LU factorization with partial pivoting (LAPACK's ?getrf) on armory's BLAS: recursive, as LAPACK's dgetrf2,
// halving the columns so that nearly all of the flops are one large GEMM per level, down to panels of 16
// columns factored in place. The engine lives in libblas.so.3, so liblapack.so.3's ?getrf_ (s, d, c, z) reach
// this through the C functions below (c and z: std::complex, LAPACK's COMPLEX and COMPLEX*16).
#pragma once

#include <complex>
#include <cstdint>

namespace armory::lapack {

// Factors the m x n column-major A (ld lda >= max(1, m)) as P L U in place: L unit lower (below the
// diagonal), U upper; ipiv[i] (1-based, i < min(m, n)) is the row interchanged with row i + 1, as LAPACK
// writes it. Returns 0, or the 1-based index of the first exactly zero pivot (U singular; the factorization is
// completed, as LAPACK completes it). Arguments are not checked.
template <class T>
int64_t lu_factor(int64_t m, int64_t n, T* a, int64_t lda, int* ipiv);

}  // namespace armory::lapack

extern "C" {
int64_t armory_lapack_lu_s(int64_t m, int64_t n, float* a, int64_t lda, int* ipiv);
int64_t armory_lapack_lu_d(int64_t m, int64_t n, double* a, int64_t lda, int* ipiv);
int64_t armory_lapack_lu_c(int64_t m, int64_t n, std::complex<float>* a, int64_t lda, int* ipiv);
int64_t armory_lapack_lu_z(int64_t m, int64_t n, std::complex<double>* a, int64_t lda, int* ipiv);
}
