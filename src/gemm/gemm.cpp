// The public GEMM API: argument checks, column-major callers mapped onto the row-major driver, the BF16
// fast-math route, prepacked B, thread settings.
#include <armory/gemm.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "gemm/driver.h"

namespace armory {

namespace gemm_engine {

Scratch& thread_a_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

Scratch& thread_b_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

Scratch& thread_c_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

namespace {

const char* trans_name(Trans t) { return t == Trans::no ? "no" : "yes"; }

// The stored shape of an operand and the smallest leading dimension it allows.
struct Operand {
  const char* name;
  int64_t rows, cols;  // logical op(X) shape
  Trans trans;
  int64_t ld;
};

// The messages are built out of line: inlined, the string building made every call (a 4 x 4 product's
// included) save six registers and reserve 900 bytes of stack just to compare a few integers.
[[gnu::cold, gnu::noinline]] Status ld_too_small(Layout layout, const Operand& x, int64_t stored_rows,
                                                 int64_t stored_cols, int64_t minimum) {
  return error(Errc::invalid_argument,
               std::string("gemm: ld") + x.name + " = " + std::to_string(x.ld) + " is too small: " +
                   (layout == Layout::row_major ? "row-major " : "column-major ") + x.name + " with trans_" +
                   x.name + " = " + trans_name(x.trans) + " is stored as " + std::to_string(stored_rows) + " x " +
                   std::to_string(stored_cols) + ", so ld" + x.name + " must be >= " + std::to_string(minimum));
}

[[gnu::cold, gnu::noinline]] Status negative_size(int64_t m, int64_t n, int64_t k) {
  return error(Errc::invalid_argument, "gemm: sizes must be >= 0, got m = " + std::to_string(m) +
                                           ", n = " + std::to_string(n) + ", k = " + std::to_string(k));
}

[[gnu::cold, gnu::noinline]] Status invalid(const char* message) { return error(Errc::invalid_argument, message); }

inline Status check_ld(Layout layout, const Operand& x) {
  bool stored_transposed = x.trans == Trans::yes;
  int64_t stored_rows = stored_transposed ? x.cols : x.rows;
  int64_t stored_cols = stored_transposed ? x.rows : x.cols;
  int64_t minimum = std::max<int64_t>(1, layout == Layout::row_major ? stored_cols : stored_rows);
  if (x.ld >= minimum) [[likely]]
    return {};
  return ld_too_small(layout, x, stored_rows, stored_cols, minimum);
}

// reads_ab: alpha != 0, so A and B are read when m, n and k are all > 0.
template <class T, class Out>
Status check_args(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                  const T* b, int64_t ldb, const Out* c, int64_t ldc, bool reads_ab) {
  if (m < 0 || n < 0 || k < 0) [[unlikely]]
    return negative_size(m, n, k);
  if (Status s = check_ld(layout, {"a", m, k, ta, lda}); !s) return s;
  if (Status s = check_ld(layout, {"b", k, n, tb, ldb}); !s) return s;
  if (Status s = check_ld(layout, {"c", m, n, Trans::no, ldc}); !s) return s;
  if (m > 0 && n > 0 && c == nullptr) return invalid("gemm: c is null but m and n are > 0");
  bool reads = reads_ab && m > 0 && n > 0 && k > 0;
  if (reads && a == nullptr) return invalid("gemm: a is null but m, n and k are > 0");
  if (reads && b == nullptr) return invalid("gemm: b is null but m, n and k are > 0");
  return {};
}

Status check_epilogue(const Epilogue& e) {
  if (std::isnan(e.upper)) [[unlikely]]
    return invalid("gemm: the epilogue's upper bound is NaN (infinity means none)");
  return {};
}

}  // namespace
}  // namespace gemm_engine

using namespace gemm_engine;

Status gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
            int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const GemmOptions& options) {
  if (Status s = check_args(layout, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, alpha != 0); !s) return s;
  if (Status s = check_epilogue(options.epilogue); !s) return s;
  auto args = row_major_args(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, options.epilogue);
  if (options.fpmath == FpMath::bf16) {
    const auto& plan = bf16_plan();
    if (!plan) return plan.status();
    return run_gemm<float, bf16_t>(plan.value(), args);
  }
  const auto& plan = f32_plan();
  if (!plan) return plan.status();
  return run_gemm<float, float>(plan.value(), args);
}

