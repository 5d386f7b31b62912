#include "lapack/qr.h"

#include "blas/vector_kernels.h"
#include "lapack/householder.h"

#include <armory/gemm.h>

#include <algorithm>

namespace armory::lapack {

namespace {

constexpr int64_t kPanel = 32;

// The panel (h x nb) reduced column by column; each reflector applied to the panel's later columns with
// the vector kernels (a dot and an axpy per column).
template <class T>
void qr_panel(int64_t h, int64_t nb, T* a, int64_t lda, T* tau) {
  const auto& k = blas::vector_kernels_for<T>();
  for (int64_t c = 0; c < nb && c < h; ++c) {
    T* col = a + c + c * lda;
    tau[c] = make_reflector(h - c, col[0], col + 1, 1);
    if (tau[c] == T(0)) continue;
    const T head = col[0];
    col[0] = T(1);
    for (int64_t j = c + 1; j < nb; ++j) {
      T* target = a + c + j * lda;
      const T w = tau[c] * k.dot(h - c, col, target);
      k.axpy(h - c, -w, col, target);
    }
    col[0] = head;
  }
}

}  // namespace

template <class T>
void qr_factor(int64_t m, int64_t n, T* a, int64_t lda, std::vector<T>& tau) {
  tau.assign(static_cast<size_t>(n), T(0));
  std::vector<T> v, t, w, tw;
  for (int64_t j0 = 0; j0 < n; j0 += kPanel) {
    const int64_t nb = std::min(kPanel, n - j0), h = m - j0, rest = n - j0 - nb;
    T* panel = a + j0 + j0 * lda;
    qr_panel(h, nb, panel, lda, tau.data() + j0);
    if (rest <= 0) continue;
    // The trailing columns get H^T = I - V T^T V^T of the whole panel: three GEMMs.
    v.assign(static_cast<size_t>(h) * nb, T(0));
    for (int64_t c = 0; c < nb; ++c) {
      v[c + c * h] = T(1);
      for (int64_t r = c + 1; r < h; ++r) v[r + c * h] = panel[r + c * lda];
    }
    t.resize(static_cast<size_t>(nb) * nb);
    triangular_factor(h, nb, v.data(), tau.data() + j0, t.data());
    T* trailing = panel + nb * lda;
    w.assign(static_cast<size_t>(nb) * rest, T(0));
    tw.assign(static_cast<size_t>(nb) * rest, T(0));
    gemm(Layout::col_major, Trans::yes, Trans::no, nb, rest, h, T(1), v.data(), h, trailing, lda, T(0), w.data(), nb);
    gemm(Layout::col_major, Trans::yes, Trans::no, nb, rest, nb, T(1), t.data(), nb, w.data(), nb, T(0), tw.data(), nb);
    gemm(Layout::col_major, Trans::no, Trans::no, h, rest, nb, T(-1), v.data(), h, tw.data(), nb, T(1), trailing, lda);
  }
}

template void qr_factor<float>(int64_t, int64_t, float*, int64_t, std::vector<float>&);
template void qr_factor<double>(int64_t, int64_t, double*, int64_t, std::vector<double>&);

}  // namespace armory::lapack
