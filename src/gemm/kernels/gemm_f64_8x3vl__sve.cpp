#include "gemm/kernels/gemm_tile__sve.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

void gemm_f64_8x3vl__sve(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, double alpha,
                         double beta) {
  sve::tile<double>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
