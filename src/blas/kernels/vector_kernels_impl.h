// Portable bodies of the vector kernels (see vector_kernels.h), written so the compiler vectorises them
// for whatever ISA the including file is compiled for: unit stride, restrict pointers, and reductions
// marked `omp simd` (compiled with -fopenmp-simd: vector reassociation for these loops only, no OpenMP
// runtime). Included by one file per ISA; never compiled on its own.
#pragma once

#include "blas/vector_kernels.h"

namespace armory::blas::vector_impl {

template <class T>
T dot(int64_t n, const T* __restrict x, const T* __restrict y) {
  T sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

template <class T>
void axpy(int64_t n, T alpha, const T* __restrict x, T* __restrict y) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

// Four columns per pass, so y is loaded and stored once for four columns of A.
template <class T>
void gemv_n(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* __restrict y) {
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const T t0 = alpha * x[j], t1 = alpha * x[j + 1], t2 = alpha * x[j + 2], t3 = alpha * x[j + 3];
    const T* __restrict a0 = a + j * lda;
    const T* __restrict a1 = a0 + lda;
    const T* __restrict a2 = a1 + lda;
    const T* __restrict a3 = a2 + lda;
#pragma omp simd
    for (int64_t i = 0; i < m; ++i) y[i] += a0[i] * t0 + a1[i] * t1 + a2[i] * t2 + a3[i] * t3;
  }
  for (; j < n; ++j) axpy(m, alpha * x[j], a + j * lda, y);
}

// Four dot products per pass, so x is read once for four columns.
template <class T>
void gemv_t(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* __restrict x, T* y) {
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const T* __restrict a0 = a + j * lda;
    const T* __restrict a1 = a0 + lda;
    const T* __restrict a2 = a1 + lda;
    const T* __restrict a3 = a2 + lda;
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (int64_t i = 0; i < m; ++i) {
      s0 += a0[i] * x[i];
      s1 += a1[i] * x[i];
      s2 += a2[i] * x[i];
      s3 += a3[i] * x[i];
    }
    y[j] += alpha * s0;
    y[j + 1] += alpha * s1;
    y[j + 2] += alpha * s2;
    y[j + 3] += alpha * s3;
  }
  for (; j < n; ++j) y[j] += alpha * dot(m, a + j * lda, x);
}

template <class T>
constexpr VectorKernelsOf<T> table() {
  return {&dot<T>, &axpy<T>, &gemv_n<T>, &gemv_t<T>};
}

}  // namespace armory::blas::vector_impl
