// BLAS level 1: vector operations, templated over float, double and their complex types.
// Semantics follow reference BLAS 3.11 exactly (negative increments walk from the far end, n <= 0 is a
// no-op); the contiguous paths keep several independent partial sums so the compiler vectorises them.
#pragma once

#include "types.h"
#include "vector_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace armory::blas {

// Whether n elements from x and n from y share no element (the vector kernels' restrict pointers).
template <class T>
bool apart(const T* x, const T* y, index_t n) {
  const auto xa = reinterpret_cast<uintptr_t>(x), ya = reinterpret_cast<uintptr_t>(y);
  const auto bytes = static_cast<uintptr_t>(n) * sizeof(T);
  return xa + bytes <= ya || ya + bytes <= xa;
}

// A contiguous vector as reals, a complex one's (re, im) pairs as 2n of them: what asum, nrm2, swap and a
// real scale or rotation do to a complex vector they do to each of its parts alike, so the real kernels serve.
template <class T>
const real_t<T>* reals(const T* x) {
  return reinterpret_cast<const real_t<T>*>(x);
}
template <class T>
real_t<T>* reals(T* x) {
  return reinterpret_cast<real_t<T>*>(x);
}

template <class T>
void axpy(index_t n, T alpha, const T* x, index_t incx, T* y, index_t incy) {
  if (n <= 0 || alpha == T(0)) return;
  if (incx == 1 && incy == 1) {
    vector_axpy(n, alpha, x, y);
    return;
  }
  Strided<const T> xs(x, n, incx);
  Strided<T> ys(y, n, incy);
  for (index_t i = 0; i < n; ++i) ys[i] += alpha * xs[i];
}

// Sum of x[i] * y[i] (conjugating x when asked), accumulated in Acc.
template <class Acc, class T>
Acc dot_accumulate(index_t n, const T* x, index_t incx, const T* y, index_t incy, bool conjugate_x) {
  if (n <= 0) return Acc(0);
  if constexpr (std::is_same_v<Acc, T>) {
    if (incx == 1 && incy == 1) return vector_dot(n, x, y, conjugate_x);
  }
  if (incx == 1 && incy == 1 && !conjugate_x) {
    // Eight independent partial sums: the loop vectorises without reassociating one long chain.
    constexpr int kLanes = 8;
    Acc partial[kLanes] = {};
    index_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
      for (int l = 0; l < kLanes; ++l) partial[l] += Acc(x[i + l]) * Acc(y[i + l]);
    }
    Acc sum(0);
    for (int l = 0; l < kLanes; ++l) sum += partial[l];
    for (; i < n; ++i) sum += Acc(x[i]) * Acc(y[i]);
    return sum;
  }
  Strided<const T> xs(x, n, incx);
  Strided<const T> ys(y, n, incy);
  Acc sum(0);
  for (index_t i = 0; i < n; ++i) sum += Acc(conj_if(xs[i], conjugate_x)) * Acc(ys[i]);
  return sum;
}

template <class T>
T dot(index_t n, const T* x, index_t incx, const T* y, index_t incy, bool conjugate_x = false) {
  return dot_accumulate<T>(n, x, incx, y, incy, conjugate_x);
}

// Reference BLAS returns without touching x when incx <= 0.
template <class T, class S>
void scal(index_t n, S alpha, T* x, index_t incx) {
  if (n <= 0 || incx <= 0) return;
  if (incx == 1) {
    if constexpr (is_complex<T> && !is_complex<S>) {
      vector_kernels_for<S>().scal(2 * n, alpha, reals(x));  // csscal, zdscal: a real factor scales every part
    } else {
      ElementKernels<T>().scal(n, alpha, x);
    }
    return;
  }
  for (index_t i = 0; i < n; ++i) x[i * incx] *= alpha;
}

