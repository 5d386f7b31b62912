#include "nn/onnx_model.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "common/large_buffer.h"
#include "nn/protobuf.h"

namespace armory::nn {

namespace {

// ONNX TensorProto.DataType codes armory computes in.
constexpr int64_t kOnnxFloat = 1;
constexpr int64_t kOnnxInt64 = 7;
constexpr int64_t kOnnxBool = 9;

// The element types armory reads; the message when another one comes.
bool dtype_of(int64_t onnx_type, DType& dtype) {
  switch (onnx_type) {
    case kOnnxFloat: dtype = DType::float32; return true;
    case kOnnxInt64: dtype = DType::int64; return true;
    case kOnnxBool: dtype = DType::boolean; return true;
    default: return false;
  }
}
constexpr const char* kSupportedTypes = "; armory supports FLOAT, INT64 and BOOL";
constexpr int64_t kMaxOpset = 17;
constexpr int64_t kMinOpset = 7;

Status malformed(const std::string& what, const WireReader& reader) {
  return error(Errc::parse_error, what + ": " + (reader.error().empty() ? "malformed" : reader.error()));
}

bool expect(const Field& f, WireType type) { return f.type == type; }

Status wrong_type(const char* message, uint32_t number) {
  return error(Errc::parse_error, std::string(message) + ": field " + std::to_string(number) + " has the wrong wire type");
}

float float_from_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Repeated scalar fields may come packed (one length-delimited field) or one value per field.
Status add_varints(const Field& f, std::vector<int64_t>& out, const char* message) {
  if (f.type == WireType::varint) {
    out.push_back(static_cast<int64_t>(f.scalar));
    return {};
  }
  if (f.type == WireType::length_delimited &&
      for_each_packed_varint(f.bytes, [&](uint64_t v) { out.push_back(static_cast<int64_t>(v)); })) {
    return {};
  }
  return wrong_type(message, f.number);
}

Status add_floats(const Field& f, std::vector<float>& out, const char* message) {
  if (f.type == WireType::fixed32) {
    out.push_back(float_from_bits(static_cast<uint32_t>(f.scalar)));
    return {};
  }
  if (f.type == WireType::length_delimited &&
      for_each_packed_fixed32(f.bytes, [&](uint32_t v) { out.push_back(float_from_bits(v)); })) {
    return {};
  }
  return wrong_type(message, f.number);
}

struct ExternalData {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
};

Result<std::string> read_external(const ExternalData& ext, const std::string& base_dir, const std::string& tensor) {
  namespace fs = std::filesystem;
  fs::path rel(ext.location);
  if (ext.location.empty() || rel.is_absolute()) {
    return error(Errc::parse_error, "tensor '" + tensor + "': external data location '" + ext.location +
                                        "' must be a relative path");
  }
  for (const auto& part : rel) {
    if (part == "..") {
      return error(Errc::parse_error, "tensor '" + tensor + "': external data location '" + ext.location +
                                          "' leaves the model's folder");
    }
  }
  fs::path file = fs::path(base_dir) / rel;
  std::ifstream in(file, std::ios::binary);
  if (!in) return error(Errc::not_found, "tensor '" + tensor + "': cannot open external data file " + file.string());
  in.seekg(0, std::ios::end);
  int64_t size = static_cast<int64_t>(in.tellg());
  int64_t length = ext.length < 0 ? size - ext.offset : ext.length;
  if (ext.offset < 0 || ext.offset > size || length < 0 || length > size - ext.offset) {
    return error(Errc::parse_error, "tensor '" + tensor + "': external data range [" + std::to_string(ext.offset) +
                                        ", +" + std::to_string(length) + ") is outside " + file.string() + " (" +
                                        std::to_string(size) + " bytes)");
  }
  std::string data(static_cast<size_t>(length), '\0');
  in.seekg(ext.offset);
  in.read(data.data(), length);
  if (!in) return error(Errc::io_error, "tensor '" + tensor + "': reading " + file.string() + " failed");
  return data;
}

Result<NamedTensor> decode_tensor(std::string_view bytes, const std::string& base_dir) {
  std::vector<int64_t> dims;
  int64_t data_type = 0;
  std::string name;
  std::string_view raw;
  bool has_raw = false;
  std::vector<float> float_data;
  std::vector<int64_t> int64_data;
  std::vector<int64_t> int32_data;
  bool external = false;
  ExternalData ext;

  WireReader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        if (Status s = add_varints(f, dims, "TensorProto.dims"); !s) return s;
        break;
      case 2:
        if (!expect(f, WireType::varint)) return wrong_type("TensorProto.data_type", f.number);
        data_type = static_cast<int64_t>(f.scalar);
        break;
      case 4:
        if (Status s = add_floats(f, float_data, "TensorProto.float_data"); !s) return s;
        break;
      case 5:
        if (Status s = add_varints(f, int32_data, "TensorProto.int32_data"); !s) return s;
        break;
      case 7:
        if (Status s = add_varints(f, int64_data, "TensorProto.int64_data"); !s) return s;
        break;
      case 8:
        if (!expect(f, WireType::length_delimited)) return wrong_type("TensorProto.name", f.number);
        name = std::string(f.bytes);
        break;
      case 9:
        if (!expect(f, WireType::length_delimited)) return wrong_type("TensorProto.raw_data", f.number);
        raw = f.bytes;
        has_raw = true;
        break;
      case 13: {
        if (!expect(f, WireType::length_delimited)) return wrong_type("TensorProto.external_data", f.number);
        std::string key, value;
        WireReader entry(f.bytes);
        Field e;
        while (entry.next(e)) {
          if (e.type != WireType::length_delimited) continue;
          if (e.number == 1) key = std::string(e.bytes);
          if (e.number == 2) value = std::string(e.bytes);
        }
        if (!entry.error().empty()) return malformed("TensorProto.external_data", entry);
        try {
          if (key == "location") ext.location = value;
          if (key == "offset") ext.offset = std::stoll(value);
          if (key == "length") ext.length = std::stoll(value);
        } catch (const std::exception&) {
          return error(Errc::parse_error, "tensor '" + name + "': external data " + key + " '" + value +
                                              "' is not a number");
        }
        break;
      }
      case 14:
        external = f.type == WireType::varint && f.scalar == 1;
        break;
      default:
        break;  // segment, string/double/uint64 data, doc_string
    }
  }
  if (!reader.error().empty()) return malformed("TensorProto", reader);

