#include "common/alternatives.h"

#include <sstream>
#include <vector>

#include "common/process.h"

namespace armory {

AlternativeState query_alternative(const std::string& name, const std::string& root) {
  AlternativeState state;
  std::vector<std::string> argv = {"update-alternatives"};
  if (!root.empty()) argv.insert(argv.end(), {"--root", root});
  argv.insert(argv.end(), {"--query", name});
  auto run = run_process(argv);
  if (!run.ok()) {
    state.problem = run.status().message();
    return state;
  }
  if (run->exit_code != 0) {
    state.problem = "not registered with update-alternatives";
    return state;
  }
  state.registered = true;
  std::istringstream lines(run->output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("Status: ", 0) == 0) state.mode = line.substr(8);
    if (line.rfind("Value: ", 0) == 0) state.value = line.substr(7);
  }
  return state;
}

}  // namespace armory
