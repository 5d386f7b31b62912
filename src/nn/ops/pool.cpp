// MaxPool, AveragePool and the global pools, channels-last: every window reads contiguous runs of
// channels, so the inner loop is a vector loop over channels.
#include "nn/kernel.h"

#include <algorithm>
#include <limits>

namespace armory::nn {

Status read_pool_window(Attributes& attrs, int64_t kernel[2], int64_t stride[2], int64_t dilation[2], int64_t pads[4],
                        int& auto_pad);
Status pool_geometry(const int64_t kernel[2], const int64_t stride[2], const int64_t dilation[2], const int64_t pads[4],
                     int auto_pad, bool ceil_mode, int64_t in_h, int64_t in_w, int64_t out[2], int64_t pad_begin[2],
                     int64_t pad_end[2]);

namespace {

enum class PoolKind { max, average };

class PoolKernel final : public Kernel {
 public:
  PoolKind kind = PoolKind::max;
  int64_t kernel[2], stride[2], dilation[2], pads[4];
  int auto_pad = 0;
  bool ceil_mode = false;
  bool count_include_pad = false;

  bool accepts_nhwc(size_t) const override { return true; }
  // BF16 activations pass through MaxPool as they are: the largest of bf16 values is one of them.
  bool accepts_bf16(size_t) const override { return kind == PoolKind::max; }

  std::string describe() const override {
    return std::to_string(kernel[0]) + "x" + std::to_string(kernel[1]) + " s" + std::to_string(stride[0]) + "," +
           std::to_string(stride[1]) + (ceil_mode ? " ceil" : "");
  }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Value& x0 = *in[0];
    const auto& xs = x0.tensor.shape();
    const bool bf16 = x0.tensor.dtype() == DType::bfloat16;
    if (x0.tensor.dtype() != DType::float32 && !bf16) return unsupported("pooling supports float32 only");
    if (xs.size() != 4) return unsupported("only 2-D pooling (4-D input) is supported, got " + shape_string(xs));
    int64_t o[2], pb[2], pe[2];
    if (Status s = pool_geometry(kernel, stride, dilation, pads, auto_pad, ceil_mode, xs[2], xs[3], o, pb, pe); !s) return s;
    // bfloat16 arrives channels-last from the convs that write it.
    const Value x = bf16 && !x0.nhwc ? to_float32(ctx.arena, x0) : x0;
    const bool bf16_nhwc = x.tensor.dtype() == DType::bfloat16;
    Tensor input = x.nhwc ? x.tensor : to_nhwc(ctx.arena, x.tensor);
    const int64_t batch = xs[0], c = xs[1], in_h = xs[2], in_w = xs[3];
    Tensor y = ctx.arena.allocate(x.tensor.dtype(), {batch, c, o[0], o[1]});
    if (bf16_nhwc) {
      max_pool_bf16(input.data_as<bf16_t>(), y.mutable_data_as<bf16_t>(), batch, c, in_h, in_w, o, pb);
      out[0] = Value{std::move(y), true};
      return {};
    }
    const float* src = input.data_as<float>();
    float* dst = y.mutable_data_as<float>();
    parallel_for(batch * o[0], 1, [&](int64_t begin, int64_t end) {
      for (int64_t line = begin; line < end; ++line) {
        int64_t b = line / o[0], oy = line % o[0];
        for (int64_t ox = 0; ox < o[1]; ++ox) {
          float* acc = dst + ((b * o[0] + oy) * o[1] + ox) * c;
          std::fill(acc, acc + c, kind == PoolKind::max ? -std::numeric_limits<float>::infinity() : 0.0f);
          int64_t valid = 0, padded = 0;
          for (int64_t ky = 0; ky < kernel[0]; ++ky) {
            int64_t iy = oy * stride[0] - pb[0] + ky * dilation[0];
            bool in_pad_y = iy >= -pb[0] && iy < in_h + pe[0];
            for (int64_t kx = 0; kx < kernel[1]; ++kx) {
              int64_t ix = ox * stride[1] - pb[1] + kx * dilation[1];
              if (in_pad_y && ix >= -pb[1] && ix < in_w + pe[1]) ++padded;
              if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) continue;
              ++valid;
              const float* px = src + ((b * in_h + iy) * in_w + ix) * c;
              if (kind == PoolKind::max) {
                for (int64_t ch = 0; ch < c; ++ch) acc[ch] = max_keeping_nan(acc[ch], px[ch]);
              } else {
                for (int64_t ch = 0; ch < c; ++ch) acc[ch] += px[ch];
              }
            }
          }
          if (kind == PoolKind::average) {
            float scale = 1.0f / static_cast<float>(std::max<int64_t>(1, count_include_pad ? padded : valid));
            for (int64_t ch = 0; ch < c; ++ch) acc[ch] *= scale;
          }
        }
      }
    });
    if (!x.nhwc) ctx.arena.release(std::move(input));
    out[0] = Value{std::move(y), true};
    return {};
  }

