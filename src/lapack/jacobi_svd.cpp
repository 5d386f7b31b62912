#include "lapack/jacobi_svd.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lapack/jacobi_rotation.h"

namespace armory::lapack {

namespace {

// LAPACK's dgesvj stops after 30 sweeps; a few columns converge in 4 to 7 (quadratically, once the pairs
// are nearly orthogonal).
constexpr int kMaxSweeps = 30;

// In four partial sums, which the compiler keeps in one vector register: a single sum was a chain of
// dependent additions, the whole of a small column's cost.
template <class T>
T dot(int64_t length, const T* x, const T* y) {
  T partial[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= length; i += 4) {
    for (int l = 0; l < 4; ++l) partial[l] += x[i + l] * y[i + l];
  }
  for (; i < length; ++i) partial[0] += x[i] * y[i];
  return (partial[0] + partial[1]) + (partial[2] + partial[3]);
}

}  // namespace

template <class T>
bool jacobi_svd(int64_t rows, int64_t cols, T* w, int64_t ldw, T* s, T* v, int64_t ldv) {
  constexpr T eps = std::numeric_limits<T>::epsilon();
  if (cols > kJacobiMaxColumns) return false;  // the norms and the sweep's seats are sized for those
  // Pairs whose cosine is below this are orthogonal (dgesvj's sqrt(m) eps): U's columns are then orthogonal
  // to the same level, whatever their norms.
  const T tolerance = std::sqrt(T(rows)) * eps;
  if (v != nullptr) {
    for (int64_t j = 0; j < cols; ++j) {
      for (int64_t i = 0; i < cols; ++i) v[i + j * ldv] = i == j ? T(1) : T(0);
    }
  }
  // The columns' squared norms, recomputed each sweep and updated through its rotations (a rotation by t
  // moves t gamma from one to the other), so that a pair costs one inner product, not three.
  T norms[kJacobiMaxColumns];
  RoundRobin<kJacobiMaxColumns> pairs(cols);
  bool converged = false;
  for (int sweep = 0; sweep < kMaxSweeps && !converged; ++sweep) {
    converged = true;
    for (int64_t j = 0; j < cols; ++j) norms[j] = dot(rows, w + j * ldw, w + j * ldw);
    for (int64_t round = 0; round < pairs.rounds(); ++round, pairs.next_round()) {
      for (int64_t slot = 0; slot < pairs.slots(); ++slot) {
        int64_t i, j;
        if (!pairs.pair(slot, i, j)) continue;
        T* wi = w + i * ldw;
        T* wj = w + j * ldw;
        const T alpha = norms[i], beta = norms[j], gamma = dot(rows, wi, wj);
        // A zero column is orthogonal to everything (and sqrt(alpha) sqrt(beta), not sqrt(alpha beta): the
        // product of two squared norms may overflow).
        if (std::abs(gamma) <= tolerance * std::sqrt(alpha) * std::sqrt(beta)) continue;
        converged = false;
        // The rotation that zeroes the pair's inner product.
        const auto [c, sn, t] = jacobi_rotation((beta - alpha) / (2 * gamma));
        rotate_columns(rows, wi, wj, c, sn);
        if (v != nullptr) rotate_columns(cols, v + i * ldv, v + j * ldv, c, sn);
        // The shrinking norm by subtraction loses its low bits as it falls: recomputed when it fell far.
        norms[i] = alpha - t * gamma;
        norms[j] = beta + t * gamma;
        if (norms[i] < T(0.125) * alpha) norms[i] = dot(rows, wi, wi);
        if (norms[j] < T(0.125) * beta) norms[j] = dot(rows, wj, wj);
      }
    }
  }
  if (!converged) return false;

  for (int64_t j = 0; j < cols; ++j) s[j] = std::sqrt(dot(rows, w + j * ldw, w + j * ldw));
  // Decreasing, the columns moving with their values (selection sort: at most kJacobiMaxColumns of them).
  for (int64_t j = 0; j + 1 < cols; ++j) {
    const int64_t largest = std::max_element(s + j, s + cols) - s;
    if (largest == j) continue;
    std::swap(s[j], s[largest]);
    std::swap_ranges(w + j * ldw, w + j * ldw + rows, w + largest * ldw);
    if (v != nullptr) std::swap_ranges(v + j * ldv, v + j * ldv + cols, v + largest * ldv);
  }
  if (v == nullptr) return true;
  // Below this, 1 / s would lose bits or overflow; such a column is rounding left by an exactly singular
  // matrix, and U's column there has to be completed instead (the bidiagonal path does).
  const T smallest = std::numeric_limits<T>::min() / eps;
  if (s[cols - 1] < smallest) return false;
  for (int64_t j = 0; j < cols; ++j) {
    const T inverse = 1 / s[j];
    for (int64_t r = 0; r < rows; ++r) w[r + j * ldw] *= inverse;
  }
  return true;
}

template bool jacobi_svd<float>(int64_t, int64_t, float*, int64_t, float*, float*, int64_t);
template bool jacobi_svd<double>(int64_t, int64_t, double*, int64_t, double*, double*, int64_t);

}  // namespace armory::lapack
