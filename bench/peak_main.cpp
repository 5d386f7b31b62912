// `armory_peak`: prints the measured FMA peak per precision for 1 and 2 threads.
#include "bench/peak.h"

#include <cstdio>

int main() {
  using namespace armory::bench;
  std::printf("%-6s %12s %12s\n", "kind", "1 thread", "2 threads");
  for (PeakKind kind : {PeakKind::f32_fma, PeakKind::f64_fma, PeakKind::bf16_dot}) {
    std::printf("%-6s %9.1f GF %9.1f GF\n", peak_name(kind).c_str(), measure_peak_gflops(kind, 1),
                measure_peak_gflops(kind, 2));
  }
  return 0;
}