  DType dtype;
  if (!dtype_of(data_type, dtype)) {
    return error(Errc::unsupported, "tensor '" + name + "' has data type " + onnx_type_name(data_type) + kSupportedTypes);
  }
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d > 0 && count > std::numeric_limits<int64_t>::max() / 8 / d)) {
      return error(Errc::parse_error, "tensor '" + name + "' has invalid dims " + shape_string(dims));
    }
    count *= d;
  }

  std::string external_bytes;
  if (external) {
    auto data = read_external(ext, base_dir, name);
    if (!data) return data.status();
    external_bytes = std::move(data.value());
    raw = external_bytes;
    has_raw = true;
  }

  const size_t want = static_cast<size_t>(count) * dtype_size(dtype);
  // Without raw data, bools come one per int32_data entry.
  size_t have = has_raw                      ? raw.size()
                : dtype == DType::float32    ? float_data.size() * 4
                : dtype == DType::boolean    ? int32_data.size()
                                             : int64_data.size() * 8;
  if (have != want) {
    return error(Errc::parse_error, "tensor '" + name + "' " + shape_string(dims) + " needs " + std::to_string(want) +
                                        " bytes of data, has " + std::to_string(have));
  }
  // Checked before allocating: a corrupt dims field must not ask for terabytes. Written here once and read
  // once or twice as the session folds and packs it: base pages (common/large_buffer.h).
  std::shared_ptr<void> storage = allocate_array(want, PageSize::base);
  if (storage == nullptr) throw std::bad_alloc();
  Tensor t = Tensor::adopt(dtype, dims, std::move(storage));
  if (want > 0 && dtype == DType::boolean && !has_raw) {
    for (size_t i = 0; i < want; ++i) t.mutable_data_as<uint8_t>()[i] = int32_data[i] != 0;
  } else if (want > 0) {
    const void* src = has_raw ? static_cast<const void*>(raw.data())  // little-endian, as ONNX stores it
                      : dtype == DType::float32 ? static_cast<const void*>(float_data.data())
                                                : static_cast<const void*>(int64_data.data());
    std::memcpy(t.mutable_data(), src, want);
    if (dtype == DType::boolean) {
      for (size_t i = 0; i < want; ++i) t.mutable_data_as<uint8_t>()[i] = t.mutable_data_as<uint8_t>()[i] != 0;
    }
  }
  return NamedTensor{name, std::move(t)};
}

