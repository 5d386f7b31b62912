// Gemm (fully connected layers) and MatMul on armory's GEMM. A constant right-hand side is packed once
// at load, in the session's precision; Gemm's bias and a fused ReLU go to the epilogue.
#include "nn/kernel.h"

#include <algorithm>
#include <optional>

namespace armory::nn {

namespace {

class GemmKernel final : public Kernel {
 public:
  float alpha = 1, beta = 1;
  bool trans_a = false, trans_b = false;
  Fusion fusion;
  FpMath fpmath = FpMath::strict;
  std::optional<PackedMatrix> packed_b;
  std::vector<float> bias;  // beta * C, when C is a constant row vector

  bool reads_constant(size_t index) const override {
    return !((index == 1 && packed_b) || (index == 2 && !bias.empty()));
  }
  size_t packed_bytes() const override { return (packed_b ? packed_b->bytes() : 0) + bias.size() * sizeof(float); }

  std::string describe() const override {
    std::string s;
    if (packed_b) s += "B packed " + std::to_string(packed_b->k()) + "x" + std::to_string(packed_b->n());
    if (fpmath == FpMath::bf16) s += " bf16";
    if (!bias.empty()) s += " +bias";
    if (fusion.relu) s += " +Relu";
    return s;
  }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    const Tensor& a = in[0]->tensor;
    static const Tensor kNone;
    const Tensor& b = in[1] ? in[1]->tensor : kNone;  // null when packed at load (the constant is freed)
    const bool b_dense = !packed_b;
    if (a.dtype() != DType::float32 || (b_dense && b.dtype() != DType::float32)) return unsupported("Gemm supports float32 only");
    if (a.shape().size() != 2 || (b_dense && b.shape().size() != 2)) {
      return invalid("Gemm needs 2-D A and B, got " + shape_string(a.shape()) + " and " + shape_string(b.shape()));
    }
    const int64_t m = trans_a ? a.shape()[1] : a.shape()[0], k = trans_a ? a.shape()[0] : a.shape()[1];
    const int64_t kb = b_dense ? (trans_b ? b.shape()[1] : b.shape()[0]) : packed_b->k();
    const int64_t n = b_dense ? (trans_b ? b.shape()[0] : b.shape()[1]) : packed_b->n();
    if (k != kb) return invalid("A " + shape_string(a.shape()) + " and B with " + std::to_string(kb) + " rows do not chain");
    Tensor y = ctx.arena.allocate(DType::float32, {m, n});
    float* dst = y.mutable_data_as<float>();
    float c_beta = 0;
    const Value* c = in.size() > 2 ? in[2] : nullptr;
    if (c && bias.empty() && beta != 0) {
      // Y starts as beta * C broadcast to [M, N]; the product accumulates into it.
      const Tensor& ct = c->tensor;
      const auto& cs = ct.shape();
      if (ct.dtype() != DType::float32 || cs.size() > 2) return invalid("C must be float32 with rank <= 2");
      int64_t cm = cs.size() == 2 ? cs[0] : 1, cn = cs.empty() ? 1 : cs.back();
      if ((cm != 1 && cm != m) || (cn != 1 && cn != n)) {
        return invalid("C " + shape_string(cs) + " does not broadcast to [" + std::to_string(m) + ", " + std::to_string(n) + "]");
      }
      const float* cp = ct.data_as<float>();
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) dst[i * n + j] = beta * cp[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
      }
      c_beta = 1;
    }
    Epilogue e{bias.empty() ? nullptr : bias.data(), fusion.relu};
    Status s;
    if (packed_b) {
      s = gemm_packed(trans_a ? Trans::yes : Trans::no, m, alpha, a.data_as<float>(), a.shape()[1], *packed_b, c_beta,
                      dst, n, e);
    } else {
      GemmOptions options{fpmath, e};
      s = armory::gemm(Layout::row_major, trans_a ? Trans::yes : Trans::no, trans_b ? Trans::yes : Trans::no, m, n, k,
                       alpha, a.data_as<float>(), a.shape()[1], b.data_as<float>(), b.shape()[1], c_beta, dst, n, options);
    }
    if (!s) return s;
    out[0] = Value{std::move(y), false};
    return {};
  }
};

KernelResult make_gemm(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  auto k = std::make_unique<GemmKernel>();
  k->alpha = attrs.get_float("alpha", 1.0f);
  k->beta = attrs.get_float("beta", 1.0f);
  k->trans_a = attrs.get_int("transA", 0) != 0;
  k->trans_b = attrs.get_int("transB", 0) != 0;
  if (spec.opset < 7) attrs.get_int("broadcast", 0);
  if (Status s = attrs.check_all_used(); !s) return s;
  k->fusion = spec.fusion;
  k->fpmath = spec.fpmath;
  if (const Tensor* b = spec.constant(1); b && b->dtype() == DType::float32 && b->shape().size() == 2) {
    const int64_t kk = k->trans_b ? b->shape()[1] : b->shape()[0], n = k->trans_b ? b->shape()[0] : b->shape()[1];
    auto packed = pack_b(Layout::row_major, k->trans_b ? Trans::yes : Trans::no, kk, n, b->data_as<float>(),
                         b->shape()[1], spec.fpmath);
    if (!packed) return packed.status();
    k->packed_b = std::move(packed.value());
    const Tensor* c = spec.has_input(2) ? spec.constant(2) : nullptr;
    if (c && c->dtype() == DType::float32 && c->size() == n &&
        (c->shape() == std::vector<int64_t>{n} || c->shape() == std::vector<int64_t>{1, n})) {
      k->bias.resize(n);
      for (int64_t j = 0; j < n; ++j) k->bias[j] = k->beta * c->data_as<float>()[j];
    }
  }
  return std::unique_ptr<Kernel>(std::move(k));
}

