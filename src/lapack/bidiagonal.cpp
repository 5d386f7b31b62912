#include "lapack/bidiagonal.h"

#include "blas/vector_kernels.h"

#include <armory/gemm.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/large_buffer.h"
#include "lapack/householder.h"
#include "lapack/qr.h"

namespace armory::lapack {

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
//
// Each step needs two products with the whole trailing matrix, A^T v for the left reflector v and A u for
// the right one, and they are half of the SVD's flops and all of its memory traffic. u comes from row i
// after the left reflector, which is r - y with y = tauq (A^T v - corrections) and r the row as the panel's
// earlier steps left it; u = x_scale (r - y) + c e1 with the scalars of its reflector. So A u is a
// combination of A (r - y), which one pass over A computes column by column as soon as each y[j] is known
// (vector_bidiagonal_products), and A's first column: one read of the trailing matrix per step instead of
// two. The combination only adds terms of the size of A u itself (|x_scale| |r - y| <= 1); when the
// reflector needed rescaling (a row near underflow) A u is computed directly instead.
template <class T>
void bidiagonalize_panel(int64_t m, int64_t n, int64_t nb, T* a, int64_t lda, Bidiagonal<T>& b, int64_t at, T* x,
                         T* y) {
  using blas::vector_gemv_n;
  using blas::vector_gemv_t;
  auto el = [&](int64_t i, int64_t j) -> T& { return a[i + j * lda]; };
  auto X = [&](int64_t i, int64_t j) -> T& { return x[i + j * m]; };
  auto Y = [&](int64_t i, int64_t j) -> T& { return y[i + j * n]; };
  std::vector<T> t1(nb), t2(nb), u(n), corr(n), r(n), s(n), au(m), row(nb);
  for (int64_t i = 0; i < nb; ++i) {
    // Column i with the panel's earlier transformations applied:
    // A(i:m, i) -= A(i:m, 0:i) Y(i, 0:i)^T + X(i:m, 0:i) A(0:i, i).
    for (int64_t p = 0; p < i; ++p) row[p] = Y(i, p);
    vector_gemv_n<T>(m - i, i, T(-1), &el(i, 0), lda, row.data(), &el(i, i));
    vector_gemv_n<T>(m - i, i, T(-1), &X(i, 0), m, &el(0, i), &el(i, i));
    b.tauq[at + i] = make_reflector(m - i, el(i, i), &el(std::min(i + 1, m - 1), i), 1);
    b.d[at + i] = el(i, i);
    if (i + 1 >= n) {
      b.taup[at + i] = T(0);
      continue;
    }
    el(i, i) = T(1);
    const T* v = &el(i, i);  // the left reflector, rows i..m-1
    const int64_t rest = n - i - 1;
    // Y(i+1:n, i) = tauq (A^T v - corr), corr = Y (A_panel^T v) + U^T (X^T v) on the trailing columns.
    std::fill(t1.begin(), t1.begin() + i, T(0));
    std::fill(t2.begin(), t2.begin() + i, T(0));
    vector_gemv_t<T>(m - i, i, T(1), &el(i, 0), lda, v, t1.data());
    vector_gemv_t<T>(m - i, i, T(1), &X(i, 0), m, v, t2.data());
    std::fill(corr.begin(), corr.begin() + rest, T(0));
    vector_gemv_n<T>(rest, i, T(1), &Y(i + 1, 0), n, t1.data(), corr.data());
    vector_gemv_t<T>(i, rest, T(1), &el(0, i + 1), lda, t2.data(), corr.data());
    // Row i as the earlier steps leave it: A(i, i+1:n) - Y(i+1:n, 0:i) A(i, 0:i)^T - A(0:i, i+1:n)^T X(i, 0:i)^T.
    for (int64_t j = 0; j < rest; ++j) r[j] = el(i, i + 1 + j);
    for (int64_t p = 0; p < i; ++p) row[p] = -el(i, p);
    vector_gemv_n<T>(rest, i, T(1), &Y(i + 1, 0), n, row.data(), r.data());
    for (int64_t p = 0; p < i; ++p) row[p] = -X(i, p);
    vector_gemv_t<T>(i, rest, T(1), &el(0, i + 1), lda, row.data(), r.data());
    // The pass over the trailing matrix: Y(i+1:n, i), the updated row s = r - Y(i+1:n, i), and A s.
    T* yi = &Y(i + 1, i);
    blas::vector_bidiagonal_products<T>(m - i, rest, &el(i, i + 1), lda, v, b.tauq[at + i], corr.data(), r.data(), yi,
                                        s.data(), au.data());
    for (int64_t j = 0; j < rest; ++j) el(i, i + 1 + j) = s[j];
    T x_scale = 0;
    b.taup[at + i] = make_reflector(rest, el(i, i + 1), &el(i, std::min(i + 2, n - 1)), lda, &x_scale);
    b.e[at + i] = el(i, i + 1);
    el(i, i + 1) = T(1);
    T* xi = &X(i + 1, i);
    if (b.taup[at + i] == T(0)) {
      std::fill(xi, xi + (m - i - 1), T(0));  // H = I: no right update
      continue;
    }
    for (int64_t j = 0; j < rest; ++j) u[j] = el(i, i + 1 + j);  // the right reflector, contiguous
    // X(i+1:m, i) = taup (A u - V_panel (Y^T u) - X (U_panel u)), on the trailing rows.
    if (x_scale != T(0) && std::abs(b.e[at + i]) >= std::sqrt(std::numeric_limits<T>::min())) {
      // A u = x_scale A s + c A(:, first), with c = 1 - x_scale s[0] = -beta x_scale (no cancellation).
      const T c = -b.e[at + i] * x_scale;
      const T* first = &el(i + 1, i + 1);
      for (int64_t row_index = 0; row_index < m - i - 1; ++row_index) {
        xi[row_index] = x_scale * au[row_index] + c * first[row_index];
      }
    } else {
      std::fill(xi, xi + (m - i - 1), T(0));
      vector_gemv_n<T>(m - i - 1, rest, T(1), &el(i + 1, i + 1), lda, u.data(), xi);
    }
    std::fill(t1.begin(), t1.begin() + i + 1, T(0));
    vector_gemv_t<T>(rest, i + 1, T(1), &Y(i + 1, 0), n, u.data(), t1.data());
    vector_gemv_n<T>(m - i - 1, i + 1, T(-1), &el(i + 1, 0), lda, t1.data(), xi);
    std::fill(t2.begin(), t2.begin() + i, T(0));
    vector_gemv_n<T>(i, rest, T(1), &el(0, i + 1), lda, u.data(), t2.data());
    vector_gemv_n<T>(m - i - 1, i, T(-1), &X(i + 1, 0), m, t2.data(), xi);
    for (int64_t q = 0; q < m - i - 1; ++q) xi[q] *= b.taup[at + i];
  }
}

// Panels of this many columns; below twice this the rest is reduced column by column.
constexpr int64_t kPanel = 32;
// Reflectors applied to Q and P this many at a time: the block reflector's GEMMs have this depth. 64
// measured 10% faster than 32 for float64 n = 2048 on Zen 5. On Zen 4 the product C leaving the caches
// decides: once it is more than kDeepApplyBytes, C's pass per block is memory-bound and 128 reflectors a
// block pay; below, 128 is slower. Both depths alternating in one process, 1 thread, Q then P,
// multiply_q / multiply_p: float64 n = 1024 0.063 / 0.067 s at 64, 0.069 / 0.074 at 128; n = 1536 (19 MB)
// 0.244 / 0.244 -> 0.230 / 0.228; n = 2048 0.503 / 0.524 -> 0.467 / 0.487; n = 4096 4.06 / 4.01 -> 3.49 /
// 3.59; float32 n = 1536 (9 MB) 0.083 / 0.085 at 64, 0.091 / 0.097 at 128; n = 2048 (17 MB) 0.242 / 0.244
// -> 0.232 / 0.235; n = 4096 1.97 / 2.03 -> 1.71 / 1.79.
constexpr int64_t kApplyBlock = 64, kDeepApplyBlock = 128;
constexpr int64_t kDeepApplyBytes = 16 << 20;

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
  LargeVector<T> left, right;
  for (; n - i >= 2 * kPanel; i += kPanel) {
    const int64_t rows = m - i, cols = n - i;
    x.assign(static_cast<size_t>(rows) * kPanel, T(0));
    y.assign(static_cast<size_t>(cols) * kPanel, T(0));
    T* panel = a + i + i * lda;
    bidiagonalize_panel(rows, cols, kPanel, panel, lda, b, i, x.data(), y.data());
    // Trailing update A22 -= V2 Y2^T + X2 U2 (the reflectors' unit heads still in place) as one GEMM of depth
    // 2 kPanel, A22 -= [V2 X2] [Y2^T; U2]: the trailing matrix is read and written once per panel instead of
    // twice (at n = 2048 it comes from memory).
    T* a22 = panel + kPanel + kPanel * lda;
    const int64_t r2 = rows - kPanel, c2 = cols - kPanel, depth = 2 * kPanel;
    left.resize(static_cast<size_t>(r2) * depth);
    right.resize(static_cast<size_t>(depth) * c2);
    for (int64_t p = 0; p < kPanel; ++p) {
      std::copy_n(panel + kPanel + p * lda, r2, left.data() + p * r2);                  // V2
      std::copy_n(x.data() + kPanel + p * rows, r2, left.data() + (kPanel + p) * r2);  // X2
    }
    for (int64_t j = 0; j < c2; ++j) {
      T* column = right.data() + j * depth;
      for (int64_t p = 0; p < kPanel; ++p) column[p] = y[kPanel + j + p * cols];                     // Y2^T
      for (int64_t p = 0; p < kPanel; ++p) column[kPanel + p] = panel[p + (kPanel + j) * lda];        // U2
    }
    report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, r2, c2, depth, T(-1), left.data(), r2, right.data(),
                     depth, T(1), a22, lda));
    for (int64_t p = 0; p < kPanel; ++p) {
      panel[p + p * lda] = b.d[i + p];
      panel[p + (p + 1) * lda] = b.e[i + p];
    }
  }
  bidiagonalize_unblocked(m - i, n - i, a + i + i * lda, lda, b, i);
  return b;
}

