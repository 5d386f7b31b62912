// Debian's alternatives system (update-alternatives): which file a managed link such as
// /usr/lib/<multiarch>/libblas.so.3 points at now.
#pragma once

#include <string>

namespace armory {

struct AlternativeState {
  bool registered = false;
  std::string mode;     // "auto" or "manual"
  std::string value;    // the file the link points at
  std::string problem;  // why it is not known, when !registered
};

// name: the alternative's name, e.g. "libblas.so.3-x86_64-linux-gnu". root: "" for this system, else a
// directory passed as update-alternatives --root (tests).
AlternativeState query_alternative(const std::string& name, const std::string& root = "");

}  // namespace armory
