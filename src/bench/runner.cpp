#include "bench/runner.h"

#include "bench/peak.h"
#include "bench/python_peer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace armory::bench {

namespace {

std::atomic<bool> g_stop{false};

std::string job_label(const CaseResult& c) {
  return c.suite + " " + c.name + " t=" + std::to_string(c.threads) + " " + c.library;
}

std::string clock_text(double seconds) {
  int s = static_cast<int>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d:%02d", s / 60, s % 60);
  return buf;
}

std::string figure(const CaseResult& r) {
  char buf[160];
  if (r.gflops() > 0) {
    int n = std::snprintf(buf, sizeof buf, "%8.1f GFLOPS (%.1f-%.1f)", r.gflops(), r.flops / r.seconds.max / 1e9,
                          r.flops / r.seconds.min / 1e9);
    if (r.peak_gflops > 0) {
      const double fraction = r.gflops() / r.peak_gflops;
      n += std::snprintf(buf + n, sizeof buf - n, " %3.0f%% of the %s peak", 100 * fraction,
                         peak_name(peak_kind(r.peak_precision_or_own())).c_str());
      // Over the peak is no figure of the library: the peak's samples met something else running.
      if (fraction > 1.05) std::snprintf(buf + n, sizeof buf - n, " (the peak was timed slow: a busy machine?)");
    }
  } else {
    std::snprintf(buf, sizeof buf, "%10.4f s (%.4f-%.4f)", r.seconds.median, r.seconds.min, r.seconds.max);
  }
  return buf;
}

}  // namespace

void request_stop() { g_stop = true; }

void fill_peaks(Plan& plan) {
  std::map<std::pair<PeakKind, int>, double> peaks;
  for (Job& job : plan.jobs) {
    if (job.spec.flops <= 0) continue;
    auto key = std::make_pair(peak_kind(job.spec.peak_precision_or_own()), job.spec.threads);
    auto it = peaks.find(key);
    if (it == peaks.end()) it = peaks.emplace(key, measure_peak_gflops(key.first, key.second, 0.2)).first;
    job.spec.peak_gflops = it->second;
  }
}

