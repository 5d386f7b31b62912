#include <armory/memory.h>
#include <armory/nn.h>

#include <cstdlib>
#include <new>

namespace armory::nn {

const char* dtype_name(DType dtype) noexcept {
  switch (dtype) {
    case DType::float32: return "float32";
    case DType::int64: return "int64";
    case DType::boolean: return "bool";
    case DType::bfloat16: return "bfloat16";
  }
  return "?";
}

size_t dtype_size(DType dtype) noexcept {
  switch (dtype) {
    case DType::float32: return 4;
    case DType::int64: return 8;
    case DType::boolean: return 1;
    case DType::bfloat16: return 2;
  }
  return 1;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

static int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t Tensor::size() const { return element_count(shape_); }

Tensor Tensor::empty(DType dtype, std::vector<int64_t> shape) {
  size_t bytes = static_cast<size_t>(element_count(shape)) * dtype_size(dtype);
  // 64-byte aligned for the kernels; a zero-size tensor still gets a distinct, freeable pointer.
  std::shared_ptr<void> storage = allocate_array(bytes);
  if (storage == nullptr) throw std::bad_alloc();
  return adopt(dtype, std::move(shape), std::move(storage));
}

Tensor Tensor::borrow(DType dtype, std::vector<int64_t> shape, const void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = std::shared_ptr<void>(const_cast<void*>(data), [](void*) {});
  t.owned_ = false;
  return t;
}

Tensor Tensor::adopt(DType dtype, std::vector<int64_t> shape, std::shared_ptr<void> storage) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = std::move(storage);
  t.owned_ = true;
  return t;
}

Tensor Tensor::reshaped(std::vector<int64_t> shape) const {
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

}  // namespace armory::nn