template <class T>
void copy(index_t n, const T* x, index_t incx, T* y, index_t incy) {
  if (n <= 0) return;
  if (incx == 1 && incy == 1) {
    std::copy(x, x + n, y);
    return;
  }
  // Four elements a step, loaded before any is stored: numpy copies every matrix into and out of LAPACK a
  // strided row at a time, and one element a step ran 1.4x OpenBLAS's time (32 elements 256 bytes apart, the
  // stores waiting on the loads one by one).
  Strided<const T> xs(x, n, incx);
  Strided<T> ys(y, n, incy);
  index_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const T v0 = xs[i], v1 = xs[i + 1], v2 = xs[i + 2], v3 = xs[i + 3];
    ys[i] = v0;
    ys[i + 1] = v1;
    ys[i + 2] = v2;
    ys[i + 3] = v3;
  }
  for (; i < n; ++i) ys[i] = xs[i];
}

template <class T>
void swap(index_t n, T* x, index_t incx, T* y, index_t incy) {
  if (n <= 0) return;
  if (incx == 1 && incy == 1 && apart(x, y, n)) {
    vector_kernels_for<real_t<T>>().swap(n * kRealsPerElement<T>, reals(x), reals(y));
    return;
  }
  Strided<T> xs(x, n, incx);
  Strided<T> ys(y, n, incy);
  for (index_t i = 0; i < n; ++i) std::swap(xs[i], ys[i]);
}

template <class T>
real_t<T> asum(index_t n, const T* x, index_t incx) {
  using R = real_t<T>;
  if (n <= 0 || incx <= 0) return R(0);
  // |re| + |im| summed over the elements is |part| summed over the parts.
  if (incx == 1) return vector_kernels_for<R>().asum(n * kRealsPerElement<T>, reals(x));
  R sum(0);
  for (index_t i = 0; i < n; ++i) sum += abs1(x[i * incx]);
  return sum;
}

// 1-based index of the first element with the largest |re| + |im|; 0 when n < 1 or incx <= 0.
template <class T>
index_t iamax(index_t n, const T* x, index_t incx) {
  if (n < 1 || incx <= 0) return 0;
  if (incx == 1) return static_cast<index_t>(ElementKernels<T>().iamax(n, x)) + 1;
  index_t best = 0;
  real_t<T> best_value = abs1(x[0]);
  for (index_t i = 1; i < n; ++i) {
    real_t<T> v = abs1(x[i * incx]);
    if (v > best_value) {
      best = i;
      best_value = v;
    }
  }
  return best + 1;
}

// Euclidean norm without overflow or harmful underflow: Blue's three accumulators (small, medium, big)
// with scaling constants derived from the floating-point format, as in reference BLAS 3.10's nrm2.
template <class R>
class BlueNorm {
 public:
  BlueNorm() {
    using L = std::numeric_limits<R>;
    const int minexp = L::min_exponent, maxexp = L::max_exponent, digits = L::digits;
    tsml_ = std::ldexp(R(1), ceil_half(minexp - 1));
    tbig_ = std::ldexp(R(1), floor_half(maxexp - digits + 1));
    ssml_ = std::ldexp(R(1), -floor_half(minexp - digits));
    sbig_ = std::ldexp(R(1), -ceil_half(maxexp + digits - 1));
  }

  // Magnitudes in [small(), big()] are squared as they are (the medium accumulator).
  R small() const { return tsml_; }
  R big() const { return tbig_; }

  void add(R value) {
    R ax = std::abs(value);
    if (ax > tbig_) {
      big_ += (ax * sbig_) * (ax * sbig_);
      not_big_ = false;
    } else if (ax < tsml_) {
      if (not_big_) small_ += (ax * ssml_) * (ax * ssml_);
    } else {
      medium_ += ax * ax;
    }
  }

