#include "gemm/kernels/gemm_tile__avx2.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

void gemm_f64_6x8__avx2(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, double alpha,
                        double beta) {
  avx2::tile<double, 6, 2>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
