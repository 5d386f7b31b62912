// The complex (c, z) kernels of levels 1 and 2: each table's complex kernels against loops in a wider type,
// and every routine that reaches them through CBLAS at unit stride against the same routine at stride 2,
// which takes the reference loops (checked in turn by the netlib testers).
#include <armory/blas.h>
#include <cblas.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <limits>
#include <string>
#include <vector>

#include "blas/blas_test_support.h"
#include "blas/vector_kernels.h"

namespace {

using namespace blas_test;

template <class R>
double unit_roundoff() {
  return std::numeric_limits<R>::epsilon();
}

template <class C>
void expect_near(C got, std::complex<double> want, double scale, double tol, const std::string& what) {
  ASSERT_LE(std::abs(std::complex<double>(got) - want), tol * (scale + std::abs(want))) << what;
}

// One table's complex kernels at lengths around the vector widths and iamax's 1024-element blocks.
template <class R>
void check_complex_kernels(const armory::blas::VectorKernelsOf<R>& k) {
  using C = std::complex<R>;
  SCOPED_TRACE(sizeof(R) == 4 ? "complex float" : "complex double");
  const double tol = 8 * unit_roundoff<R>();
  const C alpha(R(0.75), R(-1.25));
  for (int64_t n : {1, 3, 7, 33, 1023, 1024, 3000}) {
    SCOPED_TRACE(n);
    const auto x = random_values<C>(size_t(n), 90 + uint32_t(n)), y = random_values<C>(size_t(n), 91);
    auto updated = y;
    k.complex_axpy(n, alpha, x.data(), updated.data());
    auto scaled = x;
    k.complex_scal(n, alpha, scaled.data());
    for (int64_t i = 0; i < n; ++i) {
      const std::complex<double> product = std::complex<double>(alpha) * std::complex<double>(x[i]);
      expect_near(updated[i], std::complex<double>(y[i]) + product, 2, tol, "axpy " + std::to_string(i));
      expect_near(scaled[i], product, 2, tol, "scal " + std::to_string(i));
    }
    for (bool conjugate : {false, true}) {
      std::complex<long double> want = 0;
      long double magnitudes = 0;
      for (int64_t i = 0; i < n; ++i) {
        want += std::complex<long double>(conj_if(x[i], conjugate)) * std::complex<long double>(y[i]);
        magnitudes += std::abs(std::complex<long double>(x[i])) * std::abs(std::complex<long double>(y[i]));
      }
      expect_near(k.complex_dot(n, x.data(), y.data(), conjugate), std::complex<double>(want), double(magnitudes),
                  tol * n, conjugate ? "dotc" : "dotu");
    }
    // iamax by |re| + |im|: the first of equal maxima, a NaN only in first place.
    auto abs1 = [](C z) { return std::abs(z.real()) + std::abs(z.imag()); };
    int64_t first_max = 0;
    for (int64_t i = 1; i < n; ++i) {
      if (abs1(x[i]) > abs1(x[first_max])) first_max = i;
    }
    ASSERT_EQ(k.complex_iamax(n, x.data()), first_max);
    auto tie = x;
    tie[size_t(n / 3)] = C(R(-2.5), R(0.5));
    tie[size_t(n - 1)] = C(R(1.5), R(-1.5));
    ASSERT_EQ(k.complex_iamax(n, tie.data()), n / 3);
    if (n / 3 + 16 < n - 1) {
      auto nan_later = tie;
      nan_later[size_t(n / 3 + 16)] = C(R(0), std::numeric_limits<R>::quiet_NaN());
      ASSERT_EQ(k.complex_iamax(n, nan_later.data()), n / 3);
    }
    auto nan_first = tie;
    nan_first[0] = C(std::numeric_limits<R>::quiet_NaN(), R(0));
    ASSERT_EQ(k.complex_iamax(n, nan_first.data()), 0);
  }
  // gemv in both orientations, conjugated or not, with padding between the columns; a column's sum must not
  // depend on the group of columns it fell in (threads split the columns).
  for (auto [m, cols] : {std::pair<int64_t, int64_t>{1, 1}, {7, 5}, {32, 6}, {33, 9}, {301, 203}}) {
    SCOPED_TRACE(std::to_string(m) + " x " + std::to_string(cols));
    const int64_t lda = m + 3;
    const auto a = random_values<C>(size_t(lda * cols), 92), v = random_values<C>(size_t(std::max(m, cols)), 93);
    std::vector<C> out_n(size_t(m), C(1)), out_t(size_t(cols), C(1)), out_c(size_t(cols), C(1));
    k.complex_gemv_n(m, cols, alpha, a.data(), lda, v.data(), out_n.data());
    k.complex_gemv_t(m, cols, alpha, a.data(), lda, v.data(), out_t.data(), false);
    k.complex_gemv_t(m, cols, alpha, a.data(), lda, v.data(), out_c.data(), true);
    std::vector<std::complex<double>> want_n(size_t(m), 0.0);
    for (int64_t j = 0; j < cols; ++j) {
      std::complex<double> sum_t = 0, sum_c = 0;
      for (int64_t i = 0; i < m; ++i) {
        const std::complex<double> aij(a[size_t(i + j * lda)]);
        want_n[size_t(i)] += aij * std::complex<double>(v[size_t(j)]);
        sum_t += aij * std::complex<double>(v[size_t(i)]);
        sum_c += std::conj(aij) * std::complex<double>(v[size_t(i)]);
      }
      const std::complex<double> one(1), scale(alpha);
      expect_near(out_t[size_t(j)], one + scale * sum_t, 2.0 * m, tol, "gemv_t column " + std::to_string(j));
      expect_near(out_c[size_t(j)], one + scale * sum_c, 2.0 * m, tol, "gemv_c column " + std::to_string(j));
      C alone(1);
      k.complex_gemv_t(m, 1, alpha, a.data() + j * lda, lda, v.data(), &alone, true);
      ASSERT_EQ(alone, out_c[size_t(j)]) << "column " << j << " alone";
    }
    for (int64_t i = 0; i < m; ++i) {
      expect_near(out_n[size_t(i)], std::complex<double>(1) + std::complex<double>(alpha) * want_n[size_t(i)],
                  2.0 * cols, tol, "gemv_n row " + std::to_string(i));
    }
  }
}

TEST_F(BlasTest, ComplexKernelsOfEveryTableAgreeWithLoops) {
  for (const auto* table : runnable_vector_tables()) {
    SCOPED_TRACE(table->isa);
    check_complex_kernels(table->f32);
    check_complex_kernels(table->f64);
  }
}

// CBLAS's complex entry points for one type.
template <class C>
struct ComplexCblas;
template <>
struct ComplexCblas<cfloat> {
  static constexpr auto axpy = &cblas_caxpy;
  static constexpr auto dotu = &cblas_cdotu_sub;
  static constexpr auto dotc = &cblas_cdotc_sub;
  static constexpr auto scal = &cblas_cscal;
  static constexpr auto real_scal = &cblas_csscal;
  static constexpr auto asum = &cblas_scasum;
  static constexpr auto nrm2 = &cblas_scnrm2;
  static constexpr auto iamax = &cblas_icamax;
  static constexpr auto swap = &cblas_cswap;
  static constexpr auto real_rot = &cblas_csrot;
  static constexpr auto gemv = &cblas_cgemv;
  static constexpr auto geru = &cblas_cgeru;
  static constexpr auto gerc = &cblas_cgerc;
  static constexpr auto hemv = &cblas_chemv;
  static constexpr auto hpmv = &cblas_chpmv;
  static constexpr auto hbmv = &cblas_chbmv;
  static constexpr auto her = &cblas_cher;
  static constexpr auto her2 = &cblas_cher2;
  static constexpr auto hpr2 = &cblas_chpr2;
  static constexpr auto trmv = &cblas_ctrmv;
  static constexpr auto trsv = &cblas_ctrsv;
  static constexpr auto tpmv = &cblas_ctpmv;
  static constexpr auto tbsv = &cblas_ctbsv;
};
template <>
struct ComplexCblas<cdouble> {
  static constexpr auto axpy = &cblas_zaxpy;
  static constexpr auto dotu = &cblas_zdotu_sub;
  static constexpr auto dotc = &cblas_zdotc_sub;
  static constexpr auto scal = &cblas_zscal;
  static constexpr auto real_scal = &cblas_zdscal;
  static constexpr auto asum = &cblas_dzasum;
  static constexpr auto nrm2 = &cblas_dznrm2;
  static constexpr auto iamax = &cblas_izamax;
  static constexpr auto swap = &cblas_zswap;
  static constexpr auto real_rot = &cblas_zdrot;
  static constexpr auto gemv = &cblas_zgemv;
  static constexpr auto geru = &cblas_zgeru;
  static constexpr auto gerc = &cblas_zgerc;
  static constexpr auto hemv = &cblas_zhemv;
  static constexpr auto hpmv = &cblas_zhpmv;
  static constexpr auto hbmv = &cblas_zhbmv;
  static constexpr auto her = &cblas_zher;
  static constexpr auto her2 = &cblas_zher2;
  static constexpr auto hpr2 = &cblas_zhpr2;
  static constexpr auto trmv = &cblas_ztrmv;
  static constexpr auto trsv = &cblas_ztrsv;
  static constexpr auto tpmv = &cblas_ztpmv;
  static constexpr auto tbsv = &cblas_ztbsv;
};

// v's elements at stride 2, NaN between them (the routines must not touch it), and back.
template <class C>
std::vector<C> spread(const std::vector<C>& v) {
  const auto nan = std::numeric_limits<real_t<C>>::quiet_NaN();
  std::vector<C> out(2 * v.size() + 1, C(nan, nan));
  for (size_t i = 0; i < v.size(); ++i) out[2 * i] = v[i];
  return out;
}
template <class C>
std::vector<C> gather(const std::vector<C>& spread_out) {
  std::vector<C> v(spread_out.size() / 2);
  for (size_t i = 0; i < v.size(); ++i) v[i] = spread_out[2 * i];
  for (size_t i = 1; i < spread_out.size(); i += 2) EXPECT_TRUE(std::isnan(spread_out[i].real())) << i;
  return v;
}

template <class C>
void expect_vectors_near(const std::vector<C>& got, const std::vector<C>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_LE(std::abs(got[i] - want[i]), tol * (1 + std::abs(want[i]))) << what << " at " << i;
  }
}

