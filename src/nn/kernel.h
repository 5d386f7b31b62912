// What every operator implementation shares: a value flowing between nodes (a tensor and its physical
// layout), the per-run arena that recycles activation buffers, the kernel interface the executor calls, and
// the attribute reader that rejects what a kernel does not implement.
#pragma once

#include <armory/nn.h>

#include "nn/onnx_model.h"

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace armory::nn {

// Spatial kernels (Conv, pools, BatchNorm) work on channels-last data: a 4-D value may be stored NHWC
// while its logical shape stays ONNX's NCHW. Other kernels see plain row-major data; the executor converts
// at the boundary.
struct Value {
  Tensor tensor;
  bool nhwc = false;
};

// Thrown by Arena::allocate for a tensor that cannot fit; Session::run turns it into an error value.
struct TensorTooLarge : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The bound Arena::allocate keeps to: ok when a tensor of this shape takes at most half of this machine's
// memory, else an error naming the shape (a shape from corrupt attributes or absurd inputs, refused before
// it is allocated and touched).
Status tensor_fits_in_memory(DType dtype, const std::vector<int64_t>& shape);

// Activation buffers of a run, returned when their last reader is done and handed to the next request
// they fit (best fit, at most twice the size), so a deep network lives in a few buffers.
class Arena {
 public:
  Tensor allocate(DType dtype, std::vector<int64_t> shape);
  // Recycles the storage when an arena allocated it and nothing else holds it; anything else (constants,
  // the caller's inputs, outputs handed back earlier) is only dropped.
  void release(Tensor tensor);

 private:
  std::multimap<size_t, std::shared_ptr<void>> free_;  // by capacity in bytes
};

struct RunContext {
  Arena& arena;
  // Per input of the running step: true when this step is its last reader and nothing else shares its
  // memory, so a kernel may write its result there (a fused residual accumulates in place).
  std::vector<bool> consumable = {};

  bool may_consume(size_t index) const { return index < consumable.size() && consumable[index]; }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Whether input `index` may arrive channels-last; the executor converts it to plain otherwise.
  virtual bool accepts_nhwc(size_t index) const { return false; }
  // Whether input `index` may arrive as bfloat16 (BF16 fast math keeps activations so between the layers
  // that take them); the executor widens it to float32 otherwise.
  virtual bool accepts_bf16(size_t index) const { return false; }
  // Whether the kernel can write its first output in bfloat16, and the switch the session turns on at load
  // when every reader of that output accepts bfloat16 (and the caller does not get it back).
  virtual bool offers_bf16_output() const { return false; }
  virtual void use_bf16_output() {}
  // False for a constant input the kernel copied (packed) at load and never reads again: the session
  // then frees the constant, so weights are not held twice.
  virtual bool reads_constant(size_t index) const { return true; }
  // Memory the kernel holds for its weights (packed panels, folded biases).
  virtual size_t packed_bytes() const { return 0; }
  // inputs[i] is null for an omitted optional input. outputs has one slot per node output.
  virtual Status run(RunContext& ctx, std::span<const Value* const> inputs, std::span<Value> outputs) const = 0;
  // Shapes and fused parts for --dump-graph; empty when there is nothing beyond the op name.
  virtual std::string describe() const { return {}; }
};

// Fused parts the optimiser attaches to a Conv, Gemm or MatMul node.
struct Fusion {
  bool bn_folded = false;
  bool relu = false;
  bool residual = false;  // the node has one extra input: added to the result before ReLU
  // A fused Clip's upper bound, applied after ReLU (Clip(0, 6), ReLU6, is relu with upper = 6).
  float upper = std::numeric_limits<float>::infinity();

  bool bounded() const { return upper != std::numeric_limits<float>::infinity(); }
};

// What a kernel maker sees: the node, which inputs are constant (and their values), the precision.
struct NodeSpec {
  const NodeProto& node;
  int64_t opset;
  FpMath fpmath;
  Fusion fusion;
  std::vector<const Tensor*> constants;  // per input: its value when constant, else null
  bool winograd = true;                  // SessionOptions::winograd

  const Tensor* constant(size_t index) const { return index < constants.size() ? constants[index] : nullptr; }
  bool has_input(size_t index) const { return index < node.inputs.size() && !node.inputs[index].empty(); }
};

using KernelResult = Result<std::unique_ptr<Kernel>>;

// Reads a node's attributes by name and type; check_all_used() then reports any the kernel ignored,
// so an unsupported attribute is an error at load, not a silent wrong answer.
class Attributes {
 public:
  explicit Attributes(const NodeProto& node) : node_(node), used_(node.attributes.size(), false) {}

  int64_t get_int(const char* name, int64_t fallback);
  float get_float(const char* name, float fallback);
  std::string get_string(const char* name, const std::string& fallback);
  std::vector<int64_t> get_ints(const char* name, std::vector<int64_t> fallback = {});
  std::vector<float> get_floats(const char* name);
  const Tensor* get_tensor(const char* name);
  bool has(const char* name) const;
  Status check_all_used() const;  // also reports an attribute of the wrong type

 private:
  const Attribute* find(const char* name, AttributeType type);
  const NodeProto& node_;
  std::vector<bool> used_;
  std::string wrong_type_;
};

// The error every kernel maker and kernel reports with: the message, prefixed by nothing (the executor and
// loader name the node).
inline Status unsupported(std::string what) { return error(Errc::unsupported, std::move(what)); }
inline Status invalid(std::string what) { return error(Errc::invalid_argument, std::move(what)); }

// One maker per op type, registered by each family's file.
using KernelMaker = std::function<KernelResult(const NodeSpec&)>;
const std::map<std::string, KernelMaker>& kernel_makers();
KernelResult make_kernel(const NodeSpec& spec);

// Each family adds its ops.
void register_conv_kernels(std::map<std::string, KernelMaker>& makers);
void register_pool_kernels(std::map<std::string, KernelMaker>& makers);
void register_elementwise_kernels(std::map<std::string, KernelMaker>& makers);
void register_shape_kernels(std::map<std::string, KernelMaker>& makers);
void register_matmul_kernels(std::map<std::string, KernelMaker>& makers);
void register_reduce_kernels(std::map<std::string, KernelMaker>& makers);
void register_logic_kernels(std::map<std::string, KernelMaker>& makers);

// Layout helpers shared by the families.
// A float32 NCHW tensor channels-last, in float32 or (rounded to nearest even) bfloat16.
Tensor to_nhwc(Arena& arena, const Tensor& nchw, DType dtype = DType::float32);
Tensor to_plain(Arena& arena, const Value& value);  // NCHW view of a value, converted if it is NHWC
Value to_float32(Arena& arena, const Value& value);  // a bfloat16 value widened (same layout); others as they are

// bf16 <-> float32 in the engine's inner loops (inline, so they vectorise): widening is exact; narrowing by
// truncation is exact only for a float that came from a bf16 (a maximum, a copy).
inline float widen(bf16_t x) {
  uint32_t bits = uint32_t{x} << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline bf16_t narrow_exact(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return static_cast<bf16_t>(bits >> 16);
}
// The larger and smaller of two values where a NaN, once met, is the answer (PyTorch's and numpy's max
// and min do the same): std::max and std::min return their first argument whenever either is NaN, so a
// NaN pixel vanished from a max pool instead of reaching the output. ReLU keeps NaN as `x < 0 ? 0 : x`.
template <class T>
inline T max_keeping_nan(T acc, T v) {
  return v > acc || v != v ? v : acc;
}
template <class T>
inline T min_keeping_nan(T acc, T v) {
  return v < acc || v != v ? v : acc;
}
// Runs fn(begin, end) over [0, n) on armory's pool, in chunks of at least `grain`.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Elementwise a (op) b with numpy broadcasting: the Add/Sub/Mul/Div kernels, and a fused residual whose
// shape turns out to differ from the conv's output.
enum class BinaryOp { add, sub, mul, div, pow, mod, fmod };
Result<Value> binary(RunContext& ctx, BinaryOp op, const Value& a, const Value& b);

// numpy broadcasting: the shape two operands broadcast to (an error naming both when they do not), and
// the element strides of an operand seen from that output (0 along broadcast dimensions).
Result<std::vector<int64_t>> broadcast_shape(const std::vector<int64_t>& a, const std::vector<int64_t>& b);
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& shape, const std::vector<int64_t>& out);

// Row-major element strides of a shape, and dst (contiguous, its own shape) = src read with element strides
// `strides` (0 repeats an element: broadcasting) from element offset `offset`: the copy behind Transpose,
// Slice, Split and Einsum's operand layouts.
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape);
void gather_strided(const Tensor& src, int64_t offset, const std::vector<int64_t>& strides, Tensor& dst);

// Normalises a possibly negative axis for a rank; false when out of range.
bool normalize_axis(int64_t& axis, int64_t rank);

}  // namespace armory::nn
