#include "nn/ops/depthwise/kernels.h"

#include <array>

namespace armory::nn::depthwise {

namespace {

#if defined(__x86_64__)
constexpr bool kX86 = true;
constexpr auto kAvx512 = &lines__avx512;
constexpr auto kAvx2 = &lines__avx2;
#else
constexpr bool kX86 = false;
constexpr Lines (*kAvx512)() = nullptr;
constexpr Lines (*kAvx2)() = nullptr;
#endif

constexpr std::array<Row, 3> kRows = {{
    {{"depthwise__avx512", IsaLevel::avx512, kX86}, kAvx512},
    {{"depthwise__avx2", IsaLevel::avx2, kX86}, kAvx2},
    {{"depthwise__portable", IsaLevel::scalar, true}, &lines__portable},
}};

}  // namespace

std::span<const Row> rows() { return kRows; }

const Row& selected_row() {
  static const Row& row = select_kernel_or_portable<Row>(kRows, "depthwise");
  return row;
}

}  // namespace armory::nn::depthwise
