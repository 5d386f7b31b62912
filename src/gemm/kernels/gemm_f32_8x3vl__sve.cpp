#include "gemm/kernels/gemm_tile__sve.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

void gemm_f32_8x3vl__sve(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  sve::tile<float>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
