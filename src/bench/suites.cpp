#include "bench/suites.h"

#include "bench/peak.h"
#include "bench/peers/gemm_peer.h"
#include "bench/python_peer.h"

#include <armory/cpu.h>
#include <armory/gemm.h>
#include <armory/nn.h>
#include <armory/svd.h>
#include <armory/version.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

namespace armory::bench {

namespace {

constexpr double kResnet50FlopsPerImage = 8.2e9;  // multiply-adds counted as 2

// The plan's estimate of a job: the pause before it, the warm-up call and the samples (each at least 20 ms),
// at a rough speed for the library. Checked against this 2-core Zen 5: the default plan took 2 min 8 s with
// a 50 ms pause between jobs (now 200 ms: the plan says about 3 min 11 s).
double estimate(double flops, int repeat, double gflops = 60) {
  double call = flops / (gflops * 1e9);
  return 0.21 + call + repeat * std::max(call, 0.02);
}

bool selected(const SuiteOptions& o, const CaseResult& c) {
  if (o.filters.empty()) return true;
  std::string label = c.suite + "/" + c.name + "/" + c.library;
  return std::any_of(o.filters.begin(), o.filters.end(),
                     [&](const std::string& f) { return label.find(f) != std::string::npos; });
}

std::string python_request(const CaseResult& c, const std::string& model = "") {
  nlohmann::json j = {{"suite", c.suite}, {"precision", c.precision}, {"m", c.m}, {"n", c.n}, {"k", c.k},
                      {"batch", c.batch}, {"vectors", c.vectors}, {"repeat", c.repeat}};
  if (!model.empty()) j["model"] = model;
  return j.dump();
}

// ---- GEMM ----

Precision gemm_precision(const std::string& p) {
  if (p == "f64") return Precision::f64;
  if (p == "bf16") return Precision::bf16;
  return p == "f32:bf16" ? Precision::f32_bf16 : Precision::f32;
}

// armory in-process, same interface as the dlopen'd peers.
class ArmoryGemm : public GemmPeer {
 public:
  std::string name() const override { return "armory"; }
  std::string version() const override { return build_info().version; }
  bool set_threads(int threads) override { return set_num_threads(threads).ok(); }
  bool supports(Precision) const override { return true; }
  std::function<bool()> prepare(Precision p, const GemmBuffers& x) override {
    if (p == Precision::bf16) {
      return [x] {
        return gemm_bf16(Layout::row_major, Trans::no, Trans::no, x.m, x.n, x.k, 1.0f, static_cast<const bf16_t*>(x.a),
                         x.k, static_cast<const bf16_t*>(x.b), x.n, 0.0f, static_cast<float*>(x.c), x.n).ok();
      };
    }
    if (p == Precision::f64) {
      return [x] {
        return gemm(Layout::row_major, Trans::no, Trans::no, x.m, x.n, x.k, 1.0, static_cast<const double*>(x.a), x.k,
                    static_cast<const double*>(x.b), x.n, 0.0, static_cast<double*>(x.c), x.n).ok();
      };
    }
    GemmOptions o;
    o.fpmath = p == Precision::f32_bf16 ? FpMath::bf16 : FpMath::strict;
    return [x, o] {
      return gemm(Layout::row_major, Trans::no, Trans::no, x.m, x.n, x.k, 1.0f, static_cast<const float*>(x.a), x.k,
                  static_cast<const float*>(x.b), x.n, 0.0f, static_cast<float*>(x.c), x.n, o).ok();
    };
  }
};

// armory's strict fp32 on a BF16 fast-math case's fp32 buffers: issue 4 asks fast math for 1.8x armory's own
// fp32, and the two timed in separate cases, minutes apart, on this guest drifted by 5-10% between them
// (stop 42: 1.76-1.88x with the peaks beside them 1.87x apart instead of 2x). Timed in the same alternation,
// its ratio line reads fast math's speedup over fp32.
class ArmoryStrictF32 : public GemmPeer {
 public:
  std::string name() const override { return "armory-f32"; }
  std::string version() const override { return build_info().version; }
  bool set_threads(int threads) override { return set_num_threads(threads).ok(); }
  bool supports(Precision p) const override { return p == Precision::f32_bf16; }
  std::function<bool()> prepare(Precision p, const GemmBuffers& x) override {
    if (p != Precision::f32_bf16) return {};
    return ArmoryGemm().prepare(Precision::f32, x);
  }
  std::string peak_precision(const std::string&) const override { return "f32"; }
};

// The in-process libraries of one case (shape, precision, threads), timed in alternation on the same
// buffers when the first of their jobs runs; each job then takes its library's figure. Timed one library
// after another, a slow stretch of this guest could fall on one side of a ratio only: oneDNN and armory
// f32 at n = 64..1024 read 0.95-0.99x in one full run and 1.0-1.1x in the next.
class AlternatingGemm {
 public:
  explicit AlternatingGemm(CaseResult spec) : spec_(std::move(spec)) {}
  void add(std::shared_ptr<GemmPeer> peer) { peers_.push_back(std::move(peer)); }

