// The two-stage reduction for singular values: the band-to-bidiagonal chase on random bands of every
// small width (its fill must stay inside the storage's room, or values come out wrong), and the whole
// values-only SVD that goes through it, on the SVD issue's kinds of spectrum and bounds. Registered once
// per ISA level, since the chase runs on the vector kernels with the band's strides.
#include "lapack/band_reduction.h"

#include <armory/isa.h>
#include <armory/svd.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gemm/thread_pool.h"
#include "isa_level_test.h"
#include "lapack/bidiagonal_svd.h"

namespace armory::lapack {
namespace {

class BandReduction : public IsaLevelTest {};

// Singular values of a small dense column-major matrix from the one-stage path (SVD with vectors).
template <class T>
std::vector<T> reference_values(int64_t m, int64_t n, std::vector<T> a) {
  std::vector<T> s(std::min(m, n)), u(m * m), vt(n * n);
  EXPECT_TRUE(svd(SvdVectors::full, m, n, a.data(), m, s.data(), u.data(), m, vt.data(), n).ok());
  return s;
}

template <class T>
void expect_band_values(int64_t n, int64_t b, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  UpperBand<T> band(n, b);
  std::vector<T> dense(n * n, T(0));
  double norm = 0;
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = r; c < n && c <= r + b; ++c) {
      const T x = T(normal(rng));
      band.at(r, c) = x;
      dense[r + c * n] = x;
      norm += double(x) * x;
    }
  }
  std::vector<T> d, e;
  band.reduce_to_bidiagonal(d, e);
  ASSERT_EQ(bidiagonal_svd(n, d.data(), e.data(), static_cast<T*>(nullptr), 1, 0, static_cast<T*>(nullptr), 1, 0),
            0);
  const std::vector<T> s = reference_values(n, n, dense);
  const double bound = 10 * n * std::numeric_limits<T>::epsilon() * std::sqrt(norm);
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_NEAR(double(d[i]), double(s[i]), bound) << "n=" << n << " b=" << b << " value " << i;
  }
}

TEST_F(BandReduction, ChaseKeepsTheValuesOfEveryBand) {
  for (int64_t n : {1, 2, 3, 7, 33, 100}) {
    for (int64_t b : {1, 2, 3, 5, 16}) {
      expect_band_values<double>(n, b, static_cast<uint32_t>(7 * n + b));
      expect_band_values<float>(n, b, static_cast<uint32_t>(11 * n + b));
    }
  }
}

// From kParallelChaseMinSweeps sweeps the chase runs on the pool's threads, each sweep kept steps behind the
// one before it: the bidiagonal comes out bit for bit as on one thread, at any thread count, and keeps the values.
TEST_F(BandReduction, ThreadedChaseGivesTheSingleThreadBits) {
  const int64_t n = kParallelChaseMinSweeps + 45;
  ThreadPool& pool = ThreadPool::global();
  const int before = pool.max_threads();
  for (int64_t b : {2, 7, 32, 64}) {
    std::mt19937 rng(static_cast<uint32_t>(b));
    std::normal_distribution<double> normal;
    UpperBand<double> band(n, b);
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t c = r; c < n && c <= r + b; ++c) band.at(r, c) = normal(rng);
    }
    std::vector<double> d1, e1;
    pool.set_max_threads(1);
    UpperBand<double> copy = band;
    copy.reduce_to_bidiagonal(d1, e1);
    for (int threads : {2, 3}) {
      pool.set_max_threads(threads);
      copy = band;
      std::vector<double> d, e;
      copy.reduce_to_bidiagonal(d, e);
      EXPECT_EQ(d, d1) << "b=" << b << ", " << threads << " threads";
      EXPECT_EQ(e, e1) << "b=" << b << ", " << threads << " threads";
    }
  }
  pool.set_max_threads(std::max(before, 2));
  expect_band_values<double>(n, 16, 5);
  expect_band_values<float>(n, 5, 6);
  pool.set_max_threads(before);
}

// Both stages at the width large matrices use (two_stage_bandwidth: 64 from n = 2048), on a matrix small
// enough for the test: several panels, a partial last one, and a band wider than the last panels' rows.
TEST_F(BandReduction, TwoStagesAtTheLargeMatricesWidth) {
  const int64_t m = 230, n = 200, b = two_stage_bandwidth(2048);
  ASSERT_EQ(b, 64);
  std::mt19937 rng(17);
  std::normal_distribution<double> normal;
  std::vector<double> a(m * n);
  double norm = 0;
  for (auto& x : a) {
    x = normal(rng);
    norm += x * x;
  }
  const std::vector<double> s = reference_values(m, n, a);
  std::vector<double> d, e;
  bidiagonalize_two_stage(m, n, a.data(), m, b, d, e);
  ASSERT_EQ(
      bidiagonal_svd(n, d.data(), e.data(), static_cast<double*>(nullptr), 1, 0, static_cast<double*>(nullptr), 1, 0),
      0);
  const double bound = 10 * m * std::numeric_limits<double>::epsilon() * std::sqrt(norm);
  for (int64_t i = 0; i < n; ++i) EXPECT_NEAR(d[i], s[i], bound) << "value " << i;
}

