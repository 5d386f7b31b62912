// armory::svd: bidiagonalization (through a band when only values are wanted), then dqds (values),
// divide and conquer (vectors) or QR iteration (small problems) on the bidiagonal, vectors through the
// reflectors. A wide matrix is handled as its transpose; a matrix whose entries would overflow or
// underflow when squared is scaled first and the values scaled back, as LAPACK's drivers do.
#include <armory/gemm.h>
#include <armory/isa.h>
#include <armory/svd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "common/integer.h"
#include "common/large_buffer.h"
#include "gemm/thread_pool.h"
#include "lapack/band_reduction.h"
#include "lapack/bidiagonal.h"
#include "lapack/bidiagonal_dc.h"
#include "lapack/bidiagonal_dqds.h"
#include "lapack/bidiagonal_svd.h"
#include "lapack/jacobi_svd.h"
#include "lapack/qr.h"
#include "lapack/range_scale.h"
#include "lapack/svd_info.h"

namespace armory {

namespace {

template <class T>
Status check_arguments(SvdVectors vectors, int64_t m, int64_t n, const T* a, int64_t lda, const T* s, const T* u,
                       int64_t ldu, const T* vt, int64_t ldvt) {
  auto bad = [](const std::string& what) { return error(Errc::invalid_argument, "svd: " + what); };
  if (m < 0 || n < 0) return bad("sizes must be >= 0, got m = " + std::to_string(m) + ", n = " + std::to_string(n));
  if (lda < std::max<int64_t>(1, m))
    return bad("lda = " + std::to_string(lda) + " is less than m = " + std::to_string(m));
  const int64_t k = std::min(m, n);
  if (k == 0) return {};
  if (a == nullptr || s == nullptr) return bad("a and s must not be null");
  if (vectors == SvdVectors::none) return {};
  const int64_t vt_rows = vectors == SvdVectors::full ? n : k;
  if (u == nullptr || vt == nullptr) return bad("u and vt must not be null when vectors are wanted");
  if (ldu < std::max<int64_t>(1, m))
    return bad("ldu = " + std::to_string(ldu) + " is less than m = " + std::to_string(m));
  if (ldvt < std::max<int64_t>(1, vt_rows)) {
    return bad("ldvt = " + std::to_string(ldvt) + " is less than " + std::to_string(vt_rows));
  }
  return {};
}

// A matrix at least this much taller than wide, and this wide, is reduced by QR first (LAPACK's dgesdd
// switches at about 11/6 for vectors; with armory's QR on the GEMM engine it pays a little earlier).
constexpr int64_t kQrFirstRatio = 2;
constexpr int64_t kQrFirstMinColumns = 32;

// dst(j, i) = scale * src(i, j) for the rows x cols matrix src (column-major, as dst), in square tiles of
// 32 (8 KiB in float64, within L1 with their destination). Element by element, one side of the copy jumped
// a whole column per element. A C-ordered numpy matrix is a wide problem here, copied in transposed and
// its V^T copied out transposed: 10000 x 500 float64, 1 thread, Zen 4, values 0.23 -> 0.22 s, thin
// vectors 0.65-0.68 -> 0.57-0.60 s.
template <class T>
void transpose_scaled(int64_t rows, int64_t cols, const T* src, int64_t ld_src, T* dst, int64_t ld_dst, T scale) {
  constexpr int64_t kTile = 32;
  for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
    const int64_t j1 = std::min(cols, j0 + kTile);
    for (int64_t i0 = 0; i0 < rows; i0 += kTile) {
      const int64_t i1 = std::min(rows, i0 + kTile);
      for (int64_t i = i0; i < i1; ++i) {
        for (int64_t j = j0; j < j1; ++j) dst[j + i * ld_dst] = scale * src[i + j * ld_src];
      }
    }
  }
}

// The largest |a_ij| of a column-major m x n matrix, copied on the way into `copy` (leading dimension ldc)
// unless that is null; NaN or Inf if any entry is not finite. Computed on the entries' bit patterns with the
// sign cleared, which order as the magnitudes do and put Inf and NaN above every finite value: an integer
// max, which GCC vectorises, where a floating-point max with a finiteness test stayed a scalar loop (7% of a
// float64 10000 x 500 SVD without vectors).
template <class T>
T largest_magnitude(int64_t m, int64_t n, const T* a, int64_t lda, T* copy, int64_t ldc) {
  using Bits = std::conditional_t<sizeof(T) == sizeof(uint32_t), uint32_t, uint64_t>;
  constexpr Bits kMagnitude = std::numeric_limits<Bits>::max() >> 1;
  auto magnitude = [](T x) { return Bits(std::bit_cast<Bits>(x) & kMagnitude); };
  Bits largest = 0;
  for (int64_t j = 0; j < n; ++j) {
    const T* column = a + j * lda;
    Bits column_largest = 0;
    // Two loops, not a test per entry, so that each vectorises.
    if (copy != nullptr) {
      T* out = copy + j * ldc;
      for (int64_t i = 0; i < m; ++i) {
        out[i] = column[i];
        column_largest = std::max(column_largest, magnitude(column[i]));
      }
    } else {
      for (int64_t i = 0; i < m; ++i) column_largest = std::max(column_largest, magnitude(column[i]));
    }
    largest = std::max(largest, column_largest);
  }
  return std::bit_cast<T>(largest);
}

// The leading dimension of the SVD's working matrices with `rows` rows. Columns a multiple of 2 KiB apart
// fall into the same few L1 sets, and the reductions' GEMMs read and update a dozen of them at a time;
// 128 bytes more apart they do not. Zen 4, 1 thread, alternating in one process: float64 values n = 512 /
// 1024 / 2048 -5 / -11 / -6%, with vectors n = 512 / 1024 -15 / -9%; float32 n = 1024 values -9%, vectors
// -13%; n = 768 -2%; n = 1000 (no such stride) unchanged.
template <class T>
int64_t working_ld(int64_t rows) {
  constexpr int64_t kPad = 128 / sizeof(T);
  return rows * int64_t{sizeof(T)} % 2048 == 0 ? rows + kPad : rows;
}
// A U whose columns alias still takes Q in place up to this size (svd_impl's q_in_u has the figures).
constexpr int64_t kAliasingUInPlaceBytes = 512 * 1024;
// A wide matrix's V^T past its first rows comes from the reflectors from this many times wider than tall
// (svd_impl's trailing_vt).
constexpr int64_t kTrailingVtRatio = 8;

// Whether the small path takes an m x n problem: a copy that fits its stack arrays, and no full U or V^T
// wider than the copy's columns (those would need completing to a basis; the bidiagonal path does it).
bool small_path_fits(SvdVectors vectors, int64_t m, int64_t n) {
  const int64_t rows = std::max(m, n), cols = std::min(m, n);
  if (cols > lapack::kJacobiMaxColumns || rows * cols > lapack::kJacobiMaxElements) return false;
  return vectors != SvdVectors::full || rows == cols;
}

// The small path: one-sided Jacobi (lapack/jacobi_svd.h) on a scaled copy on the stack, so nothing is
// allocated. numpy's batched svd of 3 x 3 float64 matrices went through the bidiagonal path's eleven heap
// allocations, reflectors and explicit Q and P for each. False when Jacobi cannot finish (a singular
// matrix with vectors wanted): then nothing has been written.
template <class T>
bool small_svd(SvdVectors vectors, int64_t m, int64_t n, const T* a, int64_t lda, T scale, T* s, T* u, int64_t ldu,
               T* vt, int64_t ldvt) {
  const bool wide = m < n;
  const int64_t rows = wide ? n : m, cols = wide ? m : n;
  T w[lapack::kJacobiMaxElements];
  T v[lapack::kJacobiMaxColumns * lapack::kJacobiMaxColumns];
  T values[lapack::kJacobiMaxColumns];
  if (wide) {
    transpose_scaled(m, n, a, lda, w, rows, scale);
  } else {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < m; ++i) w[i + j * rows] = scale * a[i + j * lda];
    }
  }
  const bool want = vectors != SvdVectors::none;
  if (!lapack::jacobi_svd(rows, cols, w, rows, values, want ? v : nullptr, cols)) return false;
  for (int64_t i = 0; i < cols; ++i) s[i] = values[i] / scale;
  if (!want) return true;
  // Tall: U = W, V^T = V^T. Wide (A^T = W S V^T): U = V, V^T = W^T.
  const T* u_source = wide ? v : w;
  const int64_t u_ld = wide ? cols : rows;
  for (int64_t j = 0; j < cols; ++j) std::copy_n(u_source + j * u_ld, m, u + j * ldu);
  if (wide) {
    transpose_scaled(rows, cols, w, rows, vt, ldvt, T(1));
  } else {
    transpose_scaled(cols, cols, v, cols, vt, ldvt, T(1));
  }
  return true;
}