Result<Attribute> decode_attribute(std::string_view bytes, const std::string& base_dir) {
  Attribute a;
  bool has_graph = false;
  WireReader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        if (!expect(f, WireType::length_delimited)) return wrong_type("AttributeProto.name", f.number);
        a.name = std::string(f.bytes);
        break;
      case 2:
        if (!expect(f, WireType::fixed32)) return wrong_type("AttributeProto.f", f.number);
        a.f = float_from_bits(static_cast<uint32_t>(f.scalar));
        break;
      case 3:
        if (!expect(f, WireType::varint)) return wrong_type("AttributeProto.i", f.number);
        a.i = static_cast<int64_t>(f.scalar);
        break;
      case 4:
        if (!expect(f, WireType::length_delimited)) return wrong_type("AttributeProto.s", f.number);
        a.s = std::string(f.bytes);
        break;
      case 5: {
        if (!expect(f, WireType::length_delimited)) return wrong_type("AttributeProto.t", f.number);
        auto t = decode_tensor(f.bytes, base_dir);
        if (!t) return error(t.status().code(), "attribute '" + a.name + "': " + t.status().message());
        a.t = std::move(t->tensor);
        break;
      }
      case 6:
        has_graph = true;
        break;
      case 7:
        if (Status s = add_floats(f, a.floats, "AttributeProto.floats"); !s) return s;
        break;
      case 8:
        if (Status s = add_varints(f, a.ints, "AttributeProto.ints"); !s) return s;
        break;
      case 9:
        if (!expect(f, WireType::length_delimited)) return wrong_type("AttributeProto.strings", f.number);
        a.strings.emplace_back(f.bytes);
        break;
      case 20:
        if (!expect(f, WireType::varint)) return wrong_type("AttributeProto.type", f.number);
        a.type = static_cast<AttributeType>(f.scalar);
        break;
      default:
        break;
    }
  }
  if (!reader.error().empty()) return malformed("AttributeProto", reader);
  if (has_graph && a.type == AttributeType::undefined) a.type = AttributeType::graph;
  return a;
}

Result<NodeProto> decode_node(std::string_view bytes, const std::string& base_dir) {
  NodeProto n;
  WireReader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number > 7) continue;
    if (!expect(f, WireType::length_delimited)) return wrong_type("NodeProto", f.number);
    switch (f.number) {
      case 1: n.inputs.emplace_back(f.bytes); break;
      case 2: n.outputs.emplace_back(f.bytes); break;
      case 3: n.name = std::string(f.bytes); break;
      case 4: n.op_type = std::string(f.bytes); break;
      case 5: {
        auto a = decode_attribute(f.bytes, base_dir);
        if (!a) {
          std::string who = n.name.empty() ? "a " + n.op_type + " node" : "node '" + n.name + "' (" + n.op_type + ")";
          return error(a.status().code(), who + ": " + a.status().message());
        }
        n.attributes.push_back(std::move(a.value()));
        break;
      }
      case 7: n.domain = std::string(f.bytes); break;
      default: break;
    }
  }
  if (!reader.error().empty()) return malformed("NodeProto '" + n.name + "'", reader);
  return n;
}

Result<ValueInfo> decode_value_info(std::string_view bytes) {
  ValueInfo v;
  int64_t elem_type = 0;
  WireReader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.number == 1 && f.type == WireType::length_delimited) v.name = std::string(f.bytes);
    if (f.number != 2 || f.type != WireType::length_delimited) continue;
    WireReader type(f.bytes);  // TypeProto
    Field tf;
    while (type.next(tf)) {
      if (tf.number != 1 || tf.type != WireType::length_delimited) continue;  // only tensor_type
      WireReader tensor(tf.bytes);
      Field ttf;
      while (tensor.next(ttf)) {
        if (ttf.number == 1 && ttf.type == WireType::varint) elem_type = static_cast<int64_t>(ttf.scalar);
        if (ttf.number != 2 || ttf.type != WireType::length_delimited) continue;
        WireReader shape(ttf.bytes);
        Field sf;
        while (shape.next(sf)) {
          if (sf.number != 1 || sf.type != WireType::length_delimited) continue;
          int64_t dim = -1;
          std::string param;
          WireReader d(sf.bytes);
          Field df;
          while (d.next(df)) {
            if (df.number == 1 && df.type == WireType::varint) dim = static_cast<int64_t>(df.scalar);
            if (df.number == 2 && df.type == WireType::length_delimited) param = std::string(df.bytes);
          }
          if (!d.error().empty()) return malformed("TensorShapeProto.Dimension", d);
          v.shape.push_back(dim);
          v.dim_names.push_back(param);
        }
        if (!shape.error().empty()) return malformed("TensorShapeProto", shape);
      }
      if (!tensor.error().empty()) return malformed("TypeProto.Tensor", tensor);
    }
    if (!type.error().empty()) return malformed("TypeProto", type);
  }
  if (!reader.error().empty()) return malformed("ValueInfoProto", reader);
  if (!dtype_of(elem_type, v.dtype)) {
    return error(Errc::unsupported, "value '" + v.name + "' has element type " + onnx_type_name(elem_type) + kSupportedTypes);
  }
  return v;
}