// A = U0 diag(s0) V0^T with random orthogonal U0, V0 (products of reflectors), column-major.
template <class T>
std::vector<T> with_singular_values(int64_t m, int64_t n, const std::vector<double>& s0, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  auto orthogonal = [&](int64_t dim) {
    std::vector<double> q(dim * dim, 0.0), v(dim);
    for (int64_t i = 0; i < dim; ++i) q[i + i * dim] = 1;
    for (int round = 0; round < 3; ++round) {
      double norm = 0;
      for (auto& x : v) {
        x = normal(rng);
        norm += x * x;
      }
      for (int64_t r = 0; r < dim; ++r) {  // q <- q (I - 2 v v^T / |v|^2)
        double dot = 0;
        for (int64_t i = 0; i < dim; ++i) dot += q[r + i * dim] * v[i];
        for (int64_t i = 0; i < dim; ++i) q[r + i * dim] -= 2 * dot * v[i] / norm;
      }
    }
    return q;
  };
  const std::vector<double> u0 = orthogonal(m), v0 = orthogonal(n);
  std::vector<double> scaled(m * s0.size());
  for (size_t l = 0; l < s0.size(); ++l) {
    for (int64_t i = 0; i < m; ++i) scaled[i + l * m] = u0[i + l * m] * s0[l];
  }
  std::vector<T> a(m * n);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      double sum = 0;
      for (size_t l = 0; l < s0.size(); ++l) sum += scaled[i + l * m] * v0[j + l * n];
      a[i + j * m] = T(sum);
    }
  }
  return a;
}

std::vector<double> spectrum(const std::string& kind, int64_t k) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> uniform(0.1, 10);
  std::vector<double> s(k);
  for (int64_t i = 0; i < k; ++i) {
    if (kind == "random") s[i] = uniform(rng);
    if (kind == "graded") s[i] = std::pow(10.0, -300.0 * i / std::max<int64_t>(1, k - 1));
    if (kind == "rank-deficient") s[i] = i < k / 2 ? uniform(rng) : 0.0;
    if (kind == "clustered") s[i] = 1.0 + 1e-10 * i;
    if (kind == "identity") s[i] = 1.0;
  }
  std::sort(s.rbegin(), s.rend());
  return s;
}

template <class T>
void expect_values(int64_t m, int64_t n, const std::string& kind) {
  const int64_t k = std::min(m, n);
  const std::vector<double> s0 = spectrum(kind, k);
  std::vector<T> a = with_singular_values<T>(m, n, s0, static_cast<uint32_t>(m + 3 * n));
  double norm = 0;
  for (T x : a) norm += double(x) * x;
  std::vector<T> s(k);
  ASSERT_TRUE(svd(SvdVectors::none, m, n, a.data(), m, s.data(), nullptr, 1, nullptr, 1).ok());
  const double bound = 10 * std::max(m, n) * std::numeric_limits<T>::epsilon() * std::sqrt(norm);
  for (int64_t i = 0; i < k; ++i) {
    if (i + 1 < k) {
      EXPECT_GE(s[i], s[i + 1]) << kind << " not sorted at " << i;
    }
    EXPECT_NEAR(double(s[i]), s0[i], bound) << kind << " " << m << "x" << n << " value " << i;
  }
}

// At least kTwoStageMinColumns columns, so values alone go through the band: square, a little taller than
// wide (no QR first), wide (as its transpose), much taller (QR first, then the band on R), and a column
// count that is not a multiple of the band's width.
TEST_F(BandReduction, ValuesOnlySvdThroughTheBand) {
  static_assert(kTwoStageMinColumns <= 130);
  for (const char* kind : {"random", "graded", "rank-deficient", "clustered", "identity"}) {
    expect_values<double>(130, 130, kind);
    expect_values<double>(180, 141, kind);
    expect_values<double>(141, 180, kind);
    expect_values<double>(400, 133, kind);
  }
  expect_values<float>(150, 131, "random");
  expect_values<float>(131, 131, "clustered");
}

}  // namespace
}  // namespace armory::lapack
