#include "lapack/bidiagonal.h"

#include <algorithm>

#include "lapack/householder.h"

namespace armory::lapack {

// Column by column (LAPACK's dgebd2): a left reflector clears column i below the diagonal, a right one
// clears row i right of the superdiagonal.
template <class T>
Bidiagonal<T> bidiagonalize(int64_t m, int64_t n, T* a, int64_t lda) {
  Bidiagonal<T> b;
  b.d.resize(n);
  b.e.resize(std::max<int64_t>(n - 1, 0));
  b.tauq.assign(n, T(0));
  b.taup.assign(n, T(0));
  auto at = [&](int64_t i, int64_t j) -> T& { return a[i + j * lda]; };
  for (int64_t i = 0; i < n; ++i) {
    b.tauq[i] = make_reflector(m - i, at(i, i), &at(std::min(i + 1, m - 1), i), 1);
    b.d[i] = at(i, i);
    at(i, i) = T(1);
    apply_reflector_left(m - i, n - i - 1, &at(i, i), 1, b.tauq[i], &at(i, i + 1), lda);
    at(i, i) = b.d[i];
    if (i + 1 < n) {
      b.taup[i] = make_reflector(n - i - 1, at(i, i + 1), &at(i, std::min(i + 2, n - 1)), lda);
      b.e[i] = at(i, i + 1);
      at(i, i + 1) = T(1);
      apply_reflector_right(m - i - 1, n - i - 1, &at(i, i + 1), lda, b.taup[i], &at(i + 1, i + 1), lda);
      at(i, i + 1) = b.e[i];
    }
  }
  return b;
}

template <class T>
void form_q(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, int64_t cols, T* q,
            int64_t ldq) {
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t i = 0; i < m; ++i) q[i + j * ldq] = i == j ? T(1) : T(0);
  }
  std::vector<T> v(m);
  // Q = H_0 H_1 ... H_{n-1}: applied to the identity from the last reflector back.
  for (int64_t i = n - 1; i >= 0; --i) {
    v[0] = T(1);
    for (int64_t r = i + 1; r < m; ++r) v[r - i] = a[r + i * lda];
    apply_reflector_left(m - i, cols - i, v.data(), 1, tauq[i], q + i + i * ldq, ldq);
  }
}

template <class T>
void form_p(int64_t n, const T* a, int64_t lda, const std::vector<T>& taup, T* p, int64_t ldp) {
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i) p[i + j * ldp] = i == j ? T(1) : T(0);
  }
  std::vector<T> v(n);
  // P = G_0 G_1 ... G_{n-2}, G_i acting on rows and columns i+1..n-1 with its vector in row i of A:
  // applied to the identity from the last reflector back, like Q.
  for (int64_t i = n - 2; i >= 0; --i) {
    v[0] = T(1);
    for (int64_t c = i + 2; c < n; ++c) v[c - i - 1] = a[i + c * lda];
    apply_reflector_left(n - i - 1, n - i - 1, v.data(), 1, taup[i], p + (i + 1) + (i + 1) * ldp, ldp);
  }
}

template Bidiagonal<float> bidiagonalize<float>(int64_t, int64_t, float*, int64_t);
template Bidiagonal<double> bidiagonalize<double>(int64_t, int64_t, double*, int64_t);
template void form_q<float>(int64_t, int64_t, const float*, int64_t, const std::vector<float>&, int64_t, float*,
                            int64_t);
template void form_q<double>(int64_t, int64_t, const double*, int64_t, const std::vector<double>&, int64_t, double*,
                             int64_t);
template void form_p<float>(int64_t, const float*, int64_t, const std::vector<float>&, float*, int64_t);
template void form_p<double>(int64_t, const double*, int64_t, const std::vector<double>&, double*, int64_t);

}  // namespace armory::lapack
