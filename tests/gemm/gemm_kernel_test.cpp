// Every GEMM kernel in the tables that this CPU can run, driven through the portable driver and compared
// with the double-precision reference: edge shapes, all layouts and transposes, padded leading dimensions,
// alpha/beta in {0, 1, other}, and blockings small enough that every loop of the driver runs many times.
#include "cpu/uarch.h"
#include "gemm/driver.h"
#include "gemm/kernel_table.h"
#include "gemm_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace armory {
namespace {

using namespace gemm_engine;
using testing::random_matrix;
using testing::reference_gemm;

struct Shape {
  int64_t m, n, k;
};

struct Case {
  Layout layout;
  Trans ta, tb;
  Shape shape;
  double alpha, beta;
  int64_t pad;  // added to every leading dimension
};

std::string describe(const Case& c) {
  return std::string(c.layout == Layout::row_major ? "row" : "col") + " ta=" + (c.ta == Trans::yes ? "T" : "N") +
         " tb=" + (c.tb == Trans::yes ? "T" : "N") + " m=" + std::to_string(c.shape.m) +
         " n=" + std::to_string(c.shape.n) + " k=" + std::to_string(c.shape.k) +
         " alpha=" + std::to_string(c.alpha) + " beta=" + std::to_string(c.beta) + " pad=" + std::to_string(c.pad);
}

int64_t stored_ld(Layout layout, int64_t rows, int64_t cols, bool trans, int64_t pad) {
  int64_t sr = trans ? cols : rows, sc = trans ? rows : cols;
  return std::max<int64_t>(1, layout == Layout::row_major ? sc : sr) + pad;
}

int64_t stored_size(Layout layout, int64_t rows, int64_t cols, bool trans, int64_t ld) {
  int64_t sr = trans ? cols : rows, sc = trans ? rows : cols;
  return std::max<int64_t>(1, (layout == Layout::row_major ? sr : sc) * ld);
}

// One case's random inputs and their reference, shared by the plans the case runs through (the reference
// costs more than the product under emulation).
template <class Out>
struct CaseData {
  int64_t lda, ldb, ldc;
  std::vector<Out> a, b, c0;
  testing::Reference ref;
};

// bf16_inputs: the inputs are rounded to bf16.
template <class Out>
CaseData<Out> make_case_data(const Case& c, bool bf16_inputs, std::mt19937& rng) {
  const auto [m, n, k] = c.shape;
  const bool ta = c.ta == Trans::yes, tb = c.tb == Trans::yes;
  CaseData<Out> d;
  d.lda = stored_ld(c.layout, m, k, ta, c.pad);
  d.ldb = stored_ld(c.layout, k, n, tb, c.pad);
  d.ldc = stored_ld(c.layout, m, n, false, c.pad);
  d.a = random_matrix<Out>(static_cast<size_t>(stored_size(c.layout, m, k, ta, d.lda)), rng);
  d.b = random_matrix<Out>(static_cast<size_t>(stored_size(c.layout, k, n, tb, d.ldb)), rng);
  d.c0 = random_matrix<Out>(static_cast<size_t>(stored_size(c.layout, m, n, false, d.ldc)), rng);
  if (c.beta == 0) std::fill(d.c0.begin(), d.c0.end(), std::numeric_limits<Out>::quiet_NaN());  // must not be read
  d.ref = reference_gemm(c.layout, c.ta, c.tb, m, n, k, c.alpha, d.a.data(), d.lda, d.b.data(), d.ldb, c.beta,
                         d.c0.data(), d.ldc, bf16_inputs);
  return d;
}

// Runs one case through `plan` and checks every element of C against the reference; returns C (empty when
// the call failed). element_eps: the unit roundoff of the accumulation.
template <class In, class Packed, class Out, class Fn>
std::vector<Out> check_case(const Plan<Fn>& plan, const Case& c, const CaseData<Out>& data, double element_eps) {
  const auto [m, n, k] = c.shape;
  const int64_t lda = data.lda, ldb = data.ldb, ldc = data.ldc;
  const auto &a = data.a, &b = data.b, &c0 = data.c0;
  const auto& ref = data.ref;
  std::vector<Out> out = c0;
  std::vector<In> a_in(a.begin(), a.end()), b_in(b.begin(), b.end());
  if constexpr (std::is_same_v<In, bf16_t>) {
    for (size_t i = 0; i < a.size(); ++i) a_in[i] = float_to_bf16(a[i]);
    for (size_t i = 0; i < b.size(); ++i) b_in[i] = float_to_bf16(b[i]);
  }
  auto args = row_major_args<In, Out>(c.layout, c.ta, c.tb, m, n, k, static_cast<Out>(c.alpha), a_in.data(), lda,
                                      b_in.data(), ldb, static_cast<Out>(c.beta), out.data(), ldc, {});
  Status status = run_gemm<In, Packed>(plan, args);
  if (!status.ok()) {
    ADD_FAILURE() << plan.kernel->id.name << " " << describe(c) << ": " << status.message();
    return {};
  }

  int reported = 0;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      size_t at = static_cast<size_t>(c.layout == Layout::row_major ? i * ldc + j : j * ldc + i);
      double want = ref.value[static_cast<size_t>(i * n + j)];
      double tol = 2.0 * (static_cast<double>(k) + 2.0) * element_eps * ref.scale[static_cast<size_t>(i * n + j)] +
                   std::numeric_limits<double>::min();
      double got = static_cast<double>(out[at]);
      if (!(std::fabs(got - want) <= tol) && reported++ < 3) {
        ADD_FAILURE() << plan.kernel->id.name << " " << describe(c) << ": C[" << i << "][" << j << "] = " << got
                      << ", want " << want << " (tolerance " << tol << ")";
      }
    }
  }
  // Padding between rows/columns of C is never written.
  for (int64_t outer = 0; outer < (c.layout == Layout::row_major ? m : n); ++outer) {
    for (int64_t inner = (c.layout == Layout::row_major ? n : m); inner < ldc; ++inner) {
      size_t at = static_cast<size_t>(outer * ldc + inner);
      bool same = std::isnan(c0[at]) ? std::isnan(out[at]) : out[at] == c0[at];
      if (!same && reported++ < 3) ADD_FAILURE() << describe(c) << ": wrote into C's padding";
    }
  }
  return out;
}

