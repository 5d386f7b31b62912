// The graph the optimiser rewrites: ONNX nodes by value name, constants by name, and what each node has
// fused into it. The session compiles it into kernels once the passes are done.
#pragma once

#include "nn/kernel.h"
#include "nn/onnx_model.h"

#include <map>
#include <string>
#include <vector>

namespace armory::nn {

struct GraphNode {
  NodeProto proto;  // op, attributes and value names (rewritten by fusions)
  Fusion fusion;
  bool removed = false;
};

struct Graph {
  int64_t opset = 0;
  std::vector<GraphNode> nodes;  // in execution order
  std::map<std::string, Tensor> constants;
  std::vector<ValueInfo> inputs;  // not counting initializers
  std::vector<ValueInfo> outputs;
};

// Builds the graph from a parsed model: initializers become constants, nodes keep the model's order, which
// ONNX requires to be topological (checked).
Result<Graph> build_graph(ModelProto model);

// Constant folding, Identity/Dropout removal, BatchNorm folded into Conv, residual Add and ReLU fused into
// the preceding Conv/Gemm/MatMul, Clip(0 or -inf, hi) into the preceding Conv, dead node removal. The result
// computes the same function.
Status optimize(Graph& graph);

// "node 'name' (Op)" for messages, or "node #i (Op)" when the model left it unnamed.
std::string node_label(const NodeProto& node, size_t index);

}  // namespace armory::nn
