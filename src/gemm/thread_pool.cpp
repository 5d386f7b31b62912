#include "gemm/thread_pool.h"

#include <armory/cpu.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace armory {

void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

namespace {

thread_local bool t_inside_region = false;
thread_local int t_thread_limit = 0;  // 0: no ScopedThreadLimit active

int current_cpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

// 0 when the variable is unset or not a count.
int thread_count_from(const char* value) {
  if (value == nullptr) return 0;
  const long n = parse_thread_count(value);
  return n > 1024 ? 1024 : static_cast<int>(n);
}

struct RegionBarrier {
  std::atomic<int> arrived{0};
  std::atomic<int> generation{0};
  int threads = 1;

  void wait() {
    int gen = generation.load(std::memory_order_acquire);
    if (arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == threads) {
      arrived.store(0, std::memory_order_relaxed);
      generation.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    spin_until([&] { return generation.load(std::memory_order_acquire) != gen; });
  }
};

}  // namespace

// A worker woken from its sleep onto the caller's CPU moves to another one it may run on. Linux may wake
// a thread on its waker's CPU, and a kernel that packs threads onto busy vCPUs (this project's 2-vCPU PVM
// guest) did so after idle pauses: caller and worker then shared one CPU for several milliseconds, and a
// 12 ms inference took 16-20. The affinity mask is narrowed only for the move and restored at once, so
// what the host program set stays in force.
void move_off_cpu(int cpu) {
#if defined(__linux__)
  cpu_set_t allowed;
  if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
  if (!CPU_ISSET(cpu, &allowed) || CPU_COUNT(&allowed) < 2) return;
  cpu_set_t elsewhere = allowed;
  CPU_CLR(cpu, &elsewhere);
  if (sched_setaffinity(0, sizeof(elsewhere), &elsewhere) == 0) sched_setaffinity(0, sizeof(allowed), &allowed);
#else
  (void)cpu;
#endif
}

int cpu_thread_limit(const CpuInfo& cpu) {
  if (cpu.affinity_cpus > 0) return cpu.affinity_cpus;
  return cpu.online_cpus > 0 ? cpu.online_cpus : 1024;
}

int cpu_thread_limit() { return cpu_thread_limit(host_cpu()); }

long parse_thread_count(std::string_view value) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
  long n = 0;
  size_t digits = 0;
  for (; digits < value.size() && value[digits] >= '0' && value[digits] <= '9'; ++digits) {
    n = std::min(n * 10 + (value[digits] - '0'), 1L << 30);  // no overflow; any count this large is capped anyway
  }
  value.remove_prefix(digits);
  while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
  // OMP_NUM_THREADS may be a list, one count per nesting level: the first is this level's.
  if (digits == 0 || n < 1 || !(value.empty() || value.front() == ',')) return 0;
  return n;
}

int default_thread_count() {
  const char* own = std::getenv("ARMORY_NUM_THREADS");
  const int own_count = thread_count_from(own);
  int n = own_count > 0 ? own_count : thread_count_from(std::getenv("OMP_NUM_THREADS"));
  n = n > 0 ? std::min(n, cpu_thread_limit()) : host_cpu().usable_cores;
  // ARMORY_NUM_THREADS is armory's own: a value that is not a count is said once on stderr rather than
  // silently replaced (libgomp does the same for OMP_NUM_THREADS, and leaves its warnings to itself).
  if (own_count == 0 && own != nullptr && *own != '\0') {
    static std::once_flag said;
    std::call_once(said, [&] {
      std::fprintf(stderr, "armory: ARMORY_NUM_THREADS=%s is not a thread count (an integer >= 1): using %d\n", own, n);
    });
  }
  return n;
}

void ParallelContext::barrier() {
  if (threads_ > 1) static_cast<RegionBarrier*>(shared_)->wait();
}

struct ThreadPool::State {
  std::mutex lock;
  // One wake-up per worker (worker i waits on wakes[i], under `lock`): a region wakes only the workers it
  // runs on. One condition variable notified for all woke every worker for every region; each then spun
  // before sleeping again, so a 2-thread product on a machine with many workers kept all its cores busy.
  std::vector<std::unique_ptr<std::condition_variable>> wakes;
  std::atomic<int> max_threads{1};
  std::atomic<bool> busy{false};

