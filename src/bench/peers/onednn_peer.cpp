// oneDNN's matmul primitive through its C API, loaded with dlopen. Types come from Debian's libdnnl-dev
// header; every function is looked up at run time.
#include "bench/peers/gemm_peer.h"

#include <oneapi/dnnl/dnnl.h>

#include <dlfcn.h>

namespace armory::bench {

namespace {

struct Api {
  decltype(&dnnl_engine_create) engine_create;
  decltype(&dnnl_stream_create) stream_create;
  decltype(&dnnl_stream_destroy) stream_destroy;
  decltype(&dnnl_engine_destroy) engine_destroy;
  decltype(&dnnl_stream_wait) stream_wait;
  decltype(&dnnl_memory_desc_init_by_tag) md_init;
  decltype(&dnnl_memory_create) memory_create;
  decltype(&dnnl_memory_destroy) memory_destroy;
  decltype(&dnnl_matmul_desc_init) matmul_desc_init;
  decltype(&dnnl_primitive_attr_create) attr_create;
  decltype(&dnnl_primitive_attr_destroy) attr_destroy;
  decltype(&dnnl_primitive_attr_set_fpmath_mode) attr_set_fpmath;
  decltype(&dnnl_primitive_desc_create) pd_create;
  decltype(&dnnl_primitive_desc_destroy) pd_destroy;
  decltype(&dnnl_primitive_create) primitive_create;
  decltype(&dnnl_primitive_destroy) primitive_destroy;
  decltype(&dnnl_primitive_execute) execute;
  decltype(&dnnl_version) version;

  bool load(void* h) {
    bool ok = true;
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      ok = ok && fn != nullptr;
    };
    get(engine_create, "dnnl_engine_create");
    get(stream_create, "dnnl_stream_create");
    get(stream_destroy, "dnnl_stream_destroy");
    get(engine_destroy, "dnnl_engine_destroy");
    get(stream_wait, "dnnl_stream_wait");
    get(md_init, "dnnl_memory_desc_init_by_tag");
    get(memory_create, "dnnl_memory_create");
    get(memory_destroy, "dnnl_memory_destroy");
    get(matmul_desc_init, "dnnl_matmul_desc_init");
    get(attr_create, "dnnl_primitive_attr_create");
    get(attr_destroy, "dnnl_primitive_attr_destroy");
    get(attr_set_fpmath, "dnnl_primitive_attr_set_fpmath_mode");
    get(pd_create, "dnnl_primitive_desc_create");
    get(pd_destroy, "dnnl_primitive_desc_destroy");
    get(primitive_create, "dnnl_primitive_create");
    get(primitive_destroy, "dnnl_primitive_destroy");
    get(execute, "dnnl_primitive_execute");
    get(version, "dnnl_version");
    return ok;
  }
};

// One matmul primitive with its memory objects, destroyed with the timed call that owns it.
struct Matmul {
  const Api* api = nullptr;
  dnnl_stream_t stream = nullptr;
  dnnl_primitive_t primitive = nullptr;
  dnnl_memory_t src = nullptr, weights = nullptr, dst = nullptr;
  ~Matmul() {
    if (primitive) api->primitive_destroy(primitive);
    for (dnnl_memory_t m : {src, weights, dst}) {
      if (m) api->memory_destroy(m);
    }
  }
  bool run() {
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    return api->execute(primitive, stream, 3, args) == dnnl_success && api->stream_wait(stream) == dnnl_success;
  }
};

class OneDnnPeer : public GemmPeer {
 public:
  OneDnnPeer(Api api, void* gomp) : api_(api) {
    omp_set_num_threads_ = reinterpret_cast<void (*)(int)>(gomp ? dlsym(gomp, "omp_set_num_threads") : nullptr);
    ok_ = api_.engine_create(&engine_, dnnl_cpu, 0) == dnnl_success &&
          api_.stream_create(&stream_, engine_, dnnl_stream_default_flags) == dnnl_success;
  }
  // The timed calls (Matmul) use the stream: they are made and dropped while the peer lives.
  ~OneDnnPeer() override {
    if (stream_) api_.stream_destroy(stream_);
    if (engine_) api_.engine_destroy(engine_);
  }
  OneDnnPeer(const OneDnnPeer&) = delete;
  OneDnnPeer& operator=(const OneDnnPeer&) = delete;
  bool ok() const { return ok_; }
  std::string name() const override { return "onednn"; }
  std::string version() const override {
    const dnnl_version_t* v = api_.version();
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  }
  bool set_threads(int threads) override {
    if (!omp_set_num_threads_) return false;
    omp_set_num_threads_(threads);
    return true;
  }
  bool supports(Precision p) const override { return p != Precision::f64; }  // oneDNN 2.6 has no f64 matmul

  std::function<bool()> prepare(Precision p, const GemmBuffers& x) override {
    dnnl_data_type_t in = p == Precision::bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_data_type_t out = dnnl_f32;
    dnnl_memory_desc_t src_md, wei_md, dst_md;
    dnnl_dims_t src_dims = {x.m, x.k}, wei_dims = {x.k, x.n}, dst_dims = {x.m, x.n};
    if (api_.md_init(&src_md, 2, src_dims, in, dnnl_ab) != dnnl_success ||
        api_.md_init(&wei_md, 2, wei_dims, in, dnnl_ab) != dnnl_success ||
        api_.md_init(&dst_md, 2, dst_dims, out, dnnl_ab) != dnnl_success) {
      return {};
    }
    dnnl_matmul_desc_t desc;
    if (api_.matmul_desc_init(&desc, &src_md, &wei_md, nullptr, &dst_md) != dnnl_success) return {};
    dnnl_primitive_attr_t attr = nullptr;
    api_.attr_create(&attr);
    if (p == Precision::f32_bf16) api_.attr_set_fpmath(attr, dnnl_fpmath_mode_bf16);
    dnnl_primitive_desc_t pd = nullptr;
    dnnl_status_t st = api_.pd_create(&pd, &desc, attr, engine_, nullptr);
    api_.attr_destroy(attr);
    if (st != dnnl_success) return {};
    auto mm = std::make_shared<Matmul>();
    mm->api = &api_;
    mm->stream = stream_;
    st = api_.primitive_create(&mm->primitive, pd);
    api_.pd_destroy(pd);
    if (st != dnnl_success) return {};
    if (api_.memory_create(&mm->src, &src_md, engine_, const_cast<void*>(x.a)) != dnnl_success ||
        api_.memory_create(&mm->weights, &wei_md, engine_, const_cast<void*>(x.b)) != dnnl_success ||
        api_.memory_create(&mm->dst, &dst_md, engine_, x.c) != dnnl_success) {
      return {};
    }
    return [mm] { return mm->run(); };
  }

 private:
  Api api_;
  bool ok_ = false;
  dnnl_engine_t engine_ = nullptr;
  dnnl_stream_t stream_ = nullptr;
  void (*omp_set_num_threads_)(int) = nullptr;
};

}  // namespace

std::unique_ptr<GemmPeer> load_onednn(std::string* why_not) {
  void* h = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    *why_not = dlerror();
    return nullptr;
  }
  Api api;
  if (!api.load(h)) {
    *why_not = "libdnnl.so.2 lacks part of the C API this benchmark uses";
    return nullptr;
  }
  void* gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD);
  auto peer = std::make_unique<OneDnnPeer>(api, gomp);
  if (!peer->ok()) {
    *why_not = "oneDNN could not create a CPU engine";
    return nullptr;
  }
  return peer;
}

}  // namespace armory::bench
