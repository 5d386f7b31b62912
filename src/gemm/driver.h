// The portable GEMM driver: BLIS's five loops around a micro-kernel, for the row-major problem
// C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C.
//
//   for jc in n by nc:                 B panel (kc x nc) lives in L3, packed once per (jc, pc), shared
//     for pc in k by kc:               the depth block; beta applies to the first one only
//       for ic in m by mc:   [threads] A block (mc x kc) packed per thread into L2
//         for jr in nc by NR:          B micro-panel (kc x NR) stays in L1
//           for ir in mc by MR:        A micro-panel streams from L2
//             micro-kernel             MR x NR tile of C in registers
//
// Threads split the ic loop, or the jr loop (each thread packing its own B micro-panels) when B is not much
// smaller than A or A has too few rows; see the work split in run_gemm. The k loop is
// never split, and the blocking does not depend on the thread count, so every element of C is summed in
// the same order with 1 or N threads: threaded results equal single-threaded ones bit for bit.
#pragma once

#include <armory/gemm.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "common/integer.h"
#include "common/large_buffer.h"
#include "common/scratch.h"
#include "gemm/kernel_table.h"
#include "gemm/pack.h"
#include "gemm/thread_pool.h"
#include "gemm/triangle.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace armory::gemm_engine {

template <class In, class Out>
struct GemmArgs {
  int64_t m = 0, n = 0, k = 0;
  MatrixView<In> a{}, b{};
  Out alpha{}, beta{};
  Out* c = nullptr;
  int64_t ldc = 0;
  Epilogue epilogue{};
  bool bias_by_row = false;  // a column-major caller's columns are the rows of the row-major problem
  // BF16 activations: C is this bf16 matrix instead of c (BF16 kernels, k within one depth block). Full
  // tiles of an unpacked A are stored from the registers by the kernel's fn_unpacked_a_bf16_c; the others
  // are finished in fp32 scratch and stored by store_bf16. Both round once, after the epilogue and beta
  // (which reads C in bf16).
  bf16_t* c_bf16 = nullptr;
  // Only this triangle of a square C is read and written (gemm_triangle: fp32 / fp64, no epilogue, no bf16 C).
  Triangle triangle = Triangle::none;
};

// Column-major C (m x n) is row-major C^T (n x m) = op(B)^T op(A)^T: swap the operands, keep the flags.
template <class In, class Out>
GemmArgs<In, Out> row_major_args(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, Out alpha,
                                 const In* a, int64_t lda, const In* b, int64_t ldb, Out beta, Out* c, int64_t ldc,
                                 const Epilogue& epilogue) {
  // Every field at once: default-constructing the struct and then assigning it zeroed all of it first (a
  // `rep stos` costing about a fifth of a 4 x 4 product's call). The views are chosen field by field: a
  // view chosen whole was stored as two 8-byte halves and reloaded as one 16-byte copy, which the store
  // buffer cannot forward (a stall of a fifth of a 4 x 4 cblas_sgemm's 0.04 us).
  const bool row_major = layout == Layout::row_major;
  return GemmArgs<In, Out>{.m = row_major ? m : n,
                           .n = row_major ? n : m,
                           .k = k,
                           .a = {row_major ? a : b, row_major ? lda : ldb, (row_major ? ta : tb) == Trans::yes},
                           .b = {row_major ? b : a, row_major ? ldb : lda, (row_major ? tb : ta) == Trans::yes},
                           .alpha = alpha,
                           .beta = beta,
                           .c = c,
                           .ldc = ldc,
                           .epilogue = epilogue,
                           .bias_by_row = !row_major,
                           .c_bf16 = nullptr,
                           .triangle = Triangle::none};
}

// The depth of k's blocks: as few as the blocking's kc allows, all about as deep (a multiple of k_group). A k
// just above kc was one full block and a sliver (f64 k = 1032: 1024 + 8) whose pass over C did a few FMAs per
// element it loaded and stored. Zen 5, 1 thread, seven alternations of processes, median GFLOPS: f64 n = 1032
// 91.5 -> 93.5, f32 1024 x 1024 x 1040 187 -> 191.
inline int64_t depth_block(int64_t kc, int64_t k, int k_group) {
  const int64_t blocks = std::max<int64_t>(ceil_div(k, round_up(kc, k_group)), 1);
  return std::max<int64_t>(round_up(ceil_div(k, blocks), k_group), k_group);
}

Scratch& thread_a_scratch();
Scratch& thread_b_scratch();
Scratch& thread_c_scratch();  // an fp32 C for products whose caller wants bf16 (gemm.cpp)

// op(B) packed for one kernel and blocking: blocks in (jc, pc) order, each kc_padded x round_up(nc, NR).
template <class Packed>
struct PackedPanels {
  LargeBuffer<Packed> data;
  std::vector<size_t> offsets;  // [jc_index * pc_blocks + pc_index]
  int64_t k = 0, n = 0;
  int64_t pc_blocks = 0;
  const Packed* block(int64_t jc_index, int64_t pc_index) const {
    return data.data() + offsets[static_cast<size_t>(jc_index * pc_blocks + pc_index)];
  }
};

template <class Packed, class In, class Fn>
PackedPanels<Packed> pack_all_b(const Plan<Fn>& plan, const MatrixView<In>& b, int64_t k, int64_t n) {
  const auto& kern = *plan.kernel;
  const int64_t kc = depth_block(plan.blocking.kc, k, kern.k_group), nc = plan.blocking.nc;
  PackedPanels<Packed> out;
  out.k = k;
  out.n = n;
  out.pc_blocks = ceil_div(k, kc);
  size_t total = 0;
  for (int64_t jc = 0; jc < n; jc += nc) {
    for (int64_t pc = 0; pc < k; pc += kc) {
      out.offsets.push_back(total);
      total += static_cast<size_t>(round_up(std::min(kc, k - pc), kern.k_group) *
                                   round_up(std::min(nc, n - jc), plan.nr));
    }
  }
  // Written once, then read in streams for as long as the weights live: base pages (common/large_buffer.h).
  out.data = LargeBuffer<Packed>(total, PageSize::base);
  size_t block = 0;
  for (int64_t jc = 0; jc < n; jc += nc) {
    const int64_t ncur = std::min(nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kc, ++block) {
      const int64_t kcur = std::min(kc, k - pc), kpad = round_up(kcur, kern.k_group);
      Packed* dst = out.data.data() + out.offsets[block];
      pack_b_panels(b, pc, kcur, jc, ncur, plan.nr, kern.k_group, dst, kpad * plan.nr, kern.interleave_b);
    }
  }
  return out;
}

// The columns [first, end) of row `row` that a product into `triangle` of an n-column C writes.
struct ColumnRange {
  int64_t first, end;
};
inline ColumnRange triangle_columns(Triangle triangle, int64_t row, int64_t n) {
  switch (triangle) {
    case Triangle::lower:
      return {0, std::min(row + 1, n)};
    case Triangle::upper:
      return {std::min(row, n), n};
    case Triangle::none:
      break;
  }
  return {0, n};
}

template <class Out>
void scale_c(int64_t m, int64_t n, Out beta, Out* c, int64_t ldc, Triangle triangle = Triangle::none) {
  for (int64_t i = 0; i < m; ++i) {
    const ColumnRange columns = triangle_columns(triangle, i, n);
    Out* row = c + i * ldc;
    if (beta == Out(0)) {
      std::fill(row + columns.first, row + columns.end, Out(0));  // never reads C: NaN there does not spread
    } else if (beta != Out(1)) {
      for (int64_t j = columns.first; j < columns.end; ++j) row[j] *= beta;
    }
  }
}

// Where share t of nt starts among `units` rows or columns of C, so that each share writes about as many
// elements: equal ranges of a full C; of a triangle, ranges whose elements per unit grow (`growing`: a lower
// triangle's rows, an upper one's columns) or shrink along them. The shares' units are the same with any
// thread count, so threaded results stay identical.
inline int64_t share_start(int64_t t, int64_t nt, int64_t units, Triangle triangle, bool growing) {
  if (triangle == Triangle::none || t == 0 || t == nt) return t * units / nt;
  const double done = static_cast<double>(t) / static_cast<double>(nt);
  const double fraction = growing ? std::sqrt(done) : 1.0 - std::sqrt(1.0 - done);
  return std::clamp<int64_t>(std::llround(fraction * static_cast<double>(units)), 0, units);
}

