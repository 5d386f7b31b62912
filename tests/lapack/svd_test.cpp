// armory::svd against matrices with known singular values (built as U0 diag(s0) V0^T from random
// orthogonal factors) and the accuracy bounds of the SVD issue: ||A - U S V^T|| / (||A|| n eps) <= 10,
// ||U^T U - I|| / (n eps) <= 10 and the same for V, values sorted and within 10 n eps ||A|| of s0.
#include <armory/svd.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gemm/gemm_reference.h"
#include "gemm/thread_pool.h"
#include "lapack/bidiagonal.h"
#include "lapack/householder.h"
#include "lapack/jacobi_svd.h"

namespace armory {
namespace {

template <class T>
using Matrix = std::vector<T>;  // column-major

// A random orthogonal n x n matrix: the product of n Householder reflectors of random vectors.
template <class T>
Matrix<T> random_orthogonal(int64_t n, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  Matrix<T> q(n * n, T(0));
  for (int64_t i = 0; i < n; ++i) q[i + i * n] = 1;
  std::vector<double> v(n);
  for (int64_t r = 0; r < n; ++r) {
    double norm = 0;
    for (auto& x : v) {
      x = normal(rng);
      norm += x * x;
    }
    if (norm == 0) continue;
    for (int64_t j = 0; j < n; ++j) {  // q <- q (I - 2 v v^T / |v|^2)
      double dot = 0;
      for (int64_t i = 0; i < n; ++i) dot += q[j + i * n] * v[i];
      for (int64_t i = 0; i < n; ++i) q[j + i * n] -= T(2 * dot * v[i] / norm);
    }
  }
  return q;
}

template <class T>
Matrix<T> with_singular_values(int64_t m, int64_t n, const std::vector<double>& s0, uint32_t seed) {
  std::mt19937 rng(seed);
  const Matrix<T> u0 = random_orthogonal<T>(m, rng), v0 = random_orthogonal<T>(n, rng);
  Matrix<T> a(m * n, T(0));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      double sum = 0;
      for (size_t l = 0; l < s0.size(); ++l) sum += double(u0[i + l * m]) * s0[l] * double(v0[j + l * n]);
      a[i + j * m] = T(sum);
    }
  }
  return a;
}

template <class T>
double frobenius(const Matrix<T>& a) {
  double sum = 0;
  for (T x : a) sum += double(x) * double(x);
  return std::sqrt(sum);
}

struct Bounds {
  double residual, u_orthogonality, v_orthogonality, value_error;
};

