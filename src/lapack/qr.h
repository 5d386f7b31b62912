// Householder QR of a column-major m x n matrix (m >= n), blocked as LAPACK's dgeqrf with each panel
// reduced recursively (dgeqrt3's way): R in the upper triangle, the reflectors below it (the layout form_q
// reads). The SVD of a tall matrix starts here, and the two-stage band reduction (band_reduction.h) is
// made of its panels.
#pragma once

#include <armory/status.h>

#include "common/large_buffer.h"

#include <cstdint>
#include <vector>

namespace armory::lapack {

template <class T>
void qr_factor(int64_t m, int64_t n, T* a, int64_t lda, std::vector<T>& tau);

// The panel (h x nb, at a) reduced column by column: R in its upper triangle, the reflectors below.
template <class T>
void qr_panel(int64_t h, int64_t nb, T* a, int64_t lda, T* tau);

// qr_panel's result and, at t (nb x nb, ldt), the panel's block reflector's T (dlarft's, zeros below its
// diagonal), both from one recursion that does most of the work in GEMMs (qr.cpp).
template <class T>
void qr_panel_and_factor(int64_t h, int64_t nb, T* a, int64_t lda, T* tau, T* t, int64_t ldt);

// GEMM failures in the reductions: the engine refuses only arguments that cannot happen there, or an
// ARMORY_ISA the CPU lacks (which armory::svd checks first); the caller cannot recover either way, so say it.
void report_gemm(const Status& status);

// H = H_0 H_1 ... H_{nb-1} = I - V T V^T of a panel's reflectors (LAPACK's dlarft, forward, columnwise),
// applied to other matrices with three GEMMs (dlarfb). Keeps its buffers from one panel to the next.
template <class T>
class BlockReflector {
 public:
  // From the h x nb panel at a: reflector c is one at row c and a(c+1:h, c) below it, or with `by_rows`
  // (an LQ panel, or P of a bidiagonalization) one at row c and a(c, c+1:h) right of it. With `lowered`,
  // each reflector sits one row lower in an h-row V whose first row is zero: one at row c + 1 and
  // a(c+1:h-1, c) (or a(c, c+1:h-1)) below it, so H leaves C's first row alone.
  void build(int64_t h, int64_t nb, const T* a, int64_t lda, const T* tau, bool by_rows = false,
             bool lowered = false);
  // From a panel qr_panel_and_factor reduced, with the T it gave (upper triangle read).
  void adopt(int64_t h, int64_t nb, const T* a, int64_t lda, const T* t, int64_t ldt);
  // C <- H C and C <- H^T C, C h x cols.
  void apply_left(int64_t cols, T* c, int64_t ldc) { left(false, cols, c, ldc); }
  void apply_transposed_left(int64_t cols, T* c, int64_t ldc) { left(true, cols, c, ldc); }
  // C <- C H, C rows x h.
  void apply_right(int64_t rows, T* c, int64_t ldc);
  // C (h x cols, cols <= h) <- the first cols columns of H: H [I; 0] = [I; 0] - V (T V_top^T), V_top V's
  // first cols rows. C is written once and never read, where apply_left on an identity reads it as well.
  void form_leading_columns(int64_t cols, T* c, int64_t ldc);
  // C ((h - nb) x h) <- the transpose of H's columns nb..h-1: [0 I] - V_low (T^T V^T), V_low V's rows nb..h-1.
  // Written once, never read.
  void form_trailing_columns_transposed(T* c, int64_t ldc);

 private:
  void copy_reflectors(int64_t h, int64_t nb, const T* a, int64_t lda, bool by_rows, bool lowered);
  void left(bool transposed, int64_t cols, T* c, int64_t ldc);
  int64_t h_ = 0, nb_ = 0;
  LargeVector<T> v_, t_, w_, tw_;
};

}  // namespace armory::lapack
