#include "gemm/thread_pool.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace armory {
namespace {

// The move a worker makes when it wakes on its caller's CPU: off that CPU, affinity unchanged after.
TEST(ThreadPool, MoveOffCpuLeavesTheCpuAndKeepsTheAffinity) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  if (CPU_COUNT(&allowed) < 2) GTEST_SKIP() << "needs two CPUs to move between";
  int first = 0;
  while (!CPU_ISSET(first, &allowed)) ++first;
  cpu_set_t only_first;
  CPU_ZERO(&only_first);
  CPU_SET(first, &only_first);
  ASSERT_EQ(sched_setaffinity(0, sizeof(only_first), &only_first), 0);  // takes effect before it returns
  const int before = sched_getcpu();
  ASSERT_EQ(sched_setaffinity(0, sizeof(allowed), &allowed), 0);
  if (before != first) GTEST_SKIP() << "sched_getcpu does not report this thread's CPU (emulated?)";

  move_off_cpu(first);
  EXPECT_NE(sched_getcpu(), first);
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &allowed)) << "the affinity mask was not restored";

  move_off_cpu(-1);  // not a CPU: nothing happens
  ASSERT_EQ(sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &allowed));
}

TEST(ThreadPool, RunsEveryThreadIndexOnce) {
  ThreadPool& pool = ThreadPool::global();
  pool.set_max_threads(3);
  std::vector<std::atomic<int>> hits(3);
  std::atomic<int> width{0};
  pool.parallel(3, [&](ParallelContext& ctx) {
    hits[ctx.thread()]++;
    width = ctx.threads();
  });
  if (width == 3) {
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  } else {
    EXPECT_EQ(width.load(), 1);  // the pool was busy: the caller ran it alone
    EXPECT_EQ(hits[0].load(), 1);
  }
}

// Regions of alternating width: a worker left out of one region must not run the next one's body twice
// (it once read a finished region's generation with the next region's width).
TEST(ThreadPool, AlternatingWidthsRunEachBodyOncePerThread) {
  ThreadPool& pool = ThreadPool::global();
  pool.set_max_threads(3);
  for (int round = 0; round < 500; ++round) {
    int width = round % 2 == 0 ? 2 : 3;
    std::vector<std::atomic<int>> hits(3);
    std::atomic<int> seen_width{0};
    pool.parallel(width, [&](ParallelContext& ctx) {
      hits[ctx.thread()]++;
      seen_width = ctx.threads();
    });
    for (int t = 0; t < seen_width.load(); ++t) ASSERT_EQ(hits[t].load(), 1) << "round " << round << " thread " << t;
    for (int t = seen_width.load(); t < 3; ++t) ASSERT_EQ(hits[t].load(), 0) << "round " << round << " thread " << t;
  }
}

TEST(ThreadPool, SharesRunEachShareOnce) {
  ThreadPool& pool = ThreadPool::global();
  for (int max_threads : {1, 2, 3}) {
    pool.set_max_threads(max_threads);
    for (int shares : {1, 2, 3, 7, 64, 65, 130}) {  // above 64 shares the pool runs share t on thread t
      std::vector<std::atomic<int>> hits(static_cast<size_t>(shares));
      pool.parallel_shares(shares, [&](int share) { hits[static_cast<size_t>(share)]++; });
      for (int s = 0; s < shares; ++s) {
        ASSERT_EQ(hits[static_cast<size_t>(s)].load(), 1)
            << shares << " shares, " << max_threads << " threads, share " << s;
      }
    }
  }
}

