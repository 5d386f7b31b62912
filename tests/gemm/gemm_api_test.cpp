// The public GEMM API: what users and the other components call. Runs once per ISA level (ctest sets
// ARMORY_ISA), so every dispatched path is exercised through the real entry points.
#include <armory/gemm.h>
#include <armory/isa.h>
#include <armory/memory.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "gemm/kernel_table.h"
#include "gemm/thread_pool.h"
#include "gemm/triangle.h"
#include "gemm_reference.h"
#include "isa_level_test.h"

namespace armory {
namespace {

using testing::random_matrix;
using testing::reference_gemm;

class GemmApi : public IsaLevelTest {
 protected:
  void SetUp() override {
    IsaLevelTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(set_num_threads(2).ok());
  }
};

template <class T>
void expect_close(const std::vector<T>& got, const testing::Reference& ref, int64_t k, double eps, const char* what) {
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double tol = 2.0 * (static_cast<double>(k) + 2.0) * eps * ref.scale[i] + 1e-300;
    if (!(std::fabs(static_cast<double>(got[i]) - ref.value[i]) <= tol) && reported++ < 3) {
      ADD_FAILURE() << what << ": element " << i << " = " << got[i] << ", want " << ref.value[i];
    }
  }
}

// The kernel named in the summary for `operation` ("gemm f32"), looked up in its table.
template <class Table>
const typename Table::value_type* dispatched_row(const Table& table, const std::string& summary,
                                                 const std::string& operation) {
  size_t at = summary.find(operation + ": ");
  if (at == std::string::npos) return nullptr;
  std::string rest = summary.substr(at + operation.size() + 2);
  std::string name = rest.substr(0, rest.find(' '));
  for (const auto& row : table) {
    if (row.id.name == name) return &row;
  }
  return nullptr;
}

// Under ARMORY_ISA=X every dispatched kernel stays within X, and where the table has a kernel of level X
// compiled in, that is the one chosen.
template <class Table>
void expect_dispatch_within_cap(const Table& table, const std::string& operation) {
  const IsaPolicy& policy = host_isa_policy().value();
  std::string summary = gemm_dispatch_summary();
  const auto* row = dispatched_row(table, summary, operation);
  ASSERT_NE(row, nullptr) << summary;
  EXPECT_TRUE(policy.allowed.contains(isa_required_features(row->id.isa)))
      << operation << " uses " << row->id.name << " above the cap " << isa_name(policy.cap);
  bool cap_level_available = false;
  for (const auto& r : table) {
    cap_level_available |= r.id.compiled && r.id.isa == policy.cap;
  }
  if (cap_level_available) {
    EXPECT_EQ(row->id.isa, policy.cap) << operation << ": " << summary;
  }
}

TEST_F(GemmApi, DispatchFollowsTheIsaCap) {
  expect_dispatch_within_cap(gemm_engine::f32_kernels(), "gemm f32");
  expect_dispatch_within_cap(gemm_engine::f64_kernels(), "gemm f64");
  expect_dispatch_within_cap(gemm_engine::bf16_kernels(), "gemm bf16");
}

TEST_F(GemmApi, F32AndF64MatchTheReference) {
  std::mt19937 rng(7);
  const int64_t m = 157, n = 203, k = 311;
  auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng), c = random_matrix<float>(m * n, rng);
  auto ref = reference_gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.25, a.data(), k, b.data(), n, -0.5,
                            c.data(), n);
  ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.25f, a.data(), k, b.data(), n, -0.5f, c.data(), n).ok());
  expect_close(c, ref, k, 0x1p-24, "f32");

  auto ad = random_matrix<double>(m * k, rng), bd = random_matrix<double>(k * n, rng), cd = random_matrix<double>(m * n, rng);
  auto refd = reference_gemm(Layout::col_major, Trans::yes, Trans::no, m, n, k, 0.75, ad.data(), k, bd.data(), k, 2.0,
                             cd.data(), m);
  ASSERT_TRUE(gemm(Layout::col_major, Trans::yes, Trans::no, m, n, k, 0.75, ad.data(), k, bd.data(), k, 2.0, cd.data(), m).ok());
  std::vector<double> cd_row_major(m * n);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) cd_row_major[i * n + j] = cd[j * m + i];
  }
  expect_close(cd_row_major, refd, k, 0x1p-53, "f64");
}

// A transposed B is packed in chunks of depth, four columns by two depths at a time: a depth that is no
// multiple of the chunk (64) over several of them, the last chunk odd, and a last panel narrower than the
// kernel's and no multiple of four, against the reference, in both precisions.
TEST_F(GemmApi, TransposedBPackedInDepthChunksMatchesTheReference) {
  std::mt19937 rng(11);
  const int64_t m = 150, n = 53, k = 301;
  auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(n * k, rng), c = random_matrix<float>(m * n, rng);
  auto ref = reference_gemm(Layout::row_major, Trans::no, Trans::yes, m, n, k, 1.0, a.data(), k, b.data(), k, 0.0,
                            c.data(), n);
  ASSERT_TRUE(
      gemm(Layout::row_major, Trans::no, Trans::yes, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f, c.data(), n).ok());
  expect_close(c, ref, k, 0x1p-24, "f32");

  auto ad = random_matrix<double>(m * k, rng), bd = random_matrix<double>(n * k, rng),
       cd = random_matrix<double>(m * n, rng);
  auto refd = reference_gemm(Layout::row_major, Trans::no, Trans::yes, m, n, k, -0.5, ad.data(), k, bd.data(), k, 1.5,
                             cd.data(), n);
  ASSERT_TRUE(
      gemm(Layout::row_major, Trans::no, Trans::yes, m, n, k, -0.5, ad.data(), k, bd.data(), k, 1.5, cd.data(), n)
          .ok());
  expect_close(cd, refd, k, 0x1p-53, "f64");
}