Status not_converged(int64_t unconverged) {
  return error(Errc::internal, "svd: the bidiagonal QR iteration did not converge (" + std::to_string(unconverged) +
                                   " superdiagonal entries left)");
}

// The SVD of a rows x cols matrix a (rows >= cols, overwritten): bidiagonalization B = Q^T A P, then the
// bidiagonal's SVD. Values only: through a band (above a hundred-odd columns), then dqds, or QR iteration
// if dqds gives up. With vectors, above a few dozen columns, divide and conquer: U_B and V_B on the GEMM
// engine, then Q [U_B 0; 0 I] and P V_B by applying the reflectors (as LAPACK's dgesdd). Otherwise QR
// iteration, applying its rotations to the explicit Q (rows x qcols, at q with leading dimension ldq: the
// caller's U or a working buffer) and P (working_ld of its rows). a has leading dimension lda.
template <class T>
Status bidiagonal_path(int64_t rows, int64_t cols, T* a, int64_t lda, int64_t qcols, bool want,
                       lapack::Bidiagonal<T>& b, T* q, int64_t ldq, LargeVector<T>& p, int64_t& unconverged) {
  if (!want) {
    if (cols >= lapack::kTwoStageMinColumns) {
      lapack::bidiagonalize_two_stage(rows, cols, a, lda, lapack::two_stage_bandwidth(cols), b.d, b.e);
    } else {
      b = lapack::bidiagonalize(rows, cols, a, lda);
    }
    if (lapack::bidiagonal_values_dqds(cols, b.d.data(), b.e.data()) == 0) return {};
    unconverged = lapack::bidiagonal_svd<T>(cols, b.d.data(), b.e.data(), nullptr, cols, 0, nullptr, rows, 0);
    return unconverged > 0 ? not_converged(unconverged) : Status{};
  }
  b = lapack::bidiagonalize(rows, cols, a, lda);
  const int64_t ldp = working_ld<T>(cols);
  p.resize(static_cast<size_t>(ldp) * cols);
  if (cols > lapack::kDivideAndConquerLeaf) {
    LargeBuffer<T> ub(static_cast<size_t>(ldp) * cols);  // the divide and conquer zeroes it first
    unconverged = lapack::bidiagonal_svd_dc(cols, b.d.data(), b.e.data(), ub.data(), ldp, p.data(), ldp);
    if (unconverged > 0) return not_converged(unconverged);
    for (int64_t j = 0; j < qcols; ++j) {
      T* column = q + j * ldq;
      if (j < cols) {
        std::copy_n(ub.data() + j * ldp, cols, column);
        std::fill(column + cols, column + rows, T(0));
      } else {
        std::fill(column, column + rows, T(0));
        column[j] = T(1);
      }
    }
    lapack::multiply_q(rows, cols, a, lda, b.tauq, qcols, q, ldq);
    lapack::multiply_p(cols, a, lda, b.taup, p.data(), ldp);
    return {};
  }
  lapack::form_q(rows, cols, a, lda, b.tauq, qcols, q, ldq);
  lapack::form_p(cols, a, lda, b.taup, p.data(), ldp);
  unconverged = lapack::bidiagonal_svd(cols, b.d.data(), b.e.data(), p.data(), ldp, cols, q, ldq, rows);
  return unconverged > 0 ? not_converged(unconverged) : Status{};
}

