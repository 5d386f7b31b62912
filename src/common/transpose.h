// A copy that transposes a block, for packing and for the BLAS's row blocks.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace armory {

// dst[i * ld_dst + p] = src[p * ld_src + i] for i < rows, p < depth. float and double: squares of one 16-byte
// vector's lanes transposed in registers (portable vector extensions: SSE2 on x86, NEON on aarch64), the
// ragged edges one element at a time. Element by element, GEMM's copy of a transposed A was a quarter of
// dsyrk's time at n = 60 of depth 6000. Other types (complex) one element at a time throughout.
// The inner loop runs along the shorter side, so it touches few rows of the other: a trsm's 16 rows of 256
// columns went back to 256 columns of X 8 KB apart, all of them in each pass along the rows (dtrsm 1024 x
// 1024 9% slower than element by element, column by column).
template <class T>
void transpose_copy(const T* src, int64_t ld_src, int64_t rows, int64_t depth, T* dst, int64_t ld_dst) {
  if constexpr (!std::is_same_v<T, float> && !std::is_same_v<T, double>) {
    if (rows > depth) {
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t p = 0; p < depth; ++p) dst[i * ld_dst + p] = src[p * ld_src + i];
      }
    } else {
      for (int64_t p = 0; p < depth; ++p) {
        for (int64_t i = 0; i < rows; ++i) dst[i * ld_dst + p] = src[p * ld_src + i];
      }
    }
  } else {
    constexpr int64_t kLanes = 16 / sizeof(T);
    using Vector = std::conditional_t<std::is_same_v<T, float>, float __attribute__((vector_size(16))),
                                      double __attribute__((vector_size(16)))>;
    const int64_t full_rows = rows / kLanes * kLanes, full_depth = depth / kLanes * kLanes;
    auto square = [&](int64_t i, int64_t p) {
      Vector in[kLanes], out[kLanes];
      for (int64_t q = 0; q < kLanes; ++q) std::memcpy(&in[q], src + (p + q) * ld_src + i, sizeof(Vector));
      if constexpr (kLanes == 4) {
        const Vector low01 = __builtin_shufflevector(in[0], in[1], 0, 4, 1, 5);
        const Vector high01 = __builtin_shufflevector(in[0], in[1], 2, 6, 3, 7);
        const Vector low23 = __builtin_shufflevector(in[2], in[3], 0, 4, 1, 5);
        const Vector high23 = __builtin_shufflevector(in[2], in[3], 2, 6, 3, 7);
        out[0] = __builtin_shufflevector(low01, low23, 0, 1, 4, 5);
        out[1] = __builtin_shufflevector(low01, low23, 2, 3, 6, 7);
        out[2] = __builtin_shufflevector(high01, high23, 0, 1, 4, 5);
        out[3] = __builtin_shufflevector(high01, high23, 2, 3, 6, 7);
      } else {
        out[0] = __builtin_shufflevector(in[0], in[1], 0, 2);
        out[1] = __builtin_shufflevector(in[0], in[1], 1, 3);
      }
      for (int64_t r = 0; r < kLanes; ++r) std::memcpy(dst + (i + r) * ld_dst + p, &out[r], sizeof(Vector));
    };
    if (rows > depth) {
      for (int64_t i = 0; i < full_rows; i += kLanes) {
        for (int64_t p = 0; p < full_depth; p += kLanes) square(i, p);
      }
    } else {
      for (int64_t p = 0; p < full_depth; p += kLanes) {
        for (int64_t i = 0; i < full_rows; i += kLanes) square(i, p);
      }
    }
    for (int64_t i = full_rows; i < rows; ++i) {
      for (int64_t p = 0; p < full_depth; ++p) dst[i * ld_dst + p] = src[p * ld_src + i];
    }
    for (int64_t p = full_depth; p < depth; ++p) {
      for (int64_t i = 0; i < rows; ++i) dst[i * ld_dst + p] = src[p * ld_src + i];
    }
  }
}

}  // namespace armory
