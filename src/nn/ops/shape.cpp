// Operators that move data without arithmetic: shapes, views, copies and the Shape -> Gather -> Concat ->
// Reshape chains exporters produce. Reshape, Flatten, Squeeze and Unsqueeze return views, never copies.
#include "nn/kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace armory::nn {

namespace {

int64_t product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < dims.size(); ++i) p *= dims[i];
  return p;
}

Result<std::vector<int64_t>> read_ints(const Value* v, const char* what) {
  if (v == nullptr) return invalid(std::string(what) + " is missing");
  const Tensor& t = v->tensor;
  if (t.dtype() != DType::int64) return invalid(std::string(what) + " must be int64");
  return std::vector<int64_t>(t.data_as<int64_t>(), t.data_as<int64_t>() + t.size());
}

// A kernel defined by one function of (context, inputs) -> outputs; the attribute parsing happens in the
// maker, which captures what the function needs.
using RunFn = std::function<Status(RunContext&, std::span<const Value* const>, std::span<Value>)>;

class FnKernel final : public Kernel {
 public:
  explicit FnKernel(RunFn fn) : fn_(std::move(fn)) {}
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    return fn_(ctx, in, out);
  }

 private:
  RunFn fn_;
};

KernelResult kernel_of(Attributes& attrs, RunFn fn) {
  if (Status s = attrs.check_all_used(); !s) return s;
  return std::unique_ptr<Kernel>(std::make_unique<FnKernel>(std::move(fn)));
}

KernelResult make_reshape(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  bool allow_zero = attrs.get_int("allowzero", 0) != 0;
  if (spec.opset < 5) return unsupported("Reshape-1 (shape as an attribute) is not supported");
  return kernel_of(attrs, [allow_zero](RunContext&, std::span<const Value* const> in, std::span<Value> out) -> Status {
    const Tensor& x = in[0]->tensor;
    auto wanted = read_ints(in.size() > 1 ? in[1] : nullptr, "shape");
    if (!wanted) return wanted.status();
    std::vector<int64_t> shape = wanted.value();
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allow_zero) {
        if (i >= x.shape().size()) return invalid("shape " + shape_string(wanted.value()) + " copies a dimension the input lacks");
        shape[i] = x.shape()[i];
      }
      if (shape[i] == -1) {
        if (infer >= 0) return invalid("shape " + shape_string(wanted.value()) + " has more than one -1");
        infer = static_cast<int64_t>(i);
      } else if (shape[i] < 0) {
        return invalid("shape " + shape_string(wanted.value()) + " has a negative dimension");
      } else {
        known *= shape[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || x.size() % known != 0) {
        return invalid("cannot reshape " + shape_string(x.shape()) + " to " + shape_string(wanted.value()));
      }
      shape[infer] = x.size() / known;
    }
    if (product(shape, 0, shape.size()) != x.size()) {
      return invalid("cannot reshape " + shape_string(x.shape()) + " to " + shape_string(wanted.value()));
    }
    out[0] = Value{x.reshaped(shape), false};
    return {};
  });
}

KernelResult make_flatten(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  int64_t axis = attrs.get_int("axis", 1);
  return kernel_of(attrs, [axis](RunContext&, std::span<const Value* const> in, std::span<Value> out) -> Status {
    const Tensor& x = in[0]->tensor;
    int64_t rank = static_cast<int64_t>(x.shape().size()), a = axis;
    if (a < -rank || a > rank) return invalid("axis " + std::to_string(axis) + " is out of range for " + shape_string(x.shape()));
    if (a < 0) a += rank;
    out[0] = Value{x.reshaped({product(x.shape(), 0, a), product(x.shape(), a, rank)}), false};
    return {};
  });
}

