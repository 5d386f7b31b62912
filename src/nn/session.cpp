// Loading (parse, build, optimise, compile to kernels) and running a session. A run owns its values and
// arena, so one session serves several threads at once; kernels and constants are read-only after load.
#include <armory/nn.h>

#include "gemm/thread_pool.h"
#include "nn/graph.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <sstream>

namespace armory::nn {

std::string node_label(const NodeProto& node, size_t index) {
  std::string who = node.name.empty() ? "node #" + std::to_string(index) : "node '" + node.name + "'";
  return who + " (" + node.op_type + ")";
}

Result<Graph> build_graph(ModelProto model) {
  Graph g;
  g.opset = model.opset;
  for (NamedTensor& init : model.graph.initializers) g.constants[init.name] = std::move(init.tensor);
  std::set<std::string> defined;
  for (const auto& [name, t] : g.constants) defined.insert(name);
  for (ValueInfo& in : model.graph.inputs) {
    if (g.constants.count(in.name)) continue;  // IR < 4 lists initializers as inputs too
    defined.insert(in.name);
    g.inputs.push_back(std::move(in));
  }
  for (size_t i = 0; i < model.graph.nodes.size(); ++i) {
    NodeProto& node = model.graph.nodes[i];
    for (const std::string& in : node.inputs) {
      if (!in.empty() && !defined.count(in)) {
        return error(Errc::parse_error, node_label(node, i) + ": input '" + in +
                                            "' is not a graph input, an initializer or the output of an earlier node");
      }
    }
    for (const std::string& out : node.outputs) {
      if (out.empty()) continue;
      if (defined.count(out)) return error(Errc::parse_error, node_label(node, i) + ": output '" + out + "' is defined twice");
      defined.insert(out);
    }
    if (node.name.empty()) node.name = node.op_type + "_" + std::to_string(i);
    g.nodes.push_back(GraphNode{std::move(node), {}, false});
  }
  for (const ValueInfo& out : model.graph.outputs) {
    if (!defined.count(out.name)) return error(Errc::parse_error, "graph output '" + out.name + "' is never computed");
  }
  g.outputs = std::move(model.graph.outputs);
  if (g.outputs.empty()) return error(Errc::parse_error, "the graph has no outputs");
  return g;
}

namespace {

struct Step {
  std::unique_ptr<Kernel> kernel;
  std::string label;
  std::string op;
  std::string detail;
  std::vector<int> inputs;   // value ids, -1 for omitted
  std::vector<int> outputs;  // value ids, -1 for unused
  std::vector<int> release;  // values whose last reader is this step
};

}  // namespace

struct Session::Impl {
  SessionOptions options;
  std::vector<ValueInfo> inputs, outputs;
  std::vector<std::string> value_names;
  std::vector<Value> constants;  // by value id; empty tensor data for non-constants
  std::vector<bool> is_constant;
  std::vector<bool> dropped;  // constants freed after packing: their readers get a null input
  std::vector<int> input_ids, output_ids;
  std::vector<Step> steps;
  size_t model_nodes = 0;
  // Arenas of finished runs, with their buffers: the next run reuses them instead of faulting in fresh pages.
  mutable std::mutex arena_lock;
  mutable std::vector<std::unique_ptr<Arena>> idle_arenas;
  size_t constant_bytes = 0;
  size_t packed_bytes = 0;

  int id_of(std::map<std::string, int>& ids, const std::string& name) {
    auto [it, inserted] = ids.emplace(name, static_cast<int>(value_names.size()));
    if (inserted) {
      value_names.push_back(name);
      constants.emplace_back();
      is_constant.push_back(false);
    }
    return it->second;
  }

