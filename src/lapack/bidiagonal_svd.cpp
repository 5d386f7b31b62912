#include "lapack/bidiagonal_svd.h"

#include "blas/vector_kernels.h"
#include "lapack/plane_rotation.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

namespace armory::lapack {

namespace {

// Singular values of the 2x2 upper triangular [f g; 0 h] (LAPACK's dlas2): the smaller one, for the shift.
template <class T>
T smaller_singular_value(T f, T g, T h) {
  const T fa = std::abs(f), ga = std::abs(g), ha = std::abs(h);
  const T fhmn = std::min(fa, ha), fhmx = std::max(fa, ha);
  if (fhmn == T(0)) return T(0);
  if (ga < fhmx) {
    const T as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx, au = (ga / fhmx) * (ga / fhmx);
    const T c = 2 / (std::sqrt(as * as + au) + std::sqrt(at * at + au));
    return fhmn * c;
  }
  const T au = fhmx / ga;
  if (au == T(0)) return (fhmn * fhmx) / ga;
  const T as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx;
  const T c = 1 / (std::sqrt(1 + (as * au) * (as * au)) + std::sqrt(1 + (at * au) * (at * au)));
  return 2 * (fhmn * c) * au;
}

// The rotations of several Golub-Kahan sweeps, kept until they are applied to the columns of u or v.
// One sweep rotates every column of its block once, so applying each sweep as it comes streams the whole
// matrix through the cache per sweep; applying a batch of sweeps to one band of rows at a time (each row's
// rotations in the same order, so the same result to the bit) keeps the band in L2 across the batch.
template <class T>
class RotationLog {
 public:
  // Room for what a bidiagonal of order n usually logs (about two sweeps per order, each up to n rotations),
  // reserved at once: grown by doubling, the logs made a dozen heap allocations per call, a quarter of
  // numpy's batched 3 x 3 svd.
  RotationLog(T* m, int64_t ld, int64_t rows, int64_t n) : m_(m), ld_(ld), rows_(rows) {
    if (rows_ == 0) return;
    sweeps_.reserve(static_cast<size_t>(std::min<int64_t>(int64_t{kCapacity}, 4 * n + 8)));
    cs_.reserve(static_cast<size_t>(std::min<int64_t>(int64_t{kCapacity}, 4 * n * n + 16)));
  }

  void begin_sweep(int64_t first_column) {
    if (rows_ == 0) return;
    sweeps_.push_back({first_column, cs_.size()});
  }
  void add(T c, T s) {
    if (rows_ == 0) return;
    cs_.push_back(c);
    cs_.push_back(s);
    if (cs_.size() >= kCapacity) flush();
  }
  // Rotates columns a and b at once (after the logged ones): x = c x + s y, y = c y - s x.
  void apply_now(int64_t a, int64_t b, T c, T s) {
    if (rows_ == 0) return;
    flush();
    blas::vector_kernels_for<T>().rot(rows_, m_ + a * ld_, m_ + b * ld_, c, s);
  }
  // Applies every logged rotation, in order, band by band.
  void flush() {
    if (sweeps_.empty()) return;
    sweeps_.push_back({0, cs_.size()});  // sentinel: where the last sweep ends
    const auto rot = blas::vector_kernels_for<T>().rot;
    for (int64_t r0 = 0; r0 < rows_; r0 += kBandRows) {
      const int64_t band = std::min(kBandRows, rows_ - r0);
      for (size_t w = 0; w + 1 < sweeps_.size(); ++w) {
        int64_t column = sweeps_[w].first_column;
        for (size_t k = sweeps_[w].offset; k < sweeps_[w + 1].offset; k += 2, ++column) {
          rot(band, m_ + r0 + column * ld_, m_ + r0 + (column + 1) * ld_, cs_[k], cs_[k + 1]);
        }
      }
    }
    sweeps_.clear();
    cs_.clear();
  }

