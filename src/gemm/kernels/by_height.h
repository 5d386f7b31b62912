// Kernels instantiated once per tile height (so no row of A past the last is read and no work is spent on
// missing rows), picked for a run-time height from a table built at compile time. As a chain of tests,
// each height a call deeper, a 4 x 4 product went through four calls to reach its tile (a fifth of its
// 0.06 us cblas_sgemm).
#pragma once

#include <array>
#include <utility>

namespace armory::gemm_engine {

// Calls Heights::template run<rows>(args...), for 1 <= rows <= MaxRows. Heights is a struct whose static
// member template run<H> takes the same parameters for every H.
template <class Heights, int MaxRows, class... Args>
inline void run_for_height(int rows, Args&&... args) {
  static constexpr auto by_height = []<int... H>(std::integer_sequence<int, H...>) {
    return std::array{&Heights::template run<H + 1>...};
  }
  (std::make_integer_sequence<int, MaxRows>{});
  by_height[rows - 1](std::forward<Args>(args)...);
}

}  // namespace armory::gemm_engine
