#include "bench/server.h"

#include "bench/report.h"

#include <armory/isa.h>
#include <armory/version.h>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

namespace armory::bench {

namespace {

std::atomic<bool> g_serving{true};
void stop_serving(int) { g_serving = false; }

HttpResponse text(int status, const std::string& body) { return {status, "text/plain; charset=utf-8", body + "\n"}; }

HttpResponse json(const nlohmann::json& body) { return {200, "application/json", body.dump(1) + "\n"}; }

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> params;
  std::stringstream in(query);
  std::string pair;
  while (std::getline(in, pair, '&')) {
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    params[percent_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
  }
  return params;
}

// A run id from a parameter: digits only, > 0.
bool parse_id(const std::string& s, int64_t& id) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  id = std::stoll(s);
  return id > 0;
}

nlohmann::json run_json(const RunInfo& r) {
  nlohmann::json libs = nlohmann::json::parse(r.libraries, nullptr, false);
  return {{"id", r.id}, {"started_at", r.started_at}, {"finished_at", r.finished_at}, {"status", r.status},
          {"host", r.host}, {"cpu_model", r.cpu_model}, {"uarch", r.uarch}, {"isa", r.isa}, {"cores", r.cores},
          {"kernel", r.kernel}, {"armory_version", r.armory_version}, {"git_commit", r.git_commit},
          {"dispatch", r.dispatch}, {"libraries", libs.is_discarded() ? nlohmann::json::object() : libs},
          {"command", r.command}};
}

nlohmann::json result_json(const CaseResult& r, const std::vector<CaseResult>& all) {
  nlohmann::json j = {{"suite", r.suite}, {"case", r.name}, {"library", r.library}, {"precision", r.precision},
                      {"m", r.m}, {"n", r.n}, {"k", r.k}, {"batch", r.batch}, {"vectors", r.vectors},
                      {"threads", r.threads}, {"repeat", r.repeat}, {"median_seconds", r.seconds.median},
                      {"min_seconds", r.seconds.min}, {"max_seconds", r.seconds.max}};
  if (r.gflops() > 0) j["gflops"] = r.gflops();
  if (r.peak_gflops > 0) j["peak_gflops"] = r.peak_gflops;
  if (double ratio = ratio_to_armory(r, all); ratio > 0) j["armory_speedup"] = ratio;
  return j;
}

HttpResponse page(const Result<std::string>& html) {
  if (!html) return text(html.status().code() == Errc::not_found ? 404 : 500, html.status().message());
  return {200, "text/html; charset=utf-8", html.value()};
}

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string metrics_text(const Store& store) {
  std::ostringstream m;
  m << "# HELP armory_build_info The armory serving these metrics: version and the ISA it dispatches.\n"
    << "# TYPE armory_build_info gauge\n"
    << "armory_build_info{version=\"" << label_value(build_info().version) << "\",isa=\""
    << label_value(dispatched_isa_name()) << "\"} 1\n";
  auto runs = store.runs();
  if (!runs) return m.str();
  m << "# HELP armory_bench_runs Runs in the results database.\n# TYPE armory_bench_runs gauge\n"
    << "armory_bench_runs " << runs->size() << "\n";
  // The newest run that measured each suite supplies that suite's figures; older runs are not read once the
  // three are found (a scrape read the whole history every 15 s).
  std::map<std::string, std::vector<CaseResult>> newest;
  for (const RunInfo& run : runs.value()) {
    if (std::all_of(kSuiteNames.begin(), kSuiteNames.end(), [&](const std::string& s) { return newest.count(s); }))
      break;
    auto results = store.results(run.id);
    if (!results) continue;
    std::set<std::string> suites;
    for (const auto& r : results.value()) suites.insert(r.suite);
    for (const auto& suite : suites) {
      if (newest.count(suite)) continue;
      for (const auto& r : results.value()) {
        if (r.suite == suite) newest[suite].push_back(r);
      }
    }
  }
  m << "# HELP armory_gemm_gflops GEMM throughput per library (newest run with GEMM results).\n"
    << "# TYPE armory_gemm_gflops gauge\n";
  for (const auto& r : newest["gemm"]) {
    std::string n = r.m == r.n && r.n == r.k ? std::to_string(r.n) : std::to_string(r.m) + "x" + std::to_string(r.n) + "x" + std::to_string(r.k);
    m << "armory_gemm_gflops{lib=\"" << label_value(r.library) << "\",dtype=\"" << label_value(r.precision) << "\",n=\""
      << n << "\",threads=\"" << r.threads << "\"} " << r.gflops() << "\n";
  }
  m << "# HELP armory_svd_seconds Seconds per SVD per library (newest run with SVD results).\n"
    << "# TYPE armory_svd_seconds gauge\n";
  for (const auto& r : newest["svd"]) {
    m << "armory_svd_seconds{lib=\"" << label_value(r.library) << "\",dtype=\"" << label_value(r.precision) << "\",n=\""
      << r.m << "x" << r.n << "\",vectors=\"" << (r.vectors ? "true" : "false") << "\",threads=\"" << r.threads
      << "\"} " << r.seconds.median << "\n";
  }
  m << "# HELP armory_resnet50_seconds Seconds per ResNet50 batch per library (newest run with ResNet50 results).\n"
    << "# TYPE armory_resnet50_seconds gauge\n";
  for (const auto& r : newest["resnet50"]) {
    m << "armory_resnet50_seconds{lib=\"" << label_value(r.library) << "\",precision=\""
      << (r.precision == "f32:bf16" ? "bf16" : "fp32") << "\",batch=\"" << r.batch << "\",threads=\"" << r.threads
      << "\"} " << r.seconds.median << "\n";
  }
  return m.str();
}

HttpResponse handle_request(const Store& store, const std::string& method, const std::string& target) {
  if (method != "GET" && method != "HEAD") return text(405, "only GET is served here");
  if (target.empty() || target[0] != '/' || target.size() > 2048) return text(400, "bad request target");
  const auto q = target.find('?');
  const std::string path = target.substr(0, q);
  const auto params = parse_query(q == std::string::npos ? "" : target.substr(q + 1));

  if (path == "/" || path == "/index.html") {
    auto runs = store.runs();
    if (runs && runs->empty()) {
      return {200, "text/html; charset=utf-8",
              "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>armory bench</title></head><body>"
              "<h1>armory bench</h1><p>No runs yet: run <code>armory bench</code> with this database.</p>"
              "<script>document.body.dataset.ready = \"1\";</script></body></html>\n"};
    }
    return page(render_report(store, 0, 0));
  }
  if (path.rfind("/runs/", 0) == 0) {
    int64_t id;
    if (!parse_id(path.substr(6), id)) return text(400, "a run id is a positive integer: /runs/ID");
    return page(render_report(store, id, 0));
  }
  if (path == "/compare") {
    int64_t a, b;
    if (!params.count("a") || !params.count("b") || !parse_id(params.at("a"), a) || !parse_id(params.at("b"), b)) {
      return text(400, "compare takes two run ids: /compare?a=ID&b=ID");
    }
    return page(render_report(store, a, b));
  }
  if (path == "/api/runs") {
    auto runs = store.runs();
    if (!runs) return text(500, runs.status().message());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : runs.value()) list.push_back(run_json(r));
    return json(list);
  }
  if (path == "/api/results") {
    int64_t id = 0;
    if (params.count("run") && !parse_id(params.at("run"), id)) return text(400, "run must be a positive integer");
    if (id == 0) {
      auto runs = store.runs();
      if (!runs) return text(500, runs.status().message());
      if (runs->empty()) return json(nlohmann::json::array());
      id = runs->front().id;
    }
    auto run = store.run(id);
    if (!run) return text(500, run.status().message());
    if (!run->has_value()) return text(404, "no run " + std::to_string(id));
    auto results = store.results(id);
    if (!results) return text(500, results.status().message());
    for (const auto& [key, value] : params) {
      if (key != "run" && key != "suite" && key != "library") {
        return text(400, "unknown parameter '" + key + "' (run, suite, library)");
      }
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : results.value()) {
      if (params.count("suite") && params.at("suite") != r.suite) continue;
      if (params.count("library") && params.at("library") != r.library) continue;
      list.push_back(result_json(r, results.value()));
    }
    return json(list);
  }
  if (path == "/metrics") return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_text(store)};
  if (path == "/healthz") return text(200, "ok");
  return text(404, "not found: " + path + " (/, /runs/ID, /compare?a=&b=, /api/runs, /api/results, /metrics)");
}

