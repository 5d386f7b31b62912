// Singular value decomposition of an n x n upper bidiagonal matrix B = U diag(s) V^T by divide and
// conquer (Gu and Eisenstat, "A divide-and-conquer algorithm for the bidiagonal SVD", 1995; the method of
// LAPACK's dbdsdc). B is split at a middle row into two smaller bidiagonals, solved recursively (QR
// iteration below a few dozen rows); the middle row then makes the problem a diagonal matrix plus one
// dense row, whose singular values are the roots of a secular equation and whose vectors follow from
// them in closed form. Combining the halves' vectors is a GEMM, so almost all the work runs on the GEMM
// engine, where QR iteration would spend it in plane rotations.
#pragma once

#include <cstdint>

namespace armory::lapack {

// d (n) and e (n - 1) hold B; d is overwritten with the singular values, non-negative and decreasing, and
// the columns of u and v (n x n, column-major) with the matching left and right singular vectors.
// Returns 0, or the number of superdiagonal entries a leaf's QR iteration left unconverged.
template <class T>
int64_t bidiagonal_svd_dc(int64_t n, T* d, const T* e, T* u, int64_t ldu, T* v, int64_t ldv);

// Below this order the QR iteration is as fast and divide and conquer gains nothing.
inline constexpr int64_t kDivideAndConquerLeaf = 32;

}  // namespace armory::lapack