  R result() const {
    const R max_finite = std::numeric_limits<R>::max();
    const bool medium_counts = medium_ > R(0) || medium_ > max_finite || medium_ != medium_;
    R scale, sumsq;
    if (big_ > R(0)) {
      R big = big_;
      if (medium_counts) big += (medium_ * sbig_) * sbig_;
      scale = R(1) / sbig_;
      sumsq = big;
    } else if (small_ > R(0)) {
      if (medium_counts) {
        R medium = std::sqrt(medium_);
        R small = std::sqrt(small_) / ssml_;
        R ymin, ymax;
        if (small > medium) {
          ymin = medium;
          ymax = small;
        } else {
          ymin = small;
          ymax = medium;
        }
        scale = R(1);
        sumsq = ymax * ymax * (R(1) + (ymin / ymax) * (ymin / ymax));
      } else {
        scale = R(1) / ssml_;
        sumsq = small_;
      }
    } else {
      scale = R(1);
      sumsq = medium_;
    }
    return scale * std::sqrt(sumsq);
  }

 private:
  static int floor_half(int x) { return x >= 0 ? x / 2 : -((-x + 1) / 2); }
  static int ceil_half(int x) { return -floor_half(-x); }

  R tsml_, tbig_, ssml_, sbig_;
  R small_ = 0, medium_ = 0, big_ = 0;
  bool not_big_ = true;
};

template <class T>
real_t<T> nrm2(index_t n, const T* x, index_t incx) {
  using R = real_t<T>;
  if (n <= 0) return R(0);
  BlueNorm<R> norm;
  // All medium (or float): Blue's result is the square root of the plain sum (the medium accumulator alone);
  // a complex vector's is its parts'.
  if (incx == 1) {
    const double sum =
        vector_kernels_for<R>().nrm2_sum_of_squares(n * kRealsPerElement<T>, reals(x), norm.small(), norm.big());
    if (sum >= 0.0) return static_cast<R>(std::sqrt(sum));
  }
  Strided<const T> xs(x, n, incx);
  for (index_t i = 0; i < n; ++i) {
    if constexpr (is_complex<T>) {
      norm.add(xs[i].real());
      norm.add(xs[i].imag());
    } else {
      norm.add(xs[i]);
    }
  }
  return norm.result();
}

// Plane rotation with a real cosine and sine: (x, y) <- (c x + s y, c y - s x).
template <class T, class R>
void rot(index_t n, T* x, index_t incx, T* y, index_t incy, R c, R s) {
  if (n <= 0) return;
  // Contiguous and apart (a caller may pass the same vector twice: the loop below keeps BLAS's result). A
  // real rotation of complex vectors (csrot, zdrot) rotates each part alike.
  if constexpr (std::is_same_v<real_t<T>, R>) {
    if (incx == 1 && incy == 1 && apart(x, y, n)) {
      vector_rot(n * kRealsPerElement<T>, reals(x), reals(y), c, s);
      return;
    }
  }
  Strided<T> xs(x, n, incx);
  Strided<T> ys(y, n, incy);
  // y stored before x, as in reference BLAS: the same vector passed twice ends up (c + s) x there too.
  for (index_t i = 0; i < n; ++i) {
    T xi = xs[i], yi = ys[i];
    ys[i] = c * yi - s * xi;
    xs[i] = c * xi + s * yi;
  }
}

// Safe minimum and its inverse as LAPACK 3.10's rotg defines them.
template <class R>
R rotg_safmin() {
  using L = std::numeric_limits<R>;
  return std::ldexp(R(1), std::max(L::min_exponent - 2, 1 - L::max_exponent));
}

// Constructs the Givens rotation that zeroes b: on return a = r, b = z (the reconstruction value).
template <class R>
void rotg(R* a, R* b, R* c, R* s) {
  const R safmin = rotg_safmin<R>(), safmax = R(1) / safmin;
  const R anorm = std::abs(*a), bnorm = std::abs(*b);
  if (bnorm == R(0)) {
    *c = R(1);
    *s = R(0);
    *b = R(0);
  } else if (anorm == R(0)) {
    *c = R(0);
    *s = R(1);
    *a = *b;
    *b = R(1);
  } else {
    const R scale = std::min(safmax, std::max({safmin, anorm, bnorm}));
    const R sigma = anorm > bnorm ? std::copysign(R(1), *a) : std::copysign(R(1), *b);
    const R r = sigma * (scale * std::sqrt((*a / scale) * (*a / scale) + (*b / scale) * (*b / scale)));
    *c = *a / r;
    *s = *b / r;
    R z;
    if (anorm > bnorm) {
      z = *s;
    } else if (*c != R(0)) {
      z = R(1) / *c;
    } else {
      z = R(1);
    }
    *a = r;
    *b = z;
  }
}

