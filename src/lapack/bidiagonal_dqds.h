// Singular values of an upper bidiagonal matrix by the dqds algorithm (Fernando and Parlett; LAPACK's
// dlasq1 family): shifted differential quotient-difference transforms on the squares of its entries, with
// no square roots and one division per step, where a Golub-Kahan QR sweep needs two plane rotations.
#pragma once

#include <cstdint>

namespace armory::lapack {

// d (n) and e (n - 1) in; on success d holds the singular values, decreasing, and the result is 0. When
// dqds gives up (an iteration limit, or a transform that cannot be shifted positive) the result is
// non-zero and d and e are left as they were: the caller falls back to QR iteration.
template <class T>
int bidiagonal_values_dqds(int64_t n, T* d, const T* e);

}  // namespace armory::lapack
