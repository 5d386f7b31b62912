#include "lapack/bidiagonal.h"

#include <armory/gemm.h>

#include <algorithm>
#include <cstdio>

#include "lapack/householder.h"

namespace armory::lapack {

namespace {

// The engine refuses only arguments that cannot happen here, or an ARMORY_ISA the CPU lacks; the caller
// cannot recover either way, so say it (the SVD tests would then fail their accuracy checks).
void report_gemm(const Status& status) {
  if (!status.ok()) std::fprintf(stderr, "armory svd: GEMM failed: %s\n", status.message().c_str());
}

}  // namespace

namespace {

// Column by column (LAPACK's dgebd2) on the trailing m x n matrix at a, writing its d, e, tauq, taup at
// offset `at` of b: a left reflector clears column i below the diagonal, a right one clears row i right of
// the superdiagonal.
template <class T>
void bidiagonalize_unblocked(int64_t m, int64_t n, T* a, int64_t lda, Bidiagonal<T>& b, int64_t at) {
  auto el = [&](int64_t i, int64_t j) -> T& { return a[i + j * lda]; };
  for (int64_t i = 0; i < n; ++i) {
    b.tauq[at + i] = make_reflector(m - i, el(i, i), &el(std::min(i + 1, m - 1), i), 1);
    b.d[at + i] = el(i, i);
    el(i, i) = T(1);
    apply_reflector_left(m - i, n - i - 1, &el(i, i), 1, b.tauq[at + i], &el(i, i + 1), lda);
    el(i, i) = b.d[at + i];
    if (i + 1 < n) {
      b.taup[at + i] = make_reflector(n - i - 1, el(i, i + 1), &el(i, std::min(i + 2, n - 1)), lda);
      b.e[at + i] = el(i, i + 1);
      el(i, i + 1) = T(1);
      apply_reflector_right(m - i - 1, n - i - 1, &el(i, i + 1), lda, b.taup[at + i], &el(i + 1, i + 1), lda);
      el(i, i + 1) = b.e[at + i];
    }
  }
}

// The first nb steps of the reduction of the trailing m x n matrix at a (LAPACK's dlabrd), leaving the
// rest of the matrix unchanged but returning X (m x nb) and Y (n x nb) such that the rest is updated by
// A -= V Y^T + X U^T (V, U: the reflectors, with their unit heads stored in A) in two GEMMs.
template <class T>
void bidiagonalize_panel(int64_t m, int64_t n, int64_t nb, T* a, int64_t lda, Bidiagonal<T>& b, int64_t at, T* x,
                         T* y) {
  auto el = [&](int64_t i, int64_t j) -> T& { return a[i + j * lda]; };
  auto X = [&](int64_t i, int64_t j) -> T& { return x[i + j * m]; };
  auto Y = [&](int64_t i, int64_t j) -> T& { return y[i + j * n]; };
  std::vector<T> t1(nb), t2(nb), u(n);
  for (int64_t i = 0; i < nb; ++i) {
    // Column i with the panel's earlier transformations applied.
    for (int64_t p = 0; p < i; ++p) {
      const T yip = Y(i, p), api = el(p, i);
      for (int64_t r = i; r < m; ++r) el(r, i) -= el(r, p) * yip + X(r, p) * api;
    }
    b.tauq[at + i] = make_reflector(m - i, el(i, i), &el(std::min(i + 1, m - 1), i), 1);
    b.d[at + i] = el(i, i);
    if (i + 1 >= n) {
      b.taup[at + i] = T(0);
      continue;
    }
    el(i, i) = T(1);
    const T* v = &el(i, i);  // the left reflector, rows i..m-1
    // Y(i+1:n, i) = tauq (A^T v - Y (A_panel^T v) - U^T (X^T v)), on the trailing columns.
    for (int64_t p = 0; p < i; ++p) {
      T s1 = 0, s2 = 0;
      for (int64_t r = i; r < m; ++r) {
        s1 += el(r, p) * v[r - i];
        s2 += X(r, p) * v[r - i];
      }
      t1[p] = s1;
      t2[p] = s2;
    }
    for (int64_t j = i + 1; j < n; ++j) {
      T sum = 0;
      for (int64_t r = i; r < m; ++r) sum += el(r, j) * v[r - i];
      for (int64_t p = 0; p < i; ++p) sum -= Y(j, p) * t1[p] + el(p, j) * t2[p];
      Y(j, i) = b.tauq[at + i] * sum;
    }
    // Row i with the panel's transformations applied (A(i, i) is the reflector's unit head here).
    for (int64_t j = i + 1; j < n; ++j) {
      T sum = 0;
      for (int64_t p = 0; p <= i; ++p) sum += Y(j, p) * el(i, p);
      for (int64_t p = 0; p < i; ++p) sum += el(p, j) * X(i, p);
      el(i, j) -= sum;
    }
    b.taup[at + i] = make_reflector(n - i - 1, el(i, i + 1), &el(i, std::min(i + 2, n - 1)), lda);
    b.e[at + i] = el(i, i + 1);
    el(i, i + 1) = T(1);
    for (int64_t j = i + 1; j < n; ++j) u[j] = el(i, j);  // the right reflector, contiguous
    // X(i+1:m, i) = taup (A u - V_panel (Y^T u) - X (U_panel u)), on the trailing rows.
    for (int64_t r = i + 1; r < m; ++r) X(r, i) = T(0);
    for (int64_t j = i + 1; j < n; ++j) {
      const T uj = u[j];
      const T* col = &el(0, j);
      for (int64_t r = i + 1; r < m; ++r) X(r, i) += col[r] * uj;
    }
    for (int64_t p = 0; p <= i; ++p) {
      T s1 = 0;
      for (int64_t j = i + 1; j < n; ++j) s1 += Y(j, p) * u[j];
      for (int64_t r = i + 1; r < m; ++r) X(r, i) -= el(r, p) * s1;
    }
    for (int64_t p = 0; p < i; ++p) {
      T s2 = 0;
      for (int64_t j = i + 1; j < n; ++j) s2 += el(p, j) * u[j];
      for (int64_t r = i + 1; r < m; ++r) X(r, i) -= X(r, p) * s2;
    }
    for (int64_t r = i + 1; r < m; ++r) X(r, i) *= b.taup[at + i];
  }
}

// Panels of this many columns; below twice this the rest is reduced column by column.
constexpr int64_t kPanel = 32;

}  // namespace

// Blocked (LAPACK's dgebrd): each panel is reduced with its trailing update deferred, which is then two
// GEMMs, so about half of the flops run on the GEMM engine.
template <class T>
Bidiagonal<T> bidiagonalize(int64_t m, int64_t n, T* a, int64_t lda) {
  Bidiagonal<T> b;
  b.d.resize(n);
  b.e.resize(std::max<int64_t>(n - 1, 0));
  b.tauq.assign(n, T(0));
  b.taup.assign(n, T(0));
  int64_t i = 0;
  std::vector<T> x, y;
  for (; n - i >= 2 * kPanel; i += kPanel) {
    const int64_t rows = m - i, cols = n - i;
    x.assign(static_cast<size_t>(rows) * kPanel, T(0));
    y.assign(static_cast<size_t>(cols) * kPanel, T(0));
    T* panel = a + i + i * lda;
    bidiagonalize_panel(rows, cols, kPanel, panel, lda, b, i, x.data(), y.data());
    // Trailing update A22 -= V2 Y2^T + X2 U2, with the reflectors' unit heads still in place.
    T* a22 = panel + kPanel + kPanel * lda;
    const int64_t r2 = rows - kPanel, c2 = cols - kPanel;
    report_gemm(gemm(Layout::col_major, Trans::no, Trans::yes, r2, c2, kPanel, T(-1), panel + kPanel, lda,
                     y.data() + kPanel, cols, T(1), a22, lda));
    report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, r2, c2, kPanel, T(-1), x.data() + kPanel, rows,
                     panel + kPanel * lda, lda, T(1), a22, lda));
    for (int64_t p = 0; p < kPanel; ++p) {
      panel[p + p * lda] = b.d[i + p];
      panel[p + (p + 1) * lda] = b.e[i + p];
    }
  }
  bidiagonalize_unblocked(m - i, n - i, a + i + i * lda, lda, b, i);
  return b;
}

