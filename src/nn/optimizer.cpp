#include <cmath>
#include <limits>
#include <set>

#include "nn/graph.h"

namespace armory::nn {

namespace {

// How many nodes read each value, plus one for each graph output it is.
std::map<std::string, int> count_uses(const Graph& g) {
  std::map<std::string, int> uses;
  for (const GraphNode& n : g.nodes) {
    if (n.removed) continue;
    for (const std::string& in : n.proto.inputs) {
      if (!in.empty()) ++uses[in];
    }
  }
  for (const ValueInfo& out : g.outputs) uses[out.name] += 1000;  // never fused away
  return uses;
}

// Index of the live node producing `value`, or -1.
std::map<std::string, size_t> producers(const Graph& g) {
  std::map<std::string, size_t> p;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].removed) continue;
    for (const std::string& out : g.nodes[i].proto.outputs) p[out] = i;
  }
  return p;
}

void rename_uses(Graph& g, const std::string& from, const std::string& to) {
  for (GraphNode& n : g.nodes) {
    for (std::string& in : n.proto.inputs) {
      if (in == from) in = to;
    }
  }
}

bool all_inputs_constant(const Graph& g, const NodeProto& n) {
  for (const std::string& in : n.inputs) {
    if (!in.empty() && !g.constants.count(in)) return false;
  }
  return true;
}

// Runs nodes whose inputs are all constants once, at load, and keeps their outputs as constants.
void fold_constants(Graph& g) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    GraphNode& node = g.nodes[i];
    if (node.removed || !all_inputs_constant(g, node.proto)) continue;
    NodeSpec spec{node.proto, g.opset, FpMath::strict, {}, {}};
    for (const std::string& in : node.proto.inputs) spec.constants.push_back(in.empty() ? nullptr : &g.constants.at(in));
    auto kernel = make_kernel(spec);
    if (!kernel) continue;  // the compile step reports it, naming the node
    Arena arena;
    RunContext ctx{arena};
    std::vector<Value> inputs;
    for (const std::string& in : node.proto.inputs) inputs.push_back(in.empty() ? Value{} : Value{g.constants.at(in), false});
    std::vector<const Value*> ptrs;
    for (size_t j = 0; j < inputs.size(); ++j) ptrs.push_back(node.proto.inputs[j].empty() ? nullptr : &inputs[j]);
    std::vector<Value> outputs(node.proto.outputs.size());
    if (!kernel.value()->run(ctx, ptrs, outputs)) continue;  // e.g. bad shapes: reported when the graph runs
    for (size_t j = 0; j < outputs.size(); ++j) {
      if (!node.proto.outputs[j].empty()) g.constants[node.proto.outputs[j]] = to_plain(arena, outputs[j]);
    }
    node.removed = true;
  }
}

bool is_graph_output(const Graph& g, const std::string& name) {
  for (const ValueInfo& out : g.outputs) {
    if (out.name == name) return true;
  }
  return false;
}

void remove_pass_through(Graph& g) {
  for (GraphNode& node : g.nodes) {
    const std::string& op = node.proto.op_type;
    if (node.removed || (op != "Identity" && op != "Dropout")) continue;
    if (node.proto.inputs.size() != 1 || node.proto.outputs.size() != 1) continue;  // Dropout ratio/mask: keep
    const std::string& out = node.proto.outputs[0];
    if (is_graph_output(g, out)) continue;
    node.removed = true;
    rename_uses(g, out, node.proto.inputs[0]);
  }
}

const Tensor* constant(const Graph& g, const NodeProto& n, size_t index) {
  if (index >= n.inputs.size() || n.inputs[index].empty()) return nullptr;
  auto it = g.constants.find(n.inputs[index]);
  return it == g.constants.end() ? nullptr : &it->second;
}

