// Elementwise operators: activations, Add/Sub/Mul/Div with numpy broadcasting, and BatchNormalization in
// inference form (a per-channel affine map) for the BatchNorms the optimiser could not fold into a conv.
#include "nn/kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace armory::nn {

namespace {

using UnaryFn = float (*)(float x, float p0, float p1);

// The function is a template argument, so each operator gets its own loop with the function inlined (and
// vectorised where it can be): called through a pointer per value, MobileNetV2's ReLU6s (Clip) took 13.7
// of its 28.8 ms at batch 1, 2.7 ms for the largest (1.2 M values).
template <UnaryFn Fn>
class UnaryKernel final : public Kernel {
 public:
  UnaryKernel(float p0, float p1) : p0_(p0), p1_(p1) {}
  bool accepts_nhwc(size_t index) const override { return index == 0; }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Value& x = *in[0];
    if (x.tensor.dtype() != DType::float32) return unsupported("this operator supports float32 only");
    Tensor y = ctx.arena.allocate(DType::float32, x.tensor.shape());
    const float* src = x.tensor.data_as<float>();
    float* dst = y.mutable_data_as<float>();
    const float p0 = p0_, p1 = p1_;
    parallel_for(y.size(), 1 << 15, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) dst[i] = Fn(src[i], p0, p1);
    });
    out[0] = Value{std::move(y), x.nhwc};
    return {};
  }

 private:
  float p0_, p1_;
};

float relu(float x, float, float) { return x < 0 ? 0.0f : x; }  // NaN stays NaN
float leaky_relu(float x, float alpha, float) { return x >= 0 ? x : alpha * x; }
float sigmoid(float x, float, float) { return 1.0f / (1.0f + std::exp(-x)); }
float hard_sigmoid(float x, float alpha, float beta) { return std::clamp(alpha * x + beta, 0.0f, 1.0f); }
float hard_swish(float x, float, float) { return x * std::clamp(x / 6.0f + 0.5f, 0.0f, 1.0f); }
float tanh_fn(float x, float, float) { return std::tanh(x); }
float abs_fn(float x, float, float) { return std::fabs(x); }
float neg(float x, float, float) { return -x; }
float exp_fn(float x, float, float) { return std::exp(x); }
float log_fn(float x, float, float) { return std::log(x); }
float sqrt_fn(float x, float, float) { return std::sqrt(x); }
float reciprocal(float x, float, float) { return 1.0f / x; }
float floor_fn(float x, float, float) { return std::floor(x); }
float ceil_fn(float x, float, float) { return std::ceil(x); }
float elu(float x, float alpha, float) { return x >= 0 ? x : alpha * (std::exp(x) - 1.0f); }
float softplus(float x, float, float) { return std::log1p(std::exp(x)); }
float erf_fn(float x, float, float) { return std::erf(x); }
float clip(float x, float lo, float hi) { return std::min(std::max(x, lo), hi); }  // NaN passes through

template <UnaryFn Fn>
KernelResult make_unary(const NodeSpec& spec, const char* p0_name = nullptr, float p0 = 0,
                        const char* p1_name = nullptr, float p1 = 0) {
  Attributes attrs(spec.node);
  if (p0_name) p0 = attrs.get_float(p0_name, p0);
  if (p1_name) p1 = attrs.get_float(p1_name, p1);
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::make_unique<UnaryKernel<Fn>>(p0, p1));
}

// Clip's bounds are inputs from opset 11 on (possibly computed), attributes before.
class ClipKernel final : public Kernel {
 public:
  ClipKernel(float lo, float hi) : lo_(lo), hi_(hi) {}
  bool accepts_nhwc(size_t index) const override { return index == 0; }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    float bound[2] = {lo_, hi_};
    for (int i = 0; i < 2; ++i) {
      if (in.size() <= size_t(i + 1) || in[i + 1] == nullptr) continue;
      const Tensor& t = in[i + 1]->tensor;
      if (t.dtype() != DType::float32 || t.size() != 1) return invalid("Clip's min and max must be float32 scalars");
      bound[i] = *t.data_as<float>();
    }
    UnaryKernel<clip> inner(bound[0], bound[1]);
    return inner.run(ctx, in.first(1), out);
  }

 private:
  float lo_, hi_;
};

KernelResult make_clip(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (spec.opset < 11) {
    lo = attrs.get_float("min", lo);
    hi = attrs.get_float("max", hi);
  }
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::make_unique<ClipKernel>(lo, hi));
}

