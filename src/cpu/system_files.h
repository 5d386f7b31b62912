// Reading the small text files of /proc and /sys below a root directory, so that fixtures can stand
// in for the real machine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace armory::cpu {

class SystemFiles {
 public:
  explicit SystemFiles(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // The whole file (absolute path, taken below root), or nullopt when it cannot be read.
  std::optional<std::string> read(std::string_view path) const;
  // The first line without its newline.
  std::optional<std::string> read_line(std::string_view path) const;

 private:
  std::string root_;
};

std::string_view trim(std::string_view s);

// "0-3,8,10-11" -> 7. Returns nullopt on malformed input.
std::optional<int> count_cpu_list(std::string_view list);

// "48K", "1024K", "32M", "512" -> bytes.
std::optional<uint64_t> parse_cache_size(std::string_view text);

// Strict unsigned parse in base 10, or base 16 with a 0x prefix.
std::optional<uint64_t> parse_uint(std::string_view text);

}  // namespace armory::cpu
