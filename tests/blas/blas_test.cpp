// armory's BLAS through its C ABIs against plain reference loops. The netlib testers (netlib_tester.py)
// are the authority on x86; this suite runs everywhere the library is built (ASan, aarch64 under qemu)
// and aims at what the netlib testers do not reach: problems larger than armory's internal blocks
// (triangle blocks of 256, trsm blocks of 256, complex depth blocks of 256), extreme values for nrm2, and
// bad arguments that must report and return.
#include <armory/blas.h>
#include <armory/isa.h>
#include <cblas.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "blas/blas_test_support.h"
#include "blas/vector_kernels.h"
#include "gemm/thread_pool.h"

extern "C" {
void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*, const double*, const int*,
            const double*, const int*, const double*, double*, const int*);
double dnrm2_(const int*, const double*, const int*);
int lsame_(const char*, const char*, size_t, size_t);
void dsymm_(const char*, const char*, const int*, const int*, const double*, const double*, const int*, const double*,
            const int*, const double*, double*, const int*);
}

// Allocations of at least this many bytes fail while a test lowers it: the library is linked into this
// program, so its copies come here too, and a test can run memory out without taking any.
static std::atomic<size_t> g_refused_bytes{std::numeric_limits<size_t>::max()};

void* operator new(size_t size) {
  if (size >= g_refused_bytes.load(std::memory_order_relaxed)) throw std::bad_alloc();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC, inlining these into the library's containers, takes the free for a mismatch with operator new.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

using namespace blas_test;

template <class T>
double tolerance(int k) {
  return 4.0 * (k + 4) * std::numeric_limits<real_t<T>>::epsilon();
}

// Element (i, j) of a column-major (or row-major) matrix after op.
template <class T>
T element(const T* a, int ld, bool row_major, CBLAS_TRANSPOSE op, int i, int j) {
  if (op != CblasNoTrans) std::swap(i, j);
  const T v = row_major ? a[i * ld + j] : a[i + j * ld];
  return conj_if(v, op == CblasConjTrans);
}

template <class T>
void expect_close(const std::vector<T>& got, const std::vector<T>& want, double tol, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_LE(std::abs(got[i] - want[i]), tol * (1 + std::abs(want[i]))) << what << " at " << i;
  }
}

