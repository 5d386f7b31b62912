// Choices that depend on the core's microarchitecture rather than on its instruction set, in one table
// (the GEMM's block sizes have their own, src/gemm/tuning.cpp). Each differs from the default only on a
// core where it was measured to; every other core, recognised or not, gets the default.
#pragma once

#include <cstdint>
#include <string_view>

namespace armory::cpu {

struct CoreChoices {
  // The memory-bound vector kernels (dot, gemv, axpy, ...) leave their streams to the hardware prefetchers
  // rather than prefetching every line ahead themselves.
  bool hardware_prefetch_only = false;
  // The same, only on armory's own large workspaces (common/large_buffer.h), which sit on huge pages: on
  // the caller's memory, base pages, the prefetchers stop at every 4 KiB page and the kernels' own
  // prefetches pay.
  bool hardware_prefetch_on_huge_pages = false;
  // On the caller's arrays, the kernels stream data from beyond L2 in 256-bit loads rather than 512-bit ones,
  // and prefetch only gemv's matrices too large for L3.
  bool narrow_streams = false;
  // The largest conv weights, output times input channels, run as Winograd F(2x2, 3x3).
  int64_t winograd_max_weights = 512 * 512 - 1;
};

CoreChoices core_choices_for(std::string_view uarch);

// For this machine's core (host_cpu().uarch), looked up once.
const CoreChoices& host_core_choices();

}  // namespace armory::cpu
