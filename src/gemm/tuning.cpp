// Cache blocking per microarchitecture, in one table. A machine without a row gets blocking derived from
// its cache sizes: the B micro-panel (kc x NR) takes about half of L1d, the A block (mc x kc) about half of
// L2, the B panel (kc x nc) a share of L3.
#include "gemm/kernel_table.h"

#include <algorithm>
#include <array>

namespace armory::gemm_engine {

namespace {

// nc is the columns of B one thread's block holds (threads splitting the columns take nc each: driver.h).
// The Zen 4 rows were measured with one thread, where that meaning is what it was.
// Zen 5: measured with bench/gemm_peers on the machine named in docs/PERFORMANCE.md (a large kc: the B
// micro-panel streams from L2 at full rate). f32 nc = 1024: 1 thread, square n = 2048 / 4096, 197 / 197
// GFLOPS with 2048 and 206 / 207 with 1024 (n <= 1024 and the ResNet50 shapes within 1%); f64 with 512
// and 1024 within 1% at n = 1024..4096. The f64 and bf16 values are half of those measured for two threads
// before nc was per thread, so two threads' blocks are unchanged. f64 takes kc = 1024 with a short A block
// (48 rows): the B micro-panel (128 KiB) and the A block (384 KiB) still share L2, and C is read and
// written half as often as with kc = 512. Against (mc, kc) = (120, 512), calls alternating in one process,
// 1 thread: n = 1024 93.6-95.4 -> 96.8-98.4 GFLOPS, n = 2048 94.9-96.5 -> 98.0-100.3, n = 4096 91.7-94.5 ->
// 91.5-97.4; 2 threads n = 2048 186 -> 194, n = 4096 186 -> 196; n <= 512 and the ResNet50 shapes within 1%
// (3136 x 64 x 576 +3%); depth 64 (the SVD's updates) 1-4% slower, the SVD itself not (n = 4096 19.6 ->
// 19.2 s).
// Zen 4 (32 KiB 8-way L1d, 1 MiB L2, AVX-512 at half Zen 5's width): measured on a 2-vCPU EPYC guest,
// blockings alternating in one process, 1 thread, A's rows copied where they would alias (driver.h). The
// blocking derived from the caches, kc = 128 so that the B micro-panel fits L1, lost 10-30% at n >= 1024:
// f32 n = 1024 / 2048 90 / 88 GFLOPS against 105 / 105 with Zen 5's (120, 1024, 2048), f64 n = 2048 40-42
// against 48-50 with (48, 512, 1024) (kc = 1024 and mc = 96..120 within 2%), bf16 fast math n = 1024 /
// 2048 153 / 140 against 190 / 196 with Zen 5's row. As on Zen 5 the B micro-panel streams from L2.
// Zen 3 (32 KiB 8-way L1d, 512 KiB L2, AVX2 only): f64 measured on a 2-vCPU EPYC guest, blockings alternating
// call by call in one process (the guest drifted 20-30% over minutes), 1 thread, median GFLOPS: the blocking
// derived from the caches, (126, 256, 4096), against Zen 4's f64 row (48, 512, 1024): n = 2048 33.1 / 32.7 ->
// 38.3 / 36.3 in two runs, n = 1024 38.8 -> 38.1, n = 512 37.2 -> 39.1; 2 threads n = 2048 71.1 -> 72.4. As on
// Zen 4 and 5 the deep B micro-panel (32 KiB) streams from L2 and C is read and written half as often. f32
// and BF16 fast math take the same shape, (48, 1024, 1024): against the derived (252, 256, 8192) and
// (252, 512, 8192), blockings alternating call by call, median of the per-round ratios of 11-21 rounds,
// 1 thread: f32 n = 512 / 1024 / 2048 / 4096 +8 / +5 / +6 / +13%, 3136 x 64 x 576 +18%, 784 x 128 x 1152
// +9%, 196 x 256 x 2304 +5%, 12544 x 64 x 147 +11%, 49 x 512 x 4608 and n = 256 within noise; 2 threads
// n = 1024 / 2048 +14 / +10%, 3136 x 64 x 576 +17%; BF16 fast math n = 1024 / 2048 +4 / +2%, 3136 x 64 x 576
// +19%. (72, 768, 4096) was as good at n <= 1024 and on the ResNet50 shapes, 8% behind at n = 4096.
// f32 and f64 then took an A block of 24 rows instead of 48 (the BF16 row, not measured, keeps 48): against
// OpenBLAS in one process, blockings alternating call by call, median ratio 48 -> 24 rows, 1 thread: f32
// n = 2048 0.97-0.99 -> 0.99-1.00, n = 4096 0.96 -> 0.98, n = 512, 3136 x 64 x 576 and 784 x 128 x 1152
// within 1%; f64 n = 1024 / 2048 1.03 / 1.02 -> 1.05 / 1.04, 3136 x 64 x 576 1.10 -> 1.13; 2 threads f32
// n = 1024 / 2048 1.05 / 0.90-0.99 -> 1.10 / 1.01-1.02, f64 n = 512 / 1024 / 2048 1.00 / 0.99 / 0.91 ->
// 1.11 / 1.04 / 1.03. 18 and 30 rows measured as 24 within 1%.
// Neoverse N1/N2/V1: chosen from their caches (64 KiB L1d, 1 MiB L2, an L3 share of about 512 KiB per
// core) with no hardware to measure on: the B micro-panel (kc x NR) in under half of L1d, the A block
// (mc x kc) in half of L2, the B panel (kc x nc) about 2 MiB.
// For scalable (SVE) kernels nc is a multiple of NR at 128 and 256 bits.
constexpr std::array<TuningRow, 18> kTuning = {{
    {"zen5", "gemm_f32_12x32__avx512", {120, 1024, 1024}},
    {"zen5", "gemm_f64_12x16__avx512", {48, 1024, 512}},
    {"zen5", "gemm_bf16_12x32__avx512bf16", {120, 2048, 2048}},
    {"zen4", "gemm_f32_12x32__avx512", {120, 1024, 2048}},
    {"zen4", "gemm_f64_12x16__avx512", {48, 512, 1024}},
    {"zen4", "gemm_bf16_12x32__avx512bf16", {120, 2048, 4096}},
    {"zen3", "gemm_f32_6x16__avx2", {24, 1024, 1024}},
    {"zen3", "gemm_f64_6x8__avx2", {24, 512, 1024}},
    {"zen3", "gemm_bf16_6x16__avx2", {48, 1024, 1024}},
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

std::span<const TuningRow> tuning_rows() { return kTuning; }

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

// The tile's MR rows of an A whose stride is a multiple of 4 KiB share one L1 set: with fewer ways than
// rows they evict each other every k step, and the driver copies such rows first. L1d ways from the vendors'
// optimisation manuals; a core not listed is taken to have 8 (Zen 2-4, Skylake). Zen 5, 1 thread, calls
// alternating in one process, square f32 / f64 GFLOPS copied -> in place: n = 1024 194.7 / 98.6 -> 198.1 /
// 98.7, n = 2048 190.7 / 97.5 -> 192.7 / 101.8, n = 4096 206.3 / 101.6 -> 212.5 / 106.2; 2 threads n = 1024
// 394 / 202 -> 421 / 208, n = 2048 388 / 184 -> 413 / 204, n = 4096 387 / 184 -> 411 / 200; f64 49 x 512 x
// 4608 (few rows: B in place, A copied once) 70.8 -> 71.7. Zen 4 (8 ways) the other way round: driver.h.
bool aliasing_rows_evict(const CpuInfo& cpu, int mr) {
  constexpr std::array<std::pair<std::string_view, int>, 5> kL1dWays = {
      {{"zen5", 12}, {"icelake-server", 12}, {"sapphirerapids", 12}, {"emeraldrapids", 12}, {"graniterapids", 12}}};
  int ways = 8;
  for (const auto& [uarch, l1d_ways] : kL1dWays) {
    if (uarch == cpu.uarch) ways = l1d_ways;
  }
  return ways < mr;
}

}  // namespace armory::gemm_engine