// Type dispatch to the CBLAS entry points (complex ones take void*).
void cblas_gemm(CBLAS_LAYOUT l, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(l, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_gemm(CBLAS_LAYOUT l, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha,
                const double* a, int lda, const double* b, int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(l, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_gemm(CBLAS_LAYOUT l, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, cfloat alpha,
                const cfloat* a, int lda, const cfloat* b, int ldb, cfloat beta, cfloat* c, int ldc) {
  cblas_cgemm(l, ta, tb, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc);
}
void cblas_gemm(CBLAS_LAYOUT l, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, cdouble alpha,
                const cdouble* a, int lda, const cdouble* b, int ldb, cdouble beta, cdouble* c, int ldc) {
  cblas_zgemm(l, ta, tb, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc);
}

void cblas_trsm_t(CBLAS_LAYOUT l, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                  double alpha, const double* a, int lda, double* b, int ldb) {
  cblas_dtrsm(l, s, u, t, d, m, n, alpha, a, lda, b, ldb);
}
void cblas_trsm_t(CBLAS_LAYOUT l, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                  cdouble alpha, const cdouble* a, int lda, cdouble* b, int ldb) {
  cblas_ztrsm(l, s, u, t, d, m, n, &alpha, a, lda, b, ldb);
}
void cblas_trmm_t(CBLAS_LAYOUT l, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                  double alpha, const double* a, int lda, double* b, int ldb) {
  cblas_dtrmm(l, s, u, t, d, m, n, alpha, a, lda, b, ldb);
}
void cblas_trmm_t(CBLAS_LAYOUT l, CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                  cdouble alpha, const cdouble* a, int lda, cdouble* b, int ldb) {
  cblas_ztrmm(l, s, u, t, d, m, n, &alpha, a, lda, b, ldb);
}

template <class T>
class BlasGemm : public BlasTest {};
using Types = ::testing::Types<float, double, cfloat, cdouble>;
TYPED_TEST_SUITE(BlasGemm, Types);

TYPED_TEST(BlasGemm, EveryLayoutAndTransposeAgainstLoops) {
  using T = TypeParam;
  const CBLAS_TRANSPOSE ops[] = {CblasNoTrans, CblasTrans, CblasConjTrans};
  struct Shape {
    int m, n, k;
  };
  // Tiny (plain loops for complex), blocked depth (k > 256), and an odd shape.
  for (Shape s : {Shape{3, 2, 5}, Shape{37, 29, 300}, Shape{70, 9, 33}}) {
    for (CBLAS_LAYOUT layout : {CblasColMajor, CblasRowMajor}) {
      const bool row_major = layout == CblasRowMajor;
      for (CBLAS_TRANSPOSE ta : ops) {
        for (CBLAS_TRANSPOSE tb : ops) {
          const int a_rows = ta == CblasNoTrans ? s.m : s.k, a_cols = ta == CblasNoTrans ? s.k : s.m;
          const int b_rows = tb == CblasNoTrans ? s.k : s.n, b_cols = tb == CblasNoTrans ? s.n : s.k;
          const int lda = (row_major ? a_cols : a_rows) + 3, ldb = (row_major ? b_cols : b_rows) + 1;
          const int ldc = (row_major ? s.n : s.m) + 2;
          auto a = random_values<T>(size_t(lda) * (row_major ? a_rows : a_cols), 1);
          auto b = random_values<T>(size_t(ldb) * (row_major ? b_rows : b_cols), 2);
          auto c = random_values<T>(size_t(ldc) * (row_major ? s.m : s.n), 3);
          const T alpha = T(0.75), beta = T(-0.5);
          auto want = c;
          for (int i = 0; i < s.m; ++i) {
            for (int j = 0; j < s.n; ++j) {
              T sum(0);
              for (int l = 0; l < s.k; ++l) {
                sum += element(a.data(), lda, row_major, ta, i, l) * element(b.data(), ldb, row_major, tb, l, j);
              }
              T& w = row_major ? want[i * ldc + j] : want[i + j * ldc];
              w = alpha * sum + beta * w;
            }
          }
          cblas_gemm(layout, ta, tb, s.m, s.n, s.k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
          SCOPED_TRACE(testing::Message() << "m=" << s.m << " n=" << s.n << " k=" << s.k << " row=" << row_major
                                          << " ta=" << ta << " tb=" << tb);
          expect_close(c, want, tolerance<T>(s.k), "C");
        }
      }
    }
  }
}

// syrk/herk over more than one triangle block: the stored triangle right, the other one untouched.
TEST_F(BlasTest, HerkAndSyrkAcrossTriangleBlocks) {
  const int n = 300, k = 13;
  for (CBLAS_UPLO uplo : {CblasUpper, CblasLower}) {
    for (CBLAS_TRANSPOSE trans : {CblasNoTrans, CblasConjTrans}) {
      const int rows = trans == CblasNoTrans ? n : k, cols = trans == CblasNoTrans ? k : n;
      auto a = random_values<cdouble>(size_t(rows) * cols, 4);
      auto c = random_values<cdouble>(size_t(n) * n, 5);
      const double alpha = 0.5, beta = 2.0;
      auto want = c;
      for (int j = 0; j < n; ++j) {
        for (int i = 0; i < n; ++i) {
          if (uplo == CblasUpper ? i > j : i < j) continue;
          cdouble sum(0);
          for (int l = 0; l < k; ++l) {
            const cdouble ail = trans == CblasNoTrans ? a[i + l * rows] : std::conj(a[l + i * rows]);
            const cdouble ajl = trans == CblasNoTrans ? a[j + l * rows] : std::conj(a[l + j * rows]);
            sum += ail * std::conj(ajl);
          }
          cdouble old = want[i + j * n];
          if (i == j) old = old.real();
          want[i + j * n] = alpha * sum + beta * old;
          if (i == j) want[i + j * n] = want[i + j * n].real();
        }
      }
      cblas_zherk(CblasColMajor, uplo, trans, n, k, alpha, a.data(), rows, beta, c.data(), n);
      SCOPED_TRACE(testing::Message() << "uplo=" << uplo << " trans=" << trans);
      expect_close(c, want, tolerance<cdouble>(k), "C");
    }
  }
  // Real syrk, row-major, with the transpose.
  const int rows = 21;
  auto a = random_values<double>(size_t(rows) * n, 6);
  auto c = random_values<double>(size_t(n) * n, 7);
  auto want = c;
  for (int i = 0; i < n; ++i) {
    for (int j = i; j < n; ++j) {  // row-major upper: j >= i
      double sum = 0;
      for (int l = 0; l < rows; ++l) sum += a[l * n + i] * a[l * n + j];
      want[i * n + j] = sum - want[i * n + j];
    }
  }
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, n, rows, 1.0, a.data(), n, -1.0, c.data(), n);
  expect_close(c, want, tolerance<double>(rows), "C");
}

// Real syrk and syr2k at the given orders (by default 20, 70 and 300: the engine's triangle, 300 over several
// of its blocks; 20 at depth 61 the small-order tiles), every uplo and transpose, against loops; syr2k at a depth
// stacked into one product (37) and one run as two (61); beta = 0 over a NaN C never reads it; the other
// triangle stays as it was. A's leading dimension is its rows plus ld_extra. With compare_threads, one and
// two threads give the same bits.
template <class T>
void check_real_rank_k_updates(int k, std::initializer_list<int> orders = {20, 70, 300}, int ld_extra = 2,
                               bool compare_threads = false) {
  for (int n : orders) {
    for (CBLAS_UPLO uplo : {CblasUpper, CblasLower}) {
      for (CBLAS_TRANSPOSE trans : {CblasNoTrans, CblasTrans}) {
        for (bool two_terms : {false, true}) {
          const int rows = trans == CblasNoTrans ? n : k, cols = trans == CblasNoTrans ? k : n;
          const int ld = rows + ld_extra;
          const auto a = random_values<T>(size_t(ld) * cols, 8), b = random_values<T>(size_t(ld) * cols, 9);
          // The reference's sums over the stored triangle, once for both betas (under qemu they were most of
          // the suite's slowest test).
          std::vector<T> sums(size_t(n) * n, T(0));
          for (int j = 0; j < n; ++j) {
            for (int i = 0; i < n; ++i) {
              if (uplo == CblasUpper ? i > j : i < j) continue;
              T sum(0);
              for (int l = 0; l < k; ++l) {
                const T ail = element(a.data(), ld, false, trans, i, l), ajl = element(a.data(), ld, false, trans, j, l);
                const T bil = element(b.data(), ld, false, trans, i, l), bjl = element(b.data(), ld, false, trans, j, l);
                sum += two_terms ? ail * bjl + bil * ajl : ail * ajl;
              }
              sums[i + j * n] = sum;
            }
          }
          for (T beta : {T(0), T(-1.5)}) {
            auto c = random_values<T>(size_t(n) * n, 10);
            for (int j = 0; j < n; ++j) {
              for (int i = 0; i < n; ++i) {
                const bool stored = uplo == CblasUpper ? i <= j : i >= j;
                if (stored && beta == T(0)) c[i + j * n] = std::numeric_limits<T>::quiet_NaN();
              }
            }
            const T alpha = T(0.75);
            auto want = c;
            for (int j = 0; j < n; ++j) {
              for (int i = 0; i < n; ++i) {
                if (uplo == CblasUpper ? i > j : i < j) continue;
                want[i + j * n] = alpha * sums[i + j * n] + (beta == T(0) ? T(0) : beta * want[i + j * n]);
              }
            }
            auto update = [&](std::vector<T>& out) {
              if constexpr (std::is_same_v<T, float>) {
                if (two_terms) {
                  cblas_ssyr2k(CblasColMajor, uplo, trans, n, k, alpha, a.data(), ld, b.data(), ld, beta, out.data(),
                               n);
                } else {
                  cblas_ssyrk(CblasColMajor, uplo, trans, n, k, alpha, a.data(), ld, beta, out.data(), n);
                }
              } else {
                if (two_terms) {
                  cblas_dsyr2k(CblasColMajor, uplo, trans, n, k, alpha, a.data(), ld, b.data(), ld, beta, out.data(),
                               n);
                } else {
                  cblas_dsyrk(CblasColMajor, uplo, trans, n, k, alpha, a.data(), ld, beta, out.data(), n);
                }
              }
            };
            auto on_one_thread = c;
            if (compare_threads) {
              const int before = armory_get_num_threads();
              armory_set_num_threads(1);
              update(on_one_thread);
              armory_set_num_threads(2);
              update(c);
              armory_set_num_threads(before);
            } else {
              update(c);
            }
            SCOPED_TRACE(testing::Message() << "n=" << n << " uplo=" << uplo << " trans=" << trans
                                            << " syr2k=" << two_terms << " beta=" << beta);
            expect_close(c, want, tolerance<T>(2 * k), "C");
            if (compare_threads) {
              EXPECT_EQ(0, std::memcmp(c.data(), on_one_thread.data(), c.size() * sizeof(T)));
            }
          }
        }
      }
    }
  }
}

TEST_F(BlasTest, RealSyrkAndSyr2kWriteTheirTriangle) {
  for (int k : {37, 61}) {
    check_real_rank_k_updates<float>(k);
    check_real_rank_k_updates<double>(k);
  }
}
// The small-order tiles (orders up to 160, at least twice as deep) at every edge of their vectors (2 to 16
// lanes) and 6-column blocks, at their shallowest (16: orders up to 8) and across depth chunks (330); in place,
// and copied where A's stride is a multiple of 512 bytes (float 128 rows, double 64); one and two threads
// alike.
TEST_F(BlasTest, RealSyrkAndSyr2kOfSmallOrderOnEveryTileEdge) {
  for (int k : {16, 330}) {
    check_real_rank_k_updates<float>(k, {1, 3, 5, 7, 13, 17, 126, 160, 161}, 2, true);
    check_real_rank_k_updates<double>(k, {1, 3, 5, 7, 13, 17, 62, 160}, 2, true);
  }
  // A's columns n apart, the last one ending the allocation: the steps whose reads would pass it are copied.
  check_real_rank_k_updates<float>(330, {5, 13, 20}, 0);
  check_real_rank_k_updates<double>(330, {5, 13, 20}, 0);
}

// gemm's A B^T (column-major N T, numpy's X.T @ Y) of small order and deep: the small-order tiles (one side
// up to 40, both up to 160, depth at least twice the larger), every edge of their vectors and 6-column blocks,
// across depth chunks; A and B in place (their last steps copied: the allocations end with them) or copied
// (strides of 512 bytes); beta = 0 over a NaN C; one and two threads give the same bits.
template <class T>
void check_small_order_products() {
  struct Shape {
    int m, n, k, lda, ldb;
  };
  const int lane_rows = 512 / int{sizeof(T)};
  for (Shape s : {Shape{1, 1, 16, 1, 1}, Shape{5, 13, 330, 5, 13}, Shape{40, 7, 330, 43, 7},
                  Shape{13, 160, 1000, 13, 161}, Shape{40, 40, 200, lane_rows, lane_rows}}) {
    for (T beta : {T(0), T(-0.5)}) {
      auto a = random_values<T>(size_t(s.lda) * s.k, 1), b = random_values<T>(size_t(s.ldb) * s.k, 2);
      auto c = random_values<T>(size_t(s.m) * s.n, 3);
      if (beta == T(0)) std::fill(c.begin(), c.end(), std::numeric_limits<T>::quiet_NaN());
      const T alpha = T(0.75);
      auto want = c;
      for (int j = 0; j < s.n; ++j) {
        for (int i = 0; i < s.m; ++i) {
          T sum(0);
          for (int l = 0; l < s.k; ++l) sum += a[i + l * s.lda] * b[j + l * s.ldb];
          want[i + j * s.m] = alpha * sum + (beta == T(0) ? T(0) : beta * want[i + j * s.m]);
        }
      }
      const int before = armory_get_num_threads();
      std::vector<T> results[2] = {c, c};
      for (int threads : {1, 2}) {
        armory_set_num_threads(threads);
        cblas_gemm(CblasColMajor, CblasNoTrans, CblasTrans, s.m, s.n, s.k, alpha, a.data(), s.lda, b.data(), s.ldb,
                   beta, results[threads - 1].data(), s.m);
      }
      armory_set_num_threads(before);
      SCOPED_TRACE(testing::Message() << "m=" << s.m << " n=" << s.n << " k=" << s.k << " beta=" << beta);
      expect_close(results[0], want, tolerance<T>(s.k), "C");
      EXPECT_EQ(0, std::memcmp(results[0].data(), results[1].data(), results[0].size() * sizeof(T)));
    }
  }
}
TEST_F(BlasTest, SmallOrderProductsOfTallMatrices) {
  check_small_order_products<float>();
  check_small_order_products<double>();
}

// op(A) X (left) or X op(A) (right) by plain loops, A's dim x dim triangle as BLAS reads it, X m x n.
template <class T>
std::vector<T> triangle_times(CBLAS_SIDE side, CBLAS_UPLO uplo, CBLAS_TRANSPOSE trans, CBLAS_DIAG diag, int m, int n,
                              const std::vector<T>& a, const std::vector<T>& x) {
  const int dim = side == CblasLeft ? m : n;
  auto op_a = [&](int i, int j) -> T {
    const bool stored = uplo == CblasUpper ? i <= j : i >= j;
    if (i == j && diag == CblasUnit) return T(1);
    return stored ? a[i + j * dim] : T(0);
  };
  std::vector<T> product(size_t(m) * n, T(0));
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      T sum(0);
      for (int l = 0; l < dim; ++l) {
        if (side == CblasLeft) {
          sum += conj_if(trans == CblasNoTrans ? op_a(i, l) : op_a(l, i), trans == CblasConjTrans) * x[l + j * m];
        } else {
          sum += x[i + l * m] * conj_if(trans == CblasNoTrans ? op_a(l, j) : op_a(j, l), trans == CblasConjTrans);
        }
      }
      product[i + j * m] = sum;
    }
  }
  return product;
}

// trsm (and, with `multiply`, trmm) across their 256-row blocks and trsm's halving below them (down to blocks
// of 16, from the left over 300 rows, from the right over 37 columns): op(A) X = alpha B (or X op(A) = alpha B)
// holds afterwards, or B = alpha op(A) B (alpha B op(A)) against loops. From the left trsm copies each
// diagonal block and solves it 128 columns at a time, or reads it in place for fewer than 16 columns.
template <class T>
void check_triangular_routines(int m = 300, int n = 37, bool every_variant = true, bool multiply = false) {
  for (CBLAS_SIDE side : {CblasLeft, CblasRight}) {
    for (CBLAS_UPLO uplo : {CblasUpper, CblasLower}) {
      for (CBLAS_TRANSPOSE trans : {CblasNoTrans, CblasTrans, CblasConjTrans}) {
        for (CBLAS_DIAG diag : {CblasNonUnit, CblasUnit}) {
          if (!every_variant && (trans == CblasConjTrans || diag == CblasUnit)) continue;
          const int dim = side == CblasLeft ? m : n;
          auto a = random_values<T>(size_t(dim) * dim, 8);
          // Well conditioned: a dominant diagonal, small off-diagonal entries.
          for (int j = 0; j < dim; ++j) {
            for (int i = 0; i < dim; ++i) a[i + j * dim] *= real_t<T>(0.5) / dim;
            a[j + j * dim] += T(2);
          }
          auto b = random_values<T>(size_t(m) * n, 9);
          auto x = b;
          const T alpha = T(1.5);
          SCOPED_TRACE(testing::Message() << "side=" << side << " uplo=" << uplo << " trans=" << trans
                                          << " diag=" << diag);
          if (multiply) {
            cblas_trmm_t(CblasColMajor, side, uplo, trans, diag, m, n, alpha, a.data(), dim, x.data(), m);
            auto want = triangle_times(side, uplo, trans, diag, m, n, a, b);
            for (auto& v : want) v *= alpha;
            expect_close(x, want, tolerance<T>(dim), "alpha op(A) B");
            continue;
          }
          cblas_trsm_t(CblasColMajor, side, uplo, trans, diag, m, n, alpha, a.data(), dim, x.data(), m);
          for (auto& v : b) v *= alpha;
          expect_close(triangle_times(side, uplo, trans, diag, m, n, a, x), b, tolerance<T>(dim), "op(A) X");
        }
      }
    }
  }
}
TEST_F(BlasTest, DoubleSolvesAcrossBlocks) { check_triangular_routines<double>(); }
// Enough right-hand sides (left) and rows (right) for the solves to split across the pool's threads.
TEST_F(BlasTest, DoubleSolvesSplitAcrossThreads) { check_triangular_routines<double>(520, 130, false); }
// More right-hand sides than the substitution's 256-column row blocks and the diagonal blocks' 128-column
// chunks, on one thread (two split the columns), over two diagonal blocks.
TEST_F(BlasTest, DoubleSolvesAcrossSubstitutionRowBlocks) {
  const int before = armory_get_num_threads();
  armory_set_num_threads(1);
  check_triangular_routines<double>(260, 260, false);
  armory_set_num_threads(before);
}
// Too few right-hand sides to copy the diagonal blocks: read in place, across blocks.
TEST_F(BlasTest, DoubleSolvesFewRightHandSides) { check_triangular_routines<double>(600, 5, false); }
// One to three right-hand sides from the left: trsv per column (conjugated too).
TEST_F(BlasTest, SolvesOfAVectorOrThreeRunAsTrsv) {
  for (int columns : {1, 3}) {
    check_triangular_routines<double>(300, columns);
    check_triangular_routines<cdouble>(300, columns);
  }
}
TEST_F(BlasTest, ComplexSolvesAcrossBlocks) { check_triangular_routines<cdouble>(); }
// LSAME folds ASCII letters only, as the reference does: every pair of byte values against that rule.
TEST_F(BlasTest, LsameFoldsAsciiLettersOnly) {
  auto folded = [](int c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; };
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char ca = static_cast<char>(a), cb = static_cast<char>(b);
      ASSERT_EQ(lsame_(&ca, &cb, 1, 1) != 0, folded(a) == folded(b)) << a << " vs " << b;
    }
  }
}

