// armory._armory: the C++ side of the Python package. NumPy arrays are read in place and results are
// written straight into arrays that own their memory; the GIL is released around every computation; every
// error becomes a Python exception with armory's message.
#include <armory/cpu.h>
#include <armory/doctor.h>
#include <armory/gemm.h>
#include <armory/isa.h>
#include <armory/memory.h>
#include <armory/nn.h>
#include <armory/svd.h>
#include <armory/version.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

// How a 2-D array sits in memory, as the GEMM engine sees it in a given layout: transposed or not, with
// which leading dimension. Arrays whose two strides are both non-unit cannot be read in place.
struct Operand {
  armory::Trans trans;
  int64_t ld;
};

// Record of the buffers the last matmul on this thread handed to the engine, so the tests can prove
// that nothing was copied. Plain integers: a Python object here would outlive the interpreter.
struct LastOperands {
  uintptr_t a = 0, b = 0, out = 0;
};
thread_local LastOperands tl_last_operands;
// The same for the last InferenceSession.run on this thread: where each input the engine read lives.
thread_local std::vector<uintptr_t> tl_last_session_inputs;

std::optional<Operand> as_operand(const py::array& a, armory::Layout layout) {
  const int64_t item = a.itemsize();
  const int64_t rows = a.shape(0), cols = a.shape(1);
  const int64_t s0 = a.strides(0), s1 = a.strides(1);
  if (s0 % item != 0 || s1 % item != 0) return std::nullopt;
  // Row-major-like: unit stride along a row (any stride for a single column).
  const bool row_like = (s1 == item || cols == 1) && s0 >= std::max<int64_t>(1, cols) * item;
  const bool col_like = (s0 == item || rows == 1) && s1 >= std::max<int64_t>(1, rows) * item;
  if (layout == armory::Layout::row_major) {
    if (row_like) return Operand{armory::Trans::no, s0 / item};
    if (col_like) return Operand{armory::Trans::yes, s1 / item};
  } else {
    if (col_like) return Operand{armory::Trans::no, s1 / item};
    if (row_like) return Operand{armory::Trans::yes, s0 / item};
  }
  return std::nullopt;
}

[[noreturn]] void raise_memory_error(const std::string& message) {
  PyErr_SetString(PyExc_MemoryError, message.c_str());
  throw py::error_already_set();
}

[[noreturn]] void raise_status(const armory::Status& status) {
  if (status.code() == armory::Errc::invalid_argument) throw py::value_error(status.message());
  if (status.code() == armory::Errc::unsupported) {
    PyErr_SetString(PyExc_NotImplementedError, status.message().c_str());
    throw py::error_already_set();
  }
  if (status.code() == armory::Errc::not_found) {
    PyErr_SetString(PyExc_FileNotFoundError, status.message().c_str());
    throw py::error_already_set();
  }
  if (status.code() == armory::Errc::out_of_memory) raise_memory_error(status.message());
  throw std::runtime_error(status.message());
}

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// The bytes an array's elements span, first to one past the last (any strides).
std::pair<uintptr_t, uintptr_t> byte_extent(const py::array& a) {
  auto first = reinterpret_cast<uintptr_t>(a.data()), last = first;
  for (py::ssize_t i = 0; i < a.ndim(); ++i) {
    if (a.shape(i) == 0) return {first, first};
    const auto reach = static_cast<intptr_t>(a.strides(i)) * static_cast<intptr_t>(a.shape(i) - 1);
    (reach < 0 ? first : last) += static_cast<uintptr_t>(reach);
  }
  return {first, last + static_cast<uintptr_t>(a.itemsize())};
}

bool may_overlap(const py::array& x, const py::array& y) {
  const auto [x0, x1] = byte_extent(x);
  const auto [y0, y1] = byte_extent(y);
  return x0 < y1 && y0 < x1;
}