template <class T>
Status svd_impl(SvdVectors vectors, int64_t m, int64_t n, T* a, int64_t lda, T* s, T* u, int64_t ldu, T* vt,
                int64_t ldvt, int64_t& unconverged) {
  unconverged = 0;
  if (Status st = check_arguments(vectors, m, n, a, lda, s, u, ldu, vt, ldvt); !st.ok()) return st;
  // Under an ARMORY_ISA this CPU lacks the GEMM engine refuses every call: say so once, up front, rather
  // than return values from a reduction whose updates did not run.
  if (const auto& policy = host_isa_policy(); !policy.ok()) return policy.status();
  const int64_t k = std::min(m, n);
  if (k == 0) {
    // Empty: U and V^T are identities of their (possibly non-empty) full sizes.
    if (vectors == SvdVectors::full) {
      for (int64_t j = 0; j < m; ++j)
        for (int64_t i = 0; i < m; ++i) u[i + j * ldu] = i == j ? T(1) : T(0);
      for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < n; ++i) vt[i + j * ldvt] = i == j ? T(1) : T(0);
    }
    return {};
  }

  if (small_path_fits(vectors, m, n)) {
    const T amax = largest_magnitude<T>(m, n, a, lda, nullptr, 0);
    if (!std::isfinite(amax)) return error(Errc::invalid_argument, "svd: the matrix contains NaN or Inf");
    if (small_svd(vectors, m, n, a, lda, lapack::range_scale(amax), s, u, ldu, vt, ldvt)) return {};
  }

  // Work on a copy with m >= n: the transpose of a wide matrix. A tall one is copied while it is scanned.
  const bool wide = m < n;
  const int64_t rows = wide ? n : m, cols = wide ? m : n;
  // The workspaces are large and short-lived: from huge pages, since on a paravirtualised guest faulting in
  // 4 KiB pages one by one took longer than the divide and conquer itself.
  const int64_t ldw = working_ld<T>(rows);
  // Not zero-filled (LargeBuffer): the copy or the transpose below writes every entry the reductions read.
  LargeBuffer<T> work(static_cast<size_t>(ldw) * cols);
  const T amax = largest_magnitude(m, n, a, lda, wide ? nullptr : work.data(), ldw);
  if (!std::isfinite(amax)) return error(Errc::invalid_argument, "svd: the matrix contains NaN or Inf");
  const T scale = lapack::range_scale(amax);
  if (wide) {
    transpose_scaled(m, n, a, lda, work.data(), ldw, scale);
  } else if (scale != T(1)) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < m; ++i) work.data()[i + j * ldw] *= scale;
    }
  }
  // Vectors of the tall problem: Q (rows x qcols) and P (cols x cols).
  const bool want = vectors != SvdVectors::none;
  // A wide matrix's full V^T is Q^T: with few reflectors, only Q's first cols columns are formed (the SVD
  // rotates those), and its rows past cols come straight from the reflectors (form_trailing_q_transposed)
  // rather than from forming all of Q and transposing it: scipy.linalg.svd of a 3 x 1000 matrix made three
  // passes over an 8 MB Q where one remains. That builds the reflectors' T a second time (rows cols^2 work
  // against the rows^2 saved), so only for matrices at least kTrailingVtRatio times wider than tall.
  // dgesdd 'A', 1 thread, Zen 3, OpenBLAS time / armory time before -> after: 3 x 1000 0.68 -> 1.24,
  // 10 x 500 2.14 -> 3.07, 40 x 1000 3.36 -> 4.21, but 60 x 200 1.47 -> 1.38.
  const bool trailing_vt =
      wide && vectors == SvdVectors::full && cols <= lapack::kTrailingQReflectors && rows >= kTrailingVtRatio * cols;
  const int64_t qcols = vectors == SvdVectors::full && !trailing_vt ? rows : cols;
  // A tall problem's U is its Q: formed in place in U rather than in a buffer as large and then copied
  // (numpy's svd of a 1000 x 3 matrix with full vectors, a 1000 x 1000 U, made seven passes over 8 MB,
  // zeroing, forming and copying Q, where three remain), unless U's columns alias (working_ld's reason) and
  // U is larger than L2. Zen 3, 1 thread, full vectors, aliasing U in place against the padded buffer:
  // 256 x 1 44 -> 34 us, 512 x 8 286 -> 267 us, but 1024 x 4 842 -> 992 us.
  const bool q_in_u =
      want && !wide && (working_ld<T>(ldu) == ldu || ldu * qcols * int64_t{sizeof(T)} <= kAliasingUInPlaceBytes);
  LargeBuffer<T> q_buffer;
  if (want && !q_in_u) q_buffer = LargeBuffer<T>(static_cast<size_t>(ldw) * qcols);
  T* q = q_in_u ? u : q_buffer.data();
  const int64_t ldq = q_in_u ? ldu : ldw;
  LargeVector<T> p;
  lapack::Bidiagonal<T> b;
  // The reflectors of the Q whose columns past cols are U's (or V^T's rows): in work below its diagonal, with
  // these scalars (QR's when it goes first, the bidiagonalization's otherwise).
  std::vector<T> tau;
  const std::vector<T>* q_tau = &b.tauq;
  if (rows >= kQrFirstRatio * cols && cols >= kQrFirstMinColumns) {
    // Much taller than wide: A = Q_A R first, then the SVD of the small square R (LAPACK's drivers do the
    // same): the bidiagonalization's matrix-vector products then sweep n x n, not m x n, and U = Q_A U_R
    // is one GEMM.
    lapack::qr_factor(rows, cols, work.data(), ldw, tau);
    q_tau = &tau;
    const int64_t ldr = working_ld<T>(cols);
    LargeVector<T> r(static_cast<size_t>(ldr) * cols, T(0));
    for (int64_t j = 0; j < cols; ++j) {
      for (int64_t i = 0; i <= j; ++i) r[i + j * ldr] = work.data()[i + j * ldw];
    }
    LargeBuffer<T> ur(want ? static_cast<size_t>(ldr) * cols : 0);
    if (Status st = bidiagonal_path(cols, cols, r.data(), ldr, cols, want, b, ur.data(), ldr, p, unconverged); !st) {
      return st;
    }
    if (want) {
      // U = Q_A [U_R 0; 0 I]: Q_A formed in place, then its first cols columns times U_R.
      lapack::form_q(rows, cols, work.data(), ldw, tau, qcols, q, ldq);
      LargeBuffer<T> qa(static_cast<size_t>(ldw) * cols);
      for (int64_t j = 0; j < cols; ++j) std::copy_n(q + j * ldq, rows, qa.data() + j * ldw);
      Status st = gemm(Layout::col_major, Trans::no, Trans::no, rows, cols, cols, T(1), qa.data(), ldw, ur.data(), ldr,
                       T(0), q, ldq);
      if (!st) return st;
    }
  } else if (Status st = bidiagonal_path(rows, cols, work.data(), ldw, qcols, want, b, q, ldq, p, unconverged); !st) {
    return st;
  }
  for (int64_t i = 0; i < k; ++i) s[i] = b.d[i] / scale;
  if (!want) return {};

  // Tall: U = Q, V^T = P^T. Wide (A^T = Q S P^T): U = P, V^T = Q^T.
  const int64_t ucols = wide ? m : (vectors == SvdVectors::full ? m : k);
  const int64_t vtrows = vectors == SvdVectors::full ? n : k;
  const int64_t ldp = working_ld<T>(cols);
  if (!q_in_u) {
    for (int64_t j = 0; j < ucols; ++j) {
      for (int64_t i = 0; i < m; ++i) u[i + j * ldu] = wide ? p[i + j * ldp] : q[i + j * ldq];
    }
  }
  if (wide) {
    transpose_scaled(n, qcols, q, ldq, vt, ldvt, T(1));
    if (trailing_vt) lapack::form_trailing_q_transposed(rows, cols, work.data(), ldw, *q_tau, vt + cols, ldvt);
  } else {
    transpose_scaled(n, vtrows, p.data(), ldp, vt, ldvt, T(1));
  }
  return {};
}

