#include "lapack/jacobi_svd.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace armory::lapack {

namespace {

// LAPACK's dgesvj stops after 30 sweeps; a few columns converge in 4 to 7 (quadratically, once the pairs
// are nearly orthogonal).
constexpr int kMaxSweeps = 30;

template <class T>
void rotate_columns(int64_t length, T* x, T* y, T c, T s) {
  for (int64_t i = 0; i < length; ++i) {
    const T xi = x[i], yi = y[i];
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}

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
  // Each sweep visits every pair once in a round-robin tournament's order (column 0 keeps its seat, the others
  // move one seat a round): the pairs of a round share no column, so the core overlaps one pair's chain of
  // divisions and square roots with the next pair's, where the row-by-row order (0, 1), (0, 2), ... waited
  // on each.
  const int64_t players = cols + cols % 2;
  int64_t seat[kJacobiMaxColumns + 1];
  for (int64_t p = 0; p < players; ++p) seat[p] = p;
  bool converged = false;
  for (int sweep = 0; sweep < kMaxSweeps && !converged; ++sweep) {
    converged = true;
    for (int64_t j = 0; j < cols; ++j) norms[j] = dot(rows, w + j * ldw, w + j * ldw);
    for (int64_t round = 0; round + 1 < players; ++round) {
      for (int64_t slot = 0; slot < players / 2; ++slot) {
        const int64_t i = std::min(seat[slot], seat[players - 1 - slot]);
        const int64_t j = std::max(seat[slot], seat[players - 1 - slot]);
        if (j >= cols) continue;  // the bye of an odd number of columns
        T* wi = w + i * ldw;
        T* wj = w + j * ldw;
        const T alpha = norms[i], beta = norms[j], gamma = dot(rows, wi, wj);
        // A zero column is orthogonal to everything (and sqrt(alpha) sqrt(beta), not sqrt(alpha beta): the
        // product of two squared norms may overflow).
        if (std::abs(gamma) <= tolerance * std::sqrt(alpha) * std::sqrt(beta)) continue;
        converged = false;
        // The rotation that zeroes the pair's inner product, by its smaller angle (Rutishauser's formulas).
        const T zeta = (beta - alpha) / (2 * gamma);
        const T t = std::abs(zeta) > 1 / eps
                        ? T(0.5) / zeta
                        : std::copysign(T(1), zeta) / (std::abs(zeta) + std::sqrt(1 + zeta * zeta));
        const T c = 1 / std::sqrt(1 + t * t), sn = c * t;
        rotate_columns(rows, wi, wj, c, sn);
        if (v != nullptr) rotate_columns(cols, v + i * ldv, v + j * ldv, c, sn);
        // The shrinking norm by subtraction loses its low bits as it falls: recomputed when it fell far.
        norms[i] = alpha - t * gamma;
        norms[j] = beta + t * gamma;
        if (norms[i] < T(0.125) * alpha) norms[i] = dot(rows, wi, wi);
        if (norms[j] < T(0.125) * beta) norms[j] = dot(rows, wj, wj);
      }
      std::rotate(seat + 1, seat + players - 1, seat + players);
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