// Runs the SVD with full or thin vectors and returns the scaled errors; s holds the values. U's leading
// dimension is m + u_padding; the padding rows, NaN on entry, must stay untouched.
template <class T>
Bounds check(int64_t m, int64_t n, Matrix<T> a, const std::vector<double>& s0, std::vector<T>& s,
             SvdVectors vectors = SvdVectors::full, int64_t u_padding = 0) {
  const int64_t k = std::min(m, n);
  const bool full = vectors == SvdVectors::full;
  const int64_t ucols = full ? m : k, vtrows = full ? n : k;
  const int64_t ldu = std::max<int64_t>(1, m) + u_padding, ldvt = std::max<int64_t>(1, vtrows);
  const Matrix<T> original = a;
  Matrix<T> u(std::max<int64_t>(1, ldu * ucols), std::numeric_limits<T>::quiet_NaN()),
      vt(std::max<int64_t>(1, ldvt * n));
  s.assign(std::max<int64_t>(1, k), T(0));
  const Status status = svd(vectors, m, n, a.data(), std::max<int64_t>(1, m), s.data(), u.data(), ldu, vt.data(), ldvt);
  EXPECT_TRUE(status.ok()) << status.message();
  for (int64_t j = 0; j < ucols; ++j) {
    for (int64_t i = m; i < ldu; ++i)
      EXPECT_TRUE(std::isnan(u[i + j * ldu])) << "U's padding written at " << i << ", " << j;
  }
  const double eps = std::numeric_limits<T>::epsilon(), norm = std::max(frobenius(original), 1e-300);
  const double scale = std::max<int64_t>(1, std::max(m, n)) * eps;
  Bounds b{};
  double r = 0;
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      double sum = 0;
      for (int64_t l = 0; l < k; ++l) sum += double(u[i + l * ldu]) * double(s[l]) * double(vt[l + j * ldvt]);
      r += (sum - original[i + j * m]) * (sum - original[i + j * m]);
    }
  }
  b.residual = std::sqrt(r) / (norm * scale);
  // || Q^T Q - I || for the count columns (each `length` long) of q, or for its count rows.
  auto orthogonality = [&](const Matrix<T>& q, int64_t ld, int64_t length, int64_t count, bool columns) {
    double e = 0;
    for (int64_t p = 0; p < count; ++p) {
      for (int64_t c = 0; c < count; ++c) {
        double dot = 0;
        for (int64_t i = 0; i < length; ++i) {
          dot += columns ? double(q[i + p * ld]) * q[i + c * ld] : double(q[p + i * ld]) * q[c + i * ld];
        }
        e += (dot - (p == c)) * (dot - (p == c));
      }
    }
    return std::sqrt(e) / scale;
  };
  b.u_orthogonality = orthogonality(u, ldu, m, ucols, true);
  b.v_orthogonality = orthogonality(vt, ldvt, n, vtrows, false);
  for (int64_t i = 0; i + 1 < k; ++i) EXPECT_GE(s[i], s[i + 1]) << "values not sorted at " << i;
  for (int64_t i = 0; i < k; ++i) EXPECT_GE(s[i], T(0));
  double worst = 0;
  for (size_t i = 0; i < s0.size() && int64_t(i) < k; ++i) worst = std::max(worst, std::abs(double(s[i]) - s0[i]));
  b.value_error = worst / (norm * scale);
  return b;
}

template <class T>
void expect_accurate(int64_t m, int64_t n, std::vector<double> s0, uint32_t seed, const char* what,
                     SvdVectors vectors = SvdVectors::full) {
  std::sort(s0.rbegin(), s0.rend());
  std::vector<T> s;
  const Bounds b = check<T>(m, n, with_singular_values<T>(m, n, s0, seed), s0, s, vectors);
  const char* mode = vectors == SvdVectors::full ? "full" : "thin";
  EXPECT_LE(b.residual, 10) << what << " m=" << m << " n=" << n << " " << mode;
  EXPECT_LE(b.u_orthogonality, 10) << what << " m=" << m << " n=" << n << " " << mode;
  EXPECT_LE(b.v_orthogonality, 10) << what << " m=" << m << " n=" << n << " " << mode;
  EXPECT_LE(b.value_error, 10) << what << " m=" << m << " n=" << n << " " << mode;
}

std::vector<double> spectrum(const char* kind, int64_t k, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(0.1, 10);
  std::vector<double> s(k);
  for (int64_t i = 0; i < k; ++i) {
    const std::string name = kind;
    if (name == "random") s[i] = uniform(rng);
    if (name == "graded") s[i] = std::pow(10.0, -300.0 * i / std::max<int64_t>(1, k - 1));
    if (name == "rank-deficient") s[i] = i < k / 2 ? uniform(rng) : 0.0;
    if (name == "clustered") s[i] = 1.0 + 1e-10 * i;
    if (name == "identity") s[i] = 1.0;
    if (name == "zero") s[i] = 0.0;
  }
  return s;
}

TEST(Svd, DoubleAccuracyOnEveryKindOfSpectrumAndShape) {
  struct Shape {
    int64_t m, n;
  };
  for (const char* kind : {"random", "graded", "rank-deficient", "clustered", "identity", "zero"}) {
    for (Shape shape : {Shape{40, 40}, Shape{60, 25}, Shape{25, 60}, Shape{1, 17}, Shape{17, 1}, Shape{1, 1}}) {
      const int64_t k = std::min(shape.m, shape.n);
      expect_accurate<double>(shape.m, shape.n, spectrum(kind, k, 3), 11, kind);
    }
  }
}

