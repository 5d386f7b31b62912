// Argument checking shared by the Fortran and CBLAS entry points. Each validate_* function checks its
// arguments exactly as reference BLAS 3.11 does, in the same order, and returns the (Fortran) position of
// the first bad one, or 0. Each checked_* function validates, calls fail(position) on a bad argument and
// otherwise runs the operation. The CBLAS layer validates the column-major call it makes, so both ABIs
// report the argument numbers the netlib testers expect.
#pragma once

#include "level1.h"
#include "level2.h"
#include "level3.h"

#include <algorithm>
#include <optional>

namespace armory::blas {

// Fortran option characters, case-insensitive. Real types accept 'C' as 'T' (A^H = A^T).
template <class T>
std::optional<Op> parse_op(char c) {
  switch (c) {
    case 'N': case 'n': return Op::none;
    case 'T': case 't': return Op::trans;
    case 'C': case 'c': return is_complex<T> ? Op::conj_trans : Op::trans;
    default: return std::nullopt;
  }
}
inline std::optional<Uplo> parse_uplo(char c) {
  if (c == 'U' || c == 'u') return Uplo::upper;
  if (c == 'L' || c == 'l') return Uplo::lower;
  return std::nullopt;
}
inline std::optional<Diag> parse_diag(char c) {
  if (c == 'N' || c == 'n') return Diag::non_unit;
  if (c == 'U' || c == 'u') return Diag::unit;
  return std::nullopt;
}
inline std::optional<Side> parse_side(char c) {
  if (c == 'L' || c == 'l') return Side::left;
  if (c == 'R' || c == 'r') return Side::right;
  return std::nullopt;
}

inline index_t at_least_one(index_t x) { return std::max<index_t>(1, x); }

// ---- level 2 -------------------------------------------------------------------------------------------

inline int validate_gemv(std::optional<Op> op, index_t m, index_t n, index_t lda, index_t incx, index_t incy) {
  if (!op) return 1;
  if (m < 0) return 2;
  if (n < 0) return 3;
  if (lda < at_least_one(m)) return 6;
  if (incx == 0) return 8;
  if (incy == 0) return 11;
  return 0;
}

inline int validate_gbmv(std::optional<Op> op, index_t m, index_t n, index_t kl, index_t ku, index_t lda,
                         index_t incx, index_t incy) {
  if (!op) return 1;
  if (m < 0) return 2;
  if (n < 0) return 3;
  if (kl < 0) return 4;
  if (ku < 0) return 5;
  if (lda < kl + ku + 1) return 8;
  if (incx == 0) return 10;
  if (incy == 0) return 13;
  return 0;
}

// The symmetric / Hermitian matrix-vector forms: dense (symv/hemv), band (sbmv/hbmv), packed (spmv/hpmv).
enum class StorageForm { dense, band, packed };

inline int validate_symmetric_matvec(StorageForm form, std::optional<Uplo> uplo, index_t n, index_t k, index_t lda,
                                     index_t incx, index_t incy) {
  if (!uplo) return 1;
  if (n < 0) return 2;
  switch (form) {
    case StorageForm::dense:
      if (lda < at_least_one(n)) return 5;
      if (incx == 0) return 7;
      if (incy == 0) return 10;
      return 0;
    case StorageForm::band:
      if (k < 0) return 3;
      if (lda < k + 1) return 6;
      if (incx == 0) return 8;
      if (incy == 0) return 11;
      return 0;
    case StorageForm::packed:
      if (incx == 0) return 6;
      if (incy == 0) return 9;
      return 0;
  }
  return 0;
}

// symv, sbmv, spmv and their Hermitian twins, once validated. `k` is the bandwidth (band form only).
template <class T>
void symmetric_matvec_form(StorageForm form, bool hermitian, Uplo uplo, index_t n, index_t k, T alpha, const T* a,
                           index_t lda, const T* x, index_t incx, T beta, T* y, index_t incy) {
  switch (form) {
    case StorageForm::dense:
      return symmetric_matvec(hermitian, uplo, n, n - 1, alpha, DenseStorage<const T>{a, lda}, x, incx, beta, y,
                              incy);
    case StorageForm::band:
      return symmetric_matvec(hermitian, uplo, n, k, alpha, TriangularBandStorage<const T>{a, lda, k, uplo}, x,
                              incx, beta, y, incy);
    case StorageForm::packed:
      return symmetric_matvec(hermitian, uplo, n, n - 1, alpha, PackedStorage<const T>{a, n, uplo}, x, incx, beta,
                              y, incy);
  }
}

inline int validate_triangular(StorageForm form, std::optional<Uplo> uplo, std::optional<Op> op,
                               std::optional<Diag> diag, index_t n, index_t k, index_t lda, index_t incx) {
  if (!uplo) return 1;
  if (!op) return 2;
  if (!diag) return 3;
  if (n < 0) return 4;
  switch (form) {
    case StorageForm::dense:
      if (lda < at_least_one(n)) return 6;
      if (incx == 0) return 8;
      return 0;
    case StorageForm::band:
      if (k < 0) return 5;
      if (lda < k + 1) return 7;
      if (incx == 0) return 9;
      return 0;
    case StorageForm::packed:
      if (incx == 0) return 7;
      return 0;
  }
  return 0;
}

// trmv / tbmv / tpmv (solve = false) and trsv / tbsv / tpsv (solve = true), once validated.
template <class T>
void triangular_form(StorageForm form, bool solve, Uplo uplo, Op op, Diag diag, index_t n, index_t k, const T* a,
                     index_t lda, T* x, index_t incx) {
  auto run = [&](const auto& storage, index_t bandwidth) {
    if (solve) {
      triangular_solve(uplo, op, diag, n, bandwidth, storage, x, incx);
    } else {
      triangular_matvec(uplo, op, diag, n, bandwidth, storage, x, incx);
    }
  };
  switch (form) {
    case StorageForm::dense: return run(DenseStorage<const T>{a, lda}, n - 1);
    case StorageForm::band: return run(TriangularBandStorage<const T>{a, lda, k, uplo}, k);
    case StorageForm::packed: return run(PackedStorage<const T>{a, n, uplo}, n - 1);
  }
}

inline int validate_ger(index_t m, index_t n, index_t incx, index_t incy, index_t lda) {
  if (m < 0) return 1;
  if (n < 0) return 2;
  if (incx == 0) return 5;
  if (incy == 0) return 7;
  if (lda < at_least_one(m)) return 9;
  return 0;
}

// syr / her / spr / hpr (rank 1) and syr2 / her2 / spr2 / hpr2 (rank 2; incy checked). Dense or packed.
inline int validate_rank_update(bool rank2, bool packed, std::optional<Uplo> uplo, index_t n, index_t incx,
                                index_t incy, index_t lda) {
  if (!uplo) return 1;
  if (n < 0) return 2;
  if (incx == 0) return 5;
  if (rank2 && incy == 0) return 7;
  if (!packed && lda < at_least_one(n)) return rank2 ? 9 : 7;
  return 0;
}

template <class T>
void rank1_form(bool packed, bool hermitian, Uplo uplo, index_t n, T alpha, const T* x, index_t incx, T* a,
                index_t lda) {
  if (packed) {
    symmetric_rank1(hermitian, uplo, n, alpha, x, incx, PackedStorage<T>{a, n, uplo});
  } else {
    symmetric_rank1(hermitian, uplo, n, alpha, x, incx, DenseStorage<T>{a, lda});
  }
}

template <class T>
void rank2_form(bool packed, bool hermitian, Uplo uplo, index_t n, T alpha, const T* x, index_t incx, const T* y,
                index_t incy, T* a, index_t lda) {
  if (packed) {
    symmetric_rank2(hermitian, uplo, n, alpha, x, incx, y, incy, PackedStorage<T>{a, n, uplo});
  } else {
    symmetric_rank2(hermitian, uplo, n, alpha, x, incx, y, incy, DenseStorage<T>{a, lda});
  }
}

// ---- level 3 -------------------------------------------------------------------------------------------

inline int validate_gemm(std::optional<Op> op_a, std::optional<Op> op_b, index_t m, index_t n, index_t k,
                         index_t lda, index_t ldb, index_t ldc) {
  if (!op_a) return 1;
  if (!op_b) return 2;
  if (m < 0) return 3;
  if (n < 0) return 4;
  if (k < 0) return 5;
  if (lda < at_least_one(*op_a == Op::none ? m : k)) return 8;
  if (ldb < at_least_one(*op_b == Op::none ? k : n)) return 10;
  if (ldc < at_least_one(m)) return 13;
  return 0;
}

inline int validate_symm(std::optional<Side> side, std::optional<Uplo> uplo, index_t m, index_t n, index_t lda,
                         index_t ldb, index_t ldc) {
  if (!side) return 1;
  if (!uplo) return 2;
  if (m < 0) return 3;
  if (n < 0) return 4;
  if (lda < at_least_one(*side == Side::left ? m : n)) return 7;
  if (ldb < at_least_one(m)) return 9;
  if (ldc < at_least_one(m)) return 12;
  return 0;
}

// Which transposes the rank-k updates accept: real syrk all three, complex syrk N and T, herk N and C.
template <class T>
bool rank_k_op_allowed(bool hermitian, Op op) {
  if (!is_complex<T>) return true;
  return op == Op::none || op == (hermitian ? Op::conj_trans : Op::trans);
}

// syrk / herk (rank2 = false) and syr2k / her2k (rank2 = true, ldb checked).
template <class T>
int validate_rank_k(bool rank2, bool hermitian, std::optional<Uplo> uplo, std::optional<Op> op, index_t n,
                    index_t k, index_t lda, index_t ldb, index_t ldc) {
  if (!uplo) return 1;
  if (!op || !rank_k_op_allowed<T>(hermitian, *op)) return 2;
  if (n < 0) return 3;
  if (k < 0) return 4;
  const index_t rows = *op == Op::none ? n : k;
  if (lda < at_least_one(rows)) return 7;
  if (rank2 && ldb < at_least_one(rows)) return 9;
  if (ldc < at_least_one(n)) return rank2 ? 12 : 10;
  return 0;
}

// trmm / trsm
inline int validate_triangular_mm(std::optional<Side> side, std::optional<Uplo> uplo, std::optional<Op> op,
                                  std::optional<Diag> diag, index_t m, index_t n, index_t lda, index_t ldb) {
  if (!side) return 1;
  if (!uplo) return 2;
  if (!op) return 3;
  if (!diag) return 4;
  if (m < 0) return 5;
  if (n < 0) return 6;
  if (lda < at_least_one(*side == Side::left ? m : n)) return 9;
  if (ldb < at_least_one(m)) return 11;
  return 0;
}

template <class T>
void triangular_mm(bool solve, Side side, Uplo uplo, Op op, Diag diag, index_t m, index_t n, T alpha, const T* a,
                   index_t lda, T* b, index_t ldb) {
  if (solve) {
    trsm(side, uplo, op, diag, m, n, alpha, a, lda, b, ldb);
  } else {
    trmm(side, uplo, op, diag, m, n, alpha, a, lda, b, ldb);
  }
}

}  // namespace armory::blas