// A case with inputs of its own.
template <class In, class Packed, class Out, class Fn>
void check_case(const Plan<Fn>& plan, const Case& c, double element_eps, bool bf16_inputs, std::mt19937& rng) {
  check_case<In, Packed, Out>(plan, c, make_case_data<Out>(c, bf16_inputs, rng), element_eps);
}

std::vector<Case> sweep(int mr, int nr) {
  const Shape shapes[] = {
      {1, 1, 1}, {mr - 1, nr - 1, 1}, {mr, nr, 1}, {mr + 1, nr + 1, 2}, {2 * mr, 2 * nr, 7}, {17, 31, 13},
      {37, 5, 64}, {5, 67, 29}, {97, 89, 83}, {2 * mr + 3, 3 * nr + 5, 131}, {1, 100, 50}, {100, 1, 50},
      {mr + 5, 2 * nr + 3, 600},  // few rows and a long k: B read in place, in several blocks of depth
  };
  const std::pair<double, double> scalars[] = {{1, 0}, {1, 1}, {0.5, -2}, {-1.5, 0}};
  std::vector<Case> cases;
  int rotate = 0;
  for (Layout layout : {Layout::row_major, Layout::col_major}) {
    for (Trans ta : {Trans::no, Trans::yes}) {
      for (Trans tb : {Trans::no, Trans::yes}) {
        for (const Shape& s : shapes) {
          if (s.m < 1 || s.n < 1) continue;
          auto [alpha, beta] = scalars[rotate % 4];
          cases.push_back({layout, ta, tb, s, alpha, beta, rotate % 3 == 0 ? 3 : 0});
          ++rotate;
        }
      }
    }
  }
  return cases;
}

// A blocking small enough that matrices of ~100 run several jc, pc and ic blocks (or blocks of B's depth
// when B is read in place).
template <class Fn>
Plan<Fn> tiny_blocking(Plan<Fn> plan) {
  plan.blocking = {2 * plan.mr, 8 * plan.kernel->k_group, 2 * plan.nr};
  plan.unpacked_b_depth = 8;
  plan.unpacked_b_chunk_bytes = 16 * 1024;  // the long-k few-rows case walks its depth in chunks
  plan.unpacked_b_prefetch_bytes = 0;       // and fetches B a strip ahead
  return plan;
}