// Up to 10 columns and 256 entries: one-sided Jacobi on a copy on the stack (lapack/jacobi_svd.h). Every
// spectrum, square, tall and wide, thin and full vectors (a full U or V^T wider than the copy's columns, and a
// singular matrix's vectors, go to the bidiagonal path), in both precisions; values only agree with the
// vector run's, and a 3 x 3 matrix takes the same values whatever its scale.
TEST(Svd, SmallMatricesByJacobi) {
  struct Shape {
    int64_t m, n;
  };
  // Up to the limits and just past them (the bidiagonal path).
  const Shape shapes[] = {{1, 1}, {2, 2}, {3, 3},  {4, 4},  {8, 8},  {10, 10}, {11, 11},
                          {5, 3}, {3, 5}, {32, 8}, {8, 32}, {64, 4}, {65, 4}};
  for (const char* kind : {"random", "graded", "rank-deficient", "clustered", "identity", "zero"}) {
    for (Shape shape : shapes) {
      const int64_t k = std::min(shape.m, shape.n);
      for (SvdVectors vectors : {SvdVectors::full, SvdVectors::thin}) {
        expect_accurate<double>(shape.m, shape.n, spectrum(kind, k, 61), 62, kind, vectors);
        expect_accurate<float>(shape.m, shape.n, spectrum(kind, k, 63), 64, kind, vectors);
      }
    }
  }
  for (Shape shape : shapes) {
    const int64_t m = shape.m, n = shape.n, k = std::min(m, n);
    auto a = with_singular_values<double>(m, n, spectrum("random", k, 65), 66);
    auto copy = a;
    std::vector<double> s_values(k), s_thin(k), u(m * k), vt(k * n);
    ASSERT_TRUE(svd(SvdVectors::none, m, n, a.data(), m, s_values.data(), nullptr, 1, nullptr, 1).ok());
    ASSERT_TRUE(svd(SvdVectors::thin, m, n, copy.data(), m, s_thin.data(), u.data(), m, vt.data(), k).ok());
    // Jacobi's rotations do not depend on V being accumulated: the same values to the bit.
    const bool jacobi = k <= lapack::kJacobiMaxColumns && m * n <= lapack::kJacobiMaxElements;
    for (int64_t i = 0; i < k; ++i) {
      if (jacobi) {
        EXPECT_EQ(s_values[i], s_thin[i]) << m << " x " << n << ", " << i;
      } else {
        EXPECT_NEAR(s_values[i], s_thin[i], 1e-12 * s_thin[0]) << m << " x " << n << ", " << i;
      }
    }
  }
  const std::vector<double> a = with_singular_values<double>(3, 3, {3.0, 2.0, 1.0}, 67);
  for (double factor : {1e-300, 1e300}) {
    std::vector<double> scaled(a.size()), s(3), u(9), vt(9);
    for (size_t i = 0; i < a.size(); ++i) scaled[i] = a[i] * factor;
    ASSERT_TRUE(svd(SvdVectors::full, 3, 3, scaled.data(), 3, s.data(), u.data(), 3, vt.data(), 3).ok());
    for (int64_t i = 0; i < 3; ++i) EXPECT_NEAR(s[i] / factor, 3.0 - double(i), 1e-14) << factor << ", " << i;
  }
}