TEST_F(GemmApi, Bf16FastMathRoundsInputsAndAccumulatesInF32) {
  std::mt19937 rng(8);
  const int64_t m = 70, n = 90, k = 257;
  auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng);
  std::vector<float> c(m * n, 0.0f);
  auto ref = reference_gemm(Layout::row_major, Trans::no, Trans::yes, m, n, k, 1.0, a.data(), k, b.data(), k, 0.0,
                            c.data(), n, /*round_to_bf16=*/true);
  GemmOptions options;
  options.fpmath = FpMath::bf16;
  ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::yes, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f, c.data(), n,
                   options).ok());
  expect_close(c, ref, k, 0x1p-24, "fpmath=bf16");

  // The strict result differs from the bf16 one by about bf16's precision, so the mode really changed.
  std::vector<float> strict(m * n, 0.0f);
  ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::yes, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f,
                   strict.data(), n).ok());
  double max_diff = 0;
  for (size_t i = 0; i < c.size(); ++i) max_diff = std::max(max_diff, std::fabs(double(c[i]) - strict[i]));
  EXPECT_GT(max_diff, 1e-5);
  EXPECT_LT(max_diff, 0.5);

  std::vector<bf16_t> a16(a.size()), b16(b.size());
  for (size_t i = 0; i < a.size(); ++i) a16[i] = float_to_bf16(a[i]);
  for (size_t i = 0; i < b.size(); ++i) b16[i] = float_to_bf16(b[i]);
  std::vector<float> c16(m * n, 0.0f);
  ASSERT_TRUE(gemm_bf16(Layout::row_major, Trans::no, Trans::yes, m, n, k, 1.0f, a16.data(), k, b16.data(), k, 0.0f,
                        c16.data(), n).ok());
  EXPECT_EQ(c16, c) << "bf16 inputs and fp32 inputs rounded to bf16 must give the same result";
}

TEST_F(GemmApi, Bf16RoundsToNearestEven) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bf16(bf16_to_float(0x3f80) + 0x1p-8f), 0x3f80);  // tie: down to even
  EXPECT_EQ(float_to_bf16(bf16_to_float(0x3f81) + 0x1p-8f), 0x3f82);  // tie: up to even
  EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f + 0x1p-12f), 0x3f81);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(float_to_bf16(3.4e38f), 0x7f80) << "rounds up to infinity past bf16's largest finite value";
}

TEST_F(GemmApi, BetaZeroNeverReadsCAndAlphaZeroNeverReadsAB) {
  const int64_t m = 33, n = 47, k = 19;
  std::mt19937 rng(9);
  auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng);
  std::vector<float> c(m * n, std::numeric_limits<float>::quiet_NaN());
  ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, c.data(), n).ok());
  for (float x : c) ASSERT_FALSE(std::isnan(x));

  std::vector<float> nan_a(m * k, std::numeric_limits<float>::quiet_NaN());
  std::vector<float> c2(m * n, 2.0f);
  ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 0.0f, nan_a.data(), k, b.data(), n, 0.5f,
                   c2.data(), n).ok());
  for (float x : c2) ASSERT_EQ(x, 1.0f);

  std::vector<double> c3(m * n, 4.0);
  ASSERT_TRUE(gemm(Layout::col_major, Trans::no, Trans::no, m, n, 0, 1.0, nullptr, m, nullptr, 1, 0.25, c3.data(), m).ok());
  for (double x : c3) ASSERT_EQ(x, 1.0);
}

TEST_F(GemmApi, EmptyProblemsAreNoOps) {
  float c = 5.0f;
  EXPECT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, 0, 0, 0, 1.0f, nullptr, 1, nullptr, 1, 0.0f, nullptr, 1).ok());
  EXPECT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, 0, 4, 3, 1.0f, nullptr, 3, nullptr, 4, 0.0f, nullptr, 4).ok());
  EXPECT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, 1, 1, 0, 1.0f, nullptr, 1, nullptr, 1, 1.0f, &c, 1).ok());
  EXPECT_EQ(c, 5.0f);
}