KernelResult make_squeeze(const NodeSpec& spec, bool unsqueeze) {
  Attributes attrs(spec.node);
  std::vector<int64_t> attr_axes;
  bool axes_from_input = spec.opset >= 13;
  if (!axes_from_input) attr_axes = attrs.get_ints("axes");
  if (unsqueeze && !axes_from_input && attr_axes.empty()) return invalid("Unsqueeze needs axes");
  return kernel_of(attrs, [=](RunContext&, std::span<const Value* const> in, std::span<Value> out) -> Status {
    const Tensor& x = in[0]->tensor;
    std::vector<int64_t> axes = attr_axes;
    if (axes_from_input && in.size() > 1 && in[1]) {
      auto read = read_ints(in[1], "axes");
      if (!read) return read.status();
      axes = read.value();
    } else if (axes_from_input && unsqueeze) {
      return invalid("Unsqueeze needs axes");
    }
    const auto& s = x.shape();
    std::vector<int64_t> shape;
    if (unsqueeze) {
      int64_t rank = static_cast<int64_t>(s.size() + axes.size());
      std::vector<bool> inserted(rank, false);
      for (int64_t a : axes) {
        if (!normalize_axis(a, rank) || inserted[a]) return invalid("Unsqueeze axes are out of range or repeated");
        inserted[a] = true;
      }
      for (int64_t i = 0, j = 0; i < rank; ++i) shape.push_back(inserted[i] ? 1 : s[j++]);
    } else {
      int64_t rank = static_cast<int64_t>(s.size());
      std::vector<bool> removed(rank, false);
      for (int64_t a : axes) {
        if (!normalize_axis(a, rank)) return invalid("Squeeze axis is out of range for " + shape_string(s));
        if (s[a] != 1) return invalid("Squeeze axis " + std::to_string(a) + " of " + shape_string(s) + " is not 1");
        removed[a] = true;
      }
      for (int64_t i = 0; i < rank; ++i) {
        if (axes.empty() ? s[i] != 1 : !removed[i]) shape.push_back(s[i]);
      }
    }
    out[0] = Value{x.reshaped(shape), false};
    return {};
  });
}

KernelResult make_transpose(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  std::vector<int64_t> perm = attrs.get_ints("perm");
  return kernel_of(attrs, [perm](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    const Tensor& x = in[0]->tensor;
    const auto& s = x.shape();
    std::vector<int64_t> p = perm;
    if (p.empty()) {
      p.resize(s.size());
      for (size_t i = 0; i < s.size(); ++i) p[i] = static_cast<int64_t>(s.size() - 1 - i);
    }
    if (p.size() != s.size()) return invalid("perm has " + std::to_string(p.size()) + " axes, the input " + std::to_string(s.size()));
    std::vector<bool> seen(s.size(), false);
    auto strides = contiguous_strides(s);
    std::vector<int64_t> shape(s.size()), read(s.size());
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] < 0 || p[i] >= static_cast<int64_t>(s.size()) || seen[p[i]]) return invalid("perm is not a permutation");
      seen[p[i]] = true;
      shape[i] = s[p[i]];
      read[i] = strides[p[i]];
    }
    Tensor y = ctx.arena.allocate(x.dtype(), shape);
    gather_strided(x, 0, read, y);
    out[0] = Value{std::move(y), false};
    return {};
  });
}

KernelResult make_concat(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  if (!attrs.has("axis")) return invalid("Concat needs axis");
  int64_t axis = attrs.get_int("axis", 0);
  return kernel_of(attrs, [axis](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    std::vector<Tensor> parts;
    for (const Value* v : in) {
      if (v == nullptr) return invalid("Concat inputs cannot be omitted");
      parts.push_back(to_plain(ctx.arena, *v));
    }
    const auto& first = parts[0].shape();
    int64_t rank = static_cast<int64_t>(first.size()), a = axis;
    if (!normalize_axis(a, rank)) return invalid("axis " + std::to_string(axis) + " is out of range for " + shape_string(first));
    std::vector<int64_t> shape = first;
    shape[a] = 0;
    for (const Tensor& t : parts) {
      if (t.dtype() != parts[0].dtype() || static_cast<int64_t>(t.shape().size()) != rank) {
        return invalid("Concat inputs differ in type or rank");
      }
      for (int64_t d = 0; d < rank; ++d) {
        if (d != a && t.shape()[d] != first[d]) {
          return invalid("Concat inputs " + shape_string(first) + " and " + shape_string(t.shape()) + " differ outside the axis");
        }
      }
      shape[a] += t.shape()[a];
    }
    Tensor y = ctx.arena.allocate(parts[0].dtype(), shape);
    const size_t es = dtype_size(y.dtype());
    const int64_t outer = product(shape, 0, a), inner = product(shape, a + 1, rank);
    char* dst = static_cast<char*>(y.mutable_data());
    int64_t offset = 0;
    for (const Tensor& t : parts) {
      const int64_t block = t.shape()[a] * inner;
      const char* src = static_cast<const char*>(t.data());
      for (int64_t o = 0; o < outer; ++o) {
        std::memcpy(dst + (o * shape[a] * inner + offset) * es, src + o * block * es, block * es);
      }
      offset += block;
    }
    out[0] = Value{std::move(y), false};
    return {};
  });
}