// A tall matrix's Q is formed in the caller's U (svd.cpp's q_in_u) unless U's columns alias and U is large,
// and a wide one's full V^T past its first m rows straight from the reflectors (trailing_vt: up to 64 rows, at
// least 8 times wider than tall; 33 x 264 through QR first, 40 x 120 and 65 x 140 the other way): full and
// thin vectors, U's leading dimension padded or not, 2 KiB apart in a small U (in place) and in a large one
// (150 rows 4 KiB apart: a padded buffer, then copied); through QR iteration, divide and conquer and QR first.
TEST(Svd, TallAndWideMatrixVectorsFormedInPlace) {
  struct Case {
    int64_t m, n, u_padding;
    SvdVectors vectors;
  };
  const auto full = SvdVectors::full, thin = SvdVectors::thin;
  for (Case c : {Case{150, 3, 0, full}, Case{150, 3, 0, thin}, Case{150, 3, 5, full}, Case{256, 1, 0, full},
                 Case{256, 20, 0, full}, Case{150, 5, 362, full}, Case{200, 40, 0, full}, Case{200, 40, 7, thin},
                 Case{100, 60, 1, full}, Case{3, 200, 0, full}, Case{10, 131, 0, full}, Case{40, 120, 0, full},
                 Case{33, 264, 0, full}, Case{65, 140, 0, full}}) {
    std::vector<double> s0 = spectrum("random", std::min(c.m, c.n), 71), s;
    std::sort(s0.rbegin(), s0.rend());
    const Bounds b =
        check<double>(c.m, c.n, with_singular_values<double>(c.m, c.n, s0, 72), s0, s, c.vectors, c.u_padding);
    const std::string what = std::to_string(c.m) + " x " + std::to_string(c.n) + " + " + std::to_string(c.u_padding) +
                             (c.vectors == full ? " full" : " thin");
    EXPECT_LE(b.residual, 10) << what;
    EXPECT_LE(b.u_orthogonality, 10) << what;
    EXPECT_LE(b.v_orthogonality, 10) << what;
    EXPECT_LE(b.value_error, 10) << what;
  }
}

// Wide enough (>= 64 columns) for the blocked bidiagonalization: panels of 32 and GEMM updates.
TEST(Svd, BlockedReductionAccuracy) {
  for (const char* kind : {"random", "graded", "rank-deficient", "clustered"}) {
    expect_accurate<double>(150, 100, spectrum(kind, 100, 4), 31, kind);
    expect_accurate<double>(100, 150, spectrum(kind, 100, 4), 32, kind);
  }
  expect_accurate<float>(130, 130, spectrum("random", 130, 6), 33, "random");
}

// At least twice as tall as wide and 32 columns: QR first, then the SVD of R (a wide matrix as its
// transpose); 130 columns make the QR blocked with a partial last panel. Full vectors: U's last columns
// come from Q alone.
TEST(Svd, QrFirstForTallAndWideMatrices) {
  for (const char* kind : {"random", "graded", "rank-deficient", "clustered", "zero"}) {
    expect_accurate<double>(200, 60, spectrum(kind, 60, 8), 41, kind);
    expect_accurate<double>(60, 200, spectrum(kind, 60, 8), 42, kind);
  }
  expect_accurate<double>(300, 130, spectrum("random", 130, 9), 43, "random");
  expect_accurate<float>(160, 40, spectrum("random", 40, 9), 44, "random");
  expect_accurate<float>(40, 160, spectrum("clustered", 40, 9), 45, "clustered");
  // Thin vectors and values only agree with the full run.
  const int64_t m = 300, n = 64;
  auto a = with_singular_values<double>(m, n, spectrum("random", n, 10), 46);
  auto copy = a;
  std::vector<double> s_values(n), s_thin(n), u(m * n), vt(n * n);
  ASSERT_TRUE(svd(SvdVectors::none, m, n, a.data(), m, s_values.data(), nullptr, 1, nullptr, 1).ok());
  ASSERT_TRUE(svd(SvdVectors::thin, m, n, copy.data(), m, s_thin.data(), u.data(), m, vt.data(), n).ok());
  for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(s_values[i], s_thin[i], 1e-12 * s_thin[0]);
}

