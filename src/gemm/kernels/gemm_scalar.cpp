// The portable slow twins: plain loops over the same packed panels, compiled for the baseline ISA.
// Named per kernel in kernels.h; one template serves all three because they differ only in types.
#include "gemm/kernels/kernels.h"

#include <cstring>

namespace armory::gemm_engine {

namespace {

float widen(bf16_t x) {
  uint32_t bits = uint32_t{x} << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

template <int MR, int NR, class In, class Acc, int KGroup>
void scalar_tile(int64_t kc, const In* a, const In* b, Acc* c, int64_t ldc, Acc alpha, Acc beta) {
  Acc acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; p += KGroup) {
    for (int i = 0; i < MR; ++i) {
      for (int j = 0; j < NR; ++j) {
        if constexpr (KGroup == 1) {
          acc[i][j] += a[i] * b[j];
        } else {
          // Each k pair as vdpbf16ps/BFDOT do it: two fp32 products added one after the other.
          acc[i][j] += widen(a[2 * i]) * widen(b[2 * j]);
          acc[i][j] += widen(a[2 * i + 1]) * widen(b[2 * j + 1]);
        }
      }
    }
    a += MR * KGroup;
    b += NR * KGroup;
  }
  for (int i = 0; i < MR; ++i) {
    for (int j = 0; j < NR; ++j) {
      Acc scaled = alpha * acc[i][j];
      c[i * ldc + j] = beta == Acc(0) ? scaled : scaled + beta * c[i * ldc + j];
    }
  }
}

}  // namespace

void gemm_f32_4x16__scalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                           float beta) {
  scalar_tile<4, 16, float, float, 1>(kc, a, b, c, ldc, alpha, beta);
}

void gemm_f64_4x8__scalar(int64_t kc, const double* a, const double* b, double* c, int64_t ldc, double alpha,
                          double beta) {
  scalar_tile<4, 8, double, double, 1>(kc, a, b, c, ldc, alpha, beta);
}

void gemm_bf16_4x16__scalar(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                            float beta) {
  scalar_tile<4, 16, bf16_t, float, 2>(kc, a, b, c, ldc, alpha, beta);
}

}  // namespace armory::gemm_engine
