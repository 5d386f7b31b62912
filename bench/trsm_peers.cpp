// dtrsm_ on armory's libblas beside a peer's (OpenBLAS by default), in one process, calls alternating: the
// triangular solves under numpy's solve / inv (left, no transpose), scipy's cho_solve (left, transposed),
// LAPACK's Cholesky panels (right, transposed), with many and with few right-hand sides.
//   build/native/bench/trsm_peers [--threads N] [--rounds R] [armory libblas.so.3] [peer libblas.so.3]
// Both libraries are loaded with RTLD_LOCAL, so each keeps its own symbols; N threads each (set through
// ARMORY_NUM_THREADS and OPENBLAS_NUM_THREADS before loading). Per case and round: each library's best of 3
// calls on a fresh copy of B, the first library alternating; printed are the medians of those times and
// the median of the rounds' ratios (peer time / armory time: above 1, armory is faster).
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

using Dtrsm = void (*)(const char*, const char*, const char*, const char*, const int*, const int*, const double*,
                       const double*, const int*, double*, const int*);

struct Case {
  const char* side;
  const char* uplo;
  const char* trans;
  const char* diag;
  int m, n;
};

// numpy.linalg.solve / inv (dgetrs), scipy's cho_solve (dpotrs), with one right-hand side, dpotrf's panels, and
// a right-side solve untransposed.
constexpr Case kCases[] = {
    {"L", "L", "N", "U", 1024, 1024}, {"L", "U", "N", "N", 1024, 1024}, {"L", "L", "T", "N", 1024, 1024},
    {"L", "U", "T", "N", 1024, 1024}, {"L", "L", "N", "U", 1024, 1},    {"L", "L", "T", "N", 1024, 1},
    {"L", "L", "N", "N", 300, 300},   {"R", "L", "T", "N", 1024, 64},   {"R", "L", "T", "N", 1024, 1024},
    {"R", "U", "N", "N", 1024, 1024},
};

double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

Dtrsm load(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::fprintf(stderr, "cannot load %s: %s\n", path.c_str(), dlerror());
    return nullptr;
  }
  auto fn = reinterpret_cast<Dtrsm>(dlsym(handle, "dtrsm_"));
  if (fn == nullptr) std::fprintf(stderr, "%s has no dtrsm_\n", path.c_str());
  return fn;
}

}  // namespace

int main(int argc, char** argv) {
  std::string threads = "1";
  int rounds = 7;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = argv[++i];
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "usage: %s [--threads N] [--rounds R] [armory libblas.so.3] [peer libblas.so.3]\n", argv[0]);
      return 2;
    } else {
      paths.push_back(arg);
    }
  }
  if (paths.empty()) paths.push_back("build/native/lib/libblas.so.3");
  if (paths.size() < 2) paths.push_back("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
  setenv("ARMORY_NUM_THREADS", threads.c_str(), 1);
  setenv("OPENBLAS_NUM_THREADS", threads.c_str(), 1);
  const Dtrsm libs[2] = {load(paths[0]), load(paths[1])};
  if (libs[0] == nullptr || libs[1] == nullptr) return 1;

  std::printf("dtrsm_, %s thread(s), %d rounds; ms, medians; ratio = peer / armory\n", threads.c_str(), rounds);
  std::printf("%-5s %11s %9s %9s %7s\n", "case", "m x n", "armory", "peer", "ratio");
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> uniform(-0.5, 0.5);
  for (const Case& c : kCases) {
    const int dim = c.side[0] == 'L' ? c.m : c.n;
    // Well conditioned: a dominant diagonal, small off-diagonal entries.
    std::vector<double> a(static_cast<size_t>(dim) * dim);
    for (int j = 0; j < dim; ++j) {
      for (int i = 0; i < dim; ++i) a[i + size_t(j) * dim] = i == j ? 2.0 : 2.0 * uniform(rng) / dim;
    }
    std::vector<double> b(static_cast<size_t>(c.m) * c.n), x(b.size());
    for (double& v : b) v = uniform(rng);
    const double alpha = 1.0;
    auto run = [&](int lib) {
      double best = 1e30;
      for (int rep = 0; rep < 3; ++rep) {
        x = b;
        const double start = seconds();
        libs[lib](c.side, c.uplo, c.trans, c.diag, &c.m, &c.n, &alpha, a.data(), &dim, x.data(), &c.m);
        best = std::min(best, seconds() - start);
      }
      return best;
    };
    run(0);
    run(1);
    std::vector<double> times[2], ratios;
    for (int r = 0; r < rounds; ++r) {
      double t[2];
      for (int k = 0; k < 2; ++k) {
        const int lib = (r + k) % 2;
        t[lib] = run(lib);
        times[lib].push_back(t[lib]);
      }
      ratios.push_back(t[1] / t[0]);
    }
    const std::string name = std::string(c.side) + c.uplo + c.trans + c.diag;
    std::printf("%-5s %5d x %-5d %9.3f %9.3f %7.2f\n", name.c_str(), c.m, c.n, 1e3 * median(times[0]),
                1e3 * median(times[1]), median(ratios));
  }
  return 0;
}
