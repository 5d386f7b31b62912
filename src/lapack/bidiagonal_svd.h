// Singular values (and optionally vectors) of an upper bidiagonal matrix B (d on the diagonal, e above):
// implicit-shift QR iteration (Golub-Kahan steps with Wilkinson shifts, zero shifts when a shift would
// not matter), as LAPACK's dbdsqr. The rotations are applied to the columns of v (nrv x n) and of u
// (nru x n), so passing P and Q from the bidiagonalization yields the SVD of A; columns rather than
// dbdsqr's rows of V^T, because a column is contiguous.
#pragma once

#include <cstdint>

namespace armory::lapack {

// On return d holds the singular values, non-negative and decreasing. Returns 0, or the number of
// superdiagonal entries that did not converge (LAPACK's info > 0).
template <class T>
int64_t bidiagonal_svd(int64_t n, T* d, T* e, T* v, int64_t ldv, int64_t nrv, T* u, int64_t ldu, int64_t nru);

}  // namespace armory::lapack
