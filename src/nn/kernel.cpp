#include "nn/kernel.h"

#include "common/large_buffer.h"
#include "gemm/thread_pool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace armory::nn {

// ---- Arena ----

namespace {

size_t physical_memory_bytes() {
  static const size_t bytes = [] {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : SIZE_MAX;
  }();
  return bytes;
}

// The deleter of arena storage, which also tells release() that a buffer is an arena's, and its size.
struct ArenaBlock {
  size_t capacity;
  void operator()(void* p) const { free_large(p); }
};

}  // namespace

Status tensor_fits_in_memory(DType dtype, const std::vector<int64_t>& shape) {
  double count = 1;
  for (int64_t d : shape) count *= static_cast<double>(d);
  if (count * dtype_size(dtype) > 0.5 * static_cast<double>(physical_memory_bytes())) {
    return error(Errc::out_of_memory,
                 shape_string(shape) + " " + dtype_name(dtype) + " would take more than half of this machine's memory");
  }
  return {};
}

Tensor Arena::allocate(DType dtype, std::vector<int64_t> shape) {
  if (Status fits = tensor_fits_in_memory(dtype, shape); !fits) throw TensorTooLarge(fits.message());
  double count = 1;
  for (int64_t d : shape) count *= static_cast<double>(d);
  size_t bytes = static_cast<size_t>(count) * dtype_size(dtype);
  auto it = free_.lower_bound(bytes);
  if (it != free_.end() && it->first <= 2 * bytes + 4096) {
    auto storage = std::move(it->second);
    free_.erase(it);
    return Tensor::adopt(dtype, std::move(shape), std::move(storage));
  }
  const size_t capacity = std::max<size_t>(64, (bytes + 63) / 64 * 64);
  void* p = allocate_large(capacity);
  if (p == nullptr) throw std::bad_alloc();
  return Tensor::adopt(dtype, std::move(shape), std::shared_ptr<void>(p, ArenaBlock{capacity}));
}

void Arena::release(Tensor tensor) {
  std::shared_ptr<void> storage = tensor.storage();
  tensor = Tensor();
  const ArenaBlock* block = std::get_deleter<ArenaBlock>(storage);
  if (block != nullptr && storage.use_count() == 1) free_.emplace(block->capacity, std::move(storage));
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
    register_logic_kernels(m);
    return m;
  }();
  return makers;
}

namespace {

// Inputs every kernel may dereference without checking: the leading ones ONNX makes mandatory.
size_t required_inputs(const std::string& op, int64_t opset) {
  static const std::map<std::string, size_t> two = {
      {"Conv", 2}, {"ConvTranspose", 2}, {"Gemm", 2}, {"MatMul", 2}, {"Add", 2}, {"Sub", 2}, {"Mul", 2},
      {"Div", 2}, {"Pow", 2}, {"BatchNormalization", 5}, {"Reshape", 2}, {"Gather", 2}, {"Equal", 2},
      {"Less", 2}, {"Greater", 2}, {"And", 2}, {"Or", 2}, {"Xor", 2}, {"Where", 3}, {"Expand", 2}, {"Mod", 2},
      {"Range", 3}, {"ScatterND", 3}};
  if (op == "Constant") return 0;
  if (op == "Slice") return opset >= 10 ? 3 : 1;
  if (op == "Pad") return opset >= 11 ? 2 : 1;
  if (op == "Unsqueeze") return opset >= 13 ? 2 : 1;
  auto it = two.find(op);
  return it == two.end() ? 1 : it->second;
}

}  // namespace

KernelResult make_kernel(const NodeSpec& spec) {
  const NodeProto& node = spec.node;
  if (!node.domain.empty() && node.domain != "ai.onnx") {
    return unsupported("operator domain '" + node.domain + "' is not supported");
  }
  auto it = kernel_makers().find(node.op_type);
  if (it == kernel_makers().end()) return unsupported("operator " + node.op_type + " is not supported");
  for (size_t i = 0, n = required_inputs(node.op_type, spec.opset); i < n; ++i) {
    if (!spec.has_input(i)) return invalid("input " + std::to_string(i) + " is required");
  }
  if (node.outputs.empty() || node.outputs[0].empty()) return invalid("the node has no output");
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
  const int64_t per = (n + threads - 1) / threads;
  ThreadPool::global().parallel_shares(threads, [&](int share) {
    const int64_t begin = per * share, end = std::min(n, begin + per);
    if (begin < end) fn(begin, end);
  });
}

