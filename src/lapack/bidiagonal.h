// Reduction of a column-major m x n matrix (m >= n) to upper bidiagonal form B = Q^T A P, and the
// explicit Q and P, as LAPACK's dgebrd / dorgbr.
#pragma once

#include <cstdint>
#include <vector>

namespace armory::lapack {

template <class T>
struct Bidiagonal {
  std::vector<T> d, e;        // diagonal (n) and superdiagonal (n - 1)
  std::vector<T> tauq, taup;  // reflector scalars; the vectors stay in A below / right of the bidiagonal
};

// A is overwritten with the reflectors. Requires m >= n.
template <class T>
Bidiagonal<T> bidiagonalize(int64_t m, int64_t n, T* a, int64_t lda);

// The first `cols` columns of Q (m x cols, cols = n or m) from the reflectors in A.
template <class T>
void form_q(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, int64_t cols, T* q, int64_t ldq);

// Q's columns n..m-1 transposed ((m - n) x m, at c with ldc), for at most kTrailingQReflectors reflectors
// (one block): the rows of a wide matrix's full V^T past its first n, written without forming Q and
// transposing it.
inline constexpr int64_t kTrailingQReflectors = 64;
template <class T>
void form_trailing_q_transposed(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, T* c,
                                int64_t ldc);

// P (n x n) from the reflectors in A.
template <class T>
void form_p(int64_t n, const T* a, int64_t lda, const std::vector<T>& taup, T* p, int64_t ldp);

// C <- Q C (C m x cols) and C <- P C (C n x n), in place, without forming Q or P (LAPACK's dormbr).
template <class T>
void multiply_q(int64_t m, int64_t n, const T* a, int64_t lda, const std::vector<T>& tauq, int64_t cols, T* c,
                int64_t ldc);
template <class T>
void multiply_p(int64_t n, const T* a, int64_t lda, const std::vector<T>& taup, T* c, int64_t ldc);

}  // namespace armory::lapack
