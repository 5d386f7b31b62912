#include "gemm/kernels/gemm_tile__avx2.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// 6 rows x 2 ymm: 12 accumulators + 2 B vectors + 1 broadcast of the 16 ymm registers.
void gemm_f32_6x16__avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                         float beta) {
  avx2::tile<float, 6, 2>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
