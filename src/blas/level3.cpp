#include "level3.h"

#include <armory/gemm.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "common/integer.h"
#include "common/scratch.h"
#include "common/transpose.h"
#include "gemm/thread_pool.h"
#include "gemm/triangle.h"
#include "level2.h"
#include "substitution.h"
#include "vector_kernels.h"
#include "xerbla.h"

namespace armory::blas {
namespace {

// Per-thread working memory for the routines here, one block per use that can be live at once (complex
// GEMM runs inside the others). Vectors taken per call were mapped and faulted in afresh each time (and
// zeroed): numpy.linalg.inv at n = 256, one thread, spent a third of its time in the kernel, where OpenBLAS
// spent 0.3%.
enum class Workspace { diagonal_block, b_copy, expanded_a, stacked_terms };

void* workspace_bytes(Workspace use, size_t bytes) {
  thread_local Scratch scratch[4];
  return scratch[static_cast<int>(use)].get(bytes);
}

// count elements of T, not initialised; std::bad_alloc (reported by the routine's handler) without memory.
template <class T>
T* workspace(Workspace use, size_t count) {
  void* p = workspace_bytes(use, count * sizeof(T));
  if (p == nullptr && count > 0) throw std::bad_alloc();
  return static_cast<T*>(p);
}

void report_engine_failure(const Status& status) {
  if (!status.ok()) report_failure("GEMM did not run: " + status.message());
}

armory::Trans engine_trans(Op op) { return op == Op::none ? armory::Trans::no : armory::Trans::yes; }

// Element (i, j) of op(A).
template <class T>
T op_element(const T* a, index_t lda, Op op, index_t i, index_t j) {
  switch (op) {
    case Op::none: return a[i + j * lda];
    case Op::trans: return a[j + i * lda];
    case Op::conj_trans: return conj_value(a[j + i * lda]);
  }
  return T(0);
}

// Where row r of op(A) starts: op(A) = A keeps rows down a column; op(A) = A^T or A^H keeps them across.
template <class T>
const T* op_row(const T* a, index_t lda, Op op, index_t r) {
  return op == Op::none ? a + r : a + r * lda;
}

// Where op(A)'s block at rows i, columns j starts (A's at (j, i) when op transposes), for a routine that
// hands it to GEMM with op.
template <class T>
const T* op_block(const T* a, index_t lda, Op op, index_t i, index_t j) {
  return op_row(a, lda, op, i) + (op == Op::none ? j * lda : j);
}

template <class T>
void scale_matrix(index_t m, index_t n, T beta, T* c, index_t ldc) {
  if (beta == T(1)) return;
  for (index_t j = 0; j < n; ++j) {
    T* column = c + j * ldc;
    if (beta == T(0)) {
      std::fill(column, column + m, T(0));
    } else {
      for (index_t i = 0; i < m; ++i) column[i] *= beta;
    }
  }
}

template <class T>
struct RankTerm {
  T alpha;
  const T* x;  // rows of op(X)
  const T* y;  // rows of op(Y)
  index_t ldx, ldy;
};

// Real syrk / syr2k up to this order and at least twice as deep (and 16) go through
// small_order_product; shallower, zeroing P and merging it into C cost more than its tiles save.
// Against the engine's triangle (or the 256-column blocks, n <= 12), 1 thread, dsyrk L N in place, OpenBLAS
// time / armory time: n = 20 of depth 64 / 2000 0.61 / 0.60 -> 1.02 / 1.43, n = 48 of 2000 0.88 -> 1.19,
// n = 64 of 1024 0.94 -> 1.12, n = 96 of 4000 0.99 -> 1.08, n = 160 of 2000 0.98 -> 1.04; n = 160 of 320 0.94
// either way; but n = 64 of 64 0.86 -> 0.80, n = 100 of 100 0.88 -> 0.84, n = 160 of 16 0.75 -> 0.43. ssyrk
// n = 96 of 4000 and 128 of 2000 0.83 -> 1.00, n = 48 of 2000 1.35. Transposed (copied) about even from
// n = 96: dsyrk L T n = 96 of 4000 1.03 -> 1.09, U T n = 128 of 2000 0.99 -> 0.97.
constexpr index_t kSmallOrder = 160;
constexpr index_t kSmallOrderDepth = 16;
bool uses_small_order(index_t m, index_t n, index_t k) {
  return m > 0 && n > 0 && std::max(m, n) <= kSmallOrder && k >= std::max(kSmallOrderDepth, 2 * std::max(m, n));
}

// C_part <- beta C + alpha sum over terms of X_t Y_t^T for an m x n C of small order (real types, one alpha for
// all terms, at most two matrices), where X_t (m x k) and Y_t (n x k) are op(x_t) and op(y_t): the product P in
// registers tile by tile over depth chunks of X and Y (rank_k_chunk), then merged into C's part. numpy's X.T @ X
// of a tall X (dsyrk L N, X's rows 8 n bytes apart) at n = 20 went through the engine's triangle in tiles of
// 6, 6, 6 and 2 rows by panels of 8, 8 and 4 columns, mostly edges: 0.60 of OpenBLAS's speed at depth 2000.
// Untransposed (op none: their columns are the depth steps), X and Y are read in place (copying them cost a
// quarter of n = 20) but for the last steps, whose reads past their rows would leave the matrix, and unless
// their stride is a multiple of 512 bytes: then a chunk's rows fall in a few L1 sets (at 1 KiB, n = 128, 0.8
// of OpenBLAS). Those, and transposed ones, are copied into rows an odd number of cache lines apart.
template <class T>
void small_order_product(RankKPart part, bool transposed, index_t m, index_t n, index_t k, const RankTerm<T>* terms,
                         int term_count, T beta, T* c, index_t ldc) {
  constexpr index_t kLine = kRankKPadding<T>;    // a cache line: any ISA's lanes
  index_t ld = round_up(std::max(m, n), kLine);  // the copies' rows
  if (ld / kLine % 2 == 0) ld += kLine;
  const index_t ldp = round_up(m, kRankKPadding<T>);  // P's columns
  const index_t columns = round_up(n, index_t{kRankKColumns});
  // Elements past its m or n that the tiles read in a row of any term's X or Y.
  const index_t overrun = std::max(ldp - m, columns - n);
  // Steps [0, in_place) are read in place: step s reads to s * ldx + rows + overrun - 1, inside the matrix
  // while k - s > overrun / ldx.
  index_t in_place = transposed ? 0 : k, widest = ld;
  for (int t = 0; t < term_count && in_place > 0; ++t) {
    for (index_t ldx : {terms[t].ldx, terms[t].ldy}) {
      in_place = ldx * static_cast<index_t>(sizeof(T)) % 512 == 0 ? 0 : std::min(in_place, k - ceil_div(overrun, ldx));
      widest = std::max(widest, ldx);
    }
  }
  in_place = std::max<index_t>(in_place, 0);
  // A chunk of each matrix in about half of L1.
  const index_t chunk = std::max<index_t>(64, (16 * 1024) / (widest * static_cast<index_t>(sizeof(T))));
  const index_t copied_steps = std::min(chunk, k - in_place);
  const size_t copy_size = static_cast<size_t>(copied_steps * ld + kRankKColumns);
  T* const product = workspace<T>(Workspace::diagonal_block, static_cast<size_t>(ldp * columns));
  const auto& kernels = vector_kernels_for<T>();
  const T alpha = terms[0].alpha;

  // Threads take P's column blocks, as many tiles each (lower: the first blocks are the tallest), each block
  // computed the same way whichever thread takes it. Threads from the flops, as GEMM's (driver.h).
  const index_t blocks = columns / kRankKColumns;
  const double flops = (part == RankKPart::all ? 2.0 : 1.0) * static_cast<double>(m) * static_cast<double>(n + 1) *
                       static_cast<double>(k) * term_count;
  const int threads = flops < 4.0e6 ? 1
                                    : static_cast<int>(std::min<double>(
                                          {flops / 2.0e6, double(ThreadPool::global().max_threads()), double(blocks)}));
  auto block_weight = [&](index_t b) {
    switch (part) {
      case RankKPart::lower:
        return m - b * kRankKColumns;
      case RankKPart::upper:
        return (b + 1) * kRankKColumns;
      case RankKPart::all:
        break;
    }
    return m;
  };
  index_t total_weight = 0;
  for (index_t b = 0; b < blocks; ++b) total_weight += block_weight(b);
  auto first_block = [&](int t) {
    index_t b = 0;
    for (index_t before = 0; b < blocks && before < total_weight * t / threads; ++b) before += block_weight(b);
    return b;
  };
  std::atomic<bool> out_of_memory{false};
  auto run_share = [&](int share) {
    const index_t j_begin = first_block(share) * kRankKColumns, j_end = first_block(share + 1) * kRankKColumns;
    if (j_begin >= j_end) return;
    std::fill(product + j_begin * ldp, product + j_end * ldp, T(0));
    // Two copies (syr2k's A and B, gemm's), each with room for the last row's reads past ld; zeroed where used,
    // once, so that their padding holds zeros. The thread's own: shares copy what they read.
    T* copies = nullptr;
    if (copied_steps > 0) {
      copies = static_cast<T*>(workspace_bytes(Workspace::b_copy, 2 * copy_size * sizeof(T)));
      if (copies == nullptr) {
        out_of_memory = true;
        return;
      }
    }
    bool zeroed[2] = {false, false};
    for (index_t p0 = 0; p0 < k;) {
      const bool read_in_place = p0 < in_place;
      const index_t depth = std::min(chunk, (read_in_place ? in_place : k) - p0);
      const T* copied_from[2] = {nullptr, nullptr};
      // The depth steps of matrix x from p0 (rows long: each one x's column, or its row when transposed),
      // in place or copied once however many terms read them; *step_ld is their stride.
      auto steps_of = [&](const T* x, index_t ldx, index_t rows, index_t* step_ld) -> const T* {
        if (read_in_place) {
          *step_ld = ldx;
          return x + p0 * ldx;
        }
        *step_ld = ld;
        const int slot = copied_from[0] == nullptr || copied_from[0] == x ? 0 : 1;
        T* copy = copies + slot * copy_size;
        if (!zeroed[slot]) std::fill(copy, copy + copy_size, T(0));
        zeroed[slot] = true;
        if (copied_from[slot] != x) {
          if (transposed) {
            transpose_copy(x + p0, ldx, depth, rows, copy, ld);
          } else {
            for (index_t s = 0; s < depth; ++s) std::copy(x + (p0 + s) * ldx, x + (p0 + s) * ldx + rows, copy + s * ld);
          }
          copied_from[slot] = x;
        }
        return copy;
      };
      for (int t = 0; t < term_count; ++t) {
        index_t ldx = 0, ldy = 0;
        const T* x = steps_of(terms[t].x, terms[t].ldx, m, &ldx);
        const T* y = steps_of(terms[t].y, terms[t].ldy, n, &ldy);
        kernels.rank_k_chunk(part, m, j_begin, j_end, depth, x, ldx, y, ldy, product, ldp);
      }
      p0 += depth;
    }
    for (index_t j = j_begin; j < std::min(j_end, n); ++j) {
      const index_t lo = part == RankKPart::lower ? j : 0, hi = part == RankKPart::upper ? j + 1 : m;
      for (index_t i = lo; i < hi; ++i) {
        T& cij = c[i + j * ldc];
        cij = (beta == T(0) ? T(0) : beta * cij) + alpha * product[i + j * ldp];
      }
    }
  };
  if (threads <= 1) {
    run_share(0);
  } else {
    ThreadPool::global().parallel_shares(threads, run_share);
  }
  if (out_of_memory) throw std::bad_alloc();
}

template <class R>
void gemm_real(Op op_a, Op op_b, index_t m, index_t n, index_t k, R alpha, const R* a, index_t lda, const R* b,
               index_t ldb, R beta, R* c, index_t ldc) {
  // A B^T of small order and deep (numpy's X.T @ Y for tall X and Y): the small-order tiles, as syrk's, where
  // one side has few enough rows that the engine's tiles would be mostly edges. 1 thread, calls alternating
  // in one process, engine time / small-order time: dgemm N T 4 x 4 x 500 1.54, 12 x 12 x 1000 1.58, 20 x 20 x
  // 2000 1.25-1.31, 40 x 40 x 4000 1.08-1.20, 8 x 100 x 1000 1.55, 20 x 160 x 2000 1.32; sgemm 20 x 20 x 2000
  // 1.14, 40 x 40 x 4000 1.18; but 64 x 64 0.97-1.05, 80 x 80 x 2000 0.89, 128 x 128 x 2000 0.88. Other
  // transposes copy an operand's steps transposed, which costs more than the engine's edges: N N 8 x 8 x 1000
  // 0.53, 20 x 100 x 2000 0.75, T N 20 x 20 x 2000 0.83 (T T 1.16).
  constexpr index_t kSmallGemmSide = 40;
  if (op_a == Op::none && op_b != Op::none && std::min(m, n) <= kSmallGemmSide && uses_small_order(m, n, k) &&
      alpha != R(0)) {
    // Step s is A's column s and B's column s (op(B)'s row s).
    const RankTerm<R> term{alpha, a, b, lda, ldb};
    small_order_product(RankKPart::all, false, m, n, k, &term, 1, beta, c, ldc);
    return;
  }
  report_engine_failure(armory::gemm(Layout::col_major, engine_trans(op_a), engine_trans(op_b), m, n, k, alpha, a,
                                     lda, b, ldb, beta, c, ldc));
}

// Complex GEMM as one real GEMM of the same flop count (the "1M" method). Viewed as reals, a column-major
// complex matrix is a real matrix with twice the rows, real and imaginary parts interleaved. Expanding each
// element v of alpha op(A) into the 2x2 block [re -im; im re] gives a real 2m x 2k matrix Â with
//   C_real (2m x n) += Â (2m x 2k) * B_real (2k x n),
// where B_real is B itself, read in place. Only A is copied (in blocks); op(B) is copied when transposed.
template <class R>
void gemm_complex(Op op_a, Op op_b, index_t m, index_t n, index_t k, std::complex<R> alpha, const std::complex<R>* a,
                  index_t lda, const std::complex<R>* b, index_t ldb, std::complex<R> beta, std::complex<R>* c,
                  index_t ldc) {
  using C = std::complex<R>;
  if (m == 0 || n == 0) return;
  // Only tiny products take plain loops: up to 16^3 they did, and numpy's 16 x 16 complex matmul ran at 0.29
  // of OpenBLAS (8.6 us against 2.5); by the expansion 2.9 us, and 8 x 8 1.7 us against the loops' 1.9.
  const bool plain_loops = m * n * k <= 64;
  // A real beta (numpy's 0) goes to the first depth block's real GEMMs, which scale both parts of C as they
  // write it: a pass of its own over C first was 1-2% of zgemm n = 200.
  const bool real_beta = beta.imag() == R(0) && alpha != C(0) && k > 0 && !plain_loops;
  if (!real_beta) scale_matrix(m, n, beta, c, ldc);
  if (alpha == C(0) || k == 0) return;

  if (plain_loops) {
    // op(A)'s column l read straight down A's column when op_a is none (op_element's switch per element).
    for (index_t j = 0; j < n; ++j) {
      C* __restrict column = c + j * ldc;
      for (index_t l = 0; l < k; ++l) {
        const C scaled = alpha * op_element(b, ldb, op_b, l, j);
        if (op_a == Op::none) {
          const C* __restrict from = a + l * lda;
          for (index_t i = 0; i < m; ++i) column[i] += from[i] * scaled;
        } else {
          for (index_t i = 0; i < m; ++i) column[i] += op_element(a, lda, op_a, i, l) * scaled;
        }
      }
    }
    return;
  }

  std::vector<C> b_copy;
  const R* b_real = reinterpret_cast<const R*>(b);
  index_t ldb_real = 2 * ldb;
  if (op_b != Op::none) {
    b_copy.resize(static_cast<size_t>(k) * n);
    for (index_t j = 0; j < n; ++j) {
      for (index_t l = 0; l < k; ++l) b_copy[l + j * k] = op_element(b, ldb, op_b, l, j);
    }
    b_real = reinterpret_cast<const R*>(b_copy.data());
    ldb_real = 2 * k;
  }
  R* c_real = reinterpret_cast<R*>(c);

  constexpr index_t kRowBlock = 512, kDepthBlock = 256;
  R* const expanded = workspace<R>(Workspace::expanded_a,
                                   static_cast<size_t>(2 * std::min(m, kRowBlock)) * 2 * std::min(k, kDepthBlock));
  for (index_t l0 = 0; l0 < k; l0 += kDepthBlock) {
    const index_t kb = std::min(kDepthBlock, k - l0);
    for (index_t i0 = 0; i0 < m; i0 += kRowBlock) {
      const index_t mb = std::min(kRowBlock, m - i0);
      const index_t ld = 2 * mb;
      // op(A)'s column l: down A's column (op none, in reals, which the compiler vectorises: by element, through
      // op_element's switch, the expansion took 5% of zgemm n = 200), or along its row l, conjugated for A^H.
      const R alpha_re = alpha.real(), alpha_im = alpha.imag();
      const R conj_sign = op_a == Op::conj_trans ? R(-1) : R(1);
      for (index_t l = 0; l < kb; ++l) {
        R* __restrict even = expanded + (2 * l) * ld;
        R* __restrict odd = even + ld;
        auto expand = [&](index_t i, R re, R im) {
          const R vr = alpha_re * re - alpha_im * im, vi = alpha_re * im + alpha_im * re;
          even[2 * i] = vr;
          even[2 * i + 1] = vi;
          odd[2 * i] = -vi;
          odd[2 * i + 1] = vr;
        };
        if (op_a == Op::none) {
          const R* __restrict column = reinterpret_cast<const R*>(a + i0 + (l0 + l) * lda);
          for (index_t i = 0; i < mb; ++i) expand(i, column[2 * i], column[2 * i + 1]);
        } else {
          const C* row = a + (l0 + l) + i0 * lda;
          for (index_t i = 0; i < mb; ++i) expand(i, row[i * lda].real(), conj_sign * row[i * lda].imag());
        }
      }
      const R first_beta = real_beta && l0 == 0 ? beta.real() : R(1);
      report_engine_failure(armory::gemm(Layout::col_major, armory::Trans::no, armory::Trans::no, 2 * mb, n, 2 * kb,
                                         R(1), expanded, ld, b_real + 2 * l0, ldb_real, first_beta, c_real + 2 * i0,
                                         2 * ldc));
    }
  }
}

// Column blocks of this width split the triangle of C in syrk/syr2k: the rectangles beside each diagonal
// block are plain GEMMs, the diagonal block a small GEMM into a scratch buffer.
constexpr index_t kTriangleBlock = 256;
// Real syrk / syr2k up to this order take those blocks; larger ones the engine's triangle (rank_k_update).
// Measured since the triangle's first tile rows pack B: 1 thread, OpenBLAS time / armory time, blocks ->
// engine, all four uplo / trans: dsyrk n = 16 of depth 1000 0.84-1.02 -> 0.92-1.18, n = k = 24 0.66-0.77 ->
// 0.74-0.93, n = 12 0.75-0.97 -> 0.58-0.83; ssyrk n = k = 32 0.59-0.75 -> 0.70-0.94, n = 24 (trans 'N')
// 0.63-0.83 -> 0.55-0.68.
template <class T>
constexpr index_t kSmallTriangle = sizeof(T) == sizeof(double) ? 12 : 24;

// Writes the uplo triangle of the jb x jb block at C(j0, j0) as beta C + product (product: jb x jb, ld jb).
template <class T>
void merge_diagonal_block(bool hermitian, Uplo uplo, index_t jb, T beta, const T* product, T* c, index_t ldc) {
  for (index_t j = 0; j < jb; ++j) {
    const index_t lo = uplo == Uplo::upper ? 0 : j, hi = uplo == Uplo::upper ? j : jb - 1;
    for (index_t i = lo; i <= hi; ++i) {
      T& cij = c[i + j * ldc];
      T old = beta == T(0) ? T(0) : beta * (i == j ? hermitian_diagonal(cij, hermitian) : cij);
      cij = i == j ? hermitian_diagonal(old + product[i + j * jb], hermitian) : old + product[i + j * jb];
    }
  }
}

template <class T>
void scale_triangle(bool hermitian, Uplo uplo, index_t n, T beta, T* c, index_t ldc) {
  for (index_t j = 0; j < n; ++j) {
    const index_t lo = uplo == Uplo::upper ? 0 : j, hi = uplo == Uplo::upper ? j : n - 1;
    for (index_t i = lo; i <= hi; ++i) {
      T& cij = c[i + j * ldc];
      T value = i == j ? hermitian_diagonal(cij, hermitian) : cij;
      cij = beta == T(0) ? T(0) : beta * value;
    }
  }
}

// The shared body of syrk and syr2k: C_triangle <- beta C + sum over terms of alpha_t X_t Y_t^(T or H), where
// X_t = op(first_t) and Y_t = op(second_t).
template <class T>
void rank_k_update(bool hermitian, Uplo uplo, Op op, index_t n, index_t k, const RankTerm<T>* terms, int term_count,
                   T beta, T* c, index_t ldc) {
  // First factor: rows of op(X); second factor: the transpose (or conjugate transpose) of rows of op(Y).
  const Op second_op = op == Op::none ? (hermitian ? Op::conj_trans : Op::trans) : Op::none;
  if constexpr (!is_complex<T>) {
    const bool one_alpha = term_count == 1 || (term_count == 2 && terms[1].alpha == terms[0].alpha);
    if (uses_small_order(n, n, k) && one_alpha) {
      small_order_product(uplo == Uplo::lower ? RankKPart::lower : RankKPart::upper, op != Op::none, n, n, k, terms,
                          term_count, beta, c, ldc);
      return;
    }
    // The engine computes the triangle's tiles only, each term a pass over it: with 256-column blocks and
    // their square diagonal blocks through GEMM, 1 thread, OpenBLAS time / armory time, dsyrk 1024 x 1024
    // 0.75 -> 1.00, dsyr2k 0.71 -> 0.95, dsyrk 64 x 64 of depth 1024 (dpotrf's) 0.57 -> 0.74. Below
    // kSmallTriangle the engine's packed path costs more than the square's wasted half (dsyrk n = k = 8: 0.87
    // -> 0.57).
    if (n > kSmallTriangle<T>) {
      const Triangle triangle = uplo == Uplo::upper ? Triangle::upper : Triangle::lower;
      for (int t = 0; t < term_count; ++t) {
        report_engine_failure(gemm_engine::gemm_triangle(triangle, engine_trans(op), engine_trans(second_op), n, k,
                                                         terms[t].alpha, terms[t].x, terms[t].ldx, terms[t].y,
                                                         terms[t].ldy, t == 0 ? beta : T(1), c, ldc));
      }
      return;
    }
  }
  T* const block = workspace<T>(Workspace::diagonal_block,
                                static_cast<size_t>(std::min(n, kTriangleBlock)) * std::min(n, kTriangleBlock));
  for (index_t j0 = 0; j0 < n; j0 += kTriangleBlock) {
    const index_t jb = std::min(kTriangleBlock, n - j0);
    // The rectangle beside the diagonal block: rows [0, j0) for upper, [j0 + jb, n) for lower.
    const index_t r0 = uplo == Uplo::upper ? 0 : j0 + jb;
    const index_t rows = uplo == Uplo::upper ? j0 : n - j0 - jb;
    for (int t = 0; t < term_count; ++t) {
      const RankTerm<T>& term = terms[t];
      if (rows > 0) {
        gemm(op, second_op, rows, jb, k, term.alpha, op_row(term.x, term.ldx, op, r0), term.ldx,
             op_row(term.y, term.ldy, op, j0), term.ldy, t == 0 ? beta : T(1), c + r0 + j0 * ldc, ldc);
      }
      gemm(op, second_op, jb, jb, k, term.alpha, op_row(term.x, term.ldx, op, j0), term.ldx,
           op_row(term.y, term.ldy, op, j0), term.ldy, t == 0 ? T(0) : T(1), block, jb);
    }
    merge_diagonal_block(hermitian, uplo, jb, beta, block, c + j0 + j0 * ldc, ldc);
  }
}

// Forward (lower) or back (upper) substitution for the ib x ib triangular block at m (ib <= 16), X's ib rows
// at x. Column by column, each step waited on the last (a 16-long dependent chain per column, the loops too
// short to vectorise): 3.4 GFLOPS, 11% of cblas_dtrsm 1024 x 1024 on Zen 3. Here X's rows are copied out, 256
// columns at a time, into a row-major block, where each step is one vector pass along a row
// (substitute_row_block; float and double through the ISA's vector kernels).
// substitute_row_block (substitution.h) for T: float and double through the ISA's vector kernels (this file
// is compiled for the baseline ISA), complex here.
template <class T>
void substitute_rows_in_place(bool lower, bool unit, const T* m, index_t ldm, index_t ib, index_t width, T* rows,
                              index_t ld_rows) {
  if constexpr (is_complex<T>) {
    substitute_row_block(lower, unit, m, ldm, ib, width, rows, ld_rows);
  } else {
    vector_kernels_for<T>().substitute_row_block(lower, unit, m, ldm, ib, width, rows, ld_rows);
  }
}

template <class T>
void substitute_rows(bool lower, bool unit, const T* m, index_t ldm, index_t ib, index_t cols, T* x, index_t ldx) {
  constexpr index_t kRows = 16, kColumns = 256;
  alignas(64) T rows[kRows * kColumns];
  for (index_t c0 = 0; c0 < cols; c0 += kColumns) {
    const index_t width = std::min(kColumns, cols - c0);
    transpose_copy(x + c0 * ldx, ldx, ib, width, rows, width);
    substitute_rows_in_place(lower, unit, m, ldm, ib, width, rows, width);
    transpose_copy(rows, width, width, ib, x + c0 * ldx, ldx);
  }
}

// Solves M X = B in place for the dense triangular ib x ib block at m (ld ldm), X's rows at x: halves
// recursively, the coupling block by GEMM, substitution only on blocks of 16. Substituting whole 128-row
// blocks column by column was 35% of numpy.linalg.inv at n = 1024 (1 thread, Zen 4), where GEMM ran the
// other seven eighths of the flops. M's other triangle and, on a unit diagonal, its diagonal are never read.
inline constexpr index_t kSubstitutionRows = 16;
template <class T>
void solve_diagonal_block(bool lower, bool unit, const T* m, index_t ldm, index_t ib, index_t cols, T* x, index_t ldx) {
  if (ib <= kSubstitutionRows) {
    substitute_rows(lower, unit, m, ldm, ib, cols, x, ldx);
    return;
  }
  const index_t h = ib / 2;
  if (lower) {
    solve_diagonal_block(true, unit, m, ldm, h, cols, x, ldx);
    gemm(Op::none, Op::none, ib - h, cols, h, T(-1), m + h, ldm, x, ldx, T(1), x + h, ldx);
    solve_diagonal_block(true, unit, m + h + h * ldm, ldm, ib - h, cols, x + h, ldx);
  } else {
    solve_diagonal_block(false, unit, m + h + h * ldm, ldm, ib - h, cols, x + h, ldx);
    gemm(Op::none, Op::none, h, cols, ib - h, T(-1), m + h * ldm, ldm, x + h, ldx, T(1), x, ldx);
    solve_diagonal_block(false, unit, m, ldm, h, cols, x, ldx);
  }
}

// Runs body(begin, end) on [0, count) in contiguous chunks across the pool's threads, at least
// min_per_thread to a chunk (the columns of X solve independently: the substitutions and the GEMMs under
// them ran on one thread while the other spun, 17% of numpy.linalg.inv's samples with 2 threads). A GEMM
// inside a chunk runs on the chunk's thread alone.
template <class Body>
void split_across_threads(index_t count, index_t min_per_thread, const Body& body) {
  const int threads =
      static_cast<int>(std::clamp<index_t>(count / min_per_thread, 1, ThreadPool::global().max_threads()));
  for_chunks(count, threads, [&](index_t begin, index_t end, int) { body(begin, end); });
}

// The triangular solvers' diagonal blocks (kSolveBlock rows or columns), copied to rows this many bytes
// longer than the block (see solve_triangular_blocked).
inline constexpr index_t kSolveBlock = 256;
inline constexpr index_t kSolveBlockPadBytes = 64;

template <class T>
index_t padded_block_ld(index_t dim) {
  return std::min(kSolveBlock, dim) + kSolveBlockPadBytes / static_cast<index_t>(sizeof(T));
}

// Solves M X = B in place for a triangular M = op(A) (dim x dim; A at a, ld lda, op transposing and
// conjugating as asked): the diagonal blocks by solve_diagonal_block, everything below (lower) or above
// (upper) them by GEMM on A's panels in place. `lower` is M's triangle.
// Each diagonal block is first copied (M's triangle) to rows kSolveBlockPadBytes longer than the block, and
// solved a column chunk of X at a time. In place, a 1024 x 1024 M's rows sit 8 KiB apart: the GEMMs inside
// the block, which read M's block in place (as their B), found its rows all in one L1 set; and a chunk of
// X (kBlock x kDiagonalChunk, 256 KiB) stays in L2 through the block's recursion, where all of X's columns
// (2 MiB at n = 1024) went through L3 at each level. The block's rank-kBlock update below it then runs deeper
// too (256 rather than 128). cblas_dtrsm / dtrsm_, left, no transpose, 1024 x 1024, 1 thread, Zen 3, calls
// alternating with OpenBLAS's in one process, ratio of times OpenBLAS / armory: lower 0.80 -> 0.98-1.01,
// upper 0.77 -> 0.93-0.95 (the chunks alone 0.84 / 0.87, the copy without padding 0.95 / 0.91, blocks of 128
// 0.98 / 0.92). A transposed M is copied the same way, block by block, and its panels go to GEMM transposed:
// writing all of M out densely first took a tenth of the time (lower 0.87 -> 0.96-1.00, upper 0.88 -> 0.95).
// With few columns a copy costs about what the solve reads (dim x kBlock elements against dim^2 / 2 x cols
// multiply-adds): below kCopyDiagonalMinColumns an untransposed block is read in place, as is one that is
// substituted directly (no GEMM inside it).
template <class T>
void solve_triangular_blocked(bool lower, bool unit, index_t dim, const T* a, index_t lda, Op op, index_t cols, T* x,
                              index_t ldx) {
  constexpr index_t kBlock = kSolveBlock, kDiagonalChunk = 128, kCopyDiagonalMinColumns = 16;
  const bool transposed = op != Op::none, conjugate = op == Op::conj_trans;
  const bool copy_diagonal = transposed || (cols >= kCopyDiagonalMinColumns && dim > kSubstitutionRows);
  const index_t block_ld = padded_block_ld<T>(dim);
  // Only the triangle is written, and only it is read.
  T* const block = workspace<T>(Workspace::diagonal_block,
                                copy_diagonal ? static_cast<size_t>(block_ld * std::min(kBlock, dim)) : 0);
  auto panel = [&](index_t i, index_t j) { return op_block(a, lda, op, i, j); };  // M's, at rows i, columns j
  auto solve_block = [&](index_t i0, index_t ib) {
    const T* diagonal = panel(i0, i0);
    index_t diagonal_ld = lda;
    if (copy_diagonal) {
      // The triangle only, and the diagonal only when it is read. A transposed block is read down A's
      // columns (M's rows), which are contiguous.
      for (index_t j = 0; j < ib; ++j) {
        const index_t lo = lower ? j + (unit ? 1 : 0) : 0, hi = lower ? ib : j + (unit ? 0 : 1);
        if (transposed) {
          // M's row j: A's column j, M's columns in its triangle.
          const T* from = diagonal + j * lda;
          const index_t row_lo = lower ? 0 : j + (unit ? 1 : 0), row_hi = lower ? j + (unit ? 0 : 1) : ib;
          for (index_t i = row_lo; i < row_hi; ++i) block[j + i * block_ld] = conj_if(from[i], conjugate);
        } else {
          std::copy(diagonal + lo + j * lda, diagonal + hi + j * lda, block + lo + j * block_ld);
        }
      }
      diagonal = block;
      diagonal_ld = block_ld;
    }
    // From 32 columns a thread: 64 left numpy.linalg.inv's 100 x 100 solves on one thread (dtrsm L U N N
    // 100 x 100, 2 threads: 0.57 -> 0.79 of OpenBLAS).
    split_across_threads(cols, 32, [&](index_t c0, index_t c1) {
      for (index_t d0 = c0; d0 < c1; d0 += kDiagonalChunk) {
        solve_diagonal_block(lower, unit, diagonal, diagonal_ld, ib, std::min(kDiagonalChunk, c1 - d0),
                             x + i0 + d0 * ldx, ldx);
      }
    });
  };
  if (lower) {
    for (index_t i0 = 0; i0 < dim; i0 += kBlock) {
      const index_t ib = std::min(kBlock, dim - i0), i1 = i0 + ib;
      solve_block(i0, ib);
      if (i1 < dim) gemm(op, Op::none, dim - i1, cols, ib, T(-1), panel(i1, i0), lda, x + i0, ldx, T(1), x + i1, ldx);
    }
  } else {
    for (index_t i1 = dim; i1 > 0; i1 -= kBlock) {
      const index_t i0 = std::max<index_t>(0, i1 - kBlock), ib = i1 - i0;
      solve_block(i0, ib);
      if (i0 > 0) gemm(op, Op::none, i0, cols, ib, T(-1), panel(0, i0), lda, x + i0, ldx, T(1), x, ldx);
    }
  }
}

// Solves X N = B in place for X (rows x jb, at x), N = M^T with M the dense triangular jb x jb block at m
// (ld ldm): M lower makes N upper, solved column by column forward, M upper backward. Halves recursively,
// the coupling by GEMM; on blocks of 16, X^T = M^-1 B^T by the left solver's row-block substitution, X's
// columns being the rows of X^T in place (contiguous, ldx apart): each step one vector pass down a column.
// Those passes through an axpy call per column pair took 16% of dpotrf n = 128 (1 thread, Zen 3).
template <class T>
void solve_right_block(bool lower, const T* m, index_t ldm, index_t jb, index_t rows, T* x, index_t ldx) {
  constexpr index_t kSubstitution = 16;
  if (jb <= kSubstitution) {
    substitute_rows_in_place(lower, false, m, ldm, jb, rows, x, ldx);
    return;
  }
  const index_t h = jb / 2;
  if (lower) {
    solve_right_block(true, m, ldm, h, rows, x, ldx);
    gemm(Op::none, Op::trans, rows, jb - h, h, T(-1), x, ldx, m + h, ldm, T(1), x + h * ldx, ldx);
    solve_right_block(true, m + h + h * ldm, ldm, jb - h, rows, x + h * ldx, ldx);
  } else {
    solve_right_block(false, m + h + h * ldm, ldm, jb - h, rows, x + h * ldx, ldx);
    gemm(Op::none, Op::trans, rows, h, jb - h, T(-1), x + h * ldx, ldx, m + h * ldm, ldm, T(1), x, ldx);
    solve_right_block(false, m, ldm, h, rows, x, ldx);
  }
}

// Solves X M = B in place for X (rows x dim, at x), M = op(A) triangular (dim x dim; A at a, ld lda), as
// solve_triangular_blocked does from the left: column blocks of kBlock, each diagonal block copied (as the
// M^T solve_right_block takes, to padded rows) and solved with X's rows split over the threads, the columns
// after it (M upper) or before it (M lower) updated by GEMM on op(A)'s panel in place. `upper` is M's
// triangle. Writing M^T out densely first (dim^2 elements) took 10-15% of a 1024 x 1024 solve. (Solving the
// diagonal block 128 rows of X at a time, as the left solver takes X's columns, cost Cholesky's 1024 x 64
// panels 20% and gained nothing at 1024 x 1024.)
template <class T>
void solve_right_blocked(bool upper, bool unit, index_t dim, const T* a, index_t lda, Op op, index_t rows, T* x,
                         index_t ldx) {
  constexpr index_t kBlock = kSolveBlock;
  const index_t block_ld = padded_block_ld<T>(dim);
  T* const block = workspace<T>(Workspace::diagonal_block, static_cast<size_t>(block_ld * std::min(kBlock, dim)));
  auto panel = [&](index_t i, index_t j) { return op_block(a, lda, op, i, j); };  // M's, at rows i, columns j
  auto solve_block = [&](index_t j0, index_t jb) {
    // block(i, j) = M(j0 + j, j0 + i): M's diagonal block transposed, its triangle and diagonal only. A
    // transposed M's rows are A's columns, copied as they are (op_element's switch on each element was 7% of
    // dpotrf n = 200, whose panels take this path).
    for (index_t j = 0; j < jb; ++j) {
      const index_t lo = upper ? j : 0, hi = upper ? jb : j + 1;  // block's column j: M's row j0 + j
      T* to = block + j * block_ld;
      if (op == Op::none) {
        for (index_t i = lo; i < hi; ++i) to[i] = a[(j0 + j) + (j0 + i) * lda];
      } else {
        const T* row = a + (j0 + j) * lda + j0;  // M's row j0 + j
        if (op == Op::conj_trans) {
          for (index_t i = lo; i < hi; ++i) to[i] = conj_if(row[i], true);
        } else {
          std::copy(row + lo, row + hi, to + lo);
        }
      }
      if (unit) to[j] = T(1);
    }
    // The rows of X solve independently.
    split_across_threads(rows, 256, [&](index_t r0, index_t r1) {
      solve_right_block(upper, block, block_ld, jb, r1 - r0, x + r0 + j0 * ldx, ldx);
    });
  };
  if (upper) {
    for (index_t j0 = 0; j0 < dim; j0 += kBlock) {
      const index_t jb = std::min(kBlock, dim - j0), j1 = j0 + jb;
      solve_block(j0, jb);
      if (j1 < dim) {
        gemm(Op::none, op, rows, dim - j1, jb, T(-1), x + j0 * ldx, ldx, panel(j0, j1), lda, T(1), x + j1 * ldx, ldx);
      }
    }
  } else {
    for (index_t j1 = dim; j1 > 0; j1 -= kBlock) {
      const index_t j0 = std::max<index_t>(0, j1 - kBlock), jb = j1 - j0;
      solve_block(j0, jb);
      if (j0 > 0) gemm(Op::none, op, rows, j0, jb, T(-1), x + j0 * ldx, ldx, panel(j0, 0), lda, T(1), x, ldx);
    }
  }
}

// Whether trsm from the left on n columns of m rows runs as trsv per column: the blocked solver's GEMMs and
// copies are all overhead for a vector, and trsv reads the triangle once per column at the memory's (or the
// cache's) speed. dtrsm_, 1 thread, Zen 3, blocked -> by columns, ratio of times OpenBLAS / armory: m = 1024,
// 1 column 1.28-1.51 -> 3.33-3.36 (no transpose), 0.64-0.67 -> 2.30 (transposed); 2 columns 1.13-1.33 ->
// 1.88-2.01, 0.72-0.86 -> 1.47-1.67; 3 columns 1.57-1.81 -> 1.47-1.89, 0.95-1.14 -> 1.31-1.33; 4 columns 1.66-1.69
// -> 0.92-1.15. m = 4000 (a 64 MB triangle, read from memory per column): 1 column 0.61 / 0.85 -> 1.23 / 1.82,
// 3 columns 0.80 / 1.07 -> 0.60 / 0.79.
template <class T>
bool solve_by_columns(index_t m, index_t n) {
  constexpr index_t kMaxColumns = 3;
  constexpr double kCachedTriangleBytes = 8 << 20;
  return n == 1 || (n <= kMaxColumns && 0.5 * double(m) * double(m) * sizeof(T) <= kCachedTriangleBytes);
}

}  // namespace

template <class T>
void gemm(Op op_a, Op op_b, index_t m, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b, index_t ldb,
          T beta, T* c, index_t ldc) try {
  if constexpr (is_complex<T>) {
    gemm_complex(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  } else {
    gemm_real(op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
} catch (const std::exception& e) {
  report_exception("gemm", e);
}

template <class T>
void symm(bool hermitian, Side side, Uplo uplo, index_t m, index_t n, T alpha, const T* a, index_t lda, const T* b,
          index_t ldb, T beta, T* c, index_t ldc) try {
  if (m == 0 || n == 0 || (alpha == T(0) && beta == T(1))) return;
  if (alpha == T(0)) {
    scale_matrix(m, n, beta, c, ldc);
    return;
  }
  // The whole symmetric (Hermitian) matrix, mirrored out of its stored triangle, then one GEMM.
  const index_t dim = side == Side::left ? m : n;
  std::vector<T> full(static_cast<size_t>(dim) * dim);
  for (index_t j = 0; j < dim; ++j) {
    for (index_t i = 0; i < dim; ++i) {
      const bool stored = uplo == Uplo::upper ? i <= j : i >= j;
      T value = stored ? a[i + j * lda] : conj_if(a[j + i * lda], hermitian);
      full[i + j * dim] = i == j ? hermitian_diagonal(value, hermitian) : value;
    }
  }
  if (side == Side::left) {
    gemm(Op::none, Op::none, m, n, m, alpha, full.data(), dim, b, ldb, beta, c, ldc);
  } else {
    gemm(Op::none, Op::none, m, n, n, alpha, b, ldb, full.data(), dim, beta, c, ldc);
  }
} catch (const std::exception& e) {
  report_exception("symm", e);
}

template <class T>
void syrk(bool hermitian, Uplo uplo, Op op, index_t n, index_t k, T alpha, const T* a, index_t lda, T beta, T* c,
          index_t ldc) try {
  if (n == 0 || ((alpha == T(0) || k == 0) && beta == T(1))) return;
  if (alpha == T(0) || k == 0) {
    scale_triangle(hermitian, uplo, n, beta, c, ldc);
    return;
  }
  const RankTerm<T> term{alpha, a, a, lda, lda};
  rank_k_update(hermitian, uplo, op, n, k, &term, 1, beta, c, ldc);
} catch (const std::exception& e) {
  report_exception("syrk", e);
}

template <class T>
void syr2k(bool hermitian, Uplo uplo, Op op, index_t n, index_t k, T alpha, const T* a, index_t lda, const T* b,
           index_t ldb, T beta, T* c, index_t ldc) try {
  if (n == 0 || ((alpha == T(0) || k == 0) && beta == T(1))) return;
  if (alpha == T(0) || k == 0) {
    scale_triangle(hermitian, uplo, n, beta, c, ldc);
    return;
  }
  if constexpr (!is_complex<T>) {
    // A shallow update (LAPACK's dsytrd passes k = 32) as one product of depth 2k: alpha [A B] [B A]^T with
    // W = [A B A] along the depth, X its first 2k and Y its last 2k. Two passes of depth k read and wrote the
    // triangle of C twice, each at half the kernel's depth: dsyr2k L N n = 1000, k = 32, 1 thread, 0.80 of
    // OpenBLAS, 0.94 this way (n = 100..500: 1.11-1.17x faster than two passes). From k = 64 the two passes
    // cost no more (n = 1000 +2%, n = 300 of depth 128 7% slower stacked). The sums run in another order
    // than two passes' (the same bits on any thread count still).
    constexpr index_t kStackedDepth = 48;
    if (n > kSmallTriangle<T> && k <= kStackedDepth) {
      const bool rows = op == Op::none;  // A and B are n x k (their columns stacked), else k x n (rows)
      const index_t ldw = rows ? n : 3 * k;
      T* const w = workspace<T>(Workspace::stacked_terms, static_cast<size_t>(3 * k) * n);
      if (rows) {
        for (index_t p = 0; p < k; ++p) {
          std::copy(a + p * lda, a + p * lda + n, w + p * ldw);
          std::copy(b + p * ldb, b + p * ldb + n, w + (k + p) * ldw);
          std::copy(a + p * lda, a + p * lda + n, w + (2 * k + p) * ldw);
        }
      } else {
        for (index_t j = 0; j < n; ++j) {
          std::copy(a + j * lda, a + j * lda + k, w + j * ldw);
          std::copy(b + j * ldb, b + j * ldb + k, w + j * ldw + k);
          std::copy(a + j * lda, a + j * lda + k, w + j * ldw + 2 * k);
        }
      }
      const T* const y = rows ? w + k * ldw : w + k;
      const RankTerm<T> stacked{alpha, w, y, ldw, ldw};
      rank_k_update(hermitian, uplo, op, n, 2 * k, &stacked, 1, beta, c, ldc);
      return;
    }
  }
  const RankTerm<T> terms[2] = {{alpha, a, b, lda, ldb}, {conj_if(alpha, hermitian), b, a, ldb, lda}};
  rank_k_update(hermitian, uplo, op, n, k, terms, 2, beta, c, ldc);
} catch (const std::exception& e) {
  report_exception("syr2k", e);
}

template <class T>
void trmm(Side side, Uplo uplo, Op op, Diag diag, index_t m, index_t n, T alpha, const T* a, index_t lda, T* b,
          index_t ldb) try {
  if (m == 0 || n == 0) return;
  if (alpha == T(0)) {
    scale_matrix(m, n, T(0), b, ldb);
    return;
  }
  // B = alpha op(A) B or alpha B op(A), in place, by blocks of M = op(A) as trsm solves: each
  // diagonal block, written densely (zeros outside its triangle), multiplies a copy of B's block rows (left)
  // or columns (right) into B by GEMM, then GEMM on op(A)'s panel in place adds the rest from the part of B
  // not yet overwritten (lower M from the left and upper from the right: from the last block back).
  // Writing all of M densely for one GEMM took twice the flops and a dim^2 copy: dtrmm_ 1024 x 1024, 1 thread,
  // Zen 3, 0.40-0.43x OpenBLAS's speed.
  const bool left = side == Side::left;
  const bool lower = (uplo == Uplo::lower) != (op != Op::none);  // M's triangle
  const index_t dim = left ? m : n, other = left ? n : m;
  auto panel = [&](index_t i, index_t j) { return op_block(a, lda, op, i, j); };  // M's, at rows i, columns j
  // Blocks of 64: the diagonal blocks' dense products do twice their flops; 1 thread, n = 256 / 1024, left
  // lower and right upper transposed, ratio to OpenBLAS with blocks of 256 / 128 / 64 / 32: 0.67 / 0.83 / 0.97 /
  // 0.84 and 0.60 / 0.68 / 0.97 / 0.96 at 256, 0.84 / 0.92 / 0.94-0.99 / 0.98 and 0.68 / 0.75 / 0.81-0.83 / 0.69
  // at 1024.
  constexpr index_t kBlock = 64;
  const index_t block_ld = std::min(kBlock, dim);
  // B's rows (left) or columns (right) beside the diagonal block are copied this many at a time.
  constexpr index_t kCopyChunk = 1024;
  T* const block = workspace<T>(Workspace::diagonal_block, static_cast<size_t>(block_ld) * block_ld);
  T* const copy = workspace<T>(Workspace::b_copy, static_cast<size_t>(block_ld) * std::min(kCopyChunk, other));
  auto multiply_diagonal = [&](index_t i0, index_t ib) {
    for (index_t j = 0; j < ib; ++j) {
      for (index_t i = 0; i < ib; ++i) {
        const bool stored = lower ? i >= j : i <= j;
        T value = stored ? T(1) : T(0);  // a unit diagonal is never read
        if (stored && !(i == j && diag == Diag::unit)) value = op_element(a, lda, op, i0 + i, i0 + j);
        block[i + j * block_ld] = value;
      }
    }
    for (index_t c0 = 0; c0 < other; c0 += kCopyChunk) {
      const index_t cb = std::min(kCopyChunk, other - c0);
      if (left) {  // rows i0.. of columns c0..: B = alpha D B
        for (index_t j = 0; j < cb; ++j) {
          const T* from = b + i0 + (c0 + j) * ldb;
          std::copy(from, from + ib, copy + j * ib);
        }
        gemm(Op::none, Op::none, ib, cb, ib, alpha, block, block_ld, copy, ib, T(0), b + i0 + c0 * ldb, ldb);
      } else {  // rows c0.. of columns i0..: B = alpha B D
        for (index_t j = 0; j < ib; ++j) {
          const T* from = b + c0 + (i0 + j) * ldb;
          std::copy(from, from + cb, copy + j * cb);
        }
        gemm(Op::none, Op::none, cb, ib, ib, alpha, copy, cb, block, block_ld, T(0), b + c0 + i0 * ldb, ldb);
      }
    }
  };
  // Block i0 (ib wide) takes the rest of its row of M from [r0, r1) (left) or column (right).
  auto add_rest = [&](index_t i0, index_t ib, index_t r0, index_t r1) {
    if (r0 >= r1) return;
    if (left) {
      gemm(op, Op::none, ib, n, r1 - r0, alpha, panel(i0, r0), lda, b + r0, ldb, T(1), b + i0, ldb);
    } else {
      gemm(Op::none, op, m, ib, r1 - r0, alpha, b + r0 * ldb, ldb, panel(r0, i0), lda, T(1), b + i0 * ldb, ldb);
    }
  };
  // Left: lower M reads the rows before, upper the rows after; right: upper M the columns before, lower after.
  const bool from_last = left == lower;
  const index_t blocks = (dim + kBlock - 1) / kBlock;
  for (index_t step = 0; step < blocks; ++step) {
    const index_t index = from_last ? blocks - 1 - step : step;
    const index_t i0 = index * kBlock, ib = std::min(kBlock, dim - i0);
    multiply_diagonal(i0, ib);
    if (from_last) {
      add_rest(i0, ib, 0, i0);
    } else {
      add_rest(i0, ib, i0 + ib, dim);
    }
  }
} catch (const std::exception& e) {
  report_exception("trmm", e);
}

template <class T>
void trsm(Side side, Uplo uplo, Op op, Diag diag, index_t m, index_t n, T alpha, const T* a, index_t lda, T* b,
          index_t ldb) try {
  if (m == 0 || n == 0) return;
  if (alpha == T(0)) {
    scale_matrix(m, n, T(0), b, ldb);
    return;
  }
  // op(A) X = alpha B or X op(A) = alpha B, solved on A in place: only op(A)'s triangle is read, and its
  // diagonal only when it is not unit. A vector or two from the left go to trsv.
  const bool left = side == Side::left;
  const bool lower_stored = uplo == Uplo::lower;
  scale_matrix(m, n, alpha, b, ldb);
  if (left && solve_by_columns<T>(m, n)) {
    for (index_t j = 0; j < n; ++j) {
      triangular_solve(uplo, op, diag, m, m - 1, DenseStorage<const T>{a, lda}, b + j * ldb, index_t{1});
    }
    return;
  }
  if (left) {
    solve_triangular_blocked(lower_stored != (op != Op::none), diag == Diag::unit, m, a, lda, op, n, b, ldb);
    return;
  }
  solve_right_blocked(lower_stored == (op != Op::none), diag == Diag::unit, n, a, lda, op, m, b, ldb);
} catch (const std::exception& e) {
  report_exception("trsm", e);
}

#define ARMORY_BLAS_LEVEL3(T)                                                                                     \
  template void gemm<T>(Op, Op, index_t, index_t, index_t, T, const T*, index_t, const T*, index_t, T, T*,      \
                        index_t);                                                                                 \
  template void symm<T>(bool, Side, Uplo, index_t, index_t, T, const T*, index_t, const T*, index_t, T, T*,     \
                        index_t);                                                                                 \
  template void syrk<T>(bool, Uplo, Op, index_t, index_t, T, const T*, index_t, T, T*, index_t);                \
  template void syr2k<T>(bool, Uplo, Op, index_t, index_t, T, const T*, index_t, const T*, index_t, T, T*,      \
                         index_t);                                                                                \
  template void trmm<T>(Side, Uplo, Op, Diag, index_t, index_t, T, const T*, index_t, T*, index_t);             \
  template void trsm<T>(Side, Uplo, Op, Diag, index_t, index_t, T, const T*, index_t, T*, index_t);
ARMORY_BLAS_LEVEL3(float)
ARMORY_BLAS_LEVEL3(double)
ARMORY_BLAS_LEVEL3(cfloat)
ARMORY_BLAS_LEVEL3(cdouble)
#undef ARMORY_BLAS_LEVEL3

}  // namespace armory::blas
