#include "blas/vector_kernels.h"

#include <armory/isa.h>

#include <algorithm>
#include <vector>

#include "blas/types.h"
#include "cpu/core_choices.h"
#include "gemm/thread_pool.h"

namespace armory::blas {

const VectorKernels& vector_kernels() {
  static const VectorKernels& chosen = [&]() -> const VectorKernels& {
    const auto& policy = host_isa_policy();
    if (!policy.ok()) return kVectorKernelsBaseline;
#if defined(__x86_64__)
    const IsaLevel cap = policy->cap;
    if (cap == IsaLevel::avx512 || cap == IsaLevel::avx512_bf16) {
      const auto& choices = cpu::host_core_choices();
      if (choices.hardware_prefetch_only) return kVectorKernelsAvx512HardwarePrefetch;
      if (choices.narrow_streams) return kVectorKernelsAvx512NarrowStreams;
      return kVectorKernelsAvx512;
    }
    if (cap == IsaLevel::avx2) return kVectorKernelsAvx2;
#endif
    return kVectorKernelsBaseline;
  }();
  return chosen;
}

const VectorKernels& workspace_vector_kernels() {
  static const VectorKernels& chosen = [&]() -> const VectorKernels& {
#if defined(__x86_64__)
    const VectorKernels& process = vector_kernels();
    const bool prefetching = &process == &kVectorKernelsAvx512 || &process == &kVectorKernelsAvx512NarrowStreams;
    if (prefetching && cpu::host_core_choices().hardware_prefetch_on_huge_pages) {
      return kVectorKernelsAvx512HardwarePrefetch;
    }
#endif
    return vector_kernels();
  }();
  return chosen;
}

namespace {

// A matrix beyond this many bytes streams from memory rather than the last-level cache.
constexpr int64_t kStreamingBytes = int64_t{16} << 20;

// Below this many elements per thread, a memory-bound kernel gains less from a second core than waking it
// costs.
constexpr int64_t kElementsPerThread = 1 << 15;

int threads_for(int64_t elements) {
  if (elements < 2 * kElementsPerThread) return 1;  // the common small case never touches the pool
  const int64_t wanted = elements / kElementsPerThread;
  return static_cast<int>(std::clamp<int64_t>(wanted, 1, ThreadPool::global().max_threads()));
}

}  // namespace

int vector_threads_for(int64_t elements) { return threads_for(elements); }

template <class T>
T vector_dot(int64_t n, const T* x, const T* y, bool conjugate_x) {
  const ElementKernels<T> k;
  const int threads = threads_for(n * kRealsPerElement<T>);
  if (threads == 1) return k.dot(n, x, y, conjugate_x);
  std::vector<T> partial(static_cast<size_t>(threads), T(0));
  for_chunks(n, threads, [&](int64_t begin, int64_t end, int t) {
    partial[t] = k.dot(end - begin, x + begin, y + begin, conjugate_x);
  });
  T sum = 0;
  for (const T& p : partial) sum += p;
  return sum;
}

template <class T>
void vector_axpy(int64_t n, T alpha, const T* x, T* y) {
  const ElementKernels<T> k;
  for_chunks(n, threads_for(n * kRealsPerElement<T>),
             [&](int64_t begin, int64_t end, int) { k.axpy(end - begin, alpha, x + begin, y + begin); });
}

template <class T>
void vector_rot(int64_t n, T* x, T* y, T c, T s) {
  const auto& k = vector_kernels_for<T>();
  for_chunks(n, threads_for(n),
             [&](int64_t begin, int64_t end, int) { k.rot(end - begin, x + begin, y + begin, c, s); });
}

// Below this many columns a thread, threads split gemv_n's rows instead of its columns: a column share's
// partial y costs two passes over m elements against its m x columns of A.
constexpr int64_t kGemvColumnsPerThread = 64;

template <class T>
void vector_gemv_n(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y) {
  const ElementKernels<T> k;
  const int threads = m >= 64 ? threads_for(m * n * kRealsPerElement<T>) : 1;
  // Columns split: each thread streams whole columns of its share into a y of its own (the first thread's is
  // y), added in share order. Split by rows, each thread read a slice of every column, and two threads ran
  // little faster than one. Zen 5, 2 threads, time rows -> columns: float n = 512 / 1024 / 2048 / 4096 9.2 /
  // 46 / 215 / 1840 -> 8.3 / 45 / 145 / 1200 us (OpenBLAS 12 / 58 / 188 / 1340), double 33 / 95 / 571 /
  // 2530 -> 16 / 72 / 357 / 1980 (OpenBLAS 26 / 95 / 552).
  if (threads > 1 && n >= kGemvColumnsPerThread * threads) {
    std::vector<T> partials(static_cast<size_t>((threads - 1) * m), T(0));
    for_chunks(n, threads, [&](int64_t begin, int64_t end, int t) {
      T* out = t == 0 ? y : partials.data() + (t - 1) * m;
      k.gemv_n(m, end - begin, alpha, a + begin * lda, lda, x + begin, out);
    });
    for (int t = 1; t < threads; ++t) k.axpy(m, T(1), partials.data() + (t - 1) * m, y);
    return;
  }
  for_chunks(m, threads,
             [&](int64_t begin, int64_t end, int) { k.gemv_n(end - begin, n, alpha, a + begin, lda, x, y + begin); });
}

template <class T>
void vector_gemv_t(int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T* y, bool conjugate_a) {
  const ElementKernels<T> k;
  // Columns split: each y[j] is one thread's dot product, so the result is the same for any thread count.
  for_chunks(n, threads_for(m * n * kRealsPerElement<T>), [&](int64_t begin, int64_t end, int) {
    k.gemv_t(m, end - begin, alpha, a + begin * lda, lda, x, y + begin, conjugate_a);
  });
}

template <class T>
void vector_bidiagonal_products(int64_t m, int64_t n, const T* a, int64_t lda, const T* v, T tau, const T* corr,
                                const T* r, T* y, T* s, T* w) {
  const auto& k = kernels_of<T>(workspace_vector_kernels());
  // Beyond 16 MiB, A streams from memory, and eight column streams at a time read it faster than four. Zen 5,
  // 1 thread, alternating processes: the bidiagonalization of a float64 4096 x 4096 matrix 7.1-8.1 -> 6.6-6.7
  // s (2 threads 3.9 -> 3.5), 2048 x 2048 0.72-0.77 -> 0.65-0.69 s, float32 4096 3.3-3.5 -> 3.1 s; no
  // different at float64 1536 (18 MB) or 1024, float32 2048.
  const bool from_memory = m * n * int64_t{sizeof(T)} > kStreamingBytes;
  const auto dots = from_memory ? k.gemv_t_eight_streams : k.gemv_t;
  const int64_t columns_at_once = from_memory ? 8 : 4;
  // Columns in blocks of about 32 KiB (at least columns_at_once), so a block is still in the caches for the
  // update.
  const int64_t block =
      std::max<int64_t>(columns_at_once, (int64_t{32} << 10) / (std::max<int64_t>(m, 1) * int64_t(sizeof(T))) /
                                             columns_at_once * columns_at_once);
  const int threads = threads_for(m * n);
  std::vector<T> partials(static_cast<size_t>(threads > 1 ? (threads - 1) * std::max<int64_t>(m - 1, 0) : 0));
  std::fill(w, w + std::max<int64_t>(m - 1, 0), T(0));
  for_chunks(n, threads, [&](int64_t begin, int64_t end, int t) {
    T* wt = t == 0 ? w : partials.data() + (t - 1) * (m - 1);
    if (t > 0) std::fill(wt, wt + (m - 1), T(0));
    for (int64_t j0 = begin; j0 < end; j0 += block) {
      const int64_t nb = std::min(block, end - j0);
      std::fill(y + j0, y + j0 + nb, T(0));
      dots(m, nb, T(1), a + j0 * lda, lda, v, y + j0);
      for (int64_t j = j0; j < j0 + nb; ++j) {
        y[j] = tau * (y[j] - corr[j]);
        s[j] = r[j] - y[j];
      }
      if (m > 1) k.gemv_n(m - 1, nb, T(1), a + j0 * lda + 1, lda, s + j0, wt);
    }
  });
  for (int t = 1; t < threads; ++t) k.axpy(m - 1, T(1), partials.data() + (t - 1) * (m - 1), w);
}

template void vector_rot<float>(int64_t, float*, float*, float, float);
template void vector_rot<double>(int64_t, double*, double*, double, double);
#define ARMORY_INSTANTIATE(T)                                                           \
  template T vector_dot<T>(int64_t, const T*, const T*, bool);                          \
  template void vector_axpy<T>(int64_t, T, const T*, T*);                               \
  template void vector_gemv_n<T>(int64_t, int64_t, T, const T*, int64_t, const T*, T*); \
  template void vector_gemv_t<T>(int64_t, int64_t, T, const T*, int64_t, const T*, T*, bool);
ARMORY_INSTANTIATE(float)
ARMORY_INSTANTIATE(double)
ARMORY_INSTANTIATE(cfloat)
ARMORY_INSTANTIATE(cdouble)
#undef ARMORY_INSTANTIATE
template void vector_bidiagonal_products<float>(int64_t, int64_t, const float*, int64_t, const float*, float,
                                                const float*, const float*, float*, float*, float*);
template void vector_bidiagonal_products<double>(int64_t, int64_t, const double*, int64_t, const double*, double,
                                                 const double*, const double*, double*, double*, double*);

}  // namespace armory::blas