// Conv -> BatchNormalization becomes one Conv with scaled weights and a shifted bias.
void fold_batch_norm(Graph& g) {
  auto uses = count_uses(g);
  auto made_by = producers(g);
  for (GraphNode& bn : g.nodes) {
    if (bn.removed || bn.proto.op_type != "BatchNormalization" || bn.proto.inputs.size() != 5) continue;
    if (bn.proto.outputs.size() != 1) continue;
    auto p = made_by.find(bn.proto.inputs[0]);
    if (p == made_by.end() || uses[bn.proto.inputs[0]] != 1) continue;
    GraphNode& conv = g.nodes[p->second];
    if (conv.proto.op_type != "Conv" || conv.fusion.relu || conv.fusion.residual) continue;
    const Tensor* w = constant(g, conv.proto, 1);
    const Tensor* bias = constant(g, conv.proto, 2);
    if (!w || w->dtype() != DType::float32 || w->shape().size() < 3) continue;
    if (conv.proto.inputs.size() > 2 && !conv.proto.inputs[2].empty() && !bias) continue;
    const Tensor* params[4];
    bool ok = true;
    const int64_t cout = w->shape()[0];
    for (int i = 0; i < 4; ++i) {
      params[i] = constant(g, bn.proto, i + 1);
      ok = ok && params[i] && params[i]->dtype() == DType::float32 && params[i]->size() == cout;
    }
    float epsilon = 1e-5f;
    for (const Attribute& a : bn.proto.attributes) {
      if (a.name == "epsilon") epsilon = a.f;
      else if (a.name == "training_mode" && a.i != 0) ok = false;
      else if (a.name == "spatial" && a.i != 1) ok = false;
    }
    if (!ok || (bias && bias->size() != cout)) continue;

    const int64_t per_filter = w->size() / cout;
    Tensor new_w = Tensor::empty(DType::float32, w->shape());
    Tensor new_b = Tensor::empty(DType::float32, {cout});
    const float *gamma = params[0]->data_as<float>(), *beta = params[1]->data_as<float>();
    const float *mean = params[2]->data_as<float>(), *var = params[3]->data_as<float>();
    for (int64_t co = 0; co < cout; ++co) {
      const float scale = gamma[co] / std::sqrt(var[co] + epsilon);
      for (int64_t i = 0; i < per_filter; ++i) {
        new_w.mutable_data_as<float>()[co * per_filter + i] = w->data_as<float>()[co * per_filter + i] * scale;
      }
      const float b0 = bias ? bias->data_as<float>()[co] : 0.0f;
      new_b.mutable_data_as<float>()[co] = (b0 - mean[co]) * scale + beta[co];
    }
    const std::string prefix = bn.proto.outputs[0] + "/bn_folded_";
    g.constants[prefix + "W"] = std::move(new_w);
    g.constants[prefix + "B"] = std::move(new_b);
    conv.proto.inputs.resize(3);
    conv.proto.inputs[1] = prefix + "W";
    conv.proto.inputs[2] = prefix + "B";
    conv.proto.outputs = bn.proto.outputs;
    conv.fusion.bn_folded = true;
    bn.removed = true;
  }
}

// Add(conv(x), r) becomes conv(x) with r accumulated in its epilogue. The fused node takes the Add's place
// in the order, where r is sure to be computed already.
void fuse_residual_add(Graph& g) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    GraphNode& add = g.nodes[i];
    if (add.removed || add.proto.op_type != "Add" || add.proto.inputs.size() != 2) continue;
    auto uses = count_uses(g);
    auto made_by = producers(g);
    for (int side = 0; side < 2; ++side) {
      const std::string& operand = add.proto.inputs[side];
      const std::string& other = add.proto.inputs[1 - side];
      auto p = made_by.find(operand);
      if (p == made_by.end() || uses[operand] != 1 || g.constants.count(other) || other == operand) continue;
      GraphNode& conv = g.nodes[p->second];
      if (conv.proto.op_type != "Conv" || conv.fusion.relu || conv.fusion.residual) continue;
      GraphNode fused = conv;
      fused.proto.inputs.resize(4);  // X, W, B (maybe ""), residual
      fused.proto.inputs[3] = other;
      fused.proto.outputs = add.proto.outputs;
      fused.fusion.residual = true;
      conv.removed = true;
      g.nodes[i] = std::move(fused);
      break;
    }
  }
}

