// Files the commands write for the user (bench's JSON and report, report's HTML): checked before a run of
// many minutes starts, and written whole or not at all.
#pragma once

#include <armory/status.h>

#include <string>

namespace armory::cli {

// Ok when `path` can be written: its folder exists and takes new files, and a file already there is a
// regular file that may be replaced. Otherwise an error naming the path and what is wrong.
Status check_writable(const std::string& path);

// `text` into `path`, through a temporary beside it renamed over it once complete: a reader never sees half
// a file, and a failed write leaves what was there.
Status write_file(const std::string& path, const std::string& text);

}  // namespace armory::cli
