// What was built: version, git commit, build type. Also exported with C linkage for tools that
// inspect a process's libraries (threadpoolctl-style).
#pragma once

namespace armory {

struct BuildInfo {
  const char* version;     // "0.1.0"
  const char* git_commit;  // short hash, "-dirty" when built from a modified tree
  const char* build_type;  // "Release", "Debug+asan+ubsan", ...
  const char* target_arch; // "x86_64", "aarch64"
};

const BuildInfo& build_info() noexcept;

}  // namespace armory

extern "C" const char* armory_get_version(void);
