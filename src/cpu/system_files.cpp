#include "cpu/system_files.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace armory::cpu {

std::optional<std::string> SystemFiles::read(std::string_view path) const {
  std::string full = root_;
  if (!full.empty() && full.back() == '/') full.pop_back();
  full += path;
  std::ifstream in(full, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return buffer.str();
}

std::optional<std::string> SystemFiles::read_line(std::string_view path) const {
  auto text = read(path);
  if (!text) return std::nullopt;
  return std::string(trim(std::string_view(*text).substr(0, text->find('\n'))));
}

std::string_view trim(std::string_view s) {
  const char* space = " \t\r\n";
  size_t begin = s.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(space);
  return s.substr(begin, end - begin + 1);
}

std::optional<uint64_t> parse_uint(std::string_view text) {
  text = trim(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> count_cpu_list(std::string_view list) {
  list = trim(list);
  if (list.empty()) return std::nullopt;
  int count = 0;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    size_t dash = item.find('-');
    auto first = parse_uint(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_uint(item.substr(dash + 1));
    if (!first || !last || *last < *first || *last - *first > 1'000'000) return std::nullopt;
    count += static_cast<int>(*last - *first + 1);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return count;
}

std::optional<uint64_t> parse_cache_size(std::string_view text) {
  text = trim(text);
  uint64_t scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K': scale = uint64_t{1} << 10; break;
      case 'M': scale = uint64_t{1} << 20; break;
      case 'G': scale = uint64_t{1} << 30; break;
      default: break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  auto value = parse_uint(text);
  if (!value) return std::nullopt;
  return *value * scale;
}

}  // namespace armory::cpu
