/* armory's extensions to the BLAS ABI, exported by armory's libblas.so.3 beside the standard Fortran BLAS
   and CBLAS symbols: thread control and configuration (also under OpenBLAS's names, so code and tools
   written for OpenBLAS can drive armory), and bf16 GEMM in OpenBLAS's sbgemm form. */
#ifndef ARMORY_BLAS_H
#define ARMORY_BLAS_H

#include <cblas.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Threads armory's GEMM may use, at most the CPUs it may run on; values < 1 are ignored (a message says so on
   stderr). */
void armory_set_num_threads(int threads);
int armory_get_num_threads(void);
/* One line: version, dispatched ISA and kernels, threads. Valid until the calling thread's next call. */
const char* armory_get_config(void);

/* OpenBLAS's names for the same; as in OpenBLAS, openblas_set_num_threads with a value < 1 sets the default
   count (ARMORY_NUM_THREADS, else OMP_NUM_THREADS, else the usable cores). */
void openblas_set_num_threads(int threads);
int openblas_get_num_threads(void);
const char* openblas_get_config(void);
const char* openblas_get_corename(void); /* the ISA armory dispatches to, e.g. "avx512_bf16" */
int openblas_get_parallel(void);         /* 1: armory uses its own thread pool (pthreads) */

/* bf16 storage: the upper 16 bits of an IEEE fp32. */
typedef uint16_t armory_bfloat16;

/* C = alpha op(A) op(B) + beta C with bf16 A and B, fp32 products and C (OpenBLAS's cblas_sbgemm). */
void cblas_sbgemm(CBLAS_LAYOUT layout, CBLAS_TRANSPOSE trans_a, CBLAS_TRANSPOSE trans_b, CBLAS_INT m, CBLAS_INT n,
                  CBLAS_INT k, float alpha, const armory_bfloat16* a, CBLAS_INT lda, const armory_bfloat16* b,
                  CBLAS_INT ldb, float beta, float* c, CBLAS_INT ldc);
/* fp32 <-> bf16 vectors (round to nearest even). */
void cblas_sbstobf16(CBLAS_INT n, const float* in, CBLAS_INT incin, armory_bfloat16* out, CBLAS_INT incout);
void cblas_sbf16tos(CBLAS_INT n, const armory_bfloat16* in, CBLAS_INT incin, float* out, CBLAS_INT incout);

#ifdef __cplusplus
}
#endif

#endif
