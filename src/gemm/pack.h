// Packing: copy a block of op(A) or op(B) into the micro-panel order the kernels read (docs/kernels.md),
// zero-padding partial panels and, for the bf16 kernels, rounding to bf16 and interleaving k pairs.
#pragma once

#include <armory/gemm.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "gemm/kernels/kernels.h"

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
// k_group (1, 2 or 4) is a template parameter so that the copy loops vectorise; pack_a() below picks it.
// Panel layout: for each k group g, for each row i, k_group consecutive values. kc_padded = kc rounded up
// to k_group; missing rows and depths are zeros.
template <int k_group, class Packed, class In>
void pack_a_groups(const MatrixView<In>& a, int64_t row0, int64_t rows, int64_t p0, int64_t kc, int mr, Packed* out) {
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
    } else if (!a.trans) {
      // k groups of a row-major A are adjacent already: copy each group down the panel.
      const int64_t full_groups = kc / k_group;
      for (int64_t i = 0; i < panel_rows; ++i) {
        const In* src = a.data + (row0 + ir + i) * a.ld + p0;
        Packed* dst = panel + k_group * i;
        for (int64_t g = 0; g < full_groups; ++g) {
          for (int t = 0; t < k_group; ++t) dst[g * k_group * mr + t] = to_packed<Packed>(src[g * k_group + t]);
        }
        for (int64_t p = full_groups * k_group; p < kc_padded; ++p) {
          dst[full_groups * k_group * mr + p % k_group] = p < kc ? to_packed<Packed>(src[p]) : Packed(0);
        }
      }
    } else {
      // Transposed A: for each k the panel's rows are contiguous in memory.
      for (int64_t p = 0; p < kc_padded; ++p) {
        const In* src = a.data + (p0 + p) * a.ld + row0 + ir;
        Packed* dst = panel + p / k_group * k_group * mr + p % k_group;
        for (int64_t i = 0; i < panel_rows; ++i) dst[k_group * i] = p < kc ? to_packed<Packed>(src[i]) : Packed(0);
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
// interleave (optional, fp32 -> bf16 pairs only): the kernel ISA's version of the two-row interleave.
template <int k_group, class Packed, class In>
void pack_b_groups(const MatrixView<In>& b, int64_t p0, int64_t kc, int64_t col0, int64_t cols, int nr, Packed* panel,
                   InterleaveToBf16 interleave) {
  const int64_t kc_padded = (kc + k_group - 1) / k_group * k_group;
  if (k_group == 1 && !b.trans) {
    for (int64_t p = 0; p < kc; ++p) {
      const In* src = b.data + (p0 + p) * b.ld + col0;
      Packed* dst = panel + p * nr;
      for (int64_t j = 0; j < cols; ++j) dst[j] = to_packed<Packed>(src[j]);
      // Guarded: GCC makes the zero fill a memset call, and it was made for every row even when empty.
      if (cols < nr) {
        for (int64_t j = cols; j < nr; ++j) dst[j] = Packed(0);
      }
    }
    return;
  }
  if (k_group == 1) {
    // Each column of a transposed B is contiguous and lands in the panel nr values apart: in chunks of
    // depth, so that the panel rows being written stay in L1 while every column passes (a whole panel,
    // kc x nr, does not fit), and four columns by two depths at a time, so that the compiler pairs the
    // loads and the stores into vectors (a transposed 2 x 2 block, at the baseline ISA). Packing 10000 x 468
    // float64 (kc = 1024, nr = 16): column by column 8.8 ms, in chunks 4.9, in 4 x 2 blocks 2.9.
    constexpr int64_t kDepthChunk = 64;
    for (int64_t q0 = 0; q0 < kc; q0 += kDepthChunk) {
      const int64_t q1 = std::min(kc, q0 + kDepthChunk);
      int64_t j = 0;
      for (; j + 4 <= cols; j += 4) {
        const In* s0 = b.data + (col0 + j) * b.ld + p0;
        const In* s1 = s0 + b.ld;
        const In* s2 = s1 + b.ld;
        const In* s3 = s2 + b.ld;
        int64_t p = q0;
        for (; p + 2 <= q1; p += 2) {
          Packed* d0 = panel + p * nr + j;
          Packed* d1 = d0 + nr;
          const In a0 = s0[p], a1 = s0[p + 1], b0 = s1[p], b1 = s1[p + 1];
          const In c0 = s2[p], c1 = s2[p + 1], e0 = s3[p], e1 = s3[p + 1];
          d0[0] = to_packed<Packed>(a0);
          d0[1] = to_packed<Packed>(b0);
          d0[2] = to_packed<Packed>(c0);
          d0[3] = to_packed<Packed>(e0);
          d1[0] = to_packed<Packed>(a1);
          d1[1] = to_packed<Packed>(b1);
          d1[2] = to_packed<Packed>(c1);
          d1[3] = to_packed<Packed>(e1);
        }
        for (; p < q1; ++p) {
          Packed* d0 = panel + p * nr + j;
          d0[0] = to_packed<Packed>(s0[p]);
          d0[1] = to_packed<Packed>(s1[p]);
          d0[2] = to_packed<Packed>(s2[p]);
          d0[3] = to_packed<Packed>(s3[p]);
        }
      }
      for (; j < cols; ++j) {
        const In* src = b.data + (col0 + j) * b.ld + p0;
        for (int64_t p = q0; p < q1; ++p) panel[p * nr + j] = to_packed<Packed>(src[p]);
      }
      for (int64_t p = q0; p < q1; ++p) {
        for (int64_t missing = cols; missing < nr; ++missing) panel[p * nr + missing] = Packed(0);
      }
    }
    return;
  }
  if (k_group == 2 && !b.trans) {
    // Interleave two rows of B: (b[p][j], b[p+1][j]) for every column j, in one pass that vectorises.
    for (int64_t p = 0; p < kc_padded; p += 2) {
      const In* row0 = b.data + (p0 + p) * b.ld + col0;
      const In* row1 = p + 1 < kc ? row0 + b.ld : row0;
      const bool pad = p + 1 >= kc;
      Packed* dst = panel + p * nr;
      if constexpr (std::is_same_v<In, float> && std::is_same_v<Packed, bf16_t>) {
        if (interleave && !pad) {
          interleave(row0, row1, cols, dst);
          std::memset(dst + 2 * cols, 0, sizeof(Packed) * 2 * (nr - cols));
          continue;
        }
      }
      for (int64_t j = 0; j < cols; ++j) {
        dst[2 * j] = to_packed<Packed>(row0[j]);
        dst[2 * j + 1] = pad ? Packed(0) : to_packed<Packed>(row1[j]);
      }
      std::memset(dst + 2 * cols, 0, sizeof(Packed) * 2 * (nr - cols));
    }
    return;
  }
  if (!b.trans) {
    // Interleave k_group rows of B: (b[p][j], b[p+1][j], ...) for every column j.
    for (int64_t g = 0; g < kc_padded; g += k_group) {
      Packed* dst = panel + g * nr;
      for (int t = 0; t < k_group; ++t) {
        if (g + t < kc) {
          const In* row = b.data + (p0 + g + t) * b.ld + col0;
          for (int64_t j = 0; j < cols; ++j) dst[k_group * j + t] = to_packed<Packed>(row[j]);
        } else {
          for (int64_t j = 0; j < cols; ++j) dst[k_group * j + t] = Packed(0);
        }
      }
      std::memset(dst + k_group * cols, 0, sizeof(Packed) * k_group * (nr - cols));
    }
    return;
  }
  for (int64_t j = 0; j < nr; ++j) {
    const In* src = b.data + (col0 + j) * b.ld + p0;  // transposed: column j of op(B) is contiguous in k
    for (int64_t p = 0; p < kc_padded; ++p) {
      panel[(p / k_group * nr + j) * k_group + p % k_group] =
          (p < kc && j < cols) ? to_packed<Packed>(src[p]) : Packed(0);
    }
  }
}

// Rows [row0, row0+rows) x depth [p0, p0+kc) of a row-major op(A), converted to the packed type and kept
// row-major with leading dimension kc_padded (zeros after kc): the unpacked-A kernels' input when A's
// type differs from the kernel's. Contiguous in and out, so the conversion vectorises.
// `convert` (optional, fp32 -> bf16 only) does the conversion with the kernel's ISA.
template <class Packed, class In>
void convert_rows(const MatrixView<In>& a, int64_t row0, int64_t rows, int64_t p0, int64_t kc, int64_t kc_padded,
                  Packed* out, ConvertToBf16 convert = nullptr) {
  for (int64_t i = 0; i < rows; ++i) {
    const In* src = a.data + (row0 + i) * a.ld + p0;
    Packed* dst = out + i * kc_padded;
    if constexpr (std::is_same_v<In, float> && std::is_same_v<Packed, bf16_t>) {
      if (convert) {
        convert(src, kc, dst);
      } else {
        for (int64_t p = 0; p < kc; ++p) dst[p] = to_packed<Packed>(src[p]);
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) dst[p] = to_packed<Packed>(src[p]);
    }
    for (int64_t p = kc; p < kc_padded; ++p) dst[p] = Packed(0);
  }
}

template <class Packed, class In>
void pack_a(const MatrixView<In>& a, int64_t row0, int64_t rows, int64_t p0, int64_t kc, int mr, int k_group,
            Packed* out) {
  switch (k_group) {
    case 1: return pack_a_groups<1>(a, row0, rows, p0, kc, mr, out);
    case 2: return pack_a_groups<2>(a, row0, rows, p0, kc, mr, out);
    default: return pack_a_groups<4>(a, row0, rows, p0, kc, mr, out);
  }
}

template <class Packed, class In>
void pack_b_panel(const MatrixView<In>& b, int64_t p0, int64_t kc, int64_t col0, int64_t cols, int nr, int k_group,
                  Packed* panel, InterleaveToBf16 interleave = nullptr) {
  switch (k_group) {
    case 1: return pack_b_groups<1>(b, p0, kc, col0, cols, nr, panel, interleave);
    case 2: return pack_b_groups<2>(b, p0, kc, col0, cols, nr, panel, interleave);
    default: return pack_b_groups<4>(b, p0, kc, col0, cols, nr, panel, interleave);
  }
}

}  // namespace armory::gemm_engine
