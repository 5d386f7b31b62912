#include <immintrin.h>

#include <algorithm>
#include <limits>

#include "gemm/kernels/by_height.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

namespace {

// vdpbf16ps: each fp32 lane accumulates the two products of a k pair, so one instruction does the work of
// two fp32 FMAs. A k step is a pair: B holds (b[k][j], b[k+1][j]) per column j, 32 bits each; row i's pair
// (a[i][k], a[i][k+1]) is broadcast as one 32-bit value from a + i * rsa, and A advances by csa per pair
// (packed: rsa = 2, csa = 2 * 12; a row-major bf16 A in place: rsa = lda, csa = 2). MR rows x 2 zmm: 12
// for full tiles, fewer for the last rows of C. kc is even (whole pairs).
// store(i, j, v) writes the finished vector v (columns 16j..16j+15 of row i, alpha not applied).
template <int MR, class Store>
__attribute__((always_inline)) inline void tile(int64_t kc, const bf16_t* a, int64_t rsa, int64_t csa,
                                                const bf16_t* b, Store store) {
  constexpr int NR = 32;
  // One running sum per lane, over the k pairs in order, whatever the tile's height: a row of C then has
  // the same bits whether it sits in a full tile or in the last rows, so an image's result does not depend
  // on the batch around it. (Short tiles once kept two or four sums over alternate pairs to hide vdpbf16ps's
  // latency, which changed the last bits of the edge rows; a 1 x 2048 x 1000 product took 50 us that way
  // and takes 59 us now, larger heights within noise.)
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    acc[i][0] = _mm512_setzero_ps();
    acc[i][1] = _mm512_setzero_ps();
  }
  // Rows 6 and up are addressed from a second base: from one, the offsets of twelve rows read in place
  // (i * lda) took more general registers than there are, and two were reloaded from the stack every step.
  const bf16_t* a_upper = a + 6 * rsa;
  for (int64_t p = 0; p < kc; p += 2, a += csa, a_upper += csa, b += 2 * NR) {
    const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b);
    const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + 32);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      int32_t pair;
      __builtin_memcpy(&pair, i < 6 ? a + i * rsa : a_upper + (i - 6) * rsa, sizeof pair);
      const __m512bh av = (__m512bh)_mm512_set1_epi32(pair);
      acc[i][0] = _mm512_dpbf16_ps(acc[i][0], av, b0);
      acc[i][1] = _mm512_dpbf16_ps(acc[i][1], av, b1);
    }
  }
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    store(i, 0, acc[i][0]);
    store(i, 1, acc[i][1]);
  }
}

// C = alpha * acc + beta * C in fp32 (reading C a template argument, as in StoreBf16Fused below).
template <bool ReadsC>
struct StoreF32 {
  float* c;
  int64_t ldc;
  __m512 alpha, beta;
  __attribute__((always_inline)) void operator()(int i, int j, __m512 v) const {
    float* cp = c + i * ldc + j * 16;
    const __m512 scaled = _mm512_mul_ps(v, alpha);
    _mm512_storeu_ps(cp, ReadsC ? _mm512_fmadd_ps(_mm512_loadu_ps(cp), beta, scaled) : scaled);
  }
};

// The bf16 C of BF16 activations, with the epilogue fused: c = bf16(relu(alpha * acc + bias + beta * c)).
// Whether it reads C is a template argument, not a test made for each of the tile's 24 vectors: as a
// runtime flag, GCC 12 laid the epilogue out as branches around out-of-line loads, and a product that adds
// a residual ran at two thirds of the speed of one that does not (50176 x 64 x 256, 1 thread, Zen 4: beta
// = 1 102 GFLOPS against 150 with beta = 0; 150-168 with the template argument). Streamed: non-temporal
// stores (kernels.h), for an output the caches would not keep anyway.
template <bool ReadsC, bool Streamed = false>
struct StoreBf16Fused {
  bf16_t* c;
  int64_t ldc;
  __m512 alpha, beta;
  const float* bias;
  bool relu;
  float upper;  // infinity: none
  __attribute__((always_inline)) void operator()(int i, int j, __m512 v) const {
    bf16_t* cp = c + i * ldc + j * 16;
    v = _mm512_mul_ps(v, alpha);
    if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(bias + j * 16));
    if constexpr (ReadsC) {
      const __m512i prior = _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)cp)), 16);
      v = _mm512_fmadd_ps(_mm512_castsi512_ps(prior), beta, v);
    }
    if (relu) v = _mm512_max_ps(_mm512_setzero_ps(), v);  // v second: NaN stays NaN
    if (upper != std::numeric_limits<float>::infinity()) v = _mm512_min_ps(_mm512_set1_ps(upper), v);  // the same
    if constexpr (Streamed) {
      _mm256_stream_si256((__m256i*)cp, (__m256i)_mm512_cvtneps_pbh(v));
    } else {
      _mm256_storeu_si256((__m256i*)cp, (__m256i)_mm512_cvtneps_pbh(v));
    }
  }
};

