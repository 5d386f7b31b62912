#include "bench/store.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace armory::bench {

namespace {

// Schema version i + 1 is reached by running kMigrations[i]. Never edit a shipped step: add one.
const char* const kMigrations[] = {
    // 1: runs and results.
    R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  host TEXT, cpu_model TEXT, uarch TEXT, isa TEXT, cores INTEGER, kernel TEXT,
  armory_version TEXT, git_commit TEXT, dispatch TEXT, libraries TEXT, command TEXT);
CREATE TABLE results(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  suite TEXT NOT NULL, case_name TEXT NOT NULL, library TEXT NOT NULL, precision TEXT NOT NULL,
  m INTEGER, n INTEGER, k INTEGER, batch INTEGER, threads INTEGER NOT NULL, repeat INTEGER NOT NULL,
  median_s REAL NOT NULL, min_s REAL NOT NULL, max_s REAL NOT NULL, flops REAL, peak_gflops REAL);
CREATE INDEX results_by_run ON results(run_id);
)sql",
    // 2: SVD cases record whether vectors were computed; results say when they were measured; a run
    // records its process, so one killed mid-way can be told from one still running.
    R"sql(
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE results ADD COLUMN vectors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN recorded_at TEXT;
CREATE INDEX results_by_case ON results(suite, case_name, library, threads);
)sql",
};
static_assert(std::size(kMigrations) == Store::kSchemaVersion);

Status sqlite_error(sqlite3* db, const std::string& what) {
  return error(Errc::io_error, what + ": " + (db ? sqlite3_errmsg(db) : "cannot allocate"));
}

// One prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return stmt_; }
  void bind(int i, const std::string& v) { sqlite3_bind_text(stmt_, i, v.c_str(), -1, SQLITE_TRANSIENT); }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  std::string text(int i) {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t integer(int i) { return sqlite3_column_int64(stmt_, i); }
  double real(int i) { return sqlite3_column_double(stmt_, i); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

// Runs sql and returns SQLite's result code; on failure, message says why.
int run_sql(sqlite3* db, const char* sql, std::string& message) {
  char* text = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &text);
  if (rc != SQLITE_OK) message = text ? text : "unknown error";
  sqlite3_free(text);
  return rc;
}

Status exec(sqlite3* db, const char* sql, const std::string& what) {
  std::string message;
  if (run_sql(db, sql, message) != SQLITE_OK) return error(Errc::io_error, what + ": " + message);
  return {};
}

constexpr int kBusyTimeoutMs = 30000;

// WAL mode, set by every connection. Switching a new database's journal mode needs its exclusive lock, and
// SQLite returns SQLITE_BUSY there without calling the busy handler when another connection is doing the
// same: four suites started at once on a fresh file failed 4 times in 48 with "database is locked". So
// this step waits and retries itself, within the same timeout as every other write.
Status set_up_connection(sqlite3* db, const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    std::string message;
    const int rc = run_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", message);
    if (rc == SQLITE_OK) return {};
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline) {
      return error(Errc::io_error, what + ": " + message);
    }
    usleep(10 * 1000);
  }
}

RunInfo read_run(Statement& s) {
  RunInfo r;
  r.id = s.integer(0);
  r.started_at = s.text(1);
  r.finished_at = s.text(2);
  r.status = s.text(3);
  r.host = s.text(4);
  r.cpu_model = s.text(5);
  r.uarch = s.text(6);
  r.isa = s.text(7);
  r.cores = static_cast<int>(s.integer(8));
  r.kernel = s.text(9);
  r.armory_version = s.text(10);
  r.git_commit = s.text(11);
  r.dispatch = s.text(12);
  r.libraries = s.text(13);
  r.command = s.text(14);
  r.pid = s.integer(15);
  // A run still marked running whose process on this host is gone was killed: say so.
  if (r.status == "running" && r.pid > 0 && r.host == local_host_name() && ::kill(static_cast<pid_t>(r.pid), 0) != 0 &&
      errno == ESRCH) {
    r.status = "interrupted";
  }
  return r;
}

