// The parts of ONNX's ModelProto the engine reads, decoded from the wire format (field numbers from
// onnx/onnx.proto). Unknown fields are skipped, as protobuf requires; a field of the wrong wire type or a
// truncated message is a parse error.
#pragma once

#include <armory/nn.h>

#include <string>
#include <string_view>
#include <vector>

namespace armory::nn {

enum class AttributeType { undefined = 0, f = 1, i = 2, s = 3, tensor = 4, graph = 5, floats = 6, ints = 7,
                           strings = 8, tensors = 9, graphs = 10 };

struct Attribute {
  std::string name;
  AttributeType type = AttributeType::undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

struct NodeProto {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;   // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::vector<Attribute> attributes;

  const Attribute* attribute(std::string_view name) const;
};

struct GraphProto {
  std::string name;
  std::vector<NodeProto> nodes;
  std::vector<NamedTensor> initializers;
  std::vector<ValueInfo> inputs;  // may include initializers (IR < 4 lists them as inputs)
  std::vector<ValueInfo> outputs;
};

struct ModelProto {
  int64_t ir_version = 0;
  int64_t opset = 0;  // of the default ("" or "ai.onnx") domain
  std::string producer;
  GraphProto graph;
};

// base_dir: where external data files are looked up (the model's folder).
Result<ModelProto> parse_model(std::string_view bytes, const std::string& base_dir);
Result<NamedTensor> parse_tensor(std::string_view bytes, const std::string& base_dir);

// ONNX's TensorProto.DataType code for a name in messages ("DOUBLE", "INT32"...).
std::string onnx_type_name(int64_t code);

}  // namespace armory::nn
