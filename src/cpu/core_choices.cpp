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
//   rounds). Zen 5 likewise (an earlier measurement there compared every line with one line in four, not
//   with none): without them, alternating, 7 rounds, GFLOPS at n = 4096 / 1024, f64 gemv_t 9.7 / 20.3 ->
//   10.0 / 24.5, gemv_n 9.0 / 22.0 -> 9.8 / 24.6, dot of 10^6 10.9 -> 11.9; f32 gemv_t 21.1 / 47.8 -> 23.6 /
//   46.1, gemv_n 19.5 / 48.2 -> 22.5 / 49.1, dot of 10^6 26.5 -> 25.6 (the one loss, 4%). The SVD's
//   bidiagonalization pass (vector_bidiagonal_products) over a float64 4096 x 4096 matrix 22.7-27.8 ->
//   27.5-30.6 GB/s, 2500..3500 rows 26.6-29.0 -> 30.3-32.7.
// - It multiplies at half Zen 5's rate, so at 512x512 channels (ResNet50's layer4) the multiplies Winograd
//   saves outweigh its larger pack (16/9 the direct one), which on Zen 5 cost more than it saved: layer4's
//   two stride-1 3x3 convs per inference, 1 thread, direct -> Winograd, float32 batch 1 2.46 -> 2.0 ms,
//   batch 16 36.8 -> 22.6; BF16 batch 1 1.16 -> 1.08, batch 16 16.8 -> 12.7.
constexpr std::array<CoreRow, 2> kCoreChoices = {{
    {"zen4", {.hardware_prefetch_only = true, .winograd_max_weights = 512 * 512}},
    {"zen5", {.hardware_prefetch_only = true}},
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
