// Winograd F(2x2, 3x3) and F(4x4, 3x3) against a float64 direct convolution: odd heights and widths (tiles
// hanging over the edge), channel counts that leave a tail after the vector width, asymmetric padding,
// bias, ReLU and a residual, float32 and bf16, one chunk and many spread over threads; and every transform
// row this CPU runs giving the portable row's bits.
#include <armory/gemm.h>
#include <armory/isa.h>

#include "isa_level_test.h"
#include "nn/ops/winograd.h"
#include "nn/ops/winograd/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <random>
#include <vector>

namespace armory::nn {
namespace {

struct Problem {
  int64_t batch, cin, cout, in_h, in_w;
  int64_t pads[4];  // top, left, bottom, right
  bool bias, relu, residual;
  int64_t out_h() const { return in_h + pads[0] + pads[2] - 2; }
  int64_t out_w() const { return in_w + pads[1] + pads[3] - 2; }
};

float bf16_value(float x) { return bf16_to_float(float_to_bf16(x)); }

// Inputs as the GEMM path would see them: channels-last, rounded to bf16 where the input is bf16.
struct Data {
  std::vector<float> x, w, bias, residual;
};

Data make_data(const Problem& p, bool bf16_input, bool bf16_output, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Data d;
  d.x.resize(p.batch * p.in_h * p.in_w * p.cin);
  for (float& v : d.x) v = bf16_input ? bf16_value(dist(rng)) : dist(rng);
  d.w.resize(p.cout * p.cin * 9);
  for (float& v : d.w) v = dist(rng);
  if (p.bias) {
    d.bias.resize(p.cout);
    for (float& v : d.bias) v = dist(rng);
  }
  if (p.residual) {
    d.residual.resize(p.batch * p.out_h() * p.out_w() * p.cout);
    for (float& v : d.residual) v = bf16_output ? bf16_value(dist(rng)) : dist(rng);
  }
  return d;
}

// The direct convolution in float64, and for each output the sum of |x * w| over its window: the scale
// the rounding errors of any summation order are relative to.
void reference(const Problem& p, const Data& d, std::vector<double>& y, std::vector<double>& scale) {
  const int64_t oh = p.out_h(), ow = p.out_w();
  y.assign(p.batch * oh * ow * p.cout, 0.0);
  scale.assign(y.size(), 0.0);
  // The weights as [co][ky][kx][ci], so that the innermost loop reads both operands in order (the
  // reference is most of this test's time under qemu).
  std::vector<double> wt(d.w.size());
  for (int64_t co = 0; co < p.cout; ++co) {
    for (int64_t ci = 0; ci < p.cin; ++ci) {
      for (int64_t t = 0; t < 9; ++t) wt[(co * 9 + t) * p.cin + ci] = d.w[(co * p.cin + ci) * 9 + t];
    }
  }
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t oy = 0; oy < oh; ++oy) {
      for (int64_t ox = 0; ox < ow; ++ox) {
        for (int64_t co = 0; co < p.cout; ++co) {
          double sum = 0, abs_sum = 0;
          for (int64_t ky = 0; ky < 3; ++ky) {
            const int64_t iy = oy - p.pads[0] + ky;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int64_t kx = 0; kx < 3; ++kx) {
              const int64_t ix = ox - p.pads[1] + kx;
              if (ix < 0 || ix >= p.in_w) continue;
              const float* px = d.x.data() + ((b * p.in_h + iy) * p.in_w + ix) * p.cin;
              const double* tap = wt.data() + (co * 9 + ky * 3 + kx) * p.cin;
              for (int64_t ci = 0; ci < p.cin; ++ci) {
                const double prod = px[ci] * tap[ci];
                sum += prod;
                abs_sum += std::fabs(prod);
              }
            }
          }
          const int64_t at = ((b * oh + oy) * ow + ox) * p.cout + co;
          if (p.bias) sum += d.bias[co];
          if (p.residual) sum += d.residual[at];
          y[at] = p.relu && sum < 0 ? 0.0 : sum;
          scale[at] = abs_sum + 1e-3;
        }
      }
    }
  }
}

Tensor channels_last(const std::vector<float>& values, DType dtype, std::vector<int64_t> shape) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  if (values.empty()) return t;  // (an empty batch: no data pointer to copy from)
  if (dtype == DType::float32) {
    std::memcpy(t.mutable_data(), values.data(), values.size() * sizeof(float));
  } else {
    float_to_bf16(values.data(), static_cast<int64_t>(values.size()), t.mutable_data_as<bf16_t>());
  }
  return t;
}

