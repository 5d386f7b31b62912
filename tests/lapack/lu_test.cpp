// armory's LU (lapack/lu.h) against LAPACK's unblocked algorithm written out as loops: the same pivots, the
// same factors up to rounding, on square, tall and wide matrices around the recursion's 16-column panels, the
// same INFO for singular ones, and the same bits on one thread and on two.
#include "lapack/lu.h"

#include <armory/blas.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "blas/types.h"
#include "isa_level_test.h"

namespace {

class Lu : public IsaLevelTest {};

using armory::blas::is_complex;
using armory::blas::real_t;

template <class T>
std::vector<T> random_matrix(int64_t m, int64_t n, int64_t lda, uint32_t seed) {
  using R = real_t<T>;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<R> u(-1, 1);
  std::vector<T> a(size_t(lda) * n, T(std::numeric_limits<R>::quiet_NaN()));  // NaN in the rows past m
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      if constexpr (is_complex<T>) {
        a[i + j * lda] = T(u(rng), u(rng));
      } else {
        a[i + j * lda] = u(rng);
      }
    }
  }
  return a;
}

// The magnitude i?amax compares: |re| + |im| for complex.
template <class T>
double magnitude(T x) {
  if constexpr (is_complex<T>) {
    return std::abs(x.real()) + std::abs(x.imag());
  } else {
    return std::abs(x);
  }
}

// LAPACK's ?getf2 in double (or complex double): pivot by first largest magnitude, swap whole rows, scale,
// rank-1 update.
template <class W>
int64_t reference_lu(int64_t m, int64_t n, std::vector<W>& a, int64_t lda, std::vector<int>& ipiv) {
  int64_t info = 0;
  for (int64_t j = 0; j < std::min(m, n); ++j) {
    int64_t p = j;
    for (int64_t i = j + 1; i < m; ++i) {
      if (magnitude(a[i + j * lda]) > magnitude(a[p + j * lda])) p = i;
    }
    ipiv[j] = int(p + 1);
    if (a[p + j * lda] != W(0)) {
      for (int64_t c = 0; c < n; ++c) std::swap(a[j + c * lda], a[p + c * lda]);
      for (int64_t i = j + 1; i < m; ++i) a[i + j * lda] /= a[j + j * lda];
    } else if (info == 0) {
      info = j + 1;
    }
    for (int64_t c = j + 1; c < n; ++c) {
      for (int64_t i = j + 1; i < m; ++i) a[i + c * lda] -= a[i + j * lda] * a[j + c * lda];
    }
  }
  return info;
}

template <class T>
void check_lu(int64_t m, int64_t n, uint32_t seed, int zero_column = -1) {
  using R = real_t<T>;
  using W = std::conditional_t<is_complex<T>, std::complex<double>, double>;
  SCOPED_TRACE(std::string(is_complex<T> ? "complex " : "") + (sizeof(R) == 4 ? "float " : "double ") +
               std::to_string(m) + " x " + std::to_string(n) +
               (zero_column >= 0 ? " zero column " + std::to_string(zero_column) : ""));
  const int64_t lda = m + 5;
  auto a = random_matrix<T>(m, n, lda, seed);
  if (zero_column >= 0) {
    for (int64_t i = 0; i < m; ++i) a[i + zero_column * lda] = T(0);
  }
  std::vector<W> want(a.begin(), a.end());
  std::vector<int> want_ipiv(size_t(std::min(m, n))), ipiv(want_ipiv.size(), -7);
  const int64_t want_info = reference_lu(m, n, want, lda, want_ipiv);
  const int64_t info = armory::lapack::lu_factor(m, n, a.data(), lda, ipiv.data());
  ASSERT_EQ(info, want_info);
  ASSERT_EQ(ipiv, want_ipiv);
  const double tol = 64 * std::max(m, n) * std::numeric_limits<R>::epsilon();
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < lda; ++i) {
      const size_t e = size_t(i + j * lda);
      if (i >= m) {
        ASSERT_TRUE(std::isnan(std::real(a[e]))) << "row " << i << " past m written";
        continue;
      }
      ASSERT_LE(std::abs(W(a[e]) - want[e]), tol * (1 + std::abs(want[e]))) << i << ", " << j;
    }
  }
}

TEST_F(Lu, MatchesTheUnblockedAlgorithm) {
  for (auto [m, n] : {std::pair<int64_t, int64_t>{1, 1},
                      {1, 7},
                      {7, 1},
                      {16, 16},
                      {17, 17},
                      {33, 20},
                      {20, 33},
                      {100, 100},
                      {301, 150},
                      {150, 301},
                      {257, 257}}) {
    check_lu<double>(m, n, 40 + uint32_t(m + n));
    check_lu<float>(m, n, 41 + uint32_t(m + n));
    check_lu<std::complex<double>>(m, n, 42 + uint32_t(m + n));
    check_lu<std::complex<float>>(m, n, 43 + uint32_t(m + n));
  }
}

TEST_F(Lu, ReportsTheFirstZeroPivotAndCompletes) {
  check_lu<double>(60, 60, 42, 0);
  check_lu<double>(60, 60, 43, 37);
  check_lu<double>(90, 40, 44, 39);
  check_lu<float>(40, 90, 45, 17);
  check_lu<std::complex<double>>(70, 50, 47, 21);
}

TEST_F(Lu, EmptyMatricesAreNoOps) {
  double a = 3;
  int ipiv = -1;
  EXPECT_EQ(armory::lapack::lu_factor<double>(0, 5, &a, 1, &ipiv), 0);
  EXPECT_EQ(armory::lapack::lu_factor<double>(5, 0, &a, 5, &ipiv), 0);
  EXPECT_EQ(a, 3);
  EXPECT_EQ(ipiv, -1);
}

TEST_F(Lu, SameBitsOnOneThreadAndTwo) {
  const int64_t n = 700;
  const auto a = random_matrix<double>(n, n, n, 46);
  const int before = armory_get_num_threads();
  std::vector<double> factors[2];
  std::vector<int> pivots[2];
  for (int threads : {1, 2}) {
    armory_set_num_threads(threads);
    factors[threads - 1] = a;
    pivots[threads - 1].resize(size_t(n));
    armory::lapack::lu_factor(n, n, factors[threads - 1].data(), n, pivots[threads - 1].data());
  }
  armory_set_num_threads(before);
  EXPECT_EQ(pivots[0], pivots[1]);
  EXPECT_EQ(factors[0], factors[1]);
}

}  // namespace
