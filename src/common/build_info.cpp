#include <armory/build_info.h>
#include <armory/version.h>

namespace armory {

const BuildInfo& build_info() noexcept {
#if defined(__x86_64__)
  static constexpr const char* kArch = "x86_64";
#elif defined(__aarch64__)
  static constexpr const char* kArch = "aarch64";
#else
  static constexpr const char* kArch = "other";
#endif
  static const BuildInfo info{ARMORY_VERSION_STRING, ARMORY_GIT_COMMIT, ARMORY_BUILD_TYPE, kArch};
  return info;
}

}  // namespace armory

extern "C" const char* armory_get_version(void) { return ARMORY_VERSION_STRING; }
