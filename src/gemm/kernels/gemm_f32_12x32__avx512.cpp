#include "gemm/kernels/gemm_tile__avx512.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// 12 rows x 2 zmm: 24 accumulators + 2 B vectors + 1 broadcast fit the 32 zmm registers.
void gemm_f32_12x32__avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                            float beta) {
  avx512::tile<float, 12, 2>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
