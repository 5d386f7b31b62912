#include "gemm/thread_pool.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
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
  EXPECT_EQ(default_thread_count(), 3);
  setenv("ARMORY_NUM_THREADS", "junk", 1);
  setenv("OMP_NUM_THREADS", "5,2", 1);
  EXPECT_EQ(default_thread_count(), 5);
  unsetenv("ARMORY_NUM_THREADS");
  unsetenv("OMP_NUM_THREADS");
  EXPECT_GE(default_thread_count(), 1);
}

}  // namespace
}  // namespace armory