namespace {

// The first `cols` columns of H_0 H_1 ... H_{count-1} (rows x rows), H_i = I - tau_i v_i v_i^T with v_i
// zero above row i, one at row i and vec(i, r) below it (LAPACK's dorgqr). In blocks of kPanel
// reflectors from the last block back: each block is I - V T V^T (T from LAPACK's dlarft) and is
// applied with three GEMMs; the identity's columns left of a block are untouched by it.
template <class T, class Vec>
void form_orthogonal(int64_t rows, int64_t count, int64_t cols, const Vec& vec, const std::vector<T>& tau, T* out,
                     int64_t ldo) {
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t i = 0; i < rows; ++i) out[i + j * ldo] = i == j ? T(1) : T(0);
  }
  std::vector<T> v, t, w, tw;
  for (int64_t j0 = (count - 1) / kPanel * kPanel; j0 >= 0 && count > 0; j0 -= kPanel) {
    const int64_t nb = std::min(kPanel, count - j0), h = rows - j0, width = cols - j0;
    if (width <= 0) continue;
    // V (h x nb), dense with its zeros and unit diagonal.
    v.assign(static_cast<size_t>(h) * nb, T(0));
    for (int64_t c = 0; c < nb; ++c) {
      v[c + c * h] = T(1);
      for (int64_t r = c + 1; r < h; ++r) v[r + c * h] = vec(j0 + c, j0 + r);
    }
    // T (nb x nb, upper): T(c, c) = tau, T(0:c, c) = -tau T(0:c, 0:c) (V(:, 0:c)^T v_c).
    t.assign(static_cast<size_t>(nb) * nb, T(0));
    std::vector<T> dots(nb);
    for (int64_t c = 0; c < nb; ++c) {
      const T tc = tau[j0 + c];
      t[c + c * nb] = tc;
      for (int64_t p = 0; p < c; ++p) {
        T sum = 0;
        for (int64_t r = c; r < h; ++r) sum += v[r + p * h] * v[r + c * h];
        dots[p] = sum;
      }
      for (int64_t p = 0; p < c; ++p) {
        T sum = 0;
        for (int64_t q = p; q < c; ++q) sum += t[p + q * nb] * dots[q];
        t[p + c * nb] = -tc * sum;
      }
    }
    // out(j0:, j0:) -= V (T (V^T out(j0:, j0:))).
    T* sub = out + j0 + j0 * ldo;
    w.assign(static_cast<size_t>(nb) * width, T(0));
    tw.assign(static_cast<size_t>(nb) * width, T(0));
    report_gemm(
        gemm(Layout::col_major, Trans::yes, Trans::no, nb, width, h, T(1), v.data(), h, sub, ldo, T(0), w.data(), nb));
    report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, nb, width, nb, T(1), t.data(), nb, w.data(), nb, T(0),
                     tw.data(), nb));
    report_gemm(
        gemm(Layout::col_major, Trans::no, Trans::no, h, width, nb, T(-1), v.data(), h, tw.data(), nb, T(1), sub, ldo));
  }
}

}  // namespace

template <class T>
void form_q(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, int64_t cols, T* q,
            int64_t ldq) {
  // v_i: A(i+1:m, i) below its unit head.
  form_orthogonal(
      m, n, cols, [&](int64_t i, int64_t r) { return a[r + i * lda]; }, tauq, q, ldq);
}

template <class T>
void form_p(int64_t n, const T* a, int64_t lda, const std::vector<T>& taup, T* p, int64_t ldp) {
  // P = diag(1, P'), P' = G_0 ... G_{n-2} in the last n-1 coordinates, v_i: A(i, i+2:n) after its head.
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i) p[i + j * ldp] = i == j ? T(1) : T(0);
  }
  if (n <= 1) return;
  form_orthogonal(
      n - 1, n - 1, n - 1, [&](int64_t i, int64_t r) { return a[i + (r + 1) * lda]; }, taup, p + 1 + ldp, ldp);
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
