// archsim sweep --until-target and archsim run --fault, through the real binary.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fstream>

#include "cli_helpers.h"

using namespace archsim::test;

namespace {

// One server, 2 ms per request: its p99 crosses 20 ms somewhere below 500/s (M/D/1).
std::string write_scenario()
{
  std::string path = fmt::format("/tmp/archsim-until-{}.yaml", getpid());
  std::ofstream(path) << R"(archsim: 1
name: until
run: {duration: 20s, warmup: 2s, seed: 5}
components:
  svc: {model: service, replicas: 1, threads: 1, cores: 1, cpu: {dist: constant, value: 2ms}}
workload:
  req: {arrivals: poisson, rate: 100/s}
flows:
  req: [{call: svc}]
targets:
  - req.latency.p99 < 20ms
)";
  return path;
}

}  // namespace

TEST_CASE("sweep --until-target finds the largest load that meets the targets, and the next that misses", "[slow]")
{
  std::string file = write_scenario();
  std::string out  = fmt::format("/tmp/archsim-until-out-{}", getpid());
  auto r = run_archsim(fmt::format("sweep {} --param workload.req.rate=100/s..500/s:+100 --until-target --jobs 2 --quiet --out {}",
                                   file, out));
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("largest workload.req.rate meeting all targets: ") == 0);
  // Read the answer and the miss back, and check them against single runs.
  double best = std::stod(r.out.substr(r.out.find(": ") + 2));
  double miss = std::stod(r.out.substr(r.out.find("; ") + 2));
  CHECK(best < miss);
  CHECK(miss - best <= 0.01 * 400 + 1e-9);
  auto at_best = run_archsim(fmt::format("run {} --set workload.req.rate={}/s --quiet --out {}/b", file, best, out));
  auto at_miss = run_archsim(fmt::format("run {} --set workload.req.rate={}/s --quiet --out {}/m", file, miss, out));
  CHECK(at_best.code == 0);
  CHECK(at_miss.code == 99);
  std::system(("rm -rf '" + out + "' '" + file + "'").c_str());
}

TEST_CASE("run --fault injects a fault from the command line and reports it")
{
  std::string file = write_scenario();
  std::string out  = fmt::format("/tmp/archsim-fault-out-{}", getpid());
  auto r = run_archsim(fmt::format("run {} --duration 6s --fault '{{at: 3s, crash: svc, for: 1s}}' --out {}", file, out));
  INFO(r.err);
  CHECK((r.code == 0 || r.code == 99));
  CHECK(r.out.find("crash svc at 3s for 1s") != std::string::npos);
  auto bad = run_archsim(fmt::format("run {} --fault '{{at: 3s, crash: nope}}'", file));
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--fault 1:1:17") != std::string::npos);
  std::system(("rm -rf '" + out + "' '" + file + "'").c_str());
}