  Status compile(Graph& g) {
    std::map<std::string, int> ids;
    for (auto& [name, t] : g.constants) {
      int id = id_of(ids, name);
      constants[id] = Value{t, false};
      is_constant[id] = true;
    }
    for (const ValueInfo& in : g.inputs) input_ids.push_back(id_of(ids, in.name));
    for (const ValueInfo& out : g.outputs) output_ids.push_back(id_of(ids, out.name));
    for (const GraphNode& node : g.nodes) {
      for (const std::string& name : node.proto.outputs) {
        if (!name.empty()) id_of(ids, name);  // every value has its id before the per-value tables are sized
      }
    }
    // A constant every reader packed at load (conv and GEMM weights) is not kept a second time; it is freed
    // as soon as its last reader is compiled, so loading never holds the raw and the packed weights whole.
    std::vector<int> unseen_readers(value_names.size(), 0);
    std::vector<bool> read(value_names.size(), false);
    dropped.assign(value_names.size(), false);
    for (const GraphNode& node : g.nodes) {
      for (const std::string& in : node.proto.inputs) {
        if (!in.empty()) ++unseen_readers[id_of(ids, in)];
      }
    }
    for (int id : output_ids) read[id] = true;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const GraphNode& node = g.nodes[i];
      NodeSpec spec{node.proto, g.opset, options.fpmath, node.fusion, {}};
      spec.winograd = options.winograd;
      for (const std::string& in : node.proto.inputs) {
        auto c = g.constants.find(in);
        spec.constants.push_back(in.empty() || c == g.constants.end() ? nullptr : &c->second);
      }
      auto kernel = make_kernel(spec);
      if (!kernel) return error(kernel.status().code(), node_label(node.proto, i) + ": " + kernel.status().message());
      Step step;
      step.kernel = std::move(kernel.value());
      step.label = node.proto.name;
      step.op = node.proto.op_type;
      step.detail = step.kernel->describe();
      for (const std::string& in : node.proto.inputs) step.inputs.push_back(in.empty() ? -1 : id_of(ids, in));
      for (const std::string& out : node.proto.outputs) step.outputs.push_back(out.empty() ? -1 : id_of(ids, out));
      packed_bytes += step.kernel->packed_bytes();
      for (size_t j = 0; j < step.inputs.size(); ++j) {
        const int id = step.inputs[j];
        if (id < 0 || !is_constant[id]) continue;
        if (step.kernel->reads_constant(j)) read[id] = true;
        if (--unseen_readers[id] == 0 && !read[id]) {
          constants[id] = Value{};
          g.constants.erase(value_names[id]);
          dropped[id] = true;
        }
      }
      steps.push_back(std::move(step));
    }
    for (size_t id = 0; id < value_names.size(); ++id) {
      if (is_constant[id] && !dropped[id]) constant_bytes += constants[id].tensor.bytes();
    }
    // Each value is released after its last reader, unless the caller gets it back.
    std::vector<int> last(value_names.size(), -1);
    for (size_t s = 0; s < steps.size(); ++s) {
      for (int id : steps[s].inputs) {
        if (id >= 0) last[id] = static_cast<int>(s);
      }
    }
    std::set<int> kept(output_ids.begin(), output_ids.end());
    for (size_t id = 0; id < last.size(); ++id) {
      if (last[id] >= 0 && !kept.count(static_cast<int>(id)) && !is_constant[id]) {
        steps[last[id]].release.push_back(static_cast<int>(id));
      }
    }
    if (options.fpmath == FpMath::bf16) choose_bf16_outputs(kept);
    return {};
  }

  // BF16 fast math keeps an activation in bfloat16 (half the bytes to write and read again) when its
  // producer can write it so, every reader takes it, and the caller does not get it back. Anywhere else it
  // stays float32, so no reader ever pays a conversion pass for it.
  void choose_bf16_outputs(const std::set<int>& returned) {
    std::vector<std::vector<std::pair<size_t, size_t>>> readers(value_names.size());  // (step, input index)
    for (size_t s = 0; s < steps.size(); ++s) {
      for (size_t j = 0; j < steps[s].inputs.size(); ++j) {
        if (steps[s].inputs[j] >= 0) readers[steps[s].inputs[j]].push_back({s, j});
      }
    }
    for (Step& step : steps) {
      if (!step.kernel->offers_bf16_output() || step.outputs.empty() || step.outputs[0] < 0) continue;
      const int id = step.outputs[0];
      if (returned.count(id) || readers[id].empty()) continue;
      const bool all_take_bf16 = std::all_of(readers[id].begin(), readers[id].end(), [&](const auto& reader) {
        return steps[reader.first].kernel->accepts_bf16(reader.second);
      });
      if (!all_take_bf16) continue;
      step.kernel->use_bf16_output();
      step.detail = step.kernel->describe();
    }
  }

