// Mutated model files (bytes flipped, truncated, overwritten, repeated) must load to a clear error or to a
// session that runs or fails cleanly: never a crash, a hang or a read out of bounds (the sanitizer build
// runs this too). Seeds are fixed, so a failure reproduces.
#include "backend_data.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace armory::nn {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string mutate(std::string bytes, std::mt19937& rng) {
  if (bytes.empty()) return bytes;
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  switch (pick(5)) {
    case 0:
      bytes.resize(pick(bytes.size()));
      break;
    case 1:
      for (int i = 0; i < 3; ++i) bytes[pick(bytes.size())] ^= static_cast<char>(1 << pick(8));
      break;
    case 2:
      bytes[pick(bytes.size())] = static_cast<char>(pick(2) ? 0xff : 0x80);
      break;
    case 3: {
      size_t at = pick(bytes.size()), len = std::min<size_t>(pick(16) + 1, bytes.size() - at);
      bytes.insert(at, bytes.substr(at, len));
      break;
    }
    default:
      bytes[pick(bytes.size())] = static_cast<char>(pick(256));
      break;
  }
  return bytes;
}

TEST(OnnxFuzz, MutatedModelsFailCleanly) {
  const auto root = testing::backend_node_dir();
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "libonnx-testdata is not installed";
  const char* models[] = {"test_conv_with_strides_padding", "test_basic_conv_with_padding", "test_gemm_default_matrix_bias",
                          "test_maxpool_2d_pads", "test_averagepool_2d_ceil", "test_batchnorm_example", "test_reshape_reduced_dims",
                          "test_slice", "test_concat_2d_axis_0", "test_transpose_all_permutations_0", "test_pad",
                          "test_gather_0", "test_split_equal_parts_1d", "test_softmax_axis_1", "test_matmul_4d",
                          "test_convtranspose", "test_globalaveragepool", "test_flatten_axis1", "test_unsqueeze_axis_0",
                          "test_clip", "test_reduce_mean_keepdims_example", "test_add_bcast", "test_constant"};
  std::mt19937 rng(20261124);
  int loaded = 0, rejected = 0;
  for (const char* name : models) {
    const auto dir = root / name;
    if (!std::filesystem::exists(dir / "model.onnx")) continue;
    const std::string original = read_file(dir / "model.onnx");
    std::vector<NamedTensor> inputs;
    for (const auto& c : testing::backend_cases(dir)) {
      for (const auto& f : c.inputs) {
        auto t = read_tensor_file(f.string());
        if (t) inputs.push_back(std::move(t.value()));
      }
      break;
    }
    for (int round = 0; round < 150; ++round) {
      if (std::getenv("ARMORY_TEST_VERBOSE")) std::cout << name << " round " << round << std::endl;
      auto session = Session::load_from_bytes(mutate(original, rng), dir.string());
      if (!session) {
        EXPECT_FALSE(session.status().message().empty());
        ++rejected;
        continue;
      }
      ++loaded;
      std::vector<NamedTensor> feeds;
      for (size_t i = 0; i < inputs.size() && i < session->inputs().size(); ++i) {
        feeds.push_back({session->inputs()[i].name, inputs[i].tensor});
      }
      auto out = session->run(feeds);
      if (!out) {
        EXPECT_FALSE(out.status().message().empty());
      }
    }
  }
  std::cout << "fuzz: " << loaded << " mutated models loaded, " << rejected << " rejected with an error\n";
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace armory::nn
