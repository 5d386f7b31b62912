// ARMORY_VERBOSE=topic[,topic...]: opt-in diagnostics on stderr, for example "dispatch".
#pragma once

#include <string_view>

namespace armory {

// True when $ARMORY_VERBOSE names the topic (or "all"). Read once per process.
bool verbose_enabled(std::string_view topic);

// One line on stderr, prefixed "armory: <topic>: ". printf-style to stay usable from any component.
void verbose_log(std::string_view topic, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace armory