TEST_F(GemmApi, BadArgumentsAreClearErrors) {
  float x[16] = {};
  auto check = [](Status s, const char* needle) {
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.code(), Errc::invalid_argument);
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
  };
  check(gemm(Layout::row_major, Trans::no, Trans::no, -1, 2, 2, 1.0f, x, 2, x, 2, 0.0f, x, 2), "m = -1");
  check(gemm(Layout::row_major, Trans::no, Trans::no, 4, 2, 3, 1.0f, x, 2, x, 2, 0.0f, x, 2), "lda = 2 is too small");
  check(gemm(Layout::col_major, Trans::no, Trans::no, 4, 2, 3, 1.0f, x, 4, x, 2, 0.0f, x, 4), "ldb = 2 is too small");
  check(gemm(Layout::row_major, Trans::no, Trans::no, 2, 4, 2, 1.0f, x, 2, x, 4, 0.0f, x, 3), "ldc = 3");
  check(gemm(Layout::row_major, Trans::no, Trans::no, 2, 2, 2, 1.0f, nullptr, 2, x, 2, 0.0f, x, 2), "a is null");
  EXPECT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, 2, 2, 2, 0.0f, nullptr, 2, nullptr, 2, 0.0f, x, 2).ok())
      << "alpha = 0 reads neither A nor B";
  check(gemm(Layout::row_major, Trans::no, Trans::no, 2, 2, 2, 1.0f, x, 2, x, 2, 0.0f, nullptr, 2), "c is null");
  check(set_num_threads(0), "threads must be >= 1");
  auto packed = pack_b(Layout::row_major, Trans::no, 3, -1, x, 1);
  ASSERT_FALSE(packed.ok());
  EXPECT_NE(packed.status().message().find("n = -1"), std::string::npos);
}

// A thread count beyond the CPUs this process may run on is capped there (as OpenBLAS does): asked for a million, the
// pool once started a worker per 2 MFLOP of the product (8589 threads at n = 2048, 8 s for a 0.1 s product).
TEST_F(GemmApi, ThreadCountsAreCappedAtTheCpus) {
  const int before = get_num_threads();
  ASSERT_TRUE(set_num_threads(1 << 20).ok());
  EXPECT_EQ(get_num_threads(), cpu_thread_limit());
  const int64_t n = 256;
  std::vector<float> a(n * n, 1.0f), b(n * n, 0.5f), c(n * n, 0.0f);
  ASSERT_TRUE(
      gemm(Layout::row_major, Trans::no, Trans::no, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n).ok());
  EXPECT_EQ(c[0], 128.0f);
  ASSERT_TRUE(set_num_threads(before).ok());
}

constexpr float kNoBound = std::numeric_limits<float>::infinity();

TEST_F(GemmApi, ANanUpperBoundIsAnError) {
  std::vector<float> a(4, 1.0f), b(4, 1.0f), c(4, 0.0f);
  GemmOptions options;
  options.epilogue.upper = std::numeric_limits<float>::quiet_NaN();
  Status s = gemm(Layout::row_major, Trans::no, Trans::no, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2,
                  options);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("upper bound is NaN"), std::string::npos) << s.message();
  auto packed = pack_b(Layout::row_major, Trans::no, 2, 2, b.data(), 2);
  ASSERT_TRUE(packed.ok());
  EXPECT_FALSE(gemm_packed(Trans::no, 2, 1.0f, a.data(), 2, packed.value(), 0.0f, c.data(), 2, options.epilogue).ok());
}

TEST_F(GemmApi, EpilogueAddsBiasAndClampsInBothLayouts) {
  const int64_t m = 29, n = 45, k = 23;
  std::mt19937 rng(10);
  auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng), bias = random_matrix<float>(n, rng);
  for (auto [layout, upper] : {std::pair{Layout::row_major, kNoBound}, std::pair{Layout::col_major, kNoBound},
                               std::pair{Layout::row_major, 0.75f}, std::pair{Layout::col_major, 0.75f}}) {
    int64_t lda = layout == Layout::row_major ? k : m, ldb = layout == Layout::row_major ? n : k;
    int64_t ldc = layout == Layout::row_major ? n : m;
    std::vector<float> c(m * n, 0.0f);
    auto ref = reference_gemm(layout, Trans::no, Trans::no, m, n, k, 1.0, a.data(), lda, b.data(), ldb, 0.0, c.data(), ldc);
    GemmOptions options;
    options.epilogue = {bias.data(), true, upper};
    ASSERT_TRUE(gemm(layout, Trans::no, Trans::no, m, n, k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), ldc,
                     options).ok());
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double want = std::min(double(upper), std::max(0.0, ref.value[i * n + j] + bias[j]));
        float got = layout == Layout::row_major ? c[i * ldc + j] : c[j * ldc + i];
        ASSERT_NEAR(got, want, 1e-4) << (layout == Layout::row_major ? "row" : "col") << " i=" << i << " j=" << j;
      }
    }
  }
}

