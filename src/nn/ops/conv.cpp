// Conv and ConvTranspose. Conv runs channels-last as a GEMM: each output pixel is a row of patches
// (im2col, skipped for 1x1 stride-1 convs, where the input already is that matrix) times the weights
// packed once at load; bias, ReLU and a residual Add land in the GEMM's epilogue. Depthwise convs (one
// input channel per group) are direct loops over channels instead: a GEMM with k = 9 and n = 1 does not pay.
// Most 3x3 stride-1 convs run as Winograd F(2x2, 3x3) or, in float32 with few channels, F(4x4, 3x3)
// instead (winograd.h).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>

#include "common/large_buffer.h"
#include "cpu/core_choices.h"
#include "gemm/thread_pool.h"
#include "nn/kernel.h"
#include "nn/ops/depthwise/kernels.h"
#include "nn/ops/winograd.h"

namespace armory::nn {

namespace {

enum class AutoPad { notset, same_upper, same_lower, valid };

// Patches are built from copies of a few dozen bytes (a 7x7 stem's kernel row of 3 channels is 42 in
// bf16, and there are seven per output pixel): inline moves, the last one overlapping, instead of a library
// call for each. Up to 64 bytes that is two moves, with no loop.
inline void copy_short(void* dst, const void* src, size_t bytes) {
  auto* to = static_cast<char*>(dst);
  const auto* from = static_cast<const char*>(src);
  if (bytes >= 16 && bytes <= 32) {
    std::memcpy(to, from, 16);
    std::memcpy(to + bytes - 16, from + bytes - 16, 16);
  } else if (bytes > 32 && bytes <= 256) {
    for (size_t i = 0; i + 32 < bytes; i += 32) std::memcpy(to + i, from + i, 32);
    std::memcpy(to + bytes - 32, from + bytes - 32, 32);
  } else {
    std::memcpy(dst, src, bytes);
  }
}

struct Window {
  int64_t kernel[2] = {1, 1};
  int64_t stride[2] = {1, 1};
  int64_t dilation[2] = {1, 1};
  int64_t pads[4] = {0, 0, 0, 0};  // top, left, bottom, right (ONNX: begins, then ends)
  AutoPad auto_pad = AutoPad::notset;
};

Result<AutoPad> parse_auto_pad(const std::string& s) {
  if (s == "NOTSET" || s.empty()) return AutoPad::notset;
  if (s == "SAME_UPPER") return AutoPad::same_upper;
  if (s == "SAME_LOWER") return AutoPad::same_lower;
  if (s == "VALID") return AutoPad::valid;
  return invalid("auto_pad '" + s + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
}

// Reads kernel_shape (when given), strides, dilations, pads and auto_pad for a 2-D window.
Status read_window(Attributes& attrs, Window& w, bool kernel_required) {
  auto kernel = attrs.get_ints("kernel_shape");
  auto strides = attrs.get_ints("strides", {1, 1});
  auto dilations = attrs.get_ints("dilations", {1, 1});
  auto pads = attrs.get_ints("pads", {0, 0, 0, 0});
  auto auto_pad = parse_auto_pad(attrs.get_string("auto_pad", "NOTSET"));
  if (!auto_pad) return auto_pad.status();
  w.auto_pad = auto_pad.value();
  if (kernel_required && kernel.empty()) return invalid("kernel_shape is required");
  if (!kernel.empty() && kernel.size() != 2) {
    return unsupported("only 2-D windows are supported (kernel_shape has " + std::to_string(kernel.size()) + " dims)");
  }
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4) {
    return unsupported("only 2-D windows are supported (strides, dilations and pads must have 2, 2 and 4 values)");
  }
  for (int i = 0; i < 2; ++i) {
    if (!kernel.empty()) w.kernel[i] = kernel[i];
    w.stride[i] = strides[i];
    w.dilation[i] = dilations[i];
    if ((!kernel.empty() && kernel[i] < 1) || strides[i] < 1 || dilations[i] < 1) {
      return invalid("kernel_shape, strides and dilations must be >= 1");
    }
  }
  for (int i = 0; i < 4; ++i) {
    if (pads[i] < 0) return invalid("pads must be >= 0");
    w.pads[i] = pads[i];
  }
  return {};
}

struct Geometry {
  int64_t in[2], out[2], pad_begin[2], pad_end[2];
};

// Output size and the padding actually used, for an input of in_h x in_w.
Result<Geometry> resolve(const Window& w, int64_t in_h, int64_t in_w, bool ceil_mode = false) {
  Geometry g;
  g.in[0] = in_h;
  g.in[1] = in_w;
  for (int i = 0; i < 2; ++i) {
    int64_t extent = (w.kernel[i] - 1) * w.dilation[i] + 1;
    int64_t begin = w.pads[i], end = w.pads[i + 2];
    if (w.auto_pad == AutoPad::valid) {
      begin = end = 0;
    } else if (w.auto_pad != AutoPad::notset) {
      int64_t out = (g.in[i] + w.stride[i] - 1) / w.stride[i];
      int64_t total = std::max<int64_t>(0, (out - 1) * w.stride[i] + extent - g.in[i]);
      begin = w.auto_pad == AutoPad::same_upper ? total / 2 : total - total / 2;
      end = total - begin;
    }
    int64_t span = g.in[i] + begin + end - extent;
    if (span < 0) {
      return invalid("the window (" + std::to_string(extent) + " with dilation) is larger than the padded input (" +
                     std::to_string(g.in[i] + begin + end) + ")");
    }
    int64_t out = ceil_mode ? (span + w.stride[i] - 1) / w.stride[i] + 1 : span / w.stride[i] + 1;
    // ceil_mode: the last window must start inside the input or its left padding.
    if (ceil_mode && (out - 1) * w.stride[i] >= g.in[i] + begin) --out;
    g.out[i] = out;
    g.pad_begin[i] = begin;
    g.pad_end[i] = end;
  }
  return g;
}

std::string window_string(const Window& w) {
  std::string s = std::to_string(w.kernel[0]) + "x" + std::to_string(w.kernel[1]);
  if (w.stride[0] != 1 || w.stride[1] != 1) s += " s" + std::to_string(w.stride[0]) + "," + std::to_string(w.stride[1]);
  if (w.dilation[0] != 1 || w.dilation[1] != 1) {
    s += " d" + std::to_string(w.dilation[0]) + "," + std::to_string(w.dilation[1]);
  }
  if (w.pads[0] || w.pads[1] || w.pads[2] || w.pads[3]) {
    s += " p" + std::to_string(w.pads[0]) + "," + std::to_string(w.pads[1]) + "," + std::to_string(w.pads[2]) + "," +
         std::to_string(w.pads[3]);
  }
  if (w.auto_pad != AutoPad::notset) s += " auto_pad";
  return s;
}

// Weights ready for the kernels: per group a packed (kh*kw*cin_g) x cout_g matrix, rows ordered
// (ky, kx, ci) to match channels-last patches; or, for depthwise, [ky][kx][c].
struct ConvWeights {
  std::vector<PackedMatrix> packed;
  std::vector<float> depthwise;
  std::vector<float> bias;  // empty: none
  std::optional<WinogradWeights> winograd;  // instead of packed, for the 3x3 stride-1 convs it suits
};

// x = min(x, upper) over a float32 tensor (NaN stays NaN): a fused Clip's bound where the path's epilogue
// has none.
void clamp_above(Tensor& t, float upper) {
  float* p = t.mutable_data_as<float>();
  parallel_for(t.size(), 1 << 15, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) p[i] = p[i] > upper ? upper : p[i];
  });
}