// The tile of a kernel with an fp32 C, reading C only when beta is not zero.
template <int MR>
void tile_to_f32(int64_t kc, const bf16_t* a, int64_t rsa, int64_t csa, const bf16_t* b, float* c, int64_t ldc,
                 float alpha, float beta) {
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  if (beta != 0.0f) return tile<MR>(kc, a, rsa, csa, b, StoreF32<true>{c, ldc, va, vb});
  tile<MR>(kc, a, rsa, csa, b, StoreF32<false>{c, ldc, va, vb});
}

// The same for the edge of C: only its first cols columns are read and written.
struct StoreF32Columns {
  float* c;
  int64_t ldc;
  __m512 alpha, beta;
  bool reads_c;
  __mmask16 mask[2];
  __attribute__((always_inline)) void operator()(int i, int j, __m512 v) const {
    if (mask[j] == 0) return;
    float* cp = c + i * ldc + j * 16;
    const __m512 scaled = _mm512_mul_ps(v, alpha);
    _mm512_mask_storeu_ps(
        cp, mask[j], reads_c ? _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask[j], cp), beta, scaled) : scaled);
  }
};

// The last rows of C, A read in place (for run_for_height).
struct EdgeRows {
  template <int MR>
  static void run(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, const StoreF32Columns& store) {
    tile<MR>(kc, a, lda, 2, b, store);
  }
};

// ---- B read in place (the driver's unpacked-B path) ----

// Rows p and p+1 of a row-major B, cols (1..32) columns, as bf16 vectors: bf16 B loaded as it is, fp32 B
// rounded to nearest even here (BF16 fast math). Columns past cols are zeros.
template <bool FromF32>
struct BRows;

template <>
struct BRows<false> {
  static __m512i load(const bf16_t* row, int cols) {
    if (cols == 32) return _mm512_loadu_si512(row);
    return _mm512_maskz_loadu_epi16(static_cast<__mmask32>((uint64_t{1} << cols) - 1), row);
  }
};

template <>
struct BRows<true> {
  static __m512i load(const float* row, int cols) {
    __m512 lo, hi;
    if (cols == 32) {
      lo = _mm512_loadu_ps(row);
      hi = _mm512_loadu_ps(row + 16);
    } else {
      const int lo_cols = cols < 16 ? cols : 16, hi_cols = cols - lo_cols;
      lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << lo_cols) - 1), row);
      hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << hi_cols) - 1), row + 16);
    }
    return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);  // columns 0..15 low, 16..31 high
  }
};

