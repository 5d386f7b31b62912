// BF16 fast math on a CPU without a bf16 dot product (AVX2+FMA): bf16 values are widened to fp32 (a bf16 is
// the upper half of an fp32) and multiplied with fp32 FMAs. A product of two bf16 values is exact in fp32,
// so each k pair gives the bits vdpbf16ps and the portable twin give: the even product added, then the odd
// one. Before this kernel such a CPU ran the portable loops, a fifth of its fp32 speed.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "gemm/kernels/by_height.h"
#include "gemm/kernels/gemm_tile__avx2.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

namespace {

constexpr int kRows = 6, kColumns = 16;
// Masks of the first lanes (0..8) of a row of C or B, as the fp32 tiles make them.
using Lanes = avx2::Vec<float>;
// A's panel is widened a chunk of k pairs at a time into a buffer on the stack (6 KiB: it stays in L1), and a
// B read in place is paired a chunk at a time (8 KiB).
constexpr int64_t kChunkPairs = 128;

// The even k of each 32-bit pair (its lower half) and the odd one (its upper half), as fp32. The odd value
// clears the even half by two shifts rather than one AND with a mask: a mask register is the 17th ymm the tile
// would need, and GCC 12 paid for it by keeping two accumulators on the stack, each pair of FMAs waiting on
// a store and a reload. Kernel alone on Zen 3, panels in L1 / B from L3: 60 / 56 -> 77 / 76 GFLOPS.
inline __m256 even_half(__m256i pairs) { return _mm256_castsi256_ps(_mm256_slli_epi32(pairs, 16)); }
inline __m256 odd_half(__m256i pairs) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_srli_epi32(pairs, 16), 16));
}

// Where A's widened values sit in the chunk buffers: k pair p of row i at p * pair + i * row.
struct PanelOrder {  // a packed panel's own (k pair, row) order
  static constexpr int64_t pair = kRows, row = 1;
};
struct RowOrder {  // rows of A read in place, widened row by row
  static constexpr int64_t pair = 1, row = kChunkPairs;
};

// Eight k pairs (16 bf16) widened into even[0..8) and odd[0..8).
inline void widen_eight(const bf16_t* pairs, float* even, float* odd) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(pairs));
  _mm256_storeu_ps(even, even_half(v));
  _mm256_storeu_ps(odd, odd_half(v));
}

// One k pair (lo, hi) widened into even[0] and odd[0].
inline void widen_pair(bf16_t lo, bf16_t hi, float* even, float* odd) {
  const __m256i v = _mm256_set1_epi32(static_cast<int>(uint32_t{lo} | uint32_t{hi} << 16));
  *even = _mm256_cvtss_f32(even_half(v));
  *odd = _mm256_cvtss_f32(odd_half(v));
}

// `pairs` k pairs of A's packed panel (row i's pair at a + 2 i) into fp32, in PanelOrder. Widening a
// broadcast costs an ALU op per row and k pair, which left the FMAs waiting (39 GFLOPS against fp32's 81 on
// Zen 3); widened once, A is broadcast from memory for free.
inline void widen_panel(const bf16_t* a, int64_t pairs, float* even, float* odd) {
  const int64_t values = pairs * kRows;  // a multiple of 8 (kChunkPairs is) or the panel's last chunk
  int64_t q = 0;
  for (; q + 8 <= values; q += 8) widen_eight(a + 2 * q, even + q, odd + q);
  for (; q < values; ++q) widen_pair(a[2 * q], a[2 * q + 1], even + q, odd + q);
}

// `values` k values (a pair each, the last one alone when `values` is odd: its partner is zero) of each of
// the first `rows` rows of a row-major A (row i at a + i * lda) into fp32, in RowOrder. An odd count is the
// end of a row read in place: nothing past it is read.
inline void widen_rows(const bf16_t* a, int64_t lda, int rows, int64_t values, float* even, float* odd) {
  const int64_t pairs = values / 2;
  for (int i = 0; i < rows; ++i) {
    const bf16_t* row = a + i * lda;
    float* row_even = even + i * RowOrder::row;
    float* row_odd = odd + i * RowOrder::row;
    int64_t q = 0;
    for (; q + 8 <= pairs; q += 8) widen_eight(row + 2 * q, row_even + q, row_odd + q);
    for (; q < pairs; ++q) widen_pair(row[2 * q], row[2 * q + 1], row_even + q, row_odd + q);
    if (values % 2 != 0) widen_pair(row[2 * q], 0, row_even + q, row_odd + q);
  }
}

