#include "bench/peak.h"

#include <armory/cpu.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace armory::bench {

double fma_loop_f32(int64_t iterations);
double fma_loop_f64(int64_t iterations);
double dot_loop_bf16(int64_t iterations);

std::string peak_name(PeakKind kind) {
  switch (kind) {
    case PeakKind::f32_fma: return "f32";
    case PeakKind::f64_fma: return "f64";
    case PeakKind::bf16_dot: return "bf16";
  }
  return "?";
}

double measure_peak_gflops(PeakKind kind, int threads, double seconds) {
  const CpuInfo& cpu = host_cpu();
  if (cpu.arch != Arch::x86_64 || !cpu.features.has(Feature::avx512f)) return 0;
  if (kind == PeakKind::bf16_dot && !cpu.features.has(Feature::avx512_bf16)) return 0;
  auto loop = kind == PeakKind::f32_fma ? fma_loop_f32 : kind == PeakKind::f64_fma ? fma_loop_f64 : dot_loop_bf16;

  // Calibrate: iterations for about `seconds` on one thread.
  int64_t iterations = 1 << 16;
  while (true) {
    auto t0 = std::chrono::steady_clock::now();
    loop(iterations);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > seconds / 10) {
      iterations = static_cast<int64_t>(static_cast<double>(iterations) * seconds / s);
      break;
    }
    iterations *= 4;
  }
  double best = 0;
  for (int repeat = 0; repeat < 3; ++repeat) {
    std::vector<std::thread> pool;
    std::vector<double> flops(threads, 0.0);
    auto t0 = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { flops[t] = loop(iterations); });
    for (auto& th : pool) th.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double total = 0;
    for (double f : flops) total += f;
    best = std::max(best, total / s / 1e9);
  }
  return best;
}

}  // namespace armory::bench
