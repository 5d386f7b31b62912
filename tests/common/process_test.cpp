// Running another program: its output and exit status, a missing program, and one that does not finish
// in the time it is given (the doctor probes every Python it finds, and one may hang).
#include "common/process.h"

#include <gtest/gtest.h>

#include <chrono>

namespace armory {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(RunProcess, OutputAndExitStatus) {
  auto run = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"}, 30);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_NE(run->output.find("out\n"), std::string::npos);
  EXPECT_NE(run->output.find("err\n"), std::string::npos);
  auto untimed = run_process({"sh", "-c", "echo fine"});
  ASSERT_TRUE(untimed.ok());
  EXPECT_EQ(untimed->output, "fine\n");
  EXPECT_EQ(run_process({"/nonexistent/program"}).status().code(), Errc::not_found);
}

TEST(RunProcess, AProgramThatDoesNotFinishIsStopped) {
  // Still printing, silent, and with its output closed: each is stopped at the deadline.
  for (const char* script : {"while :; do echo tick; sleep 0.05; done", "sleep 30", "exec >&- 2>&-; sleep 30"}) {
    const auto start = std::chrono::steady_clock::now();
    auto run = run_process({"sh", "-c", script}, 0.5);
    const double took = seconds_since(start);
    ASSERT_FALSE(run.ok()) << script;
    EXPECT_EQ(run.status().code(), Errc::io_error);
    EXPECT_EQ(run.status().message(), "sh did not finish within 0.5 s and was stopped");
    EXPECT_GE(took, 0.45) << script;
    EXPECT_LT(took, 10) << script;
  }
}

}  // namespace
}  // namespace armory
