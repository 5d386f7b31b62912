// What a tiny cblas_sgemm / cblas_dgemm call costs, armory's libblas beside OpenBLAS's, in one process: at
// n <= 16 the call, not the arithmetic, is most of the time (numpy's small products pay it on every @).
//   build/native/bench/cblas_call_cost [armory libblas.so.3] [peer libblas.so.3]
// Both libraries are loaded with RTLD_LOCAL, so each keeps its own symbols. Per size: the best of 5 runs of
// `calls` calls, libraries alternating, microseconds per call. Run with ARMORY_NUM_THREADS=1
// OPENBLAS_NUM_THREADS=1 (single-threaded either way at these sizes, but it keeps the pools asleep).
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using Dgemm = void (*)(int, int, int, int, int, int, double, const double*, int, const double*, int, double, double*,
                       int);
constexpr int kRowMajor = 101, kNoTrans = 111;

struct Library {
  std::string path;
  Sgemm sgemm = nullptr;
  Dgemm dgemm = nullptr;
};

bool load(Library& lib) {
  void* handle = dlopen(lib.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::fprintf(stderr, "cannot load %s: %s\n", lib.path.c_str(), dlerror());
    return false;
  }
  lib.sgemm = reinterpret_cast<Sgemm>(dlsym(handle, "cblas_sgemm"));
  lib.dgemm = reinterpret_cast<Dgemm>(dlsym(handle, "cblas_dgemm"));
  if (lib.sgemm == nullptr || lib.dgemm == nullptr) {
    std::fprintf(stderr, "%s has no cblas_sgemm / cblas_dgemm\n", lib.path.c_str());
    return false;
  }
  return true;
}

double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Microseconds per call of fn, the best of `runs` runs.
template <class Fn>
double per_call_us(Fn&& fn, int calls, int runs) {
  double best = 1e30;
  for (int r = 0; r < runs; ++r) {
    const double t0 = seconds();
    for (int i = 0; i < calls; ++i) fn();
    best = std::min(best, (seconds() - t0) / calls * 1e6);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Library> libs = {{argc > 1 ? argv[1] : "build/native/lib/libblas.so.3"},
                               {argc > 2 ? argv[2] : "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"}};
  for (auto& lib : libs) {
    if (!load(lib)) return 1;
  }
  // Operands (96 x 96 at most) 128 KiB + 320 bytes apart, so that A, B and C do not share 4 KiB offsets.
  constexpr int kStride = 128 * 1024 / 8 + 40;
  std::vector<double> memory(3 * kStride, 0.5);
  double *a = memory.data(), *b = a + kStride, *c = b + kStride;
  std::vector<float> memory_f(6 * kStride, 0.5f);
  float *af = memory_f.data(), *bf = af + 2 * kStride, *cf = bf + 2 * kStride;

  std::printf("%-4s %-6s %12s %12s %8s\n", "n", "type", "armory us", "peer us", "ratio");
  for (int n : {1, 2, 4, 8, 16, 32, 48, 64, 96}) {
    const int calls = n <= 8 ? 200000 : (n <= 16 ? 100000 : (n <= 32 ? 20000 : 2000));
    double s[2] = {1e30, 1e30}, d[2] = {1e30, 1e30};
    for (int round = 0; round < 3; ++round) {
      for (int l = 0; l < 2; ++l) {
        const Library& lib = libs[l];
        s[l] = std::min(
            s[l], per_call_us([&] { lib.sgemm(kRowMajor, kNoTrans, kNoTrans, n, n, n, 1.f, af, n, bf, n, 0.f, cf, n); },
                              calls, 5));
        d[l] = std::min(
            d[l], per_call_us([&] { lib.dgemm(kRowMajor, kNoTrans, kNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n); },
                              calls, 5));
      }
    }
    std::printf("%-4d %-6s %12.3f %12.3f %8.2f\n", n, "f32", s[0], s[1], s[1] / s[0]);
    std::printf("%-4d %-6s %12.3f %12.3f %8.2f\n", n, "f64", d[0], d[1], d[1] / d[0]);
  }
  return 0;
}