// Complex Givens rotation (LAPACK 3.10's zrotg): [c s; -conj(s) c] [a; b] = [r; 0] with real c.
template <class R>
void rotg(std::complex<R>* a, const std::complex<R>* b_in, R* c, std::complex<R>* s) {
  using C = std::complex<R>;
  const R safmin = rotg_safmin<R>(), safmax = R(1) / safmin;
  const R rtmin = std::sqrt(safmin);
  auto abssq = [](C z) { return z.real() * z.real() + z.imag() * z.imag(); };
  const C f = *a, g = *b_in;
  C r;
  if (g == C(0)) {
    *c = R(1);
    *s = C(0);
    r = f;
  } else if (f == C(0)) {
    *c = R(0);
    if (g.real() == R(0)) {
      R d = std::abs(g.imag());
      *s = std::conj(g) / d;
      r = d;
    } else if (g.imag() == R(0)) {
      R d = std::abs(g.real());
      *s = std::conj(g) / d;
      r = d;
    } else {
      const R g1 = std::max(std::abs(g.real()), std::abs(g.imag()));
      const R rtmax = std::sqrt(safmax / 2);
      if (g1 > rtmin && g1 < rtmax) {
        const R d = std::sqrt(abssq(g));
        *s = std::conj(g) / d;
        r = d;
      } else {
        const R u = std::min(safmax, std::max(safmin, g1));
        const C gs = g / u;
        const R d = std::sqrt(abssq(gs));
        *s = std::conj(gs) / d;
        r = d * u;
      }
    }
  } else {
    const R f1 = std::max(std::abs(f.real()), std::abs(f.imag()));
    const R g1 = std::max(std::abs(g.real()), std::abs(g.imag()));
    R rtmax = std::sqrt(safmax / 4);
    // Unscaled when both are comfortably inside the range, scaled by u (and w for a tiny f) otherwise.
    const bool unscaled = f1 > rtmin && f1 < rtmax && g1 > rtmin && g1 < rtmax;
    R u = R(1), w = R(1);
    C fs = f, gs = g;
    R f2, g2, h2;
    if (unscaled) {
      f2 = abssq(f);
      g2 = abssq(g);
      h2 = f2 + g2;
    } else {
      u = std::min(safmax, std::max({safmin, f1, g1}));
      gs = g / u;
      g2 = abssq(gs);
      if (f1 / u < rtmin) {
        const R v = std::min(safmax, std::max(safmin, f1));
        w = v / u;
        fs = f / v;
        f2 = abssq(fs);
        h2 = f2 * w * w + g2;
      } else {
        fs = f / u;
        f2 = abssq(fs);
        h2 = f2 + g2;
      }
    }
    R cos;
    if (f2 >= h2 * safmin) {
      cos = std::sqrt(f2 / h2);
      r = fs / cos;
      rtmax *= 2;
      if (f2 > rtmin && h2 < rtmax) {
        *s = std::conj(gs) * (fs / std::sqrt(f2 * h2));
      } else {
        *s = std::conj(gs) * (r / h2);
      }
    } else {
      const R d = std::sqrt(f2 * h2);
      cos = f2 / d;
      r = cos >= safmin ? fs / cos : fs * (h2 / d);
      *s = std::conj(gs) * (fs / d);
    }
    *c = cos * w;
    r *= u;
  }
  *a = r;
}

