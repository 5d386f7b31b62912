// Channels-last conversion: the bfloat16 form (under BF16 fast math a plain float32 input is rounded as it
// is transposed, a block of pixels at a time) must hold exactly the rounded float32 form, also across the
// block boundaries and when a single pixel has more channels than a block.
#include "nn/kernel.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace armory::nn {
namespace {

TEST(ChannelsLast, Bf16IsTheRoundedFloat32Transpose) {
  for (std::vector<int64_t> shape : {std::vector<int64_t>{2, 3, 50, 100}, {1, 4097, 1, 3}, {3, 1, 7, 7}}) {
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    std::vector<float> values(static_cast<size_t>(count));
    std::mt19937 rng(11);
    std::normal_distribution<float> dist;
    for (float& v : values) v = dist(rng);
    Tensor nchw = Tensor::borrow(DType::float32, shape, values.data());
    Arena arena;
    Tensor wide = to_nhwc(arena, nchw);
    Tensor half = to_nhwc(arena, nchw, DType::bfloat16);
    ASSERT_EQ(half.dtype(), DType::bfloat16);
    ASSERT_EQ(half.shape(), shape);
    const int64_t channels = shape[1], pixels = shape[2] * shape[3];
    int64_t mismatches = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (half.data_as<bf16_t>()[i] != float_to_bf16(wide.data_as<float>()[i])) ++mismatches;
    }
    EXPECT_EQ(mismatches, 0) << shape_string(shape);
    // And the float32 form is the transpose: element (b, c, p) at (b, p, c).
    const int64_t b = shape[0] - 1, c = channels - 1, p = pixels / 2;
    EXPECT_EQ(wide.data_as<float>()[(b * pixels + p) * channels + c], values[(b * channels + c) * pixels + p]);
  }
}

}  // namespace
}  // namespace armory::nn
