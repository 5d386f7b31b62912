// What the two Jacobi methods share (jacobi_svd.cpp, one-sided; jacobi_eigen.cpp, two-sided): the rotation
// that zeroes a pair by its smaller angle, the rotation of two columns, and the order of the pairs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace armory::lapack {

// The plane rotation [c s; -s c] whose tangent t solves t^2 + 2 zeta t - 1 = 0 by the root of smaller
// magnitude (Rutishauser's formulas): zeta = (beta - alpha) / (2 gamma) for a pair of squared norms
// alpha, beta and inner product gamma (one-sided), or of diagonal entries and off-diagonal (two-sided).
template <class T>
struct JacobiRotation {
  T c, s, t;
};

template <class T>
JacobiRotation<T> jacobi_rotation(T zeta) {
  constexpr T eps = std::numeric_limits<T>::epsilon();
  // Beyond 1 / eps, sqrt(1 + zeta^2) is |zeta| to working precision (and zeta^2 may overflow).
  const T t = std::abs(zeta) > 1 / eps ? T(0.5) / zeta
                                       : std::copysign(T(1), zeta) / (std::abs(zeta) + std::sqrt(1 + zeta * zeta));
  const T c = 1 / std::sqrt(1 + t * t);
  return {c, c * t, t};
}

// (x, y) <- (c x - s y, s x + c y), elementwise over `length`.
template <class T>
void rotate_columns(int64_t length, T* x, T* y, T c, T s) {
  for (int64_t i = 0; i < length; ++i) {
    const T xi = x[i], yi = y[i];
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}

// Every pair of `count` (at most MaxCount) indices once per sweep, in a round-robin tournament's order: index 0
// keeps its seat, the others move one seat a round, and a round's pairs share no index. So the core overlaps one
// pair's chain of divisions and square roots with the next pair's, where the row-by-row order (0, 1), (0, 2),
// ... made each wait on the last (10-15% of an 8-column SVD).
template <int64_t MaxCount>
class RoundRobin {
 public:
  explicit RoundRobin(int64_t count) : count_(count), players_(count + count % 2) {
    for (int64_t p = 0; p < players_; ++p) seat_[p] = p;
  }
  int64_t rounds() const { return players_ - 1; }
  int64_t slots() const { return players_ / 2; }
  // The pair at `slot` of the current round, smaller index first; false for the bye of an odd count.
  bool pair(int64_t slot, int64_t& i, int64_t& j) const {
    i = std::min(seat_[slot], seat_[players_ - 1 - slot]);
    j = std::max(seat_[slot], seat_[players_ - 1 - slot]);
    return j < count_;
  }
  void next_round() { std::rotate(seat_ + 1, seat_ + players_ - 1, seat_ + players_); }

 private:
  int64_t count_, players_;
  int64_t seat_[MaxCount + 1];
};

}  // namespace armory::lapack