  Status check_input(const ValueInfo& info, const Tensor& t) const {
    if (t.dtype() != info.dtype) {
      return error(Errc::invalid_argument, "input '" + info.name + "' must be " + dtype_name(info.dtype) + ", got " +
                                               dtype_name(t.dtype()));
    }
    if (!info.shape.empty() || t.shape().empty()) {
      bool rank_ok = info.shape.size() == t.shape().size();
      bool dims_ok = rank_ok;
      for (size_t i = 0; rank_ok && i < info.shape.size(); ++i) dims_ok = dims_ok && (info.shape[i] < 0 || info.shape[i] == t.shape()[i]);
      if (!dims_ok) {
        return error(Errc::invalid_argument, "input '" + info.name + "' must have shape " + shape_string(info.shape) +
                                                 ", got " + shape_string(t.shape()));
      }
    }
    if (t.size() > 0 && t.data() == nullptr) return error(Errc::invalid_argument, "input '" + info.name + "' has no data");
    return {};
  }

  Result<std::vector<Tensor>> run(const std::vector<NamedTensor>& given, const std::vector<std::string>& names,
                                  std::vector<double>* step_seconds = nullptr) const {
    std::vector<Value> values = constants;
    std::vector<bool> provided(inputs.size(), false);
    for (const NamedTensor& in : given) {
      const Result<size_t> index = input_index(inputs, in.name);
      if (!index) return index.status();
      const size_t i = index.value();
      if (Status s = check_input(inputs[i], in.tensor); !s) return s;
      values[input_ids[i]] = Value{in.tensor, false};
      provided[i] = true;
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!provided[i]) return error(Errc::invalid_argument, "input '" + inputs[i].name + "' was not given");
    }
    std::vector<int> wanted;
    if (names.empty()) {
      wanted = output_ids;
    } else {
      for (const std::string& name : names) {
        size_t i = 0;
        while (i < outputs.size() && outputs[i].name != name) ++i;
        if (i == outputs.size()) return error(Errc::invalid_argument, "the model has no output '" + name + "'");
        wanted.push_back(output_ids[i]);
      }
    }

    ScopedThreadLimit limit(options.threads);
    std::unique_ptr<Arena> owned_arena;
    {
      std::lock_guard<std::mutex> guard(arena_lock);
      if (!idle_arenas.empty()) {
        owned_arena = std::move(idle_arenas.back());
        idle_arenas.pop_back();
      }
    }
    if (!owned_arena) owned_arena = std::make_unique<Arena>();
    struct ReturnArena {
      const Impl& impl;
      std::unique_ptr<Arena>& arena;
      ~ReturnArena() {
        std::lock_guard<std::mutex> guard(impl.arena_lock);
        impl.idle_arenas.push_back(std::move(arena));
      }
    } return_arena{*this, owned_arena};
    Arena& arena = *owned_arena;
    RunContext ctx{arena};
    std::vector<const Value*> in_ptrs;
    std::vector<Value> converted;
    for (size_t s = 0; s < steps.size(); ++s) {
      const Step& step = steps[s];
      in_ptrs.clear();
      converted.assign(step.inputs.size(), Value{});
      for (size_t j = 0; j < step.inputs.size(); ++j) {
        int id = step.inputs[j];
        if (id < 0 || dropped[id]) {
          in_ptrs.push_back(nullptr);
          continue;
        }
        if (values[id].tensor.data() == nullptr && values[id].tensor.size() > 0) {
          return error(Errc::internal, "node '" + step.label + "' (" + step.op + "): input '" + value_names[id] +
                                           "' was not computed");
        }
        const bool widen = values[id].tensor.dtype() == DType::bfloat16 && !step.kernel->accepts_bf16(j);
        const bool unpermute = values[id].nhwc && !step.kernel->accepts_nhwc(j);
        if (widen || unpermute) {
          converted[j] = widen ? to_float32(arena, values[id]) : values[id];
          if (unpermute) {
            Tensor plain = to_plain(arena, converted[j]);
            if (widen) arena.release(std::move(converted[j].tensor));
            converted[j] = Value{std::move(plain), false};
          }
          in_ptrs.push_back(&converted[j]);
        } else {
          in_ptrs.push_back(&values[id]);
        }
      }
      ctx.consumable.assign(step.inputs.size(), false);
      for (int id : step.release) {
        for (size_t j = 0; j < step.inputs.size(); ++j) {
          if (step.inputs[j] != id || in_ptrs[j] != &values[id] || !values[id].tensor.owned()) continue;
          // values[id] and the copy storage() makes: nobody else holds this memory.
          bool alone = values[id].tensor.storage().use_count() == 2;
          bool once = std::count(step.inputs.begin(), step.inputs.end(), id) == 1;
          ctx.consumable[j] = alone && once;
        }
      }
      std::vector<Value> outs(step.outputs.size());
      const auto started = std::chrono::steady_clock::now();
      Status status = step.kernel->run(ctx, in_ptrs, outs);
      if (step_seconds) (*step_seconds)[s] += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (!status) return error(status.code(), "node '" + step.label + "' (" + step.op + "): " + status.message());
      for (size_t j = 0; j < step.outputs.size(); ++j) {
        if (step.outputs[j] >= 0) values[step.outputs[j]] = std::move(outs[j]);
      }
      for (Value& v : converted) {
        if (v.tensor.data()) arena.release(std::move(v.tensor));
      }
      for (int id : step.release) arena.release(std::move(values[id].tensor));
    }
    std::vector<Tensor> result;
    for (int id : wanted) {
      // Returned tensors are the caller's: convert channels-last ones, and never hand out a constant's or an
      // input's memory as if it were writable.
      Value wide = to_float32(arena, values[id]);
      Tensor t = to_plain(arena, wide);
      if (!t.owned() || is_constant[id] || t.data() == values[id].tensor.data()) {
        bool shared = !t.owned() || is_constant[id] ||
                      std::any_of(given.begin(), given.end(), [&](const NamedTensor& g) { return g.tensor.data() == t.data(); });
        if (shared) {
          Tensor copy = Tensor::empty(t.dtype(), t.shape());
          if (t.bytes()) std::memcpy(copy.mutable_data(), t.data(), t.bytes());
          t = std::move(copy);
        }
      }
      result.push_back(std::move(t));
    }
    return result;
  }
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

