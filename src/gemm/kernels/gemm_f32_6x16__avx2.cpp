#include "gemm/kernels/gemm_tile__avx2.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// 6 rows x 2 ymm: 12 accumulators + 2 B vectors + 1 broadcast of the 16 ymm registers.
void gemm_f32_6x16__avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  avx2::tile<float, 6, 2>(kc, a, 1, 6, b, 2 * avx2::Vec<float>::lanes, c, ldc, alpha, beta);
}

void gemm_f32_6x16__avx2_unpacked_a(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc,
                                    float alpha, float beta) {
  avx2::tile<float, 6, 2>(kc, a, lda, 1, b, 2 * avx2::Vec<float>::lanes, c, ldc, alpha, beta);
}

void gemm_f32_6x16__avx2_direct_packing_b(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb,
                                          float* b_packed, float* c, int64_t ldc, float alpha, float beta, int rows) {
  avx2::direct_packing_b_tile<float, 6, 2>(kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta, rows);
}

void gemm_f32_6x16__avx2_unpacked_a_edge(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc,
                                         float alpha, float beta, int rows, int cols) {
  avx2::edge_tile<float, 6, 2>(kc, a, lda, b, 16, c, ldc, alpha, beta, rows, cols);
}

void gemm_f32_6x16__avx2_direct(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                                int64_t ldc, float alpha, float beta, int rows, int cols) {
  avx2::direct_tile<float, 6, 2>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
}

}  // namespace armory::gemm_engine