// The level-3 routines keep their working blocks per thread between calls, unzeroed: a block that syrk left
// full of infinities (its square diagonal product, both triangles) must not reach trsm or trmm, which write
// and read only what they use. Each result equals the one computed before the poisoning, bit for bit.
TEST_F(BlasTest, WorkspacesLeftByOneRoutineDoNotReachAnother) {
  const int dim = 30, cols = 20;  // trsm copies its diagonal block from 16 columns on
  auto a = random_values<double>(size_t(dim) * dim, 30), b = random_values<double>(size_t(dim) * cols, 31);
  for (int i = 0; i < dim; ++i) a[i + i * dim] += 4.0;
  auto every_result = [&] {
    std::vector<std::vector<double>> results;
    for (CBLAS_SIDE side : {CblasLeft, CblasRight}) {
      for (CBLAS_UPLO uplo : {CblasLower, CblasUpper}) {
        for (CBLAS_TRANSPOSE trans : {CblasNoTrans, CblasTrans}) {
          const int m = side == CblasLeft ? dim : cols, n = side == CblasLeft ? cols : dim;
          std::vector<double> x(b.begin(), b.begin() + m * n);
          cblas_dtrsm(CblasColMajor, side, uplo, trans, CblasNonUnit, m, n, 1.0, a.data(), dim, x.data(), m);
          results.push_back(x);
          cblas_dtrmm(CblasColMajor, side, uplo, trans, CblasUnit, m, n, 1.0, a.data(), dim, x.data(), m);
          results.push_back(x);
        }
      }
    }
    return results;
  };
  const auto before = every_result();
  std::vector<double> huge(size_t(32) * 32, 1e200), c(size_t(32) * 32, 0.0);
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, 32, 32, 1.0, huge.data(), 32, 0.0, c.data(), 32);
  ASSERT_TRUE(std::isinf(c[5]));
  const auto after = every_result();
  ASSERT_EQ(before.size(), after.size());
  for (size_t r = 0; r < before.size(); ++r) {
    for (size_t i = 0; i < before[r].size(); ++i) {
      ASSERT_EQ(std::memcmp(&before[r][i], &after[r][i], sizeof(double)), 0) << "result " << r << " at " << i;
    }
  }
}

// trmm by blocks of 64 rows (left) or columns (right), more than one each way, and more columns (left) or
// rows (right) than its 1024-wide copies of B.
TEST_F(BlasTest, TriangularProductsAcrossBlocks) {
  check_triangular_routines<double>(200, 37, true, true);
  check_triangular_routines<double>(37, 200, false, true);
  check_triangular_routines<cdouble>(140, 37, true, true);
  check_triangular_routines<double>(1030, 3, false, true);
  check_triangular_routines<double>(3, 1030, false, true);
}

// Row-major A^H x needs a conjugation column-major BLAS cannot express; checked with strided, negative x.
// gemv with strided vectors gathered into contiguous copies for the kernels (A large, or the vector walked
// once per column long and strided; copies on the stack up to 256 elements, on the heap above) and not (5 x
// 300, 15 x 3): every orientation, increments -2 or 1 (x) and 3 or 1 (y), beta 0 over a y of NaN (never read)
// and beta non-zero, and the elements between y's untouched.
template <class T>
void check_strided_gemv(int m, int n, int incx, int incy) {
  const int lda = m + 3;
  const auto a = random_values<T>(size_t(lda) * n, 13);
  const T alpha = T(0.5), nan = T(std::numeric_limits<real_t<T>>::quiet_NaN());
  std::vector<CBLAS_TRANSPOSE> ops = {CblasNoTrans, CblasTrans};
  if constexpr (is_complex<T>) ops.push_back(CblasConjTrans);
  for (CBLAS_TRANSPOSE op : ops) {
    for (T beta : {T(0), T(-1.5)}) {
      SCOPED_TRACE(testing::Message() << "op " << op << " beta " << beta);
      const int len_x = op == CblasNoTrans ? n : m, len_y = op == CblasNoTrans ? m : n;
      const int sx = std::abs(incx);
      const auto x = random_values<T>(size_t(len_x) * sx, 14);
      auto y = beta == T(0) ? std::vector<T>(size_t(len_y) * incy, nan) : random_values<T>(size_t(len_y) * incy, 15);
      for (size_t i = 0; i < y.size(); ++i) {
        if (i % incy != 0) y[i] = T(7);
      }
      auto want = y;
      for (int r = 0; r < len_y; ++r) {
        T sum(0);
        for (int l = 0; l < len_x; ++l) {
          const T element =
              op == CblasNoTrans ? a[r + size_t(l) * lda] : conj_if(a[l + size_t(r) * lda], op == CblasConjTrans);
          sum += element * x[size_t(incx < 0 ? len_x - 1 - l : l) * sx];  // a negative incx walks from the far end
        }
        want[size_t(r) * incy] = alpha * sum + (beta == T(0) ? T(0) : beta * want[size_t(r) * incy]);
      }
      if constexpr (std::is_same_v<T, double>) {
        cblas_dgemv(CblasColMajor, op, m, n, alpha, a.data(), lda, x.data(), incx, beta, y.data(), incy);
      } else {
        cblas_zgemv(CblasColMajor, op, m, n, &alpha, a.data(), lda, x.data(), incx, &beta, y.data(), incy);
      }
      expect_close(y, want, tolerance<T>(len_x), "y");
    }
  }
}