class ConvKernel final : public Kernel {
 public:
  ConvKernel(Window window, int64_t group, Fusion fusion, FpMath fpmath, bool winograd)
      : window_(window), group_(group), fusion_(fusion), fpmath_(fpmath), winograd_allowed_(winograd) {}

  Status prepare(const NodeSpec& spec) {
    if (const Tensor* w = spec.constant(1)) {
      if (Status s = check_weights(*w); !s) return s;
      // A conv Winograd suits runs that way at every size and keeps only the Winograd pack.
      const bool winograd = suits_winograd(w->shape());
      auto prepared = prepare_weights(*w, spec.has_input(2) ? spec.constant(2) : nullptr, !winograd);
      if (!prepared) return prepared.status();
      weights_ = std::move(prepared.value());
      weight_shape_ = w->shape();
      if (winograd) {
        auto packed = pack_winograd_weights(w->data_as<float>(), w->shape()[0], w->shape()[1], fpmath_,
                                            winograd_output_tile(w->shape()));
        if (!packed) return packed.status();
        weights_->winograd = std::move(packed.value());
      }
      bias_constant_ = !spec.has_input(2) || spec.constant(2) != nullptr;
    }
    if (spec.has_input(2) && spec.constant(2) == nullptr) bias_constant_ = false;
    return {};
  }

  bool accepts_nhwc(size_t index) const override { return index == 0 || index == 3; }
  // BF16 fast math through the GEMM path: X and the residual may be bfloat16, and so may the output.
  bool accepts_bf16(size_t index) const override {
    return (gemm_in_bf16() && (index == 0 || index == 3)) || (depthwise_in_bf16() && index == 0);
  }
  // Not from a Winograd conv under a fused Clip: its output transform has no upper bound, and the bound is
  // applied after it, to a float32 output.
  bool offers_bf16_output() const override {
    return (gemm_in_bf16() && !(weights_->winograd && fusion_.bounded())) || depthwise_in_bf16();
  }
  void use_bf16_output() override { bf16_output_ = true; }
  bool reads_constant(size_t index) const override { return !(weights_ && bias_constant_ && (index == 1 || index == 2)); }
  size_t packed_bytes() const override {
    if (!weights_) return 0;
    size_t bytes = weights_->depthwise.size() * sizeof(float) + weights_->bias.size() * sizeof(float);
    for (const auto& p : weights_->packed) bytes += p.bytes();
    if (weights_->winograd) bytes += weights_->winograd->bytes();
    return bytes;
  }

