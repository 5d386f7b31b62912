#include <immintrin.h>

#include <limits>

#include "gemm/kernels/gemm_tile__avx512.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// 12 rows x 2 zmm: 24 accumulators + 2 B vectors + 1 broadcast fit the 32 zmm registers.
void gemm_f32_12x32__avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                            float beta) {
  avx512::packed_b_tile<float, 12, 2>(kc, a, 1, 12, b, c, ldc, alpha, beta);
}

// The same tile reading a row-major A in place (A(i, p) = a[i * lda + p]): no packing of A, whose cost
// dominates when n is small (ResNet's 3136x64x576).
void gemm_f32_12x32__avx512_unpacked_a(int64_t kc, const float* a, int64_t lda, const float* b, float* c,
                                       int64_t ldc, float alpha, float beta) {
  avx512::packed_b_tile<float, 12, 2>(kc, a, lda, 1, b, c, ldc, alpha, beta);
}

// GCC 12 warns that _mm512_max_ps's internal _mm512_undefined_ps operand "may be used uninitialized"
// (GCC bug 105593, fixed in 13): nothing of ours is.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace {

// The epilogue on a finished vector, as bias_relu_f32__avx512 does it on the stored tile.
struct BiasRelu {
  const float* bias;
  bool relu;
  float upper;  // infinity: none
  __attribute__((always_inline)) __m512 operator()(int j, __m512 v) const {
    if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(bias + j * 16));
    if (relu) v = _mm512_max_ps(_mm512_setzero_ps(), v);  // v second: NaN stays NaN
    if (upper != std::numeric_limits<float>::infinity()) v = _mm512_min_ps(_mm512_set1_ps(upper), v);  // the same
    return v;
  }
};

}  // namespace

// Stored once, finished: a separate epilogue pass reloads the tile while its stores still wait for their
// lines, which cost a third of a small-k product (50176 x 256 x 64 with bias + ReLU, 1 thread: 13.9 -> 8.9 ms;
// ResNet50 fp32 at batch 16: the stem 34.8 -> 27.5 ms, layer1's downsample 13.3 -> 8.5).
void gemm_f32_12x32__avx512_unpacked_a_fused(int64_t kc, const float* a, int64_t lda, const float* b, float* c,
                                             int64_t ldc, float alpha, float beta, const float* bias, bool relu,
                                             float upper) {
  avx512::packed_b_tile<float, 12, 2>(kc, a, lda, 1, b, c, ldc, alpha, beta, BiasRelu{bias, relu, upper});
}

void gemm_f32_12x32__avx512_unpacked_a_edge(int64_t kc, const float* a, int64_t lda, const float* b, float* c,
                                            int64_t ldc, float alpha, float beta, int rows, int cols) {
  avx512::edge_tile<float, 12, 2>(kc, a, lda, b, 32, c, ldc, alpha, beta, rows, cols);
}

void gemm_f32_12x32__avx512_direct(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                                   int64_t ldc, float alpha, float beta, int rows, int cols) {
  avx512::direct_tile<float, 12, 2>(kc, a, lda, b, ldb, c, ldc, alpha, beta, rows, cols);
}

void gemm_f32_12x32__avx512_direct_packing_b(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb,
                                             float* b_packed, float* c, int64_t ldc, float alpha, float beta,
                                             int rows) {
  avx512::direct_packing_b_tile<float, 12, 2>(kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta, rows);
}

void bias_relu_f32__avx512(int64_t rows, int64_t cols, float* c, int64_t ldc, const float* bias, bool relu,
                           float upper) {
  const __m512 zero = _mm512_setzero_ps(), bound = _mm512_set1_ps(upper);
  const bool bounded = upper != std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < rows; ++i) {
    float* row = c + i * ldc;
    for (int64_t j = 0; j < cols; j += 16) {
      const __mmask16 mask = cols - j >= 16 ? __mmask16(0xffff) : __mmask16((1u << (cols - j)) - 1);
      __m512 v = _mm512_maskz_loadu_ps(mask, row + j);
      if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, bias + j));
      // max(v, 0) with v second: a NaN in C stays NaN, as in the portable loop.
      if (relu) v = _mm512_max_ps(zero, v);
      if (bounded) v = _mm512_min_ps(bound, v);  // v second again
      _mm512_mask_storeu_ps(row + j, mask, v);
    }
  }
}

#pragma GCC diagnostic pop

}  // namespace armory::gemm_engine
