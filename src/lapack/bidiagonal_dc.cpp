#include "common/large_buffer.h"
#include "lapack/bidiagonal_dc.h"

#include <armory/gemm.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "blas/vector_kernels.h"
#include "gemm/thread_pool.h"
#include "lapack/bidiagonal_svd.h"
#include "lapack/plane_rotation.h"

namespace armory::lapack {

namespace {

// The secular problem of one merge: the K x K matrix M with z in its first row and diag(ds) below it,
// ds[0] = 0 < ds[1] < ... < ds[K-1] (distinct by more than the deflation tolerance) and every z[j]
// non-negligible. Its singular values sigma interlace with ds and solve
//   f(sigma) = 1 + sum_j z[j]^2 / (ds[j]^2 - sigma^2) = 0.
// Each root is found relative to its nearer pole ds[origin] (sigma = ds[origin] + tau) and the differences
// ds[j] - sigma are kept as (ds[j] - ds[origin]) - tau, which is what makes the vectors accurate.
template <class T>
class SecularEquation {
 public:
  SecularEquation(int64_t k, const T* ds, const T* z) : k_(k), ds_(ds), z_(z) {}

  // Root i (ascending) into sigma and ds[j] - sigma for every j into delta[0..K).
  void solve(int64_t i, T& sigma, T* delta) const {
    const T eps = std::numeric_limits<T>::epsilon();
    const bool last = i == k_ - 1;
    // The unknown is mu = sigma^2 - ds[origin]^2, bracketed by (lo, hi); f increases with mu.
    int64_t origin = i;
    T lo = 0, hi = 0;
    if (last) {
      T z2 = 0;
      for (int64_t j = 0; j < k_; ++j) z2 += z_[j] * z_[j];
      hi = z2;  // sigma^2 <= ds[K-1]^2 + ||z||^2, where f >= 0
    } else {
      const T mid = (ds_[i] + ds_[i + 1]) / 2;
      T f_mid = 1;
      for (int64_t j = 0; j < k_; ++j) f_mid += z_[j] * z_[j] / ((ds_[j] - mid) * (ds_[j] + mid));
      if (f_mid >= 0) {
        hi = (mid - ds_[i]) * (mid + ds_[i]);  // the root lies in (ds[i], mid]: measure from ds[i]
      } else {
        origin = i + 1;  // in (mid, ds[i+1]): measure from ds[i+1], mu < 0
        lo = (mid - ds_[i + 1]) * (mid + ds_[i + 1]);
      }
    }
    const T base = ds_[origin];
    T mu = (lo + hi) / 2, tau = 0;
    for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
      tau = mu / (base + std::sqrt(base * base + mu));
      // psi: the poles at or left of the root (terms < 0); phi: those right of it (terms > 0).
      T psi = 0, dpsi = 0, phi = 0, dphi = 0, x_left = 0, x_right = 0;
      for (int64_t j = 0; j < k_; ++j) {
        delta[j] = (ds_[j] - base) - tau;
        const T x = delta[j] * (ds_[j] + base + tau);  // ds[j]^2 - sigma^2
        const T t = z_[j] / x;
        if (j <= i) {
          psi += z_[j] * t;
          dpsi += t * t;
        } else {
          phi += z_[j] * t;
          dphi += t * t;
        }
        if (j == i) x_left = x;
        if (j == i + 1) x_right = x;
      }
      const T f = 1 + psi + phi;
      if (std::abs(f) <= 8 * eps * (1 + phi - psi)) break;
      if (f < 0) {
        lo = mu;
      } else {
        hi = mu;
      }
      // Model psi and phi each by one pole plus a constant, matching value and slope at mu, and step to
      // the model's root; bisect when the step leaves the bracket.
      const T s_left = dpsi * x_left * x_left;
      const T a = 1 + (psi - dpsi * x_left) + (phi - dphi * x_right);
      T eta = std::numeric_limits<T>::quiet_NaN();
      if (last) {
        if (a > 0) eta = x_left + s_left / a;
      } else {
        const T s_right = dphi * x_right * x_right;
        const T b = a * (x_left + x_right) + s_left + s_right, c = x_left * x_right * f;
        // a eta^2 - b eta + c = 0, the root between the poles x_left < eta < x_right.
        if (a == T(0)) {
          eta = c / b;
        } else {
          const T disc = b * b - 4 * a * c;
          if (disc >= 0) {
            const T q = b >= 0 ? (b + std::sqrt(disc)) / 2 : (b - std::sqrt(disc)) / 2;
            const T e1 = q / a, e2 = q != T(0) ? c / q : e1;
            eta = (e1 > x_left && e1 < x_right) ? e1 : e2;
          }
        }
      }
      T next = mu + eta;
      if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
      if (next == mu || !(next > lo && next < hi)) break;  // the bracket cannot shrink further
      mu = next;
    }
    sigma = base + tau;
  }