// Columns a multiple of 2 KiB apart (256 doubles, 512 floats): the working copies take a padded leading
// dimension (svd.cpp's working_ld), the square case through divide and conquer, Q and P, the tall ones through
// QR first, and values only through the two-stage reduction.
TEST(Svd, PaddedWorkingCopiesForPowerOfTwoSizes) {
  expect_accurate<double>(256, 256, spectrum("random", 256, 12), 51, "random");
  expect_accurate<double>(256, 64, spectrum("graded", 64, 12), 52, "graded");
  expect_accurate<double>(64, 256, spectrum("clustered", 64, 12), 53, "clustered");
  // float: a tall 512 x 16 matrix (QR first), its values against the float64 run's.
  {
    const int64_t m = 512, n = 16;
    std::mt19937 rng(54);
    std::vector<double> a = testing::random_matrix<double>(m * n, rng);
    std::vector<float> af(a.begin(), a.end()), sf(n);
    std::vector<double> s(n);
    ASSERT_TRUE(svd(SvdVectors::none, m, n, af.data(), m, sf.data(), nullptr, 1, nullptr, 1).ok());
    ASSERT_TRUE(svd(SvdVectors::none, m, n, a.data(), m, s.data(), nullptr, 1, nullptr, 1).ok());
    for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(sf[i], s[i], 1e-5 * s[0]);
  }
  // Values only (the two-stage reduction) against the vector run.
  const int64_t n = 256;
  std::mt19937 rng(55);
  std::vector<double> a = testing::random_matrix<double>(n * n, rng);
  auto copy = a;
  std::vector<double> s_values(n), s_vectors(n), u(n * n), vt(n * n);
  ASSERT_TRUE(svd(SvdVectors::none, n, n, a.data(), n, s_values.data(), nullptr, 1, nullptr, 1).ok());
  ASSERT_TRUE(svd(SvdVectors::thin, n, n, copy.data(), n, s_vectors.data(), u.data(), n, vt.data(), n).ok());
  for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(s_values[i], s_vectors[i], 1e-12 * s_vectors[0]);
}

TEST(Svd, FloatAccuracy) {
  expect_accurate<float>(50, 30, spectrum("random", 30, 5), 12, "random");
  expect_accurate<float>(30, 50, spectrum("clustered", 30, 5), 13, "clustered");
}

// Kahan's matrix: upper triangular, 1 on the diagonal scaled by s^i, -c s^i above; notoriously graded.
TEST(Svd, KahanMatrix) {
  const int64_t n = 30;
  const double theta = 1.2, c = std::cos(theta), sn = std::sin(theta);
  std::vector<double> a(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const double scale = std::pow(sn, double(i));
    a[i + i * n] = scale;
    for (int64_t j = i + 1; j < n; ++j) a[i + j * n] = -c * scale;
  }
  std::vector<double> s;
  const Bounds b = check<double>(n, n, a, {}, s);
  EXPECT_LE(b.residual, 10);
  EXPECT_LE(b.u_orthogonality, 10);
  EXPECT_LE(b.v_orthogonality, 10);
}

TEST(Svd, ValuesOnlyAgreeWithTheVectorRun) {
  const int64_t m = 70, n = 45;
  auto a = with_singular_values<double>(m, n, spectrum("random", n, 7), 21);
  auto copy = a;
  std::vector<double> s_values(n), s_vectors(n), u(m * n), vt(n * n);
  ASSERT_TRUE(svd(SvdVectors::none, m, n, a.data(), m, s_values.data(), nullptr, 1, nullptr, 1).ok());
  ASSERT_TRUE(svd(SvdVectors::thin, m, n, copy.data(), m, s_vectors.data(), u.data(), m, vt.data(), n).ok());
  for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(s_values[i], s_vectors[i], 1e-12 * s_vectors[0]);
}