// svd_impl with an allocation failure as an error value rather than an exception.
template <class T>
Status svd_reporting(SvdVectors vectors, int64_t m, int64_t n, T* a, int64_t lda, T* s, T* u, int64_t ldu, T* vt,
                     int64_t ldvt) {
  int64_t unconverged = 0;
  try {
    return svd_impl(vectors, m, n, a, lda, s, u, ldu, vt, ldvt, unconverged);
  } catch (const std::bad_alloc&) {
    return error(Errc::out_of_memory, "svd: not enough memory for the workspace");
  }
}

// ThreadPool::parallel_shares tracks up to 64 shares.
constexpr int64_t kMaxBatchShares = 64;

template <class T>
Status svd_batch_impl(SvdVectors vectors, int64_t count, int64_t m, int64_t n, T* a, int64_t lda, int64_t a_stride,
                      T* s, int64_t s_stride, T* u, int64_t ldu, int64_t u_stride, T* vt, int64_t ldvt,
                      int64_t vt_stride) {
  if (count < 0)
    return error(Errc::invalid_argument, "svd: the batch's count must be >= 0, got " + std::to_string(count));
  if (count == 0) return {};
  if (a_stride < 0 || s_stride < 0 || u_stride < 0 || vt_stride < 0) {
    return error(Errc::invalid_argument, "svd: the batch's strides must be >= 0");
  }
  // One matrix's arguments stand for all of them (the strides only move the pointers).
  if (Status st = check_arguments(vectors, m, n, a, lda, s, u, ldu, vt, ldvt); !st.ok()) return st;
  const bool want = vectors != SvdVectors::none;
  std::mutex mutex;
  int64_t first_failed = count;
  Status first_error;
  auto decompose = [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      Status st = svd_reporting(vectors, m, n, a + i * a_stride, lda, s + i * s_stride,
                                want ? u + i * u_stride : nullptr, ldu, want ? vt + i * vt_stride : nullptr, ldvt);
      if (st.ok()) continue;
      const std::lock_guard<std::mutex> lock(mutex);
      if (i < first_failed) {
        first_failed = i;
        first_error = std::move(st);
      }
    }
  };
  // Each matrix small enough that its own SVD would run on one thread: the matrices are what is shared, in
  // up to eight runs per thread that the threads claim as they go (a thread the host preempts takes fewer).
  auto& pool = ThreadPool::global();
  const int64_t threads = m * n <= kSvdBatchSharedElements ? std::min<int64_t>(pool.max_threads(), count) : 1;
  if (threads <= 1) {
    decompose(0, count);
  } else {
    const int64_t per = ceil_div(count, std::min<int64_t>({count, 8 * threads, kMaxBatchShares}));
    pool.parallel_shares(static_cast<int>(ceil_div(count, per)),
                         [&](int share) { decompose(share * per, std::min(count, (share + 1) * per)); });
  }
  if (first_failed == count) return {};
  std::string what = first_error.message();
  if (what.rfind("svd: ", 0) == 0) what.erase(0, 5);
  return error(first_error.code(), "svd: matrix " + std::to_string(first_failed) + " of the batch: " + what);
}

}  // namespace

