// Integer rounding shared by the GEMM engine and the BLAS around it.
#pragma once

#include <cstdint>

namespace armory {

inline int64_t round_up(int64_t x, int64_t multiple) { return (x + multiple - 1) / multiple * multiple; }
// x / y rounded up, x >= 0, y > 0. Without a division when x <= y: a 64-bit idiv takes tens of cycles and
// a tiny product's call made several (a third of run_unpacked_b's time at 7 x 7).
inline int64_t ceil_div(int64_t x, int64_t y) { return x <= y ? int64_t{x > 0} : (x + y - 1) / y; }

}  // namespace armory