// Level 1 at unit stride (the vector kernels) against stride 2 (the loops), at lengths past the vector
// widths and, at 70001, split across threads.
template <class C>
void check_level_one_strides() {
  using R = real_t<C>;
  using Api = ComplexCblas<C>;
  const double tol = 64 * unit_roundoff<R>();
  const C alpha(R(-0.5), R(2)), beta(R(1.25), R(0.25));
  for (int n : {1, 5, 64, 1000, 70001}) {
    SCOPED_TRACE(std::string(sizeof(R) == 4 ? "c" : "z") + " n=" + std::to_string(n));
    const auto x = random_values<C>(size_t(n), 94), y = random_values<C>(size_t(n), 95);
    const auto xs = spread(x), ys = spread(y);
    auto unit_y = y, strided_y = ys;
    Api::axpy(n, &alpha, x.data(), 1, unit_y.data(), 1);
    Api::axpy(n, &alpha, xs.data(), 2, strided_y.data(), 2);
    expect_vectors_near(unit_y, gather(strided_y), tol, "axpy");
    C unit_dot, strided_dot;
    Api::dotu(n, x.data(), 1, y.data(), 1, &unit_dot);
    Api::dotu(n, xs.data(), 2, ys.data(), 2, &strided_dot);
    ASSERT_LE(std::abs(unit_dot - strided_dot), tol * n) << "dotu";
    Api::dotc(n, x.data(), 1, y.data(), 1, &unit_dot);
    Api::dotc(n, xs.data(), 2, ys.data(), 2, &strided_dot);
    ASSERT_LE(std::abs(unit_dot - strided_dot), tol * n) << "dotc";
    auto unit_x = x, strided_x = xs;
    Api::scal(n, &beta, unit_x.data(), 1);
    Api::scal(n, &beta, strided_x.data(), 2);
    expect_vectors_near(unit_x, gather(strided_x), tol, "scal");
    Api::real_scal(n, R(-3), unit_x.data(), 1);
    Api::real_scal(n, R(-3), strided_x.data(), 2);
    expect_vectors_near(unit_x, gather(strided_x), tol, "real scal");
    ASSERT_NEAR(Api::asum(n, x.data(), 1), Api::asum(n, xs.data(), 2), tol * n) << "asum";
    ASSERT_NEAR(Api::nrm2(n, x.data(), 1), Api::nrm2(n, xs.data(), 2), tol * std::sqrt(double(n))) << "nrm2";
    ASSERT_EQ(Api::iamax(n, x.data(), 1), Api::iamax(n, xs.data(), 2)) << "iamax";
    auto ux = x, uy = y, sx = xs, sy = ys;
    Api::real_rot(n, ux.data(), 1, uy.data(), 1, R(0.6), R(0.8));
    Api::real_rot(n, sx.data(), 2, sy.data(), 2, R(0.6), R(0.8));
    expect_vectors_near(ux, gather(sx), tol, "real rot x");
    expect_vectors_near(uy, gather(sy), tol, "real rot y");
    const auto rotated_x = ux, rotated_y = uy;
    Api::swap(n, ux.data(), 1, uy.data(), 1);
    ASSERT_EQ(ux, rotated_y) << "swap";
    ASSERT_EQ(uy, rotated_x) << "swap";
  }
  // nrm2 of parts beyond the unscaled sum's range: still the scaled result.
  std::vector<C> extreme(300, C(R(0), R(0)));
  extreme[7] = C(R(3e30), R(0));
  extreme[200] = C(R(0), R(4e30));
  ASSERT_NEAR(Api::nrm2(300, extreme.data(), 1), 5e30, 5e30 * tol);
}

