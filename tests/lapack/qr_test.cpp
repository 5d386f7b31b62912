// The blocked QR the tall SVD starts from: recursive panels whose reflectors reach the rest of the matrix
// by GEMMs. Checked against the column-by-column reduction of the same matrix (the same reflectors up to
// rounding) and by Q R = A with Q orthogonal, over widths below, at and across the panel's and the
// recursion's sizes. Registered once per ISA level: GEMM and the vector kernels do the work.
#include "lapack/qr.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gemm/thread_pool.h"
#include "isa_level_test.h"
#include "lapack/bidiagonal.h"
#include "lapack/householder.h"

namespace armory::lapack {
namespace {

class QrFactor : public IsaLevelTest {};

struct Shape {
  int64_t m, n;
};

// Narrow (one leaf), a panel split once or more, exactly one panel, panels with a ragged last one, square.
const Shape kShapes[] = {{1, 1},    {5, 3},     {37, 8},    {40, 9},  {100, 17},  {130, 64},
                         {200, 65}, {300, 129}, {257, 200}, {64, 64}, {150, 150}, {1000, 77}};

// cols columns ld apart, the padding past the rows random too (it must come back untouched).
template <class T>
std::vector<T> random_matrix(int64_t cols, int64_t ld, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<T> a(static_cast<size_t>(ld) * cols);
  for (auto& x : a) x = T(normal(rng));
  return a;
}

template <class T>
double frobenius(int64_t m, int64_t n, const T* a, int64_t lda) {
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) sum += double(a[i + j * lda]) * double(a[i + j * lda]);
  }
  return std::sqrt(sum);
}

// The same matrix reduced by qr_factor and column by column (qr_panel on all of it): R, the reflectors and
// tau agree to rounding, and rows past m in the leading dimension are left alone.
template <class T>
void expect_matches_column_by_column(Shape shape, uint32_t seed) {
  const int64_t m = shape.m, n = shape.n, lda = m + 3;
  const std::vector<T> a = random_matrix<T>(n, lda, seed);
  std::vector<T> blocked = a, reference = a;
  std::vector<T> tau;
  qr_factor(m, n, blocked.data(), lda, tau);
  std::vector<T> reference_tau(static_cast<size_t>(n));
  qr_panel(m, n, reference.data(), lda, reference_tau.data());

  const double bound = 20 * std::max<int64_t>(m, 16) * std::numeric_limits<T>::epsilon();
  const double norm = frobenius(m, n, a.data(), lda);
  for (int64_t j = 0; j < n; ++j) {
    EXPECT_NEAR(double(tau[j]), double(reference_tau[j]), bound) << "m=" << m << " n=" << n << " tau " << j;
    for (int64_t i = 0; i < m; ++i) {
      // R scales with the matrix, the reflectors' entries are at most about 1.
      const double scale = i <= j ? norm : 1.0;
      ASSERT_NEAR(double(blocked[i + j * lda]), double(reference[i + j * lda]), bound * scale)
          << "m=" << m << " n=" << n << " (" << i << ", " << j << ")";
    }
    for (int64_t i = m; i < lda; ++i) ASSERT_EQ(blocked[i + j * lda], a[i + j * lda]) << "padding row " << i;
  }
}

// Q (from the reflectors) times R gives A back and Q^T Q = I.
template <class T>
void expect_q_times_r_is_a(Shape shape, uint32_t seed) {
  const int64_t m = shape.m, n = shape.n, lda = m;
  const std::vector<T> a = random_matrix<T>(n, lda, seed);
  std::vector<T> f = a, tau;
  qr_factor(m, n, f.data(), lda, tau);
  std::vector<T> q(static_cast<size_t>(m) * n);
  form_q(m, n, f.data(), lda, tau, n, q.data(), m);

  const double eps = std::numeric_limits<T>::epsilon();
  const double norm = frobenius(m, n, a.data(), lda);
  double residual = 0, orthogonality = 0;
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      double qr = 0;
      for (int64_t p = 0; p <= j; ++p) qr += double(q[i + p * m]) * double(f[p + j * lda]);
      residual = std::max(residual, std::abs(qr - double(a[i + j * lda])));
    }
    for (int64_t i = 0; i < n; ++i) {
      double dot = 0;
      for (int64_t p = 0; p < m; ++p) dot += double(q[p + i * m]) * double(q[p + j * m]);
      orthogonality = std::max(orthogonality, std::abs(dot - (i == j ? 1.0 : 0.0)));
    }
  }
  EXPECT_LE(residual, 10 * m * eps * norm) << "m=" << m << " n=" << n;
  EXPECT_LE(orthogonality, 10 * m * eps) << "m=" << m << " n=" << n;
}