 private:
  // MaxPool on channels-last bf16, compared as 16-bit integers: flipping the magnitude bits of negative
  // values makes their order that of signed integers (the flip is its own inverse, so the maximum is
  // stored back exactly): twice the lanes of widening to float32, and no conversions. Separable: for each
  // output row, the maximum down each input column over the window's rows, then across the window's
  // columns; a 3x3 window of stride 2 then takes 6 comparisons per output instead of 9, and each input is
  // converted once (the stem's pool at batch 16: 4.4-4.6 -> 3.1-3.3 ms, 2 threads 2.5 -> 1.6). An output
  // pixel no window reaches is -inf; a NaN with the sign bit clear wins its window, like the NaN it is.
  static int16_t order_key(bf16_t v) {
    const auto bits = static_cast<int16_t>(v);
    return static_cast<int16_t>(bits ^ ((bits >> 15) & 0x7FFF));
  }

  void max_pool_bf16(const bf16_t* src, bf16_t* dst, int64_t batch, int64_t c, int64_t in_h, int64_t in_w,
                     const int64_t o[2], const int64_t pb[2]) const {
    const int16_t lowest = order_key(0xFF80);  // -inf
    parallel_for(batch * o[0], 1, [&](int64_t begin, int64_t end) {
      std::vector<int16_t> columns(static_cast<size_t>(in_w * c)), acc(static_cast<size_t>(c));
      for (int64_t line = begin; line < end; ++line) {
        int64_t b = line / o[0], oy = line % o[0];
        std::fill(columns.begin(), columns.end(), lowest);
        for (int64_t ky = 0; ky < kernel[0]; ++ky) {
          int64_t iy = oy * stride[0] - pb[0] + ky * dilation[0];
          if (iy < 0 || iy >= in_h) continue;
          const bf16_t* row = src + (b * in_h + iy) * in_w * c;
          for (int64_t e = 0; e < in_w * c; ++e) columns[e] = std::max(columns[e], order_key(row[e]));
        }
        for (int64_t ox = 0; ox < o[1]; ++ox) {
          std::fill(acc.begin(), acc.end(), lowest);
          for (int64_t kx = 0; kx < kernel[1]; ++kx) {
            int64_t ix = ox * stride[1] - pb[1] + kx * dilation[1];
            if (ix < 0 || ix >= in_w) continue;
            const int16_t* column = columns.data() + ix * c;
            for (int64_t ch = 0; ch < c; ++ch) acc[ch] = std::max(acc[ch], column[ch]);
          }
          bf16_t* out = dst + ((b * o[0] + oy) * o[1] + ox) * c;
          for (int64_t ch = 0; ch < c; ++ch) out[ch] = static_cast<bf16_t>(order_key(static_cast<bf16_t>(acc[ch])));
        }
      }
    });
  }
};

KernelResult make_pool(const NodeSpec& spec, PoolKind kind) {
  Attributes attrs(spec.node);
  auto k = std::make_unique<PoolKernel>();
  k->kind = kind;
  if (Status s = read_pool_window(attrs, k->kernel, k->stride, k->dilation, k->pads, k->auto_pad); !s) return s;
  k->ceil_mode = attrs.get_int("ceil_mode", 0) != 0;
  if (kind == PoolKind::max) {
    if (attrs.get_int("storage_order", 0) != 0 && spec.node.outputs.size() > 1) {
      return unsupported("storage_order = 1 is not supported");
    }
    if (spec.node.outputs.size() > 1 && !spec.node.outputs[1].empty()) {
      return unsupported("the Indices output of MaxPool is not supported");
    }
  } else {
    k->count_include_pad = attrs.get_int("count_include_pad", 0) != 0;
  }
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::move(k));
}

