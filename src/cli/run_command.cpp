// `armory run MODEL.onnx [--dump-graph] [--profile] [--batch N] [--threads T] [--fpmath strict|bf16] [--direct-conv]
// [--runs R] [--shape NAME=DIMS]`: loads and optimises an ONNX model, then runs it on random inputs and
// prints latency percentiles and throughput (or the optimised graph, or where the time goes per node).
#include <armory/nn.h>

#include "cli/commands.h"
#include "nn/kernel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace armory::cli {

namespace {

struct RunOptions {
  std::string model;
  bool dump_graph = false;
  bool profile = false;
  int64_t batch = 1;
  int threads = 0;
  std::string fpmath = "strict";
  bool direct_conv = false;
  int runs = 20;
  std::vector<std::string> shapes;
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// "input=1x3x224x224" -> {"input", {1, 3, 224, 224}}
bool parse_shape(const std::string& text, std::string& name, std::vector<int64_t>& dims) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  name = text.substr(0, eq);
  std::stringstream in(text.substr(eq + 1));
  std::string part;
  dims.clear();
  while (std::getline(in, part, 'x')) {
    try {
      size_t used = 0;
      long long d = std::stoll(part, &used);
      if (used != part.size() || d < 0) return false;
      dims.push_back(d);
    } catch (const std::exception&) {
      return false;
    }
  }
  return !dims.empty();
}

int run_model(const RunOptions& o) {
  nn::SessionOptions options;
  if (o.fpmath == "bf16") {
    options.fpmath = FpMath::bf16;
  } else if (o.fpmath != "strict") {
    std::fprintf(stderr, "armory run: --fpmath must be strict or bf16, got %s\n", o.fpmath.c_str());
    return 2;
  }
  options.threads = o.threads;
  options.winograd = !o.direct_conv;
  const auto load_start = Clock::now();
  auto session = nn::Session::load(o.model, options);
  const double load_seconds = seconds_since(load_start);
  if (!session) {
    std::fprintf(stderr, "armory run: %s\n", session.status().message().c_str());
    return 1;
  }
  if (o.dump_graph) {
    std::fputs(session->dump_graph().c_str(), stdout);
    return 0;
  }

  std::map<std::string, std::vector<int64_t>> given_shapes;
  for (const std::string& text : o.shapes) {
    std::string name;
    std::vector<int64_t> dims;
    if (!parse_shape(text, name, dims)) {
      std::fprintf(stderr, "armory run: --shape wants NAME=D1xD2x..., got '%s'\n", text.c_str());
      return 2;
    }
    given_shapes[name] = dims;
  }
  for (const auto& [name, dims] : given_shapes) {
    if (auto declared = nn::input_index(session->inputs(), name); !declared) {
      std::fprintf(stderr, "armory run: --shape %s=...: %s\n", name.c_str(), declared.status().message().c_str());
      return 2;
    }
  }
  std::vector<nn::NamedTensor> inputs;
  std::mt19937 rng(42);
  std::normal_distribution<float> normal;
  for (const nn::ValueInfo& info : session->inputs()) {
    std::vector<int64_t> shape = info.shape;
    if (auto it = given_shapes.find(info.name); it != given_shapes.end()) {
      shape = it->second;
    } else {
      for (size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] >= 0) continue;
        if (d == 0) {
          shape[d] = o.batch;
        } else {
          std::fprintf(stderr, "armory run: input '%s' %s has a free dimension %zu; give it with --shape %s=...\n",
                       info.name.c_str(), nn::shape_string(info.shape).c_str(), d, info.name.c_str());
          return 2;
        }
      }
    }
    if (Status fits = nn::tensor_fits_in_memory(info.dtype, shape); !fits) {
      std::fprintf(stderr, "armory run: input '%s' %s\n", info.name.c_str(), fits.message().c_str());
      return 2;
    }
    nn::Tensor t;
    try {
      t = nn::Tensor::empty(info.dtype, shape);
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "armory run: no memory for input '%s' %s\n", info.name.c_str(),
                   nn::shape_string(shape).c_str());
      return 1;
    }
    for (int64_t i = 0; i < t.size(); ++i) {
      if (info.dtype == nn::DType::float32) {
        t.mutable_data_as<float>()[i] = normal(rng);
      } else if (info.dtype == nn::DType::int64) {
        t.mutable_data_as<int64_t>()[i] = 0;
      } else {
        t.mutable_data_as<uint8_t>()[i] = 0;
      }
    }
    inputs.push_back({info.name, std::move(t)});
  }

  // A session runs on armory's pool, so more threads than it has are not more threads.
  const int threads = o.threads > 0 ? std::min(o.threads, get_num_threads()) : get_num_threads();
  std::printf("%s: loaded and optimised in %.0f ms; fpmath %s, threads %d%s\n", o.model.c_str(), load_seconds * 1e3,
              o.fpmath.c_str(), threads, o.threads > threads ? " (armory's thread count; more were asked for)" : "");
  for (const auto& in : inputs) std::printf("  input %s %s\n", in.name.c_str(), nn::shape_string(in.tensor.shape()).c_str());

  if (o.profile) {
    auto times = session->profile(inputs, o.runs);
    if (!times) {
      std::fprintf(stderr, "armory run: %s\n", times.status().message().c_str());
      return 1;
    }
    double total = 0;
    for (const auto& t : times.value()) total += t.seconds;
    std::printf("%8s %6s  %-20s %s\n", "ms/run", "share", "op", "node [fused, shape]");
    for (const auto& t : times.value()) {
      std::printf("%8.3f %5.1f%%  %-20s %s%s%s%s\n", t.seconds / o.runs * 1e3, 100 * t.seconds / total, t.op.c_str(),
                  t.node.c_str(), t.detail.empty() ? "" : " [", t.detail.c_str(), t.detail.empty() ? "" : "]");
    }
    std::printf("total %.2f ms per run over %d runs\n", total / o.runs * 1e3, o.runs);
    return 0;
  }

  auto warm = session->run(inputs);
  if (!warm) {
    std::fprintf(stderr, "armory run: %s\n", warm.status().message().c_str());
    return 1;
  }
  std::vector<double> latencies;
  for (int r = 0; r < o.runs; ++r) {
    const auto start = Clock::now();
    auto result = session->run(inputs);
    latencies.push_back(seconds_since(start));
    if (!result) {
      std::fprintf(stderr, "armory run: %s\n", result.status().message().c_str());
      return 1;
    }
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[std::min(latencies.size() - 1, size_t(p / 100.0 * latencies.size()))] * 1e3; };
  const int64_t batch = inputs.empty() || inputs[0].tensor.shape().empty() ? 1 : inputs[0].tensor.shape()[0];
  std::printf("latency ms: min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (%d runs)\n", latencies.front() * 1e3,
              pct(50), pct(90), pct(99), latencies.back() * 1e3, o.runs);
  std::printf("throughput: %.1f inferences/s (batch %lld)\n", batch / (pct(50) / 1e3), static_cast<long long>(batch));
  return 0;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Load an ONNX model, optimise it and time it on random inputs");
  run->add_option("model", options->model, "the .onnx file")->required();
  run->add_flag("--dump-graph", options->dump_graph, "print the optimised graph and exit");
  run->add_flag("--profile", options->profile, "print the time spent in each node");
  run->add_option("--batch", options->batch, "the first free dimension of each input (default 1)")->check(at_least(1));
  run->add_option("--threads", options->threads, "threads for this model (default: armory's thread count)")
      ->check(at_least(0));
  run->add_option("--fpmath", options->fpmath, "strict, or bf16: bf16 products with fp32 accumulation");
  run->add_flag("--direct-conv", options->direct_conv,
                "every convolution direct (no Winograd for the 3x3 stride-1 ones): to compare against");
  run->add_option("--runs", options->runs, "timed runs (default 20)")->check(at_least(1));
  run->add_option("--shape", options->shapes, "an input's shape, NAME=D1xD2x... (for free dimensions)");
  return [options] { return run_model(*options); };
}

}  // namespace armory::cli
