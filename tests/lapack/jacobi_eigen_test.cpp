// lapack::jacobi_eigen against symmetric matrices with known eigenvalues (Q diag(lambda) Q^T from a random
// orthogonal Q): ||A V - V diag(w)|| / (||A|| n eps) and ||V^T V - I|| / (n eps) at most 10, eigenvalues in
// ascending order within 10 n eps ||A|| of lambda; orders 1..kJacobiEigenMaxOrder (larger ones refused).
#include "lapack/jacobi_eigen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace armory::lapack {
namespace {

// A random orthogonal n x n matrix (column-major): Gram-Schmidt, twice, on normal columns.
std::vector<double> random_orthogonal(int n, std::mt19937& rng) {
  std::normal_distribution<double> normal;
  std::vector<double> q(n * n);
  for (double& x : q) x = normal(rng);
  for (int j = 0; j < n; ++j) {
    for (int pass = 0; pass < 2; ++pass) {
      for (int k = 0; k < j; ++k) {
        double dot = 0;
        for (int i = 0; i < n; ++i) dot += q[i + k * n] * q[i + j * n];
        for (int i = 0; i < n; ++i) q[i + j * n] -= dot * q[i + k * n];
      }
    }
    double norm = 0;
    for (int i = 0; i < n; ++i) norm += q[i + j * n] * q[i + j * n];
    for (int i = 0; i < n; ++i) q[i + j * n] /= std::sqrt(norm);
  }
  return q;
}

std::vector<double> eigenvalues_of(const std::string& kind, int n, std::mt19937& rng) {
  std::uniform_real_distribution<double> uniform(-10, 10);
  std::vector<double> lambda(n);
  for (int i = 0; i < n; ++i) {
    if (kind == "random") lambda[i] = uniform(rng);
    if (kind == "graded") lambda[i] = (i % 2 ? -1 : 1) * std::pow(10.0, -12.0 * i / std::max(1, n - 1));
    if (kind == "repeated") lambda[i] = i < n / 2 ? 2.0 : -3.0;
    if (kind == "zero") lambda[i] = 0;
  }
  return lambda;
}

template <class T>
void expect_eigenpairs(int n, const std::string& kind, uint32_t seed, int lda_extra) {
  std::mt19937 rng(seed);
  std::vector<double> lambda = eigenvalues_of(kind, n, rng);
  const std::vector<double> q = random_orthogonal(n, rng);
  const int lda = n + lda_extra;
  std::vector<T> a(lda * n), original(n * n);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      double sum = 0;
      for (int k = 0; k < n; ++k) sum += q[i + k * n] * lambda[k] * q[j + k * n];
      a[i + j * lda] = original[i + j * n] = T(sum);
    }
  }
  // Symmetric to the bit: (i, j) and (j, i) came from the same sum in a different order.
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < j; ++i) a[j + i * lda] = original[j + i * n] = a[i + j * lda];
  }
  std::vector<T> w(n), v(n * n), w_only(n);
  std::vector<T> copy = a;
  ASSERT_TRUE(jacobi_eigen<T>(n, a.data(), lda, w.data(), v.data(), n)) << kind << " n=" << n;
  ASSERT_TRUE(jacobi_eigen<T>(n, copy.data(), lda, w_only.data(), nullptr, 0)) << kind << " n=" << n;
  const double eps = std::numeric_limits<T>::epsilon();
  double norm = 0;
  for (T x : original) norm += double(x) * double(x);
  norm = std::max(std::sqrt(norm), 1e-300);
  const double scale = n * eps;
  double residual = 0, orthogonality = 0;
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      double av = 0, vtv = 0;
      for (int k = 0; k < n; ++k) {
        av += double(original[i + k * n]) * v[k + j * n];
        vtv += double(v[k + i * n]) * v[k + j * n];
      }
      residual += std::pow(av - double(v[i + j * n]) * w[j], 2);
      orthogonality += std::pow(vtv - (i == j), 2);
    }
  }
  const std::string what = kind + " n=" + std::to_string(n) + " lda=" + std::to_string(lda);
  EXPECT_LE(std::sqrt(residual) / (norm * scale), 10) << what;
  EXPECT_LE(std::sqrt(orthogonality) / scale, 10) << what;
  std::sort(lambda.begin(), lambda.end());
  for (int i = 0; i < n; ++i) {
    if (i + 1 < n) {
      EXPECT_LE(w[i], w[i + 1]) << what << ": not ascending at " << i;
    }
    EXPECT_LE(std::abs(double(w[i]) - lambda[i]) / (norm * scale), 10) << what << ", value " << i;
    EXPECT_EQ(w[i], w_only[i]) << what << ": values alone differ at " << i;  // the same rotations either way
  }
}

TEST(JacobiEigen, EveryKindOfSpectrumAtEveryOrder) {
  for (const char* kind : {"random", "graded", "repeated", "zero"}) {
    for (int n = 1; n <= int(kJacobiEigenMaxOrder); ++n) {
      expect_eigenpairs<double>(n, kind, 10 + n, n % 2);
      expect_eigenpairs<float>(n, kind, 20 + n, 0);
    }
  }
}

// Zero diagonal, off-diagonal only: the relative criterion gives no slack there, and the rotation must still
// finish the pair in one step. [0 1; 1 0] has eigenvalues -1 and 1.
TEST(JacobiEigen, ZeroDiagonal) {
  double a[4] = {0, 1, 1, 0}, w[2], v[4];
  ASSERT_TRUE(jacobi_eigen<double>(2, a, 2, w, v, 2));
  EXPECT_DOUBLE_EQ(w[0], -1);
  EXPECT_DOUBLE_EQ(w[1], 1);
  EXPECT_NEAR(std::abs(v[0]), std::sqrt(0.5), 1e-15);
}

TEST(JacobiEigen, LargerOrdersAreRefused) {
  const int n = int(kJacobiEigenMaxOrder) + 1;
  std::vector<double> a(n * n, 1.0), w(n), v(n * n);
  EXPECT_FALSE(jacobi_eigen<double>(n, a.data(), n, w.data(), v.data(), n));
}

TEST(JacobiEigen, NanOrInfIsRefused) {
  for (double bad : {std::nan(""), double(INFINITY)}) {
    double a[9] = {1, 2, 3, 2, bad, 4, 3, 4, 5}, w[3], v[9];
    EXPECT_FALSE(jacobi_eigen<double>(3, a, 3, w, v, 3)) << bad;
  }
}

}  // namespace
}  // namespace armory::lapack