template <class T>
py::array matmul_typed(py::array a, py::array b, std::optional<py::array> out, armory::FpMath fpmath, bool a_vector,
                       bool b_vector) {
  const int64_t m = a.shape(0), k = a.shape(1), n = b.shape(1);
  // The array handed back: out itself, or the new result with numpy's vector dimensions removed.
  auto finish = [&](const py::array& result) -> py::array {
    if (out) return *out;
    if (a_vector && b_vector) return result.attr("reshape")(py::tuple());
    if (a_vector) return result.attr("reshape")(n);
    if (b_vector) return result.attr("reshape")(m);
    return result;
  };
  py::array result;
  if (out) {
    result = *out;
    if (!result.dtype().is(py::dtype::of<T>())) {
      throw py::type_error("out has dtype " + py::str(result.dtype()).cast<std::string>() + ", the result is " +
                           py::str(py::dtype::of<T>()).cast<std::string>());
    }
    const int64_t want_rows = a_vector ? 1 : m, want_cols = b_vector ? 1 : n;
    const bool shape_ok = (result.ndim() == 2 && result.shape(0) == want_rows && result.shape(1) == want_cols) ||
                          (result.ndim() == 1 && (a_vector || b_vector) && result.shape(0) == (a_vector ? n : m));
    if (!shape_ok) {
      const std::string product = a_vector && b_vector ? "()"
                                  : a_vector           ? "(" + std::to_string(n) + ",)"
                                  : b_vector           ? "(" + std::to_string(m) + ",)"
                                                       : "(" + std::to_string(m) + ", " + std::to_string(n) + ")";
      throw py::value_error("out has shape " + shape_text(result) + ", the product's is " + product);
    }
    if (!result.writeable()) throw py::value_error("out is read-only");
    if (result.ndim() == 1) result = result.attr("reshape")(m, n);
  } else {
    result = py::array_t<T>({m, n});
  }
  const bool c_order = (result.flags() & py::array::c_style) != 0;
  const bool f_order = (result.flags() & py::array::f_style) != 0;
  if (!c_order && !f_order) throw py::value_error("out must be C- or F-contiguous");
  const armory::Layout layout = c_order ? armory::Layout::row_major : armory::Layout::col_major;
  if (m == 0 || n == 0 || k == 0) {  // empty arrays have arbitrary strides; the product is all zeros
    result.attr("fill")(0);
    return finish(result);
  }
  const auto op_a = as_operand(a, layout), op_b = as_operand(b, layout);
  if (!op_a || !op_b) {
    throw py::value_error(std::string("armory.matmul reads arrays in place and needs one unit stride: ") +
                          (op_a ? "b" : "a") + " is strided in both dimensions; pass np.ascontiguousarray(...) of it");
  }
  // An out that shares memory with a or b would be written while they are still read (numpy's matmul gives
  // the right product there too): the product goes to a new array first, then into out.
  if (out && (may_overlap(result, a) || may_overlap(result, b))) {
    py::array product = matmul_typed<T>(a, b, std::nullopt, fpmath, false, false);
    result.attr("__setitem__")(py::ellipsis(), product);
    return finish(result);
  }
  const T* pa = static_cast<const T*>(a.data());
  const T* pb = static_cast<const T*>(b.data());
  T* pc = static_cast<T*>(result.mutable_data());
  const int64_t ldc = layout == armory::Layout::row_major ? std::max<int64_t>(1, n) : std::max<int64_t>(1, m);
  tl_last_operands = {reinterpret_cast<uintptr_t>(pa), reinterpret_cast<uintptr_t>(pb),
                      reinterpret_cast<uintptr_t>(pc)};
  armory::Status status;
  {
    py::gil_scoped_release release;
    if constexpr (std::is_same_v<T, float>) {
      armory::GemmOptions options;
      options.fpmath = fpmath;
      status = armory::gemm(layout, op_a->trans, op_b->trans, m, n, k, 1.0f, pa, op_a->ld, pb, op_b->ld, 0.0f, pc, ldc,
                            options);
    } else {
      status = armory::gemm(layout, op_a->trans, op_b->trans, m, n, k, 1.0, pa, op_a->ld, pb, op_b->ld, 0.0, pc, ldc);
    }
  }
  if (!status.ok()) raise_status(status);
  return finish(result);
}