// numpy matmul: 1-D operands are promoted and the added axis removed; batch dimensions broadcast.
class MatMulKernel final : public Kernel {
 public:
  Fusion fusion;
  FpMath fpmath = FpMath::strict;
  std::optional<PackedMatrix> packed_b;  // a constant 2-D B

  bool reads_constant(size_t index) const override { return !(index == 1 && packed_b); }
  size_t packed_bytes() const override { return packed_b ? packed_b->bytes() : 0; }

  std::string describe() const override {
    std::string s;
    if (packed_b) s += "B packed " + std::to_string(packed_b->k()) + "x" + std::to_string(packed_b->n());
    if (fpmath == FpMath::bf16) s += " bf16";
    if (fusion.relu) s += " +Relu";
    return s;
  }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    Tensor a = to_plain(ctx.arena, *in[0]);
    static const Tensor kNone;
    const Tensor& b = in[1] ? in[1]->tensor : kNone;  // null when packed at load (the constant is freed)
    if (a.dtype() != DType::float32 || (!packed_b && b.dtype() != DType::float32)) {
      return unsupported("MatMul supports float32 only");
    }
    auto as = a.shape();
    auto bs = packed_b ? std::vector<int64_t>{packed_b->k(), packed_b->n()} : b.shape();
    if (as.empty() || bs.empty()) return invalid("MatMul operands must have rank >= 1");
    const bool a_vector = as.size() == 1, b_vector = bs.size() == 1;
    if (a_vector) as.insert(as.begin(), 1);
    if (b_vector) bs.push_back(1);
    const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
    if (bs[bs.size() - 2] != k) {
      return invalid("shapes " + shape_string(a.shape()) + " and " + shape_string(b.shape()) + " do not chain");
    }
    // Broadcast batch dimensions.
    const size_t batch_rank = std::max(as.size(), bs.size()) - 2;
    std::vector<int64_t> a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
    a_batch.insert(a_batch.begin(), batch_rank - a_batch.size(), 1);
    b_batch.insert(b_batch.begin(), batch_rank - b_batch.size(), 1);
    std::vector<int64_t> batch(batch_rank);
    for (size_t i = 0; i < batch_rank; ++i) {
      if (a_batch[i] != b_batch[i] && a_batch[i] != 1 && b_batch[i] != 1) {
        return invalid("batch dimensions of " + shape_string(a.shape()) + " and " + shape_string(b.shape()) +
                       " do not broadcast");
      }
      batch[i] = std::max(a_batch[i], b_batch[i]);
    }
    std::vector<int64_t> shape = batch;
    if (!a_vector) shape.push_back(m);
    if (!b_vector) shape.push_back(n);
    Tensor y = ctx.arena.allocate(DType::float32, shape);
    Epilogue e{nullptr, fusion.relu};
    int64_t batches = 1;
    for (int64_t d : batch) batches *= d;
    bool b_shared = std::all_of(b_batch.begin(), b_batch.end(), [](int64_t d) { return d == 1; });
    bool a_full = a_batch == batch;
    if (b_shared && a_full && batches > 0) {
      // Every batch multiplies the same B: one GEMM with the batches stacked as rows.
      const int64_t rows = batches * m;
      if (packed_b) {
        return finish(gemm_packed(Trans::no, rows, 1.0f, a.data_as<float>(), k, *packed_b, 0.0f, y.mutable_data_as<float>(), n, e), y, out);
      }
      GemmOptions options{fpmath, e};
      return finish(armory::gemm(Layout::row_major, Trans::no, Trans::no, rows, n, k, 1.0f, a.data_as<float>(), k,
                                 b.data_as<float>(), n, 0.0f, y.mutable_data_as<float>(), n, options), y, out);
    }
    for (int64_t p = 0; p < batches; ++p) {
      int64_t rem = p, ao = 0, bo = 0, astride = 1, bstride = 1;
      for (size_t i = batch_rank; i-- > 0;) {
        int64_t idx = rem % batch[i];
        rem /= batch[i];
        ao += (a_batch[i] == 1 ? 0 : idx) * astride;
        bo += (b_batch[i] == 1 ? 0 : idx) * bstride;
        astride *= a_batch[i];
        bstride *= b_batch[i];
      }
      GemmOptions options{fpmath, e};
      Status s = armory::gemm(Layout::row_major, Trans::no, Trans::no, m, n, k, 1.0f, a.data_as<float>() + ao * m * k, k,
                              b.data_as<float>() + bo * k * n, n, 0.0f, y.mutable_data_as<float>() + p * m * n, n, options);
      if (!s) return s;
    }
    return finish(Status{}, y, out);
  }

 private:
  static Status finish(Status s, Tensor& y, std::span<Value> out) {
    if (!s) return s;
    out[0] = Value{std::move(y), false};
    return {};
  }
};

KernelResult make_matmul(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  if (Status s = attrs.check_all_used(); !s) return s;
  auto k = std::make_unique<MatMulKernel>();
  k->fusion = spec.fusion;
  k->fpmath = spec.fpmath;
  if (const Tensor* b = spec.constant(1); b && b->dtype() == DType::float32 && b->shape().size() == 2) {
    auto packed = pack_b(Layout::row_major, Trans::no, b->shape()[0], b->shape()[1], b->data_as<float>(), b->shape()[1],
                         spec.fpmath);
    if (!packed) return packed.status();
    k->packed_b = std::move(packed.value());
  }
  return std::unique_ptr<Kernel>(std::move(k));
}

}  // namespace

void register_matmul_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["Gemm"] = make_gemm;
  makers["MatMul"] = make_matmul;
}

}  // namespace armory::nn