namespace {

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

void send_all(int fd, const std::string& data) {
  for (size_t done = 0; done < data.size();) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// How long a client has to send its request head, in all: a deadline per read let a client sending a byte
// every few seconds hold its connection for hours.
constexpr auto kHeadDeadline = std::chrono::seconds(5);

// Reads the request head (to the blank line) by the deadline; false with a status when it cannot.
bool read_head(int fd, std::string& head, int& status) {
  constexpr size_t kMaxHead = 16 * 1024;
  const auto deadline = std::chrono::steady_clock::now() + kHeadDeadline;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    if (head.size() > kMaxHead) {
      status = 413;
      return false;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    int ready = left > 0 ? poll(&p, 1, static_cast<int>(left)) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      status = 408;
      return false;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = 0;  // the client went away
      return false;
    }
    head.append(buf, static_cast<size_t>(n));
  }
  return true;
}

std::string response_text(const HttpResponse& response, const std::string& method) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) +
                    "\r\nContent-Type: " + response.content_type +
                    "\r\nContent-Length: " + std::to_string(response.body.size()) +
                    "\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n";
  if (method != "HEAD") out += response.body;
  return out;
}

void serve_connection(int fd, const Store& store, std::FILE* log) {
  std::string head;
  int status = 400;
  HttpResponse response;
  std::string method, target;
  if (!read_head(fd, head, status)) {
    if (status == 0) return;
    response = text(status, status == 413 ? "request head too large" : "request timed out");
  } else {
    std::istringstream line(head.substr(0, head.find_first_of("\r\n")));
    std::string version;
    line >> method >> target >> version;
    if (method.empty() || target.empty() || version.rfind("HTTP/1.", 0) != 0) {
      response = text(400, "malformed request line");
    } else {
      response = handle_request(store, method, target);
    }
  }
  send_all(fd, response_text(response, method));
  if (log) {
    std::fprintf(log, "%s %s %d\n", method.empty() ? "-" : method.c_str(), target.empty() ? "-" : target.c_str(),
                 response.status);
    std::fflush(log);
  }
}

}  // namespace