namespace {

// H_0 H_1 ... H_{count-1} (rows x rows) times C (rows x cols), in place; H_i = I - tau_i v_i v_i^T with v_i
// zero above row i and one at row i, the rest stored in `store` below (i, i) or, with `by_rows`, right of it
// (LAPACK's dormqr / dormlq). With `identity`, C is taken to be the first `cols` columns of the identity
// (LAPACK's dorgqr): the product's first columns, with the work a block would do on the identity's columns
// left of it skipped. In blocks of kApplyBlock (or kDeepApplyBlock) reflectors from the last block back, each a
// BlockReflector. With `lowered`, v_i is one at row i + 1 instead (BlockReflector::build), for P = diag(1, P').
template <class T>
void apply_orthogonal(int64_t rows, int64_t count, int64_t cols, const T* store, int64_t lds, bool by_rows,
                      const std::vector<T>& tau, T* c, int64_t ldc, bool identity, bool lowered = false) {
  const int64_t block = rows * cols * int64_t{sizeof(T)} > kDeepApplyBytes ? kDeepApplyBlock : kApplyBlock;
  const int64_t last = count > 0 ? (count - 1) / block * block : 0;
  // On the identity the last block (applied first) forms its part of C, rows and columns from `last` on,
  // outright (BlockReflector::form_leading_columns): the identity is written only around it. numpy's svd of
  // a 1000 x 3 matrix with full vectors wrote a 1000 x 1000 identity, then read it and wrote it again.
  const int64_t formed = identity && count > 0 && last < cols ? last : cols;
  if (identity) {
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t end = j < formed ? rows : formed;
      for (int64_t i = 0; i < end; ++i) c[i + j * ldc] = i == j ? T(1) : T(0);
    }
  }
  BlockReflector<T> h;
  for (int64_t j0 = last; j0 >= 0 && count > 0; j0 -= block) {
    const int64_t nb = std::min(block, count - j0);
    const int64_t first = identity ? j0 : 0, width = cols - first;
    if (width <= 0) continue;
    h.build(rows - j0, nb, store + j0 + j0 * lds, lds, tau.data() + j0, by_rows, lowered);
    if (identity && j0 == last) {
      h.form_leading_columns(width, c + j0 + first * ldc, ldc);
    } else {
      h.apply_left(width, c + j0 + first * ldc, ldc);
    }
  }
}

}  // namespace