// C[rows x cols] = alpha * A * B + beta * C with A (bf16, row-major, A(i, p) = a[i * lda + p]) and B
// (row-major, row p at b + p * ldb) both read in place. vdpbf16ps wants each column's k pair adjacent:
// unpacklo/unpackhi of rows p and p+1 make them, but within 128-bit lanes, so `even` accumulates columns
// {0-3, 8-11, 16-19, 24-27} and `odd` the others; the tile is put back in order when stored. An odd kc
// ends with one unpaired step: A's last value with a zero partner, B's row p+1 taken as zeros.
// With CopyB (cols = 32), each step's pairs are also stored in order to b_copy: B's packed micro-panel,
// 64 values a pair row (the layout interleave_b writes), for the tiles after this one.
template <int MR, bool FromF32, class BType, bool CopyB = false>
__attribute__((always_inline)) inline void direct_tile(int64_t kc, const bf16_t* a, int64_t lda, const BType* b,
                                                       int64_t ldb, float* c, int64_t ldc, float alpha, float beta,
                                                       int cols, bf16_t* b_copy = nullptr) {
  __m512 even[MR], odd[MR];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    even[i] = _mm512_setzero_ps();
    odd[i] = _mm512_setzero_ps();
  }
  // 64-bit halves of 128-bit lanes: columns 0-15 are lo's lane 0, hi's lane 0, lo's lane 1, hi's lane 1.
  const __m512i first_pairs = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
  const __m512i second_pairs = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
  auto step = [&](const __m512i row0, const __m512i row1, auto a_pair) {
    const __m512bh lo = (__m512bh)_mm512_unpacklo_epi16(row0, row1);
    const __m512bh hi = (__m512bh)_mm512_unpackhi_epi16(row0, row1);
    if constexpr (CopyB) {
      _mm512_storeu_si512(b_copy, _mm512_permutex2var_epi64((__m512i)lo, first_pairs, (__m512i)hi));
      _mm512_storeu_si512(b_copy + 32, _mm512_permutex2var_epi64((__m512i)lo, second_pairs, (__m512i)hi));
      b_copy += 64;
    }
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32(a_pair(i));
      even[i] = _mm512_dpbf16_ps(even[i], av, lo);
      odd[i] = _mm512_dpbf16_ps(odd[i], av, hi);
    }
  };
  // Row i of A, rows 6 and up from a second base (as in tile above: twelve offsets from one base spill).
  const bf16_t* a_upper = a + 6 * lda;
  auto a_row = [&](int i) { return i < 6 ? a + i * lda : a_upper + (i - 6) * lda; };
  int64_t p = 0;
  for (; p + 2 <= kc; p += 2) {
    step(BRows<FromF32>::load(b + p * ldb, cols), BRows<FromF32>::load(b + (p + 1) * ldb, cols), [&](int i) {
      int32_t pair;
      __builtin_memcpy(&pair, a_row(i) + p, sizeof pair);
      return pair;
    });
  }
  if (p < kc) {
    step(BRows<FromF32>::load(b + p * ldb, cols), _mm512_setzero_si512(),
         [&](int i) { return static_cast<int32_t>(a_row(i)[p]); });
  }
  const __m512i first = _mm512_set_epi32(23, 22, 21, 20, 7, 6, 5, 4, 19, 18, 17, 16, 3, 2, 1, 0);
  const __m512i second = _mm512_set_epi32(31, 30, 29, 28, 15, 14, 13, 12, 27, 26, 25, 24, 11, 10, 9, 8);
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  const int lo_cols = cols < 16 ? cols : 16, hi_cols = cols - lo_cols;
  const __mmask16 lo_mask = static_cast<__mmask16>((1u << lo_cols) - 1);
  const __mmask16 hi_mask = static_cast<__mmask16>((1u << hi_cols) - 1);
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    float* row = c + i * ldc;
    __m512 v0 = _mm512_mul_ps(_mm512_permutex2var_ps(even[i], first, odd[i]), va);
    __m512 v1 = _mm512_mul_ps(_mm512_permutex2var_ps(even[i], second, odd[i]), va);
    if (beta != 0.0f) {
      v0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(lo_mask, row), vb, v0);
      v1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(hi_mask, row + 16), vb, v1);
    }
    _mm512_mask_storeu_ps(row, lo_mask, v0);
    _mm512_mask_storeu_ps(row + 16, hi_mask, v1);
  }
}

// Direct tiles of each height (for run_for_height).
template <bool FromF32, class BType>
struct DirectRows {
  template <int MR>
  static void run(int64_t kc, const bf16_t* a, int64_t lda, const BType* b, int64_t ldb, float* c, int64_t ldc,
                  float alpha, float beta, int cols) {
    direct_tile<MR, FromF32>(kc, a, lda, b, ldb, c, ldc, alpha, beta, cols);
  }
};

// Full-width direct tiles of each height that also pack B (for run_for_height).
template <bool FromF32, class BType>
struct DirectPackingRows {
  template <int MR>
  static void run(int64_t kc, const bf16_t* a, int64_t lda, const BType* b, int64_t ldb, bf16_t* b_packed, float* c,
                  int64_t ldc, float alpha, float beta) {
    direct_tile<MR, FromF32, BType, true>(kc, a, lda, b, ldb, c, ldc, alpha, beta, 32, b_packed);
  }
};

}  // namespace

void gemm_bf16_12x32__avx512bf16(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                                 float beta) {
  tile_to_f32<12>(kc, a, 2, 24, b, c, ldc, alpha, beta);
}

