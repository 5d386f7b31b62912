// The SVE register tile shared by the f32 and f64 micro-kernels, vector-length agnostic: 8 rows of C,
// 3 vectors wide, so NR = 3 * VL / element bits (12 floats at N2's 128 bits, 24 at V1's 256).
// Each k step loads the A column with LD1RQ (128 bits replicated to every segment) and does
// "FMLA by element" per row: no broadcasts. 24 accumulators + 3 B + 2 (f32) or 4 (f64) A registers.
// SVE types cannot live in arrays, hence the named accumulators.
#pragma once

#include <arm_sve.h>

#include <cstdint>

namespace armory::gemm_engine::sve {

template <class T>
struct Vec;

template <>
struct Vec<float> {
  using V = svfloat32_t;
  static constexpr int quad_lanes = 4;
  static svbool_t all() { return svptrue_b32(); }
  static V zero() { return svdup_n_f32(0.0f); }
  static V set1(float x) { return svdup_n_f32(x); }
  static int64_t lanes() { return static_cast<int64_t>(svcntw()); }
};

template <>
struct Vec<double> {
  using V = svfloat64_t;
  static constexpr int quad_lanes = 2;
  static svbool_t all() { return svptrue_b64(); }
  static V zero() { return svdup_n_f64(0.0); }
  static V set1(double x) { return svdup_n_f64(x); }
  static int64_t lanes() { return static_cast<int64_t>(svcntd()); }
};

// One row of the tile: three accumulators += B vectors times lane `lane` of the A quad.
template <int lane, class V>
inline void row_fma(V& c0, V& c1, V& c2, V b0, V b1, V b2, V a) {
  c0 = svmla_lane(c0, b0, a, lane);
  c1 = svmla_lane(c1, b1, a, lane);
  c2 = svmla_lane(c2, b2, a, lane);
}

// C[8 x NR] = alpha * A_panel * B_panel + beta * C (contract: docs/kernels.md).
template <class T>
inline void tile(int64_t kc, const T* __restrict a, const T* __restrict b, T* __restrict c, int64_t ldc, T alpha,
                 T beta) {
  using S = Vec<T>;
  using V = typename S::V;
  const svbool_t pg = S::all();
  const int64_t L = S::lanes(), NR = 3 * L;
  V c00 = S::zero(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00, c20 = c00, c21 = c00, c22 = c00,
    c30 = c00, c31 = c00, c32 = c00, c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00,
    c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
  for (int64_t p = 0; p < kc; ++p) {
    const V b0 = svld1(pg, b), b1 = svld1_vnum(pg, b, 1), b2 = svld1_vnum(pg, b, 2);
    if constexpr (S::quad_lanes == 4) {
      const V a0 = svld1rq(pg, a), a1 = svld1rq(pg, a + 4);
      row_fma<0>(c00, c01, c02, b0, b1, b2, a0);
      row_fma<1>(c10, c11, c12, b0, b1, b2, a0);
      row_fma<2>(c20, c21, c22, b0, b1, b2, a0);
      row_fma<3>(c30, c31, c32, b0, b1, b2, a0);
      row_fma<0>(c40, c41, c42, b0, b1, b2, a1);
      row_fma<1>(c50, c51, c52, b0, b1, b2, a1);
      row_fma<2>(c60, c61, c62, b0, b1, b2, a1);
      row_fma<3>(c70, c71, c72, b0, b1, b2, a1);
    } else {
      const V a0 = svld1rq(pg, a), a1 = svld1rq(pg, a + 2), a2 = svld1rq(pg, a + 4), a3 = svld1rq(pg, a + 6);
      row_fma<0>(c00, c01, c02, b0, b1, b2, a0);
      row_fma<1>(c10, c11, c12, b0, b1, b2, a0);
      row_fma<0>(c20, c21, c22, b0, b1, b2, a1);
      row_fma<1>(c30, c31, c32, b0, b1, b2, a1);
      row_fma<0>(c40, c41, c42, b0, b1, b2, a2);
      row_fma<1>(c50, c51, c52, b0, b1, b2, a2);
      row_fma<0>(c60, c61, c62, b0, b1, b2, a3);
      row_fma<1>(c70, c71, c72, b0, b1, b2, a3);
    }
    a += 8;
    b += NR;
  }
  const V va = S::set1(alpha), vb = S::set1(beta);
  auto store = [&](T* row, V acc, int64_t vnum) {
    V scaled = svmul_x(pg, acc, va);
    if (beta != T(0)) scaled = svmla_x(pg, scaled, svld1_vnum(pg, row, vnum), vb);
    svst1_vnum(pg, row, vnum, scaled);
  };
  auto store_row = [&](int64_t i, V x0, V x1, V x2) {
    store(c + i * ldc, x0, 0);
    store(c + i * ldc, x1, 1);
    store(c + i * ldc, x2, 2);
  };
  store_row(0, c00, c01, c02);
  store_row(1, c10, c11, c12);
  store_row(2, c20, c21, c22);
  store_row(3, c30, c31, c32);
  store_row(4, c40, c41, c42);
  store_row(5, c50, c51, c52);
  store_row(6, c60, c61, c62);
  store_row(7, c70, c71, c72);
}

}  // namespace armory::gemm_engine::sve