// Share regions between ordinary ones, some after pauses long enough for the workers to fall asleep: a
// worker that wakes after its share region closed must neither run that region's body (it is gone: its
// counters below are per round, on the stack) nor take a place in the next region.
TEST(ThreadPool, LateWorkersNeverRunAClosedRegion) {
  ThreadPool& pool = ThreadPool::global();
  pool.set_max_threads(3);
  for (int round = 0; round < 400; ++round) {
    if (round % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
    std::vector<std::atomic<int>> hits(3);
    if (round % 3 == 0) {
      std::atomic<int> width{0};
      pool.parallel(3, [&](ParallelContext& ctx) {
        hits[static_cast<size_t>(ctx.thread())]++;
        width = ctx.threads();
      });
      for (int t = 0; t < width.load(); ++t) ASSERT_EQ(hits[static_cast<size_t>(t)].load(), 1) << "round " << round;
    } else {
      pool.parallel_shares(3, [&](int share) { hits[static_cast<size_t>(share)]++; });
      for (int s = 0; s < 3; ++s) ASSERT_EQ(hits[static_cast<size_t>(s)].load(), 1) << "round " << round;
    }
  }
}

TEST(ThreadPool, BarrierSeparatesPhases) {
  ThreadPool& pool = ThreadPool::global();
  pool.set_max_threads(2);
  for (int round = 0; round < 200; ++round) {
    std::atomic<int> phase_one{0};
    std::atomic<bool> ok{true};
    pool.parallel(2, [&](ParallelContext& ctx) {
      phase_one++;
      ctx.barrier();
      if (phase_one.load() != ctx.threads()) ok = false;
      ctx.barrier();
    });
    ASSERT_TRUE(ok) << "round " << round;
  }
}

TEST(ThreadPool, NestedRegionsRunInline) {
  ThreadPool& pool = ThreadPool::global();
  pool.set_max_threads(2);
  std::atomic<int> inner_width{0};
  pool.parallel(2, [&](ParallelContext& ctx) {
    pool.parallel(2, [&](ParallelContext& inner) { inner_width = inner.threads(); });
  });
  EXPECT_EQ(inner_width.load(), 1);
}

TEST(ThreadPool, ConcurrentHostThreadsNeverDeadlock) {
  ThreadPool& pool = ThreadPool::global();
  pool.set_max_threads(2);
  std::atomic<long> total{0};
  std::vector<std::thread> hosts;
  for (int h = 0; h < 4; ++h) {
    hosts.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        pool.parallel(2, [&](ParallelContext& ctx) {
          total++;
          ctx.barrier();
        });
      }
    });
  }
  for (auto& t : hosts) t.join();
  EXPECT_GE(total.load(), 4 * 300);
}

// A child forked after the pool has started workers must be able to run parallel regions of its own
// (Python's multiprocessing forks after NumPy has used the BLAS).
// qemu-user (7.2) aborts when a multithreaded guest forks; such a run shows the x86 host's /proc/cpuinfo.
bool emulated_aarch64() {
#if defined(__aarch64__)
  std::ifstream in("/proc/cpuinfo");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.find("Features") == std::string::npos;
#else
  return false;
#endif
}

TEST(ThreadPool, WorksInAForkedChild) {
  if (emulated_aarch64()) GTEST_SKIP() << "qemu-user cannot fork a multithreaded guest";
  ThreadPool& pool = ThreadPool::global();
  pool.set_max_threads(2);
  std::atomic<int> ran{0};
  pool.parallel(2, [&](ParallelContext&) { ran++; });
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::atomic<int> in_child{0};
    for (int i = 0; i < 50; ++i) {
      pool.parallel(2, [&](ParallelContext& ctx) {
        in_child++;
        ctx.barrier();
      });
    }
    _exit(in_child.load() >= 50 ? 0 : 1);
  }
  // A hang would be the bug: give the child 20 s, then kill it.
  int status = 0;
  pid_t reaped = 0;
  for (int waited = 0; waited < 2000 && (reaped = waitpid(child, &status, WNOHANG)) == 0; ++waited) usleep(10000);
  if (reaped != child) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL() << "the forked child hung in a parallel region";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ThreadPool, ThreadCountFromEnvironment) {
  setenv("ARMORY_NUM_THREADS", "3", 1);
  EXPECT_EQ(default_thread_count(), std::min(3, cpu_thread_limit()));
  setenv("ARMORY_NUM_THREADS", "junk", 1);
  setenv("OMP_NUM_THREADS", "5,2", 1);
  EXPECT_EQ(default_thread_count(), std::min(5, cpu_thread_limit()));
  setenv("OMP_NUM_THREADS", "1", 1);
  EXPECT_EQ(default_thread_count(), 1);
  setenv("ARMORY_NUM_THREADS", "100000", 1);  // beyond the CPUs: capped
  EXPECT_EQ(default_thread_count(), cpu_thread_limit());
  setenv("ARMORY_NUM_THREADS", "1x", 1);  // not a count: OMP_NUM_THREADS decides
  EXPECT_EQ(default_thread_count(), 1);
  unsetenv("ARMORY_NUM_THREADS");
  unsetenv("OMP_NUM_THREADS");
  EXPECT_GE(default_thread_count(), 1);
  EXPECT_LE(default_thread_count(), cpu_thread_limit());
}