py::array matmul(py::array a, py::array b, std::optional<py::array> out, const std::string& fpmath_name) {
  armory::FpMath fpmath;
  if (fpmath_name == "strict") {
    fpmath = armory::FpMath::strict;
  } else if (fpmath_name == "bf16") {
    fpmath = armory::FpMath::bf16;
  } else {
    throw py::value_error("fpmath must be \"strict\" or \"bf16\", got \"" + fpmath_name + "\"");
  }
  if (a.ndim() < 1 || a.ndim() > 2 || b.ndim() < 1 || b.ndim() > 2) {
    throw py::value_error("armory.matmul takes 1-D or 2-D arrays; got shapes " + shape_text(a) + " and " +
                          shape_text(b));
  }
  // Checked before the dtypes are compared: numpy's non-native dtypes are not its singletons, so two
  // big-endian float64 arrays would otherwise be told they differ.
  for (const auto& [name, array] : {std::pair{"a", &a}, std::pair{"b", &b}}) {
    if (!array->dtype().attr("isnative").cast<bool>()) {
      throw py::type_error(std::string("armory.matmul reads arrays in place, in this machine's byte order; ") + name +
                           " has dtype " + py::repr(array->dtype()).cast<std::string>() + ": pass " + name +
                           ".astype(" + name + ".dtype.newbyteorder('='))");
    }
  }
  if (!a.dtype().is(b.dtype())) {
    throw py::type_error("a and b must have the same dtype, got " + py::str(a.dtype()).cast<std::string>() + " and " +
                         py::str(b.dtype()).cast<std::string>());
  }
  // numpy's rules for vectors: a 1-D a is a row, a 1-D b a column, and the added dimension is removed after.
  const bool a_vector = a.ndim() == 1, b_vector = b.ndim() == 1;
  const std::string shapes = shape_text(a) + " @ " + shape_text(b);
  if (a_vector) a = a.attr("reshape")(1, a.shape(0));
  if (b_vector) b = b.attr("reshape")(b.shape(0), 1);
  if (a.shape(1) != b.shape(0)) {
    throw py::value_error("matmul: inner dimensions differ: " + shapes);
  }
  if (a.dtype().is(py::dtype::of<float>())) return matmul_typed<float>(a, b, out, fpmath, a_vector, b_vector);
  if (a.dtype().is(py::dtype::of<double>())) {
    if (fpmath == armory::FpMath::bf16) throw py::value_error("fpmath=\"bf16\" applies to float32 inputs only");
    return matmul_typed<double>(a, b, out, fpmath, a_vector, b_vector);
  }
  throw py::type_error("armory.matmul supports float32 and float64, got " + py::str(a.dtype()).cast<std::string>());
}

// numpy.linalg.LinAlgError with armory's message.
[[noreturn]] void raise_linalg_error(const std::string& message) {
  const py::object error = py::module_::import("numpy.linalg").attr("LinAlgError");
  PyErr_SetString(error.ptr(), message.c_str());
  throw py::error_already_set();
}

// A C-ordered array over `data`, which storage keeps alive for as long as numpy holds the array.
py::array array_over(const py::dtype& dtype, std::vector<py::ssize_t> shape, std::shared_ptr<void> storage,
                     const void* data) {
  auto* owner = new std::shared_ptr<void>(std::move(storage));
  py::capsule base(owner, [](void* p) { delete static_cast<std::shared_ptr<void>*>(p); });
  return py::array(dtype, std::move(shape), {}, data, base);
}

