#include "gemm/kernels/kernels.h"

#include <arm_sve.h>

namespace armory::gemm_engine {

// SVE BFMMLA, vector-length agnostic: the instruction works per 128-bit segment, so a B vector holds
// VL/128 column pairs (x 4 k) and the A row pair is replicated to every segment with LD1RQ. 8 rows x 4
// vectors: NR = 8 columns per 128 bits of vector length (8 at N2, 16 at V1). 16 accumulators + 4 A + 4 B.
// Stored rows are the even (row 2r) and odd (row 2r+1) 64-bit elements of two accumulators: UZP1/UZP2.
void gemm_bf16_8x4vl__svebfmmla(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                              float beta) {
  const svbool_t all16 = svptrue_b16(), all32 = svptrue_b32();
  const int64_t vl16 = static_cast<int64_t>(svcnth());  // bf16 elements per vector
  const int64_t vl32 = static_cast<int64_t>(svcntw());
  const bfloat16_t* ap = reinterpret_cast<const bfloat16_t*>(a);
  const bfloat16_t* bp = reinterpret_cast<const bfloat16_t*>(b);
  svfloat32_t c00 = svdup_n_f32(0.0f), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00,
              c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
  for (int64_t p = 0; p < kc; p += 4) {
    const svbfloat16_t b0 = svld1_vnum(all16, bp, 0), b1 = svld1_vnum(all16, bp, 1), b2 = svld1_vnum(all16, bp, 2),
                       b3 = svld1_vnum(all16, bp, 3);
    const svbfloat16_t a0 = svld1rq(all16, ap), a1 = svld1rq(all16, ap + 8), a2 = svld1rq(all16, ap + 16),
                       a3 = svld1rq(all16, ap + 24);
    c00 = svbfmmla(c00, a0, b0); c01 = svbfmmla(c01, a0, b1); c02 = svbfmmla(c02, a0, b2); c03 = svbfmmla(c03, a0, b3);
    c10 = svbfmmla(c10, a1, b0); c11 = svbfmmla(c11, a1, b1); c12 = svbfmmla(c12, a1, b2); c13 = svbfmmla(c13, a1, b3);
    c20 = svbfmmla(c20, a2, b0); c21 = svbfmmla(c21, a2, b1); c22 = svbfmmla(c22, a2, b2); c23 = svbfmmla(c23, a2, b3);
    c30 = svbfmmla(c30, a3, b0); c31 = svbfmmla(c31, a3, b1); c32 = svbfmmla(c32, a3, b2); c33 = svbfmmla(c33, a3, b3);
    ap += 32;
    bp += 4 * vl16;
  }
  const svfloat32_t va = svdup_n_f32(alpha), vb = svdup_n_f32(beta);
  auto store = [&](float* dst, svfloat32_t x) {
    svfloat32_t scaled = svmul_x(all32, x, va);
    if (beta != 0.0f) scaled = svmla_x(all32, scaled, svld1(all32, dst), vb);
    svst1(all32, dst, scaled);
  };
  // Row pair r from accumulators (x0, x1) covering the first vector of columns and (x2, x3) the second.
  auto store_pair = [&](int r, svfloat32_t x0, svfloat32_t x1, svfloat32_t x2, svfloat32_t x3) {
    auto f64 = [](svfloat32_t x) { return svreinterpret_f64(x); };
    float* even = c + (2 * r) * ldc;
    float* odd = even + ldc;
    store(even, svreinterpret_f32(svuzp1(f64(x0), f64(x1))));
    store(odd, svreinterpret_f32(svuzp2(f64(x0), f64(x1))));
    store(even + vl32, svreinterpret_f32(svuzp1(f64(x2), f64(x3))));
    store(odd + vl32, svreinterpret_f32(svuzp2(f64(x2), f64(x3))));
  };
  store_pair(0, c00, c01, c02, c03);
  store_pair(1, c10, c11, c12, c13);
  store_pair(2, c20, c21, c22, c23);
  store_pair(3, c30, c31, c32, c33);
}

}  // namespace armory::gemm_engine
