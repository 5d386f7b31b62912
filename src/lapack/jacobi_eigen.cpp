#include "lapack/jacobi_eigen.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lapack/jacobi_rotation.h"

namespace armory::lapack {

namespace {

// Cyclic Jacobi converges quadratically once the off-diagonal part is small: a few orders take 3 to 6
// sweeps. Far more means NaN or Inf in the matrix.
constexpr int kMaxSweeps = 50;

}  // namespace

template <class T>
bool jacobi_eigen(int64_t n, T* a, int64_t lda, T* w, T* v, int64_t ldv) {
  constexpr T eps = std::numeric_limits<T>::epsilon();
  if (n > kJacobiEigenMaxOrder) return false;  // the sweep's seats are sized for those
  if (v != nullptr) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < n; ++i) v[i + j * ldv] = i == j ? T(1) : T(0);
    }
  }
  T norm = 0;  // Frobenius, which the rotations keep
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i) norm += a[i + j * lda] * a[i + j * lda];
  }
  norm = std::sqrt(norm);
  if (!std::isfinite(norm)) return false;  // NaN or Inf: the reference decides what that gives
  // An off-diagonal entry is negligible below eps times the geometric mean of its two diagonal entries
  // (Demmel and Veselic's relative criterion: small eigenvalues keep their own accuracy), or, where those
  // are tiny, below eps^2 times the matrix's norm: then it is rounding left by the other rotations.
  const T floor = eps * eps * norm;
  // A round's rotation angles do not depend on each other (each reads its own 2 x 2 block, which the other
  // pairs' rotations leave alone), so the round-robin order lets the core overlap them.
  RoundRobin<kJacobiEigenMaxOrder> pairs(n);
  bool converged = false;
  for (int sweep = 0; sweep < kMaxSweeps && !converged; ++sweep) {
    converged = true;
    for (int64_t round = 0; round < pairs.rounds(); ++round, pairs.next_round()) {
      for (int64_t slot = 0; slot < pairs.slots(); ++slot) {
        int64_t p, q;
        if (!pairs.pair(slot, p, q)) continue;
        T* col_p = a + p * lda;
        T* col_q = a + q * lda;
        const T apq = col_q[p], app = col_p[p], aqq = col_q[q];
        if (std::abs(apq) <= std::max(eps * std::sqrt(std::abs(app)) * std::sqrt(std::abs(aqq)), floor)) continue;
        converged = false;
        // The rotation J (c on p and q's diagonal, s at (p, q), -s at (q, p)) with (J^T A J)_pq = 0.
        const auto [c, s, t] = jacobi_rotation((aqq - app) / (2 * apq));
        for (int64_t r = 0; r < n; ++r) {
          if (r == p || r == q) continue;
          const T arp = col_p[r], arq = col_q[r];
          const T new_rp = c * arp - s * arq, new_rq = s * arp + c * arq;
          col_p[r] = new_rp;
          col_q[r] = new_rq;
          a[p + r * lda] = new_rp;
          a[q + r * lda] = new_rq;
        }
        col_p[p] = app - t * apq;
        col_q[q] = aqq + t * apq;
        col_q[p] = 0;
        col_p[q] = 0;
        if (v != nullptr) rotate_columns(n, v + p * ldv, v + q * ldv, c, s);
      }
    }
  }
  if (!converged) return false;
  for (int64_t j = 0; j < n; ++j) w[j] = a[j + j * lda];
  // Ascending, the vectors moving with their values (selection sort: at most kJacobiEigenMaxOrder of them).
  for (int64_t j = 0; j + 1 < n; ++j) {
    const int64_t smallest = std::min_element(w + j, w + n) - w;
    if (smallest == j) continue;
    std::swap(w[j], w[smallest]);
    if (v != nullptr) std::swap_ranges(v + j * ldv, v + j * ldv + n, v + smallest * ldv);
  }
  return true;
}

template bool jacobi_eigen<float>(int64_t, float*, int64_t, float*, float*, int64_t);
template bool jacobi_eigen<double>(int64_t, double*, int64_t, double*, double*, int64_t);

}  // namespace armory::lapack
