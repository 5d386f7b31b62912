#include "cpu/core_choices.h"

#include <armory/cpu.h>

#include <array>

namespace armory::cpu {

namespace {

struct CoreRow {
  std::string_view uarch;
  CoreChoices choices;
};

// Zen 4, measured on a 2-vCPU EPYC guest (docs/PERFORMANCE.md):
// - Its hardware prefetchers keep the streams of dot and gemv fed, and the kernels' own prefetches only
//   cost issue slots: without them, in one process alternating the two, f64 dot of 10^6 7.4 -> 8.9 GFLOPS,
//   gemv_t / gemv_n 4096 4.2 / 4.8 -> 5.3 / 5.9, f32 dot 15.7 -> 20.6, f32 gemv 4096 7.9 -> 10.1 (15 of 15
//   rounds). On Zen 5 (a later guest) that holds only on huge pages. Alternating the two in one process,
//   9 rounds, n = 4096, GFLOPS on base / huge pages: f64 dot (of 8M) 8.0 -> 5.9 / 8.5 -> 9.3, gemv_t 8.7 ->
//   7.8 / 8.0 -> 8.3, gemv_n 7.6 -> 6.8 / 7.7 -> 8.2; f32 dot 20.2 -> 15.3 / 21.0 -> 22.7, gemv_t 17.5 ->
//   17.1 / 17.8 -> 19.0, gemv_n 15.5 -> 15.5 / 15.0 -> 16.3. So Zen 5 keeps the prefetches for the caller's
//   arrays (numpy's are on base pages) and drops them on armory's workspaces: the SVD's bidiagonalization
//   pass (vector_bidiagonal_products) over a float64 4096 x 4096 working copy 22.7-27.8 -> 27.5-30.6 GB/s.
// - Zen 5 streams from L3 and memory faster in 256-bit loads than in 512-bit ones, with or without the
//   prefetches (OpenBLAS's AVX2 kernels were ahead on exactly those sizes). Base pages, 1 thread, one process
//   alternating 512-bit with prefetches / 256-bit without / 256-bit with / OpenBLAS, 9 rounds, twice, GFLOPS:
//   f64 dot of 10^6 7.5-7.7 / 10.2-10.4 / 8.1-8.5 / 10.1-10.5, of 4*10^6 4.0-5.6 / 4.5-6.6 / 4.0-5.4 / 4.7-6.5;
//   f32 dot of 4*10^6 10.2-12.1 / 11.4-17.0 / 9.2-10.8 / 11.3-15.3; f64 gemv_t 1024 15.5-15.6 / 19.4-19.8 /
//   17.2-17.4 / 19.1, gemv_n 1024 15.5-15.6 / 18.5 / 17.0-17.2 / 18.1. From memory gemv's four column
//   streams want the prefetches back: f32 gemv_n 4096 13.8-14.0 / 14.6-14.8 / 16.4-16.8 / 15.7-16.0, f64
//   gemv_n 4096 7.0-7.2 / 7.7 / 8.1 / 6.4-6.6; dot's two streams want them only from L3 (f32 dot of 10^6,
//   8 MB, 23.6-24.1 / 21.5-22.8 / 23.8-24.9 / 21.6-23.0). Vectors that fit in L2 read it faster in 512-bit
//   loads (f32 dot of 10^5 31-39 / 28-31). Hence the narrow-stream table: dot 512-bit up to 1 MiB, 256-bit
//   prefetched up to 8 MiB, 256-bit unprefetched beyond; gemv 256-bit, prefetched beyond 8 MiB.
// - Zen 4 multiplies at half Zen 5's rate, so at 512x512 channels (ResNet50's layer4) the multiplies Winograd
//   saves outweigh its larger pack (16/9 the direct one), which on Zen 5 cost more than it saved: layer4's
//   two stride-1 3x3 convs per inference, 1 thread, direct -> Winograd, float32 batch 1 2.46 -> 2.0 ms,
//   batch 16 36.8 -> 22.6; BF16 batch 1 1.16 -> 1.08, batch 16 16.8 -> 12.7.
constexpr std::array<CoreRow, 2> kCoreChoices = {{
    {"zen4", {.hardware_prefetch_only = true, .winograd_max_weights = 512 * 512}},
    {"zen5", {.hardware_prefetch_on_huge_pages = true, .narrow_streams = true}},
}};

}  // namespace

CoreChoices core_choices_for(std::string_view uarch) {
  for (const auto& row : kCoreChoices) {
    if (row.uarch == uarch) return row.choices;
  }
  return {};
}

const CoreChoices& host_core_choices() {
  static const CoreChoices choices = core_choices_for(host_cpu().uarch);
  return choices;
}

}  // namespace armory::cpu
