#include "lapack/qr.h"

#include "blas/vector_kernels.h"
#include "lapack/householder.h"

#include <armory/gemm.h>

#include <algorithm>
#include <cstdio>

namespace armory::lapack {

namespace {

constexpr int64_t kPanel = 32;

}  // namespace

// Each reflector is applied to the panel's later columns with the vector kernels (a dot and an axpy per
// column).
template <class T>
void qr_panel(int64_t h, int64_t nb, T* a, int64_t lda, T* tau) {
  const auto& k = blas::vector_kernels_for<T>();
  for (int64_t c = 0; c < nb; ++c) {
    if (c >= h) {
      tau[c] = T(0);
      continue;
    }
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

void report_gemm(const Status& status) {
  if (!status.ok()) std::fprintf(stderr, "armory svd: GEMM failed: %s\n", status.message().c_str());
}

template <class T>
void BlockReflector<T>::build(int64_t h, int64_t nb, const T* a, int64_t lda, const T* tau, bool by_rows,
                              bool lowered) {
  h_ = h;
  nb_ = nb;
  // V dense, with its zeros above and ones on the diagonal, so that the GEMMs can read it.
  v_.assign(static_cast<size_t>(h) * nb, T(0));
  const int64_t shift = lowered ? 1 : 0;
  for (int64_t c = 0; c < nb && c + shift < h; ++c) {
    v_[c + shift + c * h] = T(1);
    for (int64_t r = c + 1; r + shift < h; ++r) v_[r + shift + c * h] = by_rows ? a[c + r * lda] : a[r + c * lda];
  }
  t_.resize(static_cast<size_t>(nb) * nb);
  triangular_factor(h, nb, v_.data(), tau, t_.data());
}

template <class T>
void BlockReflector<T>::left(bool transposed, int64_t cols, T* c, int64_t ldc) {
  if (cols <= 0 || h_ == 0) return;
  // C -= V (op(T) (V^T C)), op(T) = T^T for H^T. w_ and tw_ are written in full by the GEMMs (beta = 0).
  w_.resize(static_cast<size_t>(nb_) * cols);
  tw_.resize(static_cast<size_t>(nb_) * cols);
  report_gemm(
      gemm(Layout::col_major, Trans::yes, Trans::no, nb_, cols, h_, T(1), v_.data(), h_, c, ldc, T(0), w_.data(), nb_));
  report_gemm(gemm(Layout::col_major, transposed ? Trans::yes : Trans::no, Trans::no, nb_, cols, nb_, T(1),
                   t_.data(), nb_, w_.data(), nb_, T(0), tw_.data(), nb_));
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, h_, cols, nb_, T(-1), v_.data(), h_, tw_.data(), nb_,
                   T(1), c, ldc));
}

template <class T>
void BlockReflector<T>::apply_right(int64_t rows, T* c, int64_t ldc) {
  if (rows <= 0 || h_ == 0) return;
  // C -= ((C V) T) V^T.
  w_.resize(static_cast<size_t>(rows) * nb_);
  tw_.resize(static_cast<size_t>(rows) * nb_);
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, rows, nb_, h_, T(1), c, ldc, v_.data(), h_, T(0),
                   w_.data(), rows));
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, rows, nb_, nb_, T(1), w_.data(), rows, t_.data(), nb_,
                   T(0), tw_.data(), rows));
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::yes, rows, h_, nb_, T(-1), tw_.data(), rows, v_.data(), h_,
                   T(1), c, ldc));
}

template <class T>
void qr_factor(int64_t m, int64_t n, T* a, int64_t lda, std::vector<T>& tau) {
  tau.assign(static_cast<size_t>(n), T(0));
  BlockReflector<T> h;
  for (int64_t j0 = 0; j0 < n; j0 += kPanel) {
    const int64_t nb = std::min(kPanel, n - j0), rest = n - j0 - nb;
    T* panel = a + j0 + j0 * lda;
    qr_panel(m - j0, nb, panel, lda, tau.data() + j0);
    if (rest <= 0) continue;
    h.build(m - j0, nb, panel, lda, tau.data() + j0);
    h.apply_transposed_left(rest, panel + nb * lda, lda);
  }
}

template void qr_factor<float>(int64_t, int64_t, float*, int64_t, std::vector<float>&);
template void qr_factor<double>(int64_t, int64_t, double*, int64_t, std::vector<double>&);
template void qr_panel<float>(int64_t, int64_t, float*, int64_t, float*);
template void qr_panel<double>(int64_t, int64_t, double*, int64_t, double*);
template class BlockReflector<float>;
template class BlockReflector<double>;

}  // namespace armory::lapack
