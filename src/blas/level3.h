// BLAS level 3 on armory's GEMM engine. Column-major, reference BLAS 3.11 semantics. Real gemm goes
// straight to the engine; complex gemm is one real GEMM of twice the size (see gemm_complex in
// level3.cpp); symm, hemm, syrk, herk, syr2k, her2k, trmm and trsm are blocked so that nearly all of
// their flops are GEMM calls.
#pragma once

#include "types.h"

namespace armory::blas {

template <class T>
void gemm(Op op_a, Op op_b, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
          index_t ldb, T beta, T* c, index_t ldc);

// C <- alpha A B + beta C (side left) or alpha B A + beta C (right), A symmetric or Hermitian.
template <class T>
void symm(bool hermitian, Side side, Uplo uplo, index_t m, index_t n, T alpha, const T* a, index_t lda,
          const T* b, index_t ldb, T beta, T* c, index_t ldc);

// One triangle of C <- alpha op(A) op(A)^T + beta C; Hermitian (herk): op(A) op(A)^H with real alpha, beta.
template <class T>
void syrk(bool hermitian, Uplo uplo, Op op, index_t n, index_t k, T alpha, const T* a, index_t lda, T beta, T* c,
          index_t ldc);

// One triangle of C <- alpha op(A) op(B)^T + alpha op(B) op(A)^T + beta C; her2k: alpha op(A) op(B)^H +
// conj(alpha) op(B) op(A)^H with real beta.
template <class T>
void syr2k(bool hermitian, Uplo uplo, Op op, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
           index_t ldb, T beta, T* c, index_t ldc);

// B <- alpha op(A) B (left) or alpha B op(A) (right), A triangular.
template <class T>
void trmm(Side side, Uplo uplo, Op op, Diag diag, index_t m, index_t n, T alpha, const T* a, index_t lda, T* b,
          index_t ldb);

// Solves op(A) X = alpha B (left) or X op(A) = alpha B (right) for X, overwriting B.
template <class T>
void trsm(Side side, Uplo uplo, Op op, Diag diag, index_t m, index_t n, T alpha, const T* a, index_t lda, T* b,
          index_t ldb);

}  // namespace armory::blas