  // The current region, published by bumping `generation`.
  std::atomic<uint64_t> generation{0};
  const RegionBody* body = nullptr;
  int region_threads = 1;
  int caller_cpu = -1;
  RegionBarrier barrier;
  std::atomic<int> finished{0};
  // Which workers run the current region: the low 32 bits of its generation, a closed flag, and the count
  // of workers that joined. A worker joins only an open region of the generation it read, so one that wakes
  // after its region closed (or after the next one started) never touches a body that has gone.
  std::atomic<uint64_t> admission{0};
  static constexpr uint64_t kClosed = uint64_t{1} << 31;
  static constexpr uint64_t kJoinedMask = kClosed - 1;

  static uint64_t admission_of(uint64_t generation) { return (generation & 0xffffffffu) << 32; }

  bool join(uint64_t region_generation) {
    uint64_t current = admission.load(std::memory_order_acquire);
    while ((current & ~kJoinedMask) == admission_of(region_generation)) {  // same region, not closed
      if (admission.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) return true;
    }
    return false;
  }

  void worker_loop(int index, std::condition_variable& wake) {
    t_inside_region = true;  // a body that calls armory again runs that call inline
    uint64_t seen = 0;
    // Turns spun since this worker last ran a region: regions it is not part of do not renew its spinning.
    int idle_spins = 0;
    while (true) {
      uint64_t gen = generation.load(std::memory_order_acquire);
      for (; gen == seen && idle_spins < kSpinIterations; ++idle_spins) {
        cpu_relax();
        gen = generation.load(std::memory_order_acquire);
      }
      bool slept = false;
      if (gen == seen) {
        std::unique_lock<std::mutex> guard(lock);
        wake.wait(guard, [&] { return generation.load(std::memory_order_acquire) != seen; });
        slept = true;
      }
      // Take the region's description under the lock it was published under: reading it piecemeal
      // could mix a finished region's generation with the next region's width and run a body twice.
      const RegionBody* region_body;
      int threads, region_caller_cpu;
      {
        std::lock_guard<std::mutex> guard(lock);
        seen = generation.load(std::memory_order_acquire);
        region_body = body;
        threads = region_threads;
        region_caller_cpu = caller_cpu;
      }
      if (slept && region_caller_cpu >= 0 && current_cpu() == region_caller_cpu) move_off_cpu(region_caller_cpu);
      if (index < threads && join(seen)) {
        ParallelContext ctx(index, threads, &barrier);
        (*region_body)(ctx);
        finished.fetch_add(1, std::memory_order_acq_rel);
        idle_spins = 0;
      } else if (slept) {
        idle_spins = kSpinIterations;  // woken for nothing: back to sleep
      }
    }
  }

  // Starts workers until there are `count` (worker i serves thread index i + 1; the caller is thread 0), as
  // many as the system lets it: returns how many there are.
  int ensure_workers(int count) {
    while (static_cast<int>(wakes.size()) < count) {
      const int index = static_cast<int>(wakes.size()) + 1;
      try {
        wakes.push_back(std::make_unique<std::condition_variable>());
        std::condition_variable* wake = wakes.back().get();
        std::thread([this, index, wake] { worker_loop(index, *wake); }).detach();
      } catch (const std::exception&) {  // out of threads or memory: run on the workers there are
        if (static_cast<int>(wakes.size()) == index) wakes.pop_back();
        break;
      }
    }
    return static_cast<int>(wakes.size());
  }
};

ThreadPool::ThreadPool() : state_(new State) {
  state_->max_threads = default_thread_count();
  // A forked child (Python multiprocessing, a shell-out) has none of the parent's workers: forget them, so
  // that the child's first region starts new ones instead of waiting forever for threads that are gone.
  // The mutex and condition variable are rebuilt in place: a worker may have held the lock at fork time.
  pthread_atfork(nullptr, nullptr, [] {
    State& s = *ThreadPool::global().state_;
    // The parent's workers' wake-ups are left undestroyed (a worker may have been waiting on one at fork
    // time): a few bytes each, once per fork.
    for (auto& wake : s.wakes) (void)wake.release();
    s.wakes.clear();
    new (&s.lock) std::mutex();
    s.busy.store(false);
    t_inside_region = false;
  });
}

