// Cache blocking per microarchitecture, in one table. A machine without a row gets blocking derived from
// its cache sizes: the B micro-panel (kc x NR) takes about half of L1d, the A block (mc x kc) about half of
// L2, the B panel (kc x nc) a share of L3.
#include "gemm/kernel_table.h"

#include <algorithm>
#include <array>

namespace armory::gemm_engine {

namespace {

struct TuningRow {
  std::string_view uarch;
  std::string_view kernel;
  Blocking blocking;
};

// Zen 5: measured with bench/gemm_peers on the machine named in docs/PERFORMANCE.md (a large kc: the B
// micro-panel streams from L2 at full rate; f32 nc = 2048 rather than 4096 only matters above n = 2048:
// at n = 4096 it measured 1.04x oneDNN in one run against 1.06x for nc = 4096 in another, within this
// machine's noise, so either value is defensible). f64 takes kc = 1024 with a short A block (48 rows): the
// B micro-panel (128 KiB) and the A block (384 KiB) still share L2, and C is read and written half as often
// as with kc = 512. Against (mc, kc) = (120, 512), calls alternating in one process, 1 thread: n = 1024
// 93.6-95.4 -> 96.8-98.4 GFLOPS, n = 2048 94.9-96.5 -> 98.0-100.3, n = 4096 91.7-94.5 -> 91.5-97.4; 2
// threads n = 2048 186 -> 194, n = 4096 186 -> 196; n <= 512 and the ResNet50 shapes within 1% (3136 x 64
// x 576 +3%); depth 64 (the SVD's updates) 1-4% slower, the SVD itself not (n = 4096 19.6 -> 19.2 s).
// Zen 4 (32 KiB 8-way L1d, 1 MiB L2, AVX-512 at half Zen 5's width): measured on a 2-vCPU EPYC guest,
// blockings alternating in one process, 1 thread, A's rows copied where they would alias (driver.h). The
// blocking derived from the caches, kc = 128 so that the B micro-panel fits L1, lost 10-30% at n >= 1024:
// f32 n = 1024 / 2048 90 / 88 GFLOPS against 105 / 105 with Zen 5's (120, 1024, 2048), f64 n = 2048 40-42
// against 48-50 with (48, 512, 1024) (kc = 1024 and mc = 96..120 within 2%), bf16 fast math n = 1024 /
// 2048 153 / 140 against 190 / 196 with Zen 5's row. As on Zen 5 the B micro-panel streams from L2.
// Neoverse N1/N2/V1: chosen from their caches (64 KiB L1d, 1 MiB L2, an L3 share of about 512 KiB per
// core) with no hardware to measure on: the B micro-panel (kc x NR) in under half of L1d, the A block
// (mc x kc) in half of L2, the B panel (kc x nc) about 2 MiB.
// For scalable (SVE) kernels nc is a multiple of NR at 128 and 256 bits.
constexpr std::array<TuningRow, 15> kTuning = {{
    {"zen5", "gemm_f32_12x32__avx512", {120, 1024, 2048}},
    {"zen5", "gemm_f64_12x16__avx512", {48, 1024, 1024}},
    {"zen5", "gemm_bf16_12x32__avx512bf16", {120, 2048, 4096}},
    {"zen4", "gemm_f32_12x32__avx512", {120, 1024, 2048}},
    {"zen4", "gemm_f64_12x16__avx512", {48, 512, 1024}},
    {"zen4", "gemm_bf16_12x32__avx512bf16", {120, 2048, 4096}},
    {"neoverse-n1", "gemm_f32_8x12__neon", {256, 512, 1008}},
    {"neoverse-n1", "gemm_f64_8x6__neon", {128, 512, 504}},
    {"neoverse-n2", "gemm_f32_8x3vl__sve", {256, 512, 1008}},
    {"neoverse-n2", "gemm_f64_8x3vl__sve", {128, 512, 504}},
    {"neoverse-n2", "gemm_bf16_8x4vl__svebfmmla", {256, 1024, 1024}},
    {"neoverse-n2", "gemm_bf16_8x8__neonbfmmla", {256, 1024, 1024}},
    {"neoverse-v1", "gemm_f32_8x3vl__sve", {256, 256, 1008}},
    {"neoverse-v1", "gemm_f64_8x3vl__sve", {128, 256, 504}},
    {"neoverse-v1", "gemm_bf16_8x4vl__svebfmmla", {256, 512, 1024}},
}};

uint64_t cache_bytes(const CpuInfo& cpu, int level, uint64_t fallback) {
  for (const auto& c : cpu.caches) {
    if (c.level == level && c.type != "Instruction") {
      // A shared cache serves all its CPUs: count only this core's share.
      uint64_t share = c.shared_by_cpus > 1 ? c.size_bytes / static_cast<uint64_t>(c.shared_by_cpus) : c.size_bytes;
      return std::max<uint64_t>(share, fallback / 4);
    }
  }
  return fallback;
}

int round_down(int64_t value, int multiple) {
  return static_cast<int>(std::max<int64_t>(multiple, value / multiple * multiple));
}

}  // namespace

Blocking blocking_for(const CpuInfo& cpu, std::string_view kernel, int mr, int nr, int element_bytes, int k_group) {
  for (const auto& row : kTuning) {
    if (row.uarch == cpu.uarch && row.kernel == kernel) return row.blocking;
  }
  uint64_t l1 = cache_bytes(cpu, 1, 32 * 1024);
  uint64_t l2 = cache_bytes(cpu, 2, 512 * 1024);
  uint64_t l3 = cache_bytes(cpu, 3, 2 * 1024 * 1024);
  Blocking b;
  b.kc = round_down(std::clamp<int64_t>(l1 / 2 / (nr * element_bytes), 64, 1024), 8 * k_group);
  b.mc = round_down(std::clamp<int64_t>(l2 / 2 / (int64_t{b.kc} * element_bytes), mr, 4096), mr);
  b.nc = round_down(std::clamp<int64_t>(l3 / 2 / (int64_t{b.kc} * element_bytes), nr, 8192), nr);
  return b;
}

// A B larger than a quarter of this core's share of L3 was measured not to stay in cache from one call to
// the next: on Zen 4 (16 MiB a core), the few-rows path's prefetches made B of 6 MiB and more 8-115% faster,
// and B of 1-4 MiB, found in L3 by the next call, 6-10% slower (driver.h).
int64_t uncached_b_bytes(const CpuInfo& cpu) { return static_cast<int64_t>(cache_bytes(cpu, 3, 2 * 1024 * 1024) / 4); }

// A bf16 C larger than this core's L2 that beta = 0 overwrites is stored with non-temporal writes: each line
// was otherwise read for ownership first and the output evicted before the next layer read it back. Zen 4,
// bf16 A in place, packed B, 1 thread: 50176 x 64 x 256 152 -> 180 GFLOPS, 12544 x 256 x 64 156 -> 173,
// 3072 x 256 x 64 (C of 384 KiB) no gain; ResNet50 BF16 at batch 16 4-6% faster, batch 1 unchanged.
int64_t streamed_c_bytes(const CpuInfo& cpu) { return static_cast<int64_t>(cache_bytes(cpu, 2, 512 * 1024)); }

}  // namespace armory::gemm_engine