std::vector<float> widened(const Tensor& t) {
  std::vector<float> out(t.size());
  for (int64_t i = 0; i < t.size(); ++i) {
    out[i] = t.dtype() == DType::float32 ? t.data_as<float>()[i] : bf16_to_float(t.data_as<bf16_t>()[i]);
  }
  return out;
}

// Error bounds relative to each output's sum |x * w|, 5-10x what the tests measure: float32 F(2x2, 3x3)
// rounds little more than a direct conv; F(4x4, 3x3)'s coefficients (up to 25 in B^T d B, 8 in A^T M A)
// cost it a decimal digit (up to 1e-6 measured); bf16 rounds V and U to 8 bits. A wrong sign in any
// transform misses them by orders of magnitude.
double tolerance(FpMath fpmath, int output_tile) {
  if (fpmath == FpMath::bf16) return 1e-2;
  return output_tile == 2 ? 5e-7 : 5e-6;
}

// Runs the problem with each output tile and checks every output against the float64 convolution, within
// the tolerance of its window's scale (plus half a bf16 step of the value when the output is bf16).
void check(const Problem& p, FpMath fpmath, DType x_type, DType y_type, uint32_t seed,
           std::initializer_list<int> output_tiles = {2}) {
  SCOPED_TRACE(testing::Message() << p.batch << "x" << p.cin << "x" << p.in_h << "x" << p.in_w << " -> " << p.cout
                                  << " pads " << p.pads[0] << p.pads[1] << p.pads[2] << p.pads[3]);
  const Data d = make_data(p, x_type == DType::bfloat16, y_type == DType::bfloat16, seed);
  std::vector<double> want, scale;
  reference(p, d, want, scale);
  for (int output_tile : output_tiles) {
    SCOPED_TRACE(testing::Message() << "F(" << output_tile << "x" << output_tile << ", 3x3)");
    auto weights = pack_winograd_weights(d.w.data(), p.cout, p.cin, fpmath, output_tile);
    ASSERT_TRUE(weights.ok()) << weights.status().message();
    Tensor x = channels_last(d.x, x_type, {p.batch, p.cin, p.in_h, p.in_w});
    std::vector<int64_t> y_shape = {p.batch, p.cout, p.out_h(), p.out_w()};
    Tensor y = p.residual ? channels_last(d.residual, y_type, y_shape) : Tensor::empty(y_type, y_shape);
    Arena arena;
    Status s = winograd_conv(arena, weights.value(), x, p.pads[0], p.pads[1], y, p.bias ? d.bias.data() : nullptr,
                             p.residual, p.relu);
    ASSERT_TRUE(s.ok()) << s.message();

    const std::vector<float> got = widened(y);
    ASSERT_EQ(got.size(), want.size());
    int bad = 0;
    for (size_t i = 0; i < got.size() && bad < 5; ++i) {
      double allowed = tolerance(fpmath, output_tile) * scale[i] +
                       (y_type == DType::bfloat16 ? std::fabs(want[i]) / 256 : 0.0);
      if (!(std::fabs(got[i] - want[i]) <= allowed)) {
        ADD_FAILURE() << "output " << i << ": got " << got[i] << ", want " << want[i] << " (allowed error " << allowed
                      << ")";
        ++bad;
      }
    }
  }
}

class Winograd : public IsaLevelTest {};

const Problem kSmall[] = {
    {2, 19, 21, 7, 9, {1, 1, 1, 1}, true, true, false},   // odd sizes, a channel tail
    {1, 16, 32, 6, 5, {0, 2, 1, 0}, false, false, true},  // asymmetric pads, residual
    {3, 33, 17, 3, 3, {0, 0, 0, 0}, true, false, true},   // one output pixel per image
    {1, 64, 48, 12, 11, {1, 1, 1, 1}, true, true, true},
};

TEST_F(Winograd, Float32MatchesTheDirectConvolution) {
  uint32_t seed = 1;
  for (const Problem& p : kSmall) check(p, FpMath::strict, DType::float32, DType::float32, seed++, {2, 4});
}

TEST_F(Winograd, Bf16MatchesTheDirectConvolutionToBf16Precision) {
  // V and U are rounded to bf16 (8 bits), each a sum of up to four inputs or nine weight fractions.
  uint32_t seed = 10;
  for (const Problem& p : kSmall) {
    check(p, FpMath::bf16, DType::bfloat16, DType::bfloat16, seed++);
    check(p, FpMath::bf16, DType::float32, DType::float32, seed++);
    check(p, FpMath::bf16, DType::bfloat16, DType::float32, seed++);
  }
}

