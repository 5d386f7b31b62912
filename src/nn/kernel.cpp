#include "nn/kernel.h"

#include "gemm/thread_pool.h"

#include <algorithm>
#include <cstring>

namespace armory::nn {

// ---- Arena ----

Tensor Arena::allocate(DType dtype, std::vector<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  size_t bytes = static_cast<size_t>(count) * dtype_size(dtype);
  auto it = free_.lower_bound(bytes);
  if (it != free_.end() && it->first <= 2 * bytes + 4096) {
    auto storage = std::move(it->second);
    free_.erase(it);
    return Tensor::adopt(dtype, std::move(shape), std::move(storage));
  }
  Tensor t = Tensor::empty(dtype, std::move(shape));
  capacity_[t.data()] = (bytes + 63) / 64 * 64;
  return t;
}

void Arena::release(Tensor tensor) {
  auto found = capacity_.find(tensor.data());
  if (found == capacity_.end()) return;  // not ours (a constant, an input, a view into the caller's data)
  std::shared_ptr<void> storage = tensor.storage();
  tensor = Tensor();
  if (storage.use_count() == 1) free_.emplace(found->second, std::move(storage));
}

// ---- Attributes ----

const Attribute* Attributes::find(const char* name, AttributeType type) {
  for (size_t i = 0; i < node_.attributes.size(); ++i) {
    const Attribute& a = node_.attributes[i];
    if (a.name != name) continue;
    used_[i] = true;
    if (a.type != type) {
      wrong_type_ = std::string("attribute '") + name + "' has the wrong type";
      return nullptr;
    }
    return &a;
  }
  return nullptr;
}

bool Attributes::has(const char* name) const {
  return std::any_of(node_.attributes.begin(), node_.attributes.end(), [&](const Attribute& a) { return a.name == name; });
}

int64_t Attributes::get_int(const char* name, int64_t fallback) {
  const Attribute* a = find(name, AttributeType::i);
  return a ? a->i : fallback;
}

float Attributes::get_float(const char* name, float fallback) {
  const Attribute* a = find(name, AttributeType::f);
  return a ? a->f : fallback;
}

std::string Attributes::get_string(const char* name, const std::string& fallback) {
  const Attribute* a = find(name, AttributeType::s);
  return a ? a->s : fallback;
}

std::vector<int64_t> Attributes::get_ints(const char* name, std::vector<int64_t> fallback) {
  const Attribute* a = find(name, AttributeType::ints);
  return a ? a->ints : fallback;
}

std::vector<float> Attributes::get_floats(const char* name) {
  const Attribute* a = find(name, AttributeType::floats);
  return a ? a->floats : std::vector<float>{};
}

const Tensor* Attributes::get_tensor(const char* name) {
  const Attribute* a = find(name, AttributeType::tensor);
  return a ? &a->t : nullptr;
}

Status Attributes::check_all_used() const {
  if (!wrong_type_.empty()) return invalid(wrong_type_);
  for (size_t i = 0; i < used_.size(); ++i) {
    if (!used_[i]) return unsupported("attribute '" + node_.attributes[i].name + "' is not supported");
  }
  return {};
}

// ---- registry ----

const std::map<std::string, KernelMaker>& kernel_makers() {
  static const std::map<std::string, KernelMaker> makers = [] {
    std::map<std::string, KernelMaker> m;
    register_conv_kernels(m);
    register_pool_kernels(m);
    register_elementwise_kernels(m);
    register_shape_kernels(m);
    register_matmul_kernels(m);
    register_reduce_kernels(m);
    return m;
  }();
  return makers;
}

KernelResult make_kernel(const NodeSpec& spec) {
  const NodeProto& node = spec.node;
  if (!node.domain.empty() && node.domain != "ai.onnx") {
    return unsupported("operator domain '" + node.domain + "' is not supported");
  }
  auto it = kernel_makers().find(node.op_type);
  if (it == kernel_makers().end()) return unsupported("operator " + node.op_type + " is not supported");
  return it->second(spec);
}

// ---- layout helpers ----

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  int threads = static_cast<int>(std::min<int64_t>(ThreadPool::global().max_threads(), std::max<int64_t>(1, n / std::max<int64_t>(grain, 1))));
  if (threads <= 1) {
    fn(0, n);
    return;
  }
  ThreadPool::global().parallel(threads, [&](ParallelContext& ctx) {
    int64_t per = (n + ctx.threads() - 1) / ctx.threads();
    int64_t begin = per * ctx.thread(), end = std::min(n, begin + per);
    if (begin < end) fn(begin, end);
  });
}

Tensor to_nhwc(Arena& arena, const Tensor& nchw) {
  const auto& s = nchw.shape();
  const int64_t n = s[0], c = s[1], hw = s[2] * s[3];
  Tensor out = arena.allocate(DType::float32, s);
  const float* src = nchw.data_as<float>();
  float* dst = out.mutable_data_as<float>();
  parallel_for(n * hw, 1024, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      int64_t b = p / hw, i = p % hw;
      const float* from = src + b * c * hw + i;
      float* to = dst + p * c;
      for (int64_t ch = 0; ch < c; ++ch) to[ch] = from[ch * hw];
    }
  });
  return out;
}

Tensor to_plain(Arena& arena, const Value& value) {
  if (!value.nhwc) return value.tensor;
  const auto& s = value.tensor.shape();
  const int64_t n = s[0], c = s[1], hw = s[2] * s[3];
  if (c == 1 || hw == 1) return value.tensor;  // the same bytes either way
  Tensor out = arena.allocate(DType::float32, s);
  const float* src = value.tensor.data_as<float>();
  float* dst = out.mutable_data_as<float>();
  parallel_for(n * c, 16, [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      int64_t b = plane / c, ch = plane % c;
      const float* from = src + b * hw * c + ch;
      float* to = dst + plane * hw;
      for (int64_t i = 0; i < hw; ++i) to[i] = from[i * c];
    }
  });
  return out;
}

bool normalize_axis(int64_t& axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return false;
  if (axis < 0) axis += rank;
  return true;
}

}  // namespace armory::nn