  Result<Timing> timing(const std::string& library) {
    if (results_.empty()) measure_all();
    for (size_t i = 0; i < peers_.size(); ++i) {
      if (peers_[i]->name() == library) return results_[i];
    }
    return error(Errc::internal, library + " is not part of " + spec_.name);
  }

 private:
  void measure_all() {
    const CaseResult& c = spec_;
    const Precision p = gemm_precision(c.precision);
    const size_t in_bytes = p == Precision::f64 ? 8 : (p == Precision::bf16 ? 2 : 4);
    const size_t out_bytes = p == Precision::f64 ? 8 : 4;
    std::vector<unsigned char> a(c.m * c.k * in_bytes), b(c.k * c.n * in_bytes), out(c.m * c.n * out_bytes);
    std::mt19937 rng(1);
    std::uniform_real_distribution<double> dist(-1, 1);
    for (auto* buf : {&a, &b}) {
      for (size_t i = 0; i < buf->size() / in_bytes; ++i) {
        double v = dist(rng);
        if (p == Precision::f64) {
          std::memcpy(buf->data() + i * 8, &v, 8);
        } else if (p == Precision::bf16) {
          bf16_t h = float_to_bf16(static_cast<float>(v));
          std::memcpy(buf->data() + i * 2, &h, 2);
        } else {
          float f = static_cast<float>(v);
          std::memcpy(buf->data() + i * 4, &f, 4);
        }
      }
    }
    results_.assign(peers_.size(), error(Errc::internal, "not measured"));
    std::vector<std::function<bool()>> calls;
    std::vector<size_t> timed;  // the peers behind `calls`
    for (size_t i = 0; i < peers_.size(); ++i) {
      GemmPeer& peer = *peers_[i];
      if (!peer.set_threads(c.threads)) {
        results_[i] = error(Errc::unsupported, peer.name() + " cannot set its threads");
        continue;
      }
      auto call = peer.prepare(p, GemmBuffers{c.m, c.n, c.k, a.data(), b.data(), out.data()});
      if (!call) {
        results_[i] = error(Errc::unsupported, peer.name() + " cannot run " + c.name);
        continue;
      }
      calls.push_back(std::move(call));
      timed.push_back(i);
    }
    // With several threads, a pause long enough for OpenBLAS's idle threads to stop spinning (about 0.13 s
    // here) before another library (or the FMA peak below) runs, and samples long enough to outlast what the
    // pause costs: for some tens of milliseconds after it this guest runs slow (f32 n = 256, 2 threads,
    // samples of 20 / 100 / 300 ms: oneDNN 321 / 380 / 392 GFLOPS, armory 293 / 389 / 402). With one thread
    // no library leaves threads spinning, and the calls alternate without pauses; nor does a lone call
    // (one library and no peak) pause before each of its samples.
    const double paused_sample_seconds = 0.1, sample_seconds = 0.02;
    const double peak_sample_seconds = c.threads > 1 ? paused_sample_seconds : sample_seconds;
    // The FMA peak joins the alternation when this machine has one to measure and some library runs: each
    // library's efficiency is then its median against the peak's median over the same minutes (a peak taken
    // once at the start of the run put f64 GEMM at 72-79% in a slow stretch and 84-88% in a calm one). One
    // peak per kind the libraries need: armory's strict fp32 beside a fast-math case is a share of fp32's.
    std::vector<PeakKind> peak_kinds;
    std::vector<size_t> peak_of(timed.size());  // index into peak_kinds
    for (size_t j = 0; j < timed.size(); ++j) {
      const PeakKind kind = peak_kind(peers_[timed[j]]->peak_precision(c.precision));
      auto it = std::find(peak_kinds.begin(), peak_kinds.end(), kind);
      peak_of[j] = static_cast<size_t>(it - peak_kinds.begin());
      if (it == peak_kinds.end()) peak_kinds.push_back(kind);
    }
    std::vector<PeakCall> peaks;
    for (PeakKind kind : peak_kinds) {
      peaks.push_back(peak_call(kind, c.threads, peak_sample_seconds));
      if (peaks.back().run) calls.push_back(peaks.back().run);
    }
    const bool pause = c.threads > 1 && calls.size() > 1;
    const double min_sample_seconds = pause ? paused_sample_seconds : sample_seconds;
    auto timings = time_alternating(calls, c.repeat, pause ? 0.2 : 0.0, min_sample_seconds);
    std::vector<double> peak_gflops(peaks.size(), 0.0);
    for (size_t q = 0, call = timed.size(); q < peaks.size(); ++q) {
      if (!peaks[q].run) continue;
      const auto& t = timings[call++];
      if (t && t->median > 0) peak_gflops[q] = peaks[q].flops / t->median / 1e9;
    }
    for (size_t j = 0; j < timed.size(); ++j) {
      results_[timed[j]] = timings[j];
      if (timings[j] && peak_gflops[peak_of[j]] > 0) results_[timed[j]]->peak_gflops = peak_gflops[peak_of[j]];
    }
  }