TEST_F(Winograd, ManyChunksOverTwoThreadsMatchTheDirectConvolution) {
  const int threads = get_num_threads();
  ASSERT_TRUE(set_num_threads(2).ok());
  // 3 x 25 x 25 tiles of 2x2: several chunks per thread (fp32: 108 tiles each, bf16: 144), the last one
  // partial; 3 x 13 x 13 tiles of 4x4 in 48-tile chunks.
  const Problem p{3, 32, 40, 49, 50, {1, 1, 1, 1}, true, true, true};
  check(p, FpMath::strict, DType::float32, DType::float32, 21, {2, 4});
  check(p, FpMath::bf16, DType::bfloat16, DType::bfloat16, 22);
  ASSERT_TRUE(set_num_threads(threads).ok());
}

TEST_F(Winograd, AnEmptyBatchWritesNothing) {
  const Problem p{0, 16, 16, 5, 5, {1, 1, 1, 1}, true, true, false};
  check(p, FpMath::strict, DType::float32, DType::float32, 31, {2, 4});
  check(p, FpMath::bf16, DType::bfloat16, DType::bfloat16, 32);
}

TEST_F(Winograd, InputNotMatchingTheWeightsIsAnError) {
  std::vector<float> w(16 * 16 * 9, 0.5f);
  auto weights = pack_winograd_weights(w.data(), 16, 16, FpMath::strict, 2);
  ASSERT_TRUE(weights.ok());
  Tensor x = Tensor::empty(DType::float32, {1, 8, 4, 4});
  Tensor y = Tensor::empty(DType::float32, {1, 16, 4, 4});
  Arena arena;
  Status s = winograd_conv(arena, weights.value(), x, 1, 1, y, nullptr, false, false);
  EXPECT_FALSE(s.ok());
  Tensor half = Tensor::empty(DType::bfloat16, {1, 16, 4, 4});
  s = winograd_conv(arena, weights.value(), half, 1, 1, y, nullptr, false, false);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bf16"), std::string::npos) << s.message();
}

TEST_F(Winograd, F4x4IsFloat32Only) {
  std::vector<float> w(16 * 16 * 9, 0.5f);
  auto bf16 = pack_winograd_weights(w.data(), 16, 16, FpMath::bf16, 4);
  ASSERT_FALSE(bf16.ok());
  EXPECT_NE(bf16.status().message().find("float32"), std::string::npos) << bf16.status().message();
  EXPECT_FALSE(pack_winograd_weights(w.data(), 16, 16, FpMath::strict, 3).ok());
  auto weights = pack_winograd_weights(w.data(), 16, 16, FpMath::strict, 4);
  ASSERT_TRUE(weights.ok()) << weights.status().message();
  EXPECT_EQ(weights.value().elements(), 36);
  Tensor x = Tensor::empty(DType::float32, {1, 16, 6, 6});
  Tensor y = Tensor::empty(DType::bfloat16, {1, 16, 6, 6});
  Arena arena;
  Status s = winograd_conv(arena, weights.value(), x, 1, 1, y, nullptr, false, false);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("float32"), std::string::npos) << s.message();
}