// What counts as a thread count, for the pool and the doctor alike: libgomp takes spaces around the
// number and a list for nested levels, and no trailing junk.
TEST(ThreadPool, ThreadCountValues) {
  EXPECT_EQ(parse_thread_count("4"), 4);
  EXPECT_EQ(parse_thread_count(" 4 "), 4);
  EXPECT_EQ(parse_thread_count("4,2"), 4);
  EXPECT_EQ(parse_thread_count("4 ,2"), 4);
  EXPECT_GT(parse_thread_count("99999999999999999999"), 1024);  // huge, not wrapped negative
  for (const char* not_a_count : {"", " ", "0", "-3", "+", "abc", "1x", "2.5", ",4", "0,4"}) {
    EXPECT_EQ(parse_thread_count(not_a_count), 0) << '"' << not_a_count << '"';
  }
}

// A thread's voluntary context switches (one more each time it sleeps), or -1 where /proc does not say.
long voluntary_switches(long tid) {
  std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(24));
  }
  return -1;
}

// A region wakes only the workers it runs on: the others sleep on. One wake-up for all once woke every
// worker for every region (each spinning a while before sleeping again), so narrow regions on a pool that
// had once run wide kept every core busy.
TEST(ThreadPool, RegionsWakeOnlyTheWorkersTheyRunOn) {
  constexpr int kWide = 6;
  ThreadPool& pool = ThreadPool::global();
  const int before = pool.max_threads();
  pool.set_max_threads(kWide);
  std::vector<std::atomic<long>> tids(kWide);
  std::atomic<int> width{0};
  pool.parallel(kWide, [&](ParallelContext& ctx) {
    tids[static_cast<size_t>(ctx.thread())] = syscall(SYS_gettid);
    width = ctx.threads();
  });
  if (width != kWide) GTEST_SKIP() << "the pool ran the wide region on " << width << " threads";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // every worker spins out and sleeps
  // The workers 2-thread regions leave out: thread indices 2 and up.
  std::vector<long> asleep;
  for (int t = 2; t < kWide; ++t) asleep.push_back(voluntary_switches(tids[static_cast<size_t>(t)]));
  if (std::count(asleep.begin(), asleep.end(), -1) > 0) GTEST_SKIP() << "/proc does not show the workers' switches";
  pool.set_max_threads(2);
  for (int round = 0; round < 50; ++round) {
    pool.parallel(2, [&](ParallelContext& ctx) { ctx.barrier(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pool.set_max_threads(before);
  for (int t = 2; t < kWide; ++t) {
    EXPECT_EQ(voluntary_switches(tids[static_cast<size_t>(t)]), asleep[static_cast<size_t>(t - 2)])
        << "thread " << t << " woke for 2-thread regions";
  }
}

// A worker the system will not start (out of threads or address space) leaves the region to the threads
// there are, the caller alone at worst: the body runs, nothing throws or aborts.
TEST(ThreadPool, RunsOnTheCallerWhenNoWorkerCanStart) {
  if (emulated_aarch64()) GTEST_SKIP() << "qemu-user cannot fork a multithreaded guest";
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory needs the address space this test takes away";
#else
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The forked pool has no workers; with the address space capped just above what is mapped, a new
    // thread's stack cannot be mapped (the parent's workers' stacks, which glibc keeps for reuse in a
    // child, give a few their stacks: 32 threads are more than that).
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    statm >> pages;
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max =
        static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (1 << 20);
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(2);
    constexpr int kWanted = 32;
    ThreadPool& pool = ThreadPool::global();
    pool.set_max_threads(kWanted);
    std::atomic<int> width{0}, runs{0};
    std::atomic<uint64_t> indices{0};
    pool.parallel(kWanted, [&](ParallelContext& ctx) {
      width = ctx.threads();
      ++runs;
      indices |= uint64_t{1} << ctx.thread();
      ctx.barrier();
    });
    const bool every_index_once = runs == width && indices == (uint64_t{1} << width) - 1;
    std::atomic<int> shares_run{0};
    pool.parallel_shares(kWanted, [&](int) { ++shares_run; });
    if (!every_index_once || shares_run != kWanted) _exit(1);
    _exit(width < kWanted ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died (signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: a thread index or share did not run exactly once; 2: setrlimit failed; 3: "
                                       "every worker started (the limit did not bite)";
#endif
}

}  // namespace
}  // namespace armory
