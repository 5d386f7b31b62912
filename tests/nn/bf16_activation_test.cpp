// BF16 activations: under fpmath = bf16 a conv writes its output in bfloat16 when every reader takes it
// (convs, MaxPool, the global pools) and the caller does not get it back; everything else widens at the
// boundary. A small graph built here (so it runs under every ISA level, the sanitizers and qemu) goes
// through each of those cases and must agree with the float32 session to bf16's precision.
#include <armory/isa.h>
#include <armory/nn.h>

#include <gtest/gtest.h>

#include "isa_level_test.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace armory::nn {
namespace {

// Just enough of the protobuf wire format to write an ONNX model.
class Message {
 public:
  Message& varint(int field, uint64_t value) {
    key(field, 0);
    put_varint(value);
    return *this;
  }
  Message& bytes(int field, const std::string& value) {
    key(field, 2);
    put_varint(value.size());
    out_ += value;
    return *this;
  }
  Message& message(int field, const Message& m) { return bytes(field, m.out_); }
  const std::string& str() const { return out_; }

 private:
  void key(int field, int wire_type) { put_varint(static_cast<uint64_t>(field) << 3 | wire_type); }
  void put_varint(uint64_t v) {
    for (; v >= 0x80; v >>= 7) out_ += static_cast<char>((v & 0x7f) | 0x80);
    out_ += static_cast<char>(v);
  }
  std::string out_;
};

constexpr int kFloat = 1;

Message ints_attribute(const std::string& name, const std::vector<int64_t>& values) {
  Message a;
  a.bytes(1, name);
  for (int64_t v : values) a.varint(8, static_cast<uint64_t>(v));
  return a.varint(20, 7);  // INTS
}

Message node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
             const std::vector<Message>& attributes = {}) {
  Message n;
  for (const auto& in : inputs) n.bytes(1, in);
  n.bytes(2, output).bytes(3, output + "_node").bytes(4, op);
  for (const auto& a : attributes) n.message(5, a);
  return n;
}

