// The results database and the server's routes, without running any benchmark.
#include "bench/report.h"
#include "bench/server.h"
#include "bench/store.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>

namespace armory::bench {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("armory-store-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "sub" / "bench.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static CaseResult gemm_case(const std::string& library, double seconds) {
    CaseResult r;
    r.suite = "gemm";
    r.name = "f32 n=512";
    r.library = library;
    r.precision = "f32";
    r.m = r.n = r.k = 512;
    r.threads = 1;
    r.repeat = 5;
    r.seconds = {seconds, seconds * 0.9, seconds * 1.1};
    r.flops = 2.0 * 512 * 512 * 512;
    r.peak_gflops = 276;
    return r;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StoreTest, MigratesAVersionOneDatabaseKeepingItsRows) {
  {
    auto v1 = Store::open(path_, 1);
    ASSERT_TRUE(v1.ok()) << v1.status().message();
    EXPECT_EQ(v1->schema_version(), 1);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "INSERT INTO runs(started_at, status) VALUES('2026-01-01T00:00:00Z', 'complete');"
                           "INSERT INTO results(run_id, suite, case_name, library, precision, threads, repeat, median_s,"
                           " min_s, max_s) VALUES(1, 'svd', 'f64 512x512 vectors', 'armory', 'f64', 1, 5, 0.1, 0.09, 0.12);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto latest = Store::open(path_);
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  EXPECT_EQ(latest->schema_version(), Store::kSchemaVersion);
  auto results = latest->results(1);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ(results->at(0).name, "f64 512x512 vectors");
  EXPECT_FALSE(results->at(0).vectors);  // the column migration 2 added, with its default
  auto runs = latest->runs();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->at(0).status, "complete");
}

TEST_F(StoreTest, RefusesADatabaseFromANewerArmory) {
  {
    auto s = Store::open(path_);
    ASSERT_TRUE(s.ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = Store::open(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Errc::unsupported);
  EXPECT_NE(s.status().message().find("newer"), std::string::npos);
}

// Readers (report, serve) open what bench wrote: a missing database is an error naming the path, and
// neither the file nor its folders are made (the commands themselves: test_bench.py).
TEST_F(StoreTest, ReadersRefuseAMissingDatabaseAndCreateNothing) {
  auto missing = Store::open_existing(path_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Errc::not_found);
  EXPECT_NE(missing.status().message().find(path_), std::string::npos) << missing.status().message();
  EXPECT_NE(missing.status().message().find("armory bench"), std::string::npos) << missing.status().message();
  EXPECT_FALSE(std::filesystem::exists(dir_));
  {
    auto writer = Store::open(path_);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->begin_run(RunInfo{}).ok());
  }
  auto reader = Store::open_existing(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ(reader->runs()->size(), 1u);
}

TEST_F(StoreTest, RunsResultsAndRatios) {
  auto s = Store::open(path_);
  ASSERT_TRUE(s.ok());
  RunInfo info;
  info.host = local_host_name();
  info.cpu_model = "Test CPU <with markup>";
  info.libraries = R"({"openblas": "0.3.21"})";
  auto id = s->begin_run(info);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(s->add_result(id.value(), gemm_case("armory", 0.001)).ok());
  ASSERT_TRUE(s->add_result(id.value(), gemm_case("openblas", 0.002)).ok());
  auto running = s->run(id.value());
  ASSERT_TRUE(running.ok() && running->has_value());
  EXPECT_EQ(running->value().status, "running");  // this process is alive
  ASSERT_TRUE(s->finish_run(id.value(), "complete").ok());
  auto results = s->results(id.value());
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 2u);
  EXPECT_NEAR(ratio_to_armory(results->at(1), results.value()), 2.0, 1e-12);
  EXPECT_EQ(ratio_to_armory(results->at(0), results.value()), 0.0);

  auto html = render_report(s.value(), 0, 0);
  ASSERT_TRUE(html.ok()) << html.status().message();
  EXPECT_NE(html->find("<svg"), std::string::npos);
  EXPECT_NE(html->find("Test CPU &lt;with markup&gt;"), std::string::npos);
  EXPECT_EQ(html->find("<with markup>"), std::string::npos);
  EXPECT_NE(html->find("2.00x"), std::string::npos);
}

TEST_F(StoreTest, ServerRoutesAndErrors) {
  auto s = Store::open(path_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(handle_request(s.value(), "GET", "/").status, 200);  // no runs yet: a page that says so
  auto id = s->begin_run(RunInfo{});
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(s->add_result(id.value(), gemm_case("armory", 0.001)).ok());
  ASSERT_TRUE(s->finish_run(id.value(), "complete").ok());

  EXPECT_EQ(handle_request(s.value(), "GET", "/").status, 200);
  EXPECT_EQ(handle_request(s.value(), "GET", "/runs/1").status, 200);
  EXPECT_EQ(handle_request(s.value(), "GET", "/runs/2").status, 404);
  EXPECT_EQ(handle_request(s.value(), "GET", "/runs/abc").status, 400);
  EXPECT_EQ(handle_request(s.value(), "GET", "/runs/-1").status, 400);
  EXPECT_EQ(handle_request(s.value(), "GET", "/compare?a=1").status, 400);
  EXPECT_EQ(handle_request(s.value(), "GET", "/compare?a=1&b=1").status, 200);
  EXPECT_EQ(handle_request(s.value(), "GET", "/api/results?run=1&suite=gemm").status, 200);
  EXPECT_EQ(handle_request(s.value(), "GET", "/api/results?run=x").status, 400);
  EXPECT_EQ(handle_request(s.value(), "GET", "/api/results?run=7").status, 404);
  EXPECT_EQ(handle_request(s.value(), "GET", "/api/results?color=red").status, 400);
  EXPECT_EQ(handle_request(s.value(), "GET", "/etc/passwd").status, 404);
  EXPECT_EQ(handle_request(s.value(), "GET", "relative").status, 400);
  EXPECT_EQ(handle_request(s.value(), "POST", "/api/runs").status, 405);
  auto runs = handle_request(s.value(), "GET", "/api/runs");
  EXPECT_EQ(runs.content_type, "application/json");
  EXPECT_NE(runs.body.find("\"status\": \"complete\""), std::string::npos);
  auto metrics = handle_request(s.value(), "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("armory_build_info{version=\""), std::string::npos);
  EXPECT_NE(metrics.body.find("armory_gemm_gflops{lib=\"armory\",dtype=\"f32\",n=\"512\",threads=\"1\"} 268.4"),
            std::string::npos)
      << metrics.body;
}

// Each suite's figures come from the newest run that measured it: a newer GEMM-only run replaces the GEMM
// series and leaves the SVD series of the run before it; runs older than all three suites are not read.
TEST_F(StoreTest, MetricsTakeEachSuiteFromItsNewestRun) {
  auto s = Store::open(path_);
  ASSERT_TRUE(s.ok());
  auto add_run = [&](std::vector<CaseResult> cases) {
    auto id = s->begin_run(RunInfo{});
    ASSERT_TRUE(id.ok());
    for (const auto& c : cases) ASSERT_TRUE(s->add_result(id.value(), c).ok());
    ASSERT_TRUE(s->finish_run(id.value(), "complete").ok());
  };
  CaseResult svd;
  svd.suite = "svd";
  svd.name = "f64 256x256 values";
  svd.library = "armory";
  svd.precision = "f64";
  svd.m = svd.n = 256;
  svd.threads = 1;
  svd.repeat = 5;
  svd.seconds = {0.25, 0.2, 0.3};
  add_run({gemm_case("armory", 0.004), svd});
  add_run({gemm_case("armory", 0.002)});
  add_run({gemm_case("armory", 0.001)});
  const std::string metrics = metrics_text(s.value());
  EXPECT_NE(metrics.find("armory_bench_runs 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("n=\"512\",threads=\"1\"} 268.4"), std::string::npos) << metrics;  // run 3's
  EXPECT_EQ(metrics.find("} 134.2"), std::string::npos) << metrics;                         // not run 2's
  EXPECT_NE(metrics.find("armory_svd_seconds{lib=\"armory\",dtype=\"f64\",n=\"256x256\",vectors=\"false\","
                         "threads=\"1\"} 0.25"),
            std::string::npos)
      << metrics;
}

}  // namespace
}  // namespace armory::bench