constexpr const char* kRunColumns =
    "id, started_at, finished_at, status, host, cpu_model, uarch, isa, cores, kernel, armory_version, git_commit, "
    "dispatch, libraries, command, pid";
constexpr const char* kResultColumns =
    "suite, case_name, library, precision, m, n, k, batch, threads, repeat, median_s, min_s, max_s, flops, "
    "peak_gflops, vectors, run_id";

CaseResult read_result(Statement& s) {
  CaseResult r;
  r.suite = s.text(0);
  r.name = s.text(1);
  r.library = s.text(2);
  r.precision = s.text(3);
  r.m = s.integer(4);
  r.n = s.integer(5);
  r.k = s.integer(6);
  r.batch = s.integer(7);
  r.threads = static_cast<int>(s.integer(8));
  r.repeat = static_cast<int>(s.integer(9));
  r.seconds = {s.real(10), s.real(11), s.real(12)};
  r.flops = s.real(13);
  r.peak_gflops = s.real(14);
  r.vectors = s.integer(15) != 0;
  return r;
}

}  // namespace

std::string local_host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

std::string utc_now_iso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Store::default_path() {
  if (const char* p = std::getenv("ARMORY_BENCH_DB"); p && *p) return p;
  std::filesystem::path base;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) {
    base = x;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::filesystem::path(home) / ".local" / "share";
  } else {
    base = ".";
  }
  return (base / "armory" / "bench.db").string();
}

Result<Store> Store::open(const std::string& path, int target_version) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  return open_with_flags(path, target_version, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

Result<Store> Store::open_existing(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return error(Errc::not_found,
                 "no results database at " + path + ": `armory bench` writes one there (or pass the --db it wrote to)");
  }
  // Read-write all the same: a database an older armory wrote is migrated before it is read.
  return open_with_flags(path, kSchemaVersion, SQLITE_OPEN_READWRITE);
}

Result<Store> Store::open_with_flags(const std::string& path, int target_version, int sqlite_flags) {
  if (target_version < 1 || target_version > kSchemaVersion) {
    return error(Errc::invalid_argument, "schema version " + std::to_string(target_version) + " does not exist");
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, sqlite_flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    Status s = sqlite_error(db, "cannot open the results database " + path);
    sqlite3_close(db);
    return s;
  }
  Store store(db);
  // Writers wait for each other instead of failing: two suites may run at once.
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (Status s = set_up_connection(db, "setting up " + path); !s) return s;
  if (Status s = store.migrate(target_version); !s) return error(s.code(), path + ": " + s.message());
  return store;
}

Status Store::migrate(int target_version) {
  // One writer migrates at a time; the others see the new version when they get the lock.
  if (Status s = exec(db_, "BEGIN IMMEDIATE", "locking for migration"); !s) return s;
  int version = schema_version();
  if (version > kSchemaVersion) {
    exec(db_, "ROLLBACK", "");
    return error(Errc::unsupported, "the database has schema version " + std::to_string(version) +
                                        ", newer than this armory understands (" + std::to_string(kSchemaVersion) +
                                        "): use a newer armory or another --db");
  }
  for (int v = version; v < target_version; ++v) {
    if (Status s = exec(db_, kMigrations[v], "migrating to schema version " + std::to_string(v + 1)); !s) {
      exec(db_, "ROLLBACK", "");
      return s;
    }
    std::string pragma = "PRAGMA user_version = " + std::to_string(v + 1);
    if (Status s = exec(db_, pragma.c_str(), "recording the schema version"); !s) {
      exec(db_, "ROLLBACK", "");
      return s;
    }
  }
  return exec(db_, "COMMIT", "committing the migration");
}

Store::~Store() {
  if (db_) sqlite3_close(db_);
}