// Identity and inference-mode Dropout: the output is the input, no copy; Dropout's optional mask keeps
// every element (all true).
class PassThroughKernel final : public Kernel {
 public:
  bool accepts_nhwc(size_t index) const override { return index == 0; }
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    out[0] = *in[0];
    if (out.size() > 1) {
      Tensor mask = ctx.arena.allocate(DType::boolean, in[0]->tensor.shape());
      std::fill(mask.mutable_data_as<uint8_t>(), mask.mutable_data_as<uint8_t>() + mask.size(), uint8_t{1});
      out[1] = Value{std::move(mask), false};
    }
    return {};
  }
};

KernelResult make_pass_through(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  if (spec.node.op_type == "Dropout") {
    attrs.get_float("ratio", 0.5f);
    attrs.get_int("seed", 0);
    if (spec.has_input(2)) {
      const Tensor* training = spec.constant(2);
      if (training == nullptr || training->dtype() != DType::boolean || training->size() != 1) {
        return unsupported("Dropout's training_mode must be a constant bool");
      }
      // Training mode drops nothing when the ratio is a constant 0 (exporters write that for p = 0).
      const Tensor* ratio = spec.has_input(1) ? spec.constant(1) : nullptr;
      const bool zero_ratio = ratio && ratio->dtype() == DType::float32 && ratio->size() == 1 && *ratio->data_as<float>() == 0;
      if (*training->data_as<uint8_t>() != 0 && !zero_ratio) {
        return unsupported("Dropout in training mode (armory runs inference)");
      }
    }
  }
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::make_unique<PassThroughKernel>());
}

// ---- binary ----

template <class T>
T apply(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return b == T(0) && std::is_integral_v<T> ? T(0) : a / b;
    case BinaryOp::mod:  // integers, the result takes the divisor's sign (Python's %)
      if constexpr (std::is_integral_v<T>) {
        if (b == T(0)) return T(0);
        T r = a % b;
        return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
      } else {
        return a - b * std::floor(a / b);
      }
    case BinaryOp::fmod:  // C's fmod: the dividend's sign
      if constexpr (std::is_integral_v<T>) {
        return b == T(0) ? T(0) : a % b;
      } else {
        return std::fmod(a, b);
      }
    case BinaryOp::pow:
      if constexpr (std::is_integral_v<T>) {
        return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
      } else {
        return b == T(2) ? a * a : std::pow(a, b);  // x^2 (LayerNorm's variance) is most of the Pows exporters write
      }
  }
  return a;
}

