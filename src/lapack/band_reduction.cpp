#include "lapack/band_reduction.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

#include "blas/vector_kernels.h"
#include "gemm/thread_pool.h"
#include "lapack/householder.h"
#include "lapack/qr.h"

namespace armory::lapack {

// From n = 2048 on, b = 64: the first stage's updates are GEMMs of depth b over the whole trailing matrix,
// memory-bound at depth 32 once it outgrows the caches, and halving their number outweighs the chase's
// doubled cost. Zen 4, 1 thread, both widths alternating in one process (a scratch driver):
// float64 n = 2048 0.93 -> 0.81 s, 1.12 -> 0.97 s in another run; n = 4096 8.25 -> 6.27 s; float32 n = 2048
// even, n = 4096 4.00 -> 3.30 s; at n = 1536 b = 64 was even (float64) to 18% slower (float32), and 96 or
// 128 no better than 64 at n = 2048 or 4096.
int64_t two_stage_bandwidth(int64_t n) { return n >= 2048 ? 64 : (n >= 512 ? 32 : 16); }

template <class T>
UpperBand<T>::UpperBand(int64_t n, int64_t bandwidth)
    : n_(n), b_(std::max<int64_t>(bandwidth, 1)), ld_(3 * b_), data_(static_cast<size_t>(ld_) * n, T(0)) {}

// The chase for row i (LAPACK-style bulge chasing with Householder reflectors, b entries at a time): a
// reflector from the right on columns c0..c1 clears row r beyond c0; it fills the block below the diagonal
// in those columns, whose first column a reflector from the left on rows c0..c1 clears; that one fills the
// rows c0..c1 past the band, whose first row the next block's right reflector clears, and so on to the end.
// Only each bulge's first column (row) is cleared: the rest is cleared by the chase of the next rows, which
// keeps the fill within b - 1 below the diagonal and 2b - 1 above it (the storage's room). Each step is
// a matrix-vector product and a rank-1 update on a block of at most b x 2b, all in cache.
template <class T>
void UpperBand<T>::reduce_to_bidiagonal(std::vector<T>& d, std::vector<T>& e) {
  const int64_t sweeps = n_ - 1;
  // Sweeps in turn on the region's threads, each one kLag steps behind the one before it (on the previous
  // thread): step t of sweep i + 1 touches the elements steps t - 1 .. t + 2 of sweep i touch and no others, so
  // every element sees the same operations in the same order as sweep after sweep, whatever the threads.
  // progress[t]: thread t's sweep i and steps done in it, as i * stride + steps (stride - 1: finished).
  constexpr int64_t kLag = 3;
  const int64_t stride = n_ + kLag + 1;
  const int threads = sweeps >= kParallelChaseMinSweeps ? ThreadPool::global().max_threads() : 1;
  // Each counter on its own cache line: a thread stores to its own every step while the next one polls it,
  // and sharing a line would make every store wait for the other core too.
  struct alignas(64) Progress {
    std::atomic<int64_t> value;
  };
  std::unique_ptr<Progress[]> progress(new Progress[threads]);
  for (int t = 0; t < threads; ++t) progress[t].value.store(-1, std::memory_order_relaxed);
  // Each thread's reflector v (b) and product w (2b), allocated here: nothing throws inside the region. Each
  // thread's part starts on a cache line of its own.
  const int64_t per_thread = (3 * b_ + 15) / 16 * 16;
  std::vector<T> scratch(static_cast<size_t>(threads * per_thread + 16));
  T* const scratch_lines = reinterpret_cast<T*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) & ~uintptr_t(63));
  auto chase_sweeps = [&](int thread, int nthreads) {
    const auto& k = blas::vector_kernels_for<T>();
    const int64_t next_column = ld_ - 1;  // from (r, c) to (r, c + 1) in this storage
    T* const v = scratch_lines + thread * per_thread;
    T* const w = v + b_;
    const std::atomic<int64_t>& before = progress[(thread + nthreads - 1) % nthreads].value;
    for (int64_t i = thread; i < sweeps; i += nthreads) {
      int64_t r = i, c0 = i + 1, c1 = std::min(i + b_, n_ - 1);
      for (int64_t step = 0; c1 > c0; ++step) {
        if (i > 0 && nthreads > 1) {
          spin_until([&] { return before.load(std::memory_order_acquire) >= (i - 1) * stride + step + kLag; });
        }
        const int64_t len = c1 - c0 + 1;
        // From the right: row r keeps (r, c0) only; rows r+1..c1 take the reflector.
        T tau = make_reflector(len, at(r, c0), &at(r, c0 + 1), next_column);
        v[0] = T(1);
        for (int64_t j = 1; j < len; ++j) {
          v[j] = at(r, c0 + j);
          at(r, c0 + j) = T(0);
        }
        const int64_t rows = c1 - r;
        if (tau != T(0)) {
          std::fill(w, w + rows, T(0));
          k.gemv_n(rows, len, T(1), &at(r + 1, c0), next_column, v, w);
          k.ger(rows, len, -tau, w, v, &at(r + 1, c0), next_column);
        }
        // From the left: column c0 keeps (c0, c0) only; columns c0+1..c1+b take the reflector.
        T* column = &at(c0, c0);
        tau = make_reflector(len, column[0], column + 1, 1);
        for (int64_t j = 1; j < len; ++j) {
          v[j] = column[j];
          column[j] = T(0);
        }
        const int64_t cols = std::min(c1 + b_, n_ - 1) - c0;
        if (tau != T(0) && cols > 0) {
          std::fill(w, w + cols, T(0));
          k.gemv_t(len, cols, T(1), &at(c0, c0 + 1), next_column, v, w);
          k.ger(len, cols, -tau, v, w, &at(c0, c0 + 1), next_column);
        }
        r = c0;
        c0 = c1 + 1;
        c1 = std::min(c1 + b_, n_ - 1);
        progress[thread].value.store(i * stride + step + 1, std::memory_order_release);
      }
      progress[thread].value.store(i * stride + stride - 1, std::memory_order_release);
    }
  };
  if (threads > 1) {
    ThreadPool::global().parallel(threads, [&](ParallelContext& ctx) { chase_sweeps(ctx.thread(), ctx.threads()); });
  } else {
    chase_sweeps(0, 1);
  }
  d.resize(n_);
  e.resize(std::max<int64_t>(n_ - 1, 0));
  for (int64_t i = 0; i < n_; ++i) d[i] = at(i, i);
  for (int64_t i = 0; i + 1 < n_; ++i) e[i] = at(i, i + 1);
}