  std::string describe() const override {
    std::string s = window_string(window_);
    if (group_ != 1) s += " group " + std::to_string(group_);
    if (weights_ && !weights_->depthwise.empty()) s += " depthwise";
    if (fpmath_ == FpMath::bf16 && weights_ && weights_->depthwise.empty()) s += " bf16";
    if (weights_ && weights_->winograd) {
      s += weights_->winograd->output_tile == 4 ? " winograd 4x4" : " winograd 2x2";
    }
    if (fusion_.bn_folded) s += " +BatchNorm";
    if (fusion_.residual) s += " +Add";
    if (fusion_.bounded()) {
      char bound[32];
      std::snprintf(bound, sizeof bound, "%g", fusion_.upper);
      s += std::string(fusion_.relu ? " +Clip(0, " : " +Clip(-inf, ") + bound + ")";
    } else if (fusion_.relu) {
      s += " +Relu";
    }
    if (bf16_output_) s += " ->bf16";
    return s;
  }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Value& x = *in[0];
    const auto& xs = x.tensor.shape();
    if (xs.size() != 4) return unsupported("only 2-D convolutions (4-D input) are supported, got input " + shape_string(xs));
    // Weights packed at load are all this kernel reads; the constant itself may be gone.
    const bool prepared = weights_ && bias_constant_;
    if (!prepared) {
      if (Status s = check_weights(in[1]->tensor); !s) return s;
    }
    const std::vector<int64_t>& wshape = prepared ? weight_shape_ : in[1]->tensor.shape();
    const int64_t cin = xs[1], cout = wshape[0];
    if (wshape[1] * group_ != cin) {
      return invalid("input has " + std::to_string(cin) + " channels, weights " + shape_string(wshape) + " with group " +
                     std::to_string(group_) + " expect " + std::to_string(wshape[1] * group_));
    }
    Window win = window_;
    if (win.kernel[0] < 0) {
      win.kernel[0] = wshape[2];
      win.kernel[1] = wshape[3];
    }
    if (win.kernel[0] != wshape[2] || win.kernel[1] != wshape[3]) {
      return invalid("kernel_shape does not match the weights " + shape_string(wshape));
    }
    std::optional<ConvWeights> run_weights;
    const ConvWeights* cw = weights_ ? &*weights_ : nullptr;
    if (!prepared) {
      const Tensor* bias = in.size() > 2 && in[2] ? &in[2]->tensor : nullptr;
      auto made = prepare_weights(in[1]->tensor, bias, true);
      if (!made) return made.status();
      run_weights = std::move(made.value());
      cw = &*run_weights;
    }
    auto geometry = resolve(win, xs[2], xs[3]);
    if (!geometry) return geometry.status();
    const Geometry& g = geometry.value();

    // bfloat16 arrives channels-last from the layers that write it; anything else is made so here.
    // Under BF16 fast math the GEMM takes bf16 patches: a plain float32 input is rounded as it is made
    // channels-last (once, where each value is then copied into up to kh * kw patches).
    Value x_wide = x.nhwc ? x : to_float32(ctx.arena, x);
    // (A depthwise conv takes a bf16 input as it comes, and makes a float32 one channels-last as float32.)
    const DType nhwc_dtype = fpmath_ == FpMath::bf16 && cw->depthwise.empty() ? DType::bfloat16 : DType::float32;
    Tensor input = x.nhwc ? x.tensor : to_nhwc(ctx.arena, x_wide.tensor, nhwc_dtype);
    if (!x.nhwc && x_wide.tensor.data() != x.tensor.data()) ctx.arena.release(std::move(x_wide.tensor));
    std::vector<int64_t> out_shape = {xs[0], cout, g.out[0], g.out[1]};
    const DType out_dtype = bf16_output_ ? DType::bfloat16 : DType::float32;

    // A fused residual is added by accumulating into it (beta = 1): in place when this is its last reader
    // and already stored as the output is, else into a copy in the output's layout and type.
    const Value* residual = fusion_.residual && in.size() > 3 ? in[3] : nullptr;
    bool residual_in_epilogue = residual && residual->tensor.shape() == out_shape;
    Tensor y;
    if (residual_in_epilogue && residual->nhwc && residual->tensor.dtype() == out_dtype && ctx.may_consume(3)) {
      y = residual->tensor;
    } else {
      y = ctx.arena.allocate(out_dtype, out_shape);
      if (residual_in_epilogue) copy_residual(ctx.arena, *residual, y);
    }
    // The fused ReLU and Clip bound, in the epilogue unless a residual that only broadcasts comes after.
    const bool activation_in_epilogue = (fusion_.relu || fusion_.bounded()) && (!residual || residual_in_epilogue);

    Status s;
    if (!cw->depthwise.empty()) {
      s = run_depthwise(win, *cw, input, g, y, residual_in_epilogue, activation_in_epilogue);
    } else if (cw->winograd) {
      s = winograd_conv(ctx.arena, *cw->winograd, input, g.pad_begin[0], g.pad_begin[1], y,
                        cw->bias.empty() ? nullptr : cw->bias.data(), residual_in_epilogue,
                        activation_in_epilogue && fusion_.relu);
      // Its epilogue has no upper bound (and its output is float32: Winograd convs offer no bf16 output).
      if (s && activation_in_epilogue && fusion_.bounded()) clamp_above(y, fusion_.upper);
    } else {
      s = run_gemm(ctx, win, *cw, input, g, cout, y, residual_in_epilogue, activation_in_epilogue);
    }
    if (!x.nhwc) ctx.arena.release(std::move(input));
    if (!s) return s;

