// The depthwise convolution rows against a float64 reference (kernels 3x3 and 5x3, strides 1 and 2,
// dilation, asymmetric padding, bias, ReLU, an upper bound and a residual; channel counts that leave every vector width
// a tail), and every row this CPU runs giving the portable row's bits.
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
  float upper;  // infinity: none
  int64_t out_h() const { return (in_h + pad_top + pad_bottom - dilation * (kh - 1) - 1) / stride + 1; }
  int64_t out_w() const { return (in_w + pad_left + pad_right - dilation * (kw - 1) - 1) / stride + 1; }
};

const Shape kShapes[] = {
    {2, 37, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, true, true, false},  // a tail after every width
    {1, 80, 8, 7, 3, 3, 2, 1, 1, 1, 0, 1, true, false, true},   // stride 2, 4 + 1 vectors of 16
    {1, 7, 6, 9, 5, 3, 1, 2, 2, 0, 3, 2, false, true, true},    // 5x3, dilation 2, channels < any width
    {3, 48, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, true, true, false},   // no padding: 3 x 3 outputs
};

struct Case {
  std::vector<float> x, w, bias, y;
  depthwise::Problem problem;
};

Case make_case(const Shape& s, uint32_t seed) {
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
  c.problem = {.x = c.x.data(),
               .w = c.w.data(),
               .bias = s.bias ? c.bias.data() : nullptr,
               .y = c.y.data(),
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
               .upper = s.upper};
  return c;
}

void run(const depthwise::Row& row, Case& c) {
  const depthwise::Problem& p = c.problem;
  row.lines()(p, 0, p.batch * p.out_h);
}

class Depthwise : public IsaLevelTest {};

TEST_F(Depthwise, MatchesAFloat64Reference) {
  uint32_t seed = 1;
  for (const Shape& s : kShapes) {
    Case c = make_case(s, seed++);
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
            for (int64_t ky = 0; ky < s.kh; ++ky) {
              for (int64_t kx = 0; kx < s.kw; ++kx) {
                const int64_t iy = oy * s.stride - s.pad_top + ky * s.dilation;
                const int64_t ix = ox * s.stride - s.pad_left + kx * s.dilation;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
                const double term = double(c.x[((b * s.in_h + iy) * s.in_w + ix) * s.channels + ch]) *
                                    c.w[(ky * s.kw + kx) * s.channels + ch];
                want += term;
                scale += std::fabs(term);
              }
            }
            if (s.relu) want = want > 0 ? want : 0;
            if (want > s.upper) want = s.upper;
            if (!(std::fabs(c.y[at] - want) <= 1e-6 * (scale + 1e-30)) && bad++ < 5) {
              ADD_FAILURE() << "shape " << seed - 1 << " output " << at << ": got " << c.y[at] << ", want " << want;
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
    Case want = make_case(s, seed);
    want.x[5] = NAN;
    want.x[9] = INFINITY;
    want.x[11] = 1e-40f;  // subnormal
    run(rows.back(), want);
    for (const depthwise::Row& row : rows.first(rows.size() - 1)) {
      if (!rejection_reason(row.id, host_cpu(), policy.value()).empty()) continue;
      Case got = make_case(s, seed);
      got.x = want.x;
      run(row, got);
      EXPECT_EQ(std::memcmp(got.y.data(), want.y.data(), got.y.size() * sizeof(float)), 0)
          << row.id.name << ", shape seed " << seed;
    }
    ++seed;
  }
}

}  // namespace
}  // namespace armory::nn