// At least the largest share of `units` or fewer that share_start gives: a triangle's largest takes
// sqrt(1 / nt) of them (its first or last), plus one for the rounding at either end.
inline int64_t largest_share(int64_t units, int64_t nt, Triangle triangle) {
  if (triangle == Triangle::none) return ceil_div(units, nt);
  const double widest = std::ceil(std::sqrt(1.0 / static_cast<double>(nt)) * static_cast<double>(units));
  return std::min<int64_t>(units, static_cast<int64_t>(widest) + 1);
}

// C tile at (row0, col0) of the whole C: C = min(relu(C + bias), upper). Branch-free loops the compiler
// vectorises: a ReLU branch on the sign of each element mispredicts on real activations and once cost a
// quarter of a ResNet50 inference.
template <class In, class Out>
void apply_epilogue(const GemmArgs<In, Out>& args, int64_t row0, int64_t col0, int64_t rows, int64_t cols, Out* c,
                    BiasReluF32 fast = nullptr) {
  const Epilogue& e = args.epilogue;
  if (e.bias == nullptr && !e.relu && !e.bounded()) return;
  if constexpr (std::is_same_v<Out, float>) {
    if (fast != nullptr && !args.bias_by_row) {
      fast(rows, cols, c, args.ldc, e.bias ? e.bias + col0 : nullptr, e.relu, e.upper);
      return;
    }
  }
  for (int64_t i = 0; i < rows; ++i) {
    Out* __restrict row = c + i * args.ldc;
    if (e.bias && args.bias_by_row) {
      const Out b = static_cast<Out>(e.bias[row0 + i]);
      for (int64_t j = 0; j < cols; ++j) row[j] += b;
    } else if (e.bias) {
      const float* __restrict bias = e.bias + col0;
      for (int64_t j = 0; j < cols; ++j) row[j] += static_cast<Out>(bias[j]);
    }
    if (e.relu) {
      for (int64_t j = 0; j < cols; ++j) row[j] = row[j] < Out(0) ? Out(0) : row[j];  // NaN stays NaN
    }
    if (e.bounded()) {
      const Out upper = static_cast<Out>(e.upper);
      for (int64_t j = 0; j < cols; ++j) row[j] = row[j] > upper ? upper : row[j];
    }
  }
}

// Starts fetching a tile's rows, to read them or to write them (then the lines arrive owned). A C tile that
// beta reads comes from memory: fetched before the product, its loads are hidden; without this the bf16
// store waited on them for an eighth of a ResNet50 run. Lines from the row's start, bytes / 64 of them: a row
// 16 bytes into a line (numpy's, malloc's) leaves its last line to the hardware. Walking every line it
// touches instead (one more for A's first 256 bytes) cost bf16 50176 x 64 x 576 10%, 1 thread, processes
// alternating: 298-330 -> 264-298 GFLOPS.
enum class PrefetchFor { read, write };

template <class T>
inline void prefetch_rows(const T* c, int64_t rows, int64_t cols, int64_t ldc, PrefetchFor intent = PrefetchFor::read) {
  for (int64_t i = 0; i < rows; ++i) {
    const char* row = reinterpret_cast<const char*>(c + i * ldc);
    for (int64_t byte = 0; byte < cols * int64_t(sizeof(T)); byte += 64) {
      if (intent == PrefetchFor::write) {
        __builtin_prefetch(row + byte, 1);
      } else {
        __builtin_prefetch(row + byte);
      }
    }
  }
}

// The portable twin of KernelInfo::store_bf16 (docs in kernels.h).
inline void store_tile_bf16(int64_t rows, int64_t cols, const float* tile, int64_t ld_tile, bf16_t* c, int64_t ldc,
                            float beta, const float* bias, bool relu, float upper) {
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      float v = tile[i * ld_tile + j] + (bias ? bias[j] : 0.0f);
      if (beta != 0.0f) v += beta * bf16_to_float(c[i * ldc + j]);
      if (relu) v = v < 0.0f ? 0.0f : v;
      v = v > upper ? upper : v;
      c[i * ldc + j] = round_to_bf16(v);
    }
  }
}

// Small problems are not worth waking threads for.
inline int threads_for(int64_t m, int64_t n, int64_t k) {
  double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  if (flops < 4.0e6) return 1;  // whatever the pool allows: no need to ask it
  int max = ThreadPool::global().max_threads();
  int useful = static_cast<int>(std::min<double>(max, std::max(1.0, flops / 2.0e6)));
  return std::max(1, useful);
}

// The path without packing: A and B both read in place by the kernel's direct variant (B row p at
// b + p * ldb, masked loads at the right edge). It pays when packing B cannot be amortised, or costs more
// than it saves:
//  - B (k x n) fits in L1, so every row panel finds it there;
//  - A has so few rows that each packed element of B would be read only a few times: a ResNet50 conv at
//    batch 1 (49 x 512 x 4608) spent 58% of its time packing B;
//  - B fits in half of L2 and A is not tall: measured on Zen 5, n = 128..256 square is 1.0-1.05x faster
//    with one thread and 1.1-1.4x with two (no barrier after packing, no packed panels read across
//    cores), while tall A (12544 x 128 x 1152) and larger B (n = 512 with blocks of 256 rows, n = 768)
//    are 5-15% slower than packed.
// B is read in blocks of plan.unpacked_b_depth rows when it does not fit in L1: with a power-of-two ldb
// the rows of a block map onto few cache sets, and 256 rows of one strip of NR columns still fit in L2
// that way (256-512 rows measured 1.3x faster than 768-1024 on 49 x 512 x 4608), cut by depth_block into
// blocks of about equal depth: k = 260 ran 256 + 4, the sliver's pass over C costing 49 x 512 x 260 f64 6%
// (Zen 5, 1 thread, seven alternations of processes, median GFLOPS 78.8 -> 83.7; f32 206.2 -> 210.0).
// The choice depends on the shape only, never on the thread count, so threaded results stay identical.
// A transposed A takes this path too, its rows copied first (m x k elements, what the packed path's A
// panels cost): the packed path packed all of B for the few rows. Zen 3, 1 thread, cblas_?gemm against
// OpenBLAS in one process, median ratio before -> after: f32 RowMajor T N 16 x 16 x 16 0.49 -> 0.95,
// 128 x 128 x 128 0.80 -> 0.93, 64 x 1024 x 256 0.86 -> 1.00, ColMajor N T 960 x 64 x 512 (A^T's 64 rows)
// 0.86 -> 1.07; f64 the same shapes 0.48 / 0.86 / 0.90 / 0.87 -> 0.89 / 0.93 / 0.99 / 0.99; 256 x 256 x 256
// and 512 x 256 x 128 within noise. The copy is the whole of A, so only up to kTransposedACopyBytes.
inline constexpr int64_t kL1BBytes = 32 * 1024;
inline constexpr int64_t kL2BBytes = 512 * 1024;
inline constexpr int64_t kFewRows = 64;
inline constexpr int64_t kNotTallRows = 512;
inline constexpr int64_t kTransposedACopyBytes = 8 * 1024 * 1024;

// Of a kernel's variants that read B in place, the one for inputs of type In: the BF16 kernels have one for
// bf16 B and one for fp32 B (rounded as it is read), the others one for their own type.
template <class In, class Fn, class Variants>
auto for_inputs(const Variants& variants) {
  if constexpr (std::is_same_v<Fn, Bf16TileKernel>) {
    if constexpr (std::is_same_v<In, bf16_t>) {
      return variants.bf16_b;
    } else {
      return variants.f32_b;
    }
  } else {
    return variants;
  }
}

// The kernel's direct variant for inputs of type In, or nullptr.
template <class In, class Fn>
auto direct_kernel(const KernelInfo<Fn>& kern) {
  return for_inputs<In, Fn>(kern.fn_direct);
}

// The kernel's tile that reads A and B in place and packs B, for inputs of type In, or nullptr.
template <class In, class Fn>
auto direct_packing_b_kernel(const KernelInfo<Fn>& kern) {
  return for_inputs<In, Fn>(kern.fn_direct_packing_b);
}

