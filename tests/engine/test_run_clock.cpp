// A run simulates until run.duration even when the workload has stopped arriving before it:
// work that outlives the last arrival (queues draining, background actors) is part of the run.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

TEST_CASE("a run lasts run.duration although its last arrival comes earlier")
{
  // One arrival a second, served in 300 ms: the last one comes at 14 s and is done at 14.3 s,
  // before the run ends at 14.5 s, so it must complete rather than be cut off.
  auto r = simulate(R"(
archsim: 1
name: clock
run: {duration: 14.5s, warmup: 1s, seed: 3}
components:
  svc: {model: service, replicas: 1, threads: 1, cores: 1, cpu: {dist: constant, value: 300ms}}
workload:
  req: {arrivals: constant, rate: 1/s}
flows:
  req: [{call: svc}]
)");
  CHECK(r["run"]["simulated_until"].get<double>() == Approx(14.5));
  const auto& req = klass(r, "req");
  CHECK(req["incomplete"].get<int>() == 0);
  CHECK(req["ok"].get<int>() == req["arrived"].get<int>());
}