template <class T>
void broadcast_loop(BinaryOp op, const T* a, const std::vector<int64_t>& sa, const T* b, const std::vector<int64_t>& sb,
                    T* y, const std::vector<int64_t>& shape) {
  const size_t rank = shape.size();
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (total == 0) return;
  const int64_t inner = rank ? shape[rank - 1] : 1;
  const int64_t ia = rank ? sa[rank - 1] : 0, ib = rank ? sb[rank - 1] : 0;
  std::vector<int64_t> index(rank, 0);
  int64_t oa = 0, ob = 0;
  for (int64_t pos = 0; pos < total; pos += inner) {
    for (int64_t j = 0; j < inner; ++j) y[pos + j] = apply(op, a[oa + j * ia], b[ob + j * ib]);
    for (size_t d = rank == 0 ? 0 : rank - 1; d-- > 0;) {  // odometer over the outer dimensions (none for scalars)
      oa += sa[d];
      ob += sb[d];
      if (++index[d] < shape[d]) break;
      oa -= sa[d] * shape[d];
      ob -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace

Result<Value> binary(RunContext& ctx, BinaryOp op, const Value& va, const Value& vb_given) {
  // Pow may raise a float to an integer power (ONNX lets the exponent's type differ): make it a float.
  Value vb = vb_given;
  if (op == BinaryOp::pow && va.tensor.dtype() == DType::float32 && vb.tensor.dtype() == DType::int64) {
    Tensor exponent = ctx.arena.allocate(DType::float32, vb.tensor.shape());
    for (int64_t i = 0; i < exponent.size(); ++i) {
      exponent.mutable_data_as<float>()[i] = static_cast<float>(vb.tensor.data_as<int64_t>()[i]);
    }
    vb = Value{std::move(exponent), vb.nhwc};
  }
  if (op == BinaryOp::pow && va.tensor.dtype() == DType::int64 && vb.tensor.dtype() == DType::float32) {
    // An integer base keeps its type: the power is taken in floating point and truncated, as numpy's astype.
    Tensor base = ctx.arena.allocate(DType::float32, va.tensor.shape());
    for (int64_t i = 0; i < base.size(); ++i) base.mutable_data_as<float>()[i] = static_cast<float>(va.tensor.data_as<int64_t>()[i]);
    auto power = binary(ctx, op, Value{std::move(base), va.nhwc}, vb);
    if (!power) return power.status();
    const Tensor& p = power->tensor;
    Tensor out = ctx.arena.allocate(DType::int64, p.shape());
    for (int64_t i = 0; i < p.size(); ++i) out.mutable_data_as<int64_t>()[i] = static_cast<int64_t>(p.data_as<float>()[i]);
    return Value{std::move(out), power->nhwc};
  }
  if (va.tensor.dtype() != vb.tensor.dtype()) {
    return invalid(std::string("operands have different types (") + dtype_name(va.tensor.dtype()) + ", " +
                   dtype_name(vb.tensor.dtype()) + ")");
  }
  const DType dtype = va.tensor.dtype();
  // Two channels-last operands of one shape combine element by element, staying channels-last.
  bool nhwc = va.nhwc && vb.nhwc && va.tensor.shape() == vb.tensor.shape();
  Tensor a = nhwc ? va.tensor : to_plain(ctx.arena, va);
  Tensor b = nhwc ? vb.tensor : to_plain(ctx.arena, vb);
  auto shape = broadcast_shape(a.shape(), b.shape());
  if (!shape) return shape.status();
  Tensor y = ctx.arena.allocate(dtype, shape.value());
  if (a.shape() == b.shape() && dtype == DType::float32) {
    const float* pa = a.data_as<float>();
    const float* pb = b.data_as<float>();
    float* py = y.mutable_data_as<float>();
    parallel_for(y.size(), 1 << 15, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) py[i] = apply(op, pa[i], pb[i]);
    });
  } else {
    auto sa = broadcast_strides(a.shape(), shape.value());
    auto sb = broadcast_strides(b.shape(), shape.value());
    if (dtype == DType::float32) {
      broadcast_loop(op, a.data_as<float>(), sa, b.data_as<float>(), sb, y.mutable_data_as<float>(), shape.value());
    } else {
      broadcast_loop(op, a.data_as<int64_t>(), sa, b.data_as<int64_t>(), sb, y.mutable_data_as<int64_t>(), shape.value());
    }
  }
  return Value{std::move(y), nhwc};
}

namespace {

class BinaryKernel final : public Kernel {
 public:
  explicit BinaryKernel(BinaryOp op) : op_(op) {}
  bool accepts_nhwc(size_t) const override { return true; }
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    auto y = binary(ctx, op_, *in[0], *in[1]);
    if (!y) return y.status();
    out[0] = std::move(y.value());
    return {};
  }

 private:
  BinaryOp op_;
};

KernelResult make_binary(const NodeSpec& spec, BinaryOp op) {
  Attributes attrs(spec.node);
  if (op == BinaryOp::mod && attrs.get_int("fmod", 0) != 0) op = BinaryOp::fmod;
  if (spec.opset < 7 && (attrs.has("broadcast") || attrs.has("axis"))) return unsupported("legacy broadcast attributes");
  if (Status s = attrs.check_all_used(); !s) return s;
  if (!spec.has_input(0) || !spec.has_input(1)) return invalid("needs two inputs");
  return std::unique_ptr<Kernel>(std::make_unique<BinaryKernel>(op));
}

// ---- BatchNormalization ----

class BatchNormKernel final : public Kernel {
 public:
  explicit BatchNormKernel(float epsilon) : epsilon_(epsilon) {}
  bool accepts_nhwc(size_t index) const override { return index == 0; }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Value& x = *in[0];
    const auto& xs = x.tensor.shape();
    if (x.tensor.dtype() != DType::float32) return unsupported("BatchNormalization supports float32 only");
    if (xs.size() < 2) return invalid("input " + shape_string(xs) + " has no channel dimension");
    const int64_t batch = xs[0], c = xs[1];
    int64_t spatial = 1;
    for (size_t i = 2; i < xs.size(); ++i) spatial *= xs[i];
    std::vector<float> scale(c), shift(c);
    for (int i = 1; i <= 4; ++i) {
      if (in[i]->tensor.dtype() != DType::float32 || in[i]->tensor.size() != c) {
        return invalid("scale, B, mean and var must have " + std::to_string(c) + " values");
      }
    }
    const float* gamma = in[1]->tensor.data_as<float>();
    const float* beta = in[2]->tensor.data_as<float>();
    const float* mean = in[3]->tensor.data_as<float>();
    const float* var = in[4]->tensor.data_as<float>();
    for (int64_t ch = 0; ch < c; ++ch) {
      scale[ch] = gamma[ch] / std::sqrt(var[ch] + epsilon_);
      shift[ch] = beta[ch] - mean[ch] * scale[ch];
    }
    Tensor y = ctx.arena.allocate(DType::float32, xs);
    const float* src = x.tensor.data_as<float>();
    float* dst = y.mutable_data_as<float>();
    if (x.nhwc) {
      for (int64_t p = 0; p < batch * spatial; ++p) {
        for (int64_t ch = 0; ch < c; ++ch) dst[p * c + ch] = src[p * c + ch] * scale[ch] + shift[ch];
      }
    } else {
      for (int64_t plane = 0; plane < batch * c; ++plane) {
        int64_t ch = plane % c;
        for (int64_t i = 0; i < spatial; ++i) dst[plane * spatial + i] = src[plane * spatial + i] * scale[ch] + shift[ch];
      }
    }
    out[0] = Value{std::move(y), x.nhwc};
    return {};
  }

 private:
  float epsilon_;
};