// BF16 fast math rounds B in the kernel as it reads it, once per row panel: beyond about ten panels the
// packed path, which rounds B once, wins (n = 256: 1.2x faster packed with one thread).
inline constexpr int64_t kNotTallRowsRoundingB = 128;
// bf16 B read in place is paired (two k rows interleaved) in registers, again once per row panel: from
// 384 rows on packing wins (1 thread, m x 512 x 512: m = 512 404 vs 360 GFLOPS packed vs in place,
// m = 384 401 vs 394, m = 256 even, m = 128 389 vs 364 in place).
// Both limits predate the first row panel packing each strip for the others (run_unpacked_b); raised to 512
// since, they measured within noise (1 thread, BF16 fast math n = 256..512, bf16 inputs n = 384 / 512), so
// they stay.
inline constexpr int64_t kNotTallRowsPairingB = 256;

// How much of each row of the next tile of an A read in place is fetched ahead (see run_gemm).
inline constexpr int64_t kPrefetchARowBytes = 256;

// Rows of A whose stride is a multiple of this many bytes all map to the same L1 set (and alias in the
// load-store unit's 4 KiB address check): the tile's MR rows then evict each other on a core whose L1 has
// fewer ways than MR (Zen 4: 8 ways, 12 rows; Plan::copy_aliasing_a). Such an A is copied row by row into
// the A buffer instead of read in place, and the buffer's own rows are kAPaddingBytes longer when their
// length is such a multiple.
// Zen 4, 1 thread, calls alternating in one process, GFLOPS in place -> copied: f32 n = 1024 95 -> 102,
// n = 2048 91 -> 103; f64 n = 512 / 1536 / 2048 43 / 46 / 33 -> 46 / 49 / 40; f32 -> bf16 fast math
// n = 2048 185 -> 207 (its rows are converted anyway: the padding alone); strides off the multiple
// (768, 3136 x 64 x 576, 196 x 256 x 2304) unchanged. Copying every A instead cost the ResNet50 shapes
// 7-20%. 2 KiB multiples (6 rows a set) measured the same either way.
// A core with as many ways as MR (Zen 5: 12) reads such rows in place, as fast as a copy while its L1 is its
// own; yet on the Zen 5 guest, one thread, they dropped for minutes at a time to two thirds of a copy's speed
// while a copy held (f32 n = 1024 / 2048 / 4096 130 / 130 / 135 GFLOPS in place against 172-195 copied, f64
// n = 1024 69 against 95, calls alternating process by process; bf16 n = 2048 245-263 against 343-355 for ten
// minutes). So a thread copies them behind the first panel's sweep, a tile's rows just after the kernel read
// them in place: later sweeps read rows that do not alias, and A still comes from memory once, in the kernel's
// stream rather than in a copy loop of its own. In calm stretches it is as fast as in place (f32
// n = 1024..4096 193-199 GFLOPS either way; copying first cost 3-5%). Two threads copy behind too (each share
// its own rows): in one calm session the copy cost them 1-3% (f32 n = 1024 367-378 against 382-388 in place,
// f64 n = 1024 182-189 against 191-195), but in the next, A 16 bytes into a line, processes alternating,
// in place -> copied behind: f32 n = 1024 317-323 -> 407-412, n = 2048 309-320 -> 383-416; f64 n = 1024
// 154-158 -> 186-191, n = 2048 152-156 -> 182-192; n = 4096, f32 n = 512 and fast math within noise.
// A copy pays only when B's block has columns enough to read it many times: with at most
// kCopyAliasedAMaxColumns, the packed-B path reads A in place however it aliases. Zen 4, 1 thread, alternating in one
// process, the SVD's W = V^T C at 1024 x 1024 (A's rows 8 KiB apart) with 16 / 32 / 64 / 128 / 256 columns, GFLOPS
// copied -> in place: f64 31 / 38 / 43 / 46 / 47 -> 49 / 49 / 47 / 48 / 46; f32 (2048 deep) 32 .. 512
// columns 81 / 83 / 92 / 99 / 103 -> 98 / 96 / 97 / 98 / 96.
inline constexpr int64_t kAliasingStrideBytes = 4096;
inline constexpr int64_t kAPaddingBytes = 64;
inline constexpr int64_t kCopyAliasedAMaxColumns = 128;

inline bool strides_alias(int64_t stride_bytes) { return stride_bytes % kAliasingStrideBytes == 0; }

// The stride, in elements of T, of rows `elements` long copied into a buffer: padded when it would alias.
template <class T>
int64_t copied_row_stride(int64_t elements) {
  constexpr int64_t size = sizeof(T);
  return strides_alias(elements * size) ? elements + kAPaddingBytes / size : elements;
}

// Fetches rows x cols of a matrix into L2, for reading a few microseconds later: every line the rows touch.
template <class T>
inline void prefetch_rows_into_l2(const T* a, int64_t rows, int64_t cols, int64_t ld) {
  for (int64_t i = 0; i < rows; ++i) {
    const uintptr_t end = reinterpret_cast<uintptr_t>(a + i * ld + cols);
    for (uintptr_t line = reinterpret_cast<uintptr_t>(a + i * ld) & ~uintptr_t{63}; line < end; line += 64) {
      __builtin_prefetch(reinterpret_cast<const void*>(line), 0, 2);
    }
  }
}

// Few rows of A against a wide row-major B too large to be found in cache from the last call. Read in place
// in strips NR columns wide, B arrived a line per row at a time however far ahead its rows were fetched (rows
// ldb apart: the hardware prefetchers follow none of them): 2.5-3 GB/s. Such a B goes to the packed path
// instead, packed in a pass of its own over whole block rows (the prefetchers stream each row), kFewRowsDepth
// rows to a block so that a micro-panel stays in L1 for the few tile rows that read it. Zen 3, against
// OpenBLAS in one process, median ratio in place -> packed this way, 1 thread: f64 16 x 4096 x 4096 0.41 ->
// 0.67, 64 x 4096 x 1024 0.63 -> 0.81, 64 x 1024 x 4096 0.83 -> 0.96, 12 x 1024 x 1024 0.67 -> 1.04,
// 32 x 2048 x 2048 0.57 -> 0.81; f32 0.51 / 0.68 / 0.74 / 0.85 / 0.58 -> 0.65 / 0.83 / 0.91 / 0.84 / 0.73;
// 2 threads f64 0.54 / 0.58 / 0.82 / 1.37 / 0.53 -> 1.02 / 0.78 / 0.77 / 1.81 / 0.74, f32 0.63 / 0.70 / 0.72 /
// 2.81 / 0.64 -> 0.70 / 0.80 / 0.75 / 2.80 / 0.79. With the table's depth (512 f64, 1024 f32) 1 thread read
// 0.60 / 0.78 / 0.85 for f64. Narrower B stays in place: packed this way, 49 x 512 x 4608, 64 x 512 x 4608
// and 32 x 256 x 8192 gained on 1 thread (f64 0.83 / 0.84 -> 0.93 / 0.94) but lost on 2 (rows of 256 each:
// f64 0.96 / 0.88 / 0.92 -> 0.83 / 0.76 / 0.67, f32 0.90 / 0.99 / 0.96 -> 0.87 / 0.90 / 0.90). Panels a line
// off the 4 KiB multiples, so that the pass's stores spread over L1's sets, measured the same.
inline constexpr int64_t kFewRowsDepth = 256;
inline constexpr int64_t kFewRowsStreamedWidth = 1024;

template <class In, class Out, class Fn>
bool b_from_memory(const Plan<Fn>& plan, const GemmArgs<In, Out>& args) {
  return args.m <= kFewRows && !args.b.trans && args.n >= kFewRowsStreamedWidth &&
         args.k * args.n * int64_t(sizeof(In)) > plan.unpacked_b_prefetch_bytes;
}

template <class In, class Out, class Fn>
bool use_unpacked_b(const Plan<Fn>& plan, const GemmArgs<In, Out>& args) {
  if (!plan.use_direct || direct_kernel<In>(*plan.kernel) == nullptr || args.b.trans) return false;
  if (args.a.trans && args.m * args.k * int64_t(sizeof(In)) > kTransposedACopyBytes) return false;
  const int64_t b_bytes = args.k * args.n * int64_t(sizeof(In));
  int64_t not_tall = kNotTallRows;
  if constexpr (std::is_same_v<Fn, Bf16TileKernel>) {
    not_tall = std::is_same_v<In, float> ? kNotTallRowsRoundingB : kNotTallRowsPairingB;
  }
  return b_bytes <= kL1BBytes || (args.m <= kFewRows && !b_from_memory(plan, args)) ||
         (args.m <= not_tall && b_bytes <= kL2BBytes);
}