// fp32 with B prepacked: full tiles of an A read in place finish the epilogue in registers (the AVX-512
// kernel's fused variant), the edges and other kernels after the tile; alpha/beta/ReLU/upper bound
// combinations against a double reference, on a shape with both (m and n not multiples of the tile).
TEST_F(GemmApi, PrepackedFloat32EpilogueMatchesTheReference) {
  const int64_t m = 97, n = 130, k = 300;
  std::mt19937 rng(17);
  auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng);
  auto bias = random_matrix<float>(n, rng), prior = random_matrix<float>(m * n, rng);
  auto packed = pack_b(Layout::row_major, Trans::no, k, n, b.data(), n);
  ASSERT_TRUE(packed.ok()) << packed.status().message();
  for (auto [alpha, beta, relu, with_bias, upper] :
       {std::tuple{1.0f, 0.0f, true, true, kNoBound}, std::tuple{0.5f, 1.0f, true, true, kNoBound},
        std::tuple{1.0f, 1.0f, false, true, kNoBound}, std::tuple{2.0f, -0.5f, true, false, kNoBound},
        std::tuple{1.0f, 0.0f, false, false, kNoBound}, std::tuple{1.0f, 0.0f, true, true, 6.0f},
        std::tuple{0.5f, 1.0f, false, true, 0.25f}, std::tuple{1.0f, 0.0f, false, false, -1.0f}}) {
    std::vector<float> c = prior;
    ASSERT_TRUE(gemm_packed(Trans::no, m, alpha, a.data(), k, packed.value(), beta, c.data(), n,
                            Epilogue{with_bias ? bias.data() : nullptr, relu, upper})
                    .ok());
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0, scale = 0;
        for (int64_t p = 0; p < k; ++p) {
          sum += double(a[i * k + p]) * b[p * n + j];
          scale += std::fabs(double(a[i * k + p]) * b[p * n + j]);
        }
        double want = alpha * sum + beta * double(prior[i * n + j]) + (with_bias ? bias[j] : 0.0);
        if (relu) want = std::max(0.0, want);
        want = std::min(double(upper), want);
        ASSERT_NEAR(c[i * n + j], want, 4.0 * k * 0x1p-24 * (std::fabs(alpha) * scale + 4))
            << "alpha=" << alpha << " beta=" << beta << " relu=" << relu << " bias=" << with_bias << " upper=" << upper
            << " i=" << i << " j=" << j;
      }
    }
  }
}

TEST_F(GemmApi, PrepackedBGivesTheSameBits) {
  // Shapes the plain call packs too (B larger than the driver reads in place, several depth blocks), so
  // both run the same blocking; when the plain call reads B in place it may round differently. BF16
  // weights up to 4608 deep are packed as one depth block (one running sum, where the plain call sums
  // block by block), so the BF16 case is deeper than that.
  const int64_t m = 97, n = 130;
  std::mt19937 rng(11);
  for (auto [fpmath, k] : {std::pair{FpMath::strict, int64_t{1097}}, std::pair{FpMath::bf16, int64_t{4700}}}) {
    auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng);
    auto bias = random_matrix<float>(n, rng);
    for (Layout layout : {Layout::row_major, Layout::col_major}) {
      // The same op(B) (k x n) stored either way.
      std::vector<float> stored(k * n);
      for (int64_t p = 0; p < k; ++p) {
        for (int64_t j = 0; j < n; ++j) stored[layout == Layout::row_major ? p * n + j : j * k + p] = b[p * n + j];
      }
      int64_t ldb = layout == Layout::row_major ? n : k;
      auto packed = pack_b(layout, Trans::no, k, n, stored.data(), ldb, fpmath);
      ASSERT_TRUE(packed.ok()) << packed.status().message();
      EXPECT_GE(packed->bytes(), size_t(k * n) * (fpmath == FpMath::bf16 ? 2 : 4));
      std::vector<float> direct(m * n, 1.0f), reused(m * n, 1.0f);
      GemmOptions options;
      options.fpmath = fpmath;
      options.epilogue = {bias.data(), true};
      ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 1.0f,
                       direct.data(), n, options).ok());
      for (int repeat = 0; repeat < 2; ++repeat) {
        std::fill(reused.begin(), reused.end(), 1.0f);
        ASSERT_TRUE(gemm_packed(Trans::no, m, 1.0f, a.data(), k, packed.value(), 1.0f, reused.data(), n,
                                options.epilogue).ok());
        EXPECT_EQ(reused, direct);
      }
    }
  }
}

// Small products take an unpacked path in gemm(); with B prepacked there is no B to read in place, so
// gemm_packed must take the packed path at every size (m = 1 convolutions and k = 1 layers included).
TEST_F(GemmApi, PrepackedBAtSmallSizes) {
  std::mt19937 rng(13);
  for (int64_t m : {1, 2, 5, 13, 25}) {
    for (int64_t n : {1, 3, 17, 40}) {
      for (int64_t k : {1, 9, 33}) {
        auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng);
        auto packed = pack_b(Layout::row_major, Trans::no, k, n, b.data(), n);
        ASSERT_TRUE(packed.ok()) << packed.status().message();
        std::vector<float> got(m * n, 0.0f);
        ASSERT_TRUE(gemm_packed(Trans::no, m, 1.0f, a.data(), k, packed.value(), 0.0f, got.data(), n).ok());
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            double want = 0;
            for (int64_t p = 0; p < k; ++p) want += double(a[i * k + p]) * b[p * n + j];
            ASSERT_NEAR(got[i * n + j], want, 1e-5 * k) << "m=" << m << " n=" << n << " k=" << k;
          }
        }
      }
    }
  }
}

