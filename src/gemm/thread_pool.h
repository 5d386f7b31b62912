// armory's own thread pool (no OpenMP in the core). One process-wide pool; a parallel region runs a
// body on the caller plus workers and offers a barrier. When the pool is already busy — another host
// thread is inside a region, or the caller is itself a pool worker — the region runs on the caller alone,
// so several host threads calling armory at once never oversubscribe the cores.
#pragma once

#include <armory/cpu.h>

#include <cstdint>
#include <string_view>
#include <thread>

namespace armory {

class ParallelContext {
 public:
  int thread() const { return thread_; }
  int threads() const { return threads_; }
  void barrier();  // every thread of the region waits here until all arrive

 private:
  friend class ThreadPool;
  ParallelContext(int thread, int threads, void* shared) : thread_(thread), threads_(threads), shared_(shared) {}
  int thread_;
  int threads_;
  void* shared_;
};

// A region's body, by reference: it lives on the caller's stack for the whole region, so nothing has to
// own or copy it (a BodyRef is only a parameter of the pool's calls, never kept). A std::function copies the
// closure, and one capturing a dozen references goes to the heap: a malloc and a free on every GEMM call,
// 5% of the samples of back-to-back 4 x 4 products.
template <class Arg>
class BodyRef {
 public:
  template <class F>
  BodyRef(const F& body)  // NOLINT: implicit, so a lambda passes straight to parallel()
      : body_(&body), call_([](const void* b, Arg arg) { (*static_cast<const F*>(b))(arg); }) {}

  void operator()(Arg arg) const { call_(body_, arg); }

 private:
  const void* body_;
  void (*call_)(const void*, Arg);
};

using RegionBody = BodyRef<ParallelContext&>;
using ShareBody = BodyRef<int>;

class ThreadPool {
 public:
  static ThreadPool& global();

  // The process-wide setting, capped by the calling thread's ScopedThreadLimit when one is active.
  int max_threads() const;
  void set_max_threads(int threads);  // clamped to >= 1; workers are started lazily

  // Runs body on min(threads, max_threads()) threads, or on the caller alone when the pool is busy.
  void parallel(int threads, RegionBody body);

  // Runs body(share) once for each share in [0, shares), on up to that many threads, without barriers: thread
  // t starts with share t (in a repeated call, the data its caches already hold), then takes any share no
  // thread has started. A worker still waking when the shares are done is not waited for: after an idle
  // pause this guest took about a millisecond to wake one, and a 2-thread product whose 1-thread time was
  // 1.2 ms took 1.6-1.8, its caller idle for the second half. A body that computes share s the same way
  // whichever thread runs it gives the same results however many threads arrive.
  void parallel_shares(int shares, ShareBody body);

 private:
  ThreadPool();
  void run_region(int threads, RegionBody body, bool late_workers_may_skip);
  struct State;
  State* state_;
};

// Caps the threads of every region the current thread starts, for its lifetime, without touching the
// process-wide setting: an inference session with its own thread count beside other armory users.
class ScopedThreadLimit {
 public:
  explicit ScopedThreadLimit(int threads);  // threads < 1: no cap
  ~ScopedThreadLimit();
  ScopedThreadLimit(const ScopedThreadLimit&) = delete;
  ScopedThreadLimit& operator=(const ScopedThreadLimit&) = delete;

 private:
  int previous_;
};

// One turn of a spin wait (PAUSE, YIELD): lets the core run its other hardware thread meanwhile.
void cpu_relax();

// Spin a little before blocking or yielding: back-to-back GEMMs (inference layers) then wake without a syscall.
inline constexpr int kSpinIterations = 20000;

// Waits until ready() holds: spinning for kSpinIterations turns, then giving the CPU away between checks
// (the thread waited for may need it, on a machine with fewer cores than threads).
template <class Ready>
void spin_until(const Ready& ready) {
  for (int spin = 0; !ready(); ++spin) {
    if (spin < kSpinIterations) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

// Runs body(begin, end, t) over [0, n) split into `threads` contiguous chunks, chunk t on share t of the
// pool's parallel_shares (on the caller alone with one thread).
template <class Body>
void for_chunks(int64_t n, int threads, const Body& body) {
  if (threads <= 1) {
    body(int64_t{0}, n, 0);
    return;
  }
  ThreadPool::global().parallel_shares(threads, [&](int t) { body(n * t / threads, n * (t + 1) / threads, t); });
}

// The most threads a setting gives the pool: the CPUs this process may run on (its affinity; the CPUs
// online where that is unknown). More threads than CPUs only take turns on them (a barrier then waits for
// a thread that is not running), and a count such as 10^6 would try to start that many workers; OpenBLAS
// caps its own at the CPUs too. The one-argument form is the rule for any machine's description (the
// doctor's fixtures); the other applies it to this one.
int cpu_thread_limit(const CpuInfo& cpu);
int cpu_thread_limit();

// A thread-count variable's value as the pool reads it: digits, optionally spaces around them and the rest
// of an OpenMP list after a comma ("4,2" is 4). 0 when it is no count >= 1 ("", "abc", "1x", "0", "-3").
long parse_thread_count(std::string_view value);

// ARMORY_NUM_THREADS, else OMP_NUM_THREADS (either capped at cpu_thread_limit), else the usable cores
// (affinity and cgroup quota).
int default_thread_count();

// Moves the calling thread off `cpu` to another CPU its affinity allows, leaving the affinity as it was
// (a woken worker does this when it finds itself on its caller's CPU). No-op where not supported.
void move_off_cpu(int cpu);

}  // namespace armory