// The same plan with the small-problem path (A and B in place) off: B packed, by the first tile row that reads
// it where the kernel can (fn_direct_packing_b), and A read in place where it is row-major.
template <class Fn>
Plan<Fn> packed_b(Plan<Fn> plan) {
  plan.use_direct = false;
  return plan;
}

// The same plan with A always packed (kernels with an unpacked-A variant otherwise read row-major A in place)
// and the small-problem path (A and B in place) off.
template <class Fn>
Plan<Fn> packed_a(Plan<Fn> plan) {
  plan.use_unpacked_a = false;
  plan.use_direct = false;
  return plan;
}

template <class Table>
std::vector<const typename Table::value_type*> runnable(const Table& table) {
  auto policy = make_isa_policy(host_cpu(), nullptr);
  std::vector<const typename Table::value_type*> out;
  for (const auto& row : table) {
    if (policy.ok() && rejection_reason(row.id, host_cpu(), policy.value()).empty()) out.push_back(&row);
  }
  return out;
}

constexpr double kF32Eps = 0x1p-24, kF64Eps = 0x1p-53;

// Every runnable kernel of a table, every case of the sweep, with the tuned blocking, a tiny blocking, B always
// packed and A always packed. Out is the input and output type (float or double); BF16 kernels (Packed = bf16_t) also
// run with bf16 inputs.
template <class Packed, class Out, class Table>
void sweep_kernels(const Table& table, int element_bytes, double eps, unsigned seed) {
  constexpr bool bf16 = std::is_same_v<Packed, bf16_t>;
  std::mt19937 rng(seed);
  for (const auto* kernel : runnable(table)) {
    SCOPED_TRACE(std::string(kernel->id.name));
    auto plan = plan_for(host_cpu(), *kernel, element_bytes);
    for (const auto& c : sweep(plan.mr, plan.nr)) {
      const auto data = make_case_data<Out>(c, bf16, rng);
      check_case<Out, Packed, Out>(plan, c, data, eps);
      check_case<Out, Packed, Out>(tiny_blocking(plan), c, data, eps);
      // (the same as tiny_blocking for a kernel without the small-problem path)
      if (direct_kernel<Out>(*kernel) != nullptr)
        check_case<Out, Packed, Out>(packed_b(tiny_blocking(plan)), c, data, eps);
      check_case<Out, Packed, Out>(packed_a(tiny_blocking(plan)), c, data, eps);
      if constexpr (bf16) check_case<bf16_t, bf16_t, float>(tiny_blocking(plan), c, data, eps);
    }
  }
}

