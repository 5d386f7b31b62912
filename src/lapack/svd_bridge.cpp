#include "lapack/svd_bridge.h"

#include "lapack/svd_info.h"

namespace {

armory::SvdVectors vectors_of(char vectors) {
  if (vectors == 'A') return armory::SvdVectors::full;
  if (vectors == 'S') return armory::SvdVectors::thin;
  return armory::SvdVectors::none;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_svd_s(char vectors, int64_t m, int64_t n,
                                                                             float* a, int64_t lda, float* s, float* u,
                                                                             int64_t ldu, float* vt, int64_t ldvt) {
  return armory::lapack::svd_info(vectors_of(vectors), m, n, a, lda, s, u, ldu, vt, ldvt);
}

extern "C" __attribute__((visibility("default"))) int64_t armory_lapack_svd_d(char vectors, int64_t m, int64_t n,
                                                                             double* a, int64_t lda, double* s,
                                                                             double* u, int64_t ldu, double* vt,
                                                                             int64_t ldvt) {
  return armory::lapack::svd_info(vectors_of(vectors), m, n, a, lda, s, u, ldu, vt, ldvt);
}
