// The GEMM kernel tables: one per precision, ranked best first. Dispatch, the tests and the benchmarks
// all read these rows, so adding a kernel is one file plus one row.
#pragma once

#include <armory/cpu.h>
#include <armory/isa.h>

#include <algorithm>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "cpu/dispatch.h"
#include "gemm/kernels/kernels.h"

namespace armory::gemm_engine {

// The unpacked-A variant's type for each packed kernel type.
template <class Fn>
struct UnpackedA;
template <class T>
struct UnpackedA<TileKernel<T>> {
  using type = UnpackedATileKernel<T>;
  using edge = UnpackedAEdgeKernel<T>;
  using direct = DirectTileKernel<T>;
  using direct_packing_b = DirectPackingBTileKernel<T>;
};
template <>
struct UnpackedA<Bf16TileKernel> {
  using type = UnpackedABf16TileKernel;
  using edge = UnpackedABf16EdgeKernel;
  using direct = DirectBf16Kernels;
  using direct_packing_b = DirectPackingBBf16Kernels;
};

template <class Fn>
struct KernelInfo {
  KernelId id;
  int mr;
  int nr;       // columns per tile; for a scalable (SVE) kernel, the columns per 128 bits of vector
  int k_group;  // k values per packed step: 1, 2 for bf16 pair (dot) kernels, 4 for bf16 MMLA kernels
  Fn fn;        // nullptr when not compiled into this build
  typename UnpackedA<Fn>::type fn_unpacked_a = nullptr;  // optional: reads a row-major A in place
  bool scalable = false;  // NR grows with the SVE vector length: nr * (vector bits / 128)
  ConvertToBf16 convert_a = nullptr;  // optional, bf16 kernels: a vectorised fp32 -> bf16 for A's rows
  PairInterleave interleave_b{};      // optional, bf16 pair kernels: B's rows into k pairs (from fp32 or bf16)
  typename UnpackedA<Fn>::edge fn_unpacked_a_edge = nullptr;  // optional: edge tiles of C, A in place
  typename UnpackedA<Fn>::direct fn_direct{};  // optional: small problems, A and B in place
  BiasReluF32 epilogue = nullptr;  // optional, fp32 output: bias + ReLU on finished tiles in the kernel's ISA
  StoreBf16 store_bf16 = nullptr;  // optional, BF16 kernels: a tile stored to a bf16 C in the kernel's ISA
  UnpackedABf16CTileKernel fn_unpacked_a_bf16_c = nullptr;  // optional, BF16 kernels: full tiles to a bf16 C
  UnpackedAFusedF32TileKernel fn_unpacked_a_fused = nullptr;  // optional, fp32 kernels: full tiles, epilogue fused
  // optional: full-width tiles, A and B in place, B's packed panel written on the way (driver.h)
  typename UnpackedA<Fn>::direct_packing_b fn_direct_packing_b{};
};

// The tile width a kernel has on this CPU.
template <class Fn>
int tile_nr(const CpuInfo& cpu, const KernelInfo<Fn>& kernel) {
  return kernel.scalable ? kernel.nr * std::max(1, cpu.sve_vector_bits / 128) : kernel.nr;
}

// The largest MR * NR any kernel may have: the driver's scratch tile for edges (SVE at 2048 bits included).
inline constexpr int kMaxTileElements = 8 * 16 * 16 * 2;

using F32Kernel = KernelInfo<TileKernel<float>>;
using F64Kernel = KernelInfo<TileKernel<double>>;
using Bf16Kernel = KernelInfo<Bf16TileKernel>;

std::span<const F32Kernel> f32_kernels();
std::span<const F64Kernel> f64_kernels();
std::span<const Bf16Kernel> bf16_kernels();

// Cache blocking for one kernel on one machine (see tuning.cpp).
struct Blocking {
  int mc;  // rows of A kept in L2
  int kc;  // depth of one packed block (B micro-panel in L1)
  int nc;  // columns of B kept in L3
};

Blocking blocking_for(const CpuInfo& cpu, std::string_view kernel, int mr, int nr, int element_bytes, int k_group);

// The measured rows blocking_for takes before deriving one from the caches: a row whose kernel name
// matches no kernel would be silently ignored, so the tests check every one.
struct TuningRow {
  std::string_view uarch;
  std::string_view kernel;
  Blocking blocking;
};
std::span<const TuningRow> tuning_rows();

// The size from which a B read in place is not expected to be in cache when a GEMM starts (see tuning.cpp).
int64_t uncached_b_bytes(const CpuInfo& cpu);
int64_t streamed_c_bytes(const CpuInfo& cpu);
bool aliasing_rows_evict(const CpuInfo& cpu, int mr);

// A kernel and the blocking it runs with.
template <class Fn>
struct Plan {
  const KernelInfo<Fn>* kernel = nullptr;
  int mr = 0, nr = 0;  // the tile on this CPU (nr depends on the SVE vector length for scalable kernels)
  Blocking blocking{};
  bool use_unpacked_a = true;  // when the kernel has the variant and A is row-major (tests turn it off)
  bool use_direct = true;      // the paths without packing (tests turn them off)
  // Rows of A whose stride aliases are copied before the kernel reads them (driver.h's kAliasingStrideBytes):
  // on a core whose L1d has fewer ways than the tile has rows (tuning.cpp).
  bool copy_aliasing_a = true;
  int64_t unpacked_b_depth = 256;  // rows of B per block when B is read in place (see driver.h)
  int64_t unpacked_b_chunk_bytes = 512 * 1024;  // A's rows and a strip of B per depth chunk, kept in L2 (ditto)
  int64_t unpacked_b_prefetch_bytes = 0;        // a larger B read in place is fetched a strip ahead (ditto)
  // The largest packed B block each thread packs a copy of for itself when threads split the rows; a larger
  // one all threads pack together and share (see run_gemm; tests lower it to share small blocks).
  size_t own_b_copy_bytes = 1024 * 1024;
  // A larger bf16 C that beta = 0 overwrites is written around the caches (tuning.cpp); by default never.
  int64_t streamed_c_bytes = std::numeric_limits<int64_t>::max();
};

using F32Plan = Plan<TileKernel<float>>;
using F64Plan = Plan<TileKernel<double>>;
using Bf16Plan = Plan<Bf16TileKernel>;

// The plans of this process: the best kernel allowed by the CPU and ARMORY_ISA. An invalid ARMORY_ISA
// is returned as the error of every plan.
const Result<F32Plan>& f32_plan();
const Result<F64Plan>& f64_plan();
const Result<Bf16Plan>& bf16_plan();

// A plan for a given kernel row (tests and benchmarks force each kernel this way).
template <class Fn>
Plan<Fn> plan_for(const CpuInfo& cpu, const KernelInfo<Fn>& kernel, int element_bytes) {
  int nr = tile_nr(cpu, kernel);
  Plan<Fn> plan{&kernel, kernel.mr, nr,
                blocking_for(cpu, kernel.id.name, kernel.mr, nr, element_bytes, kernel.k_group)};
  plan.unpacked_b_prefetch_bytes = uncached_b_bytes(cpu);
  plan.streamed_c_bytes = streamed_c_bytes(cpu);
  plan.copy_aliasing_a = aliasing_rows_evict(cpu, kernel.mr);
  return plan;
}

}  // namespace armory::gemm_engine
