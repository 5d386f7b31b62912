// The three suites as lists of jobs: one job = one workload, one library, one thread count. Building the
// plan loads nothing slow; peers that live in Python start when their first job runs.
#pragma once

#include "bench/workload.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace armory::bench {

struct SuiteOptions {
  std::vector<std::string> suites = kSuiteNames;
  bool full = false;                 // the long sizes too (n = 4096, SVD 4096 and 10000x500, ResNet shapes)
  int repeat = 5;                    // samples per figure (>= 5 for the published figures)
  std::vector<int> threads = {1, 2};
  std::vector<std::string> filters;  // keep jobs whose "suite/name/library" contains any of them
  std::string model_dir;             // where the ResNet50 ONNX model is kept between runs
};

struct Job {
  CaseResult spec;          // everything but the timing
  double estimate_seconds;  // for the plan's duration and the ETA
  // In-process libraries: the timed work. Python peers: empty, and python_request says what to ask.
  std::function<Result<Timing>()> measure;
  std::string python_request;
  // Something to do once before the first job that needs it (export the ONNX model); shared by jobs.
  std::shared_ptr<std::function<Status()>> prepare;
};

struct Plan {
  std::vector<Job> jobs;
  std::map<std::string, std::string> libraries;  // name -> version, or "missing: why"
};

Plan make_plan(const SuiteOptions& options);
std::string format_duration(double seconds);  // "4 min 10 s"

}  // namespace armory::bench
