// armory's Cholesky (lapack/cholesky.h) against the unblocked algorithm written out as loops, in double: both
// triangles, every type, orders around the recursion's leaves (16 elements, 48 in real types on the vector
// kernels, a whole real matrix up to 64 as one); the other triangle and the rows past
// n never read or written; the first leading minor that is not positive definite reported as LAPACK does;
// the same bits on one thread and on two. (LAPACK's own driver, xlintst's PO paths, runs in netlib.xlintst*.)
#include "lapack/cholesky.h"

#include <armory/blas.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "blas/types.h"
#include "isa_level_test.h"

namespace {

class Cholesky : public IsaLevelTest {};

using armory::blas::is_complex;
using armory::blas::real_t;

template <class T>
T conj_of(T x) {
  if constexpr (is_complex<T>) {
    return std::conj(x);
  } else {
    return x;
  }
}

// A Hermitian (symmetric) matrix with entries in [-1, 1] off the diagonal and n + 1 on it (strictly
// diagonally dominant, so positive definite) in the stored triangle, NaN everywhere else, including the rows
// past n; a complex diagonal with an imaginary part that must be ignored.
template <class T>
std::vector<T> positive_definite(bool lower, int64_t n, int64_t lda, uint32_t seed) {
  using R = real_t<T>;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<R> u(-1, 1);
  std::vector<T> a(size_t(lda * n), T(std::numeric_limits<R>::quiet_NaN()));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i) {
      if (lower ? i < j : i > j) continue;
      T value;
      if constexpr (is_complex<T>) {
        value = i == j ? T(R(n + 1), R(0.5)) : T(u(rng), u(rng));
      } else {
        value = i == j ? T(n + 1) : u(rng);
      }
      a[size_t(i + j * lda)] = value;
    }
  }
  return a;
}

// LAPACK's ?potf2 in double (or complex double), right-looking; the stored triangle only.
template <class W>
int64_t reference_cholesky(bool lower, int64_t n, std::vector<W>& a, int64_t lda) {
  auto at = [&](int64_t i, int64_t j) -> W& { return a[size_t(i + j * lda)]; };
  for (int64_t j = 0; j < n; ++j) {
    const double d = std::real(at(j, j));
    if (!(d > 0)) return j + 1;
    const double pivot = std::sqrt(d);
    at(j, j) = W(pivot);
    for (int64_t k = j + 1; k < n; ++k) (lower ? at(k, j) : at(j, k)) /= pivot;
    for (int64_t c = j + 1; c < n; ++c) {
      for (int64_t i = lower ? c : j + 1; lower ? i < n : i <= c; ++i) {
        at(i, c) -= lower ? at(i, j) * conj_of(at(c, j)) : conj_of(at(j, i)) * at(j, c);
      }
    }
  }
  return 0;
}

// Factors the matrix; `spoil` (0-based diagonal index, -1 none) is made negative first, or NaN with
// spoil_with_nan. The factor must match the reference's (up to rounding) wherever the reference computed it.
template <class T>
void check_cholesky(bool lower, int64_t n, uint32_t seed, int64_t spoil = -1, bool spoil_with_nan = false) {
  using R = real_t<T>;
  using W = std::conditional_t<is_complex<T>, std::complex<double>, double>;
  SCOPED_TRACE(std::string(is_complex<T> ? "complex " : "") + (sizeof(R) == 4 ? "float " : "double ") +
               (lower ? "lower " : "upper ") + std::to_string(n) +
               (spoil >= 0 ? " spoilt at " + std::to_string(spoil) : ""));
  const int64_t lda = n + 3;
  auto a = positive_definite<T>(lower, n, lda, seed);
  if (spoil >= 0) a[size_t(spoil + spoil * lda)] = spoil_with_nan ? T(std::numeric_limits<R>::quiet_NaN()) : T(-1);
  std::vector<W> want(a.begin(), a.end());
  const int64_t want_info = reference_cholesky(lower, n, want, lda);
  const int64_t info = armory::lapack::cholesky_factor(lower, n, a.data(), lda);
  ASSERT_EQ(info, want_info);
  // Where the factorization stopped, the leading info - 1 orders are complete in both.
  const int64_t complete = info == 0 ? n : info - 1;
  const double tol = 32 * n * std::numeric_limits<R>::epsilon();
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < lda; ++i) {
      const size_t e = size_t(i + j * lda);
      const bool stored = i < n && (lower ? i >= j : i <= j);
      if (!stored) {
        ASSERT_TRUE(std::isnan(std::real(a[e]))) << "(" << i << ", " << j << ") outside the triangle was written";
        continue;
      }
      if (std::max(i, j) >= complete) continue;
      const double scale = std::sqrt(double(n));
      ASSERT_LE(std::abs(W(a[e]) - want[e]), tol * scale) << "(" << i << ", " << j << ")";
      if (i == j) {
        ASSERT_EQ(std::imag(W(a[e])), 0.0) << "diagonal " << i;
      }
    }
  }
}

TEST_F(Cholesky, MatchesTheUnblockedAlgorithm) {
  for (int64_t n : {1, 2, 15, 16, 17, 33, 47, 48, 49, 64, 65, 100, 257}) {
    for (bool lower : {true, false}) {
      check_cholesky<double>(lower, n, 50 + uint32_t(n));
      check_cholesky<float>(lower, n, 51 + uint32_t(n));
      check_cholesky<std::complex<double>>(lower, n, 52 + uint32_t(n));
      check_cholesky<std::complex<float>>(lower, n, 53 + uint32_t(n));
    }
  }
}

TEST_F(Cholesky, ReportsTheFirstMinorThatIsNotPositiveDefinite) {
  for (bool lower : {true, false}) {
    check_cholesky<double>(lower, 60, 60, 0);
    check_cholesky<double>(lower, 60, 61, 16);  // the first order of the second leaf
    check_cholesky<double>(lower, 60, 62, 37);
    check_cholesky<double>(lower, 60, 63, 59);  // the last
    check_cholesky<double>(lower, 60, 64, 29, true);
    check_cholesky<float>(lower, 90, 65, 45);
    check_cholesky<std::complex<double>>(lower, 70, 66, 50);
    check_cholesky<std::complex<float>>(lower, 40, 67, 3, true);
  }
}

TEST_F(Cholesky, EmptyMatrixIsANoOp) {
  double a = 3;
  EXPECT_EQ(armory::lapack::cholesky_factor<double>(true, 0, &a, 1), 0);
  EXPECT_EQ(a, 3);
}

TEST_F(Cholesky, SameBitsOnOneThreadAndTwo) {
  const int64_t n = 400;  // the top level's trsm and syrk take both threads
  for (bool lower : {true, false}) {
    const auto a = positive_definite<double>(lower, n, n, 68);
    const int before = armory_get_num_threads();
    std::vector<double> factors[2];
    for (int threads : {1, 2}) {
      armory_set_num_threads(threads);
      factors[threads - 1] = a;
      EXPECT_EQ(armory::lapack::cholesky_factor(lower, n, factors[threads - 1].data(), n), 0);
    }
    armory_set_num_threads(before);
    EXPECT_EQ(0, std::memcmp(factors[0].data(), factors[1].data(), sizeof(double) * factors[0].size()))
        << (lower ? "lower" : "upper");
  }
}

}  // namespace