// A new C-ordered array in armory's memory (armory/memory.h): the SVD's results and its copy of the input
// are tens of MB, and numpy's fresh pages cost a fault each on every call (10000 x 500 float64 with thin
// vectors, 1 thread: up to 0.3 s of system time in some calls of ~0.6 s).
template <class T>
py::array_t<T> array_in_armory_memory(std::vector<py::ssize_t> shape) {
  double count = 1;  // in double: a product of huge sizes must not wrap to a small one
  for (py::ssize_t d : shape) count *= static_cast<double>(d);
  const double bytes = count * sizeof(T);
  std::shared_ptr<void> storage =
      bytes < 0x1p62 ? armory::allocate_array(static_cast<size_t>(bytes)) : std::shared_ptr<void>();
  if (storage == nullptr) {
    std::string dims;
    for (py::ssize_t d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    char size[32];
    std::snprintf(size, sizeof size, "%.3g GiB", bytes / 0x1p30);
    raise_memory_error(std::string("cannot allocate ") + size + " for an array of shape (" + dims +
                       (shape.size() == 1 ? ",)" : ")") + " and data type " +
                       py::str(py::dtype::of<T>()).cast<std::string>());
  }
  const void* data = storage.get();
  return py::array_t<T>(array_over(py::dtype::of<T>(), std::move(shape), std::move(storage), data));
}

// The SVD of a float array of matrices (..., M, N) with numpy.linalg.svd's contract. A C-ordered m x n array
// is, read column-major, A^T (n x m); its SVD A^T = U' S V'^T gives A = V' S U'^T, and the column-major V'^T
// and U' that armory writes are exactly the C-ordered U and V^H numpy returns: they are written straight into
// the result arrays. A stack goes to armory::svd_batch in one call, the GIL released: small matrices are
// shared among armory's threads, where a loop in Python paid a call per matrix.
template <class T>
py::object svd_typed(py::array a, bool full_matrices, bool compute_uv) {
  const py::ssize_t rank = a.ndim();
  const int64_t m = a.shape(rank - 2), n = a.shape(rank - 1), k = std::min(m, n);
  std::vector<py::ssize_t> stack(a.shape(), a.shape() + rank - 2);
  int64_t count = 1;
  for (py::ssize_t d : stack) count *= d;
  auto shape_of = [&stack](std::initializer_list<py::ssize_t> tail) {
    std::vector<py::ssize_t> shape = stack;
    shape.insert(shape.end(), tail);
    return shape;
  };
  py::array_t<T> work = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!work) throw py::type_error("svd: cannot read the input as a C-ordered float array");
  if (work.ptr() == a.ptr()) {  // svd overwrites its input: a copy, unless ensure() made one
    py::array_t<T> copy = array_in_armory_memory<T>(shape_of({m, n}));
    std::copy_n(work.data(), count * m * n, copy.mutable_data());
    work = copy;
  }
  py::array_t<T> s(shape_of({k}));
  const armory::SvdVectors vectors = !compute_uv     ? armory::SvdVectors::none
                                     : full_matrices ? armory::SvdVectors::full
                                                     : armory::SvdVectors::thin;
  const int64_t ucols = full_matrices ? m : k, vrows = full_matrices ? n : k;
  py::array_t<T> u, vh;
  if (compute_uv) {
    u = array_in_armory_memory<T>(shape_of({m, ucols}));
    vh = array_in_armory_memory<T>(shape_of({vrows, n}));
  }
  armory::Status status;
  {
    py::gil_scoped_release release;
    T* const vh_data = compute_uv ? vh.mutable_data() : nullptr;
    T* const u_data = compute_uv ? u.mutable_data() : nullptr;
    if (rank == 2) {
      status = armory::svd(vectors, n, m, work.mutable_data(), std::max<int64_t>(1, n), s.mutable_data(), vh_data,
                           std::max<int64_t>(1, n), u_data, std::max<int64_t>(1, ucols));
    } else {
      status = armory::svd_batch(vectors, count, n, m, work.mutable_data(), std::max<int64_t>(1, n), m * n,
                                 s.mutable_data(), k, vh_data, std::max<int64_t>(1, n), vrows * n, u_data,
                                 std::max<int64_t>(1, ucols), m * ucols);
    }
  }
  if (!status.ok()) {
    if (status.code() == armory::Errc::invalid_argument && status.message().find("NaN") == std::string::npos) {
      raise_status(status);
    }
    raise_linalg_error(status.message());
  }
  if (!compute_uv) return s;
  return py::make_tuple(u, s, vh);
}

