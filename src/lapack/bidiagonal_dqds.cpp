#include "lapack/bidiagonal_dqds.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

namespace armory::lapack {

namespace {

// One dqds transform of the qd array (q, f) of length m with shift tau into (qq, ff). Fails (false) when
// a d other than the last goes negative, i.e. tau is not below the smallest eigenvalue, or a pivot
// vanishes. dmin: the smallest d; dmin2: the smallest excluding the last two.
template <class T>
struct Transform {
  T dmin, dn, dmin2;
  int64_t last_zero;  // the last i < m - 1 with ff[i] == 0 (a zero q splits the array there), or -1
};

template <class T>
bool dqds_transform(int64_t m, const T* q, const T* f, T tau, T* qq, T* ff, Transform<T>& out) {
  T d = q[0] - tau;
  if (!(d >= T(0))) return false;
  T dmin = d, dmin2 = std::numeric_limits<T>::infinity();
  int64_t last_zero = -1;
  for (int64_t i = 0; i + 1 < m; ++i) {
    if (i + 2 < m) dmin2 = std::min(dmin2, d);
    qq[i] = d + f[i];
    if (!(qq[i] > T(0))) return false;
    const T t = q[i + 1] / qq[i];
    ff[i] = f[i] * t;
    if (ff[i] == T(0)) last_zero = i;
    d = d * t - tau;
    if (i + 2 < m && !(d >= T(0))) return false;
    dmin = std::min(dmin, d);
  }
  qq[m - 1] = d;
  out = {dmin, d, dmin2, last_zero};
  return std::isfinite(d);
}

// The eigenvalues of the 2 x 2 qd block (q1, f1, q2): trace and determinant without cancellation.
template <class T>
std::pair<T, T> two_by_two(T q1, T f1, T q2) {
  const T b = f1 + q2;
  const T root = std::sqrt((q1 - b) * (q1 - b) + 4 * q1 * f1);
  const T big = (q1 + b + root) / 2;
  return {big > T(0) ? q1 * q2 / big : T(0), big};
}

// A lower estimate of the smallest eigenvalue of the array after a transform (the next shift). When the
// bottom holds the smallest d, a perturbation estimate from the bottom 2 x 2's coupling and the gap above
// it (the idea of LAPACK's dlasq4); otherwise a fraction of dmin that grows while shifts keep succeeding.
template <class T>
T next_shift(int64_t m, const T* q, const T* f, const Transform<T>& t, T& growth) {
  if (m >= 3 && t.dmin == t.dn) {
    growth = T(0.25);
    const T b1sq = q[m - 1] * f[m - 2], b1 = std::sqrt(b1sq);
    const T b2sq = q[m - 2] * f[m - 3], b2 = std::sqrt(b2sq);
    const T a2 = q[m - 2] + f[m - 2];
    T gap1 = a2 - t.dn - (b1 + b2);
    const T gap2 = t.dmin2 - a2 - t.dmin2 / 4;
    if (gap2 > T(0) && gap2 > b2) gap1 = a2 - t.dn - b2sq / gap2;
    if (gap1 > T(0) && gap1 > b1) return std::max(t.dn - b1sq / gap1, t.dmin / 2);
    T s = t.dn > b1 ? t.dn - b1 : T(0);
    if (a2 > b1 + b2) s = std::min(s, a2 - (b1 + b2));
    return std::max(s, T(0.333) * t.dmin);
  }
  const T s = growth * t.dmin;
  growth += (1 - growth) / 3;
  return s;
}

// The eigenvalues of one unreduced block's B^T B (as its qd array, shifted by sigma), appended to `out`.
// False: gave up.
template <class T>
bool block_eigenvalues(std::vector<T>& q, std::vector<T>& f, T sigma, std::vector<T>& out) {
  constexpr T eps = std::numeric_limits<T>::epsilon();
  const T tol2 = (100 * eps) * (100 * eps);
  int64_t m = static_cast<int64_t>(q.size());
  std::vector<T> qq(m), ff(std::max<int64_t>(m - 1, 0));
  T tau = 0, growth = T(0.25);
  int failures = 0;
  int64_t transforms = 0;
  const int64_t limit = 30 * m + 100;
  while (m > 0) {
    if (m == 1) {
      out.push_back(q[0] + sigma);
      break;
    }
    if (f[m - 2] <= tol2 * (sigma + q[m - 1]) || f[m - 2] <= tol2 * q[m - 2]) {
      out.push_back(q[m - 1] + sigma);
      --m;
      continue;
    }
    if (m == 2 || f[m - 3] <= tol2 * sigma || f[m - 3] <= tol2 * q[m - 3]) {
      const auto [small, big] = two_by_two(q[m - 2], f[m - 2], q[m - 1]);
      out.push_back(small + sigma);
      out.push_back(big + sigma);
      m -= 2;
      continue;
    }
    if (++transforms > limit) return false;
    Transform<T> t{};
    bool ok = dqds_transform(m, q.data(), f.data(), tau, qq.data(), ff.data(), t);
    // Only the last d negative and tiny: the bottom had converged, the shift went just past it.
    if (ok && t.dn < T(0)) {
      ok = t.dn > -100 * eps * (sigma + tau);
      if (ok) {
        qq[m - 1] = 0;
        t.dn = 0;
        t.dmin = 0;
      }
    }
    if (!ok) {
      if (tau == T(0)) return false;  // cannot happen in exact arithmetic: leave it to QR iteration
      ++failures;
      growth = T(0.25);
      tau = failures >= 3 ? T(0) : tau / 4;
      continue;
    }
    failures = 0;
    sigma += tau;
    q.swap(qq);  // ping-pong: the transform's output is the next one's input
    f.swap(ff);
    if (t.last_zero >= 0) {
      // A zero q made an exact split: the part below it is an independent block.
      const int64_t top = t.last_zero + 1;
      std::vector<T> lower_q(q.begin() + top, q.begin() + m), lower_f(f.begin() + top, f.begin() + m - 1);
      if (!block_eigenvalues(lower_q, lower_f, sigma, out)) return false;
      m = top;
      tau = 0;
      growth = T(0.25);
      continue;
    }
    tau = next_shift(m, q.data(), f.data(), t, growth);
  }
  return true;
}

}  // namespace

template <class T>
int bidiagonal_values_dqds(int64_t n, T* d, const T* e) {
  if (n <= 0) return 0;
  T bnorm = 0;
  for (int64_t i = 0; i < n; ++i) bnorm = std::max(bnorm, std::abs(d[i]));
  for (int64_t i = 0; i + 1 < n; ++i) bnorm = std::max(bnorm, std::abs(e[i]));
  if (!std::isfinite(bnorm)) return 1;
  if (bnorm == T(0)) return 0;
  // A power of two brings the largest entry near 1 (exactly, so the values scale back exactly); squares
  // of entries below sqrt(min) of it then vanish, which changes no value by more than that.
  int exponent = 0;
  std::frexp(bnorm, &exponent);
  std::vector<T> eigenvalues;
  eigenvalues.reserve(n);
  std::vector<T> q, f;
  for (int64_t lo = 0; lo < n;) {
    // The unreduced block starting at lo: up to the first zero superdiagonal square.
    int64_t hi = lo;
    q.clear();
    f.clear();
    for (;;) {
      const T x = std::ldexp(d[hi], -exponent);
      q.push_back(x * x);
      if (hi + 1 == n) break;
      const T y = std::ldexp(e[hi], -exponent);
      if (y * y == T(0)) break;
      f.push_back(y * y);
      ++hi;
    }
    if (!block_eigenvalues(q, f, T(0), eigenvalues)) return 1;
    lo = hi + 1;
  }
  std::sort(eigenvalues.begin(), eigenvalues.end(), std::greater<T>());
  for (int64_t i = 0; i < n; ++i) d[i] = std::ldexp(std::sqrt(std::max(eigenvalues[i], T(0))), exponent);
  return 0;
}

template int bidiagonal_values_dqds<float>(int64_t, float*, const float*);
template int bidiagonal_values_dqds<double>(int64_t, double*, const double*);

}  // namespace armory::lapack
