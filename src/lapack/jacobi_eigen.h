// Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations (two-sided: each
// rotation zeroes one off-diagonal pair). numpy's eigh and eigvalsh of a stack of small matrices call
// ?syevd once per matrix, and the reference's reduction to tridiagonal form, its explicit Q and its QR
// iteration cost more there than the whole of Jacobi's few sweeps; the values come out at least as
// accurate (to a small multiple of eps times each value's own scale on graded matrices).
#pragma once

#include <cstdint>

namespace armory::lapack {

// The orders Jacobi takes (liblapack.so.3's ?syevd_; larger ones go to the reference). dsyevd_ with vectors
// in one process against the reference, random matrices, 1 thread, Zen 3, us, reference / Jacobi: n = 2
// 0.42 / 0.12, 3 1.10 / 0.49, 4 2.04 / 0.85, 5 2.73 / 1.71, 6 3.86 / 3.24, 8 6.21 / 6.01 (each order takes
// about six sweeps of all its pairs, the last finding nothing left to rotate).
inline constexpr int64_t kJacobiEigenMaxOrder = 6;

// a: n x n symmetric with both triangles filled (column-major, lda), its entries of a magnitude whose
// squares are representable (the caller scales); overwritten. On success w holds the eigenvalues in
// ascending order and, when v is not null, v (n x n, ldv) the orthonormal eigenvectors in the same order.
// Returns false (w and v unspecified) for an order above kJacobiEigenMaxOrder, NaN or Inf in a, or when the
// sweeps did not converge.
template <class T>
bool jacobi_eigen(int64_t n, T* a, int64_t lda, T* w, T* v, int64_t ldv);

}  // namespace armory::lapack
