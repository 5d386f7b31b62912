// NumPy and PyTorch as peers: each runs in its own /usr/bin/python3 (src/bench/python_peer.py), one process
// per library and thread count, spoken to one JSON line at a time over pipes.
#pragma once

#include "bench/workload.h"

#include <armory/status.h>

#include <memory>
#include <string>

namespace armory::bench {

class PythonPeer {
 public:
  // Starts the interpreter ($ARMORY_BENCH_PYTHON, else /usr/bin/python3). Errc::not_found with the reason
  // when the library cannot be imported: a missing peer, to be reported and skipped.
  static Result<std::unique_ptr<PythonPeer>> start(const std::string& library, int threads);
  ~PythonPeer();

  const std::string& version() const { return version_; }
  // One request (a JSON object, see python_peer.py); the answer object, or why there is none.
  // Errc::unsupported when the peer cannot run that case.
  Result<std::string> ask(const std::string& request_json);
  Result<Timing> measure(const std::string& request_json);

 private:
  PythonPeer() = default;
  Result<std::string> read_line();
  int pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
  std::string version_;
};

// Where python_peer.py is: beside the sources this armory was built from.
std::string python_peer_script();

}  // namespace armory::bench