// A rank-one matrix's other singular values are rounding errors: LAPACK's dgesdd gives them at about half an
// ulp of the largest, and numpy.linalg.pinv and matrix_rank cut at 1e-15 of it. Divide and conquer once
// gave one of them at 8 ulps (pinv then inverted it); values alone and vectors must both stay near zero.
TEST(Svd, RankOneMatrixKeepsItsZeroValuesAtRoundingLevel) {
  for (auto [m, n] : {std::pair<int64_t, int64_t>{59, 39}, {100, 100}, {300, 200}, {3, 3}, {7, 5}, {40, 6}}) {
    std::vector<double> a(m * n);
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < m; ++i) a[i + j * m] = double(i + 1) * double(j + 1);
    }
    for (SvdVectors vectors : {SvdVectors::none, SvdVectors::thin}) {
      std::vector<double> copy = a, s(n), u(m * n), vt(n * n);
      ASSERT_TRUE(svd(vectors, m, n, copy.data(), m, s.data(), u.data(), m, vt.data(), n).ok());
      const double eps = std::numeric_limits<double>::epsilon();
      EXPECT_LE(s[1], 4 * eps * s[0]) << m << " x " << n << (vectors == SvdVectors::none ? ", values" : ", vectors");
    }
  }
}

// A product beyond the caches takes its reflectors 128 at a time instead of 64 (bidiagonal.cpp,
// kDeepApplyBytes): Q C for a 65600 x 64 float C (16.8 MB) and 160 reflectors, one block of 32 and one of
// 128, against the reflectors applied one by one.
TEST(Svd, ReflectorsAppliedInDeepBlocksToALargeProduct) {
#if defined(__aarch64__)
  // 65-80 s per CPU model under qemu (the reference is 2.7 GFLOP of portable loops), a sixth of an emulated
  // suite: the blocking is portable code, and the GEMM kernels under it are tested per ISA elsewhere.
  GTEST_SKIP() << "runs natively only";
#endif
  const int64_t m = 65600, n = 160, cols = 64;
  std::mt19937 rng(23);
  std::vector<float> a = testing::random_matrix<float>(m * n, rng), c = testing::random_matrix<float>(m * cols, rng);
  const lapack::Bidiagonal<float> b = lapack::bidiagonalize<float>(m, n, a.data(), m);
  std::vector<float> expected = c;
  for (int64_t i = n - 1; i >= 0; --i) {
    lapack::apply_reflector_left<float>(m - i, cols, a.data() + i + i * m, 1, b.tauq[i], expected.data() + i, m);
  }
  lapack::multiply_q<float>(m, n, a.data(), m, b.tauq, cols, c.data(), m);
  float worst = 0;
  for (size_t i = 0; i < c.size(); ++i) worst = std::max(worst, std::abs(c[i] - expected[i]));
  EXPECT_LE(worst, 100 * n * std::numeric_limits<float>::epsilon());  // |C| <= 1, Q orthogonal
}

// P C applied in blocks of 64 right reflectors, each set one row lower on all of C (multiply_p keeps C's
// aligned first row): against the reflectors applied one by one to rows i+1.. of C. 150 columns: two full
// blocks and a partial one; C (n x n) with a padded leading dimension.
TEST(Svd, PAppliedInBlocksMatchesItsReflectorsOneByOne) {
  const int64_t n = 150, cols = n, ldc = n + 3;
  std::mt19937 rng(24);
  std::vector<double> a = testing::random_matrix<double>(n * n, rng),
                      c = testing::random_matrix<double>(ldc * cols, rng);
  const lapack::Bidiagonal<double> b = lapack::bidiagonalize<double>(n, n, a.data(), n);
  std::vector<double> expected = c;
  for (int64_t i = n - 2; i >= 0; --i) {
    lapack::apply_reflector_left<double>(n - 1 - i, cols, a.data() + i + (i + 1) * n, n, b.taup[i],
                                         expected.data() + i + 1, ldc);
  }
  lapack::multiply_p<double>(n, a.data(), n, b.taup, c.data(), ldc);
  double worst = 0;
  for (size_t i = 0; i < c.size(); ++i) worst = std::max(worst, std::abs(c[i] - expected[i]));
  EXPECT_LE(worst, 100 * n * std::numeric_limits<double>::epsilon());  // |C| <= 1, P orthogonal
  for (int64_t j = 0; j < cols; ++j) EXPECT_EQ(c[j * ldc], expected[j * ldc]);  // row 0 untouched: P = diag(1, P')
}

