// The FMA peak of this machine, measured: independent FMA chains in registers, no memory traffic.
// Efficiency figures in the benchmarks are printed as a share of these numbers.
#pragma once

#include <functional>
#include <string>

namespace armory::bench {

enum class PeakKind { f32_fma, f64_fma, bf16_dot };

std::string peak_name(PeakKind kind);
// The peak a benchmark of this precision ("f32", "f64", "f32:bf16", "bf16") is measured against.
PeakKind peak_kind(const std::string& precision);

// GFLOPS of `threads` threads, each running its own FMA loop for about `seconds`, in the widest vectors
// the CPU has (AVX-512, else AVX2+FMA). 0 when this build or CPU has no such loop (aarch64 for now). The
// bf16 peak of a CPU without a bf16 dot product is its fp32 FMA peak: BF16 fast math's products run as fp32
// FMAs there.
double measure_peak_gflops(PeakKind kind, int threads, double seconds = 0.3);

// One run of `threads` FMA loops of about `seconds` each, and the FLOPs it does: a call to time in
// alternation with the work whose efficiency it gives, since this guest's speed drifts by tens of percent
// over minutes and a peak taken once, at the start, compares two different machines. Empty `run` when
// this build or CPU has no instruction for the kind.
struct PeakCall {
  std::function<bool()> run;
  double flops = 0;
};
PeakCall peak_call(PeakKind kind, int threads, double seconds);

}  // namespace armory::bench