KernelResult make_split(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  int64_t axis = attrs.get_int("axis", 0);
  std::vector<int64_t> attr_split;
  if (spec.opset < 13) attr_split = attrs.get_ints("split");
  const size_t outputs = spec.node.outputs.size();
  return kernel_of(attrs, [=](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    Tensor x = to_plain(ctx.arena, *in[0]);
    const auto& s = x.shape();
    int64_t rank = static_cast<int64_t>(s.size()), a = axis;
    if (!normalize_axis(a, rank)) return invalid("axis " + std::to_string(axis) + " is out of range for " + shape_string(s));
    std::vector<int64_t> sizes = attr_split;
    if (in.size() > 1 && in[1]) {
      auto read = read_ints(in[1], "split");
      if (!read) return read.status();
      sizes = read.value();
    }
    if (sizes.empty()) {
      if (s[a] % static_cast<int64_t>(outputs) != 0) {
        return invalid("dimension " + std::to_string(s[a]) + " does not split evenly into " + std::to_string(outputs));
      }
      sizes.assign(outputs, s[a] / static_cast<int64_t>(outputs));
    }
    if (sizes.size() != outputs || std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != s[a] ||
        std::any_of(sizes.begin(), sizes.end(), [](int64_t v) { return v < 0; })) {
      return invalid("split sizes do not add up to dimension " + std::to_string(s[a]));
    }
    auto strides = contiguous_strides(s);
    int64_t start = 0;
    for (size_t i = 0; i < outputs; ++i) {
      std::vector<int64_t> shape = s;
      shape[a] = sizes[i];
      Tensor y = ctx.arena.allocate(x.dtype(), shape);
      gather_strided(x, start * strides[a], strides, y);
      start += sizes[i];
      out[i] = Value{std::move(y), false};
    }
    return {};
  });
}