template <class In, class Out, class Fn>
Status run_unpacked_b(const Plan<Fn>& plan, const GemmArgs<In, Out>& args, int threads) {
  const auto& kern = *plan.kernel;
  const auto direct = direct_kernel<In>(kern);
  const int64_t m = args.m, n = args.n, k = args.k, mr = plan.mr, nr = plan.nr;
  const bool b_in_l1 = k * n * int64_t{sizeof(In)} <= kL1BBytes;
  // A single tile of C with B in L1: the kernel at once, as the loops below would call it, without their
  // setup (which took half of a 4 x 4 cblas_sgemm's 0.05 us).
  if constexpr (!std::is_same_v<Fn, Bf16TileKernel>) {
    if (m <= mr && n <= nr && b_in_l1 && !args.a.trans) {
      direct(k, args.a.data, args.a.ld, args.b.data, args.b.ld, args.c, args.ldc, args.alpha, args.beta,
             static_cast<int>(m), static_cast<int>(n));
      apply_epilogue(args, 0, 0, m, n, args.c, kern.epilogue);
      return {};
    }
  }
  const int64_t depth = b_in_l1 ? k : depth_block(plan.unpacked_b_depth, k, kern.k_group);
  const int64_t strips = ceil_div(n, nr), row_panels = ceil_div(m, mr);
  // Rows spread evenly over the panels (49 rows: 10, 10, 10, 10, 9 rather than 12, 12, 12, 12, 1): each panel
  // reads all of B, so a nearly empty last panel costs almost what a full one does.
  const int64_t panel_rows = ceil_div(m, row_panels);
  // BF16 fast math on fp32 inputs: A's rows are rounded to bf16 once, up front (B is rounded in the kernel
  // as it is read). Rows of A whose stride aliases (see kAliasingStrideBytes) are copied once, to rows that
  // do not, when A is read more than once (once per strip): Zen 4, 49 x 512 x 4608 f64 (A's rows 36 KiB
  // apart), 1 thread, 24 GFLOPS before, 27-31 after in three suite runs.
  using AType = std::conditional_t<std::is_same_v<Fn, Bf16TileKernel>, bf16_t, In>;
  constexpr bool convert_a = !std::is_same_v<AType, In>;
  // So are rows far apart for their length (a block of a larger matrix at a small depth: LAPACK's trailing
  // updates), which every strip would read again a page or more per row.
  const bool sparse_a_rows = strips > 1 && args.a.ld >= 2 * round_up(k, 8);
  const bool copy_a = convert_a || args.a.trans || sparse_a_rows ||
                      (strips > 1 && plan.copy_aliasing_a && strides_alias(args.a.ld * int64_t{sizeof(In)}));
  const AType* a = nullptr;
  int64_t lda = 0;
  AType* a_rows = nullptr;
  if (copy_a) {
    lda = copied_row_stride<AType>(round_up(k, 2));
    a_rows = static_cast<AType*>(thread_a_scratch().get(sizeof(AType) * static_cast<size_t>(m * lda)));
    if (a_rows == nullptr) return error(Errc::internal, "out of memory copying A's rows");
    a = a_rows;
  } else if constexpr (!convert_a) {
    a = args.a.data;
    lda = args.a.ld;
  }
  // Threads take contiguous ranges of row panels when there are plenty and A is the larger operand, else of
  // column strips: each share reads all of the operand the other splits, and a few rows' A is the cheaper
  // one to read twice. Zen 3, 2 threads, against OpenBLAS in one process, median ratio rows -> strips: f32
  // 64 x 1024 x 64 0.65 -> 1.13, 64 x 1024 x 256 0.81 -> 1.08, 49 x 512 x 4608 0.79-0.85 -> 0.89-1.05,
  // 64 x 512 x 512 0.86 -> 1.05; f64 the same 0.96 / 0.85 / 0.80 / 0.93 -> 0.99 / 1.05 / 0.89 / 1.11;
  // 128 .. 256 square (rows either way) and 384 x 512 x 128 within noise.
  const bool split_rows = row_panels >= 4 * int64_t{threads} && m >= n;
  threads = static_cast<int>(std::min<int64_t>(threads, split_rows ? row_panels : strips));
  // Share t of nt: a range of row panels or column strips (all of A rounded first, then a barrier, when the
  // strips are split and A is converted).
  auto run_share = [&](int64_t t, int64_t nt, ParallelContext* ctx) {
    const int64_t first_row = split_rows ? t * row_panels / nt * panel_rows : 0;
    const int64_t end_row = split_rows ? std::min(m, (t + 1) * row_panels / nt * panel_rows) : m;
    if (copy_a) {
      if (split_rows) {
        // A thread reads only its own rows of A: it rounds those, and no thread waits for another (n = 128,
        // 2 threads: 304-315 -> 327-343 GFLOPS without the barrier).
        convert_rows(args.a, first_row, end_row - first_row, 0, k, lda, a_rows + first_row * lda, kern.convert_a);
      } else {
        const int64_t r0 = t * m / nt, r1 = (t + 1) * m / nt;
        convert_rows(args.a, r0, r1 - r0, 0, k, lda, a_rows + r0 * lda, kern.convert_a);
        if (ctx != nullptr) ctx->barrier();  // always set here: this case runs as a region with a barrier
      }
    }
    const int64_t first_strip = split_rows ? 0 : t * strips / nt;
    const int64_t end_strip = split_rows ? strips : (t + 1) * strips / nt;
    // Strips inside depth chunks: every strip reads all of A's rows, so when those and a strip of B outgrow
    // L2 they came from L3 once per strip. Chunks of the depth small enough for both keep A's part in L2
    // across the strips, at the price of C's tiles stored and reloaded once per chunk. 49 x 512 x 4608
    // (ResNet50's last 3x3 conv at batch 1; A 0.9 MB in f32), 1 thread, Zen 4, the two orders alternating
    // in one process: f32 +4-10%, f64 +10-14% (11 of 11 rounds), BF16 fast math +2-10%; f64 49 x 512 x
    // 1536..2048 +12-14%. Each element of C still sums its depth blocks in order, so the results do not
    // change.
    const int64_t bytes_per_k = m * int64_t{sizeof(AType)} + nr * int64_t{sizeof(In)};
    const int64_t chunk_bytes = plan.unpacked_b_chunk_bytes;
    const int64_t chunk =
        k * bytes_per_k <= chunk_bytes ? k : std::max(depth, chunk_bytes / bytes_per_k / depth * depth);
    // A strip is NR columns of every row, rows ldb apart: a pattern the hardware prefetchers do not follow,
    // so a B that is not in cache (plan.unpacked_b_prefetch_bytes) arrives one row at a time, at DRAM
    // latency (49 x 512 x 4608 f64: 2 GB/s). Each depth block fetches the same block of the next strip
    // (from the last strip, of the first strip in the next chunk) into L2 while the row panels run over it.
    // Zen 4, 1 thread, in one process alternating with the previous code, GFLOPS: f64 49 x 512 x 4608 27 ->
    // 33, 49 x 512 x 1536 28 -> 37, 12 x 1024 x 1024 14 -> 29, 64 x 1024 x 4096 28 -> 36; f32 49 x 512 x 4608
    // 49 -> 57, 49 x 512 x 3072 80 -> 92; 2 threads f64 49 x 512 x 4608 55 -> 66.
    const bool fetch_next_strip = k * n * int64_t{sizeof(In)} > plan.unpacked_b_prefetch_bytes;
    // A B beyond L1 read in place, ldb apart, costs the row panels after the first a page (TLB entry) per few
    // rows, and the BF16 kernels pair (and under BF16 fast math round) B's rows again in every row panel: the
    // first row panel of each strip packs the strip as its kernel reads it, and the others read the packed
    // strip (strip_buffer), when the share has more than one row panel. Zen 5, 1 thread, alternating
    // processes with the direct kernel on every panel, GFLOPS: f32 49 x 512 x 4608 144-148 -> 164-170,
    // 64 x 1024 x 1024 159-166 -> 175-180; f64 49 x 512 x 4608 65-67 -> 73-74, 128 x 256 x 512 82-92 -> 95-98,
    // 192 x 192 x 384 91-96 -> 101-104; square n = 256 f32 and f64 within 1%. bf16 inputs n = 256 333-384 ->
    // 362-401; B in L1 too for the BF16 kernels: bf16 inputs n = 128 364-371 -> 375-383, BF16 fast math n = 64
    // / 128 226-329 / 333-403 -> 243-342 / 342-415 (f32 and f64 from L1 gain nothing).
    const auto direct_packing_b = direct_packing_b_kernel<In>(kern);
    AType* strip_buffer = nullptr;
    if (direct_packing_b != nullptr && (!b_in_l1 || kern.k_group > 1) && end_row - first_row > panel_rows) {
      strip_buffer = static_cast<AType*>(thread_b_scratch().get(sizeof(AType) * static_cast<size_t>(depth * nr)));
    }
    for (int64_t k0 = 0; k0 < k; k0 += chunk) {
      const int64_t k1 = std::min(k, k0 + chunk);
      for (int64_t s = first_strip; s < end_strip; ++s) {
        const int64_t jr = s * nr, cols = std::min(nr, n - jr);
        for (int64_t pc = k0; pc < k1; pc += depth) {
          const int64_t kcur = std::min(depth, k1 - pc);
          if (fetch_next_strip) {
            const bool last_strip = s + 1 == end_strip;
            const int64_t next_jr = last_strip ? first_strip * nr : jr + nr;
            const int64_t next_pc = last_strip ? k1 + (pc - k0) : pc;
            if (next_pc < k) {
              prefetch_rows_into_l2(args.b.data + next_pc * args.b.ld + next_jr, std::min(kcur, k - next_pc),
                                    std::min(nr, n - next_jr), args.b.ld);
            }
          }
          const Out beta = pc == 0 ? args.beta : Out(1);
          const In* b_rows = args.b.data + pc * args.b.ld + jr;
          // Whole k groups only: the packed kernels read A's rows in groups, which would pass a row's end.
          const bool pack_strip = strip_buffer != nullptr && cols == nr && kcur % kern.k_group == 0;
          for (int64_t ir = first_row; ir < end_row; ir += panel_rows) {
            const int64_t rows = std::min(panel_rows, end_row - ir);
            Out* c = args.c + ir * args.ldc + jr;
            const AType* a_panel = a + ir * lda + pc;
            if (pack_strip && ir == first_row) {
              direct_packing_b(kcur, a_panel, lda, b_rows, args.b.ld, strip_buffer, c, args.ldc, args.alpha, beta,
                               static_cast<int>(rows));
            } else if (pack_strip && rows == mr) {
              kern.fn_unpacked_a(kcur, a_panel, lda, strip_buffer, c, args.ldc, args.alpha, beta);
            } else if (pack_strip) {
              kern.fn_unpacked_a_edge(kcur, a_panel, lda, strip_buffer, c, args.ldc, args.alpha, beta,
                                      static_cast<int>(rows), static_cast<int>(nr));
            } else {
              direct(kcur, a_panel, lda, b_rows, args.b.ld, c, args.ldc, args.alpha, beta, static_cast<int>(rows),
                     static_cast<int>(cols));
            }
            if (pc + kcur >= k) apply_epilogue(args, ir, jr, rows, cols, c, kern.epilogue);
          }
        }
      }
    }
  };
  if (threads == 1) {
    run_share(0, 1, nullptr);  // a small product: no region, no type-erased call
  } else if (copy_a && !split_rows) {
    ThreadPool::global().parallel(threads, [&](ParallelContext& ctx) { run_share(ctx.thread(), ctx.threads(), &ctx); });
  } else {
    ThreadPool::global().parallel_shares(threads, [&](int share) { run_share(share, threads, nullptr); });
  }
  return {};
}