RunOutcome run_plan(Plan& plan, Store* store, int64_t run_id, std::FILE* out, bool progress_bar) {
  using Clock = std::chrono::steady_clock;
  // A peer that dies must not take armory with it: writing to its pipe then fails with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  g_stop = false;
  RunOutcome outcome;
  std::map<std::string, std::unique_ptr<PythonPeer>> python;
  std::map<std::string, std::string> python_missing;
  std::map<const void*, Status> prepared;
  double estimated_total = 0;
  for (const Job& j : plan.jobs) estimated_total += j.estimate_seconds;
  double estimated_done = 0;
  const auto start = Clock::now();
  const size_t total = plan.jobs.size();

  auto show_bar = [&](size_t done, const std::string& current) {
    if (!progress_bar) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    // The estimate is rescaled by how fast the run has gone so far.
    const double scale = estimated_done > 0 ? elapsed / estimated_done : 1.0;
    const double eta = std::max(0.0, (estimated_total - estimated_done) * scale);
    const int width = 24;
    const int filled = total ? static_cast<int>(width * done / total) : width;
    std::string bar = std::string(filled, '#') + std::string(width - filled, '.');
    std::fprintf(out, "\r\033[K[%s] %zu/%zu %s  %s elapsed, ETA %s", bar.c_str(), done, total, current.c_str(),
                 clock_text(elapsed).c_str(), clock_text(eta).c_str());
    std::fflush(out);
  };
  auto print_line = [&](const std::string& line) {
    if (progress_bar) std::fprintf(out, "\r\033[K");
    std::fprintf(out, "%s\n", line.c_str());
    std::fflush(out);
  };

  for (size_t i = 0; i < total; ++i) {
    if (g_stop) {
      outcome.interrupted = true;
      break;
    }
    Job& job = plan.jobs[i];
    const std::string label = job_label(job.spec);
    show_bar(i, label);
    auto skip = [&](const std::string& why) {
      outcome.skipped.push_back(label + ": " + why);
      estimated_done += job.estimate_seconds;
    };
    if (job.prepare) {
      auto [it, first] = prepared.emplace(job.prepare.get(), Status{});
      if (first) {
        show_bar(i, "preparing " + job.spec.suite);
        it->second = (*job.prepare)();
        if (!it->second) print_line(job.spec.suite + ": skipped, " + it->second.message());
      }
      if (!it->second) {
        skip(it->second.message());
        continue;
      }
    }
    // Let the previous peer's pool threads stop spinning before this one is timed: OpenBLAS's idle threads
    // busy-wait about 2^28 cycles (0.13 s here), OpenMP's a while, in this process or a Python peer's. With
    // 50 ms, armory's 2-thread n = 64 GEMM ran at half its 1-thread speed after them.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Result<Timing> timing = error(Errc::internal, "not measured");
    if (job.measure) {
      timing = job.measure();
    } else {
      const std::string key = job.spec.library + "/" + std::to_string(job.spec.threads);
      if (python_missing.count(key)) {
        skip(python_missing[key]);
        continue;
      }
      auto& peer = python[key];
      if (!peer) {
        auto started = PythonPeer::start(job.spec.library, job.spec.threads);
        if (!started) {
          python_missing[key] = started.status().message();
          if (!plan.libraries.count(job.spec.library) || plan.libraries[job.spec.library].rfind("missing", 0) == 0) {
            plan.libraries[job.spec.library] = "missing: " + started.status().message();
          }
          print_line("peer missing (skipped): " + started.status().message());
          skip(started.status().message());
          continue;
        }
        peer = std::move(started.value());
        plan.libraries[job.spec.library] = peer->version();
      }
      timing = peer->measure(job.python_request);
    }
    estimated_done += job.estimate_seconds;
    if (!timing) {
      if (timing.status().code() != Errc::unsupported) print_line(label + ": failed: " + timing.status().message());
      skip(timing.status().message());
      continue;
    }
    CaseResult result = job.spec;
    result.seconds = timing.value();
    if (timing->peak_gflops > 0) result.peak_gflops = timing->peak_gflops;
    if (store) {
      if (Status s = store->add_result(run_id, result); !s) print_line("warning: result not stored: " + s.message());
    }
    char head[96];
    std::snprintf(head, sizeof head, "%-9s %-26s t=%d %-9s", result.suite.c_str(), result.name.c_str(), result.threads,
                  result.library.c_str());
    print_line(std::string(head) + " " + figure(result));
    outcome.results.push_back(std::move(result));
  }
  if (progress_bar) {
    std::fprintf(out, "\r\033[K");
    std::fflush(out);
  }
  return outcome;
}

std::string ratio_summary(const std::vector<CaseResult>& results) {
  std::ostringstream s;
  std::vector<std::string> order;
  std::map<std::string, std::vector<const CaseResult*>> by_case;
  for (const CaseResult& r : results) {
    std::string key = r.comparable_key();
    if (!by_case.count(key)) order.push_back(key);
    by_case[key].push_back(&r);
  }
  for (const std::string& key : order) {
    const auto& group = by_case[key];
    auto mine = std::find_if(group.begin(), group.end(), [](const CaseResult* r) { return r->library == "armory"; });
    if (mine == group.end() || group.size() < 2) continue;
    const CaseResult& a = **mine;
    char head[96];
    std::snprintf(head, sizeof head, "%-9s %-26s t=%d", a.suite.c_str(), a.name.c_str(), a.threads);
    s << head << "  armory ";
    if (a.gflops() > 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f GFLOPS", a.gflops());
      s << buf;
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4f s", a.seconds.median);
      s << buf;
    }
    for (const CaseResult* r : group) {
      if (r->library == "armory") continue;
      char buf[48];
      std::snprintf(buf, sizeof buf, " | %s x%.2f", r->library.c_str(), ratio_to_armory(*r, results));
      s << buf;
    }
    s << "\n";
  }
  return s.str();
}

}  // namespace armory::bench