// Row-major A whose rows are a multiple of 4 KiB apart is copied rather than read in place where the plan
// says so (Plan::copy_aliasing_a), into rows padded when a full depth block's rows would be such a multiple
// too (driver.h, kAliasingStrideBytes): a depth block of 4 KiB and a partial one, row panels copied and a
// partial one after them, in two blocks of rows and of columns. Where the plan reads them in place, one
// thread copies them behind its first sweep of each block and reads the copy after it; two read in place.
template <class In, class Packed, class Out, class Table>
void check_aliasing_strides(const Table& table, int element_bytes, double eps, bool bf16_inputs, unsigned seed) {
  std::mt19937 rng(seed);
  const int threads_before = get_num_threads();
  for (const auto* kernel : runnable(table)) {
    SCOPED_TRACE(std::string(kernel->id.name));
    auto plan = plan_for(host_cpu(), *kernel, element_bytes);
    // Blocks of columns wide enough for the copy to pay (kCopyAliasedAMaxColumns): one and a bit of them.
    const int columns = static_cast<int>(round_up(kCopyAliasedAMaxColumns + 1, plan.nr) + plan.nr);
    plan.blocking = {2 * plan.mr, static_cast<int>(kAliasingStrideBytes / sizeof(Packed)), columns};
    const int64_t k = plan.blocking.kc + 37;
    const int64_t lda = round_up(k, kAliasingStrideBytes / static_cast<int64_t>(sizeof(In)));
    const Case c{Layout::row_major, Trans::no, Trans::no, {3 * plan.mr + 5, columns + 1, k}, 1.5, 0.5, lda - k};
    const auto data = make_case_data<Out>(c, bf16_inputs, rng);
    // Copied as on a core whose L1 has fewer ways than MR, and read in place as on one with more (then
    // copied behind the first sweep of each share, on one thread or two).
    for (auto [copy, threads] : {std::pair{true, 1}, std::pair{false, 1}, std::pair{false, 2}}) {
      // Only kernels with an unpacked-A variant read A in place; the others pack it whatever the plan says
      // (the emulated aarch64 suites spent minutes on those cases).
      if (!copy && kernel->fn_unpacked_a == nullptr) continue;
      SCOPED_TRACE(std::string(copy ? "copied" : "in place") + ", threads " + std::to_string(threads));
      ASSERT_TRUE(set_num_threads(threads).ok());
      plan.kernel = kernel;
      plan.copy_aliasing_a = copy;
      // This few rows read B in place (and A copied once, up front, where a kernel for it exists) ...
      plan.use_direct = threads == 1;
      if (plan.use_direct) check_case<In, Packed, Out>(plan, c, data, eps);
      // ... unless the small-problem paths are off: then A is copied per block.
      plan.use_direct = false;
      check_case<In, Packed, Out>(plan, c, data, eps);
      if (threads > 1) continue;
      // Without an edge variant the last five rows are packed, after the copied ones.
      auto without_edges = *kernel;
      without_edges.fn_unpacked_a_edge = nullptr;
      plan.kernel = &without_edges;
      check_case<In, Packed, Out>(plan, c, data, eps);
    }
  }
  ASSERT_TRUE(set_num_threads(threads_before).ok());
}

// One case on one thread and on two; the thread count as it was after.
template <class In, class Packed, class Out, class Fn>
void check_on_one_and_two_threads(const Plan<Fn>& plan, const Case& c, double eps, bool bf16_inputs,
                                  std::mt19937& rng) {
  const int threads_before = get_num_threads();
  const auto data = make_case_data<Out>(c, bf16_inputs, rng);
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ASSERT_TRUE(set_num_threads(threads).ok());
    check_case<In, Packed, Out>(plan, c, data, eps);
  }
  ASSERT_TRUE(set_num_threads(threads_before).ok());
}

// Few rows of A against a wide B too large to stay in cache (b_from_memory in driver.h) take the packed path,
// B packed in passes over whole block rows, kFewRowsDepth deep: two depth blocks, a partial panel, two column
// blocks, on one thread and on two (each share packing its own panels).
template <class In, class Packed, class Out, class Table>
void check_b_from_memory(const Table& table, int element_bytes, double eps, bool bf16_inputs, unsigned seed) {
  std::mt19937 rng(seed);
  for (const auto* kernel : runnable(table)) {
    SCOPED_TRACE(std::string(kernel->id.name));
    auto plan = plan_for(host_cpu(), *kernel, element_bytes);
    plan.unpacked_b_prefetch_bytes = 0;  // every B counts as one from memory
    plan.blocking.nc = static_cast<int>(round_up(600, plan.nr));
    const Case c{Layout::row_major,
                 Trans::no,
                 Trans::no,
                 {2 * plan.mr + 3, kFewRowsStreamedWidth + plan.nr + 3, 2 * kFewRowsDepth},
                 1.5,
                 0.5,
                 3};
    check_on_one_and_two_threads<In, Packed, Out>(plan, c, eps, bf16_inputs, rng);
  }
}

TEST(GemmKernels, FewRowsAgainstABFromMemoryPackWholeRows) {
  check_b_from_memory<float, float, float>(f32_kernels(), 4, kF32Eps, false, 50);
  check_b_from_memory<double, double, double>(f64_kernels(), 8, kF64Eps, false, 51);
  check_b_from_memory<float, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 52);
  check_b_from_memory<bf16_t, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 53);
}

