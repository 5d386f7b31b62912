// Every GEMM micro-kernel armory has, one per file named for what and where (XNNPACK style).
// The contract, with a picture, is in docs/kernels.md. In short:
//   C[MR x NR] = alpha * A_panel * B_panel + beta * C   (C row-major, row stride ldc, column stride 1)
//   a: packed A micro-panel, kc steps of MR values;  b: packed B micro-panel, kc steps of NR values.
//   BF16 kernels take kc a multiple of their k group (2 for dot, 4 for MMLA kernels): each step holds a
//   k group, (k, k+1, ...) adjacent for every row of A and column of B.
//   beta == 0 must not read C. The driver handles edge tiles (it passes a scratch tile).
#pragma once

#include <cstdint>

namespace armory::gemm_engine {

using bf16_t = uint16_t;

template <class T>
using TileKernel = void (*)(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta);
// The same tile reading a row-major A in place: A(i, p) = a[i * lda + p], all MR rows present.
template <class T>
using UnpackedATileKernel = void (*)(int64_t kc, const T* a, int64_t lda, const T* b, T* c, int64_t ldc, T alpha,
                                     T beta);
using Bf16TileKernel = void (*)(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                                float beta);
// The unpacked-A tile for the edge of C: rows in 1..MR, cols in 1..NR, written straight into C.
template <class T>
using UnpackedAEdgeKernel = void (*)(int64_t kc, const T* a, int64_t lda, const T* b, T* c, int64_t ldc, T alpha,
                                     T beta, int rows, int cols);
// The same for the BF16 kernels: bf16 A read in place, fp32 C.
using UnpackedABf16EdgeKernel = void (*)(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, float* c,
                                         int64_t ldc, float alpha, float beta, int rows, int cols);
// Small problems: A and B both row-major and read in place (B row p at b + p * ldb), any rows/cols.
template <class T>
using DirectTileKernel = void (*)(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc,
                                  T alpha, T beta, int rows, int cols);
// A full-width tile reading a row-major A and B in place (any rows) that also writes the B it reads as a
// packed micro-panel, b_packed[p * NR + j] = B(p, j): the first tile of a strip packs B for the tiles after it.
template <class T>
using DirectPackingBTileKernel = void (*)(int64_t kc, const T* a, int64_t lda, const T* b, int64_t ldb, T* b_packed,
                                          T* c, int64_t ldc, T alpha, T beta, int rows);
// Small problems for the BF16 kernels: A in bf16 read in place (row-major, any rows), B row-major read in
// place (row p at b + p * ldb, any cols), as bf16 or as fp32 rounded in the kernel (BF16 fast math).
using DirectBf16TileKernel = void (*)(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, int64_t ldb,
                                      float* c, int64_t ldc, float alpha, float beta, int rows, int cols);
using DirectBf16F32BTileKernel = void (*)(int64_t kc, const bf16_t* a, int64_t lda, const float* b, int64_t ldb,
                                          float* c, int64_t ldc, float alpha, float beta, int rows, int cols);
struct DirectBf16Kernels {
  DirectBf16TileKernel bf16_b = nullptr;
  DirectBf16F32BTileKernel f32_b = nullptr;
};
// DirectPackingBTileKernel for the BF16 kernels: B's packed micro-panel in k pairs, as interleave_b packs it
// (kc rounded up to whole pairs, an odd kc's last partner zero).
using DirectPackingBBf16TileKernel = void (*)(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, int64_t ldb,
                                              bf16_t* b_packed, float* c, int64_t ldc, float alpha, float beta,
                                              int rows);
using DirectPackingBBf16F32BTileKernel = void (*)(int64_t kc, const bf16_t* a, int64_t lda, const float* b, int64_t ldb,
                                                  bf16_t* b_packed, float* c, int64_t ldc, float alpha, float beta,
                                                  int rows);
struct DirectPackingBBf16Kernels {
  DirectPackingBBf16TileKernel bf16_b = nullptr;
  DirectPackingBBf16F32BTileKernel f32_b = nullptr;
};
// fp32 -> bf16 of n contiguous values, round to nearest even, in the kernel's ISA (BF16 fast math's A).
using ConvertToBf16 = void (*)(const float* src, int64_t n, bf16_t* dst);
// Two fp32 rows -> n bf16 pairs (row0[j], row1[j]), round to nearest even: B's k-pair interleave, into
// micro-panels of nr columns (a multiple of 16): column j's pair at dst + (j / nr) * panel_stride + 2 * (j % nr).
// The last panel's columns past n are left as they are.
using InterleaveToBf16 = void (*)(const float* row0, const float* row1, int64_t n, int nr, int64_t panel_stride,
                                  bf16_t* dst);
// The same for bf16 rows (bf16 inputs), nothing to round.
using InterleaveBf16 = void (*)(const bf16_t* row0, const bf16_t* row1, int64_t n, int nr, int64_t panel_stride,
                                bf16_t* dst);
struct PairInterleave {
  InterleaveToBf16 from_f32 = nullptr;
  InterleaveBf16 from_bf16 = nullptr;
};
// A bf16 row-major A read in place: A(i, p) = a[i * lda + p], kc even, all MR rows present.
using UnpackedABf16TileKernel = void (*)(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, float* c,
                                         int64_t ldc, float alpha, float beta);

// The fused epilogue on a finished fp32 tile of C: c[i][j] = min(max(c[i][j] + bias[j], 0), upper) (bias may
// be null, relu optional, upper infinite for none), in a kernel's ISA; without one the driver's portable
// loop runs.
using BiasReluF32 = void (*)(int64_t rows, int64_t cols, float* c, int64_t ldc, const float* bias, bool relu,
                             float upper);

// BF16 activations: a finished fp32 tile (alpha applied) stored to a bf16 C as
// c = bf16(min(relu(tile + bias[j] + beta * c), upper)), rounded to nearest even; beta == 0 never reads C,
// bias may be null, relu optional, upper infinite for none.
using StoreBf16 = void (*)(int64_t rows, int64_t cols, const float* tile, int64_t ld_tile, bf16_t* c, int64_t ldc,
                           float beta, const float* bias, bool relu, float upper);

// The unpacked-A tile of a BF16 kernel storing a bf16 C with the epilogue fused (store_bf16's contract, alpha
// applied here): a full MR x NR tile straight from the registers, no fp32 scratch. stream (only with beta =
// 0, C's rows 64-byte aligned): non-temporal stores, which write C around the caches and are ordered by a
// fence the caller issues before anyone reads C.
using UnpackedABf16CTileKernel = void (*)(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, bf16_t* c,
                                          int64_t ldc, float alpha, float beta, const float* bias, bool relu,
                                          float upper, bool stream);

// The unpacked-A tile of an fp32 kernel with the epilogue fused: a full MR x NR tile stored once as
// c = min(relu(alpha * acc + beta * c + bias[j]), upper) (bias may be null, relu optional, upper infinite for
// none), the same operations in the same order as the tile followed by BiasReluF32, so the same bits; C is
// not read back after the product.
using UnpackedAFusedF32TileKernel = void (*)(int64_t kc, const float* a, int64_t lda, const float* b, float* c,
                                             int64_t ldc, float alpha, float beta, const float* bias, bool relu,
                                             float upper);

// Portable C++ (no ISA flags): the slow twins every fast kernel is compared with, and the fallback.
void gemm_f32_4x16__scalar(int64_t, const float*, const float*, float*, int64_t, float, float);
void gemm_f64_4x8__scalar(int64_t, const double*, const double*, double*, int64_t, double, double);
void gemm_bf16_4x16__scalar(int64_t, const bf16_t*, const bf16_t*, float*, int64_t, float, float);

// x86-64
void gemm_f32_6x16__avx2(int64_t, const float*, const float*, float*, int64_t, float, float);
void gemm_f32_6x16__avx2_unpacked_a(int64_t, const float*, int64_t, const float*, float*, int64_t, float, float);
void gemm_f32_6x16__avx2_unpacked_a_edge(int64_t, const float*, int64_t, const float*, float*, int64_t, float, float,
                                         int, int);
void gemm_f32_6x16__avx2_direct(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, float, float,
                                int, int);
void gemm_f32_6x16__avx2_direct_packing_b(int64_t, const float*, int64_t, const float*, int64_t, float*, float*,
                                          int64_t, float, float, int);
void gemm_f64_6x8__avx2(int64_t, const double*, const double*, double*, int64_t, double, double);
void gemm_f64_6x8__avx2_unpacked_a(int64_t, const double*, int64_t, const double*, double*, int64_t, double, double);
void gemm_f64_6x8__avx2_unpacked_a_edge(int64_t, const double*, int64_t, const double*, double*, int64_t, double,
                                        double, int, int);
void gemm_f64_6x8__avx2_direct(int64_t, const double*, int64_t, const double*, int64_t, double*, int64_t, double,
                               double, int, int);
void gemm_f64_6x8__avx2_direct_packing_b(int64_t, const double*, int64_t, const double*, int64_t, double*, double*,
                                         int64_t, double, double, int);
void gemm_bf16_6x16__avx2(int64_t, const bf16_t*, const bf16_t*, float*, int64_t, float, float);
void gemm_bf16_6x16__avx2_unpacked_a(int64_t, const bf16_t*, int64_t, const bf16_t*, float*, int64_t, float, float);
void gemm_bf16_6x16__avx2_unpacked_a_edge(int64_t, const bf16_t*, int64_t, const bf16_t*, float*, int64_t, float, float,
                                          int, int);
void gemm_bf16_6x16__avx2_unpacked_a_bf16_c(int64_t, const bf16_t*, int64_t, const bf16_t*, bf16_t*, int64_t, float,
                                            float, const float*, bool, float, bool);
void gemm_bf16_6x16__avx2_direct(int64_t, const bf16_t*, int64_t, const bf16_t*, int64_t, float*, int64_t, float, float,
                                 int, int);
void gemm_bf16_6x16__avx2_direct_f32_b(int64_t, const bf16_t*, int64_t, const float*, int64_t, float*, int64_t, float,
                                       float, int, int);
void gemm_bf16_6x16__avx2_direct_packing_b(int64_t, const bf16_t*, int64_t, const bf16_t*, int64_t, bf16_t*, float*,
                                           int64_t, float, float, int);
void gemm_bf16_6x16__avx2_direct_packing_b_f32_b(int64_t, const bf16_t*, int64_t, const float*, int64_t, bf16_t*,
                                                 float*, int64_t, float, float, int);
void convert_f32_to_bf16__avx2(const float* src, int64_t n, bf16_t* dst);
void store_bf16__avx2(int64_t rows, int64_t cols, const float* tile, int64_t ld_tile, bf16_t* c, int64_t ldc,
                      float beta, const float* bias, bool relu, float upper);
void interleave_f32_to_bf16__avx2(const float* row0, const float* row1, int64_t n, int nr, int64_t panel_stride,
                                  bf16_t* dst);
void interleave_bf16__avx2(const bf16_t* row0, const bf16_t* row1, int64_t n, int nr, int64_t panel_stride,
                           bf16_t* dst);
void gemm_f32_12x32__avx512(int64_t, const float*, const float*, float*, int64_t, float, float);
void gemm_f32_12x32__avx512_unpacked_a(int64_t, const float*, int64_t, const float*, float*, int64_t, float, float);
void gemm_f32_12x32__avx512_unpacked_a_fused(int64_t, const float*, int64_t, const float*, float*, int64_t, float,
                                             float, const float*, bool, float);
void gemm_f32_12x32__avx512_unpacked_a_edge(int64_t, const float*, int64_t, const float*, float*, int64_t, float,
                                            float, int, int);
void gemm_f32_12x32__avx512_direct(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, float,
                                   float, int, int);
void gemm_f32_12x32__avx512_direct_packing_b(int64_t, const float*, int64_t, const float*, int64_t, float*, float*,
                                             int64_t, float, float, int);
void bias_relu_f32__avx512(int64_t rows, int64_t cols, float* c, int64_t ldc, const float* bias, bool relu,
                           float upper);
void gemm_f64_12x16__avx512(int64_t, const double*, const double*, double*, int64_t, double, double);
void gemm_f64_12x16__avx512_direct(int64_t, const double*, int64_t, const double*, int64_t, double*, int64_t, double,
                                   double, int, int);
void gemm_f64_12x16__avx512_unpacked_a_edge(int64_t, const double*, int64_t, const double*, double*, int64_t, double,
                                            double, int, int);
void gemm_f64_12x16__avx512_unpacked_a(int64_t, const double*, int64_t, const double*, double*, int64_t, double,
                                       double);
void gemm_f64_12x16__avx512_direct_packing_b(int64_t, const double*, int64_t, const double*, int64_t, double*, double*,
                                             int64_t, double, double, int);
void gemm_bf16_12x32__avx512bf16(int64_t, const bf16_t*, const bf16_t*, float*, int64_t, float, float);
void gemm_bf16_12x32__avx512bf16_unpacked_a(int64_t, const bf16_t*, int64_t, const bf16_t*, float*, int64_t, float,
                                            float);
void gemm_bf16_12x32__avx512bf16_unpacked_a_edge(int64_t, const bf16_t*, int64_t, const bf16_t*, float*, int64_t, float,
                                                 float, int, int);
void gemm_bf16_12x32__avx512bf16_direct(int64_t, const bf16_t*, int64_t, const bf16_t*, int64_t, float*, int64_t,
                                        float, float, int, int);
void gemm_bf16_12x32__avx512bf16_direct_f32_b(int64_t, const bf16_t*, int64_t, const float*, int64_t, float*, int64_t,
                                              float, float, int, int);
void gemm_bf16_12x32__avx512bf16_unpacked_a_bf16_c(int64_t, const bf16_t*, int64_t, const bf16_t*, bf16_t*, int64_t,
                                                   float, float, const float*, bool, float, bool);
void gemm_bf16_12x32__avx512bf16_direct_packing_b(int64_t, const bf16_t*, int64_t, const bf16_t*, int64_t, bf16_t*,
                                                  float*, int64_t, float, float, int);
void gemm_bf16_12x32__avx512bf16_direct_packing_b_f32_b(int64_t, const bf16_t*, int64_t, const float*, int64_t, bf16_t*,
                                                        float*, int64_t, float, float, int);
void store_bf16__avx512bf16(int64_t rows, int64_t cols, const float* tile, int64_t ld_tile, bf16_t* c, int64_t ldc,
                            float beta, const float* bias, bool relu, float upper);
void convert_f32_to_bf16__avx512bf16(const float* src, int64_t n, bf16_t* dst);
void interleave_f32_to_bf16__avx512bf16(const float* row0, const float* row1, int64_t n, int nr, int64_t panel_stride,
                                        bf16_t* dst);
void interleave_bf16__avx512bf16(const bf16_t* row0, const bf16_t* row1, int64_t n, int nr, int64_t panel_stride,
                                 bf16_t* dst);

// aarch64
void gemm_f32_8x12__neon(int64_t, const float*, const float*, float*, int64_t, float, float);
void gemm_f64_8x6__neon(int64_t, const double*, const double*, double*, int64_t, double, double);
// Scalable: NR = 3 vectors (12 floats or 6 doubles per 128 bits of vector length).
void gemm_f32_8x3vl__sve(int64_t, const float*, const float*, float*, int64_t, float, float);
void gemm_f64_8x3vl__sve(int64_t, const double*, const double*, double*, int64_t, double, double);
// BFMMLA kernels: k in groups of 4 (k_group = 4), see the files.
void gemm_bf16_8x8__neonbfmmla(int64_t, const bf16_t*, const bf16_t*, float*, int64_t, float, float);
void gemm_bf16_8x4vl__svebfmmla(int64_t, const bf16_t*, const bf16_t*, float*, int64_t, float, float);
// BFDOT: k pairs (k_group = 2), like vdpbf16ps.
void gemm_bf16_8x12__neonbfdot(int64_t, const bf16_t*, const bf16_t*, float*, int64_t, float, float);

}  // namespace armory::gemm_engine