Status gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
            int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  if (Status s = check_args(layout, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, alpha != 0); !s) return s;
  const auto& plan = f64_plan();
  if (!plan) return plan.status();
  return run_gemm<double, double>(plan.value(),
                                  row_major_args(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, {}));
}

namespace gemm_engine {

namespace {

template <class T>
Status run_triangle(const Result<Plan<TileKernel<T>>>& plan, Triangle uplo, Trans ta, Trans tb, int64_t n, int64_t k,
                    T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (uplo == Triangle::none) return invalid("gemm_triangle: uplo must name a triangle");
  if (Status s = check_args(Layout::col_major, ta, tb, n, n, k, a, lda, b, ldb, c, ldc, alpha != 0); !s) return s;
  if (!plan) return plan.status();
  auto args = row_major_args(Layout::col_major, ta, tb, n, n, k, alpha, a, lda, b, ldb, beta, c, ldc, {});
  // Column-major C's lower triangle (row >= column) is the engine's row-major C^T's upper one.
  args.triangle = uplo == Triangle::lower ? Triangle::upper : Triangle::lower;
  return run_gemm<T, T>(plan.value(), args);
}

}  // namespace

Status gemm_triangle(Triangle uplo, Trans ta, Trans tb, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                     const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  return run_triangle(f32_plan(), uplo, ta, tb, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

Status gemm_triangle(Triangle uplo, Trans ta, Trans tb, int64_t n, int64_t k, double alpha, const double* a,
                     int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  return run_triangle(f64_plan(), uplo, ta, tb, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace gemm_engine

Status gemm_bf16(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, float alpha, const bf16_t* a,
                 int64_t lda, const bf16_t* b, int64_t ldb, float beta, float* c, int64_t ldc,
                 const Epilogue& epilogue) {
  if (Status s = check_args(layout, ta, tb, m, n, k, a, lda, b, ldb, c, ldc, alpha != 0); !s) return s;
  if (Status s = check_epilogue(epilogue); !s) return s;
  const auto& plan = bf16_plan();
  if (!plan) return plan.status();
  return run_gemm<bf16_t, bf16_t>(plan.value(),
                                  row_major_args(layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue));
}

// ---- prepacked B ----

struct PackedMatrix::Impl {
  int64_t k = 0, n = 0;
  FpMath fpmath = FpMath::strict;
  F32Plan f32;
  Bf16Plan bf16;
  PackedPanels<float> f32_panels;
  PackedPanels<bf16_t> bf16_panels;
};

PackedMatrix::PackedMatrix(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PackedMatrix::~PackedMatrix() = default;
PackedMatrix::PackedMatrix(PackedMatrix&&) noexcept = default;
PackedMatrix& PackedMatrix::operator=(PackedMatrix&&) noexcept = default;
int64_t PackedMatrix::k() const { return impl_->k; }
int64_t PackedMatrix::n() const { return impl_->n; }
FpMath PackedMatrix::fpmath() const { return impl_->fpmath; }
size_t PackedMatrix::bytes() const {
  return impl_->f32_panels.data.size() * sizeof(float) + impl_->bf16_panels.data.size() * sizeof(bf16_t);
}

constexpr int64_t kOneBlockDepth = 4608;

Result<PackedMatrix> pack_b(Layout layout, Trans tb, int64_t k, int64_t n, const float* b, int64_t ldb, FpMath fpmath) {
  if (k < 0 || n < 0) {
    return error(Errc::invalid_argument, "pack_b: sizes must be >= 0, got k = " + std::to_string(k) + ", n = " +
                                             std::to_string(n));
  }
  if (Status s = check_ld(layout, {"b", k, n, tb, ldb}); !s) return s;
  if (k > 0 && n > 0 && b == nullptr) return error(Errc::invalid_argument, "pack_b: b is null but k and n are > 0");
  // In the row-major view op(B)[p][j]; a column-major B reads as its transpose.
  MatrixView<float> view{b, ldb, (layout == Layout::row_major) == (tb == Trans::yes)};
  auto impl = std::make_unique<PackedMatrix::Impl>();
  impl->k = k;
  impl->n = n;
  impl->fpmath = fpmath;
  if (fpmath == FpMath::bf16) {
    const auto& plan = bf16_plan();
    if (!plan) return plan.status();
    impl->bf16 = plan.value();
    // Weights up to kOneBlockDepth deep are packed as one depth block: a product into bf16 C is then
    // stored straight from the registers, where two blocks need an fp32 C in scratch and a second pass to
    // round it (ResNet50's 3x3 convs of layer3 and layer4, k = 2304 and 4608, as GEMMs of their 96-row
    // patch chunks: 1.02-1.05x faster, 3136 x 256 x 2304 whole 1.07x).
    int& kc = impl->bf16.blocking.kc;
    if (k > kc && k <= kOneBlockDepth) kc = static_cast<int>(round_up(k, impl->bf16.kernel->k_group));
    impl->bf16_panels = pack_all_b<bf16_t>(impl->bf16, view, k, n);
  } else {
    const auto& plan = f32_plan();
    if (!plan) return plan.status();
    impl->f32 = plan.value();
    impl->f32_panels = pack_all_b<float>(impl->f32, view, k, n);
  }
  return PackedMatrix(std::move(impl));
}

namespace {

// The arguments of a product with B packed: B is read from the panels, never from the caller.
template <class In, class Out>
Status check_packed_args(Trans ta, int64_t m, float alpha, const In* a, int64_t lda, const PackedMatrix::Impl& p,
                         const Out* c, int64_t ldc) {
  const In* b_in_panels = nullptr;
  if (Status s = check_args(Layout::row_major, ta, Trans::no, m, p.n, p.k, a, lda, b_in_panels,
                            std::max<int64_t>(1, p.n), c, ldc, /*reads_ab=*/false);
      !s) {
    return s;
  }
  if (alpha != 0 && m > 0 && p.n > 0 && p.k > 0 && a == nullptr) {
    return error(Errc::invalid_argument, "gemm_packed: a is null but m, n and k are > 0");
  }
  return {};
}

// The products with a bf16 A (and fp32 or bf16 C): B must have been packed for BF16 fast math. `what` names
// the bf16 operand that needs it.
template <class Out>
Status check_bf16_packed_args(const char* what, Trans ta, int64_t m, float alpha, const bf16_t* a, int64_t lda,
                              const PackedMatrix::Impl& p, const Out* c, int64_t ldc) {
  if (p.fpmath != FpMath::bf16) {
    return error(Errc::invalid_argument, std::string("gemm_packed: a bf16 ") + what + " needs B packed with FpMath::bf16");
  }
  return check_packed_args(ta, m, alpha, a, lda, p, c, ldc);
}

}  // namespace

Status gemm_packed(Trans ta, int64_t m, float alpha, const float* a, int64_t lda, const PackedMatrix& b, float beta,
                   float* c, int64_t ldc, const Epilogue& epilogue) {
  const auto& p = b.impl();
  if (Status s = check_packed_args(ta, m, alpha, a, lda, p, c, ldc); !s) return s;
  if (Status s = check_epilogue(epilogue); !s) return s;
  auto args = row_major_args<float, float>(Layout::row_major, ta, Trans::no, m, p.n, p.k, alpha, a, lda, nullptr, 1,
                                           beta, c, ldc, epilogue);
  if (p.fpmath == FpMath::bf16) return run_gemm<float, bf16_t>(p.bf16, args, &p.bf16_panels);
  return run_gemm<float, float>(p.f32, args, &p.f32_panels);
}

Status gemm_packed(Trans ta, int64_t m, float alpha, const bf16_t* a, int64_t lda, const PackedMatrix& b, float beta,
                   float* c, int64_t ldc, const Epilogue& epilogue) {
  const auto& p = b.impl();
  if (Status s = check_bf16_packed_args("A", ta, m, alpha, a, lda, p, c, ldc); !s) return s;
  if (Status s = check_epilogue(epilogue); !s) return s;
  auto args = row_major_args<bf16_t, float>(Layout::row_major, ta, Trans::no, m, p.n, p.k, alpha, a, lda, nullptr, 1,
                                            beta, c, ldc, epilogue);
  return run_gemm<bf16_t, bf16_t>(p.bf16, args, &p.bf16_panels);
}

Status gemm_packed(Trans ta, int64_t m, float alpha, const bf16_t* a, int64_t lda, const PackedMatrix& b, float beta,
                   bf16_t* c, int64_t ldc, const Epilogue& epilogue) {
  const auto& p = b.impl();
  if (Status s = check_bf16_packed_args("C", ta, m, alpha, a, lda, p, c, ldc); !s) return s;
  if (Status s = check_epilogue(epilogue); !s) return s;
  if (m == 0 || p.n == 0) return {};
  auto args = row_major_args<bf16_t, float>(Layout::row_major, ta, Trans::no, m, p.n, p.k, alpha, a, lda, nullptr, 1,
                                            beta, nullptr, ldc, epilogue);
  const bool one_depth_block = p.bf16_panels.pc_blocks == 1;
  if (one_depth_block && alpha != 0.0f) {
    args.c_bf16 = c;
    return run_gemm<bf16_t, bf16_t>(p.bf16, args, &p.bf16_panels);
  }
  // k beyond one depth block (partial sums must stay fp32), alpha = 0 or k = 0: the product in fp32 scratch
  // (kept by the thread: a fresh buffer per call cost page clearing worth 7% of a ResNet50 run), then the
  // same store as the tiles get.
  float* product = static_cast<float*>(thread_c_scratch().get(sizeof(float) * static_cast<size_t>(m * p.n)));
  if (product == nullptr) return error(Errc::internal, "out of memory for a bf16 product's fp32 scratch");
  args.c = product;
  args.ldc = p.n;
  args.beta = 0.0f;
  args.epilogue = {};
  if (Status s = run_gemm<bf16_t, bf16_t>(p.bf16, args, &p.bf16_panels); !s) return s;
  const StoreBf16 store = p.bf16.kernel->store_bf16 ? p.bf16.kernel->store_bf16 : store_tile_bf16;
  store(m, p.n, product, p.n, c, ldc, beta, epilogue.bias, epilogue.relu, epilogue.upper);
  return {};
}

// ---- bf16 conversion, threads, summary ----

bf16_t float_to_bf16(float x) noexcept { return round_to_bf16(x); }

void float_to_bf16(const float* src, int64_t n, bf16_t* dst) noexcept {
  const auto& plan = bf16_plan();
  if (plan && plan->kernel->convert_a != nullptr) {
    plan->kernel->convert_a(src, n, dst);
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = round_to_bf16(src[i]);
}

float bf16_to_float(bf16_t x) noexcept {
  uint32_t bits = uint32_t{x} << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

int get_num_threads() noexcept { return ThreadPool::global().max_threads(); }

Status set_num_threads(int threads) {
  if (threads < 1) {
    return error(Errc::invalid_argument, "set_num_threads: threads must be >= 1, got " + std::to_string(threads));
  }
  ThreadPool::global().set_max_threads(std::min(threads, cpu_thread_limit()));
  return {};
}

}  // namespace armory
