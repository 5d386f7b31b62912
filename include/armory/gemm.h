// General matrix multiply: C = alpha * op(A) * op(B) + beta * C, in fp32, fp64 and BF16 fast math.
// Row- or column-major, either transpose, any leading dimensions. Every call returns a Status; bad
// arguments are reported, never crash. beta == 0 never reads C (NaN in C does not spread); alpha == 0 or
// k == 0 never reads A or B.
#pragma once

#include <armory/cpu.h>
#include <armory/isa.h>
#include <armory/status.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

namespace armory {

enum class Layout { row_major, col_major };
enum class Trans { no, yes };

// strict: full-precision products. bf16: inputs rounded to bf16 (nearest even), products accumulated in
// fp32 — oneDNN's fpmath_mode::bf16 / ONEDNN_DEFAULT_FPMATH_MODE=BF16.
enum class FpMath { strict, bf16 };

// Applied to C after the product, before it is written for the last time, so conv layers need no second
// pass: C = min(relu(C + bias[j]), upper) with bias indexed by the column of C (an output channel in NHWC).
// ReLU6 is relu with upper = 6. NaN stays NaN.
struct Epilogue {
  const float* bias = nullptr;  // length n, or nullptr
  bool relu = false;
  float upper = std::numeric_limits<float>::infinity();  // not NaN

  bool bounded() const { return upper != std::numeric_limits<float>::infinity(); }
};

struct GemmOptions {
  FpMath fpmath = FpMath::strict;
  Epilogue epilogue;
};

// bf16 storage: the upper 16 bits of an IEEE fp32.
using bf16_t = uint16_t;

Status gemm(Layout layout, Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
            const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
            const GemmOptions& options = {});

Status gemm(Layout layout, Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, double alpha,
            const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// bf16 inputs, fp32 output (OpenBLAS's sbgemm).
Status gemm_bf16(Layout layout, Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const bf16_t* a, int64_t lda, const bf16_t* b, int64_t ldb, float beta, float* c, int64_t ldc,
                 const Epilogue& epilogue = {});

// A constant right-hand matrix op(B) (k x n) packed once for the kernel this process dispatches, and
// reused by many products (inference weights). Row-major view: C (m x n) = op(A) (m x k) * B.
class PackedMatrix {
 public:
  ~PackedMatrix();
  PackedMatrix(PackedMatrix&&) noexcept;
  PackedMatrix& operator=(PackedMatrix&&) noexcept;

  int64_t k() const;
  int64_t n() const;
  FpMath fpmath() const;
  size_t bytes() const;  // memory held by the packed panels

  struct Impl;
  explicit PackedMatrix(std::unique_ptr<Impl> impl);
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Pack op(B), where B is stored in `layout` with leading dimension ldb. fpmath = bf16 stores it as bf16.
Result<PackedMatrix> pack_b(Layout layout, Trans trans_b, int64_t k, int64_t n, const float* b, int64_t ldb,
                            FpMath fpmath = FpMath::strict);

// C = alpha * op(A) * B + beta * C with B packed; row-major A and C only.
Status gemm_packed(Trans trans_a, int64_t m, float alpha, const float* a, int64_t lda, const PackedMatrix& b,
                   float beta, float* c, int64_t ldc, const Epilogue& epilogue = {});

// The same with A already in bf16 (patches an inference engine wrote as bf16); B must be packed with
// FpMath::bf16.
Status gemm_packed(Trans trans_a, int64_t m, float alpha, const bf16_t* a, int64_t lda, const PackedMatrix& b,
                   float beta, float* c, int64_t ldc, const Epilogue& epilogue = {});

// BF16 activations: C in bf16, C = bf16(relu(alpha * op(A) * B + bias + beta * C)) with the epilogue's
// bias and ReLU, rounded to nearest even once (beta reads C as stored, so a residual kept in bf16 is added
// in fp32 before that rounding). B must be packed with FpMath::bf16.
Status gemm_packed(Trans trans_a, int64_t m, float alpha, const bf16_t* a, int64_t lda, const PackedMatrix& b,
                   float beta, bf16_t* c, int64_t ldc, const Epilogue& epilogue = {});

// Round-to-nearest-even fp32 -> bf16 and back (exact), as the packing does.
bf16_t float_to_bf16(float x) noexcept;
float bf16_to_float(bf16_t x) noexcept;
// n values at once, vectorised in the dispatched bf16 kernel's ISA when it has a conversion.
void float_to_bf16(const float* src, int64_t n, bf16_t* dst) noexcept;

// The threads armory's pool uses: ARMORY_NUM_THREADS, else OMP_NUM_THREADS, else the usable cores. A
// count above the CPUs this process may run on (from the variables or set_num_threads) is capped there,
// as OpenBLAS does.
int get_num_threads() noexcept;
Status set_num_threads(int threads);  // threads < 1 is an error

// What GEMM dispatches for each precision, one line each, e.g.
// "gemm f32: gemm_f32_12x32__avx512 (MR=12 NR=32, mc=120 kc=1024 nc=4096)".
std::string gemm_dispatch_summary();
// The same for another CPU description (a fixture) and ISA policy: what armory would run there.
std::string gemm_dispatch_summary(const CpuInfo& cpu, const IsaPolicy& policy);

}  // namespace armory
