// Products that write one triangle of a square C: the engine under the BLAS's syrk and syr2k.
#pragma once

#include <armory/gemm.h>

namespace armory {

// Which elements of a square C a product writes: lower keeps row >= column, upper row <= column, of the C its
// user names (gemm_triangle's column-major C; the engine's row-major one in GemmArgs::triangle).
enum class Triangle { none, lower, upper };

namespace gemm_engine {

// The uplo triangle of the column-major n x n C <- alpha op(A) op(B) + beta C (op(A): n x k, op(B): k x n).
// The other triangle is neither read nor written, and the micro-tiles wholly inside it are not computed: a
// syrk through plain GEMMs computed a fifth more than it kept (the square diagonal blocks). Argument errors
// as armory::gemm's.
Status gemm_triangle(Triangle uplo, Trans trans_a, Trans trans_b, int64_t n, int64_t k, float alpha, const float* a,
                     int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
Status gemm_triangle(Triangle uplo, Trans trans_a, Trans trans_b, int64_t n, int64_t k, double alpha, const double* a,
                     int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

}  // namespace gemm_engine
}  // namespace armory