Status serve(const ServeOptions& o, std::FILE* log) {
  if (o.port < 1 || o.port > 65535) return error(Errc::invalid_argument, "port must be 1..65535");
  auto store = Store::open_existing(o.db.empty() ? Store::default_path() : o.db);
  if (!store) return store.status();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string port = std::to_string(o.port);
  if (int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &addresses); rc != 0) {
    return error(Errc::invalid_argument, "cannot resolve host '" + o.host + "': " + gai_strerror(rc));
  }
  int listener = -1;
  std::string why = "no address";
  for (addrinfo* a = addresses; a && listener < 0; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 64) == 0) {
      listener = fd;
    } else {
      why = std::strerror(errno);
      close(fd);
    }
  }
  freeaddrinfo(addresses);
  if (listener < 0) return error(Errc::io_error, "cannot listen on " + o.host + ":" + port + ": " + why);
  if (log) {
    std::fprintf(log, "armory serve: http://%s:%d/ (metrics at /metrics), database %s\n", o.host.c_str(), o.port,
                 o.db.empty() ? Store::default_path().c_str() : o.db.c_str());
    std::fflush(log);
  }
  g_serving = true;
  struct sigaction action {};
  action.sa_handler = stop_serving;  // no SA_RESTART: poll returns, the loop sees the flag
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // A thread per connection: a browser's idle pre-connected socket or a slow client held everyone else
  // (a Prometheus scrape included) for as long as it took. The store is opened SQLITE_OPEN_FULLMUTEX, so the
  // threads share its connection; the count is capped, and the loop waits for them before the store closes.
  constexpr int kMaxConnections = 32;
  std::mutex mutex;
  std::condition_variable finished;
  int active = 0;
  while (g_serving) {
    pollfd p{listener, POLLIN, 0};
    int ready = poll(&p, 1, 500);
    if (ready <= 0) continue;
    int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const timeval send_timeout{10, 0};  // a client that stops reading gives up its thread too
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    std::unique_lock lock(mutex);
    if (active == kMaxConnections) {
      lock.unlock();
      send_all(fd, response_text(text(503, "too many connections; try again"), "GET"));
      close(fd);
      continue;
    }
    ++active;
    lock.unlock();
    auto answer = [fd, &store, log, &mutex, &finished, &active] {
      serve_connection(fd, store.value(), log);
      close(fd);
      std::lock_guard done(mutex);
      --active;
      finished.notify_all();
    };
    try {
      std::thread(answer).detach();
    } catch (const std::system_error&) {  // no thread to be had: answer on this one
      answer();
    }
  }
  close(listener);
  std::unique_lock lock(mutex);
  finished.wait(lock, [&] { return active == 0; });
  return {};
}

}  // namespace armory::bench
