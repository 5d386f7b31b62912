#include "common/verbose.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <mutex>
#include <string>

namespace armory {

namespace {

// The topics the code asks about. Another name is said once on stderr: ARMORY_VERBOSE=dispatcher printed
// nothing, which read as "nothing was dispatched".
constexpr std::string_view kTopics[] = {"dispatch", "all"};

template <typename Visit>
void for_each_topic(std::string_view list, Visit visit) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    visit(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

const std::string& verbose_topics() {
  static const std::string topics = [] {
    const char* env = std::getenv("ARMORY_VERBOSE");
    std::string value = env ? env : "";
    for_each_topic(value, [](std::string_view item) {
      if (item.empty() || std::find(std::begin(kTopics), std::end(kTopics), item) != std::end(kTopics)) return;
      std::string known;
      for (std::string_view topic : kTopics) known.append(known.empty() ? "" : ", ").append(topic);
      std::fprintf(stderr, "armory: ARMORY_VERBOSE names '%.*s', which is not a topic (%s): ignored\n",
                   static_cast<int>(item.size()), item.data(), known.c_str());
    });
    return value;
  }();
  return topics;
}

}  // namespace

bool verbose_enabled(std::string_view topic) {
  bool enabled = false;
  for_each_topic(verbose_topics(), [&](std::string_view item) { enabled = enabled || item == topic || item == "all"; });
  return enabled;
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