template <class In, class Packed, class Out, class Fn>
Status run_gemm(const Plan<Fn>& plan, const GemmArgs<In, Out>& args, const PackedPanels<Packed>* packed_b = nullptr) {
  const int64_t m = args.m, n = args.n, k = args.k;
  if (m == 0 || n == 0) return {};
  if (args.alpha == Out(0) || k == 0) {
    scale_c(m, n, args.beta, args.c, args.ldc, args.triangle);
    apply_epilogue(args, 0, 0, m, n, args.c);
    return {};
  }
  const int threads = threads_for(m, n, k);
  // A triangle's tiles are skipped or trimmed in the packed path's tile loop only.
  const bool triangle = args.triangle != Triangle::none;
  if (packed_b == nullptr && !triangle && use_unpacked_b(plan, args)) return run_unpacked_b(plan, args, threads);
  const auto& kern = *plan.kernel;
  const int mr = plan.mr, nr = plan.nr, kg = kern.k_group;
  const bool b_streams = packed_b == nullptr && b_from_memory(plan, args);
  const int64_t kc =
      depth_block(b_streams ? std::min<int64_t>(plan.blocking.kc, kFewRowsDepth) : plan.blocking.kc, k, kg);
  // A bf16 C too large for L2 that nothing reads first goes around the caches (tuning.cpp's streamed_c_bytes):
  // full tiles whose rows start cache lines are stored non-temporally (each row of a tile then fills whole
  // lines: a line written in part that way goes to memory in part), and each thread fences its stores before
  // the call returns.
  const bool stream_c = args.c_bf16 != nullptr && args.beta == Out(0) && k <= kc &&
                        m * args.ldc * int64_t{sizeof(bf16_t)} > plan.streamed_c_bytes &&
                        args.ldc * int64_t{sizeof(bf16_t)} % 64 == 0;
  // A row-major A goes to the kernel's unpacked-A variant without packing: read in place when it is
  // already in the packed type (and whole k groups), otherwise converted row by row into the A buffer. So does
  // a transposed A, its rows copied (convert_rows): packed instead, it kept B from being packed by the first
  // tile row's kernels (a pass of its own): f64 N T (column-major) 100 x 100 x 10000 +14%, 500 x 500 x 2000
  // +10%, n = 1024 +3% against packing it, 1 thread, one process.
  const bool direct_a = plan.use_unpacked_a && kern.fn_unpacked_a != nullptr;
  // With an edge variant, the last rows and columns of C also read A in place and store straight to C.
  bool direct_edges = false;
  if constexpr (!std::is_same_v<typename UnpackedA<Fn>::edge, std::nullptr_t>) {
    direct_edges = direct_a && kern.fn_unpacked_a_edge != nullptr;
  }

  // Work split, one of two:
  //  - rows: each thread takes a contiguous range of MR-row panels (balanced to one panel), walked in A
  //    blocks of at most mc rows; all threads pack B's panels together, wait for each other, and every
  //    thread reads every panel, half of them packed on the other core;
  //  - columns (the jr loop): each thread takes a contiguous range of B's micro-panels, packs them itself
  //    and reads only those (no waiting, no panel crossing cores), and reads all of A.
  // Columns when B is not much smaller than A (n >= m / 2) and has panels enough to share, or when there
  // are too few row panels. Measured with 2 threads, packing B, A read in place, GFLOPS rows -> columns:
  // f32 196 x 256 x 2304 286 -> 352, n = 1024 387 -> 401; f64 196 x 256 x 2304 134 -> 175, n = 1024
  // 168 -> 188; bf16 inputs n = 1024 750 -> 808; but f32 3136 x 64 x 576 395 -> 362, 4096 x 256 x 256
  // 396 -> 379 (tall A: every thread reading all of it costs more than sharing B).
  // A prepacked B is not packed per call: that path keeps the row split whenever rows suffice (columns
  // there made ResNet50 at batch 1, 2 threads, slower: BF16 11.1 -> 11.5-11.8 ms, fp32 20.6 -> 20.8).
  const int64_t mc = round_up(plan.blocking.mc, mr);
  const int64_t row_panels = ceil_div(m, mr);
  // The blocking's nc is one thread's columns: threads splitting the columns of B's blocks take nc each (a
  // prepacked B keeps the blocks it was packed in). Zen 5, f32, square n = 2048 / 4096, GFLOPS: 1 thread,
  // 2048 -> 1024 columns a block, 197 / 197 -> 206 / 207; 2 threads, 1024 -> 512 columns each, 405 / 393 ->
  // 390 / 390, and 2048 -> 1024 each at n = 4096, 345-351 -> 363-374: each thread is best with about 1024.
  const int64_t column_block = plan.blocking.nc * (packed_b == nullptr ? int64_t{threads} : 1);
  const int64_t block_panels = ceil_div(std::min(column_block, n), nr);
  const bool columns_pay = packed_b == nullptr && 2 * n >= m && block_panels >= 4 * int64_t{threads};
  const bool split_rows = row_panels >= 4 * int64_t{threads} && !columns_pay;
  const int64_t nc = split_rows ? plan.blocking.nc : column_block;
  // Then copied before the kernel reads them (a_rows_alias) or behind each share's first sweep, into the
  // share's own A buffer (a_copy_behind: see kAliasingStrideBytes).
  const bool a_aliases = strides_alias(args.a.ld * int64_t{sizeof(In)}) && std::min(nc, n) > kCopyAliasedAMaxColumns;
  const bool a_rows_alias = a_aliases && plan.copy_aliasing_a;
  const bool a_copy_behind = a_aliases && !plan.copy_aliasing_a;
  // Split by rows with a small B block, each thread packs all of it into its own buffer: packing it twice
  // costs less than waiting for each other and reading panels packed on the other core. 2 threads, GFLOPS
  // shared -> own copies, three alternations, 784 x 128 x 1152: f32 364-369 -> 368-398, f64 175-180 ->
  // 189-194, bf16 inputs 732-744 -> 769-796; 3136 x 64 x 576, 4096 x 256 x 256, 50176 x 64 x 256 and
  // 12544 x 64 x 64 within +-5% either way. The limit keeps each worker's retained buffer small.
  const size_t b_block_bytes = sizeof(Packed) * static_cast<size_t>(kc * round_up(std::min(nc, n), nr));
  const bool own_b_copies = packed_b == nullptr && split_rows && threads > 1 && b_block_bytes <= plan.own_b_copy_bytes;
  // Split by columns, each share packs its micro-panels into its own part of the buffer, so no share writes
  // where another reads, even when a narrower last column block moves the shares' panel ranges.
  const int64_t share_panels = largest_share(block_panels, threads, args.triangle);
  const size_t b_buffer_bytes =
      split_rows ? b_block_bytes : sizeof(Packed) * static_cast<size_t>(kc * nr * share_panels * threads);
  Packed* b_buffer = nullptr;
  if (packed_b == nullptr) {
    b_buffer = static_cast<Packed*>(thread_b_scratch().get(b_buffer_bytes));
    if (b_buffer == nullptr) {
      return error(Errc::internal, "out of memory packing B (" + std::to_string(b_buffer_bytes) + " bytes)");
    }
  }
  std::atomic<bool> out_of_memory{false};
  const bool b_shared = split_rows && !own_b_copies;  // panels packed by all threads, read by all
  // B's full panels packed by the kernel of the first tile row that reads them, instead of in a pass of their
  // own ahead of it (a row-major B, packed by the share that reads it): the pass took 4.5% of an f32 n = 512
  // product, and the first tile row reads B anyway. Zen 5, alternating processes with the packing pass,
  // GFLOPS, 1 thread: f32 n = 512 198-204 -> 207-215, 196 x 256 x 2304 190-195 -> 206-215, 3136 x 64 x 576
  // and 784 x 128 x 1152 +1-3%, n = 1024..4096 within 2%; f64 n = 512 87 -> 94, 128 x 4096 x 4096 (B from
  // memory) 67-68 -> 78-79; 2 threads (a slow stretch): f32 n = 512 363-381 -> 385-394, n = 1024 / 2048 +3%,
  // f64 n = 512..2048 +2-8%.
  // In a triangle each panel is packed by the first tile row that reaches it (through the edge tile where the
  // tile crosses the diagonal). Before, a triangle packed all of B ahead: OpenBLAS time / armory's, 1 thread,
  // dsyrk L N (column-major: numpy's X.T @ X) n = 60 of depth 6000 0.73 -> 0.86, n = 100 of 10000 0.78 ->
  // 0.93, n = 200 of 2000 0.90 -> 0.98; U N (a lower triangle here) n = 60 0.87 -> 0.97, n = 200 0.87 -> 0.93.
  const auto direct_packing_b = direct_packing_b_kernel<In>(kern);
  const bool packing_b_in_tiles = packed_b == nullptr && direct_packing_b != nullptr && direct_a && !args.b.trans &&
                                  args.c_bf16 == nullptr && !b_streams;
  // Tiles with nothing to do but the product (the tile loop's fast path): in a rank-32 update (f64 1000 x 1000
  // x 32, 384 FMAs a tile) the per-tile decisions took 13% of the time.
  const bool plain_tiles = direct_a && args.c_bf16 == nullptr && args.epilogue.bias == nullptr && !args.epilogue.relu &&
                           !args.epilogue.bounded();

  // Share t of nt: a range of rows or of B's micro-panels. Only panels packed by all threads together
  // (b_shared) make the shares wait for each other, at ctx's barrier.
  auto run_share = [&](int64_t t, int64_t nt, ParallelContext* ctx) {
    // Room for copied rows at any depth block's padded stride (copied_row_stride).
    const int64_t a_padding = kAPaddingBytes / static_cast<int64_t>(sizeof(Packed));
    Packed* a_buffer =
        static_cast<Packed*>(thread_a_scratch().get(sizeof(Packed) * static_cast<size_t>(mc * (kc + a_padding))));
    // With own copies, the copy of the thread running the share (the caller's is b_buffer).
    Packed* b_panels = own_b_copies ? static_cast<Packed*>(thread_b_scratch().get(b_block_bytes)) : b_buffer;
    const bool can_run = a_buffer != nullptr && (packed_b != nullptr || b_panels != nullptr);
    if (!can_run) out_of_memory = true;
    alignas(64) Out edge_tile[kMaxTileElements];
    for (int64_t jc = 0, jc_index = 0; jc < n; jc += nc, ++jc_index) {
      const int64_t ncur = std::min(nc, n - jc);
      const int64_t panels = ceil_div(ncur, nr);
      for (int64_t pc = 0, pc_index = 0; pc < k; pc += kc, ++pc_index) {
        const int64_t kcur = std::min(kc, k - pc), kpad = round_up(kcur, kg);
        const Out beta = pc == 0 ? args.beta : Out(1);
        const bool last_k = pc + kcur >= k;

        const bool rows_grow = args.triangle == Triangle::lower;
        const int64_t row_begin =
            split_rows ? std::min(m, share_start(t, nt, row_panels, args.triangle, rows_grow) * mr) : 0;
        const int64_t row_end =
            split_rows ? std::min(m, share_start(t + 1, nt, row_panels, args.triangle, rows_grow) * mr) : m;
        const int64_t first_panel = split_rows ? 0 : share_start(t, nt, panels, args.triangle, !rows_grow);
        const int64_t end_panel = split_rows ? panels : share_start(t + 1, nt, panels, args.triangle, !rows_grow);

        // Our panels sit kc deep whatever this block's depth: a thread packing the next (shorter) depth block
        // never writes where another still reads this one.
        const int64_t panel_stride = (packed_b != nullptr ? kpad : kc) * nr;
        const Packed* b_block = nullptr;
        Packed* own_block = nullptr;
        // The share's first tile row packs its full panels of B as the kernel reads them (packing_b_in_tiles);
        // in a lower triangle, the first row that reaches each panel (the one crossing the diagonal there).
        const int64_t first_block_rows = std::min(mc, row_end - row_begin);
        const bool pack_in_tiles = packing_b_in_tiles && (nt == 1 || !b_shared) &&
                                   (direct_edges ? first_block_rows > 0 : first_block_rows >= mr);
        const bool lower_triangle = args.triangle == Triangle::lower;
        auto packing_row = [&](int64_t panel) {
          return lower_triangle ? std::max(row_begin, (jc + panel * nr) / mr * mr) : row_begin;
        };
        // The full panels packed that way: a prefix, as packing_row only grows. The rest (a partial panel, and
        // those whose packing row has too few rows for the kernels that pack) are packed ahead.
        int64_t tiles_pack_end = ncur / nr;
        while (lower_triangle && tiles_pack_end > 0) {
          const int64_t row = packing_row(tiles_pack_end - 1);
          if (direct_edges ? row < row_end : row + mr <= row_end) break;
          --tiles_pack_end;
        }
        if (packed_b != nullptr) {
          b_block = packed_b->block(jc_index, pc_index);
        } else {
          // Shared, the threads pack a range of panels each and wait for all; otherwise each packs what it
          // reads: its own columns (into the share's part of the buffer), or with its own copy all of them.
          own_block = split_rows ? b_panels : b_panels + (t * share_panels - first_panel) * panel_stride;
          int64_t pack_first = b_shared ? t * panels / nt : first_panel;
          const int64_t pack_end = b_shared ? (t + 1) * panels / nt : end_panel;
          if (pack_in_tiles) pack_first = std::max(pack_first, std::min(pack_end, tiles_pack_end));
          if (can_run && pack_first < pack_end) {
            pack_b_panels(args.b, pc, kcur, jc + pack_first * nr, std::min(ncur, pack_end * nr) - pack_first * nr, nr,
                          kg, own_block + pack_first * panel_stride, panel_stride, kern.interleave_b,
                          b_streams ? pack_end - pack_first : kPanelsPerPass);
          }
          if (b_shared) ctx->barrier();
          b_block = own_block;
        }
        for (int64_t ic = row_begin; can_run && ic < row_end && first_panel < end_panel; ic += mc) {
          const int64_t mcur = std::min(mc, row_end - ic);
          const int64_t next_block_rows = std::min(mc, row_end - ic - mcur);
          // Full MR-row panels of a row-major A go to the unpacked-A kernel; only a partial last panel
          // (fewer than MR rows) is packed, so the kernel never reads past A's last row.
          const int64_t full_rows = direct_a ? (direct_edges ? mcur : mcur / mr * mr) : 0;
          const Packed* a_rows = nullptr;
          int64_t a_rows_ld = 0;
          // Rows copied into the A buffer sit copy_ld apart; a packed partial panel follows them.
          const int64_t copy_ld = copied_row_stride<Packed>(kpad);
          if (full_rows > 0) {
            if constexpr (std::is_same_v<In, Packed>) {
              // A partial k group would read past the row's end.
              if (kcur == kpad && !a_rows_alias && !args.a.trans) {
                a_rows = args.a.data + ic * args.a.ld + pc;
                a_rows_ld = args.a.ld;
              }
            }
            if (a_rows == nullptr) {
              convert_rows(args.a, ic, full_rows, pc, kcur, copy_ld, a_buffer, kern.convert_a);
              a_rows = a_buffer;
              a_rows_ld = copy_ld;
            }
          }
          Packed* const a_packed = a_buffer + full_rows * copy_ld;
          if (full_rows < mcur) pack_a(args.a, ic + full_rows, mcur - full_rows, pc, kcur, mr, kg, a_packed);
          // Rows read in place on the first panel's sweep are copied behind it, a tile's rows while they are
          // still in cache, and the later sweeps read the copy.
          const bool copy_behind =
              a_copy_behind && a_rows != nullptr && a_rows != a_buffer && end_panel - first_panel > 1;
          int64_t rows_copied = 0;
          for (int64_t p = first_panel; p < end_panel; ++p) {
            const int64_t jr = p * nr, cols = std::min<int64_t>(nr, ncur - jr);
            const Packed* b_panel = b_block + p * panel_stride;
            const bool read_copy = copy_behind && p > first_panel;
            const Packed* const a_src = read_copy ? a_buffer : a_rows;
            const int64_t a_src_ld = read_copy ? copy_ld : a_rows_ld;
            // Whole tiles of A's rows (in place or copied) with nothing to do but the product run in a loop of
            // their own, past the first panel (whose sweep prefetches and copies A): the loop after it decides
            // per tile about triangles, a bf16 C, packing B and the epilogue. In a triangle, the tiles wholly
            // inside it: in C's coordinates a tile's rows r..r+MR-1 against columns c..c+NR-1 are inside the
            // lower triangle from r >= c + NR - 1 on, inside the upper one while r + MR - 1 <= c.
            int64_t plain_begin = 0, plain_end = 0;
            if (plain_tiles && p != first_panel && cols == nr) {
              plain_end = std::min(full_rows, mcur) / mr * mr;
              const int64_t col0 = jc + jr;
              if (args.triangle == Triangle::lower) {
                const int64_t first = col0 + nr - 1 - ic;
                plain_begin = first <= 0 ? 0 : round_up(first, mr);
              } else if (args.triangle == Triangle::upper) {
                const int64_t last = col0 - mr + 1 - ic;
                plain_end = last < 0 ? 0 : std::min(plain_end, last / mr * mr + mr);
              }
              // The tile that packs this panel of B, and those before it, go the general way.
              if (pack_in_tiles && p < tiles_pack_end) plain_begin = std::max(plain_begin, packing_row(p) - ic + mr);
            }
            for (int64_t ir = 0; ir < mcur; ir += mr) {
              if (ir == plain_begin && plain_begin < plain_end) {
                const int64_t next_cols = p + 1 < end_panel ? std::min<int64_t>(nr, ncur - jr - nr) : 0;
                for (; ir < plain_end; ir += mr) {
                  Out* c = args.c + (ic + ir) * args.ldc + jc + jr;
                  if (beta != Out(0) && next_cols > 0) prefetch_rows(c + nr, mr, next_cols, args.ldc);
                  kern.fn_unpacked_a(kpad, a_src + ir * a_src_ld, a_src_ld, b_panel, c, args.ldc, args.alpha, beta);
                }
                if (ir >= mcur) break;
              }
              if (copy_behind && p == first_panel && rows_copied < std::min(ir, full_rows)) {
                const int64_t upto = std::min(ir, full_rows);
                convert_rows(args.a, ic + rows_copied, upto - rows_copied, pc, kcur, copy_ld,
                             a_buffer + rows_copied * copy_ld);
                rows_copied = upto;
              }
              const int64_t rows = std::min<int64_t>(mr, mcur - ir);
              const Packed* a_panel = ir >= full_rows ? a_packed + (ir - full_rows) * kpad : nullptr;
              // A read in place comes from memory on the first panel's sweep (later panels find it in L2):
              // the start of the next tile's rows (the next A block's first, after the last) is fetched while
              // this one computes, which starts the hardware's stream on each row. Measured with bf16 A,
              // packed B: 50176 x 64 x 256 (ResNet50's first 1x1 convs at batch 16) 305 -> 357 GFLOPS with 1
              // thread. Only the first kPrefetchARowBytes of each row: fetching whole rows (12 x 2.3 KB at
              // k = 576) floods the miss queues; 1 thread, whole rows -> 256 bytes, two alternations: f32
              // 3136 x 64 x 576 199-200 -> 209, 784 x 128 x 1152 202-203 -> 207, 50176 x 64 x 256 170-172 ->
              // 180-181, bf16 3136 x 64 x 576 394-396 -> 411-412; square n = 512..2048 f32 and f64 +0-2%.
              if (p == first_panel && a_rows != nullptr && a_rows != a_buffer && ic + ir + mr < row_end) {
                prefetch_rows(a_rows + (ir + mr) * a_rows_ld, std::min<int64_t>(mr, row_end - ic - ir - mr),
                              std::min<int64_t>(kcur, kPrefetchARowBytes / int64_t(sizeof(Packed))), a_rows_ld);
              }
              // A bf16 C (a residual that beta reads, or an output written over) comes from memory: it is fetched,
              // for writing, one sweep of the A block ahead, which hides a DRAM miss: this tile's rows in the
              // next micro-panel's columns or, from the last micro-panel, the next A block's rows in the first
              // one's (a thread's first tile fetches its own). C = A*B + C at 50176 x 256 x 64, bf16 C from
              // DRAM, 1 thread: 140-200 GFLOPS fetching just the tile about to run, 240-290 one panel ahead,
              // 295-300 with the next block's first panel too. For writing: a C that beta = 0 overwrites is
              // read for ownership anyway (that shape, beta = 0: 6-8% faster).
              auto prefetch_c_ahead = [&](const bf16_t* c_tile) {
                const int64_t ldc = args.ldc;
                if (p == first_panel && ic == row_begin) prefetch_rows(c_tile, rows, cols, ldc, PrefetchFor::write);
                if (p + 1 < end_panel) {
                  prefetch_rows(c_tile + nr, rows, std::min<int64_t>(nr, ncur - jr - nr), ldc, PrefetchFor::write);
                } else if (ir < next_block_rows) {
                  const bf16_t* next_block = c_tile + mcur * ldc - (p - first_panel) * nr;
                  prefetch_rows(next_block, std::min<int64_t>(mr, next_block_rows - ir),
                                std::min<int64_t>(nr, ncur - first_panel * nr), ldc, PrefetchFor::write);
                }
              };
              // A whole tile into dst (rows of it with direct_edges: the last rows of A read in place).
              auto run_tile = [&](Out* dst, int64_t ld, Out b_scale) {
                if (ir >= full_rows) {
                  kern.fn(kpad, a_panel, b_panel, dst, ld, args.alpha, b_scale);
                } else if (rows == mr) {
                  kern.fn_unpacked_a(kpad, a_src + ir * a_src_ld, a_src_ld, b_panel, dst, ld, args.alpha, b_scale);
                } else {
                  if constexpr (!std::is_same_v<typename UnpackedA<Fn>::edge, std::nullptr_t>) {
                    kern.fn_unpacked_a_edge(kpad, a_src + ir * a_src_ld, a_src_ld, b_panel, dst, ld, args.alpha,
                                            b_scale, static_cast<int>(rows), nr);
                  }
                }
              };
              // This tile's kernel packs its panel of B (packing_b_in_tiles).
              const bool packs_panel = pack_in_tiles && p < tiles_pack_end && ic + ir == packing_row(p);
              // The tile into edge_tile, then C = beta C + it in the columns `columns(i)` of each row i.
              auto store_through_edge_tile = [&](Out* c, auto&& columns) {
                if (packs_panel) {
                  direct_packing_b(kcur, a_src + ir * a_src_ld, a_src_ld, args.b.data + pc * args.b.ld + jc + jr,
                                   args.b.ld, own_block + p * panel_stride, edge_tile, nr, args.alpha, Out(0),
                                   static_cast<int>(rows));
                } else {
                  run_tile(edge_tile, nr, Out(0));
                }
                for (int64_t i = 0; i < rows; ++i) {
                  const ColumnRange kept = columns(i);
                  for (int64_t j = kept.first; j < kept.end; ++j) {
                    Out prior = beta == Out(0) ? Out(0) : beta * c[i * args.ldc + j];
                    c[i * args.ldc + j] = edge_tile[i * nr + j] + prior;
                  }
                }
              };
              if constexpr (std::is_same_v<Out, float>) {
                if (args.c_bf16 != nullptr) {
                  bf16_t* c16 = args.c_bf16 + (ic + ir) * args.ldc + jc + jr;
                  prefetch_c_ahead(c16);
                  const Epilogue& e = args.epilogue;
                  if (rows == mr && cols == nr && ir < full_rows && kern.fn_unpacked_a_bf16_c != nullptr) {
                    if constexpr (std::is_same_v<In, bf16_t>) {  // a_rows is bf16 A read in place
                      const bool stream = stream_c && reinterpret_cast<uintptr_t>(c16) % 64 == 0;
                      kern.fn_unpacked_a_bf16_c(kpad, a_src + ir * a_src_ld, a_src_ld, b_panel, c16, args.ldc,
                                                args.alpha, beta, e.bias ? e.bias + jc + jr : nullptr, e.relu, e.upper,
                                                stream);
                      continue;
                    }
                  }
                  run_tile(edge_tile, nr, 0.0f);
                  (kern.store_bf16 ? kern.store_bf16 : store_tile_bf16)(rows, cols, edge_tile, nr, c16, args.ldc, beta,
                                                                        e.bias ? e.bias + jc + jr : nullptr, e.relu,
                                                                        e.upper);
                  continue;
                }
              }
              Out* c = args.c + (ic + ir) * args.ldc + jc + jr;
              if (triangle) {
                const int64_t row0 = ic + ir, col0 = jc + jr;
                const bool lower = args.triangle == Triangle::lower;
                const bool outside = lower ? row0 + rows <= col0 : row0 >= col0 + cols;
                const bool inside = lower ? row0 >= col0 + cols - 1 : row0 + rows - 1 <= col0;
                if (outside) continue;
                if (!inside) {
                  store_through_edge_tile(c, [&](int64_t i) {
                    const ColumnRange kept = triangle_columns(args.triangle, row0 + i - col0, cols);
                    return ColumnRange{std::max<int64_t>(kept.first, 0), kept.end};
                  });
                  continue;
                }
              }
              // A C that beta reads is fetched a micro-panel ahead (this tile's rows, the next panel's columns;
              // the first panel's own as it starts): just before the tile, as it was, the lines of a
              // rank-32 update's C (LAPACK's blocked trailing updates) arrived too late. f64, 1 thread,
              // calls alternating in one process with the previous build: 568 x 536 x 32 +2%, 2000 x 1000 x 32
              // +5-7% (2 threads +7-18%), n = 1024 of depth 1024 and f32 within 1%.
              if (beta != Out(0)) {
                if (p == first_panel) prefetch_rows(c, rows, cols, args.ldc);
                if (p + 1 < end_panel) prefetch_rows(c + nr, rows, std::min<int64_t>(nr, ncur - jr - nr), args.ldc);
              }
              if (packs_panel) {
                // kcur, not kpad: an odd depth's last pair takes a zero partner in the tile, as in the pack.
                direct_packing_b(kcur, a_src + ir * a_src_ld, a_src_ld, args.b.data + pc * args.b.ld + jc + jr,
                                 args.b.ld, own_block + p * panel_stride, c, args.ldc, args.alpha, beta,
                                 static_cast<int>(rows));
                if (last_k) apply_epilogue(args, ic + ir, jc + jr, rows, cols, c, kern.epilogue);
                continue;
              }
              if constexpr (std::is_same_v<Fn, TileKernel<float>>) {
                // A full tile of A in place, finished with the epilogue in registers and stored once.
                const Epilogue& e = args.epilogue;
                if (last_k && rows == mr && cols == nr && ir < full_rows && kern.fn_unpacked_a_fused != nullptr &&
                    !args.bias_by_row && (e.bias != nullptr || e.relu || e.bounded())) {
                  kern.fn_unpacked_a_fused(kpad, a_src + ir * a_src_ld, a_src_ld, b_panel, c, args.ldc, args.alpha,
                                           beta, e.bias ? e.bias + jc + jr : nullptr, e.relu, e.upper);
                  continue;
                }
              }
              if (rows == mr && cols == nr) {
                run_tile(c, args.ldc, beta);
              } else if (direct_edges) {
                if constexpr (!std::is_same_v<typename UnpackedA<Fn>::edge, std::nullptr_t>) {
                  kern.fn_unpacked_a_edge(kpad, a_src + ir * a_src_ld, a_src_ld, b_panel, c, args.ldc, args.alpha, beta,
                                          static_cast<int>(rows), static_cast<int>(cols));
                }
              } else {
                store_through_edge_tile(c, [&](int64_t) { return ColumnRange{0, cols}; });
              }
              if (last_k) apply_epilogue(args, ic + ir, jc + jr, rows, cols, c, kern.epilogue);
            }
            if (copy_behind && p == first_panel && rows_copied < full_rows) {
              convert_rows(args.a, ic + rows_copied, full_rows - rows_copied, pc, kcur, copy_ld,
                           a_buffer + rows_copied * copy_ld);
              rows_copied = full_rows;
            }
          }
        }
        // The next depth block overwrites B's panels, which shared the other threads still read.
        if (packed_b == nullptr && b_shared) ctx->barrier();
      }
    }
#if defined(__x86_64__)
    // Non-temporal stores (only x86 kernels make them) are ordered by SFENCE, not by ordinary stores: it
    // comes before the stores that tell the caller this share is done.
    if (stream_c) _mm_sfence();
#endif
  };
  if (b_shared) {
    ThreadPool::global().parallel(threads, [&](ParallelContext& ctx) { run_share(ctx.thread(), ctx.threads(), &ctx); });
  } else {
    ThreadPool::global().parallel_shares(threads, [&](int share) { run_share(share, threads, nullptr); });
  }
  if (out_of_memory) return error(Errc::internal, "out of memory for GEMM's packing buffers");
  return {};
}

}  // namespace armory::gemm_engine
