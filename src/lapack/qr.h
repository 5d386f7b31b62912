// Householder QR of a column-major m x n matrix (m >= n), blocked as LAPACK's dgeqrf: R in the upper
// triangle, the reflectors below it (the layout form_q reads). The SVD of a tall matrix starts here.
#pragma once

#include <cstdint>
#include <vector>

namespace armory::lapack {

template <class T>
void qr_factor(int64_t m, int64_t n, T* a, int64_t lda, std::vector<T>& tau);

}  // namespace armory::lapack