void gemm_bf16_12x32__avx512bf16_unpacked_a(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, float* c,
                                            int64_t ldc, float alpha, float beta) {
  tile_to_f32<12>(kc, a, lda, 2, b, c, ldc, alpha, beta);
}

void gemm_bf16_12x32__avx512bf16_unpacked_a_edge(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, float* c,
                                                 int64_t ldc, float alpha, float beta, int rows, int cols) {
  const int lo = cols < 16 ? cols : 16, hi = cols - lo;
  const StoreF32Columns store{c, ldc, _mm512_set1_ps(alpha), _mm512_set1_ps(beta), beta != 0.0f,
                              {static_cast<__mmask16>((1u << lo) - 1), static_cast<__mmask16>((1u << hi) - 1)}};
  run_for_height<EdgeRows, 12>(rows, kc, a, lda, b, store);
}

// GCC 12 warns that the intrinsics' internal _mm512_undefined_* operand "may be used uninitialized" in the
// bf16 stores (GCC bug 105593, fixed in 13): nothing of ours is.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
void gemm_bf16_12x32__avx512bf16_unpacked_a_bf16_c(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, bf16_t* c,
                                                   int64_t ldc, float alpha, float beta, const float* bias, bool relu,
                                                   float upper, bool stream) {
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  if (beta != 0.0f) return tile<12>(kc, a, lda, 2, b, StoreBf16Fused<true>{c, ldc, va, vb, bias, relu, upper});
  if (stream) return tile<12>(kc, a, lda, 2, b, StoreBf16Fused<false, true>{c, ldc, va, vb, bias, relu, upper});
  tile<12>(kc, a, lda, 2, b, StoreBf16Fused<false>{c, ldc, va, vb, bias, relu, upper});
}

void gemm_bf16_12x32__avx512bf16_direct(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, int64_t ldb,
                                        float* c, int64_t ldc, float alpha, float beta, int rows, int cols) {
  run_for_height<DirectRows<false, bf16_t>, 12>(rows, kc, a, lda, b, ldb, c, ldc, alpha, beta, cols);
}

void gemm_bf16_12x32__avx512bf16_direct_f32_b(int64_t kc, const bf16_t* a, int64_t lda, const float* b, int64_t ldb,
                                              float* c, int64_t ldc, float alpha, float beta, int rows, int cols) {
  run_for_height<DirectRows<true, float>, 12>(rows, kc, a, lda, b, ldb, c, ldc, alpha, beta, cols);
}

void gemm_bf16_12x32__avx512bf16_direct_packing_b(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b,
                                                  int64_t ldb, bf16_t* b_packed, float* c, int64_t ldc, float alpha,
                                                  float beta, int rows) {
  run_for_height<DirectPackingRows<false, bf16_t>, 12>(rows, kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta);
}

void gemm_bf16_12x32__avx512bf16_direct_packing_b_f32_b(int64_t kc, const bf16_t* a, int64_t lda, const float* b,
                                                        int64_t ldb, bf16_t* b_packed, float* c, int64_t ldc,
                                                        float alpha, float beta, int rows) {
  run_for_height<DirectPackingRows<true, float>, 12>(rows, kc, a, lda, b, ldb, b_packed, c, ldc, alpha, beta);
}

void store_bf16__avx512bf16(int64_t rows, int64_t cols, const float* tile, int64_t ld_tile, bf16_t* c, int64_t ldc,
                            float beta, const float* bias, bool relu, float upper) {
  const __m512 zero = _mm512_setzero_ps(), vb = _mm512_set1_ps(beta), bound = _mm512_set1_ps(upper);
  const bool bounded = upper != std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < rows; ++i) {
    const float* src = tile + i * ld_tile;
    bf16_t* dst = c + i * ldc;
    for (int64_t j = 0; j < cols; j += 16) {
      const __mmask16 mask = cols - j >= 16 ? __mmask16(0xffff) : __mmask16((1u << (cols - j)) - 1);
      __m512 v = _mm512_maskz_loadu_ps(mask, src + j);
      if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, bias + j));
      if (beta != 0.0f) {
        // bf16 widens to fp32 exactly: its 16 bits become the high half of each lane.
        const __m512i prior = _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask, dst + j)), 16);
        v = _mm512_fmadd_ps(_mm512_castsi512_ps(prior), vb, v);
      }
      if (relu) v = _mm512_max_ps(zero, v);  // v second: NaN stays NaN
      if (bounded) v = _mm512_min_ps(bound, v);
      _mm256_mask_storeu_epi16(dst + j, mask, (__m256i)_mm512_cvtneps_pbh(v));
    }
  }
}
#pragma GCC diagnostic pop

