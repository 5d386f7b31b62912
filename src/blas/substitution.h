// Forward and back substitution for a small triangular block on a row-major block of right-hand sides:
// trsm's innermost step. Shared by the per-ISA vector kernels (float, double: compiled with each ISA's
// flags, where the row passes vectorise) and level3.cpp (complex).
#pragma once

#include <cstdint>

namespace armory::blas {
// Internal linkage, as in kernels/vector_kernels_impl.h: each file including this keeps its own copy,
// compiled for its ISA, rather than the linker merging them into whichever it saw first.
namespace {

// Solves M X = B in place for the ib x ib triangular block M at m (column-major, ld ldm; its other triangle,
// and its diagonal when unit, never read) and X's ib rows of width elements stored row-major in rows (row i
// at rows + i * ld_rows; trsm from the right passes X^T, whose rows are X's columns, in place):
// each step scales row p by the reciprocal of its diagonal entry (not on a unit diagonal; a division pass cost
// dtrsm from the right 1024 x 64 8%) and subtracts it, scaled, from the rows after (lower) or before (upper),
// one vector pass along a row. Reference BLAS's loop skips the elements
// of X that are zero; here, as in the GEMMs that do the rest of trsm, they are not skipped, so an infinite or
// NaN entry of M (or a zero on its diagonal) reaches them. A skip is a branch per element that GCC would not
// vectorise (a select on the product still became a conditional store).
template <class T>
void substitute_row_block(bool lower, bool unit, const T* m, int64_t ldm, int64_t ib, int64_t width, T* rows,
                          int64_t ld_rows) {
  for (int64_t step = 0; step < ib; ++step) {
    const int64_t p = lower ? step : ib - 1 - step;
    T* __restrict row_p = rows + p * ld_rows;
    if (!unit) {
      const T inverse = T(1) / m[p + p * ldm];
      for (int64_t c = 0; c < width; ++c) row_p[c] *= inverse;
    }
    const int64_t first = lower ? p + 1 : 0, end = lower ? ib : p;
    for (int64_t i = first; i < end; ++i) {
      const T coefficient = m[i + p * ldm];
      T* __restrict row_i = rows + i * ld_rows;
      for (int64_t c = 0; c < width; ++c) row_i[c] -= row_p[c] * coefficient;
    }
  }
}

}  // namespace
}  // namespace armory::blas
