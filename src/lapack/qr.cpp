#include "lapack/qr.h"

#include "blas/vector_kernels.h"
#include "lapack/householder.h"

#include <armory/gemm.h>

#include <algorithm>
#include <cstdio>

namespace armory::lapack {

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

namespace {

// qr_factor's panels: the columns right of a panel are updated once per panel, by GEMMs this deep. 64, not
// LAPACK's 32: the recursive panel keeps the cost of a wider panel in GEMMs too, and the update runs nearer
// the GEMM engine's speed (float64 10000 x 500, Zen 5: see PERFORMANCE.md).
constexpr int64_t kPanel = 64;
// The recursion's leaves: panels this narrow are reduced column by column.
constexpr int64_t kLeafColumns = 8;

// While alive, the top w x w of the h-row panel at a reads as its reflectors' unit lower triangle (ones on
// the diagonal, zeros above), so that GEMMs take V straight from the matrix; R's entries come back after.
template <class T>
class ExposedReflectors {
 public:
  ExposedReflectors(int64_t h, int64_t w, T* a, int64_t lda, std::vector<T>& saved)
      : rows_(std::min(h, w)), w_(w), a_(a), lda_(lda), saved_(saved) {
    saved_.resize(static_cast<size_t>(w) * w);
    for (int64_t j = 0; j < w_; ++j) {
      for (int64_t i = 0; i <= j && i < rows_; ++i) {
        saved_[i + j * w_] = a_[i + j * lda_];
        a_[i + j * lda_] = i == j ? T(1) : T(0);
      }
    }
  }
  ~ExposedReflectors() {
    for (int64_t j = 0; j < w_; ++j) {
      for (int64_t i = 0; i <= j && i < rows_; ++i) a_[i + j * lda_] = saved_[i + j * w_];
    }
  }
  ExposedReflectors(const ExposedReflectors&) = delete;
  ExposedReflectors& operator=(const ExposedReflectors&) = delete;

 private:
  int64_t rows_, w_;
  T* a_;
  int64_t lda_;
  std::vector<T>& saved_;
};

template <class T>
struct PanelScratch {
  std::vector<T> saved, w, tw;
};

// C (h x cols) <- C - V op(T) (V^T C): H C, or H^T C when `transposed` (op(T) = T^T), for H = I - V T V^T with
// V (h x nb at v, ldv, its zeros and unit diagonal in place) and T (nb x nb at t, ldt, zeros below its
// diagonal). w and tw hold nb x cols each; the GEMMs write them in full (beta = 0).
template <class T>
void apply_block_left(bool transposed, int64_t h, int64_t nb, const T* v, int64_t ldv, const T* t, int64_t ldt,
                      int64_t cols, T* c, int64_t ldc, T* w, T* tw) {
  report_gemm(gemm(Layout::col_major, Trans::yes, Trans::no, nb, cols, h, T(1), v, ldv, c, ldc, T(0), w, nb));
  report_gemm(gemm(Layout::col_major, transposed ? Trans::yes : Trans::no, Trans::no, nb, cols, nb, T(1), t, ldt, w, nb,
                   T(0), tw, nb));
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, h, cols, nb, T(-1), v, ldv, tw, nb, T(1), c, ldc));
}

// C (h x cols) <- H^T C for the block reflector of the h x nb panel at a, its T at t (ldt), V read in place.
template <class T>
void apply_block_transposed(int64_t h, int64_t nb, T* a, int64_t lda, const T* t, int64_t ldt, int64_t cols, T* c,
                            int64_t ldc, PanelScratch<T>& s) {
  if (cols <= 0 || h <= 0) return;
  s.w.resize(static_cast<size_t>(nb) * cols);
  s.tw.resize(static_cast<size_t>(nb) * cols);
  ExposedReflectors<T> v(h, nb, a, lda, s.saved);
  apply_block_left(true, h, nb, a, lda, t, ldt, cols, c, ldc, s.w.data(), s.tw.data());
}

