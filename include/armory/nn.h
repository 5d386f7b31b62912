// armory's inference engine: an ONNX model loaded once, optimised into a frozen graph (constants and
// BatchNorm folded, conv + bias + ReLU and residual Add + ReLU fused into the GEMM epilogue, weights
// packed once), then run many times. Session::run is const and safe to call from several threads at once.
#pragma once

#include <armory/gemm.h>
#include <armory/status.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace armory::nn {

// The element types armory computes in: float32 activations and weights, int64 shape tensors, and bool
// masks (one byte per element, 0 or 1) for the comparisons and selections exporters write. bfloat16 holds
// activations between layers under BF16 fast math; a session's inputs and outputs are never bfloat16.
enum class DType { float32, int64, boolean, bfloat16 };
const char* dtype_name(DType dtype) noexcept;
size_t dtype_size(DType dtype) noexcept;

// A dense row-major tensor. Owned tensors are 64-byte aligned; a borrowed tensor reads the caller's
// memory in place (the caller keeps it alive and unchanged during the call).
class Tensor {
 public:
  Tensor() = default;
  static Tensor empty(DType dtype, std::vector<int64_t> shape);
  static Tensor borrow(DType dtype, std::vector<int64_t> shape, const void* data);
  // An owned tensor over memory handed over with its owner (at least bytes() long, 64-byte aligned).
  static Tensor adopt(DType dtype, std::vector<int64_t> shape, std::shared_ptr<void> storage);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t size() const;  // number of elements
  size_t bytes() const { return static_cast<size_t>(size()) * dtype_size(dtype_); }
  bool owned() const { return owned_; }

  const void* data() const { return data_.get(); }
  void* mutable_data() { return owned_ ? data_.get() : nullptr; }
  template <class T> const T* data_as() const { return static_cast<const T*>(data()); }
  template <class T> T* mutable_data_as() { return static_cast<T*>(mutable_data()); }
  // Keeps the memory alive for a consumer outside armory (numpy arrays made from outputs).
  std::shared_ptr<void> storage() const { return data_; }

  // The same memory seen with another shape of the same size (Reshape, Flatten, Squeeze).
  Tensor reshaped(std::vector<int64_t> shape) const;

 private:
  DType dtype_ = DType::float32;
  std::vector<int64_t> shape_;
  std::shared_ptr<void> data_;
  bool owned_ = false;
};

std::string shape_string(const std::vector<int64_t>& shape);

// A graph input or output as the model declares it; -1 for a dimension it leaves free (a batch).
struct ValueInfo {
  std::string name;
  DType dtype = DType::float32;
  std::vector<int64_t> shape;
  std::vector<std::string> dim_names;  // the symbolic name of each free dimension ("" if none)
};

// Where `name` is among the declared inputs, or an error naming the ones there are ("the model has no input
// 'image'; its inputs are 'input'").
Result<size_t> input_index(const std::vector<ValueInfo>& inputs, const std::string& name);

struct ModelProto;  // the parsed ONNX model (internal)

struct SessionOptions {
  FpMath fpmath = FpMath::strict;  // bf16: bf16 products, fp32 accumulation, in every conv and GEMM
  int threads = 0;                 // 0: armory's process-wide thread count
  bool optimize = true;            // false runs the graph as loaded (to check the optimiser against)
  // 3x3 stride-1 convolutions by Winograd where it pays: F(2x2, 3x3) (2.25x fewer multiplies) or, in
  // float32 up to 128x128 channels, F(4x4, 3x3) (4x fewer); results that differ from the direct
  // convolution's in the last bits (F(4x4, 3x3): about 1e-6 of the sum of |x * w|). false: every
  // convolution direct.
  bool winograd = true;
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

class Session {
 public:
  static Result<Session> load(const std::string& path, const SessionOptions& options = {});
  // A model already in memory; external data files are looked up under base_dir.
  static Result<Session> load_from_bytes(std::string_view model, const std::string& base_dir,
                                         const SessionOptions& options = {});

  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  const std::vector<ValueInfo>& inputs() const;
  const std::vector<ValueInfo>& outputs() const;
  const SessionOptions& options() const;

  // Runs the graph. Every graph input must be given, with its declared dtype and rank and matching
  // fixed dimensions. output_names empty: all outputs, in the model's order.
  Result<std::vector<Tensor>> run(const std::vector<NamedTensor>& inputs,
                                  const std::vector<std::string>& output_names = {}) const;

  // Time spent in each node of the optimised graph, summed over `runs` runs of these inputs (after one
  // warm-up run), slowest first: what `armory run --profile` prints.
  struct NodeTime {
    std::string node, op, detail;
    double seconds = 0;
  };
  Result<std::vector<NodeTime>> profile(const std::vector<NamedTensor>& inputs, int runs) const;

  // The optimised graph, one node per line: op, fused parts, inputs -> outputs, layout.
  std::string dump_graph() const;
  // Bytes the session holds for its weights: packed panels and the constants still read at run time.
  size_t weight_bytes() const;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  static Result<Session> from_model(ModelProto&& model, const SessionOptions& options);
  std::unique_ptr<Impl> impl_;
};

// Reads one serialised ONNX TensorProto (the test data files of ONNX's backend tests).
Result<NamedTensor> read_tensor_file(const std::string& path);

}  // namespace armory::nn
