#include "bench/peak.h"

#include <armory/cpu.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace armory::bench {

double fma_loop_f32_avx512(int64_t iterations);
double fma_loop_f64_avx512(int64_t iterations);
double dot_loop_bf16_avx512(int64_t iterations);
double fma_loop_f32_avx2(int64_t iterations);
double fma_loop_f64_avx2(int64_t iterations);

namespace {

using PeakLoop = double (*)(int64_t iterations);

// The widest loop this CPU runs for the kind, or nullptr. A CPU without a bf16 dot product (AVX2, AVX-512
// without BF16) runs BF16 fast math's products as fp32 FMAs on widened bf16 values: its fp32 FMA peak is
// the bound there.
PeakLoop peak_loop(PeakKind kind) {
#if defined(__x86_64__)
  const FeatureSet& f = host_cpu().features;
  if (f.has(Feature::avx512f)) {
    if (kind == PeakKind::bf16_dot && f.has(Feature::avx512_bf16)) return dot_loop_bf16_avx512;
    return kind == PeakKind::f64_fma ? fma_loop_f64_avx512 : fma_loop_f32_avx512;
  }
  if (f.has(Feature::avx2) && f.has(Feature::fma)) {
    return kind == PeakKind::f64_fma ? fma_loop_f64_avx2 : fma_loop_f32_avx2;
  }
#endif
  (void)kind;
  return nullptr;
}

}  // namespace

std::string peak_name(PeakKind kind) {
  switch (kind) {
    case PeakKind::f32_fma: return "f32";
    case PeakKind::f64_fma: return "f64";
    case PeakKind::bf16_dot: return "bf16";
  }
  return "?";
}

PeakKind peak_kind(const std::string& precision) {
  if (precision == "f64") return PeakKind::f64_fma;
  if (precision == "f32:bf16" || precision == "bf16") return PeakKind::bf16_dot;
  return PeakKind::f32_fma;
}

PeakCall peak_call(PeakKind kind, int threads, double seconds) {
  const PeakLoop loop = peak_loop(kind);
  if (loop == nullptr) return {};

  // Calibrate: iterations for about `seconds` on one thread, from the fastest of three timings of a count
  // that runs a tenth of that. One timing took a thread's time slice lost to another process for the loop's
  // own: a CI run, ctest running two tests on the 2 CPUs, got calls of a twentieth of the time asked for.
  int64_t iterations = 1 << 16;
  double flops_per_iteration = 0;
  auto time_loop = [&] {
    auto t0 = std::chrono::steady_clock::now();
    flops_per_iteration = loop(iterations) / static_cast<double>(iterations);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  while (true) {
    double s = time_loop();
    if (s > seconds / 10) {
      s = std::min({s, time_loop(), time_loop()});
      iterations = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(iterations) * seconds / s));
      break;
    }
    iterations *= 4;
  }
  PeakCall call;
  call.flops = flops_per_iteration * static_cast<double>(iterations) * threads;
  call.run = [loop, iterations, threads] {
    if (threads == 1) return loop(iterations) > 0;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back([&] { loop(iterations); });
    for (auto& th : pool) th.join();
    return true;
  };
  return call;
}

double measure_peak_gflops(PeakKind kind, int threads, double seconds) {
  PeakCall call = peak_call(kind, threads, seconds);
  if (!call.run) return 0;
  double best = 0;
  for (int repeat = 0; repeat < 3; ++repeat) {
    auto t0 = std::chrono::steady_clock::now();
    call.run();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, call.flops / s / 1e9);
  }
  return best;
}

}  // namespace armory::bench