// Stage 1 in panels of b: a QR step on columns k0.. leaves R, the band's diagonal block, and its reflectors
// go to the columns right of it; an LQ step on rows k0.. right of that block (a QR of their transpose)
// leaves L, the band's next block, and its reflectors go to the rows below. Both updates are GEMMs.
template <class T>
void bidiagonalize_two_stage(int64_t m, int64_t n, T* a, int64_t lda, int64_t bandwidth, std::vector<T>& d,
                             std::vector<T>& e) {
  UpperBand<T> band(n, bandwidth);
  const int64_t b = band.bandwidth();
  std::vector<T> tau(b), t, rows_transposed;
  BlockReflector<T> h;
  for (int64_t k0 = 0; k0 < n; k0 += b) {
    const int64_t kb = std::min(b, n - k0), rest = n - k0 - kb;
    T* panel = a + k0 + k0 * lda;
    t.resize(static_cast<size_t>(kb) * kb);
    qr_panel_and_factor(m - k0, kb, panel, lda, tau.data(), t.data(), kb);
    for (int64_t j = 0; j < kb; ++j) {
      for (int64_t i = 0; i <= j; ++i) band.at(k0 + i, k0 + j) = panel[i + j * lda];
    }
    if (rest == 0) break;
    h.adopt(m - k0, kb, panel, lda, t.data(), kb);
    h.apply_transposed_left(rest, panel + kb * lda, lda);

    rows_transposed.resize(static_cast<size_t>(rest) * kb);
    for (int64_t i = 0; i < kb; ++i) {
      for (int64_t j = 0; j < rest; ++j) rows_transposed[j + i * rest] = panel[i + (kb + j) * lda];
    }
    qr_panel_and_factor(rest, kb, rows_transposed.data(), rest, tau.data(), t.data(), kb);
    for (int64_t i = 0; i < kb; ++i) {
      for (int64_t j = 0; j <= i && j < rest; ++j) band.at(k0 + i, k0 + kb + j) = rows_transposed[j + i * rest];
    }
    h.adopt(rest, kb, rows_transposed.data(), rest, t.data(), kb);
    h.apply_right(m - k0 - kb, panel + kb + kb * lda, lda);
  }
  band.reduce_to_bidiagonal(d, e);
}

template class UpperBand<float>;
template class UpperBand<double>;
template void bidiagonalize_two_stage<float>(int64_t, int64_t, float*, int64_t, int64_t, std::vector<float>&,
                                             std::vector<float>&);
template void bidiagonalize_two_stage<double>(int64_t, int64_t, double*, int64_t, int64_t, std::vector<double>&,
                                              std::vector<double>&);

}  // namespace armory::lapack