py::object svd(py::array a, bool full_matrices, bool compute_uv) {
  if (a.ndim() < 2) {
    throw py::value_error("svd takes an array of at least 2 dimensions (a matrix or a stack of them); got shape " +
                          shape_text(a));
  }
  const char kind = a.dtype().kind();
  if (kind == 'c') throw py::type_error("armory.svd does not support complex arrays yet");
  if (a.dtype().is(py::dtype::of<float>())) return svd_typed<float>(a, full_matrices, compute_uv);
  if (kind == 'f' || kind == 'i' || kind == 'u' || kind == 'b') return svd_typed<double>(a, full_matrices, compute_uv);
  throw py::type_error("armory.svd supports real arrays, got " + py::str(a.dtype()).cast<std::string>());
}

py::dict cpu_info() {
  const armory::CpuInfo& cpu = armory::host_cpu();
  py::dict d;
  d["arch"] = std::string(armory::arch_name(cpu.arch));
  d["vendor"] = cpu.vendor;
  d["model_name"] = cpu.model_name;
  d["uarch"] = cpu.uarch;
  py::list features, hidden;
  for (armory::Feature f : cpu.features.list()) features.append(std::string(armory::feature_name(f)));
  for (armory::Feature f : cpu.hidden_features.list()) hidden.append(std::string(armory::feature_name(f)));
  d["features"] = features;
  d["hidden_features"] = hidden;
  d["bf16_arithmetic"] = armory::has_bf16_arithmetic(cpu.features);
  d["sve_vector_bits"] = cpu.sve_vector_bits;
  d["online_cpus"] = cpu.online_cpus;
  d["usable_cores"] = cpu.usable_cores;
  d["cpu_quota"] = cpu.cpu_quota;
  py::list caches;
  for (const armory::CacheLevel& c : cpu.caches) {
    caches.append(py::dict(py::arg("level") = c.level, py::arg("type") = c.type, py::arg("size_bytes") = c.size_bytes));
  }
  d["caches"] = caches;
  d["isa"] = armory::dispatched_isa_name();
  return d;
}

py::dict config() {
  const armory::BuildInfo& build = armory::build_info();
  py::dict d;
  d["version"] = build.version;
  d["git_commit"] = build.git_commit;
  d["build_type"] = build.build_type;
  d["target_arch"] = build.target_arch;
  d["isa"] = armory::dispatched_isa_name();
  d["gemm"] = armory::gemm_dispatch_summary();
  d["threads"] = armory::get_num_threads();
  return d;
}

py::object doctor_report() {
  std::string json;
  {
    py::gil_scoped_release release;  // it runs the interpreters it examines
    json = armory::doctor::to_json(armory::doctor::run({}));
  }
  return py::module_::import("json").attr("loads")(json);
}


// ---- inference sessions ----

py::dtype numpy_dtype(armory::nn::DType dtype) {
  switch (dtype) {
    case armory::nn::DType::float32: return py::dtype::of<float>();
    case armory::nn::DType::int64: return py::dtype::of<int64_t>();
    case armory::nn::DType::boolean: return py::dtype::of<bool>();
    case armory::nn::DType::bfloat16: break;  // internal only: sessions return float32
  }
  return py::dtype::of<float>();
}

py::list value_infos(const std::vector<armory::nn::ValueInfo>& infos) {
  py::list list;
  for (const auto& info : infos) {
    py::list shape;
    for (size_t i = 0; i < info.shape.size(); ++i) {
      if (info.shape[i] >= 0) {
        shape.append(info.shape[i]);
      } else if (i < info.dim_names.size() && !info.dim_names[i].empty()) {
        shape.append(info.dim_names[i]);
      } else {
        shape.append(py::none());
      }
    }
    list.append(py::make_tuple(info.name, shape, numpy_dtype(info.dtype)));
  }
  return list;
}

