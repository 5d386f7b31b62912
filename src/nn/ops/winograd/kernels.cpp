#include "nn/ops/winograd/kernels.h"

#include <array>

namespace armory::nn::winograd {

namespace {

#if defined(__aarch64__)
constexpr bool kArm = true;
constexpr auto kNeonBf16 = &transforms__neonbf16;
#else
constexpr bool kArm = false;
constexpr Transforms (*kNeonBf16)() = nullptr;
#endif

#if defined(__x86_64__)
constexpr bool kX86 = true;
constexpr auto kAvx512Bf16 = &transforms__avx512bf16;
constexpr auto kAvx512 = &transforms__avx512;
constexpr auto kAvx2 = &transforms__avx2;
#else
constexpr bool kX86 = false;
constexpr Transforms (*kAvx512Bf16)() = nullptr;
constexpr Transforms (*kAvx512)() = nullptr;
constexpr Transforms (*kAvx2)() = nullptr;
#endif

constexpr std::array<TransformRow, 5> kRows = {{
    {{"winograd__neonbf16", IsaLevel::neon_bf16, kArm}, kNeonBf16},
    {{"winograd__avx512bf16", IsaLevel::avx512_bf16, kX86}, kAvx512Bf16},
    {{"winograd__avx512", IsaLevel::avx512, kX86}, kAvx512},
    {{"winograd__avx2", IsaLevel::avx2, kX86}, kAvx2},
    {{"winograd__scalar", IsaLevel::scalar, true}, &transforms__scalar},
}};

}  // namespace

std::span<const TransformRow> transform_rows() { return kRows; }

const TransformRow& selected_transform_row() {
  static const TransformRow& row = select_kernel_or_portable<TransformRow>(kRows, "winograd");
  return row;
}

}  // namespace armory::nn::winograd