KernelResult make_slice(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  const bool from_inputs = spec.opset >= 10;
  std::vector<int64_t> a_starts, a_ends, a_axes;
  if (!from_inputs) {
    a_starts = attrs.get_ints("starts");
    a_ends = attrs.get_ints("ends");
    a_axes = attrs.get_ints("axes");
  }
  return kernel_of(attrs, [=](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    Tensor x = to_plain(ctx.arena, *in[0]);
    const auto& s = x.shape();
    const int64_t rank = static_cast<int64_t>(s.size());
    std::vector<int64_t> starts = a_starts, ends = a_ends, axes = a_axes, steps;
    if (from_inputs) {
      auto st = read_ints(in.size() > 1 ? in[1] : nullptr, "starts");
      auto en = read_ints(in.size() > 2 ? in[2] : nullptr, "ends");
      if (!st) return st.status();
      if (!en) return en.status();
      starts = st.value();
      ends = en.value();
      if (in.size() > 3 && in[3]) {
        auto ax = read_ints(in[3], "axes");
        if (!ax) return ax.status();
        axes = ax.value();
      }
      if (in.size() > 4 && in[4]) {
        auto sp = read_ints(in[4], "steps");
        if (!sp) return sp.status();
        steps = sp.value();
      }
    }
    if (starts.size() != ends.size()) return invalid("starts and ends differ in length");
    if (axes.empty()) {
      for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (axes.size() != starts.size() || steps.size() != starts.size()) return invalid("axes and steps must match starts");
    auto strides = contiguous_strides(s);
    std::vector<int64_t> shape = s, read = strides;
    int64_t offset = 0;
    std::vector<bool> seen(rank, false);
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t a = axes[i];
      if (!normalize_axis(a, rank) || seen[a]) return invalid("slice axes are out of range or repeated");
      seen[a] = true;
      const int64_t dim = s[a], step = steps[i];
      if (step == 0) return invalid("slice step cannot be 0");
      int64_t b = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
      int64_t count;
      if (step > 0) {
        b = std::clamp<int64_t>(b, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        count = e > b ? (e - b + step - 1) / step : 0;
      } else {
        b = std::clamp<int64_t>(b, -1, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        count = b > e ? (b - e + (-step) - 1) / (-step) : 0;
      }
      shape[a] = count;
      read[a] = strides[a] * step;
      if (count > 0) offset += b * strides[a];
    }
    Tensor y = ctx.arena.allocate(x.dtype(), shape);
    gather_strided(x, offset, read, y);
    out[0] = Value{std::move(y), false};
    return {};
  });
}

enum class PadMode { constant, reflect, edge };

template <class T>
void pad_copy(const Tensor& x, Tensor& y, const std::vector<int64_t>& begin, PadMode mode, T value) {
  const auto& in = x.shape();
  const auto& shape = y.shape();
  const size_t rank = shape.size();
  const auto strides = contiguous_strides(in);
  const T* src = x.data_as<T>();
  T* dst = y.mutable_data_as<T>();
  std::vector<int64_t> index(rank, 0);
  for (int64_t out = 0, total = y.size(); out < total; ++out) {
    int64_t pos = 0;
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      int64_t i = index[d] - begin[d];
      if (i < 0 || i >= in[d]) {
        if (mode == PadMode::constant || in[d] == 0) {
          outside = true;
          break;
        }
        if (mode == PadMode::edge) {
          i = std::clamp<int64_t>(i, 0, in[d] - 1);
        } else {
          int64_t period = 2 * (in[d] - 1);
          if (period == 0) {
            i = 0;
          } else {
            i = ((i % period) + period) % period;
            if (i >= in[d]) i = period - i;
          }
        }
      }
      pos += i * strides[d];
    }
    dst[out] = outside ? value : src[pos];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

KernelResult make_pad(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  std::string mode_name = attrs.get_string("mode", "constant");
  std::vector<int64_t> attr_pads;
  float attr_value = 0;
  const bool from_inputs = spec.opset >= 11;
  if (!from_inputs) {
    attr_pads = attrs.get_ints("pads");
    attr_value = attrs.get_float("value", 0.0f);
  }
  PadMode mode;
  if (mode_name == "constant") {
    mode = PadMode::constant;
  } else if (mode_name == "reflect") {
    mode = PadMode::reflect;
  } else if (mode_name == "edge") {
    mode = PadMode::edge;
  } else {
    return unsupported("Pad mode '" + mode_name + "' is not supported");
  }
  if (spec.has_input(3)) return unsupported("Pad's axes input is not supported");
  return kernel_of(attrs, [=](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    Tensor x = to_plain(ctx.arena, *in[0]);
    const auto& s = x.shape();
    const size_t rank = s.size();
    std::vector<int64_t> pads = attr_pads;
    if (from_inputs) {
      auto read = read_ints(in.size() > 1 ? in[1] : nullptr, "pads");
      if (!read) return read.status();
      pads = read.value();
    }
    if (pads.size() != 2 * rank) return invalid("pads needs " + std::to_string(2 * rank) + " values for " + shape_string(s));
    double value = attr_value;
    if (from_inputs && in.size() > 2 && in[2]) {
      const Tensor& v = in[2]->tensor;
      if (v.size() != 1 || v.dtype() != x.dtype()) return invalid("constant_value must be a scalar of the input's type");
      value = x.dtype() == DType::float32 ? *v.data_as<float>() : static_cast<double>(*v.data_as<int64_t>());
    }
    std::vector<int64_t> shape(rank), begin(rank);
    for (size_t d = 0; d < rank; ++d) {
      begin[d] = pads[d];
      shape[d] = s[d] + pads[d] + pads[d + rank];
      if (shape[d] < 0) return invalid("negative pads remove more than the dimension holds");
      if (mode == PadMode::reflect && (pads[d] >= s[d] || pads[d + rank] >= s[d]) && (pads[d] > 0 || pads[d + rank] > 0)) {
        return invalid("reflect padding must be smaller than the dimension");
      }
      if (mode != PadMode::constant && s[d] == 0 && shape[d] > 0) return invalid("cannot pad an empty dimension by reflection or edge");
    }
    Tensor y = ctx.arena.allocate(x.dtype(), shape);
    if (x.dtype() == DType::float32) {
      pad_copy<float>(x, y, begin, mode, static_cast<float>(value));
    } else {
      pad_copy<int64_t>(x, y, begin, mode, static_cast<int64_t>(value));
    }
    out[0] = Value{std::move(y), false};
    return {};
  });
}

KernelResult make_shape(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  int64_t start = attrs.get_int("start", 0);
  bool has_end = attrs.has("end");
  int64_t end = attrs.get_int("end", 0);
  return kernel_of(attrs, [=](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    const auto& s = in[0]->tensor.shape();
    int64_t rank = static_cast<int64_t>(s.size());
    int64_t b = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    int64_t e = has_end ? std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank) : rank;
    int64_t n = std::max<int64_t>(0, e - b);
    Tensor y = ctx.arena.allocate(DType::int64, {n});
    for (int64_t i = 0; i < n; ++i) y.mutable_data_as<int64_t>()[i] = s[b + i];
    out[0] = Value{std::move(y), false};
    return {};
  });
}

KernelResult make_gather(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  int64_t axis = attrs.get_int("axis", 0);
  return kernel_of(attrs, [axis](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    Tensor x = to_plain(ctx.arena, *in[0]);
    const Tensor& idx = in[1]->tensor;
    if (idx.dtype() != DType::int64) return invalid("indices must be int64");
    const auto& s = x.shape();
    int64_t rank = static_cast<int64_t>(s.size()), a = axis;
    if (!normalize_axis(a, rank)) return invalid("axis " + std::to_string(axis) + " is out of range for " + shape_string(s));
    std::vector<int64_t> shape(s.begin(), s.begin() + a);
    shape.insert(shape.end(), idx.shape().begin(), idx.shape().end());
    shape.insert(shape.end(), s.begin() + a + 1, s.end());
    Tensor y = ctx.arena.allocate(x.dtype(), shape);
    const int64_t outer = product(s, 0, a), inner = product(s, a + 1, rank), count = idx.size();
    const size_t es = dtype_size(x.dtype());
    const char* src = static_cast<const char*>(x.data());
    char* dst = static_cast<char*>(y.mutable_data());
    for (int64_t i = 0; i < count; ++i) {
      int64_t j = idx.data_as<int64_t>()[i];
      if (j < -s[a] || j >= s[a]) return invalid("index " + std::to_string(j) + " is out of range for dimension " + std::to_string(s[a]));
    }
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < count; ++i) {
        int64_t j = idx.data_as<int64_t>()[i];
        if (j < 0) j += s[a];
        std::memcpy(dst + (o * count + i) * inner * es, src + (o * s[a] + j) * inner * es, inner * es);
      }
    }
    out[0] = Value{std::move(y), false};
    return {};
  });
}

