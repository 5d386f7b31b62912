#include "gemm/kernels/gemm_tile__avx2.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

void gemm_f64_6x8__avx2(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, double alpha,
                        double beta) {
  avx2::tile<double, 6, 2>(kc, a, 1, 6, b, 2 * avx2::Vec<double>::lanes, c, ldc, alpha, beta);
}

void gemm_f64_6x8__avx2_unpacked_a(int64_t kc, const double* a, int64_t lda, const double* b, double* c, int64_t ldc,
                                   double alpha, double beta) {
  avx2::tile<double, 6, 2>(kc, a, lda, 1, b, 2 * avx2::Vec<double>::lanes, c, ldc, alpha, beta);
}

void gemm_f64_6x8__avx2_direct_packing_b(int64_t kc, const double* a, int64_t lda, const double* b, int64_t ldb,
                                         double* b_packed, double* c, int64_t ldc, double alpha, double beta,
                                         int rows) {
  avx2::direct_packing_b_tile<double, 6, 2>(kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta, rows);
}

void gemm_f64_6x8__avx2_unpacked_a_edge(int64_t kc, const double* a, int64_t lda, const double* b, double* c,
                                        int64_t ldc, double alpha, double beta, int rows, int cols) {
  avx2::edge_tile<double, 6, 2>(kc, a, lda, b, 8, c, ldc, alpha, beta, rows, cols);
}

void gemm_f64_6x8__avx2_direct(int64_t kc, const double* a, int64_t lda, const double* b, int64_t ldb, double* c,
                               int64_t ldc, double alpha, double beta, int rows, int cols) {
  avx2::direct_tile<double, 6, 2>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
}

}  // namespace armory::gemm_engine
