// Packing: copy a block of op(A) or op(B) into the micro-panel order the kernels read (docs/kernels.md),
// zero-padding partial panels and, for the bf16 kernels, rounding to bf16 and interleaving k pairs.
#pragma once

#include <armory/gemm.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "common/transpose.h"
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

// A full micro-panel of a transposed A (k_group 1): each depth's mr rows are contiguous in A and in the
// panel, moved as one block of a height known here (a loop of runtime length mr copied them one by one).
// False for a height it does not know.
template <int kRows, class Packed, class In>
void copy_transposed_rows(const MatrixView<In>& a, int64_t row0, int64_t p0, int64_t kc, Packed* panel) {
  for (int64_t p = 0; p < kc; ++p) {
    const In* src = a.data + (p0 + p) * a.ld + row0;
    Packed* dst = panel + p * kRows;
    for (int i = 0; i < kRows; ++i) dst[i] = to_packed<Packed>(src[i]);
  }
}
template <class Packed, class In>
bool copy_transposed_panel(const MatrixView<In>& a, int64_t row0, int64_t p0, int64_t kc, int mr, Packed* panel) {
  switch (mr) {
    case 6:
      copy_transposed_rows<6>(a, row0, p0, kc, panel);
      return true;
    case 8:
      copy_transposed_rows<8>(a, row0, p0, kc, panel);
      return true;
    case 12:
      copy_transposed_rows<12>(a, row0, p0, kc, panel);
      return true;
    case 16:
      copy_transposed_rows<16>(a, row0, p0, kc, panel);
      return true;
    default:
      return false;
  }
}

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
    } else if (k_group == 1 && panel_rows == mr && copy_transposed_panel<Packed, In>(a, row0 + ir, p0, kc, mr, panel)) {
      // done: a full panel of a common height, each depth's rows moved as one fixed-size block
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

// One micro-panel of a transposed B (column j of op(B) contiguous in k), layout as pack_b_groups.
template <int k_group, class Packed, class In>
void pack_transposed_b_panel(const MatrixView<In>& b, int64_t p0, int64_t kc, int64_t col0, int64_t cols, int nr,
                             Packed* panel) {
  const int64_t kc_padded = (kc + k_group - 1) / k_group * k_group;
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
  for (int64_t j = 0; j < nr; ++j) {
    const In* src = b.data + (col0 + j) * b.ld + p0;  // transposed: column j of op(B) is contiguous in k
    for (int64_t p = 0; p < kc_padded; ++p) {
      panel[(p / k_group * nr + j) * k_group + p % k_group] =
          (p < kc && j < cols) ? to_packed<Packed>(src[p]) : Packed(0);
    }
  }
}

// Pack depth [p0, p0+kc) x columns [col0, col0+cols) of op(B) into micro-panels of `nr` columns, panel q
// (columns col0 + q*nr ..) at panel + q * panel_stride; the last panel's missing columns are zeros.
// Panel layout: for each k group g, for each column j, k_group consecutive values.
// A row-major B is read a row (or k group of rows) at a time across the panels (pack_b_panels says how many).
// interleave (optional, bf16 pairs only): the kernel ISA's versions of the two-row interleave.
template <int k_group, class Packed, class In>
void pack_b_groups(const MatrixView<In>& b, int64_t p0, int64_t kc, int64_t col0, int64_t cols, int nr, Packed* panel,
                   int64_t panel_stride, const PairInterleave& interleave) {
  const int64_t kc_padded = (kc + k_group - 1) / k_group * k_group;
  const int64_t panels = (cols + nr - 1) / nr;
  const int64_t last_width = cols - (panels - 1) * nr;
  // Zeros for the last panel's missing columns in the k group that starts at depth p.
  auto zero_missing_columns = [&](int64_t p) {
    if (last_width < nr) {
      Packed* last = panel + (panels - 1) * panel_stride + p * nr;
      std::memset(last + k_group * last_width, 0, sizeof(Packed) * k_group * (nr - last_width));
    }
  };
  if (k_group == 1 && !b.trans) {
    for (int64_t p = 0; p < kc; ++p) {
      const In* src = b.data + (p0 + p) * b.ld + col0;
      for (int64_t q = 0; q < panels; ++q) {
        const int64_t width = std::min<int64_t>(nr, cols - q * nr);
        Packed* dst = panel + q * panel_stride + p * nr;
        for (int64_t j = 0; j < width; ++j) dst[j] = to_packed<Packed>(src[q * nr + j]);
      }
      zero_missing_columns(p);
    }
    return;
  }
  if (k_group == 2 && !b.trans) {
    // Interleave two rows of B: (b[p][j], b[p+1][j]) for every column j, in one pass that vectorises.
    for (int64_t p = 0; p < kc_padded; p += 2) {
      const In* row0 = b.data + (p0 + p) * b.ld + col0;
      const In* row1 = p + 1 < kc ? row0 + b.ld : row0;
      const bool pad = p + 1 >= kc;
      bool done = false;
      if constexpr (std::is_same_v<Packed, bf16_t> && std::is_same_v<In, float>) {
        if (interleave.from_f32 && !pad) {
          interleave.from_f32(row0, row1, cols, nr, panel_stride, panel + p * nr);
          done = true;
        }
      } else if constexpr (std::is_same_v<Packed, bf16_t> && std::is_same_v<In, bf16_t>) {
        if (interleave.from_bf16 && !pad) {
          interleave.from_bf16(row0, row1, cols, nr, panel_stride, panel + p * nr);
          done = true;
        }
      }
      for (int64_t q = 0; q < panels && !done; ++q) {
        const int64_t width = std::min<int64_t>(nr, cols - q * nr);
        Packed* dst = panel + q * panel_stride + p * nr;
        for (int64_t j = 0; j < width; ++j) {
          dst[2 * j] = to_packed<Packed>(row0[q * nr + j]);
          dst[2 * j + 1] = pad ? Packed(0) : to_packed<Packed>(row1[q * nr + j]);
        }
      }
      zero_missing_columns(p);
    }
    return;
  }
  if (!b.trans) {
    // Interleave k_group rows of B: (b[p][j], b[p+1][j], ...) for every column j.
    for (int64_t g = 0; g < kc_padded; g += k_group) {
      for (int t = 0; t < k_group; ++t) {
        const In* row = g + t < kc ? b.data + (p0 + g + t) * b.ld + col0 : nullptr;
        for (int64_t q = 0; q < panels; ++q) {
          const int64_t width = std::min<int64_t>(nr, cols - q * nr);
          Packed* dst = panel + q * panel_stride + g * nr;
          for (int64_t j = 0; j < width; ++j)
            dst[k_group * j + t] = row ? to_packed<Packed>(row[q * nr + j]) : Packed(0);
        }
      }
      zero_missing_columns(g);
    }
    return;
  }
  for (int64_t q = 0; q < panels; ++q) {
    pack_transposed_b_panel<k_group>(b, p0, kc, col0 + q * nr, std::min<int64_t>(nr, cols - q * nr), nr,
                                     panel + q * panel_stride);
  }
}

// Rows [row0, row0+rows) x depth [p0, p0+kc) of op(A), converted to the packed type and kept row-major
// with leading dimension kc_padded (zeros after kc): the unpacked-A kernels' input when A's type differs
// from the kernel's, its stride aliases, or it is transposed. A row-major A is contiguous in and out, so the
// conversion vectorises; `convert` (optional, fp32 -> bf16 only) does it with the kernel's ISA. Rows of the
// same type (aliasing rows copied) go through memcpy: this file is built for the baseline ISA, whose loop
// moved 16 bytes at a time, and the copy was 5% of an f64 n = 512 product on two threads (each copies all of
// A). A transposed A of the same type goes through transpose_copy's register squares; converted to bf16, it
// is read along its stored rows, eight depths at a time, each output row's eight values written together.
template <class Packed, class In>
void convert_rows(const MatrixView<In>& a, int64_t row0, int64_t rows, int64_t p0, int64_t kc, int64_t kc_padded,
                  Packed* out, ConvertToBf16 convert = nullptr) {
  if (a.trans) {
    if constexpr (std::is_same_v<In, Packed> && (std::is_same_v<In, float> || std::is_same_v<In, double>)) {
      armory::transpose_copy(a.data + p0 * a.ld + row0, a.ld, rows, kc, out, kc_padded);
    } else {
      constexpr int64_t kDepths = 8;
      for (int64_t p = 0; p < kc; p += kDepths) {
        const int64_t depths = std::min(kDepths, kc - p);
        const In* src = a.data + (p0 + p) * a.ld + row0;
        for (int64_t i = 0; i < rows; ++i) {
          Packed* dst = out + i * kc_padded + p;
          for (int64_t q = 0; q < depths; ++q) dst[q] = to_packed<Packed>(src[q * a.ld + i]);
        }
      }
    }
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t p = kc; p < kc_padded; ++p) out[i * kc_padded + p] = Packed(0);
    }
    return;
  }
  for (int64_t i = 0; i < rows; ++i) {
    const In* src = a.data + (row0 + i) * a.ld + p0;
    Packed* dst = out + i * kc_padded;
    if constexpr (std::is_same_v<In, Packed>) {
      std::memcpy(dst, src, sizeof(In) * static_cast<size_t>(kc));
    } else if constexpr (std::is_same_v<In, float> && std::is_same_v<Packed, bf16_t>) {
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

// Columns [col0, col0+cols) of op(B) as micro-panels panel_stride apart, panels_per_pass panels per pass
// over the rows (pack_b_groups). One panel per pass reads each row of a wide B a page apart from the last,
// which the hardware prefetchers do not follow (packing 2048 x 2048 fp32 -> bf16 pairs 2.7 ms, against 0.9 ms
// with all panels in one pass); all panels in one pass spread the stores over as many panels, slower on 2
// threads at n = 512 (bf16 inputs 745-760 GFLOPS against 780-820). Two per pass was as fast as the best of 1,
// 2, 4 and all at n = 512 .. 2048, 1 and 2 threads, f32, BF16 fast math and bf16 inputs, alternating in one
// process. A B that comes from memory is read fastest a whole row at a time (driver.h, b_from_memory).
inline constexpr int64_t kPanelsPerPass = 2;
template <class Packed, class In>
void pack_b_panels(const MatrixView<In>& b, int64_t p0, int64_t kc, int64_t col0, int64_t cols, int nr, int k_group,
                   Packed* panel, int64_t panel_stride, const PairInterleave& interleave = {},
                   int64_t panels_per_pass = kPanelsPerPass) {
  for (int64_t first = 0; first < cols; first += panels_per_pass * nr) {
    const int64_t width = std::min(cols - first, panels_per_pass * nr);
    Packed* dst = panel + first / nr * panel_stride;
    switch (k_group) {
      case 1:
        pack_b_groups<1>(b, p0, kc, col0 + first, width, nr, dst, panel_stride, interleave);
        break;
      case 2:
        pack_b_groups<2>(b, p0, kc, col0 + first, width, nr, dst, panel_stride, interleave);
        break;
      default:
        pack_b_groups<4>(b, p0, kc, col0 + first, width, nr, dst, panel_stride, interleave);
        break;
    }
  }
}

}  // namespace armory::gemm_engine
