// The slow, obviously-right GEMM the fast paths are compared with: double accumulation, plus the sum of
// |products| that scales the tolerance.
#pragma once

#include <armory/gemm.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace armory::testing {

template <class T>
T element(Layout layout, const T* x, int64_t ld, bool trans, int64_t r, int64_t c) {
  // op(X)[r][c] for X stored in `layout`.
  bool row_major = layout == Layout::row_major;
  int64_t sr = trans ? c : r, sc = trans ? r : c;  // stored row/column
  return row_major ? x[sr * ld + sc] : x[sc * ld + sr];
}

struct Reference {
  std::vector<double> value;  // alpha * op(A) op(B) + beta * C0
  std::vector<double> scale;  // |alpha| * sum |a b| + |beta * C0|: what the rounding error is relative to
};

// round_to_bf16: inputs rounded as BF16 fast math does before the products.
template <class T>
Reference reference_gemm(Layout layout, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, double alpha,
                         const T* a, int64_t lda, const T* b, int64_t ldb, double beta, const T* c0, int64_t ldc,
                         bool round_to_bf16 = false) {
  Reference ref;
  ref.value.assign(static_cast<size_t>(m * n), 0.0);
  ref.scale.assign(static_cast<size_t>(m * n), 0.0);
  auto input = [&](T x) -> double {
    if (!round_to_bf16) return static_cast<double>(x);
    return bf16_to_float(float_to_bf16(static_cast<float>(x)));
  };
  // op(A) by rows and op(B) by columns, converted once: the sums below run over contiguous doubles (under
  // emulation the per-product layout lookups and BF16 rounding cost more than the products).
  std::vector<double> a_rows(static_cast<size_t>(m * k)), b_columns(static_cast<size_t>(n * k));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t p = 0; p < k; ++p)
      a_rows[static_cast<size_t>(i * k + p)] = input(element(layout, a, lda, ta == Trans::yes, i, p));
  }
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t p = 0; p < k; ++p)
      b_columns[static_cast<size_t>(j * k + p)] = input(element(layout, b, ldb, tb == Trans::yes, p, j));
  }
  for (int64_t i = 0; i < m; ++i) {
    const double* a_row = a_rows.data() + i * k;
    for (int64_t j = 0; j < n; ++j) {
      const double* b_column = b_columns.data() + j * k;
      double sum = 0, abs_sum = 0;
      if (alpha != 0) {
        for (int64_t p = 0; p < k; ++p) {
          double prod = a_row[p] * b_column[p];
          sum += prod;
          abs_sum += std::fabs(prod);
        }
      }
      double prior = beta == 0 ? 0.0 : beta * static_cast<double>(element(layout, c0, ldc, false, i, j));
      ref.value[static_cast<size_t>(i * n + j)] = alpha * sum + prior;
      ref.scale[static_cast<size_t>(i * n + j)] = std::fabs(alpha) * abs_sum + std::fabs(prior);
    }
  }
  return ref;
}

template <class T>
std::vector<T> random_matrix(size_t count, std::mt19937& rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> out(count);
  for (auto& x : out) x = static_cast<T>(dist(rng));
  return out;
}

}  // namespace armory::testing
