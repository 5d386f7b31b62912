// Packing: copy a block of op(A) or op(B) into the micro-panel order the kernels read (docs/kernels.md),
// zero-padding partial panels and, for the bf16 kernels, rounding to bf16 and interleaving k pairs.
#pragma once

#include <armory/gemm.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace armory::gemm_engine {

// fp32 -> bf16, round to nearest even; NaN stays a (quiet) NaN. Inline so packing loops vectorise.
inline bf16_t round_to_bf16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<bf16_t>((bits >> 16) | 0x0040u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<bf16_t>(bits >> 16);
}

// The element a panel stores for an input element: the same value, or the bf16 rounding of it.
template <class Packed, class In>
inline Packed to_packed(In x) {
  if constexpr (std::is_same_v<Packed, In>) {
    return x;
  } else {
    static_assert(std::is_same_v<Packed, bf16_t> && std::is_same_v<In, float>);
    return round_to_bf16(x);
  }
}

// A strided view of op(X) in the row-major problem: element (r, col) of the logical matrix.
template <class In>
struct MatrixView {
  const In* data;
  int64_t ld;
  bool trans;
  In at(int64_t r, int64_t col) const { return trans ? data[col * ld + r] : data[r * ld + col]; }
};

// Pack rows [row0, row0+rows) x depth [p0, p0+kc) of op(A) into micro-panels of `mr` rows.
// Panel layout: for each k group g, for each row i, k_group consecutive values. kc_padded = kc rounded up
// to k_group; missing rows and depths are zeros.
template <class Packed, class In>
void pack_a(const MatrixView<In>& a, int64_t row0, int64_t rows, int64_t p0, int64_t kc, int mr, int k_group,
            Packed* out) {
  const int64_t kc_padded = (kc + k_group - 1) / k_group * k_group;
  for (int64_t ir = 0; ir < rows; ir += mr) {
    const int64_t panel_rows = std::min<int64_t>(mr, rows - ir);
    Packed* panel = out + ir * kc_padded;
    if (k_group == 1 && !a.trans) {
      // Row-major A: each row is contiguous in k; write it down the panel's column.
      for (int64_t i = 0; i < panel_rows; ++i) {
        const In* src = a.data + (row0 + ir + i) * a.ld + p0;
        for (int64_t p = 0; p < kc; ++p) panel[p * mr + i] = to_packed<Packed>(src[p]);
      }
    } else if (k_group == 1) {
      // Transposed A: for each k the panel's rows are contiguous in memory.
      for (int64_t p = 0; p < kc; ++p) {
        const In* src = a.data + (p0 + p) * a.ld + row0 + ir;
        for (int64_t i = 0; i < panel_rows; ++i) panel[p * mr + i] = to_packed<Packed>(src[i]);
      }
    } else if (!a.trans) {
      // k pairs of a row-major A are adjacent already: copy pairs down the panel.
      const int64_t pairs = kc / 2;
      for (int64_t i = 0; i < panel_rows; ++i) {
        const In* src = a.data + (row0 + ir + i) * a.ld + p0;
        Packed* dst = panel + 2 * i;
        for (int64_t g = 0; g < pairs; ++g) {
          dst[g * 2 * mr] = to_packed<Packed>(src[2 * g]);
          dst[g * 2 * mr + 1] = to_packed<Packed>(src[2 * g + 1]);
        }
        if (kc % 2) {
          dst[pairs * 2 * mr] = to_packed<Packed>(src[kc - 1]);
          dst[pairs * 2 * mr + 1] = Packed(0);
        }
      }
    } else {
      for (int64_t p = 0; p < kc_padded; ++p) {
        const In* src = a.data + (p0 + p) * a.ld + row0 + ir;
        Packed* dst = panel + (p / 2) * 2 * mr + p % 2;
        for (int64_t i = 0; i < panel_rows; ++i) dst[2 * i] = p < kc ? to_packed<Packed>(src[i]) : Packed(0);
      }
    }
    if (panel_rows < mr) {
      for (int64_t g = 0; g < kc_padded / k_group; ++g) {
        std::memset(panel + (g * mr + panel_rows) * k_group, 0, sizeof(Packed) * (mr - panel_rows) * k_group);
      }
    }
  }
}

// Pack depth [p0, p0+kc) x columns [col0, col0+cols) of op(B) into micro-panels of `nr` columns.
// Panel layout: for each k group g, for each column j, k_group consecutive values.
template <class Packed, class In>
void pack_b_panel(const MatrixView<In>& b, int64_t p0, int64_t kc, int64_t col0, int64_t cols, int nr, int k_group,
                  Packed* panel) {
  const int64_t kc_padded = (kc + k_group - 1) / k_group * k_group;
  if (k_group == 1 && !b.trans) {
    for (int64_t p = 0; p < kc; ++p) {
      const In* src = b.data + (p0 + p) * b.ld + col0;
      Packed* dst = panel + p * nr;
      for (int64_t j = 0; j < cols; ++j) dst[j] = to_packed<Packed>(src[j]);
      for (int64_t j = cols; j < nr; ++j) dst[j] = Packed(0);
    }
    return;
  }
  if (k_group == 1) {
    for (int64_t j = 0; j < cols; ++j) {
      const In* src = b.data + (col0 + j) * b.ld + p0;
      for (int64_t p = 0; p < kc; ++p) panel[p * nr + j] = to_packed<Packed>(src[p]);
    }
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t j = cols; j < nr; ++j) panel[p * nr + j] = Packed(0);
    }
    return;
  }
  if (!b.trans) {
    // Interleave two rows of B: (b[p][j], b[p+1][j]) for every column j.
    for (int64_t p = 0; p < kc_padded; p += 2) {
      const In* row0 = b.data + (p0 + p) * b.ld + col0;
      const In* row1 = p + 1 < kc ? row0 + b.ld : nullptr;
      Packed* dst = panel + p * nr;
      for (int64_t j = 0; j < cols; ++j) {
        dst[2 * j] = to_packed<Packed>(row0[j]);
        dst[2 * j + 1] = row1 ? to_packed<Packed>(row1[j]) : Packed(0);
      }
      std::memset(dst + 2 * cols, 0, sizeof(Packed) * 2 * (nr - cols));
    }
    return;
  }
  for (int64_t j = 0; j < nr; ++j) {
    const In* src = b.data + (col0 + j) * b.ld + p0;  // transposed: column j of op(B) is contiguous in k
    for (int64_t p = 0; p < kc_padded; ++p) {
      panel[(p / 2 * nr + j) * 2 + p % 2] = (p < kc && j < cols) ? to_packed<Packed>(src[p]) : Packed(0);
    }
  }
}

}  // namespace armory::gemm_engine