Result<GraphProto> decode_graph(std::string_view bytes, const std::string& base_dir) {
  GraphProto g;
  WireReader reader(bytes);
  Field f;
  while (reader.next(f)) {
    if (f.type != WireType::length_delimited) continue;
    switch (f.number) {
      case 1: {
        auto n = decode_node(f.bytes, base_dir);
        if (!n) return n.status();
        g.nodes.push_back(std::move(n.value()));
        break;
      }
      case 2: g.name = std::string(f.bytes); break;
      case 5: {
        auto t = decode_tensor(f.bytes, base_dir);
        if (!t) return error(t.status().code(), "initializer: " + t.status().message());
        g.initializers.push_back(std::move(t.value()));
        break;
      }
      case 11:
      case 12: {
        auto v = decode_value_info(f.bytes);
        if (!v) return error(v.status().code(), std::string(f.number == 11 ? "graph input: " : "graph output: ") +
                                                    v.status().message());
        (f.number == 11 ? g.inputs : g.outputs).push_back(std::move(v.value()));
        break;
      }
      case 15:
        return error(Errc::unsupported, "sparse initializers are not supported");
      default:
        break;
    }
  }
  if (!reader.error().empty()) return malformed("GraphProto", reader);
  return g;
}

}  // namespace

const Attribute* NodeProto::attribute(std::string_view attr_name) const {
  for (const auto& a : attributes) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

std::string onnx_type_name(int64_t code) {
  static const char* const names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
                                      "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
                                      "COMPLEX128", "BFLOAT16"};
  if (code >= 0 && code < static_cast<int64_t>(std::size(names))) return names[code];
  return "type " + std::to_string(code);
}

Result<NamedTensor> parse_tensor(std::string_view bytes, const std::string& base_dir) {
  return decode_tensor(bytes, base_dir);
}

Result<ModelProto> parse_model(std::string_view bytes, const std::string& base_dir) {
  ModelProto m;
  bool has_graph = false;
  std::string other_domains;
  WireReader reader(bytes);
  Field f;
  while (reader.next(f)) {
    switch (f.number) {
      case 1:
        if (!expect(f, WireType::varint)) return wrong_type("ModelProto.ir_version", f.number);
        m.ir_version = static_cast<int64_t>(f.scalar);
        break;
      case 2:
        if (f.type == WireType::length_delimited) m.producer = std::string(f.bytes);
        break;
      case 7: {
        if (!expect(f, WireType::length_delimited)) return wrong_type("ModelProto.graph", f.number);
        auto g = decode_graph(f.bytes, base_dir);
        if (!g) return g.status();
        m.graph = std::move(g.value());
        has_graph = true;
        break;
      }
      case 8: {
        if (!expect(f, WireType::length_delimited)) return wrong_type("ModelProto.opset_import", f.number);
        std::string domain;
        int64_t version = 0;
        WireReader op(f.bytes);
        Field of;
        while (op.next(of)) {
          if (of.number == 1 && of.type == WireType::length_delimited) domain = std::string(of.bytes);
          if (of.number == 2 && of.type == WireType::varint) version = static_cast<int64_t>(of.scalar);
        }
        if (!op.error().empty()) return malformed("OperatorSetIdProto", op);
        if (domain.empty() || domain == "ai.onnx") {
          m.opset = version;
        } else {
          other_domains += (other_domains.empty() ? "" : ", ") + domain;
        }
        break;
      }
      default:
        break;
    }
  }
  if (!reader.error().empty()) return malformed("ModelProto (not an ONNX model, or truncated)", reader);
  if (!has_graph) return error(Errc::parse_error, "the file has no graph: not an ONNX model, or truncated");
  if (m.opset == 0 && !other_domains.empty()) {
    return error(Errc::unsupported, "the model imports only operator domains armory does not support (" + other_domains + ")");
  }
  if (m.opset == 0) return error(Errc::parse_error, "the model imports no ai.onnx opset");
  if (m.opset < kMinOpset || m.opset > kMaxOpset) {
    return error(Errc::unsupported, "the model uses opset " + std::to_string(m.opset) + "; armory reads opsets " +
                                        std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset));
  }
  return m;
}

}  // namespace armory::nn