Result<size_t> input_index(const std::vector<ValueInfo>& inputs, const std::string& name) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].name == name) return i;
  }
  std::string known;
  for (const ValueInfo& v : inputs) known += (known.empty() ? "'" : ", '") + v.name + "'";
  return error(Errc::invalid_argument,
               "the model has no input '" + name + "'; its inputs are " + (known.empty() ? "none" : known));
}

const std::vector<ValueInfo>& Session::inputs() const { return impl_->inputs; }
const std::vector<ValueInfo>& Session::outputs() const { return impl_->outputs; }
const SessionOptions& Session::options() const { return impl_->options; }

size_t Session::weight_bytes() const { return impl_->constant_bytes + impl_->packed_bytes; }

Result<Session> Session::load_from_bytes(std::string_view bytes, const std::string& base_dir, const SessionOptions& options) {
  try {
    auto model = parse_model(bytes, base_dir);
    if (!model) return model.status();
    return from_model(std::move(model.value()), options);
  } catch (const std::bad_alloc&) {
    return error(Errc::invalid_argument, "out of memory while loading the model (is it truncated or corrupt?)");
  }
}

Result<Session> Session::from_model(ModelProto&& model, const SessionOptions& options) {
  try {
    auto graph = build_graph(std::move(model));
    if (!graph) return graph.status();
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->model_nodes = graph->nodes.size();
    if (options.optimize) {
      if (Status s = optimize(graph.value()); !s) return s;
    }
    impl->inputs = graph->inputs;
    impl->outputs = graph->outputs;
    if (Status s = impl->compile(graph.value()); !s) return s;
    return Session(std::move(impl));
  } catch (const TensorTooLarge& e) {
    return error(Errc::invalid_argument, std::string("folding constants: a tensor of shape ") + e.what());
  } catch (const std::bad_alloc&) {
    return error(Errc::invalid_argument, "out of memory while loading the model (is it truncated or corrupt?)");
  }
}