    Value result{std::move(y), true};
    if (residual && !residual_in_epilogue) {
      // Shapes that only broadcast: the sum in float32.
      Value wide = to_float32(ctx.arena, result), other = to_float32(ctx.arena, *residual);
      auto sum = binary(ctx, BinaryOp::add, wide, other);
      if (!sum) return sum.status();
      result = std::move(sum.value());
      if (fusion_.relu) {
        float* p = result.tensor.mutable_data_as<float>();
        for (int64_t i = 0, n = result.tensor.size(); i < n; ++i) p[i] = p[i] < 0 ? 0 : p[i];  // NaN stays NaN
      }
      if (fusion_.bounded()) clamp_above(result.tensor, fusion_.upper);
    }
    out[0] = std::move(result);
    return {};
  }

 private:
  Status check_weights(const Tensor& w) const {
    if (w.dtype() != DType::float32 || w.shape().size() != 4) {
      return unsupported("weights must be a 4-D float32 tensor, got " + shape_string(w.shape()));
    }
    if (w.shape()[0] % group_ != 0) return invalid("output channels " + std::to_string(w.shape()[0]) + " are not divisible by group");
    return {};
  }

  bool is_depthwise(const Tensor& w) const { return group_ > 1 && w.shape()[1] == 1 && w.shape()[0] == group_; }

  // Winograd F(2x2, 3x3) takes undilated 3x3 stride-1 convolutions of one group, with channels enough for
  // its 16 GEMMs to pay for the transforms around them, and weights small enough: its pack is 16/9 the
  // direct one, and at 512x512 (ResNet50's layer4: 8 MiB of bf16, against 4.5 direct) reading it is the
  // cost on Zen 5. There, in the model, with 1 thread, the GEMMs took 6.4 to 22 ms from one inference to
  // the next against the direct conv's steady 10.4 (its weights, read once, stream from DRAM with
  // everything else's); at batch 1 0.8-1.5 ms against 0.78. Up to 256x256 it wins at every batch
  // (docs/PERFORMANCE.md). Cores that multiply slower take 512x512 too (cpu/core_choices.cpp).
  bool suits_winograd(const std::vector<int64_t>& wshape) const {
    const int64_t weights = wshape[0] * wshape[1];
    return winograd_allowed_ && group_ == 1 && wshape[2] == 3 && wshape[3] == 3 && window_.stride[0] == 1 &&
           window_.stride[1] == 1 && window_.dilation[0] == 1 && window_.dilation[1] == 1 && wshape[0] >= 16 &&
           wshape[1] >= 16 && weights <= cpu::host_core_choices().winograd_max_weights;
  }

  // F(4x4, 3x3) in float32 up to 128x128 channels (4x fewer multiplies than direct, against F(2x2, 3x3)'s
  // 2.25x): ResNet50's layer1 and layer2 convs took 35-40% less time at batch 16, 10-30% at batch 1. Its 36
  // transformed matrices are 4x the direct weights, and at 256x256 (9.4 MiB) reading them cost more than
  // the multiplies saved at batch 1 (0.79-0.87 ms per conv against F(2x2, 3x3)'s 0.73-0.80). BF16 fast
  // math keeps F(2x2, 3x3), whose smaller coefficients bf16's rounding of the tiles can afford (winograd.h).
  int winograd_output_tile(const std::vector<int64_t>& wshape) const {
    return fpmath_ == FpMath::strict && wshape[0] * wshape[1] <= 128 * 128 ? 4 : 2;
  }

  // The row length of the patch matrix, and the depth of the packed weights. BF16 kernels take k in pairs:
  // a patch row of odd length (a 7x7 stem's 147) would be copied into an even one by the GEMM, so under
  // BF16 fast math the patches get a zero column and the weights a zero row instead. A 1x1 conv may
  // multiply its input in place, whose rows cannot be padded.
  int64_t patch_width(int64_t kh, int64_t kw, int64_t cin_g) const {
    const int64_t k = kh * kw * cin_g;
    return fpmath_ == FpMath::bf16 && kh * kw > 1 ? (k + 1) / 2 * 2 : k;
  }

  // Weights packed at load for the GEMM path under BF16 fast math.
  bool gemm_in_bf16() const {
    return fpmath_ == FpMath::bf16 && weights_ && bias_constant_ && weights_->depthwise.empty();
  }

  // Under BF16 fast math a depthwise conv reads and writes bf16 activations (its sums stay float32).
  bool depthwise_in_bf16() const {
    return fpmath_ == FpMath::bf16 && weights_ && bias_constant_ && !weights_->depthwise.empty();
  }

  // The residual copied into the output y (channels-last, y's element type) for the GEMM to accumulate into.
  static void copy_residual(Arena& arena, const Value& residual, Tensor& y) {
    Value r = residual;
    if (!r.nhwc) {
      Value wide = to_float32(arena, r);
      r = Value{to_nhwc(arena, wide.tensor), true};
      if (wide.tensor.data() != residual.tensor.data()) arena.release(std::move(wide.tensor));
    }
    const int64_t n = y.size();
    if (r.tensor.dtype() == y.dtype()) {
      std::memcpy(y.mutable_data(), r.tensor.data(), y.bytes());
    } else if (y.dtype() == DType::bfloat16) {
      float_to_bf16(r.tensor.data_as<float>(), n, y.mutable_data_as<bf16_t>());
    } else {
      const bf16_t* src = r.tensor.data_as<bf16_t>();
      float* dst = y.mutable_data_as<float>();
      for (int64_t i = 0; i < n; ++i) dst[i] = widen(src[i]);
    }
    if (r.tensor.data() != residual.tensor.data()) arena.release(std::move(r.tensor));
  }

  // direct: pack the weights for the direct (im2col GEMM) path too (false: the bias and depthwise taps only).
  Result<ConvWeights> prepare_weights(const Tensor& w, const Tensor* bias, bool direct) const {
    const int64_t cout = w.shape()[0], cin_g = w.shape()[1], kh = w.shape()[2], kw = w.shape()[3];
    const int64_t cout_g = cout / group_;
    const float* src = w.data_as<float>();
    ConvWeights cw;
    if (bias) {
      if (bias->dtype() != DType::float32 || bias->size() != cout) {
        return invalid("bias " + shape_string(bias->shape()) + " must have " + std::to_string(cout) + " values");
      }
      cw.bias.assign(bias->data_as<float>(), bias->data_as<float>() + cout);
    }
    if (is_depthwise(w)) {
      cw.depthwise.resize(kh * kw * cout);
      for (int64_t c = 0; c < cout; ++c) {
        for (int64_t t = 0; t < kh * kw; ++t) cw.depthwise[t * cout + c] = src[c * kh * kw + t];
      }
      return cw;
    }
    if (!direct) return cw;
    const int64_t k = kh * kw * cin_g, k_rows = patch_width(kh, kw, cin_g);
    if (kh * kw == 1) {
      // A 1x1 filter bank is already the transposed weight matrix, cout_g rows of cin_g: packed in place.
      for (int64_t grp = 0; grp < group_; ++grp) {
        auto packed = pack_b(Layout::row_major, Trans::yes, k, cout_g, src + grp * cout_g * cin_g, cin_g, fpmath_);
        if (!packed) return packed.status();
        cw.packed.push_back(std::move(packed.value()));
      }
      return cw;
    }
    // One group's weights reordered to rows (ky, kx, ci) and columns co, then packed. Not zero-filled:
    // every element is written (the padding row, if any, below).
    LargeBuffer<float> reordered(static_cast<size_t>(k_rows * cout_g), PageSize::base);
    float* b = reordered.data();
    std::fill(b + k * cout_g, b + k_rows * cout_g, 0.0f);
    for (int64_t grp = 0; grp < group_; ++grp) {
      // Sixteen filters at a time: each read front to back, each destination row written a cache line at
      // a time (one filter at a time wrote every element to another line: 0.6 GB/s at load).
      const int64_t taps = kh * kw;
      for (int64_t co0 = 0; co0 < cout_g; co0 += 16) {
        const int64_t width = std::min<int64_t>(16, cout_g - co0);
        const float* filters = src + (grp * cout_g + co0) * cin_g * taps;
        for (int64_t ci = 0; ci < cin_g; ++ci) {
          for (int64_t t = 0; t < taps; ++t) {
            float* row = b + (t * cin_g + ci) * cout_g + co0;
            for (int64_t j = 0; j < width; ++j) row[j] = filters[j * cin_g * taps + ci * taps + t];
          }
        }
      }
      auto packed = pack_b(Layout::row_major, Trans::no, k_rows, cout_g, b, cout_g, fpmath_);
      if (!packed) return packed.status();
      cw.packed.push_back(std::move(packed.value()));
    }
    return cw;
  }

  // x: the channels-last input, float32 or (BF16 fast math) bfloat16. y: the channels-last output, float32
  // or bfloat16, already holding the residual when accumulate.
  Status run_gemm(RunContext& ctx, const Window& win, const ConvWeights& cw, const Tensor& x, const Geometry& g,
                  int64_t cout, Tensor& y, bool accumulate, bool activation) const {
    const auto& xs = x.shape();
    const int64_t batch = xs[0], cin = xs[1], in_h = xs[2], in_w = xs[3];
    const int64_t cin_g = cin / group_, cout_g = cout / group_;
    const int64_t kh = win.kernel[0], kw = win.kernel[1];
    const int64_t taps_k = kh * kw * cin_g, k = patch_width(kh, kw, cin_g);
    const int64_t rows = batch * g.out[0] * g.out[1];
    const bool bf16_in = x.dtype() == DType::bfloat16, bf16_out = y.dtype() == DType::bfloat16;
    const float beta = accumulate ? 1.0f : 0.0f;

    // rows [r0, r0 + count) of A (fp32, or bf16 under BF16 fast math) times group grp's weights into y.
    auto multiply = [&](const void* a, bool a_bf16, int64_t lda, int64_t r0, int64_t count, int64_t grp) {
      Epilogue e{cw.bias.empty() ? nullptr : cw.bias.data() + grp * cout_g, activation && fusion_.relu,
                 activation ? fusion_.upper : std::numeric_limits<float>::infinity()};
      const int64_t at = r0 * cout + grp * cout_g;
      const PackedMatrix& w = cw.packed[grp];
      if (bf16_out) {
        return gemm_packed(Trans::no, count, 1.0f, static_cast<const bf16_t*>(a), lda, w, beta,
                           y.mutable_data_as<bf16_t>() + at, cout, e);
      }
      if (a_bf16) {
        return gemm_packed(Trans::no, count, 1.0f, static_cast<const bf16_t*>(a), lda, w, beta,
                           y.mutable_data_as<float>() + at, cout, e);
      }
      return gemm_packed(Trans::no, count, 1.0f, static_cast<const float*>(a), lda, w, beta,
                         y.mutable_data_as<float>() + at, cout, e);
    };

    bool pointwise = kh == 1 && kw == 1 && win.stride[0] == 1 && win.stride[1] == 1 && g.pad_begin[0] == 0 &&
                     g.pad_begin[1] == 0 && g.out[0] == in_h && g.out[1] == in_w;
    if (pointwise && group_ == 1) {
      if (!bf16_out || bf16_in) return multiply(x.data(), bf16_in, cin, 0, rows, 0);
      // A bf16 output takes bf16 products: a float32 input is rounded first.
      Tensor half = ctx.arena.allocate(DType::bfloat16, xs);
      float_to_bf16(x.data_as<float>(), x.size(), half.mutable_data_as<bf16_t>());
      Status status = multiply(half.data(), true, cin, 0, rows, 0);
      ctx.arena.release(std::move(half));
      return status;
    }

    // Patches in chunks of rows small enough to stay in L2 between being written and multiplied. With
    // enough chunks, each thread takes whole chunks (patches and product, its GEMM single-threaded);
    // otherwise chunks go one by one and the GEMM spreads each over the threads.
    const int64_t chunk = std::clamp<int64_t>((int64_t{384} << 10) / (k * 4), 96, 1024) / 24 * 24;
    const int64_t chunk_rows = std::min(chunk, rows);
    const int64_t chunks = (rows + chunk - 1) / chunk;
    const int threads = static_cast<int>(std::min<int64_t>(ThreadPool::global().max_threads(), chunks));
    const bool per_thread_chunks = threads > 1 && chunks >= 2 * int64_t{threads};
    const int buffers = per_thread_chunks ? threads : 1;
    // Patches are built in the input's element type. Under BF16 fast math float32 patches go to the GEMM
    // rounded to bf16, once, in the L2-sized chunk (half the bytes for the kernel to stream, and no
    // conversion inside the GEMM); bfloat16 inputs give bf16 patches directly.
    Tensor patches = ctx.arena.allocate(x.dtype(), {buffers, chunk_rows, k});
    const bool round_patches = fpmath_ == FpMath::bf16 && !bf16_in;
    Tensor patches_bf16;
    if (round_patches) patches_bf16 = ctx.arena.allocate(DType::bfloat16, {buffers, chunk_rows, k});
    const int64_t out_hw = g.out[0] * g.out[1];
    const bool contiguous_taps = group_ == 1 && win.dilation[1] == 1;

    auto gather = [&]<class T>(T* col, const T* src, int64_t r0, int64_t begin, int64_t end, int64_t grp) {
      // What the loop reads, held in locals: the copies store through char pointers, which may alias
      // anything the lambda reaches by reference, and GCC reloaded each of these after every copy (a 7x7
      // stem at batch 16, 1 thread: building the patches took 7 ms of the conv's 27, now 4.3).
      const int64_t out_w = g.out[1], out_h = g.out[0], row_length = k, depth = taps_k;
      const int64_t stride_y = win.stride[0], stride_x = win.stride[1], pad_y = g.pad_begin[0], pad_x = g.pad_begin[1];
      const int64_t width = in_w, height = in_h, channels = cin, group_channels = cin_g, window_w = kw, window_h = kh;
      const int64_t dilation_y = win.dilation[0], dilation_x = win.dilation[1];
      const int64_t source_row_step = dilation_y * in_w * cin, window_row = kw * cin;
      const int64_t last_row_offset = (kh - 1) * dilation_y;
      const bool plain_window = contiguous_taps;
      // The output pixel of row r, stepped along rather than divided out for each row.
      int64_t b = (r0 + begin) / out_hw, oy = (r0 + begin) % out_hw / out_w, ox = (r0 + begin) % out_w;
      for (int64_t r = begin; r < end; ++r, ++ox) {
        if (ox == out_w) {
          ox = 0;
          if (++oy == out_h) oy = 0, ++b;
        }
        T* row = col + r * row_length;
        if (row_length > depth) row[depth] = T{};
        const int64_t ix0 = ox * stride_x - pad_x;
        const int64_t iy0 = oy * stride_y - pad_y;
        if (plain_window && ix0 >= 0 && ix0 + window_w <= width && iy0 >= 0 && iy0 + last_row_offset < height) {
          // The whole window inside the image (most pixels): one copy per kernel row, nothing to check.
          const T* corner = src + ((b * height + iy0) * width + ix0) * channels;
          for (int64_t ky = 0; ky < window_h; ++ky) {
            copy_short(row + ky * window_row, corner + ky * source_row_step, window_row * sizeof(T));
          }
          continue;
        }
        for (int64_t ky = 0; ky < window_h; ++ky, row += window_w * group_channels) {
          int64_t iy = iy0 + ky * dilation_y;
          if (iy < 0 || iy >= height) {
            std::memset(row, 0, window_w * group_channels * sizeof(T));
            continue;
          }
          const T* line = src + (b * height + iy) * width * channels + grp * group_channels;
          if (plain_window) {
            // Undilated, ungrouped: the taps of one kernel row are adjacent pixels, whose channels follow
            // each other in memory; copy the part inside the image at once, zero the padding around it.
            const int64_t first = std::min<int64_t>(window_w, std::max<int64_t>(0, -ix0));
            const int64_t last = std::min<int64_t>(window_w, width - ix0);
            if (first > 0) std::memset(row, 0, first * channels * sizeof(T));
            if (last > first)
              copy_short(row + first * channels, line + (ix0 + first) * channels,
                         (last - first) * channels * sizeof(T));
            if (last < window_w) {
              const int64_t from = std::max(first, last);
              std::memset(row + from * channels, 0, (window_w - from) * channels * sizeof(T));
            }
            continue;
          }
          for (int64_t kx = 0; kx < window_w; ++kx) {
            int64_t ix = ix0 + kx * dilation_x;
            if (ix < 0 || ix >= width) {
              std::memset(row + kx * group_channels, 0, group_channels * sizeof(T));
            } else {
              copy_short(row + kx * group_channels, line + ix * channels, group_channels * sizeof(T));
            }
          }
        }
      }
    };
    // Patches of rows [r0, r0 + count) of group grp into buffer `buffer` (split over the threads when
    // `split`), then their product.
    auto patch_and_multiply = [&](int buffer, int64_t r0, int64_t count, int64_t grp, bool split) {
      auto build = [&]<class T>(T* col, const T* src) {
        if (!split) return gather(col, src, r0, 0, count, grp);
        parallel_for(count, 32, [&](int64_t begin, int64_t end) { gather(col, src, r0, begin, end, grp); });
      };
      const size_t offset = static_cast<size_t>(buffer * chunk_rows * k);
      if (bf16_in) {
        bf16_t* col = patches.mutable_data_as<bf16_t>() + offset;
        build(col, x.data_as<bf16_t>());
        return multiply(col, true, k, r0, count, grp);
      }
      float* col = patches.mutable_data_as<float>() + offset;
      build(col, x.data_as<float>());
      if (!round_patches) return multiply(col, false, k, r0, count, grp);
      bf16_t* half = patches_bf16.mutable_data_as<bf16_t>() + offset;
      float_to_bf16(col, count * k, half);
      return multiply(half, true, k, r0, count, grp);
    };

    Status status;
    if (per_thread_chunks) {
      std::atomic<int64_t> next{0};
      std::atomic<bool> failed{false};
      std::mutex failure_lock;
      // Chunks go to whichever thread is free; a share (one patch buffer) runs on one thread at a time.
      ThreadPool::global().parallel_shares(threads, [&](int buffer) {
        for (int64_t c = next++; c < chunks && !failed; c = next++) {
          const int64_t r0 = c * chunk, count = std::min(chunk, rows - r0);
          for (int64_t grp = 0; grp < group_; ++grp) {
            if (Status s = patch_and_multiply(buffer, r0, count, grp, false); !s) {
              std::lock_guard<std::mutex> guard(failure_lock);
              status = s;
              failed = true;
            }
          }
        }
      });
    } else {
      for (int64_t r0 = 0; r0 < rows && status.ok(); r0 += chunk) {
        const int64_t count = std::min(chunk, rows - r0);
        for (int64_t grp = 0; grp < group_ && status.ok(); ++grp) status = patch_and_multiply(0, r0, count, grp, true);
      }
    }
    ctx.arena.release(std::move(patches));
    if (round_patches) ctx.arena.release(std::move(patches_bf16));
    return status;
  }

  Status run_depthwise(const Window& win, const ConvWeights& cw, const Tensor& x, const Geometry& g, Tensor& y,
                       bool accumulate, bool activation) const {
    const auto& xs = x.shape();
    const depthwise::Problem p{.x = x.data(),
                               .w = cw.depthwise.data(),
                               .bias = cw.bias.empty() ? nullptr : cw.bias.data(),
                               .y = y.mutable_data(),
                               .batch = xs[0],
                               .channels = xs[1],
                               .in_h = xs[2],
                               .in_w = xs[3],
                               .out_h = g.out[0],
                               .out_w = g.out[1],
                               .kh = win.kernel[0],
                               .kw = win.kernel[1],
                               .stride_h = win.stride[0],
                               .stride_w = win.stride[1],
                               .dilation_h = win.dilation[0],
                               .dilation_w = win.dilation[1],
                               .pad_top = g.pad_begin[0],
                               .pad_left = g.pad_begin[1],
                               .accumulate = accumulate,
                               .relu = activation && fusion_.relu,
                               .upper = activation ? fusion_.upper : std::numeric_limits<float>::infinity(),
                               .x_bf16 = x.dtype() == DType::bfloat16,
                               .y_bf16 = y.dtype() == DType::bfloat16};
    const depthwise::Lines lines = depthwise::selected_row().lines();
    parallel_for(p.batch * p.out_h, 1, [&](int64_t begin, int64_t end) { lines(p, begin, end); });
    return {};
  }

  Window window_;
  int64_t group_;
  Fusion fusion_;
  FpMath fpmath_;
  std::optional<ConvWeights> weights_;
  std::vector<int64_t> weight_shape_;
  bool bias_constant_ = true;
  bool bf16_output_ = false;
  bool winograd_allowed_ = true;
};

