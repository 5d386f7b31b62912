// The vector kernels compiled for AVX-512 (F, VL).
#include "blas/kernels/vector_kernels_impl.h"

namespace armory::blas {

const VectorKernels kVectorKernelsAvx512 = {"avx512", vector_impl::table<float>(), vector_impl::table<double>()};

}  // namespace armory::blas