// The product of m rows of A and packed (alpha = 1, beta and the epilogue as given), in calls of `group` rows.
template <class In, class Out>
std::vector<Out> product_in_groups(int64_t m, int64_t group, const In* a, int64_t k, const PackedMatrix& packed,
                                   float beta, std::vector<Out> c, const Epilogue& epilogue) {
  const int64_t n = packed.n();
  for (int64_t r = 0; r < m; r += group) {
    EXPECT_TRUE(
        gemm_packed(Trans::no, std::min(group, m - r), 1.0f, a + r * k, k, packed, beta, c.data() + r * n, n, epilogue)
            .ok());
  }
  return c;
}

// A row of C computed with prepacked B has the same bits whatever rows are computed with it: a full tile, the
// last rows of C, a call of one row. An inference engine relies on it for an image's result not to depend
// on its batch. float32, BF16 fast math on float32 A, and bf16 A with float32 and bf16 C; depths within
// one block and (float32) across two.
TEST_F(GemmApi, PrepackedRowsDoNotDependOnTheRowsBesideThem) {
  std::mt19937 rng(17);
  const int64_t m = 29, n = 70;
  for (int64_t k : {40, 300, 1100}) {
    auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng);
    auto bias = random_matrix<float>(n, rng), prior = random_matrix<float>(m * n, rng);
    std::vector<bf16_t> a16(m * k), prior16(m * n);
    for (size_t i = 0; i < a16.size(); ++i) a16[i] = float_to_bf16(a[i]);
    for (size_t i = 0; i < prior16.size(); ++i) prior16[i] = float_to_bf16(prior[i]);
    const Epilogue epilogue{bias.data(), true};
    for (FpMath fpmath : {FpMath::strict, FpMath::bf16}) {
      auto packed = pack_b(Layout::row_major, Trans::no, k, n, b.data(), n, fpmath);
      ASSERT_TRUE(packed.ok()) << packed.status().message();
      const PackedMatrix& w = packed.value();
      for (int64_t group : {int64_t{1}, int64_t{5}}) {
        for (float beta : {0.0f, 1.0f}) {
          const std::string what = "k=" + std::to_string(k) + " rows by " + std::to_string(group) +
                                   " beta=" + std::to_string(beta) + (fpmath == FpMath::bf16 ? " bf16" : " float32");
          EXPECT_EQ(product_in_groups(m, group, a.data(), k, w, beta, prior, epilogue),
                    product_in_groups(m, m, a.data(), k, w, beta, prior, epilogue))
              << "float32 A, " << what;
          if (fpmath == FpMath::strict) continue;
          EXPECT_EQ(product_in_groups(m, group, a16.data(), k, w, beta, prior, epilogue),
                    product_in_groups(m, m, a16.data(), k, w, beta, prior, epilogue))
              << "bf16 A, float32 C, " << what;
          EXPECT_EQ(product_in_groups(m, group, a16.data(), k, w, beta, prior16, epilogue),
                    product_in_groups(m, m, a16.data(), k, w, beta, prior16, epilogue))
              << "bf16 A, bf16 C, " << what;
        }
      }
    }
  }
}

// BF16 activations: C stored in bf16 with the epilogue and a bf16 residual (beta), against a double
// reference on the same bf16 inputs. Sizes cover partial tiles, one depth block (packed weights are one block
// up to k = 4608) and several (k = 5000, where partial sums stay fp32), and alpha = 0.
TEST_F(GemmApi, Bf16OutputRoundsOnceAfterEpilogueAndResidual) {
  std::mt19937 rng(21);
  struct Shape {
    int64_t m, n, k;
  };
  for (Shape shape : {Shape{1, 5, 1}, Shape{13, 64, 9}, Shape{97, 130, 300}, Shape{13, 130, 2500}, Shape{97, 5, 2500},
                      Shape{13, 40, 5000}}) {
    const auto [m, n, k] = shape;
    auto af = random_matrix<float>(m * k, rng), bf = random_matrix<float>(k * n, rng);
    auto bias = random_matrix<float>(n, rng), prior_f = random_matrix<float>(m * n, rng);
    std::vector<bf16_t> a(m * k), prior(m * n);
    for (size_t i = 0; i < a.size(); ++i) a[i] = float_to_bf16(af[i]);
    for (size_t i = 0; i < prior.size(); ++i) prior[i] = float_to_bf16(prior_f[i]);
    // The exact products of the bf16 inputs (B rounded as packing rounds it), and their magnitudes.
    std::vector<double> sum(m * n, 0.0), scale(m * n, 0.0);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t p = 0; p < k; ++p) {
        const double x = bf16_to_float(a[i * k + p]);
        for (int64_t j = 0; j < n; ++j) {
          const double term = x * bf16_to_float(float_to_bf16(bf[p * n + j]));
          sum[i * n + j] += term;
          scale[i * n + j] += std::fabs(term);
        }
      }
    }
    auto packed = pack_b(Layout::row_major, Trans::no, k, n, bf.data(), n, FpMath::bf16);
    ASSERT_TRUE(packed.ok()) << packed.status().message();
    for (auto [alpha, beta, relu, upper] :
         {std::tuple{1.0f, 0.0f, true, kNoBound}, std::tuple{0.5f, 1.0f, true, kNoBound},
          std::tuple{1.0f, 1.0f, false, kNoBound}, std::tuple{0.0f, 2.0f, true, kNoBound},
          std::tuple{1.0f, 0.0f, true, 0.3f}}) {
      std::vector<bf16_t> c = prior;
      ASSERT_TRUE(gemm_packed(Trans::no, m, alpha, a.data(), k, packed.value(), beta, c.data(), n,
                              Epilogue{bias.data(), relu, upper})
                      .ok());
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double want = alpha * sum[i * n + j] + bias[j] + beta * double(bf16_to_float(prior[i * n + j]));
          if (relu) want = std::max(0.0, want);
          // The bound as bf16 rounds it (0.3 is not a bf16 value): clamping then rounding gives that.
          want = std::min(double(bf16_to_float(float_to_bf16(upper))), want);
          double tol = 0x1p-8 * std::fabs(want) + 2.0 * (k + 4) * 0x1p-24 * (alpha * scale[i * n + j] + std::fabs(bias[j]) + 2);
          ASSERT_NEAR(bf16_to_float(c[i * n + j]), want, tol)
              << "m=" << m << " n=" << n << " k=" << k << " alpha=" << alpha << " beta=" << beta << " i=" << i
              << " j=" << j;
        }
      }
    }
  }
}