TEST_F(BlasTest, StridedGemvGatheredForTheKernelsAgreesWithLoops) {
  for (auto [m, n] : {std::pair{97, 83}, std::pair{5, 300}, std::pair{300, 5}, std::pair{16, 2}, std::pair{15, 3},
                      std::pair{600, 2}}) {
    for (auto [incx, incy] : {std::pair{-2, 3}, std::pair{1, 3}, std::pair{-2, 1}}) {
      SCOPED_TRACE(testing::Message() << m << " x " << n << " incx " << incx << " incy " << incy);
      check_strided_gemv<double>(m, n, incx, incy);
      check_strided_gemv<cdouble>(m, n, incx, incy);
    }
  }
}

TEST_F(BlasTest, RowMajorConjugateTransposeGemvWithNegativeIncrements) {
  const int m = 7, n = 5, lda = 6;
  auto a = random_values<cfloat>(size_t(m) * lda, 10);
  auto x = random_values<cfloat>(size_t(m) * 2, 11);
  auto y = random_values<cfloat>(size_t(n) * 3, 12);
  const cfloat alpha(0.5f, -1.0f), beta(2.0f, 0.25f);
  auto want = y;
  // incx = -2: logical element i of x is x[(m - 1 - i) * 2]; incy = 3.
  for (int j = 0; j < n; ++j) {
    cfloat sum(0);
    for (int i = 0; i < m; ++i) sum += std::conj(a[i * lda + j]) * x[(m - 1 - i) * 2];
    want[j * 3] = alpha * sum + beta * want[j * 3];
  }
  cblas_cgemv(CblasRowMajor, CblasConjTrans, m, n, &alpha, a.data(), lda, x.data(), -2, &beta, y.data(), 3);
  expect_close(y, want, tolerance<cfloat>(m), "y");
}

TEST_F(BlasTest, Nrm2NeitherOverflowsNorUnderflows) {
  const std::vector<double> big = {3e300, 4e300}, tiny = {3e-300, 4e-300}, mixed = {1e-300, 1.0, 1e300};
  const int two = 2, three = 3, one = 1;
  EXPECT_DOUBLE_EQ(dnrm2_(&two, big.data(), &one), 5e300);
  EXPECT_DOUBLE_EQ(dnrm2_(&two, tiny.data(), &one), 5e-300);
  EXPECT_DOUBLE_EQ(dnrm2_(&three, mixed.data(), &one), 1e300);
  const std::vector<double> with_nan = {1.0, std::nan(""), 2.0};
  EXPECT_TRUE(std::isnan(cblas_dnrm2(3, with_nan.data(), 1)));
  EXPECT_EQ(cblas_idamax(3, mixed.data(), 1), 2u);  // CBLAS is 0-based
  EXPECT_EQ(cblas_idamax(0, mixed.data(), 1), 0u);
}

// A bad argument is reported on stderr with the routine and position, and the call returns: C untouched.
TEST_F(BlasTest, BadArgumentsReportAndReturn) {
  std::vector<double> a(4, 1.0), b(4, 1.0), c(4, 7.0);
  const int m = 2, n = 2, k = 2, bad_lda = 1, good = 2;
  const double one = 1.0;
  testing::internal::CaptureStderr();
  dgemm_("N", "N", &m, &n, &k, &one, a.data(), &bad_lda, b.data(), &good, &one, c.data(), &good);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0, a.data(), 2, b.data(), 1, 1.0, c.data(), 2);
  cblas_dgemm(static_cast<CBLAS_LAYOUT>(0), CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0, a.data(), 2, b.data(), 2, 1.0,
              c.data(), 2);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("DGEMM"), std::string::npos) << err;
  EXPECT_NE(err.find("parameter number 8"), std::string::npos) << err;
  EXPECT_NE(err.find("Parameter 11 to routine cblas_dgemm"), std::string::npos) << err;  // row-major ldb
  EXPECT_NE(err.find("Parameter 1 to routine cblas_dgemm"), std::string::npos) << err;   // layout
  for (double v : c) EXPECT_EQ(v, 7.0);
}

// A copy a routine makes that memory cannot hold is reported, and the call returns instead of throwing into
// the caller (which would abort it): dsymm mirrors A's triangle into a full matrix, at m = 2^31 - 1 a matrix of
// 3.7e19 bytes, before it reads A, B or C.
TEST_F(BlasTest, ACopyTooLargeForMemoryReportsAndReturns) {
  const int m = std::numeric_limits<int>::max(), n = 1;
  const double one = 1.0;
  std::vector<double> a(1, 1.0), b(1, 5.0), c(1, 7.0);
  testing::internal::CaptureStderr();
  dsymm_("L", "U", &m, &n, &one, a.data(), &m, b.data(), &m, &one, c.data(), &m);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(c[0], 7.0);
  // Reported once per process: empty only when something failed before in this process (ctest runs each
  // test in its own).
  if (!err.empty()) {
    EXPECT_NE(err.find("armory BLAS: symm ran out of memory"), std::string::npos) << err;
  }
}

// Row-major A^H and row-major Hermitian calls conjugate a copy of their vectors (the column-major call cannot
// conjugate A): with no memory for it, the call is reported and returns, A and y untouched, instead of
// throwing std::bad_alloc through the C ABI.
TEST_F(BlasTest, ConjugatedCopiesMemoryCannotHoldReportAndReturn) {
  const int n = 64;
  auto a = random_values<cdouble>(size_t(n) * n, 20);
  auto ap = random_values<cdouble>(size_t(n) * (n + 1) / 2, 21);
  auto x = random_values<cdouble>(n, 22), y = random_values<cdouble>(n, 23);
  const cdouble alpha(0.5, -1.0), beta(2.0, 0.25);
  auto every_call = [&](CBLAS_LAYOUT layout) {
    cblas_zgemv(layout, CblasConjTrans, n, n, &alpha, a.data(), n, x.data(), 1, &beta, y.data(), 1);
    cblas_zhemv(layout, CblasUpper, n, &alpha, a.data(), n, x.data(), 1, &beta, y.data(), 1);
    cblas_zhpmv(layout, CblasLower, n, &alpha, ap.data(), x.data(), 1, &beta, y.data(), 1);
    cblas_zgerc(layout, n, n, &alpha, x.data(), 1, y.data(), 1, a.data(), n);
    cblas_zher(layout, CblasUpper, n, 0.5, x.data(), 1, a.data(), n);
    cblas_zher2(layout, CblasLower, n, &alpha, x.data(), 1, y.data(), 1, a.data(), n);
    cblas_zhpr2(layout, CblasUpper, n, &alpha, x.data(), 1, y.data(), 1, ap.data());
  };
  every_call(CblasColMajor);  // whatever the library sets up on its first calls, outside the refusal below
  const auto a_before = a, ap_before = ap, y_before = y;
  testing::internal::CaptureStderr();
  g_refused_bytes = sizeof(cdouble) * n;  // a vector's copy, not the few bytes of a message
  EXPECT_NO_THROW(every_call(CblasRowMajor));
  g_refused_bytes = std::numeric_limits<size_t>::max();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(a, a_before);
  EXPECT_EQ(ap, ap_before);
  EXPECT_EQ(y, y_before);
  // Reported once per process, by the first call: empty only when something failed before in this process
  // (ctest runs each test in its own).
  if (!err.empty()) {
    EXPECT_NE(err.find("armory BLAS: cblas_zgemv ran out of memory for its copies"), std::string::npos) << err;
  }
}

TEST_F(BlasTest, ThreadsConfigAndBf16Gemm) {
  const int before = armory_get_num_threads();
  openblas_set_num_threads(1);
  EXPECT_EQ(armory_get_num_threads(), 1);
  testing::internal::CaptureStderr();
  armory_set_num_threads(0);  // refused with a message, not applied
  EXPECT_NE(testing::internal::GetCapturedStderr().find("threads"), std::string::npos);
  EXPECT_EQ(openblas_get_num_threads(), 1);
  testing::internal::CaptureStderr();
  openblas_set_num_threads(0);  // OpenBLAS's meaning: back to the default count, silently
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(openblas_get_num_threads(), armory::default_thread_count());
  armory_set_num_threads(before);
  const std::string config = armory_get_config();
  EXPECT_EQ(config.rfind("armory ", 0), 0u) << config;
  EXPECT_NE(config.find("gemm f32"), std::string::npos) << config;
  EXPECT_EQ(openblas_get_parallel(), 1);

  // bf16 values that are exact in bf16, so the fp32 reference is exact too.
  const int m = 5, n = 4, k = 3;
  std::vector<float> a(m * k), b(k * n), c(m * n, 1.0f), want(m * n);
  for (int i = 0; i < m * k; ++i) a[i] = float(i % 7) - 3.0f;
  for (int i = 0; i < k * n; ++i) b[i] = 0.5f * float(i % 5);
  std::vector<armory_bfloat16> a16(a.size()), b16(b.size());
  cblas_sbstobf16(m * k, a.data(), 1, a16.data(), 1);
  cblas_sbstobf16(k * n, b.data(), 1, b16.data(), 1);
  std::vector<float> back(a.size());
  cblas_sbf16tos(m * k, a16.data(), 1, back.data(), 1);
  EXPECT_EQ(back, a);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0;
      for (int l = 0; l < k; ++l) sum += a[i * k + l] * b[l * n + j];
      want[i * n + j] = 2.0f * sum + 1.0f;
    }
  }
  cblas_sbgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 2.0f, a16.data(), k, b16.data(), n, 1.0f, c.data(),
               n);
  EXPECT_EQ(c, want);
}