// Entries so small or so large that their squares under- or overflow are scaled into range first and the
// values scaled back: the same matrix times 1e-290 and 1e290, tall and wide, gives the same values scaled.
TEST(Svd, TinyAndHugeMatricesAreScaledIntoRange) {
  for (auto [m, n] : {std::pair<int64_t, int64_t>{60, 25}, {25, 60}}) {
    const int64_t k = std::min(m, n);
    auto a = with_singular_values<double>(m, n, spectrum("random", k, 9), 23);
    auto plain = a;
    std::vector<double> s(k);
    ASSERT_TRUE(svd(SvdVectors::none, m, n, plain.data(), m, s.data(), nullptr, 1, nullptr, 1).ok());
    for (double factor : {1e-290, 1e290}) {
      std::vector<double> scaled(a.size()), s_scaled(k);
      for (size_t i = 0; i < a.size(); ++i) scaled[i] = a[i] * factor;
      ASSERT_TRUE(svd(SvdVectors::none, m, n, scaled.data(), m, s_scaled.data(), nullptr, 1, nullptr, 1).ok());
      for (int64_t i = 0; i < k; ++i) {
        EXPECT_NEAR(s_scaled[i] / factor, s[i], 1e-12 * s[0]) << m << " x " << n << " times " << factor << ", " << i;
      }
    }
  }
}

// svd_batch: every matrix of a stack (with padding between them) as svd() gives it alone, to the bit, on 1 and
// 2 threads; small matrices are shared among the threads, large ones taken one after another.
TEST(Svd, BatchGivesEachMatrixsOwnSvd) {
  struct Shape {
    int64_t m, n;
  };
  for (Shape shape : {Shape{3, 3}, Shape{7, 4}, Shape{4, 9}, Shape{300, 57}}) {
    for (SvdVectors vectors : {SvdVectors::none, SvdVectors::thin, SvdVectors::full}) {
      const int64_t m = shape.m, n = shape.n, k = std::min(m, n), count = m * n > kSvdBatchSharedElements ? 2 : 37;
      const int64_t ucols = vectors == SvdVectors::full ? m : k, vtrows = vectors == SvdVectors::full ? n : k;
      const int64_t lda = m + 1, a_stride = lda * n + 5, s_stride = k + 2, u_stride = m * ucols + 3,
                    vt_stride = vtrows * n + 1;
      std::mt19937 rng(81);
      const std::vector<double> a = testing::random_matrix<double>(a_stride * count, rng);
      std::vector<double> expected_s(s_stride * count), expected_u(u_stride * count), expected_vt(vt_stride * count);
      for (int64_t i = 0; i < count; ++i) {
        std::vector<double> copy(a.begin() + i * a_stride, a.begin() + (i + 1) * a_stride);
        ASSERT_TRUE(svd(vectors, m, n, copy.data(), lda, expected_s.data() + i * s_stride,
                        expected_u.data() + i * u_stride, m, expected_vt.data() + i * vt_stride, vtrows)
                        .ok());
      }
      for (int threads : {1, 2}) {
        ThreadPool::global().set_max_threads(threads);
        std::vector<double> work = a, s(s_stride * count), u(u_stride * count), vt(vt_stride * count);
        ASSERT_TRUE(svd_batch(vectors, count, m, n, work.data(), lda, a_stride, s.data(), s_stride, u.data(), m,
                              u_stride, vt.data(), vtrows, vt_stride)
                        .ok());
        const std::string what = std::to_string(m) + " x " + std::to_string(n) + ", " + std::to_string(threads);
        EXPECT_EQ(s, expected_s) << what;
        if (vectors != SvdVectors::none) {
          EXPECT_EQ(u, expected_u) << what;
          EXPECT_EQ(vt, expected_vt) << what;
        }
      }
      ThreadPool::global().set_max_threads(default_thread_count());
    }
  }
}

