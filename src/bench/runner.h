// Runs a plan: measures each job, stores each result as soon as it exists, shows progress (a bar on a
// terminal, one line per case otherwise), and prints armory's ratio to each peer at the end.
#pragma once

#include "bench/store.h"
#include "bench/suites.h"

#include <cstdio>
#include <string>
#include <vector>

namespace armory::bench {

struct RunOutcome {
  std::vector<CaseResult> results;
  std::vector<std::string> skipped;  // "job: why" for jobs that could not run (missing peer, unsupported)
  bool interrupted = false;          // SIGINT/SIGTERM arrived: the remaining jobs were not run
};

// Measures this machine's FMA peaks for the thread counts the plan uses and fills each job's peak.
void fill_peaks(Plan& plan);

// store may be null (--no-db). Library versions learnt while running (Python peers) go into plan.libraries.
RunOutcome run_plan(Plan& plan, Store* store, int64_t run_id, std::FILE* out, bool progress_bar);

// armory beside each peer, per case: the summary printed after a run.
std::string ratio_summary(const std::vector<CaseResult>& results);

// Asks run_plan to stop after the current job (the signal handlers call it).
void request_stop();

}  // namespace armory::bench
