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

}  // namespace armory
