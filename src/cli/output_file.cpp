#include "cli/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace armory::cli {

namespace fs = std::filesystem;

namespace {

fs::path folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace

Status check_writable(const std::string& path) {
  if (path.empty()) return error(Errc::invalid_argument, "an empty file name");
  std::error_code ec;
  const fs::path folder = folder_of(path);
  if (!fs::is_directory(folder, ec))
    return error(Errc::not_found, "cannot write " + path + ": no folder " + folder.string());
  if (::access(folder.c_str(), W_OK) != 0) {
    return error(Errc::io_error, "cannot write " + path + ": " + folder.string() + ": " + std::strerror(errno));
  }
  const fs::file_status status = fs::status(path, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    return error(Errc::invalid_argument, "cannot write " + path + ": it is not a regular file");
  }
  return {};
}

Status write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".armory-partial";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
      const int why = errno;
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return error(Errc::io_error, "cannot write " + path + ": " + std::strerror(why));
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return error(Errc::io_error, "cannot write " + path + ": " + ec.message());
  }
  return {};
}

}  // namespace armory::cli
