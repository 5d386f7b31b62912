// The results database: SQLite in WAL mode, one row per run (with the machine's facts) and one per
// measured case, each committed as soon as it is measured, so a run killed mid-way keeps every finished
// case and leaves a valid file. Several processes may write at once (WAL + a busy timeout). The schema is
// versioned (PRAGMA user_version) and brought up to date by migrations when opened.
#pragma once

#include "bench/workload.h"

#include <armory/status.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace armory::bench {

// What a run was measured on and with.
struct RunInfo {
  int64_t id = 0;
  std::string started_at, finished_at;  // ISO 8601 UTC; finished_at empty while running or if interrupted
  std::string status;                   // running, complete, interrupted (killed or stopped before the end)
  std::string host, cpu_model, uarch, isa, kernel, armory_version, git_commit;
  int cores = 0;
  std::string dispatch;   // armory's dispatched kernels, one per line
  std::string libraries;  // JSON object: library -> version ("missing: why" for peers not on the machine)
  std::string command;    // the suites and options, as typed
  int64_t pid = 0;        // the process that measured it
};

class Store {
 public:
  static constexpr int kSchemaVersion = 2;

  // Opens (creating the file and its folder if needed) and migrates to `target_version` (tests stop early
  // to check the migrations themselves).
  static Result<Store> open(const std::string& path, int target_version = kSchemaVersion);
  // Opens a database that is already there, for the readers (report, serve): a path with nothing at it is a
  // not_found error that says where `armory bench` writes, rather than an empty database and its folders
  // left behind.
  static Result<Store> open_existing(const std::string& path);
  // $ARMORY_BENCH_DB, else $XDG_DATA_HOME/armory/bench.db, else ~/.local/share/armory/bench.db.
  static std::string default_path();

  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;

  int schema_version() const;
  Result<int64_t> begin_run(const RunInfo& info);
  Status add_result(int64_t run_id, const CaseResult& result);
  Status finish_run(int64_t run_id, const std::string& status);

  Result<std::vector<RunInfo>> runs() const;  // newest first
  Result<std::optional<RunInfo>> run(int64_t id) const;
  Result<std::vector<CaseResult>> results(int64_t run_id) const;
  // Every result of every run, oldest run first, each with its run id: the history plots.
  Result<std::vector<std::pair<int64_t, CaseResult>>> history() const;

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  static Result<Store> open_with_flags(const std::string& path, int target_version, int sqlite_flags);
  Status migrate(int target_version);
  sqlite3* db_ = nullptr;
};

std::string utc_now_iso8601();
std::string local_host_name();

}  // namespace armory::bench