KernelResult make_conv(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  Window window;
  if (Status s = read_window(attrs, window, false); !s) return s;
  int64_t group = attrs.get_int("group", 1);
  if (Status s = attrs.check_all_used(); !s) return s;
  if (group < 1) return invalid("group must be >= 1");
  if (!spec.has_input(0) || !spec.has_input(1)) return invalid("Conv needs inputs X and W");
  if (const Tensor* w = spec.constant(1)) {
    if (w->shape().size() != 4) {
      return unsupported("only 2-D convolutions are supported (weights " + shape_string(w->shape()) + ")");
    }
    if (!attrs.has("kernel_shape")) {
      window.kernel[0] = w->shape()[2];
      window.kernel[1] = w->shape()[3];
    }
  } else if (!attrs.has("kernel_shape")) {
    window.kernel[0] = window.kernel[1] = -1;  // taken from the weights at run time
  }
  auto kernel = std::make_unique<ConvKernel>(window, group, spec.fusion, spec.fpmath, spec.winograd);
  if (Status s = kernel->prepare(spec); !s) return s;
  return std::unique_ptr<Kernel>(std::move(kernel));
}

// ConvTranspose on plain NCHW data: per image and group, columns = W^T x (one GEMM), then each column
// entry is added into the output pixel it reaches (col2im).
class ConvTransposeKernel final : public Kernel {
 public:
  ConvTransposeKernel(Window window, int64_t group, std::vector<int64_t> output_padding, std::vector<int64_t> output_shape)
      : window_(window), group_(group), output_padding_(std::move(output_padding)), output_shape_(std::move(output_shape)) {}