// Modified Givens rotation, applied: param[0] is the flag selecting which of H's entries are implied.
template <class R>
void rotm(index_t n, R* x, index_t incx, R* y, index_t incy, const R* param) {
  const R flag = param[0];
  if (n <= 0 || flag == R(-2)) return;
  R h11, h12, h21, h22;
  if (flag < R(0)) {
    h11 = param[1], h21 = param[2], h12 = param[3], h22 = param[4];
  } else if (flag == R(0)) {
    h11 = R(1), h21 = param[2], h12 = param[3], h22 = R(1);
  } else {
    h11 = param[1], h21 = R(-1), h12 = R(1), h22 = param[4];
  }
  Strided<R> xs(x, n, incx);
  Strided<R> ys(y, n, incy);
  for (index_t i = 0; i < n; ++i) {
    const R w = xs[i], z = ys[i];
    xs[i] = w * h11 + z * h12;
    ys[i] = w * h21 + z * h22;
  }
}

// Constructs the modified Givens transformation that zeroes the second component of
// (sqrt(d1) x1, sqrt(d2) y1), rescaling d1 and d2 into [1/gamma^2, gamma^2] with gamma = 4096.
template <class R>
void rotmg(R* d1, R* d2, R* x1, R y1, R* param) {
  const R gam = 4096, gamsq = gam * gam, rgamsq = R(1) / gamsq;
  R flag, h11 = 0, h12 = 0, h21 = 0, h22 = 0;
  auto zero_everything = [&] {
    flag = -1;
    h11 = h12 = h21 = h22 = 0;
    *d1 = *d2 = *x1 = 0;
  };
  if (*d1 < R(0)) {
    zero_everything();
  } else {
    const R p2 = *d2 * y1;
    if (p2 == R(0)) {
      param[0] = -2;
      return;
    }
    const R p1 = *d1 * *x1;
    const R q2 = p2 * y1, q1 = p1 * *x1;
    if (std::abs(q1) > std::abs(q2)) {
      h21 = -y1 / *x1;
      h12 = p2 / p1;
      const R u = R(1) - h12 * h21;
      if (u > R(0)) {
        flag = 0;
        *d1 /= u;
        *d2 /= u;
        *x1 *= u;
      } else {
        zero_everything();  // only reachable through rounding; reference BLAS leaves flag undefined
      }
    } else if (q2 < R(0)) {
      zero_everything();
    } else {
      flag = 1;
      h11 = p1 / p2;
      h22 = *x1 / y1;
      const R u = R(1) + h11 * h22;
      const R d1_new = *d2 / u;
      *d2 = *d1 / u;
      *d1 = d1_new;
      *x1 = y1 * u;
    }
    // Rescale so d1 and d2 stay within [rgamsq, gamsq]; H becomes explicit (flag -1).
    auto make_explicit = [&] {
      if (flag == R(0)) {
        h11 = 1;
        h22 = 1;
      } else if (flag > R(0)) {
        h21 = -1;
        h12 = 1;
      }
      flag = -1;
    };
    if (*d1 != R(0)) {
      while (*d1 <= rgamsq || *d1 >= gamsq) {
        make_explicit();
        if (*d1 <= rgamsq) {
          *d1 *= gam * gam;
          *x1 /= gam;
          h11 /= gam;
          h12 /= gam;
        } else {
          *d1 /= gam * gam;
          *x1 *= gam;
          h11 *= gam;
          h12 *= gam;
        }
      }
    }
    if (*d2 != R(0)) {
      while (std::abs(*d2) <= rgamsq || std::abs(*d2) >= gamsq) {
        make_explicit();
        if (std::abs(*d2) <= rgamsq) {
          *d2 *= gam * gam;
          h21 /= gam;
          h22 /= gam;
        } else {
          *d2 /= gam * gam;
          h21 *= gam;
          h22 *= gam;
        }
      }
    }
  }
  if (flag < R(0)) {
    param[1] = h11, param[2] = h21, param[3] = h12, param[4] = h22;
  } else if (flag == R(0)) {
    param[2] = h21, param[3] = h12;
  } else {
    param[1] = h11, param[4] = h22;
  }
  param[0] = flag;
}

}  // namespace armory::blas