// An output tensor's memory becomes the numpy array's, kept alive by a capsule: no copy.
py::array to_numpy(const armory::nn::Tensor& t) {
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  return array_over(numpy_dtype(t.dtype()), std::move(shape), t.storage(), t.data());
}

class PySession {
 public:
  // model: a file's path (str), or the model itself (bytes, as onnxruntime takes a serialised model;
  // external data files are then looked up under the current directory).
  PySession(const py::object& model, int threads, const std::string& fpmath, bool optimize, bool winograd) {
    armory::nn::SessionOptions options;
    if (fpmath == "bf16") {
      options.fpmath = armory::FpMath::bf16;
    } else if (fpmath != "strict") {
      throw py::value_error("fpmath must be \"strict\" or \"bf16\", got \"" + fpmath + "\"");
    }
    if (threads < 0) throw py::value_error("threads must be >= 0 (0: armory's default)");
    options.threads = threads;
    options.optimize = optimize;
    options.winograd = winograd;
    const bool in_memory = py::isinstance<py::bytes>(model);
    const std::string path_or_bytes = model.cast<std::string>();  // the bytes copied while the GIL is held
    std::optional<armory::Result<armory::nn::Session>> loaded;
    {
      py::gil_scoped_release release;
      loaded.emplace(in_memory ? armory::nn::Session::load_from_bytes(path_or_bytes, ".", options)
                               : armory::nn::Session::load(path_or_bytes, options));
    }
    if (!loaded->ok()) raise_status(loaded->status());
    session_ = std::make_shared<armory::nn::Session>(std::move(loaded->value()));
  }

  py::list inputs() const { return value_infos(session_->inputs()); }
  py::list outputs() const { return value_infos(session_->outputs()); }
  std::string dump_graph() const { return session_->dump_graph(); }

  py::list run(std::optional<std::vector<std::string>> names, const py::dict& feeds) const {
    std::vector<py::array> keep;  // arrays read in place during the run
    std::vector<armory::nn::NamedTensor> inputs = named_tensors(feeds, keep);
    tl_last_session_inputs.clear();
    for (const auto& in : inputs) tl_last_session_inputs.push_back(reinterpret_cast<uintptr_t>(in.tensor.data()));
    std::optional<armory::Result<std::vector<armory::nn::Tensor>>> result;
    {
      py::gil_scoped_release release;
      result.emplace(session_->run(inputs, names.value_or(std::vector<std::string>{})));
    }
    if (!result->ok()) raise_status(result->status());
    py::list out;
    for (const auto& t : result->value()) out.append(to_numpy(t));
    return out;
  }

  // Per node of the optimised graph, slowest first: (node, op, detail, seconds per run) over `runs` runs
  // after a warm-up one.
  py::list profile(const py::dict& feeds, int runs) const {
    if (runs < 1) throw py::value_error("runs must be >= 1");
    std::vector<py::array> keep;
    std::vector<armory::nn::NamedTensor> inputs = named_tensors(feeds, keep);
    std::optional<armory::Result<std::vector<armory::nn::Session::NodeTime>>> result;
    {
      py::gil_scoped_release release;
      result.emplace(session_->profile(inputs, runs));
    }
    if (!result->ok()) raise_status(result->status());
    py::list out;
    for (const auto& t : result->value()) out.append(py::make_tuple(t.node, t.op, t.detail, t.seconds / runs));
    return out;
  }