// B's k pairs from a packed micro-panel: pair q of 16 columns is 32 bf16, (b[2q][j], b[2q+1][j]) per column.
struct PackedPairs {
  const bf16_t* b;
  const bf16_t* chunk(int64_t first_pair, int64_t /*pairs*/) const { return b + first_pair * 2 * kColumns; }
};

// The tile's rows of C, fp32, the first `cols` columns of them (the others not read or written).
struct StoreF32 {
  float* c;
  int64_t ldc;
  float alpha, beta;
  int cols = kColumns;
  __attribute__((always_inline)) void operator()(int i, int j, __m256 acc) const {
    const int lanes = std::clamp(cols - 8 * j, 0, 8);
    if (lanes == 0) return;
    float* cp = c + i * ldc + 8 * j;
    const __m256 scaled = _mm256_mul_ps(acc, _mm256_set1_ps(alpha));
    if (lanes == 8) {
      _mm256_storeu_ps(cp, beta == 0.0f ? scaled : _mm256_fmadd_ps(_mm256_loadu_ps(cp), _mm256_set1_ps(beta), scaled));
    } else {
      const __m256i mask = Lanes::mask(lanes);
      _mm256_maskstore_ps(
          cp, mask,
          beta == 0.0f ? scaled : _mm256_fmadd_ps(_mm256_maskload_ps(cp, mask), _mm256_set1_ps(beta), scaled));
    }
  }
};

// `pairs` k pairs of A (widened, in Order) and of B (as a packed panel holds them) added to MR rows (1..6) x
// 2 ymm of fp32 sums: 12 accumulators, B's two widened vectors and a broadcast of A in the 16 ymm registers,
// with none to spare (odd_half). Per k pair the even values pass over the tile, then the odd ones, B's pairs
// loaded again from L1 for the second pass rather than kept. Not inlined into the tile's loop over chunks:
// beside the pairing of a B read in place (RowPairs), GCC 12 left an accumulator on the stack, its chain of
// FMAs waiting on a store and a reload every k pair. The sums pass through memory once per chunk.
template <int MR, class Order>
__attribute__((noinline)) void multiply_chunk(__m256 (&sums)[MR][2], int64_t pairs, const float* a_even,
                                              const float* a_odd, const bf16_t* b) {
  __m256 acc[MR][2];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) acc[i][0] = sums[i][0], acc[i][1] = sums[i][1];
  const __m256i* b_pairs = reinterpret_cast<const __m256i*>(b);
  for (int64_t p = 0; p < pairs; ++p, b_pairs += 2) {
    const __m256 b0_even = even_half(_mm256_loadu_si256(b_pairs));
    const __m256 b1_even = even_half(_mm256_loadu_si256(b_pairs + 1));
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a_even + p * Order::pair + i * Order::row);
      acc[i][0] = _mm256_fmadd_ps(ai, b0_even, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1_even, acc[i][1]);
    }
    const __m256 b0_odd = odd_half(_mm256_loadu_si256(b_pairs));
    const __m256 b1_odd = odd_half(_mm256_loadu_si256(b_pairs + 1));
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a_odd + p * Order::pair + i * Order::row);
      acc[i][0] = _mm256_fmadd_ps(ai, b0_odd, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1_odd, acc[i][1]);
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) sums[i][0] = acc[i][0], sums[i][1] = acc[i][1];
}

// The tile: A widened and B's pairs found a chunk of k pairs at a time, then multiplied (multiply_chunk).
// widen(first_pair, values, even, odd) fills the chunk buffers in Order with `values` k values from
// first_pair's on (an odd count: the last pair's partner zero); b.chunk(first_pair, pairs) points at those k
// pairs of B, as a packed panel holds them.
template <int MR, class Order, class Widen, class BPairs, class Store>
__attribute__((always_inline)) inline void tile(int64_t kc, Widen widen, const BPairs& b, const Store& store) {
  alignas(32) float a_even[kChunkPairs * kRows], a_odd[kChunkPairs * kRows];
  __m256 sums[MR][2];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) sums[i][0] = sums[i][1] = _mm256_setzero_ps();
  const int64_t total_pairs = (kc + 1) / 2;
  for (int64_t chunk = 0; chunk < total_pairs; chunk += kChunkPairs) {
    const int64_t pairs = std::min(kChunkPairs, total_pairs - chunk);
    widen(chunk, std::min(2 * pairs, kc - 2 * chunk), a_even, a_odd);
    multiply_chunk<MR, Order>(sums, pairs, a_even, a_odd, b.chunk(chunk, pairs));
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    store(i, 0, sums[i][0]);
    store(i, 1, sums[i][1]);
  }
}

