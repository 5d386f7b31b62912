// The NEON register tile shared by the f32 and f64 micro-kernels (Neoverse N1/N2, any ARMv8 core):
// MR rows of C, NV q-registers wide. Each k step loads the packed A column as MR/lanes vectors and the
// packed B row as NV vectors, then does MR*NV "FMLA by element" (B vector times one lane of A), so no
// broadcasts are needed. f32 8x12: 24 accumulators + 2 A + 3 B = 29 of the 32 vector registers.
#pragma once

#include <arm_neon.h>

#include <cstdint>

namespace armory::gemm_engine::neon {

template <class T>
struct Vec;

template <>
struct Vec<float> {
  using V = float32x4_t;
  static constexpr int lanes = 4;
  static V zero() { return vdupq_n_f32(0.0f); }
  static V load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, V v) { vst1q_f32(p, v); }
  static V set1(float x) { return vdupq_n_f32(x); }
  template <int lane>
  static V fma_lane(V acc, V b, V a) { return vfmaq_laneq_f32(acc, b, a, lane); }
  static V fma(V acc, V b, V a) { return vfmaq_f32(acc, b, a); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
};

template <>
struct Vec<double> {
  using V = float64x2_t;
  static constexpr int lanes = 2;
  static V zero() { return vdupq_n_f64(0.0); }
  static V load(const double* p) { return vld1q_f64(p); }
  static void store(double* p, V v) { vst1q_f64(p, v); }
  static V set1(double x) { return vdupq_n_f64(x); }
  template <int lane>
  static V fma_lane(V acc, V b, V a) { return vfmaq_laneq_f64(acc, b, a, lane); }
  static V fma(V acc, V b, V a) { return vfmaq_f64(acc, b, a); }
  static V mul(V a, V b) { return vmulq_f64(a, b); }
};

// Rows I.. of one k step: row I uses lane I % lanes of A vector I / lanes (the lane must be a constant,
// hence the recursion over I).
template <class S, int I, int MR, int NV, class V>
__attribute__((always_inline)) inline void fma_rows(V (&acc)[MR][NV], const V (&bv)[NV], const V* av) {
  if constexpr (I < MR) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[I][j] = S::template fma_lane<I % S::lanes>(acc[I][j], bv[j], av[I / S::lanes]);
    fma_rows<S, I + 1, MR, NV>(acc, bv, av);
  }
}

// C[MR x NR] = alpha * A_panel * B_panel + beta * C (contract: docs/kernels.md).
template <class T, int MR, int NV>
inline void tile(int64_t kc, const T* __restrict a, const T* __restrict b, T* __restrict c, int64_t ldc, T alpha,
                 T beta) {
  using S = Vec<T>;
  using V = typename S::V;
  constexpr int L = S::lanes;
  constexpr int NR = NV * L;
  static_assert(MR % L == 0, "A column must fill whole vectors");

  // Every loop over the accumulators is fully unrolled: one runtime index and GCC keeps the whole array in
  // memory, storing it every k step.
  V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) acc[i][j] = S::zero();
  }
  for (int64_t p = 0; p < kc; ++p) {
    V av[MR / L], bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < MR / L; ++v) av[v] = S::load(a + v * L);
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = S::load(b + j * L);
    fma_rows<S, 0, MR, NV>(acc, bv, av);
    a += MR;
    b += NR;
  }

  const V va = S::set1(alpha), vb = S::set1(beta);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      T* cp = c + i * ldc + j * L;
      V scaled = S::mul(acc[i][j], va);
      S::store(cp, beta == T(0) ? scaled : S::fma(scaled, S::load(cp), vb));
    }
  }
}

}  // namespace armory::gemm_engine::neon