TEST_F(BlasTest, ComplexLevelOneAtUnitStrideAgreesWithStridedLoops) {
  check_level_one_strides<cfloat>();
  check_level_one_strides<cdouble>();
}

// A Hermitian or triangular test matrix: random entries in the stored triangle (a real-dominant diagonal,
// so that trsv stays well conditioned), NaN in the other, which must be neither read nor written.
template <class C>
std::vector<C> triangle_with_nan(int n, int lda, CBLAS_UPLO uplo, uint32_t seed) {
  using R = real_t<C>;
  const auto nan = std::numeric_limits<R>::quiet_NaN();
  std::vector<C> a(size_t(lda) * n, C(nan, nan));
  const auto values = random_values<C>(size_t(lda) * n, seed);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const size_t e = i + size_t(j) * lda;
      if (uplo == CblasUpper ? i < j : i > j) a[e] = values[e] / R(n);
      if (i == j) a[e] = C(R(2) + std::abs(values[e]), values[e].imag());
    }
  }
  return a;
}

// The packed columns of a dense triangle.
template <class C>
std::vector<C> packed(const std::vector<C>& a, int n, int lda, CBLAS_UPLO uplo) {
  std::vector<C> ap;
  for (int j = 0; j < n; ++j) {
    for (int i = uplo == CblasUpper ? 0 : j; i <= (uplo == CblasUpper ? j : n - 1); ++i)
      ap.push_back(a[i + size_t(j) * lda]);
  }
  return ap;
}