Store::Store(Store&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

Store& Store::operator=(Store&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

int Store::schema_version() const {
  Statement s(db_, "PRAGMA user_version");
  return s.ok() && sqlite3_step(s.get()) == SQLITE_ROW ? static_cast<int>(s.integer(0)) : 0;
}

Result<int64_t> Store::begin_run(const RunInfo& info) {
  Statement s(db_,
              "INSERT INTO runs(started_at, status, host, cpu_model, uarch, isa, cores, kernel, armory_version, "
              "git_commit, dispatch, libraries, command, pid) VALUES(?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return sqlite_error(db_, "recording the run");
  s.bind(1, info.started_at.empty() ? utc_now_iso8601() : info.started_at);
  s.bind(2, info.host);
  s.bind(3, info.cpu_model);
  s.bind(4, info.uarch);
  s.bind(5, info.isa);
  s.bind(6, int64_t{info.cores});
  s.bind(7, info.kernel);
  s.bind(8, info.armory_version);
  s.bind(9, info.git_commit);
  s.bind(10, info.dispatch);
  s.bind(11, info.libraries);
  s.bind(12, info.command);
  s.bind(13, int64_t{::getpid()});
  if (sqlite3_step(s.get()) != SQLITE_DONE) return sqlite_error(db_, "recording the run");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::add_result(int64_t run_id, const CaseResult& r) {
  Statement s(db_,
              "INSERT INTO results(run_id, suite, case_name, library, precision, m, n, k, batch, threads, repeat, "
              "median_s, min_s, max_s, flops, peak_gflops, vectors, recorded_at) "
              "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return sqlite_error(db_, "storing a result");
  s.bind(1, run_id);
  s.bind(2, r.suite);
  s.bind(3, r.name);
  s.bind(4, r.library);
  s.bind(5, r.precision);
  s.bind(6, r.m);
  s.bind(7, r.n);
  s.bind(8, r.k);
  s.bind(9, r.batch);
  s.bind(10, int64_t{r.threads});
  s.bind(11, int64_t{r.repeat});
  s.bind(12, r.seconds.median);
  s.bind(13, r.seconds.min);
  s.bind(14, r.seconds.max);
  s.bind(15, r.flops);
  s.bind(16, r.peak_gflops);
  s.bind(17, int64_t{r.vectors ? 1 : 0});
  s.bind(18, utc_now_iso8601());
  // Autocommit: the row is durable when this returns, whatever happens to the process next.
  if (sqlite3_step(s.get()) != SQLITE_DONE) return sqlite_error(db_, "storing a result");
  return {};
}

Status Store::finish_run(int64_t run_id, const std::string& status) {
  Statement s(db_, "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?");
  if (!s.ok()) return sqlite_error(db_, "finishing the run");
  s.bind(1, status);
  s.bind(2, utc_now_iso8601());
  s.bind(3, run_id);
  if (sqlite3_step(s.get()) != SQLITE_DONE) return sqlite_error(db_, "finishing the run");
  return {};
}

Result<std::vector<RunInfo>> Store::runs() const {
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC";
  Statement s(db_, sql.c_str());
  if (!s.ok()) return sqlite_error(db_, "reading runs");
  std::vector<RunInfo> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(read_run(s));
  return out;
}

Result<std::optional<RunInfo>> Store::run(int64_t id) const {
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?";
  Statement s(db_, sql.c_str());
  if (!s.ok()) return sqlite_error(db_, "reading a run");
  s.bind(1, id);
  if (sqlite3_step(s.get()) == SQLITE_ROW) return std::optional<RunInfo>(read_run(s));
  return std::optional<RunInfo>();
}

Result<std::vector<CaseResult>> Store::results(int64_t run_id) const {
  std::string sql = std::string("SELECT ") + kResultColumns + " FROM results WHERE run_id = ? ORDER BY id";
  Statement s(db_, sql.c_str());
  if (!s.ok()) return sqlite_error(db_, "reading results");
  s.bind(1, run_id);
  std::vector<CaseResult> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(read_result(s));
  return out;
}

Result<std::vector<std::pair<int64_t, CaseResult>>> Store::history() const {
  std::string sql = std::string("SELECT ") + kResultColumns + " FROM results ORDER BY run_id, id";
  Statement s(db_, sql.c_str());
  if (!s.ok()) return sqlite_error(db_, "reading history");
  std::vector<std::pair<int64_t, CaseResult>> out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.emplace_back(s.integer(16), read_result(s));
  return out;
}

}  // namespace armory::bench