// A long dot product gives the same bits wherever its vectors start (the AVX-512 kernel aligns its loads
// to x's cache lines but sums every element in the lane of the plain loop), and agrees with the exact sum.
template <class T, class Dot>
void check_dot_independent_of_address(Dot dot) {
  const int n = 100003;  // long enough to stream, and not a multiple of any vector
  const auto x = random_values<T>(n, 30), y = random_values<T>(n, 31);
  long double exact = 0;
  for (int i = 0; i < n; ++i) exact += (long double)x[i] * y[i];
  const int lanes = 64 / sizeof(T);
  std::vector<T> xs(n + 2 * lanes), ys(n + 2 * lanes);
  const int before = armory_get_num_threads();
  for (int threads : {1, 2}) {
    armory_set_num_threads(threads);
    T first = 0;
    for (int x_offset = 0; x_offset < lanes; ++x_offset) {
      for (int y_offset : {x_offset, (x_offset + 3) % lanes}) {
        std::copy(x.begin(), x.end(), xs.begin() + x_offset);
        std::copy(y.begin(), y.end(), ys.begin() + y_offset);
        const T got = dot(n, xs.data() + x_offset, ys.data() + y_offset);
        if (x_offset == 0 && y_offset == 0) {
          first = got;
          EXPECT_NEAR(double(got), double(exact), (sizeof(T) == 4 ? 1e-4 : 1e-12) * n) << threads << " threads";
        }
        ASSERT_EQ(got, first) << "x at +" << x_offset << ", y at +" << y_offset << " elements, " << threads
                              << " threads";
      }
    }
  }
  armory_set_num_threads(before);
}

TEST_F(BlasTest, LongDotsDoNotDependOnAlignment) {
  check_dot_independent_of_address<double>(
      [](int n, const double* x, const double* y) { return cblas_ddot(n, x, 1, y, 1); });
  check_dot_independent_of_address<float>(
      [](int n, const float* x, const float* y) { return cblas_sdot(n, x, 1, y, 1); });
}

// One table's dot against a long double loop over random vectors of n values (seeds `seed`, `seed` + 1).
template <class T>
void expect_dot_matches_loop(const armory::blas::VectorKernelsOf<T>& k, int64_t n, uint32_t seed, double tolerance) {
  auto x = random_values<T>(n, seed), y = random_values<T>(n, seed + 1);
  long double want = 0;
  for (int64_t i = 0; i < n; ++i) want += (long double)x[i] * y[i];
  EXPECT_NEAR(k.dot(n, x.data(), y.data()), double(want), tolerance * n) << n;
}

// One table's gemv_n and gemv_t (y = 1 + 2 A v) against double loops over a random m x cols A (seeds `seed`,
// `seed` + 1 for v).
template <class T>
void expect_gemv_matches_loops(const armory::blas::VectorKernelsOf<T>& k, int64_t m, int64_t cols, uint32_t seed,
                               double tolerance) {
  auto a = random_values<T>(size_t(m) * cols, seed), v = random_values<T>(std::max(m, cols), seed + 1);
  std::vector<T> out_n(m, T(1)), out_t(cols, T(1)), out_t8(cols, T(1));
  k.gemv_n(m, cols, T(2), a.data(), m, v.data(), out_n.data());
  k.gemv_t(m, cols, T(2), a.data(), m, v.data(), out_t.data());
  k.gemv_t_eight_streams(m, cols, T(2), a.data(), m, v.data(), out_t8.data());
  ASSERT_EQ(out_t8, out_t) << "eight columns at a time must give gemv_t's sums";
  std::vector<double> want_n(m, 0.0);
  for (int64_t j = 0; j < cols; ++j) {
    double sum = 0;
    for (int64_t i = 0; i < m; ++i) {
      want_n[i] += double(a[i + j * m]) * v[j];
      sum += double(a[i + j * m]) * v[i];
    }
    ASSERT_NEAR(out_t[j], 1.0 + 2.0 * sum, tolerance * m) << m << " rows, column " << j;
  }
  for (int64_t i = 0; i < m; ++i) {
    ASSERT_NEAR(out_n[i], 1.0 + 2.0 * want_n[i], tolerance * cols) << m << " rows, " << i;
  }
}

// Each of them on vectors long enough for the streaming paths and with ragged tails, against plain loops.
TEST_F(BlasTest, EveryVectorKernelTableAgreesWithLoops) {
  const int64_t n = (1 << 15) + 13, m = 301, cols = 203;
  auto a = random_values<double>(size_t(m) * cols, 32), v = random_values<double>(m, 33);
  for (const auto* table : runnable_vector_tables()) {
    SCOPED_TRACE(table->isa);
    const auto& k = table->f64;
    expect_dot_matches_loop(k, n, 30, 1e-12);
    expect_gemv_matches_loops(k, m, cols, 32, 1e-12);
    auto rx = random_values<double>(size_t(n), 34), ry = random_values<double>(size_t(n), 35);
    auto rotated_x = rx, rotated_y = ry;
    k.rot(n, rotated_x.data(), rotated_y.data(), 0.6, 0.8);
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_NEAR(rotated_x[i], 0.6 * rx[i] + 0.8 * ry[i], 1e-15) << "rot x " << i;
      ASSERT_NEAR(rotated_y[i], 0.6 * ry[i] - 0.8 * rx[i], 1e-15) << "rot y " << i;
    }
    auto updated = a;
    k.ger(m, cols, -0.5, v.data(), v.data(), updated.data(), m);
    for (int64_t j = 0; j < cols; j += 7) {
      for (int64_t i = 0; i < m; ++i) ASSERT_NEAR(updated[i + j * m], a[i + j * m] - 0.5 * v[i] * v[j], 1e-15) << i;
    }
  }
}

// scal, swap, asum, iamax and nrm2's unscaled sum of every table against plain loops, at lengths around the
// vector widths and iamax's 1024-element blocks, with the cases the reference loops decide: ties (the first
// wins), a NaN first (it wins) or later (it never does), and magnitudes that must make the sum refuse.
template <class T>
void check_level_one_kernels(const armory::blas::VectorKernelsOf<T>& k, const char* type) {
  SCOPED_TRACE(type);
  const T small = T(1e-18), big = T(1e18);
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{33}, int64_t{1023}, int64_t{1024}, int64_t{3000}}) {
    SCOPED_TRACE(n);
    const auto x = random_values<T>(size_t(n), 70 + uint32_t(n)), y = random_values<T>(size_t(n), 71);
    auto scaled = x;
    k.scal(n, T(-1.5), scaled.data());
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(scaled[i], T(-1.5) * x[i]) << "scal " << i;
    auto sx = x, sy = y;
    k.swap(n, sx.data(), sy.data());
    ASSERT_EQ(sx, y);
    ASSERT_EQ(sy, x);
    double abs_sum = 0, square_sum = 0;
    int64_t first_max = 0;
    for (int64_t i = 0; i < n; ++i) {
      abs_sum += std::abs(double(x[i]));
      square_sum += double(x[i]) * x[i];
      if (std::abs(x[i]) > std::abs(x[first_max])) first_max = i;
    }
    ASSERT_NEAR(k.asum(n, x.data()), abs_sum, 1e-5 * abs_sum);
    ASSERT_NEAR(k.nrm2_sum_of_squares(n, x.data(), small, big), square_sum, 1e-5 * square_sum);
    ASSERT_EQ(k.iamax(n, x.data()), first_max);
    // The largest magnitude twice, the later one in another block when n allows: the first wins.
    auto tie = x;
    tie[size_t(n / 3)] = T(-2);
    tie[size_t(n - 1)] = T(2);
    ASSERT_EQ(k.iamax(n, tie.data()), n / 3);
    // The NaN 16 elements after the largest (the same vector lane at any width) and others after it.
    auto nan_later = tie;
    if (n / 3 + 16 < n - 1) {
      nan_later[size_t(n / 3 + 16)] = std::numeric_limits<T>::quiet_NaN();
      ASSERT_EQ(k.iamax(n, nan_later.data()), n / 3);
    }
    auto nan_first = tie;
    nan_first[0] = std::numeric_limits<T>::quiet_NaN();
    ASSERT_EQ(k.iamax(n, nan_first.data()), 0);
    // double: one magnitude out of [small, big] anywhere (a zero is not) and the sum refuses; float: summed in
    // double, it never needs to.
    for (T outside : {T(1e30), T(1e-30), -std::numeric_limits<T>::infinity()}) {
      auto extreme = x;
      extreme[size_t(n - 1 - n / 4)] = outside;
      const double sum = k.nrm2_sum_of_squares(n, extreme.data(), small, big);
      if (sizeof(T) == 8) {
        ASSERT_EQ(sum, -1.0) << outside;
        continue;
      }
      double want = 0;
      for (T v : extreme) want += double(v) * double(v);
      if (std::isinf(want)) {
        ASSERT_EQ(sum, want);
      } else {
        ASSERT_NEAR(sum, want, 1e-12 * want) << outside;
      }
    }
    auto with_zero = x;
    with_zero[size_t(n / 2)] = T(0);
    ASSERT_GE(k.nrm2_sum_of_squares(n, with_zero.data(), small, big), 0.0);
  }
}

