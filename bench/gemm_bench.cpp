// Google Benchmark for armory's GEMM alone: every precision at square sizes, 1 and 2 threads.
// For peers side by side, see gemm_peers.
#include <armory/gemm.h>

#include <benchmark/benchmark.h>

#include <vector>

namespace {

template <class T>
void BM_gemm(benchmark::State& state, armory::FpMath fpmath) {
  const int64_t n = state.range(0);
  armory::set_num_threads(static_cast<int>(state.range(1)));
  std::vector<T> a(n * n, T(0.5)), b(n * n, T(0.25)), c(n * n);
  for (auto _ : state) {
    armory::Status s;
    if constexpr (std::is_same_v<T, float>) {
      armory::GemmOptions o;
      o.fpmath = fpmath;
      s = armory::gemm(armory::Layout::row_major, armory::Trans::no, armory::Trans::no, n, n, n, 1.0f, a.data(), n,
                       b.data(), n, 0.0f, c.data(), n, o);
    } else {
      s = armory::gemm(armory::Layout::row_major, armory::Trans::no, armory::Trans::no, n, n, n, 1.0, a.data(), n,
                       b.data(), n, 0.0, c.data(), n);
    }
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2}) {
    for (int n : {64, 128, 256, 512, 1024, 2048}) b->Args({n, threads});
  }
  b->ArgNames({"n", "threads"})->UseRealTime()->Unit(benchmark::kMillisecond);
}

void BM_gemm_f32(benchmark::State& state) { BM_gemm<float>(state, armory::FpMath::strict); }
void BM_gemm_f32_bf16(benchmark::State& state) { BM_gemm<float>(state, armory::FpMath::bf16); }
void BM_gemm_f64(benchmark::State& state) { BM_gemm<double>(state, armory::FpMath::strict); }

BENCHMARK(BM_gemm_f32)->Apply(sizes);
BENCHMARK(BM_gemm_f32_bf16)->Apply(sizes);
BENCHMARK(BM_gemm_f64)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
