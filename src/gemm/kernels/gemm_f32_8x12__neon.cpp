#include "gemm/kernels/gemm_tile__neon.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

void gemm_f32_8x12__neon(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  neon::tile<float, 8, 3>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
