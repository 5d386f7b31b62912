// ONNX's backend node tests (Debian's libonnx-testdata) on armory's engine: every test whose model loads
// must produce the expected outputs (rtol 1e-3, atol 1e-7, as ONNX's runner checks); a model armory cannot
// load must fail with Errc::unsupported, never with a crash or another error. Runs once per ISA level.
#include "backend_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

namespace armory::nn {
namespace {

using testing::backend_cases;
using testing::backend_node_dir;

// Empty when the case passes; otherwise why not.
std::string compare(const Tensor& got, const Tensor& want) {
  if (got.dtype() != want.dtype()) return std::string("dtype ") + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  if (got.shape() != want.shape()) return "shape " + shape_string(got.shape()) + ", expected " + shape_string(want.shape());
  for (int64_t i = 0; i < got.size(); ++i) {
    auto value = [&](const Tensor& t) {
      switch (t.dtype()) {
        case DType::float32: return double(t.data_as<float>()[i]);
        case DType::int64: return double(t.data_as<int64_t>()[i]);
        case DType::boolean: return double(t.data_as<uint8_t>()[i]);
        case DType::bfloat16: return double(bf16_to_float(t.data_as<bf16_t>()[i]));
      }
      return 0.0;
    };
    double g = value(got), w = value(want);
    if (std::isnan(w) && std::isnan(g)) continue;
    if (std::isinf(w) && g == w) continue;
    if (!(std::fabs(g - w) <= 1e-7 + 1e-3 * std::fabs(w))) {
      return "element " + std::to_string(i) + " is " + std::to_string(g) + ", expected " + std::to_string(w);
    }
  }
  return {};
}

enum class Outcome { passed, unsupported, failed };

Outcome run_backend_test(const std::filesystem::path& dir, std::string& why) {
  auto session = Session::load((dir / "model.onnx").string());
  if (!session) {
    why = session.status().message();
    return session.status().code() == Errc::unsupported ? Outcome::unsupported : Outcome::failed;
  }
  for (const auto& c : backend_cases(dir)) {
    std::vector<NamedTensor> inputs;
    if (c.inputs.size() != session->inputs().size()) {
      why = "the test gives " + std::to_string(c.inputs.size()) + " inputs, the model declares " +
            std::to_string(session->inputs().size());
      return Outcome::failed;
    }
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      auto t = read_tensor_file(c.inputs[i].string());
      if (!t) {
        why = t.status().message();
        return t.status().code() == Errc::unsupported ? Outcome::unsupported : Outcome::failed;
      }
      inputs.push_back({session->inputs()[i].name, std::move(t->tensor)});
    }
    auto outputs = session->run(inputs);
    if (!outputs) {
      why = outputs.status().message();
      return outputs.status().code() == Errc::unsupported ? Outcome::unsupported : Outcome::failed;
    }
    for (size_t i = 0; i < c.outputs.size() && i < outputs.value().size(); ++i) {
      auto want = read_tensor_file(c.outputs[i].string());
      if (!want) {
        why = want.status().message();
        return Outcome::failed;
      }
      why = compare(outputs.value()[i], want->tensor);
      if (!why.empty()) {
        why = "output " + std::to_string(i) + ": " + why;
        return Outcome::failed;
      }
    }
  }
  return Outcome::passed;
}

TEST(OnnxBackend, NodeTestsPassOrAreReportedUnsupported) {
  if (!std::filesystem::exists(backend_node_dir())) GTEST_SKIP() << "libonnx-testdata is not installed";
  std::vector<std::filesystem::path> dirs;
  for (const auto& entry : std::filesystem::directory_iterator(backend_node_dir())) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  int passed = 0, unsupported = 0;
  std::vector<std::string> failures;
  for (const auto& dir : dirs) {
    std::string why;
    if (std::getenv("ARMORY_TEST_VERBOSE")) std::cout << dir.filename().string() << std::endl;
    switch (run_backend_test(dir, why)) {
      case Outcome::passed: ++passed; break;
      case Outcome::unsupported: ++unsupported; break;
      case Outcome::failed: failures.push_back(dir.filename().string() + ": " + why); break;
    }
  }
  std::cout << "onnx backend node tests: " << passed << " passed, " << unsupported << " unsupported, "
            << failures.size() << " failed\n";
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_GE(passed, 150) << "fewer backend tests pass than armory's operator list should reach";
}

}  // namespace
}  // namespace armory::nn
