#include <armory/cpu.h>

#include <array>

namespace armory {

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Feature::count_)> kFeatureNames = {
    "avx2",  "fma",    "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16", "avx512_vnni",
    "amx_tile", "amx_bf16", "amx_int8",
    "asimd", "fp16", "dotprod", "sve", "sve2", "bf16", "i8mm", "svebf16",
};

}  // namespace

std::string_view arch_name(Arch arch) noexcept {
  switch (arch) {
    case Arch::x86_64: return "x86_64";
    case Arch::aarch64: return "aarch64";
    case Arch::unknown: break;
  }
  return "unknown";
}

std::string_view feature_name(Feature f) noexcept {
  auto i = static_cast<size_t>(f);
  return i < kFeatureNames.size() ? kFeatureNames[i] : "?";
}

bool has_bf16_arithmetic(const FeatureSet& features) noexcept {
  return features.has(Feature::avx512_bf16) || features.has(Feature::amx_bf16) || features.has(Feature::bf16);
}

bool parse_feature(std::string_view name, Feature* out) noexcept {
  for (size_t i = 0; i < kFeatureNames.size(); ++i) {
    if (kFeatureNames[i] == name) {
      *out = static_cast<Feature>(i);
      return true;
    }
  }
  return false;
}

std::vector<Feature> FeatureSet::list() const {
  std::vector<Feature> out;
  for (size_t i = 0; i < kFeatureNames.size(); ++i) {
    if (has(static_cast<Feature>(i))) out.push_back(static_cast<Feature>(i));
  }
  return out;
}

std::string FeatureSet::to_string() const {
  std::string out;
  for (Feature f : list()) {
    if (!out.empty()) out += ' ';
    out += feature_name(f);
  }
  return out.empty() ? "none" : out;
}

}  // namespace armory
