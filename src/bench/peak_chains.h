// The loop both peak files time: independent FMA chains in registers, no memory traffic.
#pragma once

#include <cstdint>

namespace armory::bench {

// `Chains` accumulators must hide the FMA latency: latency 4-5 x 2 pipes needs 8-10 (Zen 3, Haswell); Zen 5
// and Sapphire Rapids need no more than 16. They must also fit the register file with the two operands (16
// ymm for AVX2, 32 zmm for AVX-512), or the loop times spills. Returns the FLOPs done.
template <int Chains, class V, class Step>
double run_chains(int64_t iterations, V init, Step step, double flops_per_step) {
  V acc[Chains];
  for (auto& x : acc) x = init;
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < Chains; ++i) acc[i] = step(acc[i]);
  }
  // Keep the result alive so the loop is not optimised away.
  for (int i = 0; i < Chains; ++i) __asm__ volatile("" : : "v"(acc[i]));
  return static_cast<double>(iterations) * Chains * flops_per_step;
}

}  // namespace armory::bench