ThreadPool& ThreadPool::global() {
  // Never destroyed: workers may still be parked at exit, and static destruction order is not ours.
  static ThreadPool* pool = new ThreadPool;
  return *pool;
}

int ThreadPool::max_threads() const {
  int n = state_->max_threads.load();
  return t_thread_limit > 0 ? std::min(n, t_thread_limit) : n;
}

ScopedThreadLimit::ScopedThreadLimit(int threads) : previous_(t_thread_limit) {
  t_thread_limit = threads < 1 ? previous_ : threads;
}

ScopedThreadLimit::~ScopedThreadLimit() { t_thread_limit = previous_; }

void ThreadPool::set_max_threads(int threads) { state_->max_threads = threads < 1 ? 1 : threads; }

void ThreadPool::parallel(int threads, RegionBody body) { run_region(threads, body, false); }

void ThreadPool::parallel_shares(int shares, ShareBody body) {
  constexpr int kMaxShares = 64;  // one bit each in `started`
  if (shares <= 1) {  // a tiny GEMM's one share: no region, no claim bits (it runs on the caller either way)
    if (shares == 1) body(0);
    return;
  }
  if (shares > kMaxShares) {
    // Too many to track: share t on thread t, every thread waited for (each runs the shares of its index).
    parallel(shares, [&](ParallelContext& ctx) {
      for (int share = ctx.thread(); share < shares; share += ctx.threads()) body(share);
    });
    return;
  }
  std::atomic<uint64_t> started{0};
  run_region(
      shares,
      [&](ParallelContext& ctx) {
        for (int i = 0; i < shares; ++i) {
          const int share = (ctx.thread() + i) % shares;
          const uint64_t bit = uint64_t{1} << share;
          if ((started.fetch_or(bit, std::memory_order_acq_rel) & bit) == 0) body(share);
        }
      },
      true);
}

void ThreadPool::run_region(int threads, RegionBody body, bool late_workers_may_skip) {
  State& s = *state_;
  int n = std::min(threads, max_threads());
  auto run_alone = [&body] {
    ParallelContext solo(0, 1, nullptr);
    body(solo);
  };
  bool expected = false;
  if (n <= 1 || t_inside_region || !s.busy.compare_exchange_strong(expected, true)) return run_alone();
  {
    std::lock_guard<std::mutex> guard(s.lock);
    n = std::min(n, s.ensure_workers(n - 1) + 1);
    if (n > 1) {
      s.body = &body;
      s.region_threads = n;
      s.caller_cpu = current_cpu();
      s.barrier.threads = n;
      s.finished.store(0, std::memory_order_relaxed);
      const uint64_t generation = s.generation.load(std::memory_order_relaxed) + 1;
      s.admission.store(State::admission_of(generation), std::memory_order_relaxed);
      s.generation.store(generation, std::memory_order_release);
    }
  }
  if (n <= 1) {  // no worker could be started
    s.busy.store(false, std::memory_order_release);
    return run_alone();
  }
  // The workers are started before they are woken, and never removed but by a fork: reading the vector
  // without the lock is safe from this caller, which holds `busy`.
  for (int worker = 0; worker < n - 1; ++worker) s.wakes[static_cast<size_t>(worker)]->notify_one();

  t_inside_region = true;
  ParallelContext ctx(0, n, &s.barrier);
  body(ctx);
  t_inside_region = false;

  // Wait for the workers that run the body: all of them, or only those that joined before the caller ran
  // out of work, when the body lets any thread's share run on another.
  int workers = n - 1;
  if (late_workers_may_skip) {
    workers = static_cast<int>(s.admission.fetch_or(State::kClosed, std::memory_order_acq_rel) & State::kJoinedMask);
  }
  spin_until([&] { return s.finished.load(std::memory_order_acquire) >= workers; });
  s.busy.store(false, std::memory_order_release);
}

}  // namespace armory