// A bf16 C larger than L2 that beta = 0 overwrites is stored with non-temporal writes where its rows are
// 64-byte aligned (driver.h): the same bits as ordinary stores (C one element off its alignment), never
// reading the NaN C it overwrites, and the epilogue's values.
TEST_F(GemmApi, Bf16OutputLargerThanL2IsTheSameStreamed) {
  std::mt19937 rng(23);
  const int64_t m = 3072, n = 384, k = 8;
  auto af = random_matrix<float>(m * k, rng), bf = random_matrix<float>(k * n, rng),
       bias = random_matrix<float>(n, rng);
  std::vector<bf16_t> a(m * k);
  for (size_t i = 0; i < a.size(); ++i) a[i] = float_to_bf16(af[i]);
  auto packed = pack_b(Layout::row_major, Trans::no, k, n, bf.data(), n, FpMath::bf16);
  ASSERT_TRUE(packed.ok()) << packed.status().message();
  const bf16_t nan = 0x7fc0;
  // 64-byte aligned storage; `shifted` starts one element in, so no tile of it can be streamed.
  std::shared_ptr<void> storage = allocate_array(m * n * sizeof(bf16_t));
  ASSERT_NE(storage, nullptr);
  bf16_t* aligned = static_cast<bf16_t*>(storage.get());
  std::vector<bf16_t> shifted_storage(m * n + 1, nan);
  bf16_t* shifted = shifted_storage.data() + 1;
  std::fill(aligned, aligned + m * n, nan);
  for (bf16_t* c : {aligned, shifted}) {
    ASSERT_TRUE(
        gemm_packed(Trans::no, m, 1.0f, a.data(), k, packed.value(), 0.0f, c, n, Epilogue{bias.data(), true}).ok());
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      ASSERT_EQ(aligned[i * n + j], shifted[i * n + j]) << "i=" << i << " j=" << j;
      double want = bias[j];
      for (int64_t p = 0; p < k; ++p) {
        want += double(bf16_to_float(a[i * k + p])) * bf16_to_float(float_to_bf16(bf[p * n + j]));
      }
      want = std::max(0.0, want);
      ASSERT_NEAR(bf16_to_float(aligned[i * n + j]), want, 0x1p-8 * std::fabs(want) + 1e-5) << "i=" << i << " j=" << j;
    }
  }
}

TEST_F(GemmApi, Bf16OutputNeedsBf16PackedB) {
  std::vector<float> b(8 * 4, 1.0f);
  std::vector<bf16_t> a(2 * 8, 0), c(2 * 4, 0);
  auto packed = pack_b(Layout::row_major, Trans::no, 8, 4, b.data(), 4);
  ASSERT_TRUE(packed.ok());
  Status s = gemm_packed(Trans::no, 2, 1.0f, a.data(), 8, packed.value(), 0.0f, c.data(), 4);
  EXPECT_EQ(s.code(), Errc::invalid_argument);
  EXPECT_NE(s.message().find("FpMath::bf16"), std::string::npos) << s.message();
  auto packed16 = pack_b(Layout::row_major, Trans::no, 8, 4, b.data(), 4, FpMath::bf16);
  ASSERT_TRUE(packed16.ok());
  s = gemm_packed(Trans::no, 2, 1.0f, a.data(), 8, packed16.value(), 0.0f, c.data(), 3);
  EXPECT_EQ(s.code(), Errc::invalid_argument) << "ldc below n";
}