 private:
  // The feeds as tensors borrowing the arrays, which `keep` holds for the call.
  std::vector<armory::nn::NamedTensor> named_tensors(const py::dict& feeds, std::vector<py::array>& keep) const {
    std::vector<armory::nn::NamedTensor> inputs;
    for (auto item : feeds) {
      std::string name = py::str(item.first);
      py::array given = py::array::ensure(item.second);
      if (!given) throw py::type_error("input '" + name + "' is not an array");
      armory::nn::DType dtype;
      if (given.dtype().is(py::dtype::of<float>())) {
        dtype = armory::nn::DType::float32;
      } else if (given.dtype().is(py::dtype::of<int64_t>())) {
        dtype = armory::nn::DType::int64;
      } else if (given.dtype().is(py::dtype::of<bool>())) {
        dtype = armory::nn::DType::boolean;
      } else {
        // Say what the model takes there, as the session does for a supported dtype that is not it (a
        // float64 feed was told "armory takes float32, int64 and bool", which invited an int64 one).
        const std::string got = py::str(given.dtype()).cast<std::string>();
        const auto& model_inputs = session_->inputs();
        if (auto index = armory::nn::input_index(model_inputs, name); index.ok()) {
          throw py::type_error("input '" + name + "' must be " +
                               py::str(numpy_dtype(model_inputs[index.value()].dtype)).cast<std::string>() + ", got " +
                               got);
        }
        throw py::type_error("input '" + name + "' has dtype " + got + "; armory takes float32, int64 and bool");
      }
      // C-contiguous arrays are read in place; others are copied once into C order.
      if (!(given.flags() & py::array::c_style)) given = py::module_::import("numpy").attr("ascontiguousarray")(given);
      std::vector<int64_t> shape(given.shape(), given.shape() + given.ndim());
      inputs.push_back({name, armory::nn::Tensor::borrow(dtype, shape, given.data())});
      keep.push_back(given);
    }
    return inputs;
  }

  std::shared_ptr<armory::nn::Session> session_;
};

}  // namespace

PYBIND11_MODULE(_armory, m) {
  m.doc() = "armory's C++ core: GEMM, CPU detection, the doctor";
  m.attr("__version__") = armory::build_info().version;
  m.def("matmul", &matmul, py::arg("a"), py::arg("b"), py::kw_only(), py::arg("out") = py::none(),
        py::arg("fpmath") = "strict",
        "a @ b for float32/float64 arrays, read in place (C- or F-ordered, transposed views too). fpmath=\"bf16\" "
        "rounds float32 inputs to bf16 and accumulates in float32.");
  m.def("svd", &svd, py::arg("a"), py::arg("full_matrices") = true, py::arg("compute_uv") = true,
        "Singular value decomposition of a real matrix or stack of matrices (numpy.linalg.svd's contract)");
  m.def(
      "set_num_threads",
      [](int threads) {
        const armory::Status status = armory::set_num_threads(threads);
        if (!status.ok()) raise_status(status);
      },
      py::arg("threads"), "Threads armory's products use: >= 1, capped at the CPUs this process may run on");
  m.def("get_num_threads", &armory::get_num_threads, "Threads armory's products use");
  m.def("cpu_info", &cpu_info, "What armory detected: CPU, features, caches, usable cores, dispatched ISA");
  m.def("config", &config, "What was built and what is dispatched now");
  py::class_<PySession>(m, "_Session")
      .def(py::init<const py::object&, int, const std::string&, bool, bool>(), py::arg("model"), py::arg("threads") = 0,
           py::arg("fpmath") = "strict", py::arg("optimize") = true, py::arg("winograd") = true)
      .def("inputs", &PySession::inputs)
      .def("outputs", &PySession::outputs)
      .def("dump_graph", &PySession::dump_graph)
      .def("profile", &PySession::profile, py::arg("feeds"), py::arg("runs"))
      .def("run", &PySession::run, py::arg("output_names"), py::arg("feeds"));
  m.def("doctor", &doctor_report, "armory doctor's report on this machine, as data");
  m.def(
      "_last_operands",
      []() {
        return py::dict(py::arg("a") = tl_last_operands.a, py::arg("b") = tl_last_operands.b,
                        py::arg("out") = tl_last_operands.out);
      },
      "Addresses of the buffers the last matmul on this thread passed to the engine (for zero-copy tests)");
  m.def(
      "_last_session_inputs", []() { return tl_last_session_inputs; },
      "Addresses of the inputs the last InferenceSession.run on this thread handed to the engine (zero-copy tests)");
}