KernelResult make_constant(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  Tensor value;
  if (const Tensor* t = attrs.get_tensor("value")) {
    value = *t;
  } else if (attrs.has("value_float")) {
    value = Tensor::empty(DType::float32, {});
    *value.mutable_data_as<float>() = attrs.get_float("value_float", 0);
  } else if (attrs.has("value_floats")) {
    auto v = attrs.get_floats("value_floats");
    value = Tensor::empty(DType::float32, {static_cast<int64_t>(v.size())});
    std::copy(v.begin(), v.end(), value.mutable_data_as<float>());
  } else if (attrs.has("value_int")) {
    value = Tensor::empty(DType::int64, {});
    *value.mutable_data_as<int64_t>() = attrs.get_int("value_int", 0);
  } else if (attrs.has("value_ints")) {
    auto v = attrs.get_ints("value_ints");
    value = Tensor::empty(DType::int64, {static_cast<int64_t>(v.size())});
    std::copy(v.begin(), v.end(), value.mutable_data_as<int64_t>());
  } else {
    if (Status s = attrs.check_all_used(); !s) return s;
    return invalid("Constant has no value");
  }
  return kernel_of(attrs, [value](RunContext&, std::span<const Value* const>, std::span<Value> out) -> Status {
    out[0] = Value{value, false};
    return {};
  });
}