TEST_F(GemmApi, ThreadedResultsEqualSingleThreaded) {
  // Each split through the API's own plans, with the pool at 3 threads on 2 CPUs too. float32 1100 x 100:
  // threads split the rows, each with its own copy of the (small) packed B; 403 x 377: B not much smaller
  // than A, threads split the columns and each packs its own panels (B's panels packed together and shared,
  // and several column blocks, take larger products at the tuned blocking: the kernel test
  // WorkSplitsGiveTheBitsOfOneThread reaches them at a small one). The column-major float64 product is the
  // row-major n x m one, of its own depth: split by columns (rows at 377 x 49), over two depth blocks (kc + 76
  // deep, whatever the kernel's kc: two blocks of half that, no more depth, for the test's time under
  // emulation). 49 x 377: B read in place, threads split its columns. 97 x 120: B read in place; with
  // AVX-512's 12-row tiles, 97 rows spread over 9 row panels of at most 11, split by rows between 2 threads
  // (under BF16 fast math each rounds only its own rows of A) and by columns between 3. The float32 depth
  // (300) decides none of these but that B read in place takes two depth blocks of at most 256; the rest is
  // the test's time under emulation.
  const auto& plan64 = gemm_engine::f64_plan();
  ASSERT_TRUE(plan64.ok()) << plan64.status().message();
  const int64_t k = 300, k_d = plan64->blocking.kc + 76;
  GemmOptions fast;
  fast.fpmath = FpMath::bf16;
  for (auto [m, n] : {std::pair<int64_t, int64_t>{1100, 100}, {403, 377}, {49, 377}, {97, 120}}) {
    std::mt19937 rng(12);
    auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng), c0 = random_matrix<float>(m * n, rng);
    auto ad = random_matrix<double>(m * k_d, rng), bd = random_matrix<double>(k_d * n, rng);
    std::vector<float> single, single_t, single_fast;
    std::vector<double> single_d;
    for (int threads : {1, 2, 3}) {
      // The pool itself: set_num_threads caps at the CPUs, and 3 threads must split alike on 2.
      ThreadPool::global().set_max_threads(threads);
      EXPECT_EQ(get_num_threads(), threads);
      std::vector<float> c = c0, ct = c0, cf = c0;
      ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.5f, c.data(), n).ok());
      ASSERT_TRUE(
          gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.5f, cf.data(), n, fast)
              .ok());
      ASSERT_TRUE(gemm(Layout::row_major, Trans::yes, Trans::no, m, n, k, 1.0f, a.data(), m, b.data(), n, 0.5f, ct.data(), n).ok());
      std::vector<double> cd(m * n, 0.0);
      ASSERT_TRUE(
          gemm(Layout::col_major, Trans::no, Trans::no, m, n, k_d, 1.0, ad.data(), m, bd.data(), k_d, 0.0, cd.data(), m).ok());
      if (threads == 1) {
        single = c;
        single_t = ct;
        single_d = cd;
        single_fast = cf;
      } else {
        EXPECT_EQ(cf, single_fast) << threads << " threads, " << m << " x " << n << ", BF16 fast math";
        EXPECT_EQ(c, single) << threads << " threads, " << m << " x " << n;
        EXPECT_EQ(ct, single_t) << threads << " threads, " << m << " x " << n << ", A transposed";
        EXPECT_EQ(cd, single_d) << threads << " threads, " << m << " x " << n << ", column-major";
      }
    }
  }
}