// The h x w panel at a reduced as qr_panel does, and the upper triangle of its block reflector's T written
// at t (ldt; the caller zeroes what is below), by Elmroth and Gustavson's recursion: the left half,
// its reflectors applied to the right half by GEMMs, the right half below the left's rows, and
// T = [T1, -T1 (V1^T V2) T2; 0, T2]. Column by column, each reflector is applied to the rest of the panel
// by a dot and an axpy per column, level-2 work over the whole panel height; here that is left only to the
// leaves, and the T that dlarft would build by w more passes over V comes out of the recursion. A panel
// with fewer rows than columns is a leaf whatever its width (it is small, and the halves would not fit).
template <class T>
void qr_panel_recursive(int64_t h, int64_t w, T* a, int64_t lda, T* tau, T* t, int64_t ldt, PanelScratch<T>& s) {
  if (w <= kLeafColumns || h < w) {
    qr_panel(h, w, a, lda, tau);
    ExposedReflectors<T> v(h, w, a, lda, s.saved);
    triangular_factor(h, w, a, lda, tau, t, ldt);
    return;
  }
  const int64_t w1 = w / 2, w2 = w - w1;
  qr_panel_recursive(h, w1, a, lda, tau, t, ldt, s);
  apply_block_transposed(h, w1, a, lda, t, ldt, w2, a + w1 * lda, lda, s);
  T* right = a + w1 + w1 * lda;
  T* t2 = t + w1 + w1 * ldt;
  qr_panel_recursive(h - w1, w2, right, lda, tau + w1, t2, ldt, s);
  // T12 = -T1 (V1^T V2) T2. V1's rows from w1 on are all below its triangle; V2 starts at row w1.
  s.w.resize(static_cast<size_t>(w1) * w2);
  s.tw.resize(static_cast<size_t>(w1) * w2);
  {
    ExposedReflectors<T> v2(h - w1, w2, right, lda, s.saved);
    report_gemm(gemm(Layout::col_major, Trans::yes, Trans::no, w1, w2, h - w1, T(1), a + w1, lda, right, lda, T(0),
                     s.w.data(), w1));
  }
  report_gemm(
      gemm(Layout::col_major, Trans::no, Trans::no, w1, w2, w1, T(1), t, ldt, s.w.data(), w1, T(0), s.tw.data(), w1));
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, w1, w2, w2, T(-1), s.tw.data(), w1, t2, ldt, T(0),
                   t + w1 * ldt, ldt));
}

}  // namespace

template <class T>
void qr_panel_and_factor(int64_t h, int64_t nb, T* a, int64_t lda, T* tau, T* t, int64_t ldt) {
  // The recursion's GEMMs read T whole: zeros below its diagonal.
  for (int64_t j = 0; j < nb; ++j) std::fill(t + j * ldt + j + 1, t + j * ldt + nb, T(0));
  PanelScratch<T> scratch;
  qr_panel_recursive(h, nb, a, lda, tau, t, ldt, scratch);
}

template <class T>
void BlockReflector<T>::copy_reflectors(int64_t h, int64_t nb, const T* a, int64_t lda, bool by_rows, bool lowered) {
  h_ = h;
  nb_ = nb;
  // V dense, with its zeros above and ones on the diagonal, so that the GEMMs can read it.
  v_.assign(static_cast<size_t>(h) * nb, T(0));
  const int64_t shift = lowered ? 1 : 0;
  for (int64_t c = 0; c < nb && c + shift < h; ++c) {
    v_[c + shift + c * h] = T(1);
    for (int64_t r = c + 1; r + shift < h; ++r) v_[r + shift + c * h] = by_rows ? a[c + r * lda] : a[r + c * lda];
  }
}

template <class T>
void BlockReflector<T>::build(int64_t h, int64_t nb, const T* a, int64_t lda, const T* tau, bool by_rows,
                              bool lowered) {
  copy_reflectors(h, nb, a, lda, by_rows, lowered);
  t_.assign(static_cast<size_t>(nb) * nb, T(0));
  triangular_factor(h, nb, v_.data(), h, tau, t_.data(), nb);
}

