// The scaling LAPACK's drivers apply before a factorisation whose entries' squares would under- or
// overflow: shared by the SVD (svd.cpp) and the small symmetric eigensolver (lapack_api.cpp's ?syevd).
#pragma once

#include <cmath>
#include <limits>

namespace armory::lapack {

// The factor that brings a matrix whose largest entry is amax (finite) into the range where the entries'
// squares are representable, [sqrt(min)/eps, sqrt(max)*eps]; 1 when it is there already.
template <class T>
T range_scale(T amax) {
  const T smallest = std::sqrt(std::numeric_limits<T>::min()) / std::numeric_limits<T>::epsilon();
  const T largest = T(1) / smallest;
  if (amax > T(0) && amax < smallest) return smallest / amax;
  if (amax > largest) return largest / amax;
  return T(1);
}

}  // namespace armory::lapack
