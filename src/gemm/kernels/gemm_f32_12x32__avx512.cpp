#include "gemm/kernels/gemm_tile__avx512.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// 12 rows x 2 zmm: 24 accumulators + 2 B vectors + 1 broadcast fit the 32 zmm registers.
void gemm_f32_12x32__avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                            float beta) {
  avx512::tile<float, 12, 2>(kc, a, 1, 12, b, 32, c, ldc, alpha, beta);
}

// The same tile reading a row-major A in place (A(i, p) = a[i * lda + p]): no packing of A, whose cost
// dominates when n is small (ResNet's 3136x64x576).
void gemm_f32_12x32__avx512_unpacked_a(int64_t kc, const float* a, int64_t lda, const float* b, float* c,
                                       int64_t ldc, float alpha, float beta) {
  avx512::tile<float, 12, 2>(kc, a, lda, 1, b, 32, c, ldc, alpha, beta);
}

void gemm_f32_12x32__avx512_unpacked_a_edge(int64_t kc, const float* a, int64_t lda, const float* b, float* c,
                                            int64_t ldc, float alpha, float beta, int rows, int cols) {
  avx512::edge_tile<float, 12, 2>(kc, a, lda, b, 32, c, ldc, alpha, beta, rows, cols);
}

void gemm_f32_12x32__avx512_direct(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                                   int64_t ldc, float alpha, float beta, int rows, int cols) {
  avx512::direct_tile<float, 12, 2>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
}

}  // namespace armory::gemm_engine