// v_i of Q: A(i+1:m, i) below its unit head. v_i of P' (P = diag(1, P')): A(i, i+2:n) after its head.
template <class T>
void form_q(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, int64_t cols, T* q,
            int64_t ldq) {
  apply_orthogonal(m, n, cols, a, lda, false, tauq, q, ldq, true);
}

template <class T>
void form_trailing_q_transposed(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, T* c,
                                int64_t ldc) {
  if (n == 0) {  // Q = I
    for (int64_t j = 0; j < m; ++j) {
      for (int64_t i = 0; i < m; ++i) c[i + j * ldc] = i == j ? T(1) : T(0);
    }
    return;
  }
  BlockReflector<T> h;
  h.build(m, n, a, lda, tauq.data());
  h.form_trailing_columns_transposed(c, ldc);
}

template <class T>
void multiply_q(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, int64_t cols, T* c,
                int64_t ldc) {
  apply_orthogonal(m, n, cols, a, lda, false, tauq, c, ldc, false);
}

template <class T>
void form_p(int64_t n, const T* a, int64_t lda, const std::vector<T>& taup, T* p, int64_t ldp) {
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i) p[i + j * ldp] = i == j ? T(1) : T(0);
  }
  if (n <= 1) return;
  apply_orthogonal(n - 1, n - 1, n - 1, a + lda, lda, true, taup, p + 1 + ldp, ldp, true);
}

