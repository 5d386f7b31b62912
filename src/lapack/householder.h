// Householder reflectors H = I - tau v v^T with v[0] = 1, as LAPACK's dlarfg/dlarf define them, on
// column-major data. Mostly portable loops: the SVD's blocked parts use the GEMM engine instead.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "blas/vector_kernels.h"

namespace armory::lapack {

// sqrt(sum x_i^2) over n elements at stride inc, scaled so that no square overflows or underflows.
// The plain sum of squares first: when it is finite and far above the underflow threshold, no square
// overflowed and those that underflowed weigh less than eps^2 of it. Otherwise the scaled loop, which
// divides per element (the band reduction makes hundreds of thousands of short reflectors).
template <class T>
T scaled_norm(int64_t n, const T* x, int64_t inc) {
  T partial[4] = {0, 0, 0, 0};
  int64_t first = 0;
  for (; first + 4 <= n; first += 4) {
    for (int l = 0; l < 4; ++l) partial[l] += x[(first + l) * inc] * x[(first + l) * inc];
  }
  for (; first < n; ++first) partial[0] += x[first * inc] * x[first * inc];
  const T sum = (partial[0] + partial[1]) + (partial[2] + partial[3]);
  constexpr T eps = std::numeric_limits<T>::epsilon();
  if (sum <= std::numeric_limits<T>::max() && sum >= std::numeric_limits<T>::min() / (eps * eps)) {
    return std::sqrt(sum);
  }
  T scale = 0, ssq = 1;
  for (int64_t i = 0; i < n; ++i) {
    const T v = std::abs(x[i * inc]);
    if (v == T(0)) continue;
    if (scale < v) {
      ssq = 1 + ssq * (scale / v) * (scale / v);
      scale = v;
    } else {
      ssq += (v / scale) * (v / scale);
    }
  }
  return scale * std::sqrt(ssq);
}

// Makes H with H [alpha; x] = [beta; 0]: alpha becomes beta, x becomes v[1:], returns tau (0: H = I).
// x_scale, when given, receives the factor x was multiplied by (v[1:] = x_scale x), or 0 when there is none
// (H = I) or x had to be rescaled on the way (a beta near underflow).
template <class T>
T make_reflector(int64_t n, T& alpha, T* x, int64_t inc, T* x_scale = nullptr) {
  if (x_scale) *x_scale = T(0);
  if (n <= 1) return T(0);
  T xnorm = scaled_norm(n - 1, x, inc);
  if (xnorm == T(0)) return T(0);
  T beta = -std::copysign(std::hypot(alpha, xnorm), alpha);
  const T safmin = std::numeric_limits<T>::min() / std::numeric_limits<T>::epsilon();
  int rescalings = 0;
  // A tiny beta would lose v to underflow: scale x and alpha up, as dlarfg does.
  while (std::abs(beta) < safmin && rescalings < 20) {
    ++rescalings;
    for (int64_t i = 0; i < n - 1; ++i) x[i * inc] /= safmin;
    beta /= safmin;
    alpha /= safmin;
  }
  if (rescalings > 0) {
    xnorm = scaled_norm(n - 1, x, inc);
    beta = -std::copysign(std::hypot(alpha, xnorm), alpha);
  }
  const T tau = (beta - alpha) / beta;
  const T scale = T(1) / (alpha - beta);
  for (int64_t i = 0; i < n - 1; ++i) x[i * inc] *= scale;
  if (x_scale && rescalings == 0) *x_scale = scale;
  for (int k = 0; k < rescalings; ++k) beta *= safmin;
  alpha = beta;
  return tau;
}

// C (rows x cols, ldc) <- H C with H from v (length rows, v[0] taken as 1, stride incv).
template <class T>
void apply_reflector_left(int64_t rows, int64_t cols, const T* v, int64_t incv, T tau, T* c, int64_t ldc) {
  if (tau == T(0)) return;
  for (int64_t j = 0; j < cols; ++j) {
    T* col = c + j * ldc;
    T w = col[0];
    for (int64_t i = 1; i < rows; ++i) w += v[i * incv] * col[i];
    w *= tau;
    col[0] -= w;
    for (int64_t i = 1; i < rows; ++i) col[i] -= w * v[i * incv];
  }
}

// C (rows x cols, ldc) <- C H with H from v (length cols, v[0] taken as 1, stride incv). Column by column
// (w = C v accumulated from columns, then each column updated), so every access is contiguous.
template <class T>
void apply_reflector_right(int64_t rows, int64_t cols, const T* v, int64_t incv, T tau, T* c, int64_t ldc) {
  if (tau == T(0) || rows == 0) return;
  std::vector<T> w(c, c + rows);
  for (int64_t j = 1; j < cols; ++j) {
    const T vj = v[j * incv];
    const T* col = c + j * ldc;
    for (int64_t i = 0; i < rows; ++i) w[i] += col[i] * vj;
  }
  for (int64_t j = 0; j < cols; ++j) {
    const T scaled = tau * (j == 0 ? T(1) : v[j * incv]);
    T* col = c + j * ldc;
    for (int64_t i = 0; i < rows; ++i) col[i] -= w[i] * scaled;
  }
}

// T (nb x nb at t, ldt, upper triangular) of the block reflector H_0 H_1 ... H_{nb-1} = I - V T V^T, V (h x
// nb at v, ldv, column-major, with its zeros and unit diagonal in place): LAPACK's dlarft, forward and
// columnwise. What is below T's diagonal is left alone.
template <class T>
void triangular_factor(int64_t h, int64_t nb, const T* v, int64_t ldv, const T* tau, T* t, int64_t ldt) {
  std::vector<T> dots(static_cast<size_t>(nb));
  for (int64_t c = 0; c < nb; ++c) {
    const T tc = tau[c];
    t[c + c * ldt] = tc;
    // dots[p] = V(c:h, p) . V(c:h, c): the long part of the work, on the vector kernels.
    std::fill(dots.begin(), dots.begin() + c, T(0));
    if (c < h) blas::vector_kernels_for<T>().gemv_t(h - c, c, T(1), v + c, ldv, v + c + c * ldv, dots.data());
    for (int64_t p = 0; p < c; ++p) {
      T sum = 0;
      for (int64_t q = p; q < c; ++q) sum += t[p + q * ldt] * dots[q];
      t[p + c * ldt] = -tc * sum;
    }
  }
}

}  // namespace armory::lapack
