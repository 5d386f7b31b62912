#include "gemm/kernels/gemm_tile__neon.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// 8 rows x 3 q-registers of 2 doubles: 24 accumulators + 4 A + 3 B = 31 registers.
void gemm_f64_8x6__neon(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, double alpha,
                        double beta) {
  neon::tile<double, 8, 3>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
