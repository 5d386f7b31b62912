// Plane rotation [c s; -s c] [f; g] = [r; 0], as LAPACK's dlartg.
#pragma once

#include <algorithm>
#include <cmath>

namespace armory::lapack {

template <class T>
void plane_rotation(T f, T g, T& c, T& s, T& r) {
  if (g == T(0)) {
    c = 1;
    s = 0;
    r = f;
  } else if (f == T(0)) {
    c = 0;
    s = 1;
    r = g;
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