  std::string describe() const override { return window_string(window_); }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    Tensor x = to_plain(ctx.arena, *in[0]);
    const Tensor& w = in[1]->tensor;
    const auto& xs = x.shape();
    if (xs.size() != 4 || w.shape().size() != 4) return unsupported("only 2-D transposed convolutions are supported");
    const int64_t batch = xs[0], cin = xs[1], in_h = xs[2], in_w = xs[3];
    if (w.shape()[0] != cin || cin % group_ != 0) {
      return invalid("weights " + shape_string(w.shape()) + " do not match " + std::to_string(cin) + " input channels");
    }
    const int64_t cin_g = cin / group_, cout_g = w.shape()[1], cout = cout_g * group_;
    const int64_t kh = w.shape()[2], kw = w.shape()[3];
    const int64_t in_size[2] = {in_h, in_w}, kernel[2] = {kh, kw};
    int64_t out_size[2], pad_begin[2];
    for (int i = 0; i < 2; ++i) {
      int64_t extent = (kernel[i] - 1) * window_.dilation[i] + 1;
      int64_t opad = output_padding_.empty() ? 0 : output_padding_[i];
      int64_t natural = window_.stride[i] * (in_size[i] - 1) + opad + extent;
      if (!output_shape_.empty() || (window_.auto_pad == AutoPad::same_upper || window_.auto_pad == AutoPad::same_lower)) {
        int64_t target = !output_shape_.empty() ? output_shape_[output_shape_.size() - 2 + i] : in_size[i] * window_.stride[i];
        // ONNX: SAME_UPPER starts with floor(total / 2); NOTSET and SAME_LOWER with the rest. A negative total
        // (output_shape larger than natural) pads the output on the other side.
        int64_t total = natural - target;
        int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
        pad_begin[i] = window_.auto_pad == AutoPad::same_upper ? half : total - half;
        out_size[i] = target;
      } else if (window_.auto_pad == AutoPad::valid) {
        pad_begin[i] = 0;
        out_size[i] = natural;
      } else {
        pad_begin[i] = window_.pads[i];
        out_size[i] = natural - window_.pads[i] - window_.pads[i + 2];
      }
      if (out_size[i] < 1) return invalid("the output would be empty");
    }
    const Tensor* bias = in.size() > 2 && in[2] ? &in[2]->tensor : nullptr;
    if (bias && (bias->dtype() != DType::float32 || bias->size() != cout)) return invalid("bias must have one value per output channel");