 private:
  static constexpr int kMaxIterations = 400;
  int64_t k_;
  const T* ds_;
  const T* z_;
};

// fn(i) for i in [0, n), over armory's threads when the merge is large enough to pay for waking them: the
// roots of the secular equation, and the vectors from them, are independent of one another (O(n^2) work
// with a division per term, a tenth of a float64 SVD of order 2048 on one thread).
template <class Fn>
void for_each_index(int64_t n, const Fn& fn) {
  constexpr int64_t kPerThread = 128;
  const int threads = static_cast<int>(std::min<int64_t>(ThreadPool::global().max_threads(), n / kPerThread));
  if (threads <= 1) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  ThreadPool::global().parallel_shares(threads, [&](int share) {
    const int64_t begin = n * share / threads, end = n * (share + 1) / threads;
    for (int64_t i = begin; i < end; ++i) fn(i);
  });
}

template <class T>
class DivideAndConquer {
 public:
  // n: the order of the whole problem. The merges' n x n scratch is reserved at its final size up front, so
  // it is allocated once (from huge pages, see svd.cpp) rather than regrown merge after merge.
  DivideAndConquer(int64_t n, T* d, const T* e, T* u, int64_t ldu, T* v, int64_t ldv)
      : d_(d), e_(e), u_(u), ldu_(ldu), v_(v), ldv_(ldv), rot_(blas::vector_kernels_for<T>().rot) {
    const size_t square = static_cast<size_t>(n) * static_cast<size_t>(n);
    gathered_.reserve(square);
    // Written in full before they are read (the secular solutions, M's vectors and their chosen rows, and the
    // products the GEMM writes with beta = 0): not zero-filled merge after merge.
    for (LargeBuffer<T>* scratch : {&delta_, &um_, &vm_, &selected_, &products_[0], &products_[1]}) {
      *scratch = LargeBuffer<T>(square);
    }
  }

  // The node B[lo : lo+rows, lo : lo+cols], cols = rows or rows + 1. On return its singular values are in
  // d[lo : lo+rows], slot j's left vector in U column lo+j (rows lo : lo+rows) and right vector in V column
  // lo+j (rows lo : lo+cols); when cols = rows + 1, V column lo+rows is the null vector.
  int64_t solve(int64_t lo, int64_t rows, int64_t cols) {
    if (rows <= kDivideAndConquerLeaf) return leaf(lo, rows, cols);
    const int64_t k = rows / 2;
    const int64_t unconverged = solve(lo, k, k + 1) + solve(lo + k + 1, rows - k - 1, cols - k - 1);
    if (unconverged > 0) return unconverged;
    merge(lo, rows, cols, k);
    return 0;
  }

 private:
  T* ucol(int64_t lo, int64_t j) const { return u_ + lo + (lo + j) * ldu_; }
  T* vcol(int64_t lo, int64_t j) const { return v_ + lo + (lo + j) * ldv_; }

  // QR iteration. A rows x (rows+1) node is first made square by rotating its last column into the others
  // from the right (bottom row up), which leaves that column zero: its rotated identity is the null vector.
  int64_t leaf(int64_t lo, int64_t rows, int64_t cols) {
    for (int64_t j = 0; j < rows; ++j) ucol(lo, j)[j] = 1;
    for (int64_t j = 0; j < cols; ++j) vcol(lo, j)[j] = 1;
    if (rows == 0) return 0;
    std::vector<T> e(e_ + lo, e_ + lo + rows - 1);
    T* d = d_ + lo;
    if (cols == rows + 1) {
      T bulge = e_[lo + rows - 1];
      for (int64_t j = rows - 1; j >= 0; --j) {
        T c, s, r;
        plane_rotation(d[j], bulge, c, s, r);
        d[j] = r;
        rot_(cols, vcol(lo, j), vcol(lo, rows), c, s);
        if (j > 0) {
          bulge = -s * e[j - 1];
          e[j - 1] *= c;
        }
      }
    }
    return bidiagonal_svd(rows, d, e.data(), vcol(lo, 0), ldv_, cols, ucol(lo, 0), ldu_, rows);
  }