TEST_F(BlasTest, LevelOneKernelsOfEveryTableAgreeWithLoops) {
  for (const auto* table : runnable_vector_tables()) {
    SCOPED_TRACE(table->isa);
    check_level_one_kernels(table->f32, "float");
    check_level_one_kernels(table->f64, "double");
  }
}

// nrm2 on long vectors, where the unscaled vector sum serves unless a magnitude is extreme: a huge element
// must not overflow, a tiny one among zeros must not vanish.
TEST_F(BlasTest, LongNrm2KeepsExtremeMagnitudes) {
  std::vector<double> v(1000, 0.0);
  v[700] = 1e-300;
  EXPECT_DOUBLE_EQ(cblas_dnrm2(1000, v.data(), 1), 1e-300);
  v[300] = 3e300;
  v[700] = 4e300;
  EXPECT_DOUBLE_EQ(cblas_dnrm2(1000, v.data(), 1), 5e300);
  std::vector<float> f(1000, 0.5f);
  f[999] = 1e30f;
  EXPECT_FLOAT_EQ(cblas_snrm2(1000, f.data(), 1), 1e30f);
  f[999] = 0.5f;
  EXPECT_FLOAT_EQ(cblas_snrm2(1000, f.data(), 1), std::sqrt(250.0f));
  // scipy.linalg's TestVectorNorms.test_stable: the ones must not be lost in pieces (0.5 with double sums, 0
  // with one sequential float sum; float lanes gave 0.484).
  std::vector<float> stable(10001, 1.0f);
  stable[0] = 1e4f;
  EXPECT_NEAR(cblas_snrm2(10001, stable.data(), 1) - 1e4f, 0.5f, 1e-2f);
}

// The symmetric and triangular level-2 routines on contiguous vectors (the vector kernels' paths: symv's
// four-column rectangles read once, trmv / trsv / syr / syr2 a column segment at a time, packed and band forms
// alike) against loops in double, at sizes past the vector widths and the symv blocks; the triangle not
// referenced holds NaN, which must neither be read nor written.
template <class T>
void check_triangle_routines(int n, CBLAS_UPLO uplo) {
  const bool upper = uplo == CblasUpper;
  SCOPED_TRACE(std::string(sizeof(T) == 4 ? "float" : "double") + " n=" + std::to_string(n) +
               (upper ? " upper" : " lower"));
  const int lda = n + 3;
  const double tol = tolerance<T>(n) * 4;
  auto stored = [&](int i, int j) { return upper ? i <= j : i >= j; };
  std::vector<T> a(size_t(lda) * n, std::numeric_limits<T>::quiet_NaN());
  const auto values = random_values<T>(size_t(lda) * n, 80 + uint32_t(n));
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      if (stored(i, j))
        a[i + size_t(j) * lda] =
            i == j ? T(2 + std::abs(values[i + size_t(j) * lda])) : values[i + size_t(j) * lda] / T(n);
    }
  }
  auto at = [&](int i, int j) { return double(stored(i, j) ? a[i + size_t(j) * lda] : a[j + size_t(i) * lda]); };
  const auto x = random_values<T>(size_t(n), 81), y0 = random_values<T>(size_t(n), 82);
  // symv: y = 1.5 A x - 0.5 y.
  auto y = y0;
  if constexpr (std::is_same_v<T, float>) {
    cblas_ssymv(CblasColMajor, uplo, n, 1.5f, a.data(), lda, x.data(), 1, -0.5f, y.data(), 1);
  } else {
    cblas_dsymv(CblasColMajor, uplo, n, 1.5, a.data(), lda, x.data(), 1, -0.5, y.data(), 1);
  }
  for (int i = 0; i < n; ++i) {
    double want = -0.5 * y0[i];
    for (int j = 0; j < n; ++j) want += 1.5 * at(i, j) * x[j];
    ASSERT_NEAR(y[i], want, tol * 4) << "symv row " << i;
  }
  // trmv and trsv, both operations, unit and non-unit diagonals: trsv undoes trmv.
  for (CBLAS_TRANSPOSE op : {CblasNoTrans, CblasTrans}) {
    for (CBLAS_DIAG diag : {CblasNonUnit, CblasUnit}) {
      SCOPED_TRACE(std::string(op == CblasNoTrans ? "op none" : "op trans") + (diag == CblasUnit ? " unit" : ""));
      auto t = x;
      if constexpr (std::is_same_v<T, float>) {
        cblas_strmv(CblasColMajor, uplo, op, diag, n, a.data(), lda, t.data(), 1);
      } else {
        cblas_dtrmv(CblasColMajor, uplo, op, diag, n, a.data(), lda, t.data(), 1);
      }
      for (int i = 0; i < n; ++i) {
        double want = 0;
        for (int j = 0; j < n; ++j) {
          const int r = op == CblasNoTrans ? i : j, c = op == CblasNoTrans ? j : i;
          if (!stored(r, c)) continue;
          want += (r == c && diag == CblasUnit ? 1.0 : double(a[r + size_t(c) * lda])) * x[j];
        }
        ASSERT_NEAR(t[i], want, tol * 4) << "trmv row " << i;
      }
      if constexpr (std::is_same_v<T, float>) {
        cblas_strsv(CblasColMajor, uplo, op, diag, n, a.data(), lda, t.data(), 1);
      } else {
        cblas_dtrsv(CblasColMajor, uplo, op, diag, n, a.data(), lda, t.data(), 1);
      }
      for (int i = 0; i < n; ++i) ASSERT_NEAR(t[i], x[i], tol * 16) << "trsv row " << i;
    }
  }
  // syr and syr2: the stored triangle updated, the other still NaN.
  auto r1 = a, r2 = a;
  if constexpr (std::is_same_v<T, float>) {
    cblas_ssyr(CblasColMajor, uplo, n, 0.25f, x.data(), 1, r1.data(), lda);
    cblas_ssyr2(CblasColMajor, uplo, n, 0.25f, x.data(), 1, y0.data(), 1, r2.data(), lda);
  } else {
    cblas_dsyr(CblasColMajor, uplo, n, 0.25, x.data(), 1, r1.data(), lda);
    cblas_dsyr2(CblasColMajor, uplo, n, 0.25, x.data(), 1, y0.data(), 1, r2.data(), lda);
  }
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const size_t e = i + size_t(j) * lda;
      if (!stored(i, j)) {
        ASSERT_TRUE(std::isnan(r1[e]) && std::isnan(r2[e])) << "outside the triangle: " << i << ", " << j;
        continue;
      }
      ASSERT_NEAR(r1[e], a[e] + 0.25 * x[i] * x[j], tol) << "syr " << i << ", " << j;
      ASSERT_NEAR(r2[e], a[e] + 0.25 * (x[i] * y0[j] + y0[i] * x[j]), tol) << "syr2 " << i << ", " << j;
    }
  }
  // The packed form of the same triangle: spmv and tpmv agree with their dense forms.
  std::vector<T> ap;
  for (int j = 0; j < n; ++j) {
    for (int i = upper ? 0 : j; i <= (upper ? j : n - 1); ++i) ap.push_back(a[i + size_t(j) * lda]);
  }
  auto yp = y0, tp = x, td = x;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sspmv(CblasColMajor, uplo, n, 1.5f, ap.data(), x.data(), 1, -0.5f, yp.data(), 1);
    cblas_stpmv(CblasColMajor, uplo, CblasTrans, CblasNonUnit, n, ap.data(), tp.data(), 1);
    cblas_strmv(CblasColMajor, uplo, CblasTrans, CblasNonUnit, n, a.data(), lda, td.data(), 1);
  } else {
    cblas_dspmv(CblasColMajor, uplo, n, 1.5, ap.data(), x.data(), 1, -0.5, yp.data(), 1);
    cblas_dtpmv(CblasColMajor, uplo, CblasTrans, CblasNonUnit, n, ap.data(), tp.data(), 1);
    cblas_dtrmv(CblasColMajor, uplo, CblasTrans, CblasNonUnit, n, a.data(), lda, td.data(), 1);
  }
  for (int i = 0; i < n; ++i) {
    ASSERT_NEAR(yp[i], y[i], tol * 4) << "spmv row " << i;
    ASSERT_NEAR(tp[i], td[i], tol * 4) << "tpmv row " << i;
  }
}