// A block of a larger matrix at a small depth (LAPACK's trailing updates): rows of A far apart for their length
// are copied once when B is read in place over several strips, on one thread and on two (each share copying its
// own rows, or all of them copied before the strips are shared), at a depth that leaves a partial k group.
template <class In, class Packed, class Out, class Table>
void check_sparse_a_rows(const Table& table, int element_bytes, double eps, bool bf16_inputs, unsigned seed) {
  std::mt19937 rng(seed);
  for (const auto* kernel : runnable(table)) {
    SCOPED_TRACE(std::string(kernel->id.name));
    auto plan = plan_for(host_cpu(), *kernel, element_bytes);
    for (auto [m, n] : {std::pair{5 * plan.mr + 3, 3 * plan.nr + 5}, std::pair{plan.mr + 1, 9 * plan.nr + 2}}) {
      const int64_t k = 13;
      const Case c{Layout::row_major, Trans::no, Trans::no, {m, n, k}, 1.5, 0.5, 4 * k + 5};
      check_on_one_and_two_threads<In, Packed, Out>(plan, c, eps, bf16_inputs, rng);
    }
  }
}

TEST(GemmKernels, RowsOfAFarApartAreCopiedWhenBIsReadInPlace) {
  check_sparse_a_rows<float, float, float>(f32_kernels(), 4, kF32Eps, false, 54);
  check_sparse_a_rows<double, double, double>(f64_kernels(), 8, kF64Eps, false, 55);
  check_sparse_a_rows<float, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 56);
  check_sparse_a_rows<bf16_t, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 57);
}

// The packed path's work splits (run_gemm) on 2 and 3 threads (the pool runs 3 shares on 2 CPUs alike) give the
// bits of one thread, itself checked against the reference: threads splitting the rows with B's panels packed
// by all of them together and shared (own_b_copy_bytes lowered: only blocks over 1 MiB are shared otherwise),
// and splitting the columns over several column blocks (a small nc), each over several depth blocks with a
// partial last panel. Depth enough for threads_for to give each thread a share.
template <class In, class Packed, class Out, class Table>
void check_work_splits(const Table& table, int element_bytes, double eps, bool bf16_inputs, unsigned seed) {
  std::mt19937 rng(seed);
  const int threads_before = get_num_threads();
  for (const auto* kernel : runnable(table)) {
    SCOPED_TRACE(std::string(kernel->id.name));
    auto plan = plan_for(host_cpu(), *kernel, element_bytes);
    plan.use_direct = false;
    plan.own_b_copy_bytes = 0;
    const int kg = kernel->k_group;
    const int64_t mr = plan.mr, nr = plan.nr;
    struct Split {
      const char* name;
      Blocking blocking;
      int64_t m, n;
    };
    // Rows: at least 4 row panels a thread; columns: 4 micro-panels a thread in each column block (nc per
    // thread), three blocks at 3 threads.
    const Split splits[] = {
        {"rows, B shared", {static_cast<int>(2 * mr), 24 * kg, static_cast<int>(2 * nr)}, 13 * mr + 3, 2 * nr + 5},
        {"columns", {static_cast<int>(2 * mr), 24 * kg, static_cast<int>(4 * nr)}, 3 * mr + 1, 24 * nr + 5}};
    for (const auto& split : splits) {
      SCOPED_TRACE(split.name);
      plan.blocking = split.blocking;
      const int64_t k = round_up(std::max<int64_t>(3'100'000 / (split.m * split.n), 3 * split.blocking.kc), kg) + 1;
      const Case c{Layout::row_major, Trans::no, Trans::no, {split.m, split.n, k}, 1.5, 0.5, 0};
      const auto data = make_case_data<Out>(c, bf16_inputs, rng);
      std::vector<Out> single;
      for (int threads : {1, 2, 3}) {
        ThreadPool::global().set_max_threads(threads);
        ASSERT_EQ(threads_for(split.m, split.n, k), threads);
        auto out = check_case<In, Packed, Out>(plan, c, data, eps);
        if (threads == 1) {
          single = out;
        } else {
          EXPECT_TRUE(out == single) << threads << " threads: not the bits of one";
        }
      }
    }
  }
  ASSERT_TRUE(set_num_threads(threads_before).ok());
}