void fuse_relu(Graph& g) {
  auto uses = count_uses(g);
  auto made_by = producers(g);
  for (GraphNode& relu : g.nodes) {
    if (relu.removed || relu.proto.op_type != "Relu" || relu.proto.inputs.size() != 1) continue;
    auto p = made_by.find(relu.proto.inputs[0]);
    if (p == made_by.end() || uses[relu.proto.inputs[0]] != 1) continue;
    GraphNode& producer = g.nodes[p->second];
    const std::string& op = producer.proto.op_type;
    if ((op != "Conv" && op != "Gemm" && op != "MatMul") || producer.fusion.relu) continue;
    producer.fusion.relu = true;
    producer.proto.outputs = relu.proto.outputs;
    relu.removed = true;
  }
}

// Clip(x, 0, hi) or Clip(x, -inf, hi) after a Conv read by nothing else becomes the conv's ReLU (for a
// lower bound of 0) and upper bound: MobileNets' ReLU6 is then no pass of its own over the activation. The
// bounds must be known now: attributes before opset 11, constant inputs from it on.
void fuse_clip(Graph& g) {
  auto uses = count_uses(g);
  auto made_by = producers(g);
  const float inf = std::numeric_limits<float>::infinity();
  for (GraphNode& clip : g.nodes) {
    if (clip.removed || clip.proto.op_type != "Clip" || clip.proto.inputs.empty()) continue;
    float bound[2] = {-inf, inf};
    bool known = true;
    if (g.opset < 11) {
      Attributes attrs(clip.proto);  // read as make_clip reads them
      bound[0] = attrs.get_float("min", -inf);
      bound[1] = attrs.get_float("max", inf);
      known = attrs.check_all_used().ok();
    } else {
      for (size_t i = 1; i < clip.proto.inputs.size() && i < 3; ++i) {
        const std::string& name = clip.proto.inputs[i];
        if (name.empty()) continue;
        auto c = g.constants.find(name);
        if (c == g.constants.end() || c->second.dtype() != DType::float32 || c->second.size() != 1) {
          known = false;
          break;
        }
        bound[i - 1] = *c->second.data_as<float>();
      }
    }
    const float lo = bound[0], hi = bound[1];
    if (!known || !(lo == 0.0f || lo == -inf) || !(hi > 0.0f && hi < inf)) continue;  // (a NaN bound fails too)
    auto p = made_by.find(clip.proto.inputs[0]);
    if (p == made_by.end() || uses[clip.proto.inputs[0]] != 1) continue;
    GraphNode& conv = g.nodes[p->second];
    if (conv.proto.op_type != "Conv" || conv.fusion.relu || conv.fusion.bounded()) continue;
    conv.fusion.relu = lo == 0.0f;
    conv.fusion.upper = hi;
    conv.proto.outputs = clip.proto.outputs;
    clip.removed = true;
  }
}

void remove_dead_nodes(Graph& g) {
  std::set<std::string> live;
  for (const ValueInfo& out : g.outputs) live.insert(out.name);
  for (size_t i = g.nodes.size(); i-- > 0;) {
    GraphNode& n = g.nodes[i];
    if (n.removed) continue;
    bool needed = false;
    for (const std::string& out : n.proto.outputs) needed = needed || live.count(out);
    if (!needed) {
      n.removed = true;
      continue;
    }
    for (const std::string& in : n.proto.inputs) live.insert(in);
  }
  for (auto it = g.constants.begin(); it != g.constants.end();) {
    it = live.count(it->first) ? std::next(it) : g.constants.erase(it);
  }
}

}  // namespace

Status optimize(Graph& g) {
  fold_constants(g);
  remove_pass_through(g);
  fold_batch_norm(g);
  fuse_residual_add(g);
  fuse_relu(g);
  fuse_clip(g);
  remove_dead_nodes(g);
  std::vector<GraphNode> kept;
  for (GraphNode& n : g.nodes) {
    if (!n.removed) kept.push_back(std::move(n));
  }
  g.nodes = std::move(kept);
  return {};
}

}  // namespace armory::nn