TEST_F(BlasTest, SymmetricAndTriangularLevelTwoAgreeWithLoops) {
  for (int n : {1, 6, 37, 301}) {
    for (CBLAS_UPLO uplo : {CblasUpper, CblasLower}) {
      check_triangle_routines<float>(n, uplo);
      check_triangle_routines<double>(n, uplo);
    }
  }
  // Large enough for symv to split its column blocks across threads, on one thread and on two.
  const int before = armory_get_num_threads();
  for (int threads : {1, 2}) {
    armory_set_num_threads(threads);
    SCOPED_TRACE(threads);
    for (CBLAS_UPLO uplo : {CblasUpper, CblasLower}) check_triangle_routines<double>(701, uplo);
  }
  armory_set_num_threads(before);
}

// The gemv kernels load the elements before A's first cache-line boundary apart when the columns share
// their offset in a line: every start within a line, lda a whole number of lines or not, and
// columns shorter than that first step, against plain loops (the padding around A must stay untouched by
// gemv_n's y and unread by either).
template <class T>
void check_gemv_at_every_start(const armory::blas::VectorKernelsOf<T>& k, double tolerance) {
  const int64_t line = 64 / int64_t{sizeof(T)};
  for (int64_t lda_extra : {int64_t{0}, int64_t{3}}) {
    // 301 rows: several of gemv_n's row blocks (vector_kernels__avx512.cpp) after the rows before the boundary.
    for (int64_t m : {int64_t{1}, int64_t{3}, line - 1, 2 * line + 5, int64_t{97}, int64_t{301}}) {
      const int64_t cols = 9, lda = (m + line - 1) / line * line + lda_extra;
      for (int64_t start = 0; start < line; ++start) {
        auto storage = random_values<T>(size_t(start + lda * cols + line), 50 + uint32_t(m));
        const T* a = storage.data() + start;
        auto v = random_values<T>(size_t(std::max(m, cols)), 51);
        std::vector<T> out_n(m + 2, T(7)), out_t(cols, T(1)), out_t8(cols, T(1));
        k.gemv_n(m, cols, T(2), a, lda, v.data(), out_n.data() + 1);
        k.gemv_t(m, cols, T(2), a, lda, v.data(), out_t.data());
        k.gemv_t_eight_streams(m, cols, T(2), a, lda, v.data(), out_t8.data());
        ASSERT_EQ(out_t8, out_t) << "gemv_t_eight_streams m=" << m << " lda=" << lda << " start +" << start;
        ASSERT_EQ(out_n.front(), T(7));
        ASSERT_EQ(out_n.back(), T(7));
        for (int64_t i = 0; i < m; ++i) {
          double want = 7;
          for (int64_t j = 0; j < cols; ++j) want += 2.0 * a[i + j * lda] * v[j];
          ASSERT_NEAR(out_n[i + 1], want, tolerance * cols)
              << "gemv_n m=" << m << " lda=" << lda << " start +" << start;
        }
        for (int64_t j = 0; j < cols; ++j) {
          double want = 1;
          for (int64_t i = 0; i < m; ++i) want += 2.0 * a[i + j * lda] * v[i];
          ASSERT_NEAR(out_t[j], want, tolerance * m) << "gemv_t m=" << m << " lda=" << lda << " start +" << start;
        }
      }
    }
  }
}

// The same columns at every start within a line give the same bits: where A sits must not change the order
// of the sums (scipy's cossin returned other vectors for the same matrix from one call to the next when
// gemv_t summed the rows before A's first boundary as a step of their own). Columns of several lengths
// around the vector widths, four and eight at a time and a leftover one.
template <class T>
void check_gemv_results_do_not_depend_on_where_a_starts(const armory::blas::VectorKernelsOf<T>& k) {
  const int64_t line = 64 / int64_t{sizeof(T)};
  for (int64_t m : {int64_t{1}, int64_t{5}, line - 1, line + 3, 3 * line + 1, int64_t{200}, int64_t{517}}) {
    const int64_t cols = 13, lda = (m + line - 1) / line * line;
    const auto values = random_values<T>(size_t(lda * cols), 60 + uint32_t(m));
    const auto v = random_values<T>(size_t(std::max(m, cols)), 61);
    std::vector<T> first_t, first_t8, first_n;
    for (int64_t start = 0; start < line; ++start) {
      std::vector<T> storage(size_t(start + lda * cols + line));
      std::copy(values.begin(), values.end(), storage.begin() + start);
      const T* a = storage.data() + start;
      std::vector<T> out_t(cols, T(1)), out_t8(cols, T(1)), out_n(m, T(1));
      k.gemv_t(m, cols, T(2), a, lda, v.data(), out_t.data());
      k.gemv_t_eight_streams(m, cols, T(2), a, lda, v.data(), out_t8.data());
      k.gemv_n(m, cols, T(2), a, lda, v.data(), out_n.data());
      if (start == 0) {
        first_t = out_t;
        first_t8 = out_t8;
        first_n = out_n;
        continue;
      }
      for (int64_t j = 0; j < cols; ++j) {
        ASSERT_EQ(out_t[j], first_t[j]) << "gemv_t m=" << m << " column " << j << ": start +" << start;
        ASSERT_EQ(out_t8[j], first_t8[j]) << "gemv_t (8) m=" << m << " column " << j << ": start +" << start;
      }
      for (int64_t i = 0; i < m; ++i) {
        ASSERT_EQ(out_n[i], first_n[i]) << "gemv_n m=" << m << " row " << i << ": start +" << start;
      }
    }
  }
}

TEST_F(BlasTest, GemvResultsDoNotDependOnWhereAStarts) {
  for (const auto* table : runnable_vector_tables()) {
    SCOPED_TRACE(table->isa);
    check_gemv_results_do_not_depend_on_where_a_starts(table->f64);
    check_gemv_results_do_not_depend_on_where_a_starts(table->f32);
  }
}

// symv's four-column kernel starts its vector loop at the first aligned row when the columns share their
// offset in a vector: at every start within a line, its products must agree with loops and give the same
// bits as from the line's start (the dot products summed in row order whatever was peeled), for column
// lengths around the vector widths, lda a whole number of lines or not.
template <class T>
void check_symv_columns_at_every_start(const armory::blas::VectorKernelsOf<T>& k, double tolerance) {
  const int64_t line = 64 / int64_t{sizeof(T)};
  for (int64_t lda_extra : {int64_t{0}, int64_t{3}}) {
    for (int64_t m : {int64_t{1}, int64_t{5}, line - 1, line + 3, 3 * line + 1, int64_t{200}}) {
      const int64_t lda = (m + line - 1) / line * line + lda_extra;
      const auto values = random_values<T>(size_t(lda * 4), 90 + uint32_t(m));
      const auto xn = random_values<T>(4, 91), xt = random_values<T>(size_t(m), 92);
      std::vector<T> first_n, first_t;
      for (int64_t start = 0; start < line; ++start) {
        std::vector<T> storage(size_t(start + lda * 4 + line), std::numeric_limits<T>::quiet_NaN());
        std::copy(values.begin(), values.end(), storage.begin() + start);
        const T* a = storage.data() + start;
        std::vector<T> yn(size_t(m), T(1)), yt(4, T(2));
        k.symv_columns(m, T(1.5), a, lda, xn.data(), yn.data(), xt.data(), yt.data());
        const std::string where =
            "m=" + std::to_string(m) + " lda=" + std::to_string(lda) + " start +" + std::to_string(start);
        for (int64_t i = 0; i < m; ++i) {
          double want = 1;
          for (int c = 0; c < 4; ++c) want += 1.5 * a[i + c * lda] * xn[c];
          ASSERT_NEAR(yn[i], want, tolerance * 4) << "yn, " << where << " row " << i;
        }
        for (int c = 0; c < 4; ++c) {
          double want = 2;
          for (int64_t i = 0; i < m; ++i) want += 1.5 * a[i + c * lda] * xt[i];
          ASSERT_NEAR(yt[c], want, tolerance * m) << "yt, " << where << " column " << c;
        }
        if (start == 0) {
          first_n = yn;
          first_t = yt;
          continue;
        }
        ASSERT_EQ(yn, first_n) << where;
        ASSERT_EQ(yt, first_t) << where;
      }
    }
  }
}

TEST_F(BlasTest, SymvColumnsAgreeWithLoopsAndGiveTheSameBitsWhereverAStarts) {
  for (const auto* table : runnable_vector_tables()) {
    SCOPED_TRACE(table->isa);
    check_symv_columns_at_every_start(table->f64, 1e-13);
    check_symv_columns_at_every_start(table->f32, 1e-5);
  }
}

