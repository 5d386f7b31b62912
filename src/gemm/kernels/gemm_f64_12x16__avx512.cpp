#include "gemm/kernels/gemm_tile__avx512.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// 12 rows x 2 zmm of 8 doubles: the same register budget as the f32 kernel.
void gemm_f64_12x16__avx512(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, double alpha,
                            double beta) {
  avx512::packed_b_tile<double, 12, 2>(kc, a, 1, 12, b, c, ldc, alpha, beta);
}

void gemm_f64_12x16__avx512_unpacked_a(int64_t kc, const double* a, int64_t lda, const double* b, double* c,
                                       int64_t ldc, double alpha, double beta) {
  avx512::packed_b_tile<double, 12, 2>(kc, a, lda, 1, b, c, ldc, alpha, beta);
}

void gemm_f64_12x16__avx512_unpacked_a_edge(int64_t kc, const double* a, int64_t lda, const double* b, double* c,
                                            int64_t ldc, double alpha, double beta, int rows, int cols) {
  avx512::edge_tile<double, 12, 2>(kc, a, lda, b, 16, c, ldc, alpha, beta, rows, cols);
}

void gemm_f64_12x16__avx512_direct(int64_t kc, const double* a, int64_t lda, const double* b, int64_t ldb, double* c,
                                   int64_t ldc, double alpha, double beta, int rows, int cols) {
  avx512::direct_tile<double, 12, 2>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
}

void gemm_f64_12x16__avx512_direct_packing_b(int64_t kc, const double* a, int64_t lda, const double* b, int64_t ldb,
                                             double* b_packed, double* c, int64_t ldc, double alpha, double beta,
                                             int rows) {
  avx512::direct_packing_b_tile<double, 12, 2>(kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta, rows);
}

}  // namespace armory::gemm_engine