KernelResult make_cast(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  int64_t to = attrs.get_int("to", 0);
  attrs.get_int("saturate", 1);
  if (to != 1 && to != 7 && to != 9) {
    return unsupported("Cast to " + onnx_type_name(to) + " is not supported (FLOAT, INT64 and BOOL are)");
  }
  const DType target = to == 1 ? DType::float32 : to == 7 ? DType::int64 : DType::boolean;
  return kernel_of(attrs, [target](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    const Value& x = *in[0];
    if (x.tensor.dtype() == target) {
      out[0] = x;
      return {};
    }
    Tensor src = to_plain(ctx.arena, x);
    Tensor y = ctx.arena.allocate(target, src.shape());
    for (int64_t i = 0, n = y.size(); i < n; ++i) {
      double v = src.dtype() == DType::float32 ? src.data_as<float>()[i]
                 : src.dtype() == DType::int64 ? static_cast<double>(src.data_as<int64_t>()[i])
                                               : src.data_as<uint8_t>()[i];
      if (target == DType::float32) {
        y.mutable_data_as<float>()[i] = static_cast<float>(v);
      } else if (target == DType::int64) {
        y.mutable_data_as<int64_t>()[i] = v != v ? 0 : static_cast<int64_t>(std::clamp(v, -9.2e18, 9.2e18));
      } else {
        y.mutable_data_as<uint8_t>()[i] = v != 0;  // NaN is true, as in numpy
      }
    }
    out[0] = Value{std::move(y), false};
    return {};
  });
}

KernelResult make_constant_of_shape(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  Tensor fill = Tensor::empty(DType::float32, {1});
  *fill.mutable_data_as<float>() = 0;
  if (const Tensor* t = attrs.get_tensor("value")) {
    if (t->size() != 1) return invalid("value must have one element");
    fill = *t;
  }
  return kernel_of(attrs, [fill](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    auto shape = read_ints(in[0], "shape");
    if (!shape) return shape.status();
    for (int64_t d : shape.value()) {
      if (d < 0) return invalid("shape " + shape_string(shape.value()) + " has a negative dimension");
    }
    Tensor y = ctx.arena.allocate(fill.dtype(), shape.value());
    const size_t es = dtype_size(fill.dtype());
    for (int64_t i = 0, n = y.size(); i < n; ++i) std::memcpy(static_cast<char*>(y.mutable_data()) + i * es, fill.data(), es);
    out[0] = Value{std::move(y), false};
    return {};
  });
}