namespace {

// dst = the transpose of each of `batch` row-major rows x cols matrices in src, one output row (a column of
// the input) at a time: NCHW <-> NHWC is this with (C, HW) or (HW, C).
void transpose_each(const float* src, float* dst, int64_t batch, int64_t rows, int64_t cols, int64_t grain) {
  parallel_for(batch * cols, grain, [&](int64_t begin, int64_t end) {
    for (int64_t out_row = begin; out_row < end; ++out_row) {
      const int64_t b = out_row / cols, j = out_row % cols;
      const float* from = src + b * rows * cols + j;
      float* to = dst + out_row * rows;
      for (int64_t i = 0; i < rows; ++i) to[i] = from[i * cols];
    }
  });
}

}  // namespace

Tensor to_nhwc(Arena& arena, const Tensor& nchw, DType dtype) {
  const auto& s = nchw.shape();
  Tensor out = arena.allocate(dtype, s);
  const int64_t channels = s[1], pixels = s[2] * s[3];
  if (dtype == DType::float32) {
    transpose_each(nchw.data_as<float>(), out.mutable_data_as<float>(), s[0], channels, pixels, 1024);
    return out;
  }
  // Rounded as it is transposed: a block of pixels at a time through a small float32 tile, so the
  // float32 copy of the whole input is never written.
  constexpr int64_t kTile = 4096;
  const int64_t block = std::max<int64_t>(1, kTile / channels);
  const int64_t blocks = (pixels + block - 1) / block;
  const float* src = nchw.data_as<float>();
  bf16_t* dst = out.mutable_data_as<bf16_t>();
  parallel_for(s[0] * blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> tile(static_cast<size_t>(block * channels));
    for (int64_t item = begin; item < end; ++item) {
      const int64_t b = item / blocks, p0 = item % blocks * block, count = std::min(block, pixels - p0);
      const float* from = src + b * channels * pixels + p0;
      for (int64_t p = 0; p < count; ++p) {
        for (int64_t c = 0; c < channels; ++c) tile[p * channels + c] = from[c * pixels + p];
      }
      float_to_bf16(tile.data(), count * channels, dst + (b * pixels + p0) * channels);
    }
  });
  return out;
}

Tensor to_plain(Arena& arena, const Value& value) {
  if (!value.nhwc) return value.tensor;
  const auto& s = value.tensor.shape();
  const int64_t c = s[1], hw = s[2] * s[3];
  if (c == 1 || hw == 1) return value.tensor;  // the same bytes either way
  Tensor out = arena.allocate(DType::float32, s);
  transpose_each(value.tensor.data_as<float>(), out.mutable_data_as<float>(), s[0], hw, c, 16);
  return out;
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// dst (contiguous, `shape`) = src read with element strides `strides` from element offset `offset`.
void gather_strided(const Tensor& src, int64_t offset, const std::vector<int64_t>& strides, Tensor& dst) {
  const auto& shape = dst.shape();
  const int64_t total = dst.size();
  if (total == 0) return;
  const size_t es = dtype_size(src.dtype());
  const char* from = static_cast<const char*>(src.data());
  char* to = static_cast<char*>(dst.mutable_data());
  const size_t rank = shape.size();
  if (rank == 0) {
    std::memcpy(to, from + offset * es, es);
    return;
  }
  std::vector<int64_t> index(rank, 0);
  int64_t pos = offset;
  const int64_t inner = shape[rank - 1], inner_stride = strides[rank - 1];
  for (int64_t out = 0; out < total; out += inner) {
    if (inner_stride == 1) {
      std::memcpy(to + out * es, from + pos * es, inner * es);
    } else {
      for (int64_t j = 0; j < inner; ++j) std::memcpy(to + (out + j) * es, from + (pos + j * inner_stride) * es, es);
    }
    for (size_t d = rank - 1; d-- > 0;) {
      pos += strides[d];
      if (++index[d] < shape[d]) break;
      pos -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

Value to_float32(Arena& arena, const Value& value) {
  if (value.tensor.dtype() != DType::bfloat16) return value;
  Tensor out = arena.allocate(DType::float32, value.tensor.shape());
  const bf16_t* src = value.tensor.data_as<bf16_t>();
  float* dst = out.mutable_data_as<float>();
  parallel_for(value.tensor.size(), 1 << 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) dst[i] = widen(src[i]);
  });
  return Value{std::move(out), value.nhwc};
}

Result<std::vector<int64_t>> broadcast_shape(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return invalid("shapes " + shape_string(a) + " and " + shape_string(b) + " cannot be broadcast together");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Element strides of `shape` seen from an output of rank `rank` (0 where broadcast).
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& shape, const std::vector<int64_t>& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    size_t o = i + out.size() - shape.size();
    strides[o] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

bool normalize_axis(int64_t& axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return false;
  if (axis < 0) axis += rank;
  return true;
}

}  // namespace armory::nn