TEST(GemmKernels, WorkSplitsGiveTheBitsOfOneThread) {
  check_work_splits<float, float, float>(f32_kernels(), 4, kF32Eps, false, 58);
  check_work_splits<double, double, double>(f64_kernels(), 8, kF64Eps, false, 59);
  check_work_splits<float, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 60);
  check_work_splits<bf16_t, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 61);
}

TEST(GemmKernels, RowsOfAWhoseStrideAliasesAreCopied) {
  check_aliasing_strides<float, float, float>(f32_kernels(), 4, kF32Eps, false, 45);
  check_aliasing_strides<double, double, double>(f64_kernels(), 8, kF64Eps, false, 46);
  check_aliasing_strides<float, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 47);
  check_aliasing_strides<bf16_t, bf16_t, float>(bf16_kernels(), 2, kF32Eps, true, 48);
}

// k is cut into as few blocks as kc allows, all about as deep, never a full block and a sliver.
TEST(GemmKernels, DepthBlocksAreEvenlySized) {
  EXPECT_EQ(depth_block(1024, 1024, 1), 1024);
  EXPECT_EQ(depth_block(1024, 1032, 1), 516);
  EXPECT_EQ(depth_block(1024, 3000, 1), 1000);
  EXPECT_EQ(depth_block(1024, 5, 1), 5);
  EXPECT_EQ(depth_block(2048, 2049, 2), 1026);  // 1025 rounded up to the k group: the last block shorter
  EXPECT_EQ(depth_block(1000, 1001, 2), 502);
  EXPECT_EQ(depth_block(1024, 0, 2), 2);
}

TEST(GemmKernels, F32EveryRunnableKernel) { sweep_kernels<float, float>(f32_kernels(), 4, kF32Eps, 42); }

TEST(GemmKernels, F64EveryRunnableKernel) { sweep_kernels<double, double>(f64_kernels(), 8, kF64Eps, 43); }

// fp32 inputs rounded while packing (fpmath = bf16), and bf16 inputs as they are.
TEST(GemmKernels, Bf16FastMathEveryRunnableKernel) { sweep_kernels<bf16_t, float>(bf16_kernels(), 2, kF32Eps, 44); }

TEST(GemmKernels, TablesHaveAScalarTwinLast) {
  EXPECT_EQ(f32_kernels().back().id.isa, IsaLevel::scalar);
  EXPECT_EQ(f64_kernels().back().id.isa, IsaLevel::scalar);
  EXPECT_EQ(bf16_kernels().back().id.isa, IsaLevel::scalar);
  for (const auto& k : f32_kernels()) EXPECT_LE(k.mr * k.nr * (k.scalable ? 16 : 1), kMaxTileElements);
  for (const auto& k : f64_kernels()) EXPECT_LE(k.mr * k.nr * (k.scalable ? 16 : 1), kMaxTileElements);
  for (const auto& k : bf16_kernels()) EXPECT_LE(k.mr * k.nr * (k.scalable ? 16 : 1), kMaxTileElements);
  for (const auto& k : bf16_kernels()) EXPECT_TRUE(k.k_group == 2 || k.k_group == 4) << k.id.name;
}

