// Comparisons, boolean logic, Where and Expand: the masks and selections exporters write (a class token
// expanded to the batch, attention masks). Bool elements are one byte, 0 or 1.
#include "nn/kernel.h"

#include <array>
#include <cstring>
#include <functional>

namespace armory::nn {

namespace {

// Calls fn(output index, offsets into each input) for every element of `shape`, each input read through
// its broadcast strides.
template <size_t N, class Fn>
void for_each_broadcast(const std::vector<int64_t>& shape, const std::array<std::vector<int64_t>, N>& strides, Fn&& fn) {
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  const size_t rank = shape.size();
  std::vector<int64_t> index(rank, 0);
  std::array<int64_t, N> offset{};
  for (int64_t out = 0; out < total; ++out) {
    fn(out, offset);
    for (size_t d = rank; d-- > 0;) {  // odometer, innermost first
      for (size_t i = 0; i < N; ++i) offset[i] += strides[i][d];
      if (++index[d] < shape[d]) break;
      for (size_t i = 0; i < N; ++i) offset[i] -= strides[i][d] * shape[d];
      index[d] = 0;
    }
  }
}

double element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::float32: return t.data_as<float>()[i];
    case DType::int64: return static_cast<double>(t.data_as<int64_t>()[i]);
    case DType::boolean: return t.data_as<uint8_t>()[i];
    case DType::bfloat16: return bf16_to_float(t.data_as<bf16_t>()[i]);
  }
  return 0;
}

enum class Compare { equal, less, greater };

class CompareKernel final : public Kernel {
 public:
  explicit CompareKernel(Compare how) : how_(how) {}
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Tensor& a = in[0]->tensor;
    const Tensor& b = in[1]->tensor;
    if (a.dtype() != b.dtype()) {
      return invalid(std::string("operands have different types (") + dtype_name(a.dtype()) + ", " + dtype_name(b.dtype()) + ")");
    }
    if (how_ != Compare::equal && a.dtype() == DType::boolean) return unsupported("Less and Greater on bool");
    auto shape = broadcast_shape(a.shape(), b.shape());
    if (!shape) return shape.status();
    Tensor y = ctx.arena.allocate(DType::boolean, shape.value());
    uint8_t* dst = y.mutable_data_as<uint8_t>();
    // int64 values compare exactly through double up to 2^53; shape arithmetic stays far below.
    for_each_broadcast<2>(shape.value(), {broadcast_strides(a.shape(), shape.value()), broadcast_strides(b.shape(), shape.value())},
                          [&](int64_t i, const std::array<int64_t, 2>& o) {
                            const double x = element(a, o[0]), z = element(b, o[1]);
                            dst[i] = how_ == Compare::equal ? x == z : how_ == Compare::less ? x < z : x > z;
                          });
    out[0] = Value{std::move(y), false};
    return {};
  }

 private:
  Compare how_;
};

enum class Logic { logical_and, logical_or, logical_xor };

class LogicKernel final : public Kernel {
 public:
  explicit LogicKernel(Logic how) : how_(how) {}
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Tensor& a = in[0]->tensor;
    const Tensor& b = in[1]->tensor;
    if (a.dtype() != DType::boolean || b.dtype() != DType::boolean) return invalid("operands must be bool");
    auto shape = broadcast_shape(a.shape(), b.shape());
    if (!shape) return shape.status();
    Tensor y = ctx.arena.allocate(DType::boolean, shape.value());
    uint8_t* dst = y.mutable_data_as<uint8_t>();
    const uint8_t* pa = a.data_as<uint8_t>();
    const uint8_t* pb = b.data_as<uint8_t>();
    for_each_broadcast<2>(shape.value(), {broadcast_strides(a.shape(), shape.value()), broadcast_strides(b.shape(), shape.value())},
                          [&](int64_t i, const std::array<int64_t, 2>& o) {
                            const bool x = pa[o[0]], z = pb[o[1]];
                            dst[i] = how_ == Logic::logical_and ? (x && z) : how_ == Logic::logical_or ? (x || z) : (x != z);
                          });
    out[0] = Value{std::move(y), false};
    return {};
  }

 private:
  Logic how_;
};

