// armory::svd with LAPACK's outcome codes, for the ?gesdd_/?gesvd_ ABI (src/lapack/lapack_api.cpp,
// through the bridge in svd_bridge.cpp). The arguments must already be valid: the ABI checks them first,
// in LAPACK's order and with LAPACK's codes.
#pragma once

#include <armory/svd.h>

#include <cstdint>

namespace armory::lapack {

inline constexpr int64_t kSvdInvalidInput = -1;  // A holds NaN or Inf
inline constexpr int64_t kSvdOutOfMemory = -2;  // or the engine refused to run (said on stderr)

// 0, the number of superdiagonal entries that did not converge (> 0), or one of the codes above.
template <class T>
int64_t svd_info(SvdVectors vectors, int64_t m, int64_t n, T* a, int64_t lda, T* s, T* u, int64_t ldu, T* vt,
                 int64_t ldvt);

}  // namespace armory::lapack