    Tensor y = ctx.arena.allocate(DType::float32, {batch, cout, out_size[0], out_size[1]});
    float* dst = y.mutable_data_as<float>();
    const int64_t rows = cout_g * kh * kw, hw = in_h * in_w, out_hw = out_size[0] * out_size[1];
    Tensor cols = ctx.arena.allocate(DType::float32, {rows, hw});
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t grp = 0; grp < group_; ++grp) {
        const float* xg = x.data_as<float>() + (b * cin + grp * cin_g) * hw;
        const float* wg = w.data_as<float>() + grp * cin_g * rows;
        Status s = gemm(Layout::row_major, Trans::yes, Trans::no, rows, hw, cin_g, 1.0f, wg, rows, xg, hw, 0.0f,
                        cols.mutable_data_as<float>(), hw);
        if (!s) return s;
        for (int64_t co = 0; co < cout_g; ++co) {
          float* plane = dst + (b * cout + grp * cout_g + co) * out_hw;
          std::fill(plane, plane + out_hw, bias ? bias->data_as<float>()[grp * cout_g + co] : 0.0f);
          for (int64_t ky = 0; ky < kh; ++ky) {
            for (int64_t kx = 0; kx < kw; ++kx) {
              const float* c = cols.data_as<float>() + ((co * kh + ky) * kw + kx) * hw;
              for (int64_t iy = 0; iy < in_h; ++iy) {
                int64_t oy = iy * window_.stride[0] - pad_begin[0] + ky * window_.dilation[0];
                if (oy < 0 || oy >= out_size[0]) continue;
                for (int64_t ix = 0; ix < in_w; ++ix) {
                  int64_t ox = ix * window_.stride[1] - pad_begin[1] + kx * window_.dilation[1];
                  if (ox >= 0 && ox < out_size[1]) plane[oy * out_size[1] + ox] += c[iy * in_w + ix];
                }
              }
            }
          }
        }
      }
    }
    ctx.arena.release(std::move(cols));
    out[0] = Value{std::move(y), false};
    return {};
  }

 private:
  Window window_;
  int64_t group_;
  std::vector<int64_t> output_padding_;
  std::vector<int64_t> output_shape_;
};

