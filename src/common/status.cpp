#include <armory/status.h>

namespace armory {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::ok: return "ok";
    case Errc::invalid_argument: return "invalid argument";
    case Errc::unsupported: return "unsupported";
    case Errc::not_found: return "not found";
    case Errc::io_error: return "I/O error";
    case Errc::parse_error: return "parse error";
    case Errc::internal: return "internal error";
    case Errc::out_of_memory: return "out of memory";
  }
  return "unknown error";
}

}  // namespace armory