// Every row this process may run against the portable row, on 3 tiles of 37 channels (a tail for every
// width), special values included, both tile sizes: the same bits.
TEST_F(Winograd, EveryRunnableTransformRowGivesThePortableBits) {
  const auto& policy = host_isa_policy();
  ASSERT_TRUE(policy.ok());
  const int64_t tiles = 3, channels = 37, stride = tiles * channels + 5;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  std::vector<float> pixels_f32(36 * tiles * channels);  // enough for 6x6 tiles; 4x4 ones read the first
  for (float& v : pixels_f32) v = dist(rng);
  pixels_f32[3] = NAN;
  pixels_f32[40] = INFINITY;
  pixels_f32[77] = 1e-40f;  // subnormal
  std::vector<bf16_t> pixels_bf16(pixels_f32.size());
  float_to_bf16(pixels_f32.data(), static_cast<int64_t>(pixels_f32.size()), pixels_bf16.data());
  std::vector<const float*> in_f32;
  std::vector<const bf16_t*> in_bf16;
  for (int64_t i = 0; i < 36 * tiles; ++i) {
    in_f32.push_back(pixels_f32.data() + i * channels);
    in_bf16.push_back(pixels_bf16.data() + i * channels);
  }
  std::vector<float> products(36 * stride);
  for (float& v : products) v = dist(rng);
  std::vector<float> bias(channels);
  for (float& v : bias) v = dist(rng);

  struct Outputs {
    std::vector<float> v_f32, y_f32, v_f43, y_f43;
    std::vector<bf16_t> v_from_f32, v_from_bf16, y_bf16;
  };
  // Output pixels, m x m per tile: the last tile's right column is beyond the edge (null).
  auto output_pixels = [&](auto* base, int m) {
    std::vector<decltype(base)> pixels;
    for (int64_t i = 0; i < m * m * tiles; ++i) {
      const bool beyond = i >= m * m * (tiles - 1) && i % m == m - 1;
      pixels.push_back(beyond ? nullptr : base + i * channels);
    }
    return pixels;
  };
  auto run = [&](const winograd::Transforms& t) {
    Outputs o;
    o.v_f32.assign(16 * stride, 0.0f);
    o.v_from_f32.assign(16 * stride, 0);
    o.v_from_bf16.assign(16 * stride, 0);
    t.input_f32(in_f32.data(), tiles, channels, o.v_f32.data(), stride);
    t.input_f32_to_bf16(in_f32.data(), tiles, channels, o.v_from_f32.data(), stride);
    t.input_bf16(in_bf16.data(), tiles, channels, o.v_from_bf16.data(), stride);
    o.y_f32.assign(4 * tiles * channels, 1.0f);
    o.y_bf16.assign(4 * tiles * channels, 0x3f80);
    t.output_f32(products.data(), stride, tiles, channels, bias.data(), true, true,
                 output_pixels(o.y_f32.data(), 2).data());
    t.output_bf16(products.data(), stride, tiles, channels, bias.data(), false, true,
                  output_pixels(o.y_bf16.data(), 2).data());
    o.v_f43.assign(36 * stride, 0.0f);
    t.input_f32_f43(in_f32.data(), tiles, channels, o.v_f43.data(), stride);
    o.y_f43.assign(16 * tiles * channels, 1.0f);
    t.output_f32_f43(products.data(), stride, tiles, channels, bias.data(), true, true,
                     output_pixels(o.y_f43.data(), 4).data());
    return o;
  };
  const auto rows = winograd::transform_rows();
  const Outputs want = run(rows.back().transforms());
  int checked = 0;
  for (const auto& row : rows) {
    if (!rejection_reason(row.id, host_cpu(), policy.value()).empty()) continue;
    SCOPED_TRACE(std::string(row.id.name));
    const Outputs got = run(row.transforms());
    EXPECT_EQ(0, std::memcmp(got.v_f32.data(), want.v_f32.data(), want.v_f32.size() * sizeof(float)));
    EXPECT_EQ(got.v_from_f32, want.v_from_f32);
    EXPECT_EQ(got.v_from_bf16, want.v_from_bf16);
    EXPECT_EQ(0, std::memcmp(got.y_f32.data(), want.y_f32.data(), want.y_f32.size() * sizeof(float)));
    EXPECT_EQ(got.y_bf16, want.y_bf16);
    EXPECT_EQ(0, std::memcmp(got.v_f43.data(), want.v_f43.data(), want.v_f43.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(got.y_f43.data(), want.y_f43.data(), want.y_f43.size() * sizeof(float)));
    ++checked;
  }
  EXPECT_GE(checked, 1);
  // The portable row against its definition at one point: V(0,0) = d00 - d02 - d20 + d22 for tile 0.
  const float* d = pixels_f32.data();
  const int64_t c = 5;
  const float expected = (d[0 * channels + c] - d[8 * channels + c]) - (d[2 * channels + c] - d[10 * channels + c]);
  EXPECT_EQ(want.v_f32[c], expected);
  // And F(4x4, 3x3)'s V(0,0) = sum over k, l of b_k b_l d_kl with B^T's first row b = (4, 0, -5, 0, 1, 0),
  // to rounding (the transform adds in another order).
  const double b[6] = {4, 0, -5, 0, 1, 0};
  double v00 = 0;
  for (int k = 0; k < 6; ++k) {
    for (int l = 0; l < 6; ++l) v00 += b[k] * b[l] * d[(6 * k + l) * channels + c];
  }
  EXPECT_NEAR(want.v_f43[c], v00, 1e-4 * (1 + std::fabs(v00)));
}

}  // namespace
}  // namespace armory::nn