// gemm_triangle (syrk's engine) against the reference on its triangle, C's other triangle untouched, with 1,
// 2 and 3 threads giving the same bits. Shapes: a single element; 60 x 60 of depth 600 (over depth blocks
// at AVX2's f64 kc of 512; threads split the rows with AVX2's 16-column f32 tiles, their shares balanced for
// a triangle, and B's panels with the others); 101 x 101 (B's panels split; tiles crossing the diagonal at
// every offset).
template <class T>
void check_triangle_products(double eps) {
  const T outside = T(12345), poison = std::numeric_limits<T>::quiet_NaN();
  for (auto [n, k] : {std::pair<int64_t, int64_t>{1, 3}, {60, 600}, {101, 97}}) {
    for (Triangle uplo : {Triangle::lower, Triangle::upper}) {
      // beta = 0 (over NaN) with half the transposes (the test's time under emulation).
      for (auto [ta, tb, beta] : {std::tuple{Trans::no, Trans::yes, -0.5},
                                  {Trans::yes, Trans::no, 0.0},
                                  {Trans::no, Trans::no, 0.0},
                                  {Trans::yes, Trans::yes, -0.5}}) {
        std::mt19937 rng(static_cast<unsigned>(n + k));
        const int64_t ld = n + 3;  // A, B and C: larger than needed
        const int64_t lda = ta == Trans::no ? ld : k + 3, ldb = tb == Trans::no ? k + 3 : ld;
        auto a = testing::random_matrix<T>(static_cast<size_t>(lda * std::max(n, k)), rng);
        auto b = testing::random_matrix<T>(static_cast<size_t>(ldb * std::max(n, k)), rng);
        auto c0 = testing::random_matrix<T>(static_cast<size_t>(ld * n), rng);
        for (int64_t j = 0; j < n; ++j) {
          for (int64_t i = 0; i < n; ++i) {
            const bool kept = uplo == Triangle::lower ? i >= j : i <= j;
            if (!kept) c0[i + j * ld] = outside;
            if (kept && beta == 0.0) c0[i + j * ld] = poison;  // beta = 0 never reads C
          }
        }
        auto ref = testing::reference_gemm(Layout::col_major, ta, tb, n, n, k, 1.5, a.data(), lda, b.data(), ldb, beta,
                                           c0.data(), ld);
        std::vector<T> single;
        for (int threads : {1, 2, 3}) {
          ThreadPool::global().set_max_threads(threads);
          std::vector<T> c = c0;
          Status s = gemm_engine::gemm_triangle(uplo, ta, tb, n, k, T(1.5), a.data(), lda, b.data(), ldb, T(beta),
                                                c.data(), ld);
          ASSERT_TRUE(s.ok()) << s.message();
          const std::string what = std::to_string(n) + " x " + std::to_string(k) +
                                   (uplo == Triangle::lower ? " lower" : " upper") + " ta " +
                                   std::to_string(ta == Trans::yes) + " tb " + std::to_string(tb == Trans::yes) +
                                   " beta " + std::to_string(beta);
          if (threads > 1) {
            for (size_t e = 0; e < c.size(); ++e) {
              if (std::memcmp(&c[e], &single[e], sizeof(T)) != 0) {
                FAIL() << what << ", " << threads << " threads: element " << e % ld << ", " << e / ld << " = " << c[e]
                       << ", with 1 thread " << single[e];
              }
            }
            continue;
          }
          single = c;
          int reported = 0;
          for (int64_t j = 0; j < n; ++j) {
            for (int64_t i = 0; i < n; ++i) {
              const T got = c[i + j * ld];
              const bool kept = uplo == Triangle::lower ? i >= j : i <= j;
              const double want = kept ? ref.value[i * n + j] : static_cast<double>(outside);
              const double tol = kept ? 2.0 * (k + 2.0) * eps * ref.scale[i * n + j] + 1e-300 : 0.0;
              if (!(std::fabs(static_cast<double>(got) - want) <= tol) && reported++ < 3) {
                ADD_FAILURE() << what << ": C(" << i << ", " << j << ") = " << got << ", want " << want;
              }
            }
          }
        }
      }
    }
  }
}

TEST_F(GemmApi, TriangleProductsWriteOnlyTheirTriangle) {
  check_triangle_products<float>(0x1p-24);
  check_triangle_products<double>(0x1p-53);
}

TEST_F(GemmApi, TriangleProductsScaleOnlyTheirTriangleAndCheckArguments) {
  // alpha = 0: beta times the triangle, the rest untouched.
  std::vector<double> c = {1, 2, 3, 4};  // column-major 2 x 2
  ASSERT_TRUE(gemm_engine::gemm_triangle(Triangle::lower, Trans::no, Trans::yes, 2, 5, 0.0, nullptr, 2, nullptr, 2, 2.0,
                                         c.data(), 2)
                  .ok());
  EXPECT_EQ(c, (std::vector<double>{2, 4, 3, 8}));
  EXPECT_EQ(gemm_engine::gemm_triangle(Triangle::none, Trans::no, Trans::yes, 2, 5, 1.0, c.data(), 2, c.data(), 2, 1.0,
                                       c.data(), 2)
                .code(),
            Errc::invalid_argument);
  EXPECT_EQ(gemm_engine::gemm_triangle(Triangle::upper, Trans::no, Trans::yes, 2, 5, 1.0, c.data(), 1, c.data(), 2, 1.0,
                                       c.data(), 2)
                .code(),
            Errc::invalid_argument)
      << "lda below n";
  EXPECT_EQ(gemm_engine::gemm_triangle(Triangle::upper, Trans::no, Trans::yes, -1, 5, 1.0, c.data(), 2, c.data(), 2,
                                       1.0, c.data(), 2)
                .code(),
            Errc::invalid_argument);
}

TEST_F(GemmApi, ConcurrentCallersGetCorrectResults) {
  const int64_t m = 150, n = 170, k = 190;
  std::mt19937 rng(13);
  auto a = random_matrix<float>(m * k, rng), b = random_matrix<float>(k * n, rng);
  std::vector<float> expected(m * n, 0.0f);
  ASSERT_TRUE(set_num_threads(1).ok());
  ASSERT_TRUE(gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f,
                   expected.data(), n).ok());
  ASSERT_TRUE(set_num_threads(2).ok());
  std::vector<std::vector<float>> results(4, std::vector<float>(m * n, 0.0f));
  std::vector<std::thread> callers;
  for (auto& out : results) {
    callers.emplace_back([&, ptr = out.data()] {
      for (int repeat = 0; repeat < 5; ++repeat) {
        Status s = gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, ptr, n);
        if (!s.ok()) ADD_FAILURE() << s.message();
      }
    });
  }
  for (auto& t : callers) t.join();
  for (const auto& out : results) EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace armory