class GlobalPoolKernel final : public Kernel {
 public:
  explicit GlobalPoolKernel(PoolKind kind) : kind_(kind) {}
  bool accepts_nhwc(size_t) const override { return true; }
  bool accepts_bf16(size_t) const override { return true; }  // summed in float32; the result is float32

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    // bfloat16 arrives channels-last from the convs that write it.
    const bool bf16 = in[0]->tensor.dtype() == DType::bfloat16;
    const Value x = bf16 && !in[0]->nhwc ? to_float32(ctx.arena, *in[0]) : *in[0];
    const auto& xs = x.tensor.shape();
    if (x.tensor.dtype() != DType::float32 && !bf16) return unsupported("pooling supports float32 only");
    if (xs.size() < 3) return invalid("global pooling needs an input with spatial dimensions, got " + shape_string(xs));
    const int64_t batch = xs[0], c = xs[1];
    int64_t hw = 1;
    for (size_t i = 2; i < xs.size(); ++i) hw *= xs[i];
    std::vector<int64_t> shape(xs.size(), 1);
    shape[0] = batch;
    shape[1] = c;
    // [N, C, 1, 1] has the same bytes channels-last or not: the result is plain.
    Tensor y = ctx.arena.allocate(DType::float32, shape);
    float* dst = y.mutable_data_as<float>();
    const float* src = x.tensor.data_as<float>();
    const float init = kind_ == PoolKind::max ? -std::numeric_limits<float>::infinity() : 0.0f;
    auto pool_pixels = [&]<class T>(const T* pixels, float* acc) {
      for (int64_t i = 0; i < hw; ++i) {
        const T* px = pixels + i * c;
        for (int64_t ch = 0; ch < c; ++ch) {
          float v;
          if constexpr (std::is_same_v<T, bf16_t>) {
            v = widen(px[ch]);
          } else {
            v = px[ch];
          }
          acc[ch] = kind_ == PoolKind::max ? max_keeping_nan(acc[ch], v) : acc[ch] + v;
        }
      }
    };
    for (int64_t b = 0; b < batch; ++b) {
      float* acc = dst + b * c;
      std::fill(acc, acc + c, init);
      if (x.nhwc && x.tensor.dtype() == DType::bfloat16) {
        pool_pixels(x.tensor.data_as<bf16_t>() + b * hw * c, acc);
      } else if (x.nhwc) {
        pool_pixels(src + b * hw * c, acc);
      } else {
        for (int64_t ch = 0; ch < c; ++ch) {
          const float* plane = src + (b * c + ch) * hw;
          float v = init;
          for (int64_t i = 0; i < hw; ++i) v = kind_ == PoolKind::max ? max_keeping_nan(v, plane[i]) : v + plane[i];
          acc[ch] = v;
        }
      }
      if (kind_ == PoolKind::average) {
        for (int64_t ch = 0; ch < c; ++ch) acc[ch] /= static_cast<float>(hw);
      }
    }
    out[0] = Value{std::move(y), false};
    return {};
  }

 private:
  PoolKind kind_;
};

KernelResult make_global_pool(const NodeSpec& spec, PoolKind kind) {
  Attributes attrs(spec.node);
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::make_unique<GlobalPoolKernel>(kind));
}

}  // namespace

void register_pool_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["MaxPool"] = [](const NodeSpec& s) { return make_pool(s, PoolKind::max); };
  makers["AveragePool"] = [](const NodeSpec& s) { return make_pool(s, PoolKind::average); };
  makers["GlobalAveragePool"] = [](const NodeSpec& s) { return make_global_pool(s, PoolKind::average); };
  makers["GlobalMaxPool"] = [](const NodeSpec& s) { return make_global_pool(s, PoolKind::max); };
}

}  // namespace armory::nn
