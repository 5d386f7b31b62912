// `gemm_peers`: armory's GEMM beside OpenBLAS, BLIS and oneDNN in the same run, same buffers, same
// threads. Each figure is the median of --repeat samples (min and max kept), as GFLOPS, % of the measured
// FMA peak and the ratio of armory to each peer. --json writes Google Benchmark-style JSON.
#include <armory/cpu.h>
#include <armory/gemm.h>
#include <armory/version.h>

#include "peak.h"
#include "peers/peer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace armory::bench {
namespace {

class ArmoryPeer : public GemmPeer {
 public:
  std::string name() const override { return "armory"; }
  std::string version() const override { return build_info().version; }
  bool set_threads(int threads) override { return set_num_threads(threads).ok(); }
  bool supports(Precision) const override { return true; }
  std::function<bool()> prepare(Precision p, const GemmBuffers& x) override {
    switch (p) {
      case Precision::f32:
        return [x] {
          return gemm(Layout::row_major, Trans::no, Trans::no, x.m, x.n, x.k, 1.0f, static_cast<const float*>(x.a), x.k,
                      static_cast<const float*>(x.b), x.n, 0.0f, static_cast<float*>(x.c), x.n).ok();
        };
      case Precision::f32_bf16:
        return [x] {
          GemmOptions o;
          o.fpmath = FpMath::bf16;
          return gemm(Layout::row_major, Trans::no, Trans::no, x.m, x.n, x.k, 1.0f, static_cast<const float*>(x.a), x.k,
                      static_cast<const float*>(x.b), x.n, 0.0f, static_cast<float*>(x.c), x.n, o).ok();
        };
      case Precision::f64:
        return [x] {
          return gemm(Layout::row_major, Trans::no, Trans::no, x.m, x.n, x.k, 1.0, static_cast<const double*>(x.a), x.k,
                      static_cast<const double*>(x.b), x.n, 0.0, static_cast<double*>(x.c), x.n).ok();
        };
      case Precision::bf16:
        return [x] {
          return gemm_bf16(Layout::row_major, Trans::no, Trans::no, x.m, x.n, x.k, 1.0f,
                           static_cast<const bf16_t*>(x.a), x.k, static_cast<const bf16_t*>(x.b), x.n, 0.0f,
                           static_cast<float*>(x.c), x.n).ok();
        };
    }
    return {};
  }
};

struct Shape {
  std::string label;
  int64_t m, n, k;
};

struct Options {
  bool full = false;
  int repeat = 5;
  std::vector<int> threads = {1, 2};
  std::vector<Precision> precisions = {Precision::f32, Precision::f64, Precision::f32_bf16, Precision::bf16};
  std::string filter;
  std::string json_path;
  double min_sample_seconds = 0.02;
};

std::vector<Shape> shapes(const Options& o) {
  std::vector<Shape> out;
  std::vector<int64_t> square = {64, 128, 256, 512, 1024, 2048};
  if (o.full) square.push_back(4096);
  for (int64_t n : square) out.push_back({"n=" + std::to_string(n), n, n, n});
  // ResNet50's convolutions as GEMMs (NHWC: M = batch*H*W, N = output channels, K = input channels*3*3).
  const Shape resnet[] = {{"r50 3136x64x576", 3136, 64, 576},  {"r50 784x128x1152", 784, 128, 1152},
                          {"r50 196x256x2304", 196, 256, 2304}, {"r50 49x512x4608", 49, 512, 4608}};
  for (const auto& s : resnet) {
    out.push_back({s.label + " b1", s.m, s.n, s.k});
    out.push_back({s.label + " b16", s.m * 16, s.n, s.k});
  }
  return out;
}

struct Sample {
  double median = 0, min = 0, max = 0;  // GFLOPS
  bool ok = false;
};

Sample time_call(const std::function<bool()>& call, double flops, const Options& o) {
  Sample s;
  if (!call()) return s;  // warm-up, and the first call's one-time costs stay out of the figures
  auto now = [] { return std::chrono::steady_clock::now(); };
  int inner = 1;
  auto t0 = now();
  call();
  double once = std::chrono::duration<double>(now() - t0).count();
  if (once < o.min_sample_seconds) inner = static_cast<int>(std::ceil(o.min_sample_seconds / std::max(once, 1e-7)));
  std::vector<double> gflops;
  for (int r = 0; r < o.repeat; ++r) {
    auto start = now();
    for (int i = 0; i < inner; ++i) {
      if (!call()) return s;
    }
    double seconds = std::chrono::duration<double>(now() - start).count() / inner;
    gflops.push_back(flops / seconds / 1e9);
  }
  std::sort(gflops.begin(), gflops.end());
  s.median = gflops[gflops.size() / 2];
  s.min = gflops.front();
  s.max = gflops.back();
  s.ok = true;
  return s;
}

uint16_t to_bf16(float x) { return float_to_bf16(x); }

PeakKind peak_kind(Precision p) {
  return p == Precision::f64 ? PeakKind::f64_fma : (p == Precision::f32 ? PeakKind::f32_fma : PeakKind::bf16_dot);
}

int run(const Options& o) {
  std::vector<std::unique_ptr<GemmPeer>> peers;
  peers.push_back(std::make_unique<ArmoryPeer>());
  for (auto loader : {load_openblas, load_blis, load_onednn}) {
    std::string why;
    if (auto p = loader(&why)) {
      peers.push_back(std::move(p));
    } else {
      std::printf("peer missing (skipped): %s\n", why.c_str());
    }
  }
  const CpuInfo& cpu = host_cpu();
  std::printf("machine: %s (%s), %d usable cores\n", cpu.model_name.c_str(), cpu.uarch.c_str(), cpu.usable_cores);
  std::printf("%s", gemm_dispatch_summary().c_str());
  for (const auto& p : peers) std::printf("peer %s %s\n", p->name().c_str(), p->version().c_str());

  std::map<std::pair<PeakKind, int>, double> peak;
  for (int t : o.threads) {
    for (PeakKind k : {PeakKind::f32_fma, PeakKind::f64_fma, PeakKind::bf16_dot}) peak[{k, t}] = measure_peak_gflops(k, t);
    std::printf("measured peak, %d thread(s): f32 %.1f, f64 %.1f, bf16 %.1f GFLOPS\n", t, peak[{PeakKind::f32_fma, t}],
                peak[{PeakKind::f64_fma, t}], peak[{PeakKind::bf16_dot, t}]);
  }

  nlohmann::json benchmarks = nlohmann::json::array();
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (Precision prec : o.precisions) {
    for (const Shape& shape : shapes(o)) {
      std::string case_name = std::string(precision_name(prec)) + " " + shape.label;
      if (!o.filter.empty() && case_name.find(o.filter) == std::string::npos) continue;
      const int64_t m = shape.m, n = shape.n, k = shape.k;
      size_t in_bytes = prec == Precision::f64 ? 8 : (prec == Precision::bf16 ? 2 : 4);
      size_t out_bytes = prec == Precision::f64 ? 8 : 4;
      std::vector<unsigned char> a(m * k * in_bytes), b(k * n * in_bytes);
      for (int64_t i = 0; i < m * k + k * n; ++i) {
        float v = dist(rng);
        unsigned char* dst = i < m * k ? a.data() + i * in_bytes : b.data() + (i - m * k) * in_bytes;
        if (prec == Precision::f64) {
          double d = v;
          std::memcpy(dst, &d, 8);
        } else if (prec == Precision::bf16) {
          uint16_t h = to_bf16(v);
          std::memcpy(dst, &h, 2);
        } else {
          std::memcpy(dst, &v, 4);
        }
      }
      std::vector<unsigned char> c(m * n * out_bytes);
      GemmBuffers buffers{m, n, k, a.data(), b.data(), c.data()};
      double flops = 2.0 * m * n * k;
      for (int t : o.threads) {
        std::map<std::string, Sample> results;
        for (auto& peer : peers) {
          if (!peer->supports(prec) || !peer->set_threads(t)) continue;
          auto call = peer->prepare(prec, buffers);
          if (!call) continue;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let other pools' spinning threads park
          results[peer->name()] = time_call(call, flops, o);
        }
        double pk = peak[{peak_kind(prec), t}];
        const Sample& mine = results["armory"];
        std::printf("%-26s t=%d  armory %7.1f GF", case_name.c_str(), t, mine.median);
        if (pk > 0) std::printf(" (%3.0f%% peak)", 100.0 * mine.median / pk);
        for (const auto& [name, s] : results) {
          if (name == "armory" || !s.ok) continue;
          std::printf(" | %s %6.1f x%.2f", name.c_str(), s.median, mine.median / s.median);
        }
        std::printf("\n");
        std::fflush(stdout);
        for (const auto& [name, s] : results) {
          if (!s.ok) continue;
          nlohmann::json row = {{"name", "gemm/" + case_name + "/threads:" + std::to_string(t) + "/" + name},
                                {"library", name}, {"precision", precision_name(prec)}, {"shape", shape.label},
                                {"m", m}, {"n", n}, {"k", k}, {"threads", t}, {"repetitions", o.repeat},
                                {"gflops", s.median}, {"gflops_min", s.min}, {"gflops_max", s.max},
                                {"real_time", flops / s.median / 1e6}, {"time_unit", "ms"}};
          if (pk > 0) row["peak_fraction"] = s.median / pk;
          if (name != "armory" && mine.ok) row["armory_ratio"] = mine.median / s.median;
          benchmarks.push_back(row);
        }
      }
    }
  }
  if (!o.json_path.empty()) {
    nlohmann::json doc = {{"context",
                           {{"executable", "gemm_peers"}, {"cpu", cpu.model_name}, {"uarch", cpu.uarch},
                            {"num_cpus", cpu.usable_cores}, {"armory_version", build_info().version},
                            {"armory_commit", build_info().git_commit}}},
                          {"benchmarks", benchmarks}};
    std::ofstream(o.json_path) << doc.dump(1) << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace armory::bench

int main(int argc, char** argv) {
  armory::bench::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--full") {
      o.full = true;
    } else if (arg == "--repeat") {
      o.repeat = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--threads") {
      o.threads.clear();
      std::string list = value();
      for (size_t pos = 0; pos < list.size();) {
        size_t comma = list.find(',', pos);
        o.threads.push_back(std::max(1, std::atoi(list.substr(pos, comma - pos).c_str())));
        pos = comma == std::string::npos ? list.size() : comma + 1;
      }
    } else if (arg == "--filter") {
      o.filter = value();
    } else if (arg == "--json") {
      o.json_path = value();
    } else {
      std::fprintf(stderr, "usage: gemm_peers [--full] [--repeat N] [--threads 1,2] [--filter TEXT] [--json FILE]\n");
      return 2;
    }
  }
  return armory::bench::run(o);
}
