// The SVD of a small tall matrix by one-sided Jacobi (Hestenes; LAPACK's dgesvj is the careful version):
// plane rotations of pairs of columns until every pair is orthogonal to working precision. The values are
// then the columns' norms, U the columns normalised, V the product of the rotations. For a handful of
// columns the bidiagonal path's setup (its workspaces, reflectors, explicit Q and P) costs more than the
// whole decomposition; numpy's batched svd of 3 x 3 matrices spends its time there.
#pragma once

#include <cstdint>

namespace armory::lapack {

// The small path's limits (svd.cpp keeps the working copy on the stack): columns, and rows x columns.
// Square random matrices, dgesdd with full vectors, 1 thread, Zen 3, against the bidiagonal path in one
// process: n = 3 / 6 / 8 / 10 / 12 2.62 / 5.79 / 8.86 / 11.97 / 16.42 us -> 0.71 / 2.76 / 6.88 / 11.96 / 21.01
// (more columns take more sweeps, each a pass over all the pairs).
inline constexpr int64_t kJacobiMaxColumns = 10;
inline constexpr int64_t kJacobiMaxElements = 256;

// w: rows x cols (rows >= cols, column-major, ldw), its entries of a magnitude whose squares are
// representable (svd.cpp scales it so). On success w holds U's columns (when v is not null; otherwise the
// rotated columns), v (cols x cols, ldv, may be null) holds V and s the values, decreasing, with the
// columns in the same order. Returns false, leaving all three unspecified, for more than kJacobiMaxColumns
// columns, when the rotations did not converge, or when a column is too small to normalise (the matrix is
// singular to working precision and U would need completing): the caller then takes the bidiagonal path.
template <class T>
bool jacobi_svd(int64_t rows, int64_t cols, T* w, int64_t ldw, T* s, T* v, int64_t ldv);

}  // namespace armory::lapack
