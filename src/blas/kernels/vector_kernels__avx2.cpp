// The vector kernels compiled for AVX2 + FMA.
#include "blas/kernels/vector_kernels_impl.h"

namespace armory::blas {

const VectorKernels kVectorKernelsAvx2 = {"avx2", vector_impl::table<float>(), vector_impl::table<double>()};

}  // namespace armory::blas
