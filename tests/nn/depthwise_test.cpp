// The depthwise convolution rows against a float64 reference and the float32 sum in the order kernels.h specifies
// (kernels 3x3 and 5x3, strides 1 and 2, dilation, asymmetric padding, bias, ReLU, an upper bound and a residual;
// channel counts that leave every vector width a tail; lines long enough for the 3 x 3 windows inside the input
// to go several pixels at a time), and every row this CPU runs giving the portable row's bits.
#include <armory/gemm.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "isa_level_test.h"
#include "nn/ops/depthwise/kernels.h"

namespace armory::nn {
namespace {

struct Shape {
  int64_t batch, channels, in_h, in_w, kh, kw, stride, dilation, pad_top, pad_left, pad_bottom, pad_right;
  bool bias, relu, accumulate;
  float upper = std::numeric_limits<float>::infinity();  // none
  int64_t out_h() const { return (in_h + pad_top + pad_bottom - dilation * (kh - 1) - 1) / stride + 1; }
  int64_t out_w() const { return (in_w + pad_left + pad_right - dilation * (kw - 1) - 1) / stride + 1; }
};

const Shape kShapes[] = {
    {2, 37, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, true, true, false, 0.5f},  // a tail after every width
    {1, 80, 8, 7, 3, 3, 2, 1, 1, 1, 0, 1, true, false, true},         // stride 2, 4 + 1 vectors of 16
    {1, 7, 6, 9, 5, 3, 1, 2, 2, 0, 3, 2, false, true, true},          // 5x3, dilation 2, channels < any width
    {3, 48, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, true, true, false},         // no padding: 3 x 3 outputs
    // Stride 1, 3 x 3 windows inside the input along lines of 22: 8, 4 and single pixels at a time (lines.h's
    // inside_3x3), with a channel tail at every width, a residual, a bound and no bias; the same without
    // padding; then longer lines at stride 2, which go pixel by pixel.
    {2, 40, 6, 24, 3, 3, 1, 1, 1, 1, 1, 1, false, true, true, 6.0f},
    {1, 16, 4, 30, 3, 3, 1, 1, 0, 0, 0, 0, true, true, false, 0.25f},
    {1, 36, 7, 40, 3, 3, 2, 1, 1, 1, 1, 1, true, false, false},
};

// x and y as float32, or as bf16 (BF16 fast math's activations): then x holds the bf16 values widened, for
// the reference, and y16 the output.
struct Case {
  std::vector<float> x, w, bias, y;
  std::vector<bf16_t> x16, y16;
  depthwise::Problem problem;

