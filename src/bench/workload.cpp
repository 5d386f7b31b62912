#include "bench/workload.h"

#include "bench/peak.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace armory::bench {

std::string CaseResult::comparable_key() const {
  return suite + "|" + name + "|" + precision + "|" + std::to_string(threads);
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Timing summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return Timing{samples[samples.size() / 2], samples.front(), samples.back()};
}

// Before each sample, a call shorter than this runs once untimed when a pause or another library's call
// came since its last sample: the first call after an idle pause pays for waking pool threads (about a
// millisecond on this guest), and after another library it refills the caches.
constexpr double kRewarmBelowSeconds = 0.05;

}  // namespace

Result<Timing> time_calls(const std::function<bool()>& call, int repeat, double min_sample_seconds) {
  return time_alternating({call}, repeat, 0.0, min_sample_seconds).front();
}

std::vector<Result<Timing>> time_alternating(const std::vector<std::function<bool()>>& calls, int repeat,
                                             double pause_seconds, double min_sample_seconds) {
  const size_t count = calls.size();
  if (repeat < 1) return std::vector<Result<Timing>>(count, error(Errc::invalid_argument, "repeat must be >= 1"));
  const auto pause = std::chrono::duration<double>(pause_seconds);
  std::vector<Status> failure(count);
  std::vector<double> once(count, 0);
  std::vector<int> inner(count, 1);
  std::vector<std::vector<double>> samples(count);
  auto fail = [&](size_t i) { failure[i] = error(Errc::internal, "the call failed"); };
  const bool others_between_samples = pause_seconds > 0 || count > 1;
  for (size_t i = 0; i < count; ++i) {
    std::this_thread::sleep_for(pause);
    auto t0 = Clock::now();
    if (!calls[i]()) {
      fail(i);
      continue;
    }
    once[i] = std::max(seconds_since(t0), 1e-7);
    if (once[i] < min_sample_seconds) inner[i] = static_cast<int>(std::ceil(min_sample_seconds / once[i]));
  }
  for (int r = 0; r < repeat; ++r) {
    for (size_t j = 0; j < count; ++j) {
      const size_t i = (j + static_cast<size_t>(r)) % count;
      if (!failure[i].ok()) continue;
      std::this_thread::sleep_for(pause);
      if (others_between_samples && once[i] < kRewarmBelowSeconds && !calls[i]()) {
        fail(i);
        continue;
      }
      auto start = Clock::now();
      bool ok = true;
      for (int c = 0; c < inner[i] && ok; ++c) ok = calls[i]();
      if (!ok) {
        fail(i);
        continue;
      }
      samples[i].push_back(seconds_since(start) / inner[i]);
    }
  }
  std::vector<Result<Timing>> out;
  for (size_t i = 0; i < count; ++i) {
    if (failure[i].ok()) {
      out.emplace_back(summarize(std::move(samples[i])));
    } else {
      out.emplace_back(failure[i]);
    }
  }
  return out;
}

double ratio_to_armory(const CaseResult& peer, const std::vector<CaseResult>& all) {
  if (peer.library == "armory" || peer.seconds.median <= 0) return 0;
  const std::string key = peer.comparable_key();
  for (const CaseResult& r : all) {
    if (r.library == "armory" && r.comparable_key() == key && r.seconds.median > 0) {
      return peer.seconds.median / r.seconds.median;
    }
  }
  return 0;
}

std::string to_benchmark_json(const std::vector<CaseResult>& results, const std::string& context_json) {
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const CaseResult& r : results) {
    nlohmann::json row = {
        {"name", r.suite + "/" + r.name + "/threads:" + std::to_string(r.threads) + "/" + r.library},
        {"run_name", r.suite + "/" + r.name + "/threads:" + std::to_string(r.threads)},
        {"run_type", "aggregate"}, {"aggregate_name", "median"},
        {"repetitions", r.repeat}, {"threads", r.threads},
        {"real_time", r.seconds.median * 1e3}, {"time_unit", "ms"},
        {"real_time_min", r.seconds.min * 1e3}, {"real_time_max", r.seconds.max * 1e3},
        {"suite", r.suite}, {"library", r.library}, {"precision", r.precision}};
    if (r.m) row["m"] = r.m;
    if (r.n) row["n"] = r.n;
    if (r.k) row["k"] = r.k;
    if (r.batch) row["batch"] = r.batch;
    if (r.suite == "svd") row["vectors"] = r.vectors;
    if (r.gflops() > 0) {
      row["gflops"] = r.gflops();
      row["gflops_min"] = r.flops / r.seconds.max / 1e9;
      row["gflops_max"] = r.flops / r.seconds.min / 1e9;
      if (r.peak_gflops > 0) {
        row["peak_fraction"] = r.gflops() / r.peak_gflops;
        row["peak"] = peak_name(peak_kind(r.peak_precision_or_own()));  // which FMA peak: f32, f64, bf16
      }
    }
    if (double ratio = ratio_to_armory(r, results); ratio > 0) row["armory_speedup"] = ratio;
    benchmarks.push_back(row);
  }
  nlohmann::json context = nlohmann::json::parse(context_json, nullptr, false);
  if (context.is_discarded()) context = nlohmann::json::object();
  return nlohmann::json{{"context", context}, {"benchmarks", benchmarks}}.dump(1) + "\n";
}

}  // namespace armory::bench
