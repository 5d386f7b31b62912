// Gemm (fully connected layers), MatMul and Einsum on armory's GEMM. A constant right-hand side is packed
// once at load, in the session's precision; Gemm's bias and a fused ReLU go to the epilogue.
#include "nn/kernel.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

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

// Einsum for one or two float32 operands, the way MaxViT's attention writes its products
// ("B G H I D, B G H J D -> B G H I J"). Labels are letters; "..." stands for the leading dimensions not
// named, broadcast numpy-style. Per operand, a label repeated takes the diagonal and a label no one else
// needs is summed out; then the labels of both operands split into batch (both, kept), contracted (both,
// summed), and free ones, the operands are laid out as batches of (M x K) and (K x N) matrices (read as
// they are, transposed by the GEMM, when their labels already come in that order) and multiplied, and the
// result is laid out in the output's order.
class EinsumKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<EinsumKernel>> parse(const std::string& equation) {
    auto k = std::make_unique<EinsumKernel>();
    std::string eq;
    for (char c : equation) {
      if (c != ' ') eq += c;
    }
    const size_t arrow = eq.find("->");
    std::string lhs = eq.substr(0, arrow);
    for (size_t start = 0;;) {
      const size_t comma = lhs.find(',', start);
      auto term = parse_term(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (!term) return term.status();
      k->inputs_.push_back(std::move(term.value()));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (k->inputs_.size() > 2) {
      return unsupported("Einsum with " + std::to_string(k->inputs_.size()) + " operands (armory takes one or two)");
    }
    if (arrow != std::string::npos) {
      auto term = parse_term(eq.substr(arrow + 2));
      if (!term) return term.status();
      k->output_ = std::move(term.value());
    } else {
      // Implicit output: the ellipsis first, then the labels used once, in alphabetical order.
      std::map<int, int> count;
      bool ellipsis = false;
      for (const Term& t : k->inputs_) {
        ellipsis = ellipsis || t.ellipsis >= 0;
        for (int label : t.labels) ++count[label];
      }
      if (ellipsis) k->output_.ellipsis = 0;
      for (auto [label, n] : count) {
        if (n == 1) k->output_.labels.push_back(label);
      }
    }
    k->equation_ = eq;
    return k;
  }

  std::string describe() const override { return equation_; }

  Status run(RunContext& ctx, std::span<const Value* const> in, std::span<Value> out) const override {
    if (in.size() != inputs_.size()) {
      return invalid("the equation has " + std::to_string(inputs_.size()) + " operands, the node " +
                     std::to_string(in.size()) + " inputs");
    }
    // Each operand as (labels, tensor), ellipsis dimensions given labels kEllipsis + i counted from the right.
    std::vector<Operand> ops;
    int64_t ellipsis_rank = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] == nullptr) return invalid("operand " + std::to_string(i) + " is missing");
      Tensor t = to_plain(ctx.arena, *in[i]);
      if (t.dtype() != DType::float32) return unsupported("Einsum supports float32 only, got " + std::string(dtype_name(t.dtype())));
      auto labels = expand(inputs_[i], static_cast<int64_t>(t.shape().size()), "operand " + std::to_string(i));
      if (!labels) return labels.status();
      ellipsis_rank = std::max<int64_t>(ellipsis_rank, static_cast<int64_t>(t.shape().size()) -
                                                          static_cast<int64_t>(inputs_[i].labels.size()));
      ops.push_back({std::move(labels.value()), std::move(t)});
    }
    std::vector<int> out_labels = expand_output(ellipsis_rank);
    std::map<int, int64_t> dims;
    for (const Operand& op : ops) {
      for (size_t d = 0; d < op.labels.size(); ++d) {
        const int64_t size = op.tensor.shape()[d];
        auto [it, inserted] = dims.emplace(op.labels[d], size);
        if (!inserted && it->second != size) {
          if (it->second == 1) {
            it->second = size;
          } else if (size != 1) {
            return invalid("label '" + label_name(op.labels[d]) + "' has sizes " + std::to_string(it->second) + " and " +
                           std::to_string(size));
          }
        }
      }
    }
    for (int label : out_labels) {
      if (!dims.count(label)) return invalid("output label '" + label_name(label) + "' is in no operand");
    }
    // Per operand: the diagonal of repeated labels, then the labels nobody else needs summed out.
    for (size_t i = 0; i < ops.size(); ++i) {
      std::set<int> needed(out_labels.begin(), out_labels.end());
      for (size_t j = 0; j < ops.size(); ++j) {
        if (j != i) needed.insert(ops[j].labels.begin(), ops[j].labels.end());
      }
      reduce_operand(ctx.arena, ops[i], needed);
    }
    Operand result = ops.size() == 1 ? std::move(ops[0]) : contract(ctx.arena, ops[0], ops[1], out_labels, dims);
    if (!result.tensor.data() && result.tensor.size() > 0) return error(Errc::internal, "Einsum product failed");
    // The result's labels in the output's order (a label of size 1 broadcast in only one operand may be
    // missing from the result's shape: it is 1 then).
    std::vector<int64_t> shape, strides;
    const auto src_strides = contiguous_strides(result.tensor.shape());
    for (int label : out_labels) {
      shape.push_back(dims[label]);
      auto at = std::find(result.labels.begin(), result.labels.end(), label);
      strides.push_back(at == result.labels.end() || result.tensor.shape()[at - result.labels.begin()] == 1
                            ? 0
                            : src_strides[at - result.labels.begin()]);
    }
    Tensor y = ctx.arena.allocate(DType::float32, shape);
    gather_strided(result.tensor, 0, strides, y);
    out[0] = Value{std::move(y), false};
    return {};
  }

 private:
  static constexpr int kEllipsis = 1000;  // ellipsis dimension i (from the right) has label kEllipsis + i

  struct Term {
    std::vector<int> labels;  // letters as their char codes
    int ellipsis = -1;        // position of "..." among the labels, -1 when absent
  };
  struct Operand {
    std::vector<int> labels;
    Tensor tensor;
  };

  static Result<Term> parse_term(const std::string& text) {
    Term t;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '.') {
        if (text.compare(i, 3, "...") != 0 || t.ellipsis >= 0) return invalid("malformed Einsum term '" + text + "'");
        t.ellipsis = static_cast<int>(t.labels.size());
        i += 2;
      } else if (std::isalpha(static_cast<unsigned char>(c))) {
        t.labels.push_back(c);
      } else {
        return invalid("Einsum term '" + text + "' has '" + std::string(1, c) + "', which is not a letter");
      }
    }
    return t;
  }

  static std::string label_name(int label) {
    return label >= kEllipsis ? "..." + std::to_string(label - kEllipsis) : std::string(1, static_cast<char>(label));
  }

  // The term's labels for an operand of this rank, the ellipsis expanded.
  static Result<std::vector<int>> expand(const Term& t, int64_t rank, const std::string& what) {
    const int64_t named = static_cast<int64_t>(t.labels.size());
    if (t.ellipsis < 0 ? rank != named : rank < named) {
      return invalid(what + " has rank " + std::to_string(rank) + " but its Einsum term names " + std::to_string(named) +
                     " dimensions");
    }
    std::vector<int> labels(t.labels.begin(), t.labels.end());
    if (t.ellipsis >= 0) {
      std::vector<int> dots;
      for (int64_t i = rank - named; i-- > 0;) dots.push_back(kEllipsis + static_cast<int>(i));
      labels.insert(labels.begin() + t.ellipsis, dots.begin(), dots.end());
    }
    return labels;
  }

  std::vector<int> expand_output(int64_t ellipsis_rank) const {
    std::vector<int> labels(output_.labels.begin(), output_.labels.end());
    if (output_.ellipsis >= 0) {
      std::vector<int> dots;
      for (int64_t i = ellipsis_rank; i-- > 0;) dots.push_back(kEllipsis + static_cast<int>(i));
      labels.insert(labels.begin() + output_.ellipsis, dots.begin(), dots.end());
    }
    return labels;
  }

  // The operand with each repeated label read once along its diagonal, and the labels not in `needed`
  // summed out.
  static void reduce_operand(Arena& arena, Operand& op, const std::set<int>& needed) {
    const auto& shape = op.tensor.shape();
    const auto strides = contiguous_strides(shape);
    std::vector<int> kept, summed;
    std::map<int, std::pair<int64_t, int64_t>> dim;  // label -> (size, summed stride)
    for (size_t d = 0; d < op.labels.size(); ++d) {
      auto [it, inserted] = dim.emplace(op.labels[d], std::pair<int64_t, int64_t>{shape[d], 0});
      it->second.second += strides[d];
      if (inserted) (needed.count(op.labels[d]) ? kept : summed).push_back(op.labels[d]);
    }
    if (kept.size() + summed.size() == op.labels.size() && summed.empty()) return;  // nothing to do
    std::vector<int64_t> view_shape, view_strides;
    for (int label : kept) {
      view_shape.push_back(dim[label].first);
      view_strides.push_back(dim[label].second);
    }
    int64_t inner = 1;
    for (int label : summed) {
      view_shape.push_back(dim[label].first);
      view_strides.push_back(dim[label].second);
      inner *= dim[label].first;
    }
    Tensor view = arena.allocate(DType::float32, view_shape);
    gather_strided(op.tensor, 0, view_strides, view);
    std::vector<int64_t> kept_shape(view_shape.begin(), view_shape.begin() + static_cast<int64_t>(kept.size()));
    Tensor reduced = arena.allocate(DType::float32, kept_shape);
    const float* src = view.data_as<float>();
    float* dst = reduced.mutable_data_as<float>();
    for (int64_t i = 0, outer = reduced.size(); i < outer; ++i) {
      float sum = 0;
      for (int64_t j = 0; j < inner; ++j) sum += src[i * inner + j];
      dst[i] = sum;
    }
    arena.release(std::move(view));
    op = Operand{kept, std::move(reduced)};
  }

  // A (labels batch, free_a, contracted in some order) times B: the batched product, labelled
  // [batch..., free_a..., free_b...].
  static Operand contract(Arena& arena, const Operand& a, const Operand& b, const std::vector<int>& out,
                          const std::map<int, int64_t>& dims) {
    auto has = [](const std::vector<int>& v, int label) { return std::find(v.begin(), v.end(), label) != v.end(); };
    std::vector<int> batch, contracted, free_a, free_b;
    for (int label : a.labels) {
      if (has(b.labels, label)) {
        (has(out, label) ? batch : contracted).push_back(label);
      } else {
        free_a.push_back(label);
      }
    }
    for (int label : b.labels) {
      if (!has(a.labels, label)) free_b.push_back(label);
    }
    auto size_of = [&](const std::vector<int>& labels) {
      int64_t n = 1;
      for (int label : labels) n *= dims.at(label);
      return n;
    };
    const int64_t batches = size_of(batch), m = size_of(free_a), n = size_of(free_b), k = size_of(contracted);
    // Each operand as a batch of matrices: in place when its labels are [batch, rows, cols] or
    // [batch, cols, rows] already (the GEMM transposes), else gathered into [batch, rows, cols].
    auto layout = [&](const Operand& op, const std::vector<int>& rows, const std::vector<int>& cols, Tensor& storage,
                      bool& transposed) -> const float* {
      auto concat = [](std::vector<int> x, const std::vector<int>& y) {
        x.insert(x.end(), y.begin(), y.end());
        return x;
      };
      const bool full = op.tensor.size() == size_of(op.labels);  // no size-1 dimension left to broadcast
      if (full && op.labels == concat(concat(batch, rows), cols)) {
        transposed = false;
        return op.tensor.data_as<float>();
      }
      if (full && op.labels == concat(concat(batch, cols), rows)) {
        transposed = true;
        return op.tensor.data_as<float>();
      }
      const auto order = concat(concat(batch, rows), cols);
      const auto strides = contiguous_strides(op.tensor.shape());
      std::vector<int64_t> shape, read;
      for (int label : order) {
        shape.push_back(dims.at(label));
        const size_t d = std::find(op.labels.begin(), op.labels.end(), label) - op.labels.begin();
        read.push_back(op.tensor.shape()[d] == 1 ? 0 : strides[d]);  // size 1: broadcast
      }
      storage = arena.allocate(DType::float32, shape);
      gather_strided(op.tensor, 0, read, storage);
      transposed = false;
      return storage.data_as<float>();
    };
    Tensor a_storage, b_storage;
    bool ta = false, tb = false;
    const float* pa = layout(a, free_a, contracted, a_storage, ta);
    const float* pb = layout(b, contracted, free_b, b_storage, tb);
    std::vector<int64_t> shape;
    std::vector<int> labels = batch;
    labels.insert(labels.end(), free_a.begin(), free_a.end());
    labels.insert(labels.end(), free_b.begin(), free_b.end());
    for (int label : labels) shape.push_back(dims.at(label));
    Tensor y = arena.allocate(DType::float32, shape);
    for (int64_t p = 0; p < batches; ++p) {
      Status s = gemm(Layout::row_major, ta ? Trans::yes : Trans::no, tb ? Trans::yes : Trans::no, m, n, k, 1.0f,
                      pa + p * m * k, ta ? m : k, pb + p * k * n, tb ? k : n, 0.0f, y.mutable_data_as<float>() + p * m * n,
                      n);
      if (!s) return Operand{labels, Tensor{}};
    }
    if (a_storage.data()) arena.release(std::move(a_storage));
    if (b_storage.data()) arena.release(std::move(b_storage));
    return Operand{labels, std::move(y)};
  }

  std::vector<Term> inputs_;
  Term output_;
  std::string equation_;
};

KernelResult make_einsum(const NodeSpec& spec) {
  Attributes attrs(spec.node);
  const std::string equation = attrs.get_string("equation", "");
  if (Status s = attrs.check_all_used(); !s) return s;
  if (equation.empty()) return invalid("Einsum needs its equation attribute");
  auto kernel = EinsumKernel::parse(equation);
  if (!kernel) return kernel.status();
  return std::unique_ptr<Kernel>(std::move(kernel.value()));
}

}  // namespace

void register_matmul_kernels(std::map<std::string, KernelMaker>& makers) {
  makers["Gemm"] = make_gemm;
  makers["MatMul"] = make_matmul;
  makers["Einsum"] = make_einsum;
}

}  // namespace armory::nn
