// Debian's multiarch tuple for the architecture armory is built for: where the distribution keeps its
// libraries (/usr/lib/<tuple>/) and how it names their alternatives (libblas.so.3-<tuple>).
#pragma once

namespace armory {

#if defined(__x86_64__)
inline constexpr const char* kDebianMultiarch = "x86_64-linux-gnu";
#elif defined(__aarch64__)
inline constexpr const char* kDebianMultiarch = "aarch64-linux-gnu";
#else
inline constexpr const char* kDebianMultiarch = "unknown-linux-gnu";
#endif

}  // namespace armory
