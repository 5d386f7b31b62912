#include "common/verbose.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace armory {

namespace {

const std::string& verbose_topics() {
  static const std::string topics = [] {
    const char* env = std::getenv("ARMORY_VERBOSE");
    return std::string(env ? env : "");
  }();
  return topics;
}

}  // namespace

bool verbose_enabled(std::string_view topic) {
  std::string_view rest = verbose_topics();
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (item == topic || item == "all") return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

void verbose_log(std::string_view topic, const char* format, ...) {
  // One lock so that lines from several threads do not interleave.
  static std::mutex lock;
  std::lock_guard<std::mutex> guard(lock);
  std::fprintf(stderr, "armory: %.*s: ", static_cast<int>(topic.size()), topic.data());
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
}

}  // namespace armory