// gemv with A transposed splits the columns between threads; a column left over from a group of four was
// summed another way, so the result changed with the thread count (which a busy pool lowers). 5000 x 301:
// one thread leaves one column over, two leave two and three.
TEST_F(BlasTest, TransposedGemvGivesTheSameBitsOnOneThreadAndTwo) {
  const int m = 5000, n = 301;
  const auto a = random_values<float>(size_t(m) * n, 71);
  const auto x = random_values<float>(size_t(m), 72);
  const auto ad = random_values<double>(size_t(m) * n, 73);
  const auto xd = random_values<double>(size_t(m), 74);
  const int before = armory_get_num_threads();
  std::vector<float> y[2];
  std::vector<double> yd[2];
  for (int threads : {1, 2}) {
    armory_set_num_threads(threads);
    y[threads - 1].assign(n, 0.5f);
    yd[threads - 1].assign(n, 0.5);
    cblas_sgemv(CblasColMajor, CblasTrans, m, n, 1.5f, a.data(), m, x.data(), 1, 1.0f, y[threads - 1].data(), 1);
    cblas_dgemv(CblasColMajor, CblasTrans, m, n, 1.5, ad.data(), m, xd.data(), 1, 1.0, yd[threads - 1].data(), 1);
  }
  armory_set_num_threads(before);
  for (int j = 0; j < n; ++j) {
    ASSERT_EQ(y[0][j], y[1][j]) << "float column " << j;
    ASSERT_EQ(yd[0][j], yd[1][j]) << "double column " << j;
  }
}

TEST_F(BlasTest, GemvAgreesWithLoopsWhereverAStartsInACacheLine) {
  for (const auto* table : runnable_vector_tables()) {
    SCOPED_TRACE(table->isa);
    check_gemv_at_every_start(table->f64, 1e-13);
    check_gemv_at_every_start(table->f32, 1e-5);
  }
}

#if defined(__x86_64__)
// The narrow-stream table switches on size (dot: 512-bit loads while both vectors fit in 1 MiB, its own
// prefetches up to 8 MiB; gemv: its own prefetches beyond 8 MiB): each side of each switch, ragged, against
// plain loops.
template <class T>
void check_narrow_stream_kernels(const armory::blas::VectorKernelsOf<T>& k, double tolerance) {
  for (int64_t n :
       {int64_t{5000} + 3, (int64_t{1} << 20) / int64_t{sizeof(T)} + 5, (int64_t{8} << 20) / int64_t{sizeof(T)} + 5}) {
    expect_dot_matches_loop(k, n, 40, tolerance);
  }
  const int64_t beyond_l3 = (int64_t{8} << 20) / int64_t{sizeof(T)};
  for (int64_t m : {int64_t{301}, beyond_l3 / 1500 + 7}) expect_gemv_matches_loops(k, m, 1501, 42, tolerance);
}

TEST_F(BlasTest, NarrowStreamKernelsAgreeWithLoopsOnEitherSideOfTheirSizeSwitches) {
  const auto& cpu = armory::host_cpu();
  if (!cpu.features.has(armory::Feature::avx512f) || !cpu.features.has(armory::Feature::avx512vl)) {
    GTEST_SKIP() << "no AVX-512 here";
  }
  check_narrow_stream_kernels(armory::blas::kVectorKernelsAvx512NarrowStreams.f64, 1e-12);
  check_narrow_stream_kernels(armory::blas::kVectorKernelsAvx512NarrowStreams.f32, 1e-5);
}
#endif

// The SVD's bidiagonalization pass, on a matrix in the caches and on one beyond 16 MiB (read eight columns
// at a time), with one and two threads, against double loops: y = tau (A^T v - corr), s = r - y, and
// w = A[1:m, :] s. Each result within `tolerance` times the sum of its terms' magnitudes, which a single
// term dropped or counted twice exceeds.
template <class T>
void check_bidiagonal_products(int64_t m, int64_t n, double tolerance) {
  auto a = random_values<T>(size_t(m) * n, 60), v = random_values<T>(m, 61);
  auto corr = random_values<T>(n, 62), r = random_values<T>(n, 63);
  const T tau = T(0.75);
  std::vector<double> want_y(n), want_s(n), bound_s(n), want_w(m - 1, 0.0), bound_w(m - 1, 0.0);
  for (int64_t j = 0; j < n; ++j) {
    double dot = 0, magnitude = 0;
    for (int64_t i = 0; i < m; ++i) {
      dot += double(a[i + j * m]) * v[i];
      magnitude += std::abs(double(a[i + j * m]) * v[i]);
    }
    want_y[j] = double(tau) * (dot - corr[j]);
    want_s[j] = r[j] - want_y[j];
    bound_s[j] = tolerance * (double(tau) * (magnitude + std::abs(corr[j])) + std::abs(r[j]));
    for (int64_t i = 1; i < m; ++i) {
      want_w[i - 1] += double(a[i + j * m]) * want_s[j];
      bound_w[i - 1] += tolerance * std::abs(double(a[i + j * m])) * (std::abs(want_s[j]) + bound_s[j]);
    }
  }
  const int before = armory_get_num_threads();
  for (int threads : {1, 2}) {
    armory_set_num_threads(threads);
    std::vector<T> y(n), s(n), w(m - 1, T(99));
    armory::blas::vector_bidiagonal_products<T>(m, n, a.data(), m, v.data(), tau, corr.data(), r.data(), y.data(),
                                                s.data(), w.data());
    for (int64_t j = 0; j < n; ++j) {
      ASSERT_NEAR(y[j], want_y[j], bound_s[j]) << m << " x " << n << ", column " << j << ", " << threads << " threads";
      ASSERT_NEAR(s[j], want_s[j], bound_s[j]) << m << " x " << n << ", column " << j << ", " << threads << " threads";
    }
    for (int64_t i = 0; i + 1 < m; ++i) {
      ASSERT_NEAR(w[i], want_w[i], bound_w[i]) << m << " x " << n << ", row " << i + 1 << ", " << threads << " threads";
    }
  }
  armory_set_num_threads(before);
}

TEST_F(BlasTest, BidiagonalizationPassAgreesWithLoopsInCacheAndFromMemory) {
  check_bidiagonal_products<double>(301, 77, 1e-13);
  check_bidiagonal_products<float>(300, 203, 1e-5);
  check_bidiagonal_products<double>(1501, 1403, 1e-13);  // 16.8 MB
  check_bidiagonal_products<float>(4100, 1031, 1e-5);    // 16.9 MB
}

// The workspaces' table is a variant of the process's ISA, never a wider one: under an ARMORY_ISA override
// (the ISA matrix runs this test under each) the SVD's passes obey it too.
TEST_F(BlasTest, WorkspaceKernelsKeepTheProcessIsa) {
  EXPECT_STREQ(armory::blas::workspace_vector_kernels().isa, armory::blas::vector_kernels().isa);
}

// Large enough to be split across threads: one and two threads agree with a long double reference, and
// gemv matches loops in both orientations (rows split for A x, columns for A^T x).
TEST_F(BlasTest, ThreadedDotAxpyGemvAgreeWithLoops) {
  const int n = 1 << 18;
  auto x = random_values<double>(n, 20), y = random_values<double>(n, 21);
  long double want = 0;
  for (int i = 0; i < n; ++i) want += (long double)x[i] * y[i];
  const int before = armory_get_num_threads();
  for (int threads : {1, 2}) {
    armory_set_num_threads(threads);
    EXPECT_NEAR(cblas_ddot(n, x.data(), 1, y.data(), 1), double(want), 1e-9 * n) << threads << " threads";
    auto z = y;
    cblas_daxpy(n, 0.5, x.data(), 1, z.data(), 1);
    for (int i = 0; i < n; i += 997) ASSERT_DOUBLE_EQ(z[i], y[i] + 0.5 * x[i]);
    // The same vector as x and y: reference BLAS's loop stores y, then x.
    auto both = x;
    cblas_drot(n, both.data(), 1, both.data(), 1, 0.6, 0.8);
    for (int i = 0; i < n; i += 997) ASSERT_NEAR(both[i], 0.6 * x[i] + 0.8 * x[i], 1e-15) << threads << " threads";
    auto rx = x, ry = y;
    cblas_drot(n, rx.data(), 1, ry.data(), 1, 0.6, 0.8);
    for (int i = 0; i < n; ++i) {
      ASSERT_NEAR(rx[i], 0.6 * x[i] + 0.8 * y[i], 1e-15) << "drot x " << i << ", " << threads << " threads";
      ASSERT_NEAR(ry[i], 0.6 * y[i] - 0.8 * x[i], 1e-15) << "drot y " << i << ", " << threads << " threads";
    }

    const int m = 700, cols = 600;
    auto a = random_values<float>(size_t(m) * cols, 22), v = random_values<float>(std::max(m, cols), 23);
    std::vector<float> out_n(m, 1.0f), out_t(cols, 1.0f);
    cblas_sgemv(CblasColMajor, CblasNoTrans, m, cols, 2.0f, a.data(), m, v.data(), 1, 0.5f, out_n.data(), 1);
    cblas_sgemv(CblasColMajor, CblasTrans, m, cols, 2.0f, a.data(), m, v.data(), 1, 0.5f, out_t.data(), 1);
    for (int i = 0; i < m; ++i) {
      double sum = 0;
      for (int j = 0; j < cols; ++j) sum += double(a[i + size_t(j) * m]) * v[j];
      ASSERT_NEAR(out_n[i], 2.0 * sum + 0.5, 1e-3) << i;
    }
    for (int j = 0; j < cols; ++j) {
      double sum = 0;
      for (int i = 0; i < m; ++i) sum += double(a[i + size_t(j) * m]) * v[i];
      ASSERT_NEAR(out_t[j], 2.0 * sum + 0.5, 1e-3) << j;
    }
  }
  armory_set_num_threads(before);
}

}  // namespace