// The tile of MR rows of a row-major A read in place (row i at a + i * lda).
template <int MR, class BPairs, class Store>
__attribute__((always_inline)) inline void rows_tile(int64_t kc, const bf16_t* a, int64_t lda, const BPairs& b,
                                                     const Store& store) {
  auto widen = [a, lda](int64_t first_pair, int64_t values, float* even, float* odd) {
    widen_rows(a + first_pair * 2, lda, MR, values, even, odd);
  };
  tile<MR, RowOrder>(kc, widen, b, store);
}

// fp32 -> bf16 bits, round to nearest even, in the low half of each 32-bit lane: round_to_bf16 (pack.h) eight
// at a time, NaNs made quiet rather than rounded (rounding could carry a NaN's payload into infinity).
inline __m256i rounded_bf16_bits(__m256 x) {
  const __m256i bits = _mm256_castps_si256(x);
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
  const __m256i rounded = _mm256_add_epi32(bits, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff)));
  const __m256i nan =
      _mm256_cmpgt_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffffff)), _mm256_set1_epi32(0x7f800000));
  const __m256i quiet = _mm256_or_si256(bits, _mm256_set1_epi32(0x00400000));
  return _mm256_srli_epi32(_mm256_blendv_epi8(rounded, quiet, nan), 16);
}

// Eight fp32 values rounded to bf16 (rounded_bf16_bits), packed into 16-bit lanes.
inline __m128i rounded_bf16x8(__m256 x) {
  const __m256i bits = rounded_bf16_bits(x);
  return _mm_packus_epi32(_mm256_castsi256_si128(bits), _mm256_extracti128_si256(bits, 1));
}

// The first `lanes` (0..8) of eight packed bf16 values stored at dst.
inline void store_bf16_lanes(bf16_t* dst, __m128i packed, int64_t lanes) {
  if (lanes == 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), packed);
  } else {
    alignas(16) bf16_t out[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(out), packed);
    std::memcpy(dst, out, sizeof(bf16_t) * static_cast<size_t>(lanes));
  }
}

// Rows 2q and 2q + 1 of B as k pair q: row0's rounded bits in the low half of each lane, row1's in the high.
inline __m256i paired_bf16_bits(__m256 row0, __m256 row1) {
  return _mm256_or_si256(rounded_bf16_bits(row0), _mm256_slli_epi32(rounded_bf16_bits(row1), 16));
}

// Sixteen bf16 columns of two rows as eight pairs each: unpacking 16-bit lanes pairs them within 128-bit
// halves, so the halves are put back in column order after.
inline void store_paired_bf16(__m256i row0, __m256i row1, bf16_t* dst) {
  const __m256i low = _mm256_unpacklo_epi16(row0, row1);   // columns 0-3 | 8-11
  const __m256i high = _mm256_unpackhi_epi16(row0, row1);  // columns 4-7 | 12-15
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_permute2x128_si256(low, high, 0x20));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 16), _mm256_permute2x128_si256(low, high, 0x31));
}

// k pair q of B read in place, as a packed panel holds it, into dst: rows row0 and row1 (null: zeros, the
// partner of an odd depth's last row), their first `cols` columns (the others zeros).
inline void pair_rows(const float* row0, const float* row1, int cols, bf16_t* dst) {
  for (int j = 0; j < 2; ++j) {
    __m256 lo, hi = _mm256_setzero_ps();
    if (cols == kColumns) {
      lo = _mm256_loadu_ps(row0 + 8 * j);
      if (row1 != nullptr) hi = _mm256_loadu_ps(row1 + 8 * j);
    } else {
      const __m256i mask = Lanes::mask(std::clamp(cols - 8 * j, 0, 8));
      lo = _mm256_maskload_ps(row0 + 8 * j, mask);
      if (row1 != nullptr) hi = _mm256_maskload_ps(row1 + 8 * j, mask);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 16 * j), paired_bf16_bits(lo, hi));
  }
}

