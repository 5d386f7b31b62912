// Level-3 BLAS on armory's libblas beside a peer's (OpenBLAS by default), in one process, calls alternating:
// dtrsm_ as numpy's solve / inv (left, no transpose), scipy's cho_solve (left, transposed) and LAPACK's
// Cholesky panels (right, transposed) call it, with many and with few right-hand sides; dsyrk_ as numpy's
// X.T @ X (lower, no transpose, in column-major terms) and LAPACK's Cholesky (lower N, upper T) call it;
// dgemm_ as LAPACK's blocked factorisations' rank-32 trailing updates.
//   build/native/bench/level3_peers [--threads N] [--rounds R] [--only ROUTINE] [armory libblas.so.3]
//                                   [peer libblas.so.3]
// Both libraries are loaded with RTLD_LOCAL, so each keeps its own symbols; N threads each (set through
// ARMORY_NUM_THREADS and OPENBLAS_NUM_THREADS before loading). Per case and round: each library's best of 3
// calls on a fresh copy of the output, the first library alternating; printed are the medians of those times
// and the median of the rounds' ratios (peer time / armory time: above 1, armory is faster).
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using Dtrsm = void (*)(const char*, const char*, const char*, const char*, const int*, const int*, const double*,
                       const double*, const int*, double*, const int*);
using Dsyrk = void (*)(const char*, const char*, const int*, const int*, const double*, const double*, const int*,
                       const double*, double*, const int*);
using Dgemm = void (*)(const char*, const char*, const int*, const int*, const int*, const double*, const double*,
                       const int*, const double*, const int*, const double*, double*, const int*);

struct Library {
  Dtrsm trsm = nullptr;
  Dsyrk syrk = nullptr;
  Dgemm gemm = nullptr;
};

struct TrsmCase {
  const char* side;
  const char* uplo;
  const char* trans;
  const char* diag;
  int m, n;
};
// numpy.linalg.solve / inv (dgetrs), scipy's cho_solve (dpotrs), with one right-hand side, dpotrf's panels, and
// a right-side solve untransposed; numpy.linalg.inv at n = 100 / 200.
constexpr TrsmCase kTrsmCases[] = {
    {"L", "L", "N", "U", 1024, 1024}, {"L", "U", "N", "N", 1024, 1024}, {"L", "L", "T", "N", 1024, 1024},
    {"L", "U", "T", "N", 1024, 1024}, {"L", "L", "N", "U", 1024, 1},    {"L", "L", "T", "N", 1024, 1},
    {"L", "L", "N", "N", 300, 300},   {"L", "L", "N", "U", 200, 200},   {"L", "U", "N", "N", 100, 100},
    {"R", "L", "T", "N", 1024, 64},   {"R", "L", "T", "N", 1024, 1024}, {"R", "U", "N", "N", 1024, 1024},
};

struct SyrkCase {
  const char* uplo;
  const char* trans;
  int n, k;
};
// numpy's X.T @ X for X of 1000 x 8, 2000 x 20 .. 48, 6000 x 60, 20000 x 200, 2000 x 200 and 2000 x 128
// (row-major upper transposed: lower, no transpose here); its X @ X.T (lower transposed); dpotrf's updates
// (lower N, upper T); the small orders.
constexpr SyrkCase kSyrkCases[] = {
    {"L", "N", 8, 1000},   {"L", "N", 20, 2000},   {"L", "T", 20, 2000},  {"U", "N", 32, 2000},  {"L", "N", 48, 2000},
    {"L", "N", 60, 6000},  {"L", "N", 200, 20000}, {"L", "N", 200, 2000}, {"L", "T", 200, 2000}, {"U", "N", 200, 2000},
    {"U", "T", 200, 2000}, {"L", "N", 1024, 1024}, {"L", "N", 64, 1024},  {"U", "T", 64, 1024},  {"L", "N", 16, 1000},
    {"L", "N", 32, 32},    {"L", "N", 128, 2000},  {"U", "T", 128, 2000},
};

struct GemmCase {
  const char* trans_a;
  const char* trans_b;
  int m, n, k;
  bool tight = false;  // each operand its own matrix (leading dimension its rows), else blocks of one
};
// dgetrf's and dgeqrf's (dlarfb) trailing updates at depth 32, every operand a block of one m x m matrix (its
// leading dimension m, as in LAPACK); a square product for scale; numpy's X.T @ Y of tall X and Y (2000 x 20,
// 4000 x 40: A B^T here), each its own array.
constexpr GemmCase kGemmCases[] = {
    {"N", "N", 500, 500, 32},  {"N", "T", 500, 500, 32},       {"N", "N", 1000, 1000, 32},
    {"N", "N", 512, 512, 512}, {"N", "T", 20, 20, 2000, true}, {"N", "T", 40, 40, 4000, true},
};

struct Case {
  std::string routine, name, shape;
  std::function<void()> reset;  // the output back to its first values
  std::function<void(const Library&)> call;
};

double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class Fn>
Fn symbol(void* handle, const std::string& path, const char* name) {
  auto fn = reinterpret_cast<Fn>(dlsym(handle, name));
  if (fn == nullptr) std::fprintf(stderr, "%s has no %s\n", path.c_str(), name);
  return fn;
}

bool load(const std::string& path, Library& lib) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::fprintf(stderr, "cannot load %s: %s\n", path.c_str(), dlerror());
    return false;
  }
  lib.trsm = symbol<Dtrsm>(handle, path, "dtrsm_");
  lib.syrk = symbol<Dsyrk>(handle, path, "dsyrk_");
  lib.gemm = symbol<Dgemm>(handle, path, "dgemm_");
  return lib.trsm != nullptr && lib.syrk != nullptr && lib.gemm != nullptr;
}

