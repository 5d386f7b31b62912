// What the BLAS test programs share: the fixture, real/complex traits for test code, random data and the
// vector-kernel tables this CPU can run.
#pragma once

#include <armory/isa.h>
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

#include "blas/types.h"
#include "blas/vector_kernels.h"
#include "isa_level_test.h"

namespace blas_test {

class BlasTest : public IsaLevelTest {};

using cfloat = std::complex<float>;
using cdouble = std::complex<double>;

using armory::blas::conj_if;
using armory::blas::is_complex;
using armory::blas::real_t;

template <class T>
std::vector<T> random_values(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<real_t<T>> u(-1, 1);
  std::vector<T> v(n);
  for (auto& x : v) {
    if constexpr (is_complex<T>) {
      x = T(u(rng), u(rng));
    } else {
      x = u(rng);
    }
  }
  return v;
}

// Every vector-kernel table this CPU can run (the process uses one, chosen by ISA and core).
inline std::vector<const armory::blas::VectorKernels*> runnable_vector_tables() {
  std::vector<const armory::blas::VectorKernels*> tables = {&armory::blas::kVectorKernelsBaseline};
#if defined(__x86_64__)
  const auto& cpu = armory::host_cpu();
  if (cpu.features.has(armory::Feature::avx2) && cpu.features.has(armory::Feature::fma)) {
    tables.push_back(&armory::blas::kVectorKernelsAvx2);
  }
  if (cpu.features.has(armory::Feature::avx512f) && cpu.features.has(armory::Feature::avx512vl)) {
    tables.push_back(&armory::blas::kVectorKernelsAvx512);
    tables.push_back(&armory::blas::kVectorKernelsAvx512HardwarePrefetch);
    tables.push_back(&armory::blas::kVectorKernelsAvx512NarrowStreams);
  }
#endif
  return tables;
}

}  // namespace blas_test