template <class C>
void expect_same_matrices(const std::vector<C>& got, const std::vector<C>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t e = 0; e < got.size(); ++e) {
    if (std::isnan(want[e].real())) {
      ASSERT_TRUE(std::isnan(got[e].real())) << what << ": written outside the triangle at " << e;
      continue;
    }
    ASSERT_LE(std::abs(got[e] - want[e]), tol * (1 + std::abs(want[e]))) << what << " at " << e;
  }
}

// Level 2 at unit strides against stride 2, each orientation and triangle, at orders below and above the
// thresholds where the column kernels take over.
template <class C>
void check_level_two_strides(int n, CBLAS_UPLO uplo) {
  using R = real_t<C>;
  using Api = ComplexCblas<C>;
  SCOPED_TRACE(std::string(sizeof(R) == 4 ? "c" : "z") + " n=" + std::to_string(n) +
               (uplo == CblasUpper ? " upper" : " lower"));
  const double tol = 16 * (n + 4) * unit_roundoff<R>();
  const int lda = n + 2;
  const C alpha(R(0.5), R(-0.75)), beta(R(-1), R(0.5));
  const auto a = triangle_with_nan<C>(n, lda, uplo, 96 + uint32_t(n));
  const auto general = random_values<C>(size_t(lda) * n, 97);
  const auto x = random_values<C>(size_t(n), 98), y = random_values<C>(size_t(n), 99);
  const auto xs = spread(x), ys = spread(y);
  for (CBLAS_LAYOUT layout : {CblasColMajor, CblasRowMajor}) {
    for (CBLAS_TRANSPOSE op : {CblasNoTrans, CblasTrans, CblasConjTrans}) {
      SCOPED_TRACE("gemv layout " + std::to_string(int(layout)) + " op " + std::to_string(int(op)));
      auto unit = y, strided = ys;
      Api::gemv(layout, op, n, n, &alpha, general.data(), lda, x.data(), 1, &beta, unit.data(), 1);
      Api::gemv(layout, op, n, n, &alpha, general.data(), lda, xs.data(), 2, &beta, strided.data(), 2);
      expect_vectors_near(unit, gather(strided), tol, "gemv");
    }
  }
  for (bool conjugate : {false, true}) {
    auto unit = general, strided = general;
    const auto ger = conjugate ? Api::gerc : Api::geru;
    ger(CblasColMajor, n, n, &alpha, x.data(), 1, y.data(), 1, unit.data(), lda);
    ger(CblasColMajor, n, n, &alpha, xs.data(), 2, ys.data(), 2, strided.data(), lda);
    expect_same_matrices(unit, strided, tol, conjugate ? "gerc" : "geru");
  }
  {
    auto unit = y, strided = ys;
    Api::hemv(CblasColMajor, uplo, n, &alpha, a.data(), lda, x.data(), 1, &beta, unit.data(), 1);
    Api::hemv(CblasColMajor, uplo, n, &alpha, a.data(), lda, xs.data(), 2, &beta, strided.data(), 2);
    expect_vectors_near(unit, gather(strided), tol, "hemv");
    const auto ap = packed(a, n, lda, uplo);
    auto packed_y = y;
    Api::hpmv(CblasColMajor, uplo, n, &alpha, ap.data(), x.data(), 1, &beta, packed_y.data(), 1);
    expect_vectors_near(packed_y, unit, tol, "hpmv against hemv");
    // The band form with every diagonal stored is the dense matrix again.
    std::vector<C> band(size_t(n) * n);
    for (int j = 0; j < n; ++j) {
      for (int i = uplo == CblasUpper ? 0 : j; i <= (uplo == CblasUpper ? j : n - 1); ++i) {
        band[(uplo == CblasUpper ? n - 1 + i - j : i - j) + size_t(j) * n] = a[i + size_t(j) * lda];
      }
    }
    auto band_y = y;
    Api::hbmv(CblasColMajor, uplo, n, n - 1, &alpha, band.data(), n, x.data(), 1, &beta, band_y.data(), 1);
    expect_vectors_near(band_y, unit, tol, "hbmv against hemv");
  }
  {
    auto unit = a, strided = a;
    Api::her(CblasColMajor, uplo, n, R(-0.5), x.data(), 1, unit.data(), lda);
    Api::her(CblasColMajor, uplo, n, R(-0.5), xs.data(), 2, strided.data(), lda);
    expect_same_matrices(unit, strided, tol, "her");
    unit = a, strided = a;
    Api::her2(CblasColMajor, uplo, n, &alpha, x.data(), 1, y.data(), 1, unit.data(), lda);
    Api::her2(CblasColMajor, uplo, n, &alpha, xs.data(), 2, ys.data(), 2, strided.data(), lda);
    expect_same_matrices(unit, strided, tol, "her2");
    for (int j = 0; j < n; ++j) ASSERT_EQ(unit[j + size_t(j) * lda].imag(), R(0)) << "her2 diagonal " << j;
    auto unit_packed = packed(a, n, lda, uplo), strided_packed = unit_packed;
    Api::hpr2(CblasColMajor, uplo, n, &alpha, x.data(), 1, y.data(), 1, unit_packed.data());
    Api::hpr2(CblasColMajor, uplo, n, &alpha, xs.data(), 2, ys.data(), 2, strided_packed.data());
    expect_same_matrices(unit_packed, strided_packed, tol, "hpr2");
  }
  const auto ap = packed(a, n, lda, uplo);
  for (CBLAS_TRANSPOSE op : {CblasNoTrans, CblasTrans, CblasConjTrans}) {
    for (CBLAS_DIAG diag : {CblasNonUnit, CblasUnit}) {
      SCOPED_TRACE("op " + std::to_string(int(op)) + (diag == CblasUnit ? " unit" : " non-unit"));
      auto unit = x, strided = xs;
      Api::trmv(CblasColMajor, uplo, op, diag, n, a.data(), lda, unit.data(), 1);
      Api::trmv(CblasColMajor, uplo, op, diag, n, a.data(), lda, strided.data(), 2);
      expect_vectors_near(unit, gather(strided), tol, "trmv");
      auto packed_x = x;
      Api::tpmv(CblasColMajor, uplo, op, diag, n, ap.data(), packed_x.data(), 1);
      expect_vectors_near(packed_x, unit, tol, "tpmv against trmv");
      Api::trsv(CblasColMajor, uplo, op, diag, n, a.data(), lda, unit.data(), 1);
      Api::trsv(CblasColMajor, uplo, op, diag, n, a.data(), lda, strided.data(), 2);
      expect_vectors_near(unit, gather(strided), tol, "trsv");
      expect_vectors_near(unit, x, tol * 4, "trsv undoing trmv");
      // A band of two diagonals beside the main one, solved at both strides.
      const int k = std::min(2, n - 1);
      std::vector<C> band(size_t(k + 1) * n, C(0));
      for (int j = 0; j < n; ++j) {
        for (int d = 0; d <= k; ++d) {
          const int i = uplo == CblasUpper ? j - d : j + d;
          if (i >= 0 && i < n) band[(uplo == CblasUpper ? k - d : d) + size_t(j) * (k + 1)] = a[i + size_t(j) * lda];
        }
      }
      auto band_unit = x, band_strided = xs;
      Api::tbsv(CblasColMajor, uplo, op, diag, n, k, band.data(), k + 1, band_unit.data(), 1);
      Api::tbsv(CblasColMajor, uplo, op, diag, n, k, band.data(), k + 1, band_strided.data(), 2);
      expect_vectors_near(band_unit, gather(band_strided), tol, "tbsv");
    }
  }
}

// n = 301 is large enough for hemv to split its column blocks across threads: on one thread and on two.
TEST_F(BlasTest, ComplexLevelTwoAtUnitStrideAgreesWithStridedLoops) {
  const int before = armory_get_num_threads();
  for (int threads : {1, 2}) {
    armory_set_num_threads(threads);
    SCOPED_TRACE(threads);
    for (int n : {1, 6, 37, 64, 301}) {
      for (CBLAS_UPLO uplo : {CblasUpper, CblasLower}) {
        check_level_two_strides<cfloat>(n, uplo);
        check_level_two_strides<cdouble>(n, uplo);
      }
    }
  }
  armory_set_num_threads(before);
}

}  // namespace