  void merge(int64_t lo, int64_t rows, int64_t cols, int64_t k);

  // Survivor columns (height rows each, rows [0, split) one block and [split, height) the other) <- those
  // columns times `small` (survivors x survivors).
  template <class Column>
  void multiply(int64_t height, int64_t split, const Column& column, const T* small) {
    const int64_t n = static_cast<int64_t>(survivors_.size());
    const int64_t starts[2] = {0, split}, ends[2] = {split, height};
    for (int half = 0; half < 2; ++half) {
      const int64_t r0 = starts[half], h = ends[half] - starts[half];
      T* product = products_[half].data();
      if (h == 0) continue;
      gathered_.clear();
      chosen_.clear();
      for (int64_t i = 0; i < n; ++i) {
        const T* col = column(survivors_[i]) + r0;
        if (std::none_of(col, col + h, [](T x) { return x != T(0); })) continue;
        gathered_.insert(gathered_.end(), col, col + h);
        chosen_.push_back(i);
      }
      const int64_t width = static_cast<int64_t>(chosen_.size());
      if (width == 0) {
        std::fill_n(product, h * n, T(0));  // no column reaches these rows
        continue;
      }
      // selected_ holds the chosen rows of `small` one after another: width x n row-major, n x width
      // column-major. Gathered a few rows at a time along small's columns: one row at a time, each load was
      // n values from the last (a cache line and often a page apart), a fifth of a float64 order-4096 merge's
      // own time; this way each column of small gives a few neighbouring values to a few output streams.
      constexpr int64_t kRowsAtOnce = 16;
      for (int64_t first = 0; first < width; first += kRowsAtOnce) {
        const int64_t last = std::min(width, first + kRowsAtOnce);
        for (int64_t j = 0; j < n; ++j) {
          const T* from = small + j * n;
          for (int64_t r = first; r < last; ++r) selected_.data()[j + r * n] = from[chosen_[r]];
        }
      }
      (void)gemm(Layout::col_major, Trans::no, Trans::yes, h, n, width, T(1), gathered_.data(), h, selected_.data(), n,
                 T(0), product, h);
    }
    for (int half = 0; half < 2; ++half) {
      const int64_t r0 = starts[half], h = ends[half] - starts[half];
      for (int64_t i = 0; i < n && h > 0; ++i) std::copy_n(products_[half].data() + i * h, h, column(survivors_[i]) + r0);
    }
  }