KernelResult make_batch_norm(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  float epsilon = attrs.get_float("epsilon", 1e-5f);
  attrs.get_float("momentum", 0.9f);
  if (attrs.get_int("training_mode", 0) != 0) return unsupported("training_mode = 1 is not supported (inference only)");
  if (attrs.get_int("spatial", 1) != 1) return unsupported("spatial = 0 is not supported");
  attrs.get_ints("consumed_inputs");
  if (Status s = attrs.check_all_used(); !s) return s;
  for (size_t i = 0; i < 5; ++i) {
    if (!spec.has_input(i)) return invalid("BatchNormalization needs X, scale, B, mean and var");
  }
  for (size_t i = 1; i < spec.node.outputs.size(); ++i) {
    if (!spec.node.outputs[i].empty()) return unsupported("running mean/var outputs are training-only");
  }
  return std::unique_ptr<Kernel>(std::make_unique<BatchNormKernel>(epsilon));
}

}  // namespace

void register_elementwise_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["Relu"] = [](const NodeSpec& s) { return make_unary<relu>(s); };
  makers["LeakyRelu"] = [](const NodeSpec& s) { return make_unary<leaky_relu>(s, "alpha", 0.01f); };
  makers["Sigmoid"] = [](const NodeSpec& s) { return make_unary<sigmoid>(s); };
  makers["HardSigmoid"] = [](const NodeSpec& s) { return make_unary<hard_sigmoid>(s, "alpha", 0.2f, "beta", 0.5f); };
  makers["HardSwish"] = [](const NodeSpec& s) { return make_unary<hard_swish>(s); };
  makers["Tanh"] = [](const NodeSpec& s) { return make_unary<tanh_fn>(s); };
  makers["Abs"] = [](const NodeSpec& s) { return make_unary<abs_fn>(s); };
  makers["Neg"] = [](const NodeSpec& s) { return make_unary<neg>(s); };
  makers["Exp"] = [](const NodeSpec& s) { return make_unary<exp_fn>(s); };
  makers["Log"] = [](const NodeSpec& s) { return make_unary<log_fn>(s); };
  makers["Sqrt"] = [](const NodeSpec& s) { return make_unary<sqrt_fn>(s); };
  makers["Reciprocal"] = [](const NodeSpec& s) { return make_unary<reciprocal>(s); };
  makers["Floor"] = [](const NodeSpec& s) { return make_unary<floor_fn>(s); };
  makers["Ceil"] = [](const NodeSpec& s) { return make_unary<ceil_fn>(s); };
  makers["Elu"] = [](const NodeSpec& s) { return make_unary<elu>(s, "alpha", 1.0f); };
  makers["Softplus"] = [](const NodeSpec& s) { return make_unary<softplus>(s); };
  makers["Erf"] = [](const NodeSpec& s) { return make_unary<erf_fn>(s); };
  makers["Clip"] = make_clip;
  makers["Identity"] = make_pass_through;
  makers["Dropout"] = make_pass_through;
  makers["Add"] = [](const NodeSpec& s) { return make_binary(s, BinaryOp::add); };
  makers["Sub"] = [](const NodeSpec& s) { return make_binary(s, BinaryOp::sub); };
  makers["Mul"] = [](const NodeSpec& s) { return make_binary(s, BinaryOp::mul); };
  makers["Div"] = [](const NodeSpec& s) { return make_binary(s, BinaryOp::div); };
  makers["Pow"] = [](const NodeSpec& s) { return make_binary(s, BinaryOp::pow); };
  makers["Mod"] = [](const NodeSpec& s) { return make_binary(s, BinaryOp::mod); };
  makers["BatchNormalization"] = make_batch_norm;
}

}  // namespace armory::nn
