// Where Debian's libonnx-testdata puts ONNX's backend node tests, and how to read one test case.
#pragma once

#include <armory/nn.h>

#include <filesystem>
#include <string>
#include <vector>

namespace armory::nn::testing {

inline std::filesystem::path backend_node_dir() { return "/usr/share/libonnx-testdata/data/node"; }

// The cases of one test folder: test_data_set_*/input_*.pb and output_*.pb, in index order.
struct BackendCase {
  std::vector<std::filesystem::path> inputs, outputs;
};

inline std::vector<std::filesystem::path> numbered(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::filesystem::path> files;
  for (int i = 0;; ++i) {
    auto p = dir / (prefix + std::to_string(i) + ".pb");
    if (!std::filesystem::exists(p)) break;
    files.push_back(p);
  }
  return files;
}

inline std::vector<BackendCase> backend_cases(const std::filesystem::path& test_dir) {
  std::vector<BackendCase> cases;
  for (int i = 0;; ++i) {
    auto dir = test_dir / ("test_data_set_" + std::to_string(i));
    if (!std::filesystem::exists(dir)) break;
    cases.push_back({numbered(dir, "input_"), numbered(dir, "output_")});
  }
  return cases;
}

}  // namespace armory::nn::testing