template <class T>
void BlockReflector<T>::adopt(int64_t h, int64_t nb, const T* a, int64_t lda, const T* t, int64_t ldt) {
  copy_reflectors(h, nb, a, lda, false, false);
  t_.assign(static_cast<size_t>(nb) * nb, T(0));
  for (int64_t j = 0; j < nb; ++j) std::copy_n(t + j * ldt, j + 1, t_.data() + j * nb);
}

template <class T>
void BlockReflector<T>::left(bool transposed, int64_t cols, T* c, int64_t ldc) {
  if (cols <= 0 || h_ == 0) return;
  w_.resize(static_cast<size_t>(nb_) * cols);
  tw_.resize(static_cast<size_t>(nb_) * cols);
  apply_block_left(transposed, h_, nb_, v_.data(), h_, t_.data(), nb_, cols, c, ldc, w_.data(), tw_.data());
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
void BlockReflector<T>::form_leading_columns(int64_t cols, T* c, int64_t ldc) {
  if (cols <= 0) return;
  tw_.resize(static_cast<size_t>(nb_) * cols);
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::yes, nb_, cols, nb_, T(1), t_.data(), nb_, v_.data(), h_, T(0),
                   tw_.data(), nb_));
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, h_, cols, nb_, T(-1), v_.data(), h_, tw_.data(), nb_, T(0),
                   c, ldc));
  for (int64_t i = 0; i < cols; ++i) c[i + i * ldc] += T(1);
}

template <class T>
void BlockReflector<T>::form_trailing_columns_transposed(T* c, int64_t ldc) {
  const int64_t rows = h_ - nb_;
  if (rows <= 0) return;
  tw_.resize(static_cast<size_t>(nb_) * h_);
  report_gemm(gemm(Layout::col_major, Trans::yes, Trans::yes, nb_, h_, nb_, T(1), t_.data(), nb_, v_.data(), h_, T(0),
                   tw_.data(), nb_));
  report_gemm(gemm(Layout::col_major, Trans::no, Trans::no, rows, h_, nb_, T(-1), v_.data() + nb_, h_, tw_.data(), nb_,
                   T(0), c, ldc));
  for (int64_t j = 0; j < rows; ++j) c[j + (nb_ + j) * ldc] += T(1);
}

template <class T>
void qr_factor(int64_t m, int64_t n, T* a, int64_t lda, std::vector<T>& tau) {
  tau.assign(static_cast<size_t>(n), T(0));
  PanelScratch<T> scratch;
  std::vector<T> t;
  for (int64_t j0 = 0; j0 < n; j0 += kPanel) {
    const int64_t nb = std::min(kPanel, n - j0), rest = n - j0 - nb;
    T* panel = a + j0 + j0 * lda;
    t.assign(static_cast<size_t>(nb) * nb, T(0));
    qr_panel_recursive(m - j0, nb, panel, lda, tau.data() + j0, t.data(), nb, scratch);
    apply_block_transposed(m - j0, nb, panel, lda, t.data(), nb, rest, panel + nb * lda, lda, scratch);
  }
}

template void qr_factor<float>(int64_t, int64_t, float*, int64_t, std::vector<float>&);
template void qr_factor<double>(int64_t, int64_t, double*, int64_t, std::vector<double>&);
template void qr_panel<float>(int64_t, int64_t, float*, int64_t, float*);
template void qr_panel<double>(int64_t, int64_t, double*, int64_t, double*);
template void qr_panel_and_factor<float>(int64_t, int64_t, float*, int64_t, float*, float*, int64_t);
template void qr_panel_and_factor<double>(int64_t, int64_t, double*, int64_t, double*, double*, int64_t);
template class BlockReflector<float>;
template class BlockReflector<double>;

}  // namespace armory::lapack