  T* d_;
  const T* e_;
  T* u_;
  int64_t ldu_;
  T* v_;
  int64_t ldv_;
  void (*rot_)(int64_t, T*, T*, T, T);
  // Scratch reused by every merge; the n x n ones from huge pages (see svd.cpp).
  std::vector<T> z_, dv_, ds_, zs_, zhat_, sigma_;
  LargeBuffer<T> delta_, um_, vm_, selected_;
  LargeVector<T> gathered_;
  LargeBuffer<T> products_[2];
  std::vector<int64_t> order_, survivors_, chosen_;
};

// Row k of the node, written in the children's singular bases, is z: B = diag(U1, 1, U2) M diag(V1, V2)^T
// where M has z in row k and the children's singular values on the diagonal of the other rows (slot j's
// value pairs U column j with V column j; V column k, B1's null vector, has only z). After deflation the
// rest is the secular problem, whose vectors, multiplied into the children's, give the node's.
template <class T>
void DivideAndConquer<T>::merge(int64_t lo, int64_t rows, int64_t cols, int64_t k) {
  const T eps = std::numeric_limits<T>::epsilon();
  const T alpha = d_[lo + k];
  const T beta = cols > k + 1 ? e_[lo + k] : T(0);
  ucol(lo, k)[k] = 1;

  z_.assign(cols, T(0));
  dv_.assign(cols, T(0));
  for (int64_t j = 0; j <= k; ++j) z_[j] = alpha * vcol(lo, j)[k];              // last row of V1
  for (int64_t j = k + 1; j < cols; ++j) z_[j] = beta * vcol(lo, j)[k + 1];   // first row of V2
  for (int64_t j = 0; j < rows; ++j) dv_[j] = j == k ? T(0) : d_[lo + j];
  if (cols == rows + 1) {
    // Two null columns (B1's and B2's) carry only z: one rotation gathers z into column k and leaves
    // column `rows` zero, the node's null vector.
    T c, s, r;
    plane_rotation(z_[k], z_[rows], c, s, r);
    rot_(cols, vcol(lo, k), vcol(lo, rows), c, s);
    z_[k] = r;
    z_[rows] = 0;
  }

  T scale = 0;
  for (int64_t j = 0; j < rows; ++j) scale = std::max({scale, dv_[j], std::abs(z_[j])});
  if (scale == T(0)) {
    for (int64_t j = 0; j < rows; ++j) d_[lo + j] = 0;
    return;
  }
  for (int64_t j = 0; j < rows; ++j) {
    dv_[j] /= scale;
    z_[j] /= scale;
  }

  // Deflation: a negligible z[j] leaves dv[j] a singular value with its vectors as they are; a dv[j] near
  // zero is set to zero and its z rotated into column k; two values closer than tol are rotated so that
  // one of them has z = 0. Each perturbs M by at most tol.
  const T tol = 8 * eps;
  if (std::abs(z_[k]) <= tol) z_[k] = tol;
  order_.resize(rows);
  std::iota(order_.begin(), order_.end(), int64_t{0});
  order_.erase(order_.begin() + k);
  std::stable_sort(order_.begin(), order_.end(), [&](int64_t a, int64_t b) { return dv_[a] < dv_[b]; });
  survivors_.assign(1, k);
  for (int64_t j : order_) {
    T c, s, r;
    if (std::abs(z_[j]) <= tol) continue;
    if (dv_[j] <= tol) {
      plane_rotation(z_[k], z_[j], c, s, r);
      rot_(cols, vcol(lo, k), vcol(lo, j), c, s);
      z_[k] = r;
      z_[j] = 0;
      dv_[j] = 0;
      continue;
    }
    const int64_t p = survivors_.back();
    if (p != k && dv_[j] - dv_[p] <= tol) {
      plane_rotation(z_[j], z_[p], c, s, r);
      rot_(cols, vcol(lo, j), vcol(lo, p), c, s);
      rot_(rows, ucol(lo, j), ucol(lo, p), c, s);
      z_[j] = r;
      z_[p] = 0;
      survivors_.pop_back();
    }
    survivors_.push_back(j);
  }

  // The secular problem on the survivors (column k first, with ds = 0).
  const int64_t n = static_cast<int64_t>(survivors_.size());
  ds_.resize(n);
  zs_.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    ds_[i] = dv_[survivors_[i]];
    zs_[i] = z_[survivors_[i]];
  }
  sigma_.resize(n);
  const SecularEquation<T> secular(n, ds_.data(), zs_.data());
  for_each_index(n, [&](int64_t i) { secular.solve(i, sigma_[i], delta_.data() + i * n); });

  // z recomputed so that the computed sigma are the exact singular values of a nearby M (Gu and
  // Eisenstat's step that keeps the vectors orthogonal):
  //   zhat[j]^2 = prod_i (sigma_i^2 - ds_j^2) / prod_{l != j} (ds_l^2 - ds_j^2).
  auto sigma2_minus = [&](int64_t i, int64_t j) { return -delta_.data()[i * n + j] * (ds_[j] + sigma_[i]); };
  zhat_.resize(n);
  for_each_index(n, [&](int64_t j) {
    T product = sigma2_minus(n - 1, j);
    for (int64_t i = 0; i < j; ++i) product *= sigma2_minus(i, j) / ((ds_[i] - ds_[j]) * (ds_[i] + ds_[j]));
    for (int64_t i = j; i + 1 < n; ++i) {
      product *= sigma2_minus(i, j) / ((ds_[i + 1] - ds_[j]) * (ds_[i + 1] + ds_[j]));
    }
    zhat_[j] = std::copysign(std::sqrt(std::abs(product)), zs_[j]);
  });
  // Vectors of M: v_i[j] = zhat_j / (ds_j^2 - sigma_i^2), u_i[j] = ds_j v_i[j] with u_i[0] = -1.
  for_each_index(n, [&](int64_t i) {
    T* uv = um_.data() + i * n;
    T* vv = vm_.data() + i * n;
    T unorm = 0, vnorm = 0;
    for (int64_t j = 0; j < n; ++j) {
      vv[j] = zhat_[j] / (delta_.data()[i * n + j] * (ds_[j] + sigma_[i]));
      uv[j] = j == 0 ? T(-1) : ds_[j] * vv[j];
      vnorm += vv[j] * vv[j];
      unorm += uv[j] * uv[j];
    }
    const T ui = 1 / std::sqrt(unorm), vi = 1 / std::sqrt(vnorm);
    for (int64_t j = 0; j < n; ++j) {
      uv[j] *= ui;
      vv[j] *= vi;
    }
  });

