// The FMA peak of this machine, measured: independent FMA chains in registers, no memory traffic.
// Efficiency figures in the benchmarks are printed as a share of these numbers.
#pragma once

#include <string>

namespace armory::bench {

enum class PeakKind { f32_fma, f64_fma, bf16_dot };

std::string peak_name(PeakKind kind);

// GFLOPS of `threads` threads, each running its own FMA loop for about `seconds`. 0 when this build or
// CPU has no instruction for the kind.
double measure_peak_gflops(PeakKind kind, int threads, double seconds = 0.3);

}  // namespace armory::bench
