#include "bench/python_peer.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

extern char** environ;

namespace armory::bench {

std::string python_peer_script() { return std::string(ARMORY_SOURCE_DIR) + "/src/bench/python_peer.py"; }

Result<std::unique_ptr<PythonPeer>> PythonPeer::start(const std::string& library, int threads) {
  const char* interpreter = std::getenv("ARMORY_BENCH_PYTHON");
  std::string python = interpreter && *interpreter ? interpreter : "/usr/bin/python3";
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return error(Errc::io_error, "pipe: " + std::string(std::strerror(errno)));
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    return error(Errc::io_error, "pipe: " + std::string(std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  // The peer's own thread settings: every BLAS and OpenMP runtime it may load reads one of these.
  std::vector<std::string> env_strings;
  const std::string t = std::to_string(threads);
  for (const char* name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"}) {
    env_strings.push_back(std::string(name) + "=" + t);
  }
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    bool overridden = false;
    for (const auto& mine : env_strings) overridden = overridden || entry.compare(0, mine.find('=') + 1, mine, 0, mine.find('=') + 1) == 0;
    if (!overridden) env_strings.push_back(entry);
  }
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string script = python_peer_script();
  std::vector<std::string> args = {python, script, library, t};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, python.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (rc != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    return error(Errc::not_found, "cannot start " + python + ": " + std::strerror(rc));
  }
  std::unique_ptr<PythonPeer> peer(new PythonPeer);
  peer->pid_ = pid;
  peer->to_child_ = in_pipe[1];
  peer->from_child_ = out_pipe[0];
  auto hello = peer->read_line();
  if (!hello) return error(Errc::not_found, library + ": " + hello.status().message());
  auto j = nlohmann::json::parse(hello.value(), nullptr, false);
  if (j.is_discarded()) return error(Errc::not_found, library + ": unexpected answer '" + hello.value() + "'");
  if (j.contains("missing")) return error(Errc::not_found, library + " (" + python + "): " + j["missing"].get<std::string>());
  peer->version_ = j.value("version", "");
  return peer;
}

PythonPeer::~PythonPeer() {
  if (to_child_ >= 0) close(to_child_);  // end of input: the peer's loop ends
  if (from_child_ >= 0) close(from_child_);
  if (pid_ > 0) {
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      usleep(20000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

Result<std::string> PythonPeer::read_line() {
  // A case may take minutes (the slowest peer at the largest size), but a peer that says nothing for ten
  // is stuck.
  constexpr int kTimeoutMs = 600000;
  while (true) {
    auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd p{from_child_, POLLIN, 0};
    int ready = poll(&p, 1, kTimeoutMs);
    if (ready == 0) return error(Errc::io_error, "the peer did not answer in 10 minutes");
    if (ready < 0) {
      if (errno == EINTR) continue;
      return error(Errc::io_error, std::string("poll: ") + std::strerror(errno));
    }
    char chunk[4096];
    ssize_t n = read(from_child_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return error(Errc::io_error, "the peer exited");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

Result<std::string> PythonPeer::ask(const std::string& request_json) {
  std::string line = request_json + "\n";
  for (size_t done = 0; done < line.size();) {
    ssize_t n = write(to_child_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return error(Errc::io_error, "the peer exited");
    done += static_cast<size_t>(n);
  }
  return read_line();
}

Result<Timing> PythonPeer::measure(const std::string& request_json) {
  auto answer = ask(request_json);
  if (!answer) return answer.status();
  auto j = nlohmann::json::parse(answer.value(), nullptr, false);
  if (j.is_discarded()) return error(Errc::io_error, "unexpected answer '" + answer.value() + "'");
  if (j.contains("unsupported")) return error(Errc::unsupported, j["unsupported"].get<std::string>());
  if (j.contains("error")) return error(Errc::internal, j["error"].get<std::string>());
  return Timing{j.value("median", 0.0), j.value("min", 0.0), j.value("max", 0.0)};
}

}  // namespace armory::bench