  // Output element i as a float, whichever type y is.
  float out(size_t i) const { return problem.y_bf16 ? bf16_to_float(y16[i]) : y[i]; }
};

Case make_case(const Shape& s, uint32_t seed, bool x_bf16 = false, bool y_bf16 = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Case c;
  c.x.resize(s.batch * s.in_h * s.in_w * s.channels);
  for (float& v : c.x) v = dist(rng);
  c.w.resize(s.kh * s.kw * s.channels);
  for (float& v : c.w) v = dist(rng);
  if (s.bias) {
    c.bias.resize(s.channels);
    for (float& v : c.bias) v = dist(rng);
  }
  c.y.resize(s.batch * s.out_h() * s.out_w() * s.channels);
  for (float& v : c.y) v = s.accumulate ? dist(rng) : NAN;  // NaN: must be overwritten, never read
  if (x_bf16) {
    for (float& v : c.x) c.x16.push_back(float_to_bf16(v));
    for (size_t i = 0; i < c.x.size(); ++i) c.x[i] = bf16_to_float(c.x16[i]);
  }
  if (y_bf16) {
    for (float& v : c.y) c.y16.push_back(float_to_bf16(v));
    for (size_t i = 0; i < c.y.size(); ++i) c.y[i] = bf16_to_float(c.y16[i]);
  }
  c.problem = {.x = x_bf16 ? static_cast<const void*>(c.x16.data()) : c.x.data(),
               .w = c.w.data(),
               .bias = s.bias ? c.bias.data() : nullptr,
               .y = y_bf16 ? static_cast<void*>(c.y16.data()) : c.y.data(),
               .batch = s.batch,
               .channels = s.channels,
               .in_h = s.in_h,
               .in_w = s.in_w,
               .out_h = s.out_h(),
               .out_w = s.out_w(),
               .kh = s.kh,
               .kw = s.kw,
               .stride_h = s.stride,
               .stride_w = s.stride,
               .dilation_h = s.dilation,
               .dilation_w = s.dilation,
               .pad_top = s.pad_top,
               .pad_left = s.pad_left,
               .accumulate = s.accumulate,
               .relu = s.relu,
               .upper = s.upper,
               .x_bf16 = x_bf16,
               .y_bf16 = y_bf16};
  return c;
}

// Out of line, so that the compiler cannot fuse it with the addition that follows (the kernels never do).
[[gnu::noinline]] float unfused_product(float a, float b) { return a * b; }

void run(const depthwise::Row& row, Case& c) {
  const depthwise::Problem& p = c.problem;
  row.lines()(p, 0, p.batch * p.out_h);
}

class Depthwise : public IsaLevelTest {};

TEST_F(Depthwise, MatchesAFloat64Reference) {
  uint32_t seed = 1;
  for (const Shape& s : kShapes) {
    for (auto [x_bf16, y_bf16] : {std::pair{false, false}, std::pair{true, true}, std::pair{true, false}}) {
      Case c = make_case(s, seed++, x_bf16, y_bf16);
      const std::vector<float> residual = c.y;
      run(depthwise::selected_row(), c);
      const depthwise::Problem& p = c.problem;
      int bad = 0;
      for (int64_t b = 0; b < s.batch; ++b) {
        for (int64_t oy = 0; oy < p.out_h; ++oy) {
          for (int64_t ox = 0; ox < p.out_w; ++ox) {
            for (int64_t ch = 0; ch < s.channels; ++ch) {
              const int64_t at = ((b * p.out_h + oy) * p.out_w + ox) * s.channels + ch;
              double want = (s.accumulate ? residual[at] : 0.0) + (s.bias ? c.bias[ch] : 0.0), scale = std::fabs(want);
              // The sum kernels.h specifies, in float32: init + bias, then the taps in order, multiply then add.
              float sum = (s.accumulate ? residual[at] : 0.0f) + (s.bias ? c.bias[ch] : 0.0f);
              for (int64_t ky = 0; ky < s.kh; ++ky) {
                for (int64_t kx = 0; kx < s.kw; ++kx) {
                  const int64_t iy = oy * s.stride - s.pad_top + ky * s.dilation;
                  const int64_t ix = ox * s.stride - s.pad_left + kx * s.dilation;
                  if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
                  const float xv = c.x[((b * s.in_h + iy) * s.in_w + ix) * s.channels + ch];
                  const float wv = c.w[(ky * s.kw + kx) * s.channels + ch];
                  const double term = double(xv) * wv;
                  want += term;
                  scale += std::fabs(term);
                  sum = sum + unfused_product(xv, wv);
                }
              }
              if (s.relu) want = want > 0 ? want : 0;
              if (want > s.upper) want = s.upper;
              if (s.relu) sum = sum > 0.0f ? sum : 0.0f;
              if (sum > s.upper) sum = s.upper;
              if (y_bf16) sum = bf16_to_float(float_to_bf16(sum));
              // A bf16 output is the float32 sum rounded once: half a unit in bf16's last place more.
              const double allowed = 1e-6 * (scale + 1e-30) + (y_bf16 ? std::fabs(want) / 256 : 0.0);
              if (!(std::fabs(c.out(at) - want) <= allowed) && bad++ < 5) {
                ADD_FAILURE() << "seed " << seed - 1 << " output " << at << ": got " << c.out(at) << ", want " << want;
              }
              if (!(c.out(at) == sum) && bad++ < 5) {
                ADD_FAILURE() << "seed " << seed - 1 << " output " << at << ": got " << c.out(at)
                              << ", not the float32 sum in the specified order " << sum;
              }
            }
          }
        }
      }
    }
  }
}

TEST_F(Depthwise, EveryRunnableRowGivesThePortableBits) {
  const auto& policy = host_isa_policy();
  ASSERT_TRUE(policy.ok());
  const auto rows = depthwise::rows();
  uint32_t seed = 20;
  for (const Shape& s : kShapes) {
    for (auto [x_bf16, y_bf16] : {std::pair{false, false}, std::pair{true, true}, std::pair{false, true}}) {
      auto special = [&](Case& c) {
        c.x[5] = NAN;
        c.x[9] = INFINITY;
        c.x[11] = 1e-40f;  // subnormal (as float32)
        if (x_bf16) {
          c.x16[5] = 0x7fc1;   // NaN
          c.x16[9] = 0x7f80;   // Inf
          c.x16[11] = 0x0001;  // subnormal
        }
      };
      Case want = make_case(s, seed, x_bf16, y_bf16);
      special(want);
      run(rows.back(), want);
      for (const depthwise::Row& row : rows.first(rows.size() - 1)) {
        if (!rejection_reason(row.id, host_cpu(), policy.value()).empty()) continue;
        Case got = make_case(s, seed, x_bf16, y_bf16);
        special(got);
        run(row, got);
        // Bit for bit (NaN outputs included, which == on floats would call different).
        EXPECT_EQ(std::memcmp(got.y.data(), want.y.data(), got.y.size() * sizeof(float)), 0)
            << row.id.name << ", seed " << seed;
        EXPECT_EQ(got.y16, want.y16) << row.id.name << ", seed " << seed;
      }
      ++seed;
    }
  }
}

}  // namespace
}  // namespace armory::nn
