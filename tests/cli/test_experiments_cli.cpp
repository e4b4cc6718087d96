// `archsim compare`, `sweep`, `aggregate` and `--emit-jobs` end to end, with the real binary:
// jobs are child processes, an interrupted experiment resumes, GNU parallel runs the emitted
// jobs and `aggregate` then reports exactly what a local run reports.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using namespace archsim::test;
namespace fs = std::filesystem;

namespace {

// A service at 60% load; the `slow` variant doubles its CPU time (120%: overloaded).
const char* kScenario = R"(archsim: 1
name: exp
run: {duration: 2s, warmup: 0.5s}
components:
  app: {model: service, cores: 1, threads: 1, cpu: {dist: exponential, mean: 1ms}}
workload:
  q: {arrivals: poisson, rate: 600/s}
flows:
  q: [{call: app}]
variants:
  slow:
    description: "twice the CPU per request"
    patch: {components: {app: {cpu: {dist: exponential, mean: 2ms}}}}
  fast:
    description: "half the CPU per request"
    patch: {components: {app: {cpu: {dist: exponential, mean: 500us}}}}
targets:
  - q.latency.p99 < 50ms
)";

struct TempDir {
  fs::path path;
  TempDir()
  {
    path = fs::temp_directory_path() / ("archsim-exp-" + std::to_string(getpid()) + "-" +
                                        std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "exp.yaml") << kScenario;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file() const { return (path / "exp.yaml").string(); }
  std::string out(const std::string& name) const { return (path / name).string(); }
};

size_t count_lines(const std::string& s)
{
  size_t n = 0;
  for (char c : s)
    n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("compare runs the base and every variant, and marks the variants that differ significantly",
          "[slow]")
{
  TempDir t;
  auto r = run_archsim("compare '" + t.file() + "' -r 3 -j 2 --out '" + t.out("cmp") + "'");
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  for (const char* job : {"base.r0", "slow.r2", "fast.r1"})
    CHECK(fs::exists(fs::path(t.out("cmp")) / "jobs" / job / "summary.json"));
  // p99 row: the slow variant is much slower, significantly, in all three pairs.
  CHECK_THAT(r.out, Catch::Matches(R"((.|\n)*\| q +\| latency\.p99 +\|[^\n]*\(\+[0-9]+% \*\)[^\n]*\|(.|\n)*)"));
  CHECK_THAT(r.out, Catch::Contains("q.latency.p99 < 50ms: met by base, fast; missed by slow"));
  CHECK(fs::exists(fs::path(t.out("cmp")) / "report.md"));
}

TEST_CASE("an experiment run again skips the jobs that already have a result", "[slow]")
{
  TempDir t;
  std::string cmd = "compare '" + t.file() + "' --variants fast -r 2 --duration 1s --out '" + t.out("cmp") + "'";
  REQUIRE(run_archsim(cmd).code == 0);
  fs::remove_all(fs::path(t.out("cmp")) / "jobs" / "fast.r1");
  auto again = run_archsim(cmd);
  REQUIRE(again.code == 0);
  CHECK_THAT(again.err, Catch::Contains("3 jobs already had a result and were skipped"));
  CHECK(fs::exists(fs::path(t.out("cmp")) / "jobs" / "fast.r1" / "summary.json"));
}

TEST_CASE("emitted jobs run by GNU parallel aggregate into the same report as a local run", "[slow]")
{
  TempDir t;
  REQUIRE(system("command -v parallel >/dev/null") == 0);  // scripts/bootstrap installs it
  std::string common = " '" + t.file() + "' --variants slow -r 2 --duration 1s --out ";
  auto emitted       = run_archsim("compare" + common + "'" + t.out("grid") + "' --emit-jobs");
  REQUIRE(emitted.code == 0);
  CHECK(count_lines(emitted.out) == 4);
  std::ofstream(t.out("jobs.txt")) << emitted.out;
  REQUIRE(system(("parallel -j 2 --halt now,fail=1 < '" + t.out("jobs.txt") + "' > /dev/null 2>&1").c_str()) == 0);
  auto aggregated = run_archsim("aggregate '" + t.out("grid") + "'");
  REQUIRE(aggregated.code == 0);
  auto local = run_archsim("compare" + common + "'" + t.out("local") + "'");
  REQUIRE(local.code == 0);
  CHECK(read_file(t.out("grid") + "/summary.txt") == read_file(t.out("local") + "/summary.txt"));
}

TEST_CASE("aggregate of a folder with missing jobs reports them and fails", "[slow]")
{
  TempDir t;
  auto emitted = run_archsim("compare '" + t.file() + "' --variants slow -r 2 --out '" + t.out("e") + "' --emit-jobs");
  REQUIRE(emitted.code == 0);
  auto r = run_archsim("aggregate '" + t.out("e") + "'");
  CHECK(r.code == 3);
  CHECK_THAT(r.out, Catch::Contains("4 of 4 jobs have no result yet"));
  CHECK(run_archsim("aggregate /nonexistent").code == 2);
}

TEST_CASE("sweep finds the load where the service saturates and names the bottleneck", "[slow]")
{
  TempDir t;
  auto r = run_archsim("sweep '" + t.file() + "' --param workload.q.rate=250/s,500/s,1500/s --duration 2s --out '" +
                       t.out("sw") + "'");
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  // Capacity is 1000/s: 500/s is fine (p99 ~ 9 ms), 1500/s is not, and throughput stays at
  // the capacity (completions in the window, not arrivals that finished).
  CHECK_THAT(r.out, Catch::Contains("between rate=500/s and rate=1500/s; app replica 0 at 100% utilisation is the "
                                    "bottleneck"));
  auto overloaded = nlohmann::json::parse(read_file(t.out("sw") + "/jobs/p2.r0/summary.json"));
  CHECK(overloaded["classes"][0]["throughput"].get<double>() == Approx(1000).epsilon(0.08));
}

TEST_CASE("sweep rejects a malformed --param and a value that breaks the scenario")
{
  TempDir t;
  auto bad = run_archsim("sweep '" + t.file() + "' --param workload.q.rate=10/s..1/s:x2");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("expected A <= B"));
  auto invalid = run_archsim("sweep '" + t.file() + "' --param workload.q.rate=1ms,2ms");
  CHECK(invalid.code == 2);
  CHECK_THAT(invalid.err, Catch::Contains("workload.q.rate"));
}

TEST_CASE("report re-renders a run folder from its summary.json without simulating")
{
  TempDir t;
  REQUIRE(run_archsim("run '" + t.file() + "' --duration 1s --out '" + t.out("run") + "' -q").code == 0);
  std::string before = read_file(t.out("run") + "/report.md");
  fs::remove(t.out("run") + "/report.md");
  auto r = run_archsim("report '" + t.out("run") + "' -q");
  CHECK(r.code == 0);
  CHECK(read_file(t.out("run") + "/report.md") == before);
  CHECK(run_archsim("report '" + t.out("nothing") + "'").code == 2);
}
