// The workload suite's vocabulary: one measured case (a workload, a library, a thread count) and how it
// is timed. Suites (gemm, svd, resnet50) make cases; the runner times them, the store keeps them, the
// report and the server show them.
#pragma once

#include <armory/status.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace armory::bench {

// The suites `armory bench` runs, in the order the report shows them.
inline const std::vector<std::string> kSuiteNames = {"gemm", "svd", "resnet50"};

// Seconds per call: the median of the samples, and their extremes. peak_gflops: the FMA peak, when it was
// timed in alternation with the call (the median of its own samples); 0 otherwise.
struct Timing {
  double median = 0, min = 0, max = 0;
  double peak_gflops = 0;
};

struct CaseResult {
  std::string suite;      // gemm, svd, resnet50
  std::string name;       // what was run, without library and threads: "f32 n=512", "f64 1024x1024 vectors"
  std::string library;    // armory, openblas, blis, onednn, numpy, pytorch
  std::string precision;  // f32, f64, f32:bf16 (fp32 data, BF16 fast math)
  int64_t m = 0, n = 0, k = 0, batch = 0;
  bool vectors = false;   // svd: singular vectors computed too
  int threads = 1;
  int repeat = 0;         // samples behind the timing
  Timing seconds;
  double flops = 0;        // per call, when the workload has a standard count (GEMM 2mnk, ResNet50 8.2 G/image)
  double peak_gflops = 0;  // this machine's measured FMA peak for the precision and threads; 0 when unknown
  // The precision whose FMA peak peak_gflops is, when not the case's own (armory's strict fp32 beside a
  // BF16 fast-math case is a share of the fp32 peak); empty: the case's.
  std::string peak_precision;

  const std::string& peak_precision_or_own() const { return peak_precision.empty() ? precision : peak_precision; }
  double gflops() const { return flops > 0 && seconds.median > 0 ? flops / seconds.median / 1e9 : 0; }
  // Same workload, precision and threads: the cases a ratio compares.
  std::string comparable_key() const;
};

// Warm-up call, then `repeat` samples, each at least min_sample_seconds of back-to-back calls.
// A call returning false stops the timing with an error.
Result<Timing> time_calls(const std::function<bool()>& call, int repeat, double min_sample_seconds = 0.02);

// Several calls (one per library) timed in alternation, so that a machine whose speed drifts (this guest's
// does, by tens of percent over seconds) weighs on every side of a ratio alike: a warm-up of each, then
// `repeat` rounds in which each call, in an order that rotates, waits pause_seconds (for the previous
// library's idle threads to stop spinning), runs once untimed when it is short and something ran or paused
// since its last sample, and takes a sample of at least min_sample_seconds. One timing per call; a call
// returning false gets an error, the others go on. One call without a pause is time_calls.
std::vector<Result<Timing>> time_alternating(const std::vector<std::function<bool()>>& calls, int repeat,
                                             double pause_seconds, double min_sample_seconds = 0.02);

// The peer's median time ÷ armory's (> 1: armory is faster) for the same comparable case; 0 when armory
// did not run it.
double ratio_to_armory(const CaseResult& peer, const std::vector<CaseResult>& all);

// Google Benchmark-style JSON ("context" with the machine, "benchmarks" one entry per case) for --json.
std::string to_benchmark_json(const std::vector<CaseResult>& results, const std::string& context_json);

}  // namespace armory::bench
