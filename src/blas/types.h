// Vocabulary shared by armory's BLAS: the operation enums, real/complex traits and Fortran's strided
// vector convention. Everything here is internal; the ABIs (Fortran and CBLAS) translate into it.
#pragma once

#include <complex>
#include <cstdint>
#include <type_traits>

namespace armory::blas {

using index_t = int64_t;
using cfloat = std::complex<float>;
using cdouble = std::complex<double>;

enum class Op { none, trans, conj_trans };
enum class Uplo { upper, lower };
enum class Diag { non_unit, unit };
enum class Side { left, right };

template <class T>
struct RealOf {
  using type = T;
};
template <class R>
struct RealOf<std::complex<R>> {
  using type = R;
};
template <class T>
using real_t = typename RealOf<T>::type;

template <class T>
inline constexpr bool is_complex = !std::is_same_v<T, real_t<T>>;

template <class T>
inline T conj_value(T x) {
  if constexpr (is_complex<T>) {
    return std::conj(x);
  } else {
    return x;
  }
}

template <class T>
inline T conj_if(T x, bool conjugate) {
  return conjugate ? conj_value(x) : x;
}

// |re| + |im|: the "absolute value" BLAS uses for asum and iamax on complex data (and plain |x| on real).
template <class T>
inline real_t<T> abs1(T x) {
  if constexpr (is_complex<T>) {
    return std::abs(x.real()) + std::abs(x.imag());
  } else {
    return std::abs(x);
  }
}

// Fortran BLAS walks a vector with a negative increment from its far end: element i of x lives at
// x[(i - (n - 1)) * inc] relative to the first stored element. Returns the offset of element 0.
inline index_t first_element(index_t n, index_t inc) { return inc < 0 ? (1 - n) * inc : 0; }

template <class T>
struct Strided {
  T* data;
  index_t inc;
  Strided(T* base, index_t n, index_t increment) : data(base + first_element(n, increment)), inc(increment) {}
  T& operator[](index_t i) const { return data[i * inc]; }
};

// Column-major matrix view: element (i, j) at data[i + j * ld].
template <class T>
struct ColMajor {
  T* data;
  index_t ld;
  T& operator()(index_t i, index_t j) const { return data[i + j * ld]; }
};

inline bool is_transposed(Op op) { return op != Op::none; }

}  // namespace armory::blas