TEST(Svd, BatchErrorsNameTheFirstMatrixThatFailed) {
  const int64_t count = 40;
  std::vector<double> a(9 * count, 1.0), s(3 * count, -1.0);
  a[9 * 17 + 4] = std::nan("");
  a[9 * 30] = INFINITY;
  const Status st = svd_batch(SvdVectors::none, count, 3, 3, a.data(), 3, 9, s.data(), 3, nullptr, 1, 0, nullptr, 1, 0);
  EXPECT_EQ(st.code(), Errc::invalid_argument);
  EXPECT_NE(st.message().find("matrix 17 of the batch"), std::string::npos) << st.message();
  EXPECT_NEAR(s[3 * 39], 3.0, 1e-14);  // the others are still decomposed: all ones, values 3, 0, 0
  EXPECT_EQ(svd_batch(SvdVectors::none, -1, 3, 3, a.data(), 3, 9, s.data(), 3, nullptr, 1, 0, nullptr, 1, 0).code(),
            Errc::invalid_argument);
  double* none = nullptr;
  EXPECT_TRUE(svd_batch(SvdVectors::none, 0, 3, 3, none, 3, 9, none, 3, none, 1, 0, none, 1, 0).ok());
}

TEST(Svd, BadInputIsAnErrorNotACrash) {
  std::vector<double> a(4, 1.0), s(2);
  a[3] = std::nan("");
  const Status nan = svd(SvdVectors::none, 2, 2, a.data(), 2, s.data(), nullptr, 1, nullptr, 1);
  EXPECT_EQ(nan.code(), Errc::invalid_argument);
  EXPECT_NE(nan.message().find("NaN"), std::string::npos);
  a[3] = INFINITY;
  EXPECT_EQ(svd(SvdVectors::none, 2, 2, a.data(), 2, s.data(), nullptr, 1, nullptr, 1).code(), Errc::invalid_argument);
  EXPECT_EQ(svd(SvdVectors::none, 2, 2, a.data(), 1, s.data(), nullptr, 1, nullptr, 1).code(), Errc::invalid_argument);
  EXPECT_EQ(svd(SvdVectors::thin, 2, 2, a.data(), 2, s.data(), nullptr, 2, nullptr, 2).code(), Errc::invalid_argument);
  EXPECT_EQ(svd(SvdVectors::none, -1, 2, a.data(), 2, s.data(), nullptr, 1, nullptr, 1).code(), Errc::invalid_argument);
  // Any entry of a tall or a wide matrix, NaN or Inf of either sign (the scan reads magnitudes from the bits).
  for (auto [m, n] : {std::pair<int64_t, int64_t>{7, 3}, {3, 7}}) {
    for (double bad : {std::nan(""), -std::nan(""), double(INFINITY), -double(INFINITY)}) {
      for (int64_t at : {int64_t{0}, m * n / 2, m * n - 1}) {
        std::vector<double> b(m * n, 0.5), sv(std::min(m, n));
        b[at] = bad;
        EXPECT_EQ(svd(SvdVectors::none, m, n, b.data(), m, sv.data(), nullptr, 1, nullptr, 1).code(),
                  Errc::invalid_argument)
            << m << " x " << n << ", " << bad << " at " << at;
      }
    }
  }
  // Empty matrices are fine.
  double* none = nullptr;
  EXPECT_TRUE(svd(SvdVectors::none, 0, 3, none, 1, none, none, 1, none, 1).ok());
}

}  // namespace
}  // namespace armory