inline void pair_rows(const bf16_t* row0, const bf16_t* row1, int cols, bf16_t* dst) {
  if (cols == kColumns) {
    const __m256i r0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row0));
    const __m256i r1 =
        row1 != nullptr ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row1)) : _mm256_setzero_si256();
    return store_paired_bf16(r0, r1, dst);
  }
  alignas(32) bf16_t part0[kColumns] = {}, part1[kColumns] = {};
  std::memcpy(part0, row0, sizeof(bf16_t) * static_cast<size_t>(cols));
  if (row1 != nullptr) std::memcpy(part1, row1, sizeof(bf16_t) * static_cast<size_t>(cols));
  store_paired_bf16(_mm256_load_si256(reinterpret_cast<const __m256i*>(part0)),
                    _mm256_load_si256(reinterpret_cast<const __m256i*>(part1)), dst);
}

// store_tile_bf16's operations on eight values v of a row (alpha applied), in its order (kernels.h): the bias,
// beta times C's prior bf16 values (prior_bits; not fused: the twin's bits), ReLU, the upper bound.
struct Bf16Epilogue {
  float beta;
  const float* bias;  // may be null
  bool relu;
  float upper;  // infinity: none

  // v holds columns column..column + 7 of C, the lanes past `mask` unused.
  template <bool ReadsC>
  __attribute__((always_inline)) __m256 apply(__m256 v, __m256i mask, int64_t column, __m128i prior_bits) const {
    if (bias) v = _mm256_add_ps(v, _mm256_maskload_ps(bias + column, mask));
    if constexpr (ReadsC) {
      // bf16 widens to fp32 exactly: its 16 bits become the high half of each lane.
      const __m256i prior = _mm256_slli_epi32(_mm256_cvtepu16_epi32(prior_bits), 16);
      v = _mm256_add_ps(v, _mm256_mul_ps(_mm256_castsi256_ps(prior), _mm256_set1_ps(beta)));
    }
    if (relu) v = _mm256_max_ps(_mm256_setzero_ps(), v);  // v second: NaN stays NaN
    if (upper != std::numeric_limits<float>::infinity()) v = _mm256_min_ps(_mm256_set1_ps(upper), v);  // the same
    return v;
  }
};

// A full tile's rows stored to a bf16 C with the epilogue, from the registers (the unpacked-A tile's bf16 C
// variant). Whether it reads C is a template argument, as in the AVX-512 kernel.
template <bool ReadsC>
struct StoreBf16Fused {
  bf16_t* c;
  int64_t ldc;
  float alpha;
  Bf16Epilogue epilogue;
  __attribute__((always_inline)) void operator()(int i, int j, __m256 acc) const {
    bf16_t* cp = c + i * ldc + 8 * j;
    const __m128i prior = ReadsC ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(cp)) : _mm_setzero_si128();
    const __m256 v = epilogue.apply<ReadsC>(_mm256_mul_ps(acc, _mm256_set1_ps(alpha)), Lanes::mask(8), 8 * j, prior);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(cp), rounded_bf16x8(v));
  }
};

// A B read in place comes from wherever B is, L2 to memory: the packing tile fetches its rows this many k
// steps ahead (as the fp32 tiles do).
constexpr int64_t kPrefetchBRows = 32;

// B read in place (row p at b + p * ldb) paired for the tile a chunk of k pairs at a time, before the tile's
// FMAs run over it: an fp32 B rounded to bf16 as it is read (BF16 fast math), a bf16 B as it is. With CopyB
// (full width) the pairs go to B's packed micro-panel at out, which the tiles after this one read; otherwise
// to out, a chunk's scratch.
template <class BType, bool CopyB>
struct RowPairs {
  const BType* b;
  int64_t ldb, kc;
  int cols;
  bf16_t* out;

  const bf16_t* chunk(int64_t first_pair, int64_t pairs) const {
    bf16_t* const first = CopyB ? out + first_pair * 2 * kColumns : out;
    bf16_t* dst = first;
    for (int64_t q = first_pair; q < first_pair + pairs; ++q, dst += 2 * kColumns) {
      const BType* row0 = b + 2 * q * ldb;
      const BType* row1 = 2 * q + 1 < kc ? row0 + ldb : nullptr;
      if constexpr (CopyB) {
        const char* ahead = reinterpret_cast<const char*>(row0 + kPrefetchBRows * ldb);
        const char* ahead_next = reinterpret_cast<const char*>(row0 + (kPrefetchBRows + 1) * ldb);
        constexpr int row_bytes = kColumns * int{sizeof(BType)};
        _mm_prefetch(ahead, _MM_HINT_T0);
        _mm_prefetch(ahead + row_bytes - 1, _MM_HINT_T0);
        _mm_prefetch(ahead_next, _MM_HINT_T0);
        _mm_prefetch(ahead_next + row_bytes - 1, _MM_HINT_T0);
      }
      pair_rows(row0, row1, cols, dst);
    }
    return first;
  }
};