 private:
  static constexpr int64_t kBandRows = 64;                  // 64 rows of every column: within L2
  static constexpr size_t kCapacity = size_t{1} << 16;       // rotations (as c, s pairs) per batch
  struct Sweep {
    int64_t first_column;
    size_t offset;  // into cs_
  };
  T* m_;
  int64_t ld_, rows_;
  std::vector<Sweep> sweeps_;
  std::vector<T> cs_;
};

}  // namespace

template <class T>
int64_t bidiagonal_svd(int64_t n, T* d, T* e, T* v, int64_t ldv, int64_t nrv, T* u, int64_t ldu, int64_t nru) {
  if (n <= 0) return 0;
  const T eps = std::numeric_limits<T>::epsilon();
  T bnorm = 0;
  for (int64_t i = 0; i < n; ++i) bnorm = std::max(bnorm, std::abs(d[i]));
  for (int64_t i = 0; i + 1 < n; ++i) bnorm = std::max(bnorm, std::abs(e[i]));
  // Scaled by a power of two (exactly) to a norm near 1: the shifts square the entries, which would
  // underflow for a tiny block (divide and conquer's leaves can be one).
  int exponent = 0;
  if (bnorm > T(0)) std::frexp(bnorm, &exponent);
  for (int64_t i = 0; i < n; ++i) d[i] = std::ldexp(d[i], -exponent);
  for (int64_t i = 0; i + 1 < n; ++i) e[i] = std::ldexp(e[i], -exponent);
  bnorm = std::ldexp(bnorm, -exponent);
  // An off-diagonal entry is negligible beside its neighbours on the diagonal, or beside the whole matrix
  // (the absolute floor guarantees progress when a diagonal entry is tiny).
  const T tol = 4 * eps, floor = eps * bnorm;
  auto negligible = [&](int64_t i) {
    return std::abs(e[i]) <= tol * (std::abs(d[i]) + std::abs(d[i + 1])) || std::abs(e[i]) <= floor;
  };

  int64_t iterations = 0;
  const int64_t max_iterations = 6 * n * n + 60;
  RotationLog<T> v_log(v, ldv, nrv, n), u_log(u, ldu, nru, n);
  int64_t hi = n - 1;  // the unreduced block being worked on ends here
  while (hi > 0) {
    if (negligible(hi - 1)) {
      e[hi - 1] = 0;
      --hi;
      continue;
    }
    int64_t lo = hi - 1;
    while (lo > 0 && !negligible(lo - 1)) --lo;
    if (lo > 0) e[lo - 1] = 0;
    if (++iterations > max_iterations) break;

    // A (negligible) zero on the diagonal: rotate the superdiagonal entry of its row (or, at the bottom,
    // of its column) out of the block, which splits it there; a shifted sweep would not converge.
    int64_t zero = lo;
    while (zero <= hi && std::abs(d[zero]) > floor) ++zero;
    if (zero <= hi) {
      d[zero] = 0;
      T c, s, r;
      if (zero < hi) {
        T bulge = e[zero];  // in row `zero`, chased right by rotating rows j and `zero`
        e[zero] = 0;
        for (int64_t j = zero + 1; j <= hi; ++j) {
          plane_rotation(d[j], bulge, c, s, r);
          d[j] = r;
          u_log.apply_now(j, zero, c, s);
          if (j == hi) break;
          bulge = -s * e[j];
          e[j] *= c;
        }
      } else {
        T bulge = e[hi - 1];  // in column hi, chased up by rotating columns j and hi
        e[hi - 1] = 0;
        for (int64_t j = hi - 1; j >= lo; --j) {
          plane_rotation(d[j], bulge, c, s, r);
          d[j] = r;
          v_log.apply_now(j, hi, c, s);
          if (j == lo) break;
          bulge = -s * e[j - 1];
          e[j - 1] *= c;
        }
      }
      continue;
    }

    // Shift from the trailing 2x2 of the block; a zero shift when it is negligible beside the block's top.
    T shift = smaller_singular_value(d[hi - 1], e[hi - 1], d[hi]);
    const T top = std::abs(d[lo]);
    if (top == T(0) || (shift / top) * (shift / top) < eps) shift = 0;

    T f, g;
    if (shift == T(0)) {
      f = d[lo];
      g = e[lo];
    } else {
      f = (std::abs(d[lo]) - shift) * (std::copysign(T(1), d[lo]) + shift / d[lo]);
      g = e[lo];
    }
    // One Golub-Kahan step: chase the bulge from the top of the block to its bottom.
    v_log.begin_sweep(lo);
    u_log.begin_sweep(lo);
    for (int64_t i = lo; i < hi; ++i) {
      T c, s, r;
      plane_rotation(f, g, c, s, r);  // from the right, on columns i and i+1
      if (i > lo) e[i - 1] = r;
      f = c * d[i] + s * e[i];
      e[i] = c * e[i] - s * d[i];
      g = s * d[i + 1];
      d[i + 1] = c * d[i + 1];
      v_log.add(c, s);
      plane_rotation(f, g, c, s, r);  // from the left, on rows i and i+1
      d[i] = r;
      f = c * e[i] + s * d[i + 1];
      d[i + 1] = c * d[i + 1] - s * e[i];
      if (i + 1 < hi) {
        g = s * e[i + 1];
        e[i + 1] = c * e[i + 1];
      }
      u_log.add(c, s);
    }
    e[hi - 1] = f;
  }
  v_log.flush();
  u_log.flush();
  int64_t unconverged = 0;
  for (int64_t i = 0; i + 1 < n; ++i) unconverged += e[i] != T(0);
  if (hi > 0 && unconverged > 0) return unconverged;

  // Non-negative values (a sign moves into V), then decreasing order.
  for (int64_t i = 0; i < n; ++i) {
    d[i] = std::ldexp(d[i], exponent);
    if (d[i] < T(0)) {
      d[i] = -d[i];
      for (int64_t r = 0; r < nrv; ++r) v[r + i * ldv] = -v[r + i * ldv];
    }
  }
  if (nrv == 0 && nru == 0) {
    std::sort(d, d + n, std::greater<T>());
    return 0;
  }
  // Selection sort: at most n - 1 swaps of columns, and the values are nearly sorted already.
  for (int64_t i = 0; i + 1 < n; ++i) {
    int64_t best = i;
    for (int64_t k = i + 1; k < n; ++k) {
      if (d[k] > d[best]) best = k;
    }
    if (best == i) continue;
    std::swap(d[i], d[best]);
    for (int64_t r = 0; r < nrv; ++r) std::swap(v[r + i * ldv], v[r + best * ldv]);
    for (int64_t r = 0; r < nru; ++r) std::swap(u[r + i * ldu], u[r + best * ldu]);
  }
  return 0;
}

template int64_t bidiagonal_svd<float>(int64_t, float*, float*, float*, int64_t, int64_t, float*, int64_t, int64_t);
template int64_t bidiagonal_svd<double>(int64_t, double*, double*, double*, int64_t, int64_t, double*, int64_t,
                                        int64_t);

}  // namespace armory::lapack
