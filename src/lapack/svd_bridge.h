// The two functions libblas.so.3 exports for liblapack.so.3: armory's SVD with LAPACK outcome codes
// (lapack/svd_info.h). Both libraries must run on one engine and one thread pool, and the engine lives
// in libblas.so.3, so armory's LAPACK routines reach it through these rather than linking a second copy.
// vectors: 'N' none, 'S' thin, 'A' full.
#pragma once

#include <cstdint>

extern "C" {
int64_t armory_lapack_svd_s(char vectors, int64_t m, int64_t n, float* a, int64_t lda, float* s, float* u,
                            int64_t ldu, float* vt, int64_t ldvt);
int64_t armory_lapack_svd_d(char vectors, int64_t m, int64_t n, double* a, int64_t lda, double* s, double* u,
                            int64_t ldu, double* vt, int64_t ldvt);
}