// The matrices every case owns; kept alive by the cases' closures.
struct Operands {
  std::vector<double> a, b, c, c_start;
};

std::vector<double> uniform_values(size_t count, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(-0.5, 0.5);
  std::vector<double> v(count);
  for (double& x : v) x = uniform(rng);
  return v;
}

std::vector<Case> make_cases(std::mt19937_64& rng) {
  std::vector<Case> cases;
  for (const TrsmCase& t : kTrsmCases) {
    auto data = std::make_shared<Operands>();
    const int dim = t.side[0] == 'L' ? t.m : t.n;
    // Well conditioned: a dominant diagonal, small off-diagonal entries.
    data->a = uniform_values(static_cast<size_t>(dim) * dim, rng);
    for (int j = 0; j < dim; ++j) {
      for (int i = 0; i < dim; ++i)
        data->a[i + size_t(j) * dim] = i == j ? 2.0 : 4.0 * data->a[i + size_t(j) * dim] / dim;
    }
    data->c_start = uniform_values(static_cast<size_t>(t.m) * t.n, rng);
    cases.push_back({"trsm", std::string(t.side) + t.uplo + t.trans + t.diag,
                     std::to_string(t.m) + " x " + std::to_string(t.n), [data] { data->c = data->c_start; },
                     [data, t, dim](const Library& lib) {
                       const double alpha = 1.0;
                       lib.trsm(t.side, t.uplo, t.trans, t.diag, &t.m, &t.n, &alpha, data->a.data(), &dim,
                                data->c.data(), &t.m);
                     }});
  }
  for (const SyrkCase& s : kSyrkCases) {
    auto data = std::make_shared<Operands>();
    const int lda = s.trans[0] == 'N' ? s.n : s.k;
    data->a = uniform_values(static_cast<size_t>(s.n) * s.k, rng);
    data->c_start = uniform_values(static_cast<size_t>(s.n) * s.n, rng);
    cases.push_back({"syrk", std::string(s.uplo) + s.trans, std::to_string(s.n) + " k " + std::to_string(s.k),
                     [data] { data->c = data->c_start; },
                     [data, s, lda](const Library& lib) {
                       const double alpha = 1.0, beta = 0.0;  // numpy's beta; C is overwritten
                       lib.syrk(s.uplo, s.trans, &s.n, &s.k, &alpha, data->a.data(), &lda, &beta, data->c.data(), &s.n);
                     }});
  }
  for (const GemmCase& g : kGemmCases) {
    auto data = std::make_shared<Operands>();
    const int ld = std::max({g.m, g.n, g.k});
    const int lda = g.tight ? (g.trans_a[0] == 'N' ? g.m : g.k) : ld;
    const int ldb = g.tight ? (g.trans_b[0] == 'N' ? g.k : g.n) : ld;
    const int ldc = g.tight ? g.m : ld;
    data->a = uniform_values(static_cast<size_t>(lda) * (g.trans_a[0] == 'N' ? g.k : g.m), rng);
    data->b = uniform_values(static_cast<size_t>(ldb) * (g.trans_b[0] == 'N' ? g.n : g.k), rng);
    data->c_start = uniform_values(static_cast<size_t>(ldc) * g.n, rng);
    cases.push_back({"gemm", std::string(g.trans_a) + g.trans_b,
                     std::to_string(g.m) + " x " + std::to_string(g.n) + " x " + std::to_string(g.k),
                     [data] { data->c = data->c_start; },
                     [data, g, lda, ldb, ldc](const Library& lib) {
                       const double alpha = -1.0, beta = 1.0;  // C -= A B, as the trailing updates do
                       lib.gemm(g.trans_a, g.trans_b, &g.m, &g.n, &g.k, &alpha, data->a.data(), &lda, data->b.data(),
                                &ldb, &beta, data->c.data(), &ldc);
                     }});
  }
  return cases;
}

}  // namespace

int main(int argc, char** argv) {
  std::string threads = "1", only;
  int rounds = 7;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = argv[++i];
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr,
                   "usage: %s [--threads N] [--rounds R] [--only trsm|syrk|gemm] [armory libblas.so.3] "
                   "[peer libblas.so.3]\n",
                   argv[0]);
      return 2;
    } else {
      paths.push_back(arg);
    }
  }
  if (!only.empty() && only != "trsm" && only != "syrk" && only != "gemm") {
    std::fprintf(stderr, "--only takes trsm, syrk or gemm, not %s\n", only.c_str());
    return 2;
  }
  if (paths.empty()) paths.push_back("build/native/lib/libblas.so.3");
  if (paths.size() < 2) paths.push_back("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
  setenv("ARMORY_NUM_THREADS", threads.c_str(), 1);
  setenv("OPENBLAS_NUM_THREADS", threads.c_str(), 1);
  Library libs[2];
  if (!load(paths[0], libs[0]) || !load(paths[1], libs[1])) return 1;

  std::printf("level 3, %s thread(s), %d rounds; ms, medians; ratio = peer / armory\n", threads.c_str(), rounds);
  std::printf("%-7s %-5s %-18s %9s %9s %7s\n", "routine", "case", "shape", "armory", "peer", "ratio");
  std::mt19937_64 rng(1);
  for (const Case& c : make_cases(rng)) {
    if (!only.empty() && c.routine != only) continue;
    auto run = [&](int lib) {
      double best = 1e30;
      for (int rep = 0; rep < 3; ++rep) {
        c.reset();
        const double start = seconds();
        c.call(libs[lib]);
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
    std::printf("%-7s %-5s %-18s %9.3f %9.3f %7.2f\n", c.routine.c_str(), c.name.c_str(), c.shape.c_str(),
                1e3 * median(times[0]), 1e3 * median(times[1]), median(ratios));
  }
  return 0;
}