  CaseResult spec_;
  std::vector<std::shared_ptr<GemmPeer>> peers_;
  std::vector<Result<Timing>> results_;
};

struct GemmShape {
  std::string label;
  int64_t m, n, k;
};

std::vector<GemmShape> gemm_shapes(bool full) {
  std::vector<GemmShape> shapes;
  std::vector<int64_t> square = {256, 512, 1024, 2048};
  if (full) square = {64, 128, 256, 512, 1024, 2048, 4096};
  for (int64_t n : square) shapes.push_back({"n=" + std::to_string(n), n, n, n});
  // ResNet50's 3x3 convolutions as GEMMs (M = batch*H*W, N = output channels, K = 9 * input channels).
  shapes.push_back({"r50 3136x64x576", 3136, 64, 576});
  shapes.push_back({"r50 49x512x4608", 49, 512, 4608});
  if (full) {
    shapes.push_back({"r50 784x128x1152", 784, 128, 1152});
    shapes.push_back({"r50 196x256x2304", 196, 256, 2304});
    shapes.push_back({"r50 3136x64x576 b16", 3136 * 16, 64, 576});
  }
  return shapes;
}

void add_gemm(const SuiteOptions& o, Plan& plan) {
  std::vector<std::shared_ptr<GemmPeer>> peers = {std::make_shared<ArmoryGemm>(), std::make_shared<ArmoryStrictF32>()};
  for (auto loader : {load_openblas, load_blis, load_onednn}) {
    std::string why;
    if (auto p = loader(&why)) {
      plan.libraries[p->name()] = p->version();
      peers.push_back(std::move(p));
    } else {
      std::string name = why.substr(0, why.find(':'));
      plan.libraries[name.empty() ? why : name] = "missing: " + why;
    }
  }
  // bf16 inputs (fp32 output) only in the full suite: the default one keeps to what numpy users run.
  std::vector<std::string> precisions = {"f32", "f64", "f32:bf16"};
  if (o.full) precisions.push_back("bf16");
  for (const std::string& precision : precisions) {
    for (const GemmShape& shape : gemm_shapes(o.full)) {
      for (int t : o.threads) {
        CaseResult c;
        c.suite = "gemm";
        c.name = precision + std::string(" ") + shape.label;
        c.precision = precision;
        c.m = shape.m;
        c.n = shape.n;
        c.k = shape.k;
        c.threads = t;
        c.repeat = o.repeat;
        c.flops = 2.0 * shape.m * shape.n * shape.k;
        auto group = std::make_shared<AlternatingGemm>(c);
        for (const auto& peer : peers) {
          if (!peer->supports(gemm_precision(precision))) continue;
          CaseResult job = c;
          job.library = peer->name();
          if (peer->peak_precision(precision) != precision) job.peak_precision = peer->peak_precision(precision);
          if (!selected(o, job)) continue;
          group->add(peer);
          const double speed = peer->name() == "blis" ? 40 : (peer->name() == "openblas" ? 120 : 220);
          const double pauses = t > 1 ? o.repeat * 0.3 : 0.0;
          plan.jobs.push_back({job, estimate(job.flops, o.repeat, speed * t) + pauses,
                               [group, job] { return group->timing(job.library); }, "", nullptr});
        }
        for (const char* library : {"numpy", "pytorch"}) {
          if (precision == "f32:bf16" || precision == "bf16") continue;  // neither has these through numpy/torch.mm
          CaseResult job = c;
          job.library = library;
          if (!selected(o, job)) continue;
          plan.jobs.push_back({job, estimate(job.flops, o.repeat, 120.0 * t), nullptr, python_request(job), nullptr});
        }
      }
    }
  }
}

// ---- SVD ----

template <class T>
Result<Timing> measure_svd(const CaseResult& c) {
  if (Status s = set_num_threads(c.threads); !s) return s;
  std::vector<T> original(c.m * c.n), work(c.m * c.n), s(std::min(c.m, c.n));
  std::vector<T> u(c.vectors ? c.m * std::min(c.m, c.n) : 1), vt(c.vectors ? std::min(c.m, c.n) * c.n : 1);
  std::mt19937 rng(1);
  std::normal_distribution<T> dist;
  for (auto& v : original) v = dist(rng);
  const int64_t kmin = std::min(c.m, c.n);
  Status failure;
  auto call = [&] {
    work = original;  // the decomposition overwrites its input; numpy copies too
    // Row-major m x n is column-major n x m: the SVD of the transpose, same singular values.
    Status st = svd(c.vectors ? SvdVectors::thin : SvdVectors::none, c.n, c.m, work.data(), c.n, s.data(), vt.data(),
                    c.n, u.data(), kmin);
    if (!st) failure = st;
    return st.ok();
  };
  auto t = time_calls(call, c.repeat);
  if (!t) return failure.ok() ? t.status() : failure;
  return t;
}

void add_svd(const SuiteOptions& o, Plan& plan) {
  std::vector<std::pair<int64_t, int64_t>> shapes = {{256, 256}, {512, 512}, {1024, 1024}};
  if (o.full) shapes = {{512, 512}, {1024, 1024}, {2048, 2048}, {4096, 4096}, {10000, 500}};
  for (const std::string precision : {"f32", "f64"}) {
    for (bool vectors : {false, true}) {
      for (auto [m, n] : shapes) {
        for (int t : o.threads) {
          CaseResult c;
          c.suite = "svd";
          c.name = precision + " " + std::to_string(m) + "x" + std::to_string(n) + (vectors ? " vectors" : " values");
          c.precision = precision;
          c.m = m;
          c.n = n;
          c.vectors = vectors;
          c.threads = t;
          c.repeat = o.repeat;
          // Golub-Van Loan's operation counts, for the estimate only (not stored: SVD is compared in seconds).
          const double mn = static_cast<double>(std::min(m, n)), mx = static_cast<double>(std::max(m, n));
          const double work = vectors ? 4.0 * mx * mn * mn + 8.0 * mn * mn * mn : 4.0 * mx * mn * mn;
          for (const char* library : {"armory", "numpy"}) {
            CaseResult job = c;
            job.library = library;
            if (!selected(o, job)) continue;
            if (job.library == "armory") {
              auto fn = precision == "f32" ? measure_svd<float> : measure_svd<double>;
              plan.jobs.push_back({job, estimate(work, o.repeat, 12), [fn, job] { return fn(job); }, "", nullptr});
            } else {
              plan.jobs.push_back({job, estimate(work, o.repeat, 25), nullptr, python_request(job), nullptr});
            }
          }
        }
      }
    }
  }
}

// ---- ResNet50 ----

Result<Timing> measure_resnet50(const std::string& model, const CaseResult& c) {
  nn::SessionOptions options;
  options.fpmath = c.precision == "f32:bf16" ? FpMath::bf16 : FpMath::strict;
  options.threads = c.threads;
  auto session = nn::Session::load(model, options);
  if (!session) return session.status();
  nn::Tensor x = nn::Tensor::empty(nn::DType::float32, {c.batch, 3, 224, 224});
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  for (int64_t i = 0; i < x.size(); ++i) x.mutable_data_as<float>()[i] = dist(rng);
  std::vector<nn::NamedTensor> inputs = {{session->inputs()[0].name, x}};
  Status failure;
  auto t = time_calls(
      [&] {
        auto out = session->run(inputs);
        if (!out) failure = out.status();
        return out.ok();
      },
      c.repeat);
  if (!t) return failure.ok() ? t.status() : failure;
  return t;
}

void add_resnet50(const SuiteOptions& o, Plan& plan) {
  const std::string model = (std::filesystem::path(o.model_dir) / "resnet50-seed0-opset13.onnx").string();
  // The model comes from PyTorch's exporter (random weights, fixed seed: nothing is downloaded), once.
  auto prepare = std::make_shared<std::function<Status()>>([model]() -> Status {
    if (std::filesystem::exists(model)) return {};
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(model).parent_path(), ec);
    auto torch = PythonPeer::start("pytorch", 2);
    if (!torch) return error(Errc::not_found, "the ResNet50 model is made by PyTorch's exporter: " + torch.status().message());
    const std::string partial = model + ".partial";
    auto answer = torch.value()->ask(nlohmann::json{{"export_resnet50", partial}}.dump());
    if (!answer) return answer.status();
    if (answer->find("exported") == std::string::npos) return error(Errc::internal, "exporting ResNet50: " + answer.value());
    std::filesystem::rename(partial, model, ec);
    if (ec) return error(Errc::io_error, "cannot move " + partial + " to " + model + ": " + ec.message());
    return {};
  });
  std::vector<int64_t> batches = {1, 16};
  // PyTorch runs autocast's bf16 on a CPU without bf16 instructions too, emulated: a Zen 3 took 6.6 s a
  // batch-1 image, 50x its fp32, which would have made the suite hours long for a figure of no use.
  const bool cpu_bf16 = has_bf16_arithmetic(host_cpu().features);
  for (const std::string precision : {"f32", "f32:bf16"}) {
    for (int64_t batch : batches) {
      for (int t : o.threads) {
        CaseResult c;
        c.suite = "resnet50";
        c.name = std::string(precision == "f32" ? "fp32" : "bf16") + " batch=" + std::to_string(batch);
        c.precision = precision;
        c.batch = batch;
        c.threads = t;
        c.repeat = o.repeat;
        c.flops = kResnet50FlopsPerImage * static_cast<double>(batch);
        for (const char* library : {"armory", "pytorch"}) {
          CaseResult job = c;
          job.library = library;
          if (!selected(o, job)) continue;
          if (job.library == "pytorch" && precision == "f32:bf16" && !cpu_bf16) {
            plan.libraries["pytorch bf16"] =
                "missing: PyTorch's bf16 (this CPU has no bf16 instructions: PyTorch emulates them, about 50x slower "
                "than its fp32)";
            continue;
          }
          double seconds = estimate(job.flops, o.repeat, (library == std::string("armory") ? 200.0 : 150.0) * t) + 0.5;
          if (job.library == "armory") {
            plan.jobs.push_back({job, seconds, [model, job] { return measure_resnet50(model, job); }, "", prepare});
          } else {
            plan.jobs.push_back({job, seconds + 2, nullptr, python_request(job, model), prepare});
          }
        }
      }
    }
  }
}

}  // namespace

std::string format_duration(double seconds) {
  int s = static_cast<int>(std::lround(seconds));
  if (s < 60) return std::to_string(s) + " s";
  return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
}

Plan make_plan(const SuiteOptions& o) {
  Plan plan;
  plan.libraries["armory"] = build_info().version;
  for (const std::string& suite : o.suites) {
    if (suite == "gemm") add_gemm(o, plan);
    if (suite == "svd") add_svd(o, plan);
    if (suite == "resnet50") add_resnet50(o, plan);
  }
  return plan;
}

}  // namespace armory::bench