// Each BF16 kernel's store of a finished tile to a bf16 C against the portable twin, store_tile_bf16: every
// epilogue (bias, ReLU, upper bound, beta reading C) on rows and widths around the vector lengths, with
// negatives, zeros and NaNs. Equal bf16 values, or neighbours where the kernel fuses beta's multiply-add
// (one rounding less); C's elements past the tile untouched.
TEST(GemmKernels, Bf16StoresMatchThePortableTwin) {
  std::mt19937 rng(49);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  int checked = 0;
  for (const auto* kernel : runnable(bf16_kernels())) {
    if (kernel->store_bf16 == nullptr) continue;
    for (int64_t rows : {1, 3, 12}) {
      for (int64_t cols : {1, 7, 8, 9, 16, 17, 32}) {
        const int64_t ld_tile = cols + 3, ldc = cols + 5;
        std::vector<float> tile = random_matrix<float>(static_cast<size_t>(rows * ld_tile), rng);
        for (size_t i = 0; i < tile.size(); i += 7) tile[i] = i % 3 == 0 ? nan : (i % 3 == 1 ? -0.0f : 3e38f);
        const std::vector<float> bias = random_matrix<float>(static_cast<size_t>(cols), rng);
        std::vector<bf16_t> prior(static_cast<size_t>(rows * ldc));
        for (bf16_t& x : prior) x = round_to_bf16(std::uniform_real_distribution<float>(-2.0f, 2.0f)(rng));
        for (float beta : {0.0f, 1.0f, -0.75f}) {
          for (int epilogue = 0; epilogue < 8; ++epilogue) {
            const float* b = epilogue & 1 ? bias.data() : nullptr;
            const bool relu = epilogue & 2;
            const float upper = epilogue & 4 ? 0.5f : inf;
            std::vector<bf16_t> got = prior, want = prior;
            kernel->store_bf16(rows, cols, tile.data(), ld_tile, got.data(), ldc, beta, b, relu, upper);
            store_tile_bf16(rows, cols, tile.data(), ld_tile, want.data(), ldc, beta, b, relu, upper);
            for (int64_t i = 0; i < rows * ldc; ++i) {
              const float g = bf16_to_float(got[i]), w = bf16_to_float(want[i]);
              const bool same = got[i] == want[i] || g == w || (std::isnan(g) && std::isnan(w)) ||
                                (i % ldc < cols && std::abs(int{got[i]} - int{want[i]}) == 1);
              ASSERT_TRUE(same) << kernel->id.name << " rows=" << rows << " cols=" << cols << " beta=" << beta
                                << " epilogue=" << epilogue << " element " << i << ": " << g << " want " << w;
            }
          }
        }
      }
    }
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no BF16 kernel with its own store runs on this CPU";
}

// Every microarchitecture name the CPU detection can return.
std::set<std::string> detectable_uarches() {
  std::set<std::string> names;
  for (uint32_t model = 0; model < 256; ++model) {
    for (uint32_t family : {0x17u, 0x18u, 0x19u, 0x1Au}) names.insert(cpu::x86_uarch("AuthenticAMD", family, model, 0));
    for (uint32_t stepping = 0; stepping < 16; ++stepping) {
      names.insert(cpu::x86_uarch("GenuineIntel", 6, model, stepping));
    }
  }
  for (uint32_t implementer : {0x41u, 0x42u, 0x43u, 0x46u, 0x48u, 0x4Eu, 0x50u, 0x51u, 0x61u, 0xC0u}) {
    for (uint32_t part = 0; part < 0x1000; ++part) names.insert(std::string(cpu::arm_part(implementer, part).uarch));
  }
  return names;
}

// A tuning row whose kernel or core is misspelt would be ignored without a word (the blocking derived
// from the caches runs instead), so each must name a kernel of the tables and a core the detection returns,
// with block sizes the kernel's tile and k group divide.
TEST(GemmKernels, EveryTuningRowReachesAKernelOnADetectableCore) {
  const std::set<std::string> uarches = detectable_uarches();
  auto check = [](const auto& kernels, const TuningRow& row) {
    for (const auto& k : kernels) {
      if (k.id.name != row.kernel) continue;
      const Blocking& b = row.blocking;
      EXPECT_EQ(b.mc % k.mr, 0) << row.uarch << " " << row.kernel;
      EXPECT_EQ(b.kc % k.k_group, 0) << row.uarch << " " << row.kernel;
      // A scalable kernel's NR at 128 and 256 bits.
      for (int nr : k.scalable ? std::vector<int>{k.nr, 2 * k.nr} : std::vector<int>{k.nr}) {
        EXPECT_EQ(b.nc % nr, 0) << row.uarch << " " << row.kernel << " NR " << nr;
      }
      return true;
    }
    return false;
  };
  ASSERT_FALSE(tuning_rows().empty());
  for (const TuningRow& row : tuning_rows()) {
    EXPECT_TRUE(uarches.contains(std::string(row.uarch))) << row.uarch << " is no core the detection names";
    EXPECT_TRUE(check(f32_kernels(), row) || check(f64_kernels(), row) || check(bf16_kernels(), row))
        << row.kernel << " (" << row.uarch << ") is no kernel of the tables";
  }
}

}  // namespace
}  // namespace armory
