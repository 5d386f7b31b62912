// Divide and conquer on bidiagonal matrices chosen to exercise each deflation (zero and tiny
// superdiagonals, zero and repeated diagonals, graded entries) besides random ones; the result must be an
// SVD to the bounds and its values those of QR iteration. The values from dqds (the values-only
// solver) must be the same, and dqds must not have given up on any of them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "lapack/bidiagonal_dc.h"
#include "lapack/bidiagonal_dqds.h"
#include "lapack/bidiagonal_svd.h"

namespace armory::lapack {
namespace {

template <class T>
void expect_svd(const std::vector<T>& d0, const std::vector<T>& e0, const std::string& what) {
  const int64_t n = static_cast<int64_t>(d0.size());
  std::vector<T> d = d0, u(n * n), v(n * n);
  ASSERT_EQ(bidiagonal_svd_dc(n, d.data(), e0.data(), u.data(), n, v.data(), n), 0) << what;

  const double eps = std::numeric_limits<T>::epsilon(), scale = n * eps;
  double norm = 0;
  for (int64_t i = 0; i < n; ++i) norm += double(d0[i]) * d0[i] + (i + 1 < n ? double(e0[i]) * e0[i] : 0.0);
  norm = std::max(std::sqrt(norm), 1e-300);
  double residual = 0;
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i) {
      double sum = 0;
      for (int64_t l = 0; l < n; ++l) sum += double(u[i + l * n]) * d[l] * v[j + l * n];
      const double b = i == j ? d0[i] : (j == i + 1 ? e0[i] : 0.0);
      residual += (sum - b) * (sum - b);
    }
  }
  EXPECT_LE(std::sqrt(residual) / (norm * scale), 10) << what << ": residual";
  for (const std::vector<T>* q : {&u, &v}) {
    double error = 0;
    for (int64_t a = 0; a < n; ++a) {
      for (int64_t b = 0; b < n; ++b) {
        double dot = 0;
        for (int64_t i = 0; i < n; ++i) dot += double((*q)[i + a * n]) * (*q)[i + b * n];
        error += (dot - (a == b)) * (dot - (a == b));
      }
    }
    EXPECT_LE(std::sqrt(error) / scale, 10) << what << (q == &u ? ": U" : ": V") << " not orthogonal";
  }
  std::vector<T> dq = d0, eq = e0;
  ASSERT_EQ(bidiagonal_svd<T>(n, dq.data(), eq.data(), nullptr, 1, 0, nullptr, 1, 0), 0);
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_GE(d[i], T(0)) << what;
    if (i + 1 < n) {
      EXPECT_GE(d[i], d[i + 1]) << what << ": not decreasing at " << i;
    }
    EXPECT_LE(std::abs(double(d[i]) - dq[i]) / (norm * scale), 10) << what << ": value " << i;
  }
  std::vector<T> dqds = d0;
  ASSERT_EQ(bidiagonal_values_dqds<T>(n, dqds.data(), e0.data()), 0) << what << ": dqds gave up";
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_LE(std::abs(double(dqds[i]) - dq[i]) / (norm * scale), 10) << what << ": dqds value " << i;
  }
}

template <class T>
void every_kind(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  auto make = [&](const std::function<double(int64_t)>& d, const std::function<double(int64_t)>& e,
                  const std::string& what) {
    std::vector<T> dv(n), ev(std::max<int64_t>(n - 1, 0));
    for (int64_t i = 0; i < n; ++i) dv[i] = T(d(i));
    for (int64_t i = 0; i + 1 < n; ++i) ev[i] = T(e(i));
    expect_svd(dv, ev, what + " n=" + std::to_string(n));
  };
  make([&](int64_t) { return uniform(rng); }, [&](int64_t) { return uniform(rng); }, "random");
  make([](int64_t) { return 1.0; }, [](int64_t) { return 0.0; }, "identity");
  make([](int64_t) { return 0.0; }, [](int64_t) { return 0.0; }, "zero");
  make([](int64_t) { return 1.0; }, [](int64_t) { return 1e-20; }, "identity plus tiny");
  make([](int64_t) { return 1.0; }, [](int64_t) { return 1.0; }, "ones");
  make([&](int64_t i) { return i % 7 == 3 ? 0.0 : uniform(rng); }, [&](int64_t) { return uniform(rng); },
       "zero diagonal entries");
  make([&](int64_t) { return uniform(rng); }, [&](int64_t i) { return i % 5 == 2 ? 0.0 : uniform(rng); },
       "zero superdiagonal entries");
  make([&](int64_t i) { return i % 3 == 0 ? 2.0 : uniform(rng); },
       [&](int64_t i) { return i % 4 == 0 ? 1e-30 : uniform(rng); }, "repeated values");
  make([&](int64_t i) { return std::pow(10.0, -0.5 * i) * uniform(rng); },
       [&](int64_t i) { return std::pow(10.0, -0.5 * i) * uniform(rng); }, "graded");
  make([&](int64_t i) { return std::pow(10.0, -0.5 * (n - i)) * uniform(rng); },
       [&](int64_t i) { return std::pow(10.0, -0.5 * (n - i)) * uniform(rng); }, "graded upwards");
  make([&](int64_t i) { return i == n / 2 ? 1.0 : 0.0; }, [](int64_t) { return 0.0; }, "one entry");
  // What bidiagonalizing a dense Gaussian matrix gives: chi-distributed entries shrinking down the diagonal.
  make([&](int64_t i) { return std::sqrt(std::chi_squared_distribution<double>(double(n - i))(rng)); },
       [&](int64_t i) { return std::sqrt(std::chi_squared_distribution<double>(double(n - i - 1))(rng)); },
       "from a dense matrix");
}

TEST(BidiagonalDivideAndConquer, DoubleEveryKindAndSize) {
  // One leaf, one merge (33), merges with square and non-square children, several levels.
  for (int64_t n : {1, 2, 32, 33, 64, 65, 100, 257}) every_kind<double>(n, 7 + uint32_t(n));
}

// What bidiagonalizing a rank-one matrix gives: one entry of the matrix's norm, the rest rounding errors.
// The tiny values must come out as small as QR iteration's (both near 1e-17 here), not at the merge's
// deflation tolerance (8 ulps of the norm), which a split at the negligible superdiagonal avoids.
TEST(BidiagonalDivideAndConquer, RankOneBidiagonalKeepsItsTinyValues) {
  for (int64_t n : {40, 100, 257}) {
    std::mt19937 rng{uint32_t(n)};
    std::uniform_real_distribution<double> tiny(-1e-17, 1e-17);
    std::vector<double> d(n), e(n - 1);
    for (double& x : d) x = tiny(rng);
    for (double& x : e) x = tiny(rng);
    d[0] = 1;
    expect_svd(d, e, "rank one n=" + std::to_string(n));
    std::vector<double> u(n * n), v(n * n);
    ASSERT_EQ(bidiagonal_svd_dc(n, d.data(), e.data(), u.data(), n, v.data(), n), 0);
    for (int64_t i = 1; i < n; ++i) EXPECT_LE(d[i], 1e-16) << "n=" << n << ": value " << i;
  }
}

TEST(BidiagonalDivideAndConquer, FloatEveryKindAndSize) {
  for (int64_t n : {33, 70, 130}) every_kind<float>(n, 11 + uint32_t(n));
}

}  // namespace
}  // namespace armory::lapack