namespace lapack {

template <class T>
int64_t svd_info(SvdVectors vectors, int64_t m, int64_t n, T* a, int64_t lda, T* s, T* u, int64_t ldu, T* vt,
                 int64_t ldvt) {
  try {
    int64_t unconverged = 0;
    const Status st = svd_impl(vectors, m, n, a, lda, s, u, ldu, vt, ldvt, unconverged);
    if (st.ok()) return 0;
    if (unconverged > 0) return unconverged;
    if (st.code() == Errc::invalid_argument) return kSvdInvalidInput;
    if (st.code() != Errc::out_of_memory) std::fprintf(stderr, "armory svd: %s\n", st.message().c_str());
    return kSvdOutOfMemory;
  } catch (const std::bad_alloc&) {
    return kSvdOutOfMemory;
  }
}

template int64_t svd_info<float>(SvdVectors, int64_t, int64_t, float*, int64_t, float*, float*, int64_t, float*,
                                 int64_t);
template int64_t svd_info<double>(SvdVectors, int64_t, int64_t, double*, int64_t, double*, double*, int64_t, double*,
                                  int64_t);

}  // namespace lapack

Status svd(SvdVectors vectors, int64_t m, int64_t n, double* a, int64_t lda, double* s, double* u, int64_t ldu,
           double* vt, int64_t ldvt) {
  return svd_reporting(vectors, m, n, a, lda, s, u, ldu, vt, ldvt);
}

Status svd(SvdVectors vectors, int64_t m, int64_t n, float* a, int64_t lda, float* s, float* u, int64_t ldu, float* vt,
           int64_t ldvt) {
  return svd_reporting(vectors, m, n, a, lda, s, u, ldu, vt, ldvt);
}

Status svd_batch(SvdVectors vectors, int64_t count, int64_t m, int64_t n, double* a, int64_t lda, int64_t a_stride,
                 double* s, int64_t s_stride, double* u, int64_t ldu, int64_t u_stride, double* vt, int64_t ldvt,
                 int64_t vt_stride) {
  return svd_batch_impl(vectors, count, m, n, a, lda, a_stride, s, s_stride, u, ldu, u_stride, vt, ldvt, vt_stride);
}

Status svd_batch(SvdVectors vectors, int64_t count, int64_t m, int64_t n, float* a, int64_t lda, int64_t a_stride,
                 float* s, int64_t s_stride, float* u, int64_t ldu, int64_t u_stride, float* vt, int64_t ldvt,
                 int64_t vt_stride) {
  return svd_batch_impl(vectors, count, m, n, a, lda, a_stride, s, s_stride, u, ldu, u_stride, vt, ldvt, vt_stride);
}

}  // namespace armory