// fp32 -> bf16 with VCVTNEPS2BF16 (round to nearest even, 16 at a time): what BF16 fast math does to A
// before the unpacked-A kernel reads it. Denormal inputs become zeros, as the instruction defines.
void convert_f32_to_bf16__avx512bf16(const float* src, int64_t n, bf16_t* dst) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256bh converted = _mm512_cvtneps_pbh(_mm512_loadu_ps(src + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), (__m256i)converted);
  }
  if (i < n) {
    __mmask16 tail = static_cast<__mmask16>((1u << (n - i)) - 1);
    __m256bh converted = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(tail, src + i));
    _mm256_mask_storeu_epi16(dst + i, tail, (__m256i)converted);
  }
}

// (row0[j], row1[j]) pairs for 16 columns at a time: VCVTNE2PS2BF16 puts row0's 16 values in the low half
// and row1's in the high half; one VPERMW interleaves them. The rows are read front to back across all
// the micro-panels they feed (see InterleaveToBf16).
void interleave_f32_to_bf16__avx512bf16(const float* row0, const float* row1, int64_t n, int nr, int64_t panel_stride,
                                        bf16_t* dst) {
  const __m512i pairs = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22, 6, 21,
                                         5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  for (int64_t j0 = 0; j0 < n; j0 += nr, dst += panel_stride) {
    const int64_t width = std::min<int64_t>(nr, n - j0);
    int64_t j = 0;
    for (; j + 16 <= width; j += 16) {
      __m512bh both = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(row1 + j0 + j), _mm512_loadu_ps(row0 + j0 + j));
      _mm512_storeu_si512(dst + 2 * j, _mm512_permutexvar_epi16(pairs, (__m512i)both));
    }
    if (j < width) {
      __mmask16 tail = static_cast<__mmask16>((1u << (width - j)) - 1);
      __m512bh both =
          _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(tail, row1 + j0 + j), _mm512_maskz_loadu_ps(tail, row0 + j0 + j));
      __mmask32 out = static_cast<__mmask32>((uint64_t{1} << (2 * (width - j))) - 1);
      _mm512_mask_storeu_epi16(dst + 2 * j, out, _mm512_permutexvar_epi16(pairs, (__m512i)both));
    }
  }
}

// The same pairs from bf16 rows: 32 columns of each row per load, their low and high 16 paired by one
// VPERMT2W each.
void interleave_bf16__avx512bf16(const bf16_t* row0, const bf16_t* row1, int64_t n, int nr, int64_t panel_stride,
                                 bf16_t* dst) {
  // Index i < 32 picks row0's element i, 32 + i row1's: (r0[j], r1[j]) for j = 0..15, then j = 16..31.
  const __m512i low = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8, 39, 7, 38, 6, 37,
                                       5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
  const __m512i high = _mm512_add_epi16(low, _mm512_set1_epi16(16));
  for (int64_t j0 = 0; j0 < n; j0 += nr, dst += panel_stride) {
    const int64_t width = std::min<int64_t>(nr, n - j0);
    for (int64_t j = 0; j < width; j += 32) {
      const int64_t count = std::min<int64_t>(32, width - j);
      const __mmask32 in = count == 32 ? ~__mmask32{0} : static_cast<__mmask32>((uint64_t{1} << count) - 1);
      const __m512i r0 = _mm512_maskz_loadu_epi16(in, row0 + j0 + j);
      const __m512i r1 = _mm512_maskz_loadu_epi16(in, row1 + j0 + j);
      const int64_t first = std::min<int64_t>(16, count), second = count - first;
      _mm512_mask_storeu_epi16(dst + 2 * j, static_cast<__mmask32>((uint64_t{1} << (2 * first)) - 1),
                               _mm512_permutex2var_epi16(r0, low, r1));
      if (second > 0) {
        _mm512_mask_storeu_epi16(dst + 2 * j + 32, static_cast<__mmask32>((uint64_t{1} << (2 * second)) - 1),
                                 _mm512_permutex2var_epi16(r0, high, r1));
      }
    }
  }
}

}  // namespace armory::gemm_engine
