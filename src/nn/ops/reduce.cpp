// Softmax, LogSoftmax and the Reduce* family (mean, sum, max, min) over chosen axes.
#include "nn/kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace armory::nn {

namespace {

int64_t product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= dims[i];
  return p;
}

class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(int64_t axis, bool coerce_2d, bool log) : axis_(axis), coerce_2d_(coerce_2d), log_(log) {}

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Tensor& x = in[0]->tensor;
    if (x.dtype() != DType::float32) return unsupported("Softmax supports float32 only");
    const auto& s = x.shape();
    int64_t rank = static_cast<int64_t>(s.size()), a = axis_;
    if (!normalize_axis(a, rank)) return invalid("axis " + std::to_string(axis_) + " is out of range for " + shape_string(s));
    // Opset < 13 flattens to [outer, everything from axis on]; 13 on reduces the one axis.
    const int64_t outer = product(s, 0, a);
    const int64_t dim = coerce_2d_ ? product(s, a, rank) : s[a];
    const int64_t inner = coerce_2d_ ? 1 : product(s, a + 1, rank);
    Tensor y = ctx.arena.allocate(DType::float32, s);
    const float* src = x.data_as<float>();
    float* dst = y.mutable_data_as<float>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const float* p = src + o * dim * inner + i;
        float* q = dst + o * dim * inner + i;
        float max = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < dim; ++j) max = std::max(max, p[j * inner]);
        double sum = 0;
        for (int64_t j = 0; j < dim; ++j) sum += std::exp(static_cast<double>(p[j * inner] - max));
        for (int64_t j = 0; j < dim; ++j) {
          float shifted = p[j * inner] - max;
          q[j * inner] = log_ ? shifted - static_cast<float>(std::log(sum)) : static_cast<float>(std::exp(shifted) / sum);
        }
      }
    }
    out[0] = Value{std::move(y), false};
    return {};
  }

 private:
  int64_t axis_;
  bool coerce_2d_;
  bool log_;
};

KernelResult make_softmax(const NodeSpec& spec, bool log) {
  Attributes attrs(spec.node);
  bool coerce = spec.opset < 13;
  int64_t axis = attrs.get_int("axis", coerce ? 1 : -1);
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::make_unique<SoftmaxKernel>(axis, coerce, log));
}

enum class Reduction { mean, sum, max, min };

class ReduceKernel final : public Kernel {
 public:
  Reduction kind;
  std::vector<int64_t> axes;
  bool axes_from_input = false;
  bool keepdims = true;
  bool noop_with_empty_axes = false;

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Tensor& x = in[0]->tensor;
    if (x.dtype() != DType::float32) return unsupported("Reduce supports float32 only");
    const auto& s = x.shape();
    const int64_t rank = static_cast<int64_t>(s.size());
    std::vector<int64_t> chosen = axes;
    if (axes_from_input && in.size() > 1 && in[1]) {
      const Tensor& t = in[1]->tensor;
      if (t.dtype() != DType::int64) return invalid("axes must be int64");
      chosen.assign(t.data_as<int64_t>(), t.data_as<int64_t>() + t.size());
    }
    if (chosen.empty() && noop_with_empty_axes) {
      out[0] = *in[0];
      return {};
    }
    std::vector<bool> reduce(rank, chosen.empty());
    for (int64_t a : chosen) {
      if (!normalize_axis(a, rank)) return invalid("axis is out of range for " + shape_string(s));
      reduce[a] = true;
    }
    std::vector<int64_t> kept_shape, out_shape;
    for (int64_t d = 0; d < rank; ++d) {
      kept_shape.push_back(reduce[d] ? 1 : s[d]);
      if (!reduce[d]) out_shape.push_back(s[d]);
    }
    Tensor y = ctx.arena.allocate(DType::float32, keepdims ? kept_shape : out_shape);
    float* dst = y.mutable_data_as<float>();
    const int64_t outputs = y.size();
    const float init = kind == Reduction::max ? -std::numeric_limits<float>::infinity()
                       : kind == Reduction::min ? std::numeric_limits<float>::infinity()
                                                : 0.0f;
    std::vector<double> acc(outputs, init);
    // Output strides over the input's index (0 on reduced axes).
    std::vector<int64_t> ostride(rank, 0);
    for (int64_t d = rank, stride = 1; d-- > 0;) {
      if (!reduce[d]) {
        ostride[d] = stride;
        stride *= s[d];
      }
    }
    std::vector<int64_t> index(rank, 0);
    const float* src = x.data_as<float>();
    int64_t o = 0;
    for (int64_t i = 0, total = x.size(); i < total; ++i) {
      double v = src[i];
      switch (kind) {
        case Reduction::mean:
        case Reduction::sum: acc[o] += v; break;
        case Reduction::max:
          acc[o] = max_keeping_nan(acc[o], v);
          break;
        case Reduction::min:
          acc[o] = min_keeping_nan(acc[o], v);
          break;
      }
      for (int64_t d = rank; d-- > 0;) {
        o += ostride[d];
        if (++index[d] < s[d]) break;
        o -= ostride[d] * s[d];
        index[d] = 0;
      }
    }
    const double count = outputs > 0 ? static_cast<double>(x.size()) / static_cast<double>(outputs) : 1.0;
    for (int64_t i = 0; i < outputs; ++i) dst[i] = static_cast<float>(kind == Reduction::mean ? acc[i] / count : acc[i]);
    out[0] = Value{std::move(y), false};
    return {};
  }
};

KernelResult make_reduce(const NodeSpec& spec, Reduction kind) {
  Attributes attrs(spec.node);
  auto k = std::make_unique<ReduceKernel>();
  k->kind = kind;
  k->keepdims = attrs.get_int("keepdims", 1) != 0;
  // ReduceSum takes its axes as an input from opset 13 on; the others only from opset 18.
  k->axes_from_input = kind == Reduction::sum && spec.opset >= 13;
  if (k->axes_from_input) {
    k->noop_with_empty_axes = attrs.get_int("noop_with_empty_axes", 0) != 0;
  } else {
    k->axes = attrs.get_ints("axes");
  }
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::move(k));
}

}  // namespace

void register_reduce_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["Softmax"] = [](const NodeSpec& s) { return make_softmax(s, false); };
  makers["LogSoftmax"] = [](const NodeSpec& s) { return make_softmax(s, true); };
  makers["ReduceMean"] = [](const NodeSpec& s) { return make_reduce(s, Reduction::mean); };
  makers["ReduceSum"] = [](const NodeSpec& s) { return make_reduce(s, Reduction::sum); };
  makers["ReduceMax"] = [](const NodeSpec& s) { return make_reduce(s, Reduction::max); };
  makers["ReduceMin"] = [](const NodeSpec& s) { return make_reduce(s, Reduction::min); };
}

}  // namespace armory::nn
