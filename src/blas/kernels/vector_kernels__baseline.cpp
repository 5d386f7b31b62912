// The vector kernels compiled for the architecture's baseline (SSE2 on x86-64, NEON on aarch64).
#include "blas/kernels/vector_kernels_impl.h"

namespace armory::blas {

const VectorKernels kVectorKernelsBaseline = {"baseline", vector_impl::table<float>(), vector_impl::table<double>()};

}  // namespace armory::blas