// The last rows of C (1..6), A read in place, B a packed panel (for run_for_height).
struct EdgeRows {
  template <int MR>
  static void run(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, const StoreF32& store) {
    const PackedPairs pairs{b};
    rows_tile<MR>(kc, a, lda, pairs, store);
  }
};

// Tiles of each height reading A and B in place, B paired as it is read (for run_for_height).
template <class BType, bool CopyB>
struct DirectRows {
  template <int MR>
  static void run(int64_t kc, const bf16_t* a, int64_t lda, const BType* b, int64_t ldb, bf16_t* b_packed,
                  const StoreF32& store) {
    alignas(32) bf16_t scratch[CopyB ? 1 : kChunkPairs * 2 * kColumns];
    const RowPairs<BType, CopyB> pairs{b, ldb, kc, store.cols, CopyB ? b_packed : scratch};
    rows_tile<MR>(kc, a, lda, pairs, store);
  }
};

}  // namespace

void gemm_bf16_6x16__avx2(int64_t kc, const bf16_t* a, const bf16_t* b, float* c, int64_t ldc, float alpha,
                          float beta) {
  auto widen = [a](int64_t first_pair, int64_t values, float* even, float* odd) {
    widen_panel(a + first_pair * 2 * kRows, values / 2, even, odd);  // kc is even: whole pairs
  };
  const PackedPairs pairs{b};
  tile<kRows, PanelOrder>(kc, widen, pairs, StoreF32{c, ldc, alpha, beta});
}

// A's rows read in place (BF16 fast math rounds an fp32 A's rows first, with convert_f32_to_bf16__avx2):
// without this variant the driver packed A, rounding it element by element in portable code, which took
// BF16 fast math to a third of fp32's speed where B is narrow (3136 x 64 x 576).
void gemm_bf16_6x16__avx2_unpacked_a(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, float* c, int64_t ldc,
                                     float alpha, float beta) {
  const PackedPairs pairs{b};
  rows_tile<kRows>(kc, a, lda, pairs, StoreF32{c, ldc, alpha, beta});
}

void gemm_bf16_6x16__avx2_unpacked_a_edge(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, float* c,
                                          int64_t ldc, float alpha, float beta, int rows, int cols) {
  run_for_height<EdgeRows, kRows>(rows, kc, a, lda, b, StoreF32{c, ldc, alpha, beta, cols});
}

// The small-problem path: few rows of A (ResNet50's 49 x 512 x 4608 at batch 1) or a B that fits in L1.
// Before these variants such a product packed all of B per call, and BF16 fast math ran at half of fp32's
// speed there.
void gemm_bf16_6x16__avx2_direct(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, int64_t ldb, float* c,
                                 int64_t ldc, float alpha, float beta, int rows, int cols) {
  run_for_height<DirectRows<bf16_t, false>, kRows>(rows, kc, a, lda, b, ldb, nullptr,
                                                   StoreF32{c, ldc, alpha, beta, cols});
}

void gemm_bf16_6x16__avx2_direct_f32_b(int64_t kc, const bf16_t* a, int64_t lda, const float* b, int64_t ldb, float* c,
                                       int64_t ldc, float alpha, float beta, int rows, int cols) {
  run_for_height<DirectRows<float, false>, kRows>(rows, kc, a, lda, b, ldb, nullptr,
                                                  StoreF32{c, ldc, alpha, beta, cols});
}

void gemm_bf16_6x16__avx2_direct_packing_b(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, int64_t ldb,
                                           bf16_t* b_packed, float* c, int64_t ldc, float alpha, float beta, int rows) {
  run_for_height<DirectRows<bf16_t, true>, kRows>(rows, kc, a, lda, b, ldb, b_packed, StoreF32{c, ldc, alpha, beta});
}

void gemm_bf16_6x16__avx2_direct_packing_b_f32_b(int64_t kc, const bf16_t* a, int64_t lda, const float* b, int64_t ldb,
                                                 bf16_t* b_packed, float* c, int64_t ldc, float alpha, float beta,
                                                 int rows) {
  run_for_height<DirectRows<float, true>, kRows>(rows, kc, a, lda, b, ldb, b_packed, StoreF32{c, ldc, alpha, beta});
}