template <class T>
void multiply_p(int64_t n, const T* a, int64_t lda, const std::vector<T>& taup, T* c, int64_t ldc) {
  if (n <= 1) return;
  // P' applied to C's rows 1..n-1 as reflectors one row lower on all of C: each block's GEMMs then read and
  // write C from its first row, whose columns start on cache lines, not 8 bytes past them (every vector of C
  // split across two lines). float64 n = 4096, 1 thread, Zen 5: 1.89-1.96 -> 1.61 s, as fast as Q's 1.63.
  apply_orthogonal(n, n - 1, n, a + lda, lda, true, taup, c, ldc, false, true);
}

template Bidiagonal<float> bidiagonalize<float>(int64_t, int64_t, float*, int64_t);
template Bidiagonal<double> bidiagonalize<double>(int64_t, int64_t, double*, int64_t);
template void form_q<float>(int64_t, int64_t, const float*, int64_t, const std::vector<float>&, int64_t, float*,
                            int64_t);
template void form_q<double>(int64_t, int64_t, const double*, int64_t, const std::vector<double>&, int64_t, double*,
                             int64_t);
template void form_trailing_q_transposed<float>(int64_t, int64_t, const float*, int64_t, const std::vector<float>&,
                                                float*, int64_t);
template void form_trailing_q_transposed<double>(int64_t, int64_t, const double*, int64_t, const std::vector<double>&,
                                                 double*, int64_t);
template void form_p<float>(int64_t, const float*, int64_t, const std::vector<float>&, float*, int64_t);
template void form_p<double>(int64_t, const double*, int64_t, const std::vector<double>&, double*, int64_t);
template void multiply_q<float>(int64_t, int64_t, const float*, int64_t, const std::vector<float>&, int64_t, float*,
                                int64_t);
template void multiply_q<double>(int64_t, int64_t, const double*, int64_t, const std::vector<double>&, int64_t,
                                 double*, int64_t);
template void multiply_p<float>(int64_t, const float*, int64_t, const std::vector<float>&, float*, int64_t);
template void multiply_p<double>(int64_t, const double*, int64_t, const std::vector<double>&, double*, int64_t);

}  // namespace armory::lapack