TEST_F(QrFactor, MatchesTheColumnByColumnReduction) {
  uint32_t seed = 11;
  for (const Shape& shape : kShapes) {
    expect_matches_column_by_column<double>(shape, seed++);
    expect_matches_column_by_column<float>(shape, seed++);
  }
}

TEST_F(QrFactor, QTimesRIsTheMatrix) {
  uint32_t seed = 101;
  for (const Shape& shape : kShapes) {
    expect_q_times_r_is_a<double>(shape, seed++);
    expect_q_times_r_is_a<float>(shape, seed++);
  }
}

// The recursion's T against dlarft's on the column-by-column reduction of the same panel, including panels
// with fewer rows than columns (the band reduction's last LQ steps).
TEST_F(QrFactor, PanelFactorIsDlarftsT) {
  const Shape panels[] = {{100, 8}, {100, 24}, {300, 64}, {64, 64}, {40, 64}, {5, 20}};
  uint32_t seed = 300;
  for (const Shape& shape : panels) {
    const int64_t h = shape.m, w = shape.n;
    const std::vector<double> a = random_matrix<double>(w, h, seed++);
    std::vector<double> recursive = a, reference = a, tau(w), reference_tau(w);
    std::vector<double> t(w * w, -7.0), reference_t(w * w, 0.0);
    qr_panel_and_factor(h, w, recursive.data(), h, tau.data(), t.data(), w);
    qr_panel(h, w, reference.data(), h, reference_tau.data());
    std::vector<double> v(h * w, 0.0);
    for (int64_t c = 0; c < w && c < h; ++c) {
      v[c + c * h] = 1;
      for (int64_t r = c + 1; r < h; ++r) v[r + c * h] = reference[r + c * h];
    }
    triangular_factor(h, w, v.data(), h, reference_tau.data(), reference_t.data(), w);
    const double bound = 1e-12 * std::max<int64_t>(h, 16);
    for (int64_t j = 0; j < w; ++j) {
      for (int64_t i = 0; i < h; ++i) {
        ASSERT_NEAR(recursive[i + j * h], reference[i + j * h], bound * 10)
            << h << " x " << w << " (" << i << ", " << j << ")";
      }
      for (int64_t i = 0; i < w; ++i) {
        // Upper triangle: dlarft's; below it: zeros, whatever was there.
        const double expected = i <= j ? reference_t[i + j * w] : 0.0;
        ASSERT_NEAR(t[i + j * w], expected, bound) << h << " x " << w << " T(" << i << ", " << j << ")";
      }
    }
  }
}

// The GEMMs split their columns over the pool's threads: the factorization must not depend on how many.
TEST_F(QrFactor, ThreadsGiveTheSingleThreadBits) {
  const int64_t m = 700, n = 300;
  const std::vector<double> a = random_matrix<double>(n, m, 7);
  std::vector<double> one = a, two = a, tau_one, tau_two;
  ThreadPool& pool = ThreadPool::global();
  const int before = pool.max_threads();
  pool.set_max_threads(1);
  qr_factor(m, n, one.data(), m, tau_one);
  pool.set_max_threads(2);
  qr_factor(m, n, two.data(), m, tau_two);
  pool.set_max_threads(before);
  EXPECT_EQ(one, two);
  EXPECT_EQ(tau_one, tau_two);
}

}  // namespace
}  // namespace armory::lapack