class NotKernel final : public Kernel {
 public:
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Tensor& a = in[0]->tensor;
    if (a.dtype() != DType::boolean) return invalid("Not takes bool");
    Tensor y = ctx.arena.allocate(DType::boolean, a.shape());
    for (int64_t i = 0; i < a.size(); ++i) y.mutable_data_as<uint8_t>()[i] = !a.data_as<uint8_t>()[i];
    out[0] = Value{std::move(y), false};
    return {};
  }
};

// Where(condition, x, y): x where the condition holds, else y, all three broadcast together.
class WhereKernel final : public Kernel {
 public:
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Tensor& c = in[0]->tensor;
    Tensor x = to_plain(ctx.arena, *in[1]);
    Tensor y = to_plain(ctx.arena, *in[2]);
    if (c.dtype() != DType::boolean) return invalid("the condition must be bool");
    if (x.dtype() != y.dtype()) return invalid("X and Y must have one type");
    auto xy = broadcast_shape(x.shape(), y.shape());
    if (!xy) return xy.status();
    auto shape = broadcast_shape(c.shape(), xy.value());
    if (!shape) return shape.status();
    Tensor result = ctx.arena.allocate(x.dtype(), shape.value());
    const size_t es = dtype_size(x.dtype());
    const uint8_t* cond = c.data_as<uint8_t>();
    const char* px = static_cast<const char*>(x.data());
    const char* py = static_cast<const char*>(y.data());
    char* dst = static_cast<char*>(result.mutable_data());
    for_each_broadcast<3>(shape.value(),
                          {broadcast_strides(c.shape(), shape.value()), broadcast_strides(x.shape(), shape.value()),
                           broadcast_strides(y.shape(), shape.value())},
                          [&](int64_t i, const std::array<int64_t, 3>& o) {
                            std::memcpy(dst + i * es, cond[o[0]] ? px + o[1] * es : py + o[2] * es, es);
                          });
    out[0] = Value{std::move(result), false};
    return {};
  }
};

// Expand(input, shape): the input broadcast against `shape` (numpy's rules, both ways).
class ExpandKernel final : public Kernel {
 public:
  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    Tensor x = to_plain(ctx.arena, *in[0]);
    const Tensor& s = in[1]->tensor;
    if (s.dtype() != DType::int64 || s.shape().size() != 1) return invalid("shape must be a 1-D int64 tensor");
    std::vector<int64_t> wanted(s.data_as<int64_t>(), s.data_as<int64_t>() + s.size());
    for (int64_t d : wanted) {
      if (d < 0) return invalid("shape " + shape_string(wanted) + " has a negative dimension");
    }
    auto shape = broadcast_shape(x.shape(), wanted);
    if (!shape) return shape.status();
    Tensor y = ctx.arena.allocate(x.dtype(), shape.value());
    const size_t es = dtype_size(x.dtype());
    const char* src = static_cast<const char*>(x.data());
    char* dst = static_cast<char*>(y.mutable_data());
    for_each_broadcast<1>(shape.value(), {broadcast_strides(x.shape(), shape.value())},
                          [&](int64_t i, const std::array<int64_t, 1>& o) { std::memcpy(dst + i * es, src + o[0] * es, es); });
    out[0] = Value{std::move(y), false};
    return {};
  }
};

template <class K, class... Args>
KernelMaker maker(Args... args) {
  return [=](const NodeSpec& spec) -> KernelResult {
    Attributes attrs(spec.node);
    if (Status s = attrs.check_all_used(); !s) return s;
    return std::unique_ptr<Kernel>(std::make_unique<K>(args...));
  };
}

}  // namespace

void register_logic_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["Equal"] = maker<CompareKernel>(Compare::equal);
  makers["Less"] = maker<CompareKernel>(Compare::less);
  makers["Greater"] = maker<CompareKernel>(Compare::greater);
  makers["And"] = maker<LogicKernel>(Logic::logical_and);
  makers["Or"] = maker<LogicKernel>(Logic::logical_or);
  makers["Xor"] = maker<LogicKernel>(Logic::logical_xor);
  makers["Not"] = maker<NotKernel>();
  makers["Where"] = maker<WhereKernel>();
  makers["Expand"] = maker<ExpandKernel>();
}

}  // namespace armory::nn
