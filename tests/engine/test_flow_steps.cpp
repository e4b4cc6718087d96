// Flow steps: nested calls, parallel fan-out with joins, branches, timeouts with retries.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
std::string fanout(const std::string& join)
{
  return R"(
archsim: 1
name: fanout
run: {duration: 20s, warmup: 2s}
components:
  s1: {model: queue_station, servers: 64, service: {dist: exponential, mean: 5ms}}
  s2: {model: queue_station, servers: 64, service: {dist: exponential, mean: 5ms}}
  s3: {model: queue_station, servers: 64, service: {dist: exponential, mean: 5ms}}
workload:
  q: {arrivals: poisson, rate: 200/s}
flows:
  q:
    - parallel: [{call: s1}, {call: s2}, {call: s3}]
      )" + join + "\n";
}
double mean_latency(const nlohmann::json& r) { return klass(r, "q")["latency"]["mean"].get<double>(); }
}  // namespace

TEST_CASE("parallel joins: first < quorum of 2 < all, matching order statistics of exponentials")
{
  // With no queueing (64 servers), branch times are i.i.d. exponential(5 ms): the k-th of 3
  // finishes after E = 5ms x (1/3), 5ms x (1/3 + 1/2), 5ms x (1/3 + 1/2 + 1).
  double first  = mean_latency(simulate(fanout("join: first")));
  double quorum = mean_latency(simulate(fanout("join: quorum\n      quorum: 2")));
  double all    = mean_latency(simulate(fanout("join: all")));
  // 3600 requests each: the standard error of each mean is < 3%; 8% tolerance.
  CHECK(first == Approx(5e-3 / 3).epsilon(0.08));
  CHECK(quorum == Approx(5e-3 * (1.0 / 3 + 1.0 / 2)).epsilon(0.08));
  CHECK(all == Approx(5e-3 * (1.0 / 3 + 1.0 / 2 + 1)).epsilon(0.08));
}

TEST_CASE("a branch runs its steps with the stated probability")
{
  auto r = simulate(R"(
archsim: 1
name: branch
run: {duration: 20s, warmup: 2s}
components:
  rare:  {model: queue_station, servers: 8, service: 1ms}
  never: {model: queue_station, servers: 8, service: 1ms}
workload:
  q: {arrivals: poisson, rate: 1000/s}
flows:
  q:
    - branch:
        - {p: 0.25, steps: [{call: rare}]}
)");
  double share = comp(r, "rare")["metrics"]["throughput"].get<double>() / klass(r, "q")["throughput"].get<double>();
  // 18000 trials: binomial standard deviation of the share is 0.0032; 5 sigma.
  CHECK(share == Approx(0.25).margin(0.016));
  CHECK(comp(r, "never")["metrics"]["throughput"].get<double>() == 0.0);
}

TEST_CASE("a timeout abandons a slow call, a retry tries again, and both are counted")
{
  auto r = simulate(R"(
archsim: 1
name: timeout
run: {duration: 20s, warmup: 2s}
components:
  flaky: {model: queue_station, servers: 64, service: {dist: exponential, mean: 10ms}}
workload:
  q: {arrivals: poisson, rate: 100/s}
flows:
  q:
    - call: flaky
      steps: []
      timeout: 10ms
      retries: 2
      backoff: 1ms
)");
  const auto& q = klass(r, "q");
  // Each attempt exceeds 10 ms with probability e^-1 = 0.368: all three fail with 0.0498.
  double fail = q["error_ratio"].get<double>();
  CHECK(fail == Approx(0.0498).margin(0.015));
  CHECK(q["timeout_ratio"].get<double>() == Approx(fail));
  const auto& m = comp(r, "flaky")["metrics"];
  // Retries per request: P(1st fails) + P(1st and 2nd fail) = 0.368 + 0.135 = 0.503.
  CHECK(m["retries"].get<double>() / q["arrived"].get<double>() == Approx(0.503).margin(0.04));
  // The successful ones never waited longer than the timeout per attempt plus backoff.
  CHECK(q["latency"]["max"].get<double>() < 3 * 10e-3 + 3e-3 + 1e-6);
}

TEST_CASE("call without steps nests the rest of the flow inside the callee")
{
  auto r = simulate(R"(
archsim: 1
name: nest
run: {duration: 10s, warmup: 1s}
components:
  outer: {model: service, threads: 64, cores: 64, cpu: 1ms}
  inner: {model: service, threads: 64, cores: 64, cpu: 2ms}
workload:
  q: {arrivals: constant, rate: 10/s}
flows:
  q: [{call: outer}, {call: inner}]
)");
  // outer's residence includes inner's: 1 ms + 2 ms.
  CHECK(comp(r, "outer")["metrics"]["latency.max"].get<double>() == Approx(3e-3).epsilon(1e-6));
  CHECK(comp(r, "inner")["metrics"]["latency.max"].get<double>() == Approx(2e-3).epsilon(1e-6));
}