Message initializer(const std::string& name, const std::vector<int64_t>& dims, std::mt19937& rng, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = dist(rng);
  Message t;
  for (int64_t d : dims) t.varint(1, static_cast<uint64_t>(d));
  t.varint(2, kFloat).bytes(8, name);
  return t.bytes(9, std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
}

// A dimension below zero is declared free (a named dim_param), as exporters declare a batch.
Message value_info(const std::string& name, const std::vector<int64_t>& dims) {
  Message shape;
  for (int64_t d : dims) {
    shape.message(1, d < 0 ? Message().bytes(2, "batch") : Message().varint(1, static_cast<uint64_t>(d)));
  }
  Message tensor;
  tensor.varint(1, kFloat).message(2, shape);
  return Message().bytes(1, name).message(2, Message().message(1, tensor));
}

// A model of IR version 8 and opset 13 around the graph, with its float32 inputs and outputs declared.
using Declared = std::vector<std::pair<std::string, std::vector<int64_t>>>;

std::string model_bytes(Message graph, const Declared& inputs, const Declared& outputs) {
  for (const auto& [name, dims] : inputs) graph.message(11, value_info(name, dims));
  for (const auto& [name, dims] : outputs) graph.message(12, value_info(name, dims));
  Message model;
  model.varint(1, 8).message(8, Message().bytes(1, "").varint(2, 13)).message(7, graph);
  return model.str();
}

// The tests need a CPU with a BF16 GEMM kernel (or the portable one) under the host's ISA policy.
class Bf16Activations : public IsaLevelTest {};

// x [2, 8, 9, 9] -> conv 3x3 (+Relu) -> a -> MaxPool 3x3 s2 -> p
//   p -> conv 1x1 (+Relu) -> b;  b -> conv 3x3, + p, Relu -> c (returned: stays float32, residual is bf16)
//   p -> Sigmoid -> s (returned; MaxPool passes bf16 through, Sigmoid takes none: widened at the boundary)
//   p -> conv 1x1 s2 (+Relu) -> d -> GlobalAveragePool -> g (returned)
// batch: the first dimension declared for x and the outputs (-1: free).
std::string test_model(int64_t batch = 2) {
  std::mt19937 rng(5);
  Message graph;
  graph.message(1, node("Conv", {"x", "wa", "ba"}, "a_conv", {ints_attribute("pads", {1, 1, 1, 1})}))
      .message(1, node("Relu", {"a_conv"}, "a"))
      .message(1, node("MaxPool", {"a"}, "p",
                       {ints_attribute("kernel_shape", {3, 3}), ints_attribute("strides", {2, 2}),
                        ints_attribute("pads", {1, 1, 1, 1})}))
      .message(1, node("Conv", {"p", "wb", "bb"}, "b_conv"))
      .message(1, node("Relu", {"b_conv"}, "b"))
      .message(1, node("Conv", {"b", "wc", "bc"}, "c_conv", {ints_attribute("pads", {1, 1, 1, 1})}))
      .message(1, node("Add", {"c_conv", "p"}, "c_sum"))
      .message(1, node("Relu", {"c_sum"}, "c"))
      .message(1, node("Sigmoid", {"p"}, "s"))
      .message(1, node("Conv", {"p", "wd", "bd"}, "d_conv", {ints_attribute("strides", {2, 2})}))
      .message(1, node("Relu", {"d_conv"}, "d"))
      .message(1, node("GlobalAveragePool", {"d"}, "g"));
  graph.bytes(2, "bf16_activations");
  graph.message(5, initializer("wa", {16, 8, 3, 3}, rng, 0.2f)).message(5, initializer("ba", {16}, rng, 0.1f));
  graph.message(5, initializer("wb", {16, 16, 1, 1}, rng, 0.3f)).message(5, initializer("bb", {16}, rng, 0.1f));
  graph.message(5, initializer("wc", {16, 16, 3, 3}, rng, 0.1f)).message(5, initializer("bc", {16}, rng, 0.1f));
  graph.message(5, initializer("wd", {32, 16, 1, 1}, rng, 0.3f)).message(5, initializer("bd", {32}, rng, 0.1f));
  return model_bytes(graph, {{"x", {batch, 8, 9, 9}}},
                     {{"c", {batch, 16, 5, 5}}, {"s", {batch, 16, 5, 5}}, {"g", {batch, 32, 1, 1}}});
}

// A model run in float32 and under BF16 fast math, twice (the second run reuses the arena's buffers), on
// the same input x (of the shape the model declares; normal numbers from `seed`, plus `shift`): for each
// BF16 run and output, the largest difference from float32 and the largest float32 magnitude; and both
// graphs.
struct OutputDiff {
  double max_diff = 0, max_want = 0;
};

struct Bf16Comparison {
  std::vector<std::vector<OutputDiff>> runs;  // [run][output]
  std::string graph, strict_graph;
};

void compare_with_float32(const std::string& bytes, unsigned seed, float shift, Bf16Comparison& out) {
  auto strict = Session::load_from_bytes(bytes, ".");
  ASSERT_TRUE(strict.ok()) << strict.status().message();
  SessionOptions options;
  options.fpmath = FpMath::bf16;
  auto bf16 = Session::load_from_bytes(bytes, ".", options);
  ASSERT_TRUE(bf16.ok()) << bf16.status().message();
  out.graph = bf16->dump_graph();
  out.strict_graph = strict->dump_graph();
  const std::vector<int64_t>& x_shape = strict->inputs()[0].shape;
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist;
  int64_t count = 1;
  for (int64_t d : x_shape) count *= d;
  std::vector<float> x(static_cast<size_t>(count));
  for (float& v : x) v = dist(rng) + shift;
  std::vector<NamedTensor> feed = {{"x", Tensor::borrow(DType::float32, x_shape, x.data())}};
  auto want = strict->run(feed);
  ASSERT_TRUE(want.ok()) << want.status().message();
  for (int repeat = 0; repeat < 2; ++repeat) {
    auto got = bf16->run(feed);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ASSERT_EQ(got->size(), want->size());
    std::vector<OutputDiff>& diffs = out.runs.emplace_back(got->size());
    for (size_t o = 0; o < got->size(); ++o) {
      const Tensor& g = got.value()[o];
      const Tensor& w = want.value()[o];
      ASSERT_EQ(g.dtype(), DType::float32) << "outputs are float32";
      ASSERT_EQ(g.shape(), w.shape());
      for (int64_t i = 0; i < g.size(); ++i) {
        diffs[o].max_want = std::max(diffs[o].max_want, std::fabs(double(w.data_as<float>()[i])));
        diffs[o].max_diff =
            std::max(diffs[o].max_diff, std::fabs(double(g.data_as<float>()[i]) - w.data_as<float>()[i]));
      }
    }
  }
}

TEST_F(Bf16Activations, KeptBetweenLayersThatTakeThemAndAgreeWithFloat32) {
  Bf16Comparison result;
  ASSERT_NO_FATAL_FAILURE(compare_with_float32(test_model(), 6, 0.0f, result));

  // Which convs write bf16: the first two (read by MaxPool, a conv) and the strided one (read by the global
  // pool); not the one whose output is returned.
  const std::string& graph = result.graph;
  auto line_of = [&](const std::string& output) {
    size_t at = graph.find("-> " + output);
    EXPECT_NE(at, std::string::npos) << graph;
    size_t begin = graph.rfind('\n', at);
    return graph.substr(begin == std::string::npos ? 0 : begin + 1, at - (begin == std::string::npos ? 0 : begin + 1));
  };
  EXPECT_NE(line_of("a").find("->bf16"), std::string::npos) << graph;
  EXPECT_NE(line_of("b").find("->bf16"), std::string::npos) << graph;
  EXPECT_NE(line_of("d").find("->bf16"), std::string::npos) << graph;
  EXPECT_EQ(line_of("c").find("->bf16"), std::string::npos) << graph;
  EXPECT_EQ(result.strict_graph.find("->bf16"), std::string::npos) << "float32 sessions keep float32";

  for (const auto& run : result.runs) {
    ASSERT_EQ(run.size(), 3u);
    for (size_t o = 0; o < 3; ++o) {
      // bf16 keeps 8 bits: products and stored activations each add ~2^-9 relative error.
      EXPECT_LT(run[o].max_diff, 0.03 * run[o].max_want) << "output " << o;
      EXPECT_GT(run[o].max_diff, 0.0) << "output " << o << ": bf16 changes the result";
    }
  }
}

// An image's outputs do not depend on the images run beside it: a batch of three against each image alone,
// bit for bit, in float32 and under BF16 fast math. The GEMM rows of one image (81 pixels, then 25 after the
// pool) fall in full tiles in one case and in the last, shorter rows of C in the other.
TEST_F(Bf16Activations, AnImageGivesTheSameBitsInAnyBatch) {
  const std::string bytes = test_model(-1);
  const int64_t batch = 3, image = 8 * 9 * 9;
  std::vector<float> x(static_cast<size_t>(batch * image));
  std::mt19937 rng(12);
  std::normal_distribution<float> dist;
  for (float& v : x) v = dist(rng);
  for (FpMath fpmath : {FpMath::strict, FpMath::bf16}) {
    SessionOptions options;
    options.fpmath = fpmath;
    auto session = Session::load_from_bytes(bytes, ".", options);
    ASSERT_TRUE(session.ok()) << session.status().message();
    auto whole = session->run({{"x", Tensor::borrow(DType::float32, {batch, 8, 9, 9}, x.data())}});
    ASSERT_TRUE(whole.ok()) << whole.status().message();
    for (int64_t b = 0; b < batch; ++b) {
      auto alone = session->run({{"x", Tensor::borrow(DType::float32, {1, 8, 9, 9}, x.data() + b * image)}});
      ASSERT_TRUE(alone.ok()) << alone.status().message();
      ASSERT_EQ(alone->size(), whole->size());
      for (size_t o = 0; o < whole->size(); ++o) {
        const Tensor& all = whole.value()[o];
        const Tensor& one = alone.value()[o];
        ASSERT_EQ(all.size(), one.size() * batch);
        EXPECT_EQ(0, std::memcmp(all.data_as<float>() + b * one.size(), one.data(), one.bytes()))
            << "output " << o << " of image " << b << (fpmath == FpMath::bf16 ? " (bf16)" : " (float32)");
      }
    }
  }
}

// x [2, 3, 20, 20] -> conv 7x7 s2 p3 (+Relu) -> y: a stem's patch rows are 147 long, odd, which BF16
// kernels cannot take as they are (they read k in pairs): the patches get a zero column.
std::string odd_depth_model() {
  std::mt19937 rng(7);
  Message graph;
  graph.message(1, node("Conv", {"x", "w", "b"}, "y_conv",
                        {ints_attribute("strides", {2, 2}), ints_attribute("pads", {3, 3, 3, 3})}))
      .message(1, node("Relu", {"y_conv"}, "y"));
  graph.bytes(2, "odd_depth");
  graph.message(5, initializer("w", {24, 3, 7, 7}, rng, 0.2f)).message(5, initializer("b", {24}, rng, 0.1f));
  return model_bytes(graph, {{"x", {2, 3, 20, 20}}}, {{"y", {2, 24, 10, 10}}});
}

TEST_F(Bf16Activations, OddPatchDepthAgreesWithFloat32) {
  Bf16Comparison result;
  ASSERT_NO_FATAL_FAILURE(compare_with_float32(odd_depth_model(), 8, 0.0f, result));
  for (const auto& run : result.runs) {
    EXPECT_LT(run[0].max_diff, 0.02 * run[0].max_want);
    EXPECT_GT(run[0].max_diff, 0.0) << "bf16 changes the result";
  }
}

// x [2, 8, 11, 11] -> conv 3x3 p1 (no ReLU: negative values) -> MaxPool 3x3 s2 p1 -> conv 1x1 -> y. The pool
// runs on bf16 and compares them as integers, which must order negative values, zeros and -inf right.
std::string signed_pool_model() {
  std::mt19937 rng(9);
  Message graph;
  graph.message(1, node("Conv", {"x", "wa", "ba"}, "a", {ints_attribute("pads", {1, 1, 1, 1})}))
      .message(1, node("MaxPool", {"a"}, "p",
                       {ints_attribute("kernel_shape", {3, 3}), ints_attribute("strides", {2, 2}),
                        ints_attribute("pads", {1, 1, 1, 1})}))
      .message(1, node("Conv", {"p", "wb", "bb"}, "y"));
  graph.bytes(2, "signed_pool");
  graph.message(5, initializer("wa", {16, 8, 3, 3}, rng, 0.2f)).message(5, initializer("ba", {16}, rng, 0.1f));
  graph.message(5, initializer("wb", {8, 16, 1, 1}, rng, 0.3f)).message(5, initializer("bb", {8}, rng, 0.1f));
  return model_bytes(graph, {{"x", {2, 8, 11, 11}}}, {{"y", {2, 8, 6, 6}}});
}

TEST_F(Bf16Activations, MaxPoolOfSignedValuesAgreesWithFloat32) {
  Bf16Comparison result;
  // Mostly negative activations.
  ASSERT_NO_FATAL_FAILURE(compare_with_float32(signed_pool_model(), 8, -1.0f, result));
  ASSERT_NE(result.graph.find("->bf16] a_node"), std::string::npos) << "the pool's input should be bf16:\n"
                                                                    << result.graph;
  for (const auto& run : result.runs) EXPECT_LT(run[0].max_diff, 0.03 * run[0].max_want);
}

}  // namespace
}  // namespace armory::nn
