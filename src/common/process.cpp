#include "common/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

extern char** environ;

namespace armory {

Result<ProcessOutput> run_process(const std::vector<std::string>& argv, double timeout_seconds) {
  if (argv.empty()) return error(Errc::invalid_argument, "run_process: empty command");
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return error(Errc::io_error, std::string("pipe: ") + std::strerror(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  const int spawn_error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawn_error != 0) {
    close(pipe_fds[0]);
    return error(Errc::not_found, "cannot run " + argv[0] + ": " + std::strerror(spawn_error));
  }

  ProcessOutput result;
  char buffer[4096];
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_seconds > 0 ? timeout_seconds : 0));
  bool timed_out = false;
  while (true) {
    int wait_ms = -1;
    if (timeout_seconds > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<long long>(left, 60'000));
    }
    pollfd readable{pipe_fds[0], POLLIN, 0};
    const int ready = poll(&readable, 1, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;  // interrupted, or the wait ran out: the deadline decides
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    result.output.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);  // a child the program started may still hold the pipe: it is not read any further
  int status = 0;
  auto reap = [&](int flags) {
    pid_t reaped;
    while ((reaped = waitpid(pid, &status, flags)) < 0 && errno == EINTR) {
    }
    return reaped;
  };
  // Output closed is not the program done: with a deadline, it must also exit by then.
  while (!timed_out && timeout_seconds > 0 && reap(WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      timed_out = true;
    } else {
      usleep(10'000);
    }
  }
  if (timeout_seconds <= 0) reap(0);
  if (timed_out) {
    kill(pid, SIGKILL);
    reap(0);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", timeout_seconds);
    return error(Errc::io_error, argv[0] + " did not finish within " + seconds + " s and was stopped");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // posix_spawnp of a missing program fails in the child on some libcs: exit 127 with no output.
  if (result.exit_code == 127 && result.output.empty()) {
    return error(Errc::not_found, "cannot run " + argv[0] + ": not found");
  }
  return result;
}

}  // namespace armory