  // The survivors' columns times M's vectors, written back into the same columns. The children's columns
  // are zero outside their own block of rows (until a deflating rotation mixes two), so each block of rows
  // is one GEMM over only the columns that reach it: half the work of one dense product.
  multiply(rows, k, [&](int64_t j) { return ucol(lo, j); }, um_.data());
  multiply(cols, k + 1, [&](int64_t j) { return vcol(lo, j); }, vm_.data());

  for (int64_t j = 0; j < rows; ++j) d_[lo + j] = dv_[j] * scale;
  for (int64_t i = 0; i < n; ++i) d_[lo + survivors_[i]] = sigma_[i] * scale;
}

}  // namespace

template <class T>
int64_t bidiagonal_svd_dc(int64_t n, T* d, const T* e, T* u, int64_t ldu, T* v, int64_t ldv) {
  if (n <= 0) return 0;
  for (int64_t j = 0; j < n; ++j) {
    std::fill_n(u + j * ldu, n, T(0));
    std::fill_n(v + j * ldv, n, T(0));
  }
  // B splits where a superdiagonal entry is negligible beside B's largest entry (LAPACK's dbdsdc does the
  // same): each block is solved on its own, as if that entry were zero, which perturbs B by less than an
  // ulp of its norm. Merged whole instead, the tiny entries went through the merge's deflation, which puts
  // a z it finds negligible back at its tolerance, 8 ulps: a rank-one matrix's zero singular values came out
  // as 8 eps times the largest (numpy.linalg.pinv then inverted one), against 0.5 eps from LAPACK.
  T largest = 0;
  for (int64_t j = 0; j < n; ++j) largest = std::max(largest, std::abs(d[j]));
  for (int64_t j = 0; j + 1 < n; ++j) largest = std::max(largest, std::abs(e[j]));
  const T negligible = T(0.9) * std::numeric_limits<T>::epsilon() * largest;
  DivideAndConquer<T> solver(n, d, e, u, ldu, v, ldv);
  for (int64_t start = 0, end = 0; start < n; start = end) {
    end = start + 1;
    while (end < n && std::abs(e[end - 1]) >= negligible) ++end;
    const int64_t unconverged = solver.solve(start, end - start, end - start);
    if (unconverged > 0) return unconverged;
  }

  // Decreasing order, as LAPACK returns them.
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return d[a] > d[b]; });
  std::vector<T> values(n);
  // Column j <- column order[j], in place along the permutation's cycles: each column moves once, through
  // one column of scratch (not the whole matrix copied out and back).
  std::vector<T> held(n);
  std::vector<char> placed(n);
  auto permute_columns = [&](T* m, int64_t ld) {
    std::fill(placed.begin(), placed.end(), char{0});
    for (int64_t start = 0; start < n; ++start) {
      if (placed[start] || order[start] == start) continue;
      std::copy_n(m + start * ld, n, held.data());
      int64_t j = start;
      for (; order[j] != start; j = order[j]) {
        std::copy_n(m + order[j] * ld, n, m + j * ld);
        placed[j] = 1;
      }
      std::copy_n(held.data(), n, m + j * ld);
      placed[j] = 1;
    }
  };
  permute_columns(u, ldu);
  permute_columns(v, ldv);
  for (int64_t j = 0; j < n; ++j) values[j] = d[order[j]];
  std::copy(values.begin(), values.end(), d);
  return 0;
}

template int64_t bidiagonal_svd_dc<float>(int64_t, float*, const float*, float*, int64_t, float*, int64_t);
template int64_t bidiagonal_svd_dc<double>(int64_t, double*, const double*, double*, int64_t, double*, int64_t);

}  // namespace armory::lapack
