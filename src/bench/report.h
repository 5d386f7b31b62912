// The HTML report: one self-contained file (inline CSS and SVG plots, no network) for a run, or two runs
// compared. `armory report` writes it; `armory serve` serves the same pages live.
#pragma once

#include "bench/store.h"

#include <armory/status.h>

#include <string>

namespace armory::bench {

// run_id 0: the newest run. compare_id != 0: the page compares run_id (before) with compare_id (after).
Result<std::string> render_report(const Store& store, int64_t run_id, int64_t compare_id);

std::string html_escape(const std::string& text);

}  // namespace armory::bench
