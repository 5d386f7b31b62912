// armory_* / openblas_* control functions and bf16 GEMM (include/armory/blas.h).
#include <armory/blas.h>
#include <armory/gemm.h>
#include <armory/isa.h>
#include <armory/version.h>

#include <cstdio>
#include <string>

#include "checked.h"
#include "gemm/thread_pool.h"
#include "vector_kernels.h"
#include "xerbla.h"

using namespace armory::blas;

#define ARMORY_EXPORT extern "C" __attribute__((visibility("default")))

ARMORY_EXPORT void armory_set_num_threads(int threads) {
  const armory::Status status = armory::set_num_threads(threads);
  if (!status.ok()) std::fprintf(stderr, "armory: %s (thread count unchanged)\n", status.message().c_str());
}

ARMORY_EXPORT int armory_get_num_threads(void) { return armory::get_num_threads(); }

ARMORY_EXPORT const char* armory_get_config(void) {
  thread_local std::string config;
  std::string kernels = armory::gemm_dispatch_summary();
  for (char& c : kernels) {
    if (c == '\n') c = ';';
  }
  while (!kernels.empty() && kernels.back() == ';') kernels.pop_back();
  config = std::string("armory ") + armory::build_info().version + " isa=" + armory::dispatched_isa_name() +
           " threads=" + std::to_string(armory::get_num_threads()) + " blas1/2 kernels=" + vector_kernels().isa + " " +
           kernels;
  return config.c_str();
}

// OpenBLAS reads a count below 1 as its default (goto_set_num_threads); code written for it may pass 0 to
// mean just that.
ARMORY_EXPORT void openblas_set_num_threads(int threads) {
  armory_set_num_threads(threads < 1 ? armory::default_thread_count() : threads);
}
ARMORY_EXPORT int openblas_get_num_threads(void) { return armory_get_num_threads(); }
ARMORY_EXPORT const char* openblas_get_config(void) { return armory_get_config(); }
ARMORY_EXPORT const char* openblas_get_corename(void) {
  thread_local std::string name;
  name = armory::dispatched_isa_name();
  return name.c_str();
}
ARMORY_EXPORT int openblas_get_parallel(void) { return 1; }

ARMORY_EXPORT void cblas_sbgemm(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, CBLAS_INT m,
                                CBLAS_INT n, CBLAS_INT k, float alpha, const armory_bfloat16* a, CBLAS_INT lda,
                                const armory_bfloat16* b, CBLAS_INT ldb, float beta, float* c, CBLAS_INT ldc) {
  const char* name = "cblas_sbgemm";
  if (layout != CblasRowMajor && layout != CblasColMajor) return cblas_bad_option(1, name, "order", layout);
  auto trans_of = [](CBLAS_TRANSPOSE t) -> std::optional<armory::Trans> {
    if (t == CblasNoTrans) return armory::Trans::no;
    if (t == CblasTrans || t == CblasConjTrans) return armory::Trans::yes;
    return std::nullopt;
  };
  const auto ta = trans_of(trans_a), tb = trans_of(trans_b);
  if (!ta) return cblas_bad_option(2, name, "TransA", trans_a);
  if (!tb) return cblas_bad_option(3, name, "TransB", trans_b);
  // Argument positions as for cblas_sgemm, checked on the column-major form of the call.
  const bool row_major = layout == CblasRowMajor;
  const auto op = [](armory::Trans t) { return t == armory::Trans::no ? Op::none : Op::trans; };
  const int bad = row_major ? validate_gemm(op(*tb), op(*ta), n, m, k, ldb, lda, ldc)
                            : validate_gemm(op(*ta), op(*tb), m, n, k, lda, ldb, ldc);
  if (bad) return CblasArgumentError{name, row_major}(bad);
  const armory::Status status = armory::gemm_bf16(row_major ? armory::Layout::row_major : armory::Layout::col_major,
                                                  *ta, *tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (!status.ok()) std::fprintf(stderr, "armory BLAS: internal error, please report: %s\n", status.message().c_str());
}

ARMORY_EXPORT void sbgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                           const float* alpha, const armory_bfloat16* a, const int* lda, const armory_bfloat16* b,
                           const int* ldb, const float* beta, float* c, const int* ldc) {
  const auto op_a = parse_op<float>(*transa), op_b = parse_op<float>(*transb);
  if (int bad = validate_gemm(op_a, op_b, *m, *n, *k, *lda, *ldb, *ldc)) return FortranArgumentError{"SBGEMM"}(bad);
  const auto trans = [](Op op) { return op == Op::none ? armory::Trans::no : armory::Trans::yes; };
  const armory::Status status = armory::gemm_bf16(armory::Layout::col_major, trans(*op_a), trans(*op_b), *m, *n, *k,
                                                  *alpha, a, *lda, b, *ldb, *beta, c, *ldc);
  if (!status.ok()) std::fprintf(stderr, "armory BLAS: internal error, please report: %s\n", status.message().c_str());
}

ARMORY_EXPORT void cblas_sbstobf16(CBLAS_INT n, const float* in, CBLAS_INT incin, armory_bfloat16* out,
                                   CBLAS_INT incout) {
  if (n <= 0) return;
  Strided<const float> x(in, n, incin);
  Strided<armory_bfloat16> y(out, n, incout);
  for (index_t i = 0; i < n; ++i) y[i] = armory::float_to_bf16(x[i]);
}

ARMORY_EXPORT void cblas_sbf16tos(CBLAS_INT n, const armory_bfloat16* in, CBLAS_INT incin, float* out,
                                  CBLAS_INT incout) {
  if (n <= 0) return;
  Strided<const armory_bfloat16> x(in, n, incin);
  Strided<float> y(out, n, incout);
  for (index_t i = 0; i < n; ++i) y[i] = armory::bf16_to_float(x[i]);
}
