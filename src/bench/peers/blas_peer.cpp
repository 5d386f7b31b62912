// OpenBLAS and BLIS through their Fortran BLAS entry points (sgemm_/dgemm_), column-major: the row-major
// product C = A B is computed as C^T = B^T A^T.
#include "bench/peers/gemm_peer.h"

#include <dlfcn.h>

namespace armory::bench {

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::f32: return "f32";
    case Precision::f64: return "f64";
    case Precision::bf16: return "bf16";
    case Precision::f32_bf16: return "f32:bf16";
  }
  return "?";
}

namespace {

using SgemmFn = void (*)(const char*, const char*, const int*, const int*, const int*, const float*, const float*,
                         const int*, const float*, const int*, const float*, float*, const int*);
using DgemmFn = void (*)(const char*, const char*, const int*, const int*, const int*, const double*, const double*,
                         const int*, const double*, const int*, const double*, double*, const int*);
using SetThreadsFn = void (*)(int);
using CorenameFn = char* (*)();

class BlasPeer : public GemmPeer {
 public:
  BlasPeer(std::string name, void* handle, SetThreadsFn set_threads, std::string version)
      : name_(std::move(name)), handle_(handle), set_threads_(set_threads), version_(std::move(version)) {
    sgemm_ = reinterpret_cast<SgemmFn>(dlsym(handle, "sgemm_"));
    dgemm_ = reinterpret_cast<DgemmFn>(dlsym(handle, "dgemm_"));
  }
  bool ok() const { return sgemm_ && dgemm_ && set_threads_; }
  std::string name() const override { return name_; }
  std::string version() const override { return version_; }
  bool set_threads(int threads) override {
    set_threads_(threads);
    return true;
  }
  bool supports(Precision p) const override { return p == Precision::f32 || p == Precision::f64; }
  std::function<bool()> prepare(Precision p, const GemmBuffers& x) override {
    int m = static_cast<int>(x.m), n = static_cast<int>(x.n), k = static_cast<int>(x.k);
    if (p == Precision::f32) {
      return [=, this] {
        const float one = 1, zero = 0;
        sgemm_("N", "N", &n, &m, &k, &one, static_cast<const float*>(x.b), &n, static_cast<const float*>(x.a), &k,
               &zero, static_cast<float*>(x.c), &n);
        return true;
      };
    }
    if (p == Precision::f64) {
      return [=, this] {
        const double one = 1, zero = 0;
        dgemm_("N", "N", &n, &m, &k, &one, static_cast<const double*>(x.b), &n, static_cast<const double*>(x.a), &k,
               &zero, static_cast<double*>(x.c), &n);
        return true;
      };
    }
    return {};
  }

 private:
  std::string name_;
  void* handle_;
  SetThreadsFn set_threads_;
  std::string version_;
  SgemmFn sgemm_ = nullptr;
  DgemmFn dgemm_ = nullptr;
};

void* open_first(std::initializer_list<const char*> paths, std::string* why_not) {
  std::string errors;
  for (const char* path : paths) {
    if (void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) return h;
    errors += std::string(errors.empty() ? "" : "; ") + dlerror();
  }
  *why_not = errors;
  return nullptr;
}

}  // namespace

std::unique_ptr<GemmPeer> load_openblas(std::string* why_not) {
  void* h = open_first({"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.so.0"},
                       why_not);
  if (!h) return nullptr;
  auto corename = reinterpret_cast<CorenameFn>(dlsym(h, "openblas_get_corename"));
  auto peer = std::make_unique<BlasPeer>("openblas", h, reinterpret_cast<SetThreadsFn>(dlsym(h, "openblas_set_num_threads")),
                                         corename ? std::string("core ") + corename() : "");
  if (!peer->ok()) {
    *why_not = "libopenblas.so.0 lacks sgemm_/dgemm_/openblas_set_num_threads";
    return nullptr;
  }
  return peer;
}

std::unique_ptr<GemmPeer> load_blis(std::string* why_not) {
  void* h = open_first({"/usr/lib/x86_64-linux-gnu/blis-pthread/libblis.so.4",
                        "/usr/lib/aarch64-linux-gnu/blis-pthread/libblis.so.4", "libblis.so.4"},
                       why_not);
  if (!h) return nullptr;
  auto peer = std::make_unique<BlasPeer>("blis", h, reinterpret_cast<SetThreadsFn>(dlsym(h, "bli_thread_set_num_threads")),
                                         "");
  if (!peer->ok()) {
    *why_not = "libblis.so.4 lacks sgemm_/dgemm_/bli_thread_set_num_threads";
    return nullptr;
  }
  return peer;
}

}  // namespace armory::bench
