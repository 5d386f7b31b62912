// Singular value decomposition A = U diag(s) V^T of a real column-major m x n matrix, with LAPACK
// gesdd's choices of output: values only, thin vectors (U m x min(m,n), V^T min(m,n) x n) or full ones
// (U m x m, V^T n x n). A is overwritten. Singular values come out non-negative and in decreasing order.
// A NaN or Inf in A is an error (Errc::invalid_argument), as is an argument LAPACK would reject;
// Errc::internal with "did not converge" when the bidiagonal iteration fails (LAPACK's info > 0).
#pragma once

#include <armory/status.h>

#include <cstdint>

namespace armory {

enum class SvdVectors { none, thin, full };

Status svd(SvdVectors vectors, int64_t m, int64_t n, double* a, int64_t lda, double* s, double* u, int64_t ldu,
           double* vt, int64_t ldvt);
Status svd(SvdVectors vectors, int64_t m, int64_t n, float* a, int64_t lda, float* s, float* u, int64_t ldu, float* vt,
           int64_t ldvt);

// The SVDs of a stack of `count` m x n matrices laid out alike (numpy's (..., M, N) arrays): matrix i at
// a + i * a_stride, its values at s + i * s_stride, its vectors at u + i * u_stride and vt + i * vt_stride,
// each as svd() takes them. Small matrices (up to kSvdBatchSharedElements entries) are shared among armory's
// threads, each decomposed on one; larger ones take the threads one after another. Every matrix is
// decomposed as svd() would alone, whatever the thread count. Returns the error of the first matrix (by
// index) that failed, naming it; the others are still decomposed.
inline constexpr int64_t kSvdBatchSharedElements = 128 * 128;
Status svd_batch(SvdVectors vectors, int64_t count, int64_t m, int64_t n, double* a, int64_t lda, int64_t a_stride,
                 double* s, int64_t s_stride, double* u, int64_t ldu, int64_t u_stride, double* vt, int64_t ldvt,
                 int64_t vt_stride);
Status svd_batch(SvdVectors vectors, int64_t count, int64_t m, int64_t n, float* a, int64_t lda, int64_t a_stride,
                 float* s, int64_t s_stride, float* u, int64_t ldu, int64_t u_stride, float* vt, int64_t ldvt,
                 int64_t vt_stride);

}  // namespace armory