Result<Session> Session::load(const std::string& path, const SessionOptions& options) {
  // The file is mapped, not read: its pages are only touched while the weights are copied out, and the
  // mapping is gone before the graph is compiled, so the model is never held twice in memory.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(Errc::not_found, "cannot open model file " + path + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return error(Errc::io_error, "model file " + path + " is not a regular file");
  }
  const size_t size = static_cast<size_t>(info.st_size);
  // MAP_POPULATE reads the file in at once: page by page, the faults cost more than the parse.
  void* mapped = size > 0 ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : nullptr;
  ::close(fd);
  if (size > 0 && mapped == MAP_FAILED) return error(Errc::io_error, "cannot map model file " + path);
  std::string_view bytes(static_cast<const char*>(mapped), size);
  auto base = std::filesystem::path(path).parent_path().string();
  Result<ModelProto> model = error(Errc::internal, "not parsed");
  try {
    model = parse_model(bytes, base.empty() ? "." : base);
  } catch (const std::bad_alloc&) {
    model = error(Errc::invalid_argument, "out of memory while reading the model (is it truncated or corrupt?)");
  }
  if (size > 0) ::munmap(mapped, size);
  auto session = model ? from_model(std::move(model.value()), options) : Result<Session>(model.status());
  if (!session) return error(session.status().code(), path + ": " + session.status().message());
  return session;
}

Result<std::vector<Tensor>> Session::run(const std::vector<NamedTensor>& inputs,
                                         const std::vector<std::string>& output_names) const {
  try {
    return impl_->run(inputs, output_names);
  } catch (const TensorTooLarge& e) {
    return error(Errc::invalid_argument, std::string("a tensor of shape ") + e.what());
  } catch (const std::bad_alloc&) {
    return error(Errc::invalid_argument, "out of memory while running the model (inputs too large?)");
  }
}

Result<std::vector<Session::NodeTime>> Session::profile(const std::vector<NamedTensor>& inputs, int runs) const {
  if (runs < 1) return error(Errc::invalid_argument, "profile: runs must be >= 1");
  std::vector<double> seconds(impl_->steps.size(), 0.0);
  try {
    auto warm = impl_->run(inputs, {});
    if (!warm) return warm.status();
    for (int r = 0; r < runs; ++r) {
      auto result = impl_->run(inputs, {}, &seconds);
      if (!result) return result.status();
    }
  } catch (const std::exception& e) {
    return error(Errc::invalid_argument, std::string("profile: ") + e.what());
  }
  std::vector<NodeTime> times;
  for (size_t i = 0; i < seconds.size(); ++i) {
    const Step& step = impl_->steps[i];
    times.push_back({step.label, step.op, step.detail, seconds[i]});
  }
  std::stable_sort(times.begin(), times.end(), [](const NodeTime& a, const NodeTime& b) { return a.seconds > b.seconds; });
  return times;
}

std::string Session::dump_graph() const {
  const Impl& s = *impl_;
  std::ostringstream out;
  out << "graph: " << s.steps.size() << " nodes (" << s.model_nodes << " in the model), " << s.packed_bytes / 1024
      << " KiB of packed weights, " << s.constant_bytes / 1024 << " KiB of other constants, fpmath "
      << (s.options.fpmath == FpMath::bf16 ? "bf16" : "strict") << "\n";
  for (const ValueInfo& in : s.inputs) out << "input  " << in.name << " " << dtype_name(in.dtype) << " " << shape_string(in.shape) << "\n";
  for (const Step& step : s.steps) {
    out << step.op;
    if (!step.detail.empty()) out << " [" << step.detail << "]";
    out << " " << step.label << ": ";
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      if (step.inputs[i] < 0) continue;
      if (i) out << ", ";
      out << (s.is_constant[step.inputs[i]] ? "#" : "") << s.value_names[step.inputs[i]];
    }
    out << " -> ";
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (i) out << ", ";
      if (step.outputs[i] >= 0) out << s.value_names[step.outputs[i]];
    }
    out << "\n";
  }
  for (const ValueInfo& o : s.outputs) out << "output " << o.name << " " << dtype_name(o.dtype) << " " << shape_string(o.shape) << "\n";
  return out.str();
}

Result<NamedTensor> read_tensor_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(Errc::not_found, "cannot open tensor file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto base = std::filesystem::path(path).parent_path().string();
  auto t = parse_tensor(buffer.str(), base.empty() ? "." : base);
  if (!t) return error(t.status().code(), path + ": " + t.status().message());
  return t;
}

}  // namespace armory::nn