// Range(start, limit, delta): scalars of one type, ceil((limit - start) / delta) values.
KernelResult make_range(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  return kernel_of(attrs, [](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    const Tensor& start = in[0]->tensor;
    const Tensor& limit = in[1]->tensor;
    const Tensor& delta = in[2]->tensor;
    const DType type = start.dtype();
    if (start.size() != 1 || limit.size() != 1 || delta.size() != 1 || limit.dtype() != type || delta.dtype() != type ||
        type == DType::boolean) {
      return invalid("start, limit and delta must be scalars of one numeric type");
    }
    auto value = [&](const Tensor& t) {
      return type == DType::float32 ? double(*t.data_as<float>()) : double(*t.data_as<int64_t>());
    };
    const double s0 = value(start), s1 = value(limit), d = value(delta);
    if (d == 0) return invalid("delta cannot be 0");
    const double count = std::max(0.0, std::ceil((s1 - s0) / d));
    if (count > 1e9) return invalid("the range would have more than 10^9 values");
    Tensor y = ctx.arena.allocate(type, {static_cast<int64_t>(count)});
    for (int64_t i = 0; i < y.size(); ++i) {
      if (type == DType::float32) {
        y.mutable_data_as<float>()[i] = static_cast<float>(*start.data_as<float>() + i * *delta.data_as<float>());
      } else {
        y.mutable_data_as<int64_t>()[i] = *start.data_as<int64_t>() + i * *delta.data_as<int64_t>();
      }
    }
    out[0] = Value{std::move(y), false};
    return {};
  });
}

// ScatterND(data, indices, updates): a copy of data with the slices indices point at replaced.
KernelResult make_scatter_nd(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  if (attrs.get_string("reduction", "none") != "none") return unsupported("ScatterND reductions are not supported");
  return kernel_of(attrs, [](RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) -> Status {
    Tensor data = to_plain(ctx.arena, *in[0]);
    const Tensor& indices = in[1]->tensor;
    Tensor updates = to_plain(ctx.arena, *in[2]);
    const auto& ds = data.shape();
    const auto& is = indices.shape();
    if (indices.dtype() != DType::int64 || is.empty()) return invalid("indices must be int64 with rank >= 1");
    const int64_t depth = is.back();
    const int64_t rank = static_cast<int64_t>(ds.size());
    if (depth < 1 || depth > rank) return invalid("the last dimension of indices must be 1.." + std::to_string(rank));
    if (updates.dtype() != data.dtype()) return invalid("updates must have data's type");
    // updates' shape: indices.shape[:-1] + data.shape[depth:]
    std::vector<int64_t> want(is.begin(), is.end() - 1);
    want.insert(want.end(), ds.begin() + depth, ds.end());
    if (updates.shape() != want) {
      return invalid("updates " + shape_string(updates.shape()) + " must have shape " + shape_string(want));
    }
    Tensor y = ctx.arena.allocate(data.dtype(), ds);
    if (data.bytes()) std::memcpy(y.mutable_data(), data.data(), data.bytes());
    const size_t es = dtype_size(data.dtype());
    const int64_t slice = product(ds, depth, ds.size());
    const auto strides = contiguous_strides(ds);
    const int64_t count = indices.size() / depth;
    for (int64_t n = 0; n < count; ++n) {
      int64_t offset = 0;
      for (int64_t d = 0; d < depth; ++d) {
        int64_t i = indices.data_as<int64_t>()[n * depth + d];
        if (i < -ds[d] || i >= ds[d]) return invalid("index " + std::to_string(i) + " is out of range for " + shape_string(ds));
        if (i < 0) i += ds[d];
        offset += i * strides[d];
      }
      std::memcpy(static_cast<char*>(y.mutable_data()) + offset * es,
                  static_cast<const char*>(updates.data()) + n * slice * es, slice * es);
    }
    out[0] = Value{std::move(y), false};
    return {};
  });
}

}  // namespace

void register_shape_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["Reshape"] = make_reshape;
  makers["Flatten"] = make_flatten;
  makers["Squeeze"] = [](const NodeSpec& s) { return make_squeeze(s, false); };
  makers["Unsqueeze"] = [](const NodeSpec& s) { return make_squeeze(s, true); };
  makers["Transpose"] = make_transpose;
  makers["Concat"] = make_concat;
  makers["Split"] = make_split;
  makers["Slice"] = make_slice;
  makers["Pad"] = make_pad;
  makers["Shape"] = make_shape;
  makers["Gather"] = make_gather;
  makers["Constant"] = make_constant;
  makers["Cast"] = make_cast;
  makers["ConstantOfShape"] = make_constant_of_shape;
  makers["Range"] = make_range;
  makers["ScatterND"] = make_scatter_nd;
}

}  // namespace armory::nn
