// Plane rotation [c s; -s c] [f; g] = [r; 0], as LAPACK's dlartg.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace armory::lapack {

// Inlined: the QR sweep calls it twice per step, on its critical path.
template <class T>
[[gnu::always_inline]] inline void plane_rotation(T f, T g, T& c, T& s, T& r) {
  if (g == T(0)) {
    c = 1;
    s = 0;
    r = f;
  } else if (f == T(0)) {
    c = 0;
    s = 1;
    r = g;
  } else if (const T sum = f * f + g * g;
             sum >= std::numeric_limits<T>::min() / std::numeric_limits<T>::epsilon() &&
             sum <= std::numeric_limits<T>::max()) {
    // The common case, directly: no square overflowed, and any that underflowed is below eps of the
    // other. Two independent divisions, so the QR sweep's dependency chain is one sqrt and one division.
    const T rs = std::sqrt(sum);
    c = f / rs;
    s = g / rs;
    r = rs;
  } else {
    // Through f and g scaled to the larger's magnitude: c and s from subnormal f and g directly would
    // carry their few significant bits and make a rotation that is not orthogonal.
    const T scale = std::max(std::abs(f), std::abs(g));
    const T fs = f / scale, gs = g / scale;
    const T rs = std::sqrt(fs * fs + gs * gs);
    c = fs / rs;
    s = gs / rs;
    r = rs * scale;
  }
}

}  // namespace armory::lapack