void convert_f32_to_bf16__avx2(const float* src, int64_t n, bf16_t* dst) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) store_bf16_lanes(dst + i, rounded_bf16x8(_mm256_loadu_ps(src + i)), 8);
  if (i < n)
    store_bf16_lanes(dst + i, rounded_bf16x8(_mm256_maskload_ps(src + i, Lanes::mask(static_cast<int>(n - i)))), n - i);
}

// store_tile_bf16's operations in its order, 8 columns at a time (docs in kernels.h). Before it, the portable
// loop stored every bf16 output of BF16 inference on an AVX2 CPU; a 1x1 convolution over few input channels
// (ResNet50's layer1 conv3: k = 64) spent more time there than in its product.
void store_bf16__avx2(int64_t rows, int64_t cols, const float* tile, int64_t ld_tile, bf16_t* c, int64_t ldc,
                      float beta, const float* bias, bool relu, float upper) {
  const Bf16Epilogue epilogue{beta, bias, relu, upper};
  for (int64_t i = 0; i < rows; ++i) {
    const float* src = tile + i * ld_tile;
    bf16_t* dst = c + i * ldc;
    for (int64_t j = 0; j < cols; j += 8) {
      const int lanes = static_cast<int>(std::min<int64_t>(8, cols - j));
      const __m256i mask = Lanes::mask(lanes);
      const __m256 v = _mm256_maskload_ps(src + j, mask);
      __m256 finished;
      if (beta != 0.0f) {
        alignas(16) bf16_t partial[8] = {};
        if (lanes < 8) std::memcpy(partial, dst + j, sizeof(bf16_t) * static_cast<size_t>(lanes));
        const __m128i prior = _mm_loadu_si128(reinterpret_cast<const __m128i*>(lanes < 8 ? partial : dst + j));
        finished = epilogue.apply<true>(v, mask, j, prior);
      } else {
        finished = epilogue.apply<false>(v, mask, j, _mm_setzero_si128());
      }
      store_bf16_lanes(dst + j, rounded_bf16x8(finished), lanes);
    }
  }
}

// The unpacked-A tile storing a bf16 C with the epilogue fused (kernels.h): the scratch tile's round trip and
// store_bf16's pass saved. Non-temporal stores are not used even when the driver allows them: a row of this
// tile is half a cache line, and a line written in two halves at different times goes to memory in parts.
void gemm_bf16_6x16__avx2_unpacked_a_bf16_c(int64_t kc, const bf16_t* a, int64_t lda, const bf16_t* b, bf16_t* c,
                                            int64_t ldc, float alpha, float beta, const float* bias, bool relu,
                                            float upper, bool /*stream*/) {
  const PackedPairs pairs{b};
  const Bf16Epilogue epilogue{beta, bias, relu, upper};
  if (beta != 0.0f) return rows_tile<kRows>(kc, a, lda, pairs, StoreBf16Fused<true>{c, ldc, alpha, epilogue});
  rows_tile<kRows>(kc, a, lda, pairs, StoreBf16Fused<false>{c, ldc, alpha, epilogue});
}

// (row0[j], row1[j]) pairs, 8 columns at a time (paired_bf16_bits: nothing to shuffle).
void interleave_f32_to_bf16__avx2(const float* row0, const float* row1, int64_t n, int nr, int64_t panel_stride,
                                  bf16_t* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += nr, dst += panel_stride) {
    const int64_t width = std::min<int64_t>(nr, n - j0);
    for (int64_t j = 0; j < width; j += 8) {
      const __m256i mask = Lanes::mask(static_cast<int>(std::min<int64_t>(8, width - j)));
      const __m256i pairs =
          paired_bf16_bits(_mm256_maskload_ps(row0 + j0 + j, mask), _mm256_maskload_ps(row1 + j0 + j, mask));
      _mm256_maskstore_epi32(reinterpret_cast<int*>(dst + 2 * j), mask, pairs);
    }
  }
}

// The same pairs from bf16 rows, 16 columns of each row per load (store_paired_bf16).
void interleave_bf16__avx2(const bf16_t* row0, const bf16_t* row1, int64_t n, int nr, int64_t panel_stride,
                           bf16_t* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += nr, dst += panel_stride) {
    const int64_t width = std::min<int64_t>(nr, n - j0);
    int64_t j = 0;
    for (; j + 16 <= width; j += 16) {
      store_paired_bf16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row0 + j0 + j)),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row1 + j0 + j)), dst + 2 * j);
    }
    for (; j < width; ++j) {
      dst[2 * j] = row0[j0 + j];
      dst[2 * j + 1] = row1[j0 + j];
    }
  }
}

}  // namespace armory::gemm_engine