KernelResult make_conv_transpose(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  Window window;
  if (Status s = read_window(attrs, window, false); !s) return s;
  int64_t group = attrs.get_int("group", 1);
  auto output_padding = attrs.get_ints("output_padding");
  auto output_shape = attrs.get_ints("output_shape");
  if (Status s = attrs.check_all_used(); !s) return s;
  if (group < 1) return invalid("group must be >= 1");
  if (!output_padding.empty() && output_padding.size() != 2) return unsupported("only 2-D output_padding is supported");
  if (!output_shape.empty() && output_shape.size() != 2 && output_shape.size() != 4) {
    return unsupported("only 2-D output_shape is supported");
  }
  if (!spec.has_input(0) || !spec.has_input(1)) return invalid("ConvTranspose needs inputs X and W");
  return std::unique_ptr<Kernel>(std::make_unique<ConvTransposeKernel>(window, group, output_padding, output_shape));
}

}  // namespace

// Shared with the pools: the same window attributes and output arithmetic.
Status read_pool_window(Attributes& attrs, int64_t kernel[2], int64_t stride[2], int64_t dilation[2], int64_t pads[4],
                        int& auto_pad) {
  Window w;
  if (Status s = read_window(attrs, w, true); !s) return s;
  for (int i = 0; i < 2; ++i) {
    kernel[i] = w.kernel[i];
    stride[i] = w.stride[i];
    dilation[i] = w.dilation[i];
  }
  for (int i = 0; i < 4; ++i) pads[i] = w.pads[i];
  auto_pad = static_cast<int>(w.auto_pad);
  return {};
}

Status pool_geometry(const int64_t kernel[2], const int64_t stride[2], const int64_t dilation[2], const int64_t pads[4],
                     int auto_pad, bool ceil_mode, int64_t in_h, int64_t in_w, int64_t out[2], int64_t pad_begin[2],
                     int64_t pad_end[2]) {
  Window w;
  for (int i = 0; i < 2; ++i) {
    w.kernel[i] = kernel[i];
    w.stride[i] = stride[i];
    w.dilation[i] = dilation[i];
  }
  for (int i = 0; i < 4; ++i) w.pads[i] = pads[i];
  w.auto_pad = static_cast<AutoPad>(auto_pad);
  auto g = resolve(w, in_h, in_w, ceil_mode);
  if (!g) return g.status();
  for (int i = 0; i < 2; ++i) {
    out[i] = g->out[i];
    pad_begin[i] = g->pad_begin[i];
    pad_end[i] = g->pad_end[i];
  }
  return {};
}

void register_conv_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["Conv"] = make_conv;
  makers["ConvTranspose"] = make_conv_transpose;
}

}  // namespace armory::nn
