// Running another program (update-alternatives, python3) without a shell: argv as given,
// stdout and stderr captured together.
#pragma once

#include <armory/status.h>

#include <string>
#include <vector>

namespace armory {

struct ProcessOutput {
  int exit_code = -1;  // -1 when the program was killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Fails (not_found) when the program cannot be started, and (io_error) when it has not finished within
// timeout_seconds (> 0; 0 waits as long as it runs): it is then killed and what it printed is dropped. A
// non-zero exit is a normal result.
Result<ProcessOutput> run_process(const std::vector<std::string>& argv, double timeout_seconds = 0);

}  // namespace armory
