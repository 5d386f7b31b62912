// Two-stage bidiagonalization for singular values (no vectors): the dense matrix is reduced to an upper
// band by blocked QR and LQ steps whose updates are all GEMMs, then the band to bidiagonal by bulge
// chasing in a compact copy that stays in cache. The one-stage reduction (bidiagonal.h) has to read the
// whole trailing matrix twice per column with matrix-vector products; this one reads it once per panel.
// (Ideas from the two-stage reductions of PLASMA/MAGMA and LAPACK's dsytrd_2stage; no code from them.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace armory::lapack {

// Below this many columns the one-stage reduction is as fast.
constexpr int64_t kTwoStageMinColumns = 128;

// From this many sweeps the bulge chasing runs on the pool's threads.
constexpr int64_t kParallelChaseMinSweeps = 256;

// The band's width for a matrix of n columns: wide enough for efficient GEMMs in the first stage, narrow
// enough that the chase (about 6 n^2 b flops) stays small.
int64_t two_stage_bandwidth(int64_t n);

// The bidiagonal B with the singular values of the m x n column-major matrix A (m >= n, overwritten):
// d (n) and e (n - 1). The orthogonal factors are not kept.
template <class T>
void bidiagonalize_two_stage(int64_t m, int64_t n, T* a, int64_t lda, int64_t bandwidth, std::vector<T>& d,
                             std::vector<T>& e);

// Stage 2 alone: the upper band (bandwidth b) in `UpperBand` storage reduced to bidiagonal in place.
template <class T>
class UpperBand {
 public:
  UpperBand(int64_t n, int64_t bandwidth);
  int64_t size() const { return n_; }
  int64_t bandwidth() const { return b_; }
  // Element (r, c), for c - r in [-(b-1), 2b-1]: the band plus the room its bulges need while chased.
  T& at(int64_t r, int64_t c) { return data_[static_cast<size_t>(r - c + 2 * b_ - 1) + static_cast<size_t>(c) * ld_]; }
  // Reduces the band to bidiagonal (singular values unchanged) and returns its diagonal and superdiagonal.
  void reduce_to_bidiagonal(std::vector<T>& d, std::vector<T>& e);

 private:
  int64_t n_, b_, ld_;
  std::vector<T> data_;
};

}  // namespace armory::lapack
