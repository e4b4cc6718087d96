// Fault kinds beyond a crash: each acts on a simulated resource, and its effect is measured.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

// One service, 1 ms of CPU per request, far from saturation: latency is the service time
// unless a fault changes it.
const char* const kService = R"(
archsim: 1
name: faults
run: {duration: 12s, warmup: 1s, seed: 4}
components:
  svc: {model: service, replicas: 1, threads: 4, cores: 4, cpu: {dist: constant, value: 1ms}}
workload:
  req: {arrivals: poisson, rate: 200/s}
flows:
  req: [{call: svc}]
)";

nlohmann::json with_faults(const std::string& yaml, std::vector<std::string> faults)
{
  LoadOptions o;
  o.faults = std::move(faults);
  return simulate(yaml, o);
}

double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}

}  // namespace

TEST_CASE("a pause stops the process: requests that arrive during it wait for its end")
{
  auto r           = with_faults(kService, {"{at: 5s, pause: svc, for: 800ms}"});
  const auto& lat  = klass(r, "req")["latency"];
  // The first request of the pause waits the whole 800 ms; the p99 is inside the pause too
  // (about 1.3% of requests arrive during it).
  CHECK(lat["max"].get<double>() == Approx(0.801).epsilon(0.01));
  CHECK(lat["p99"].get<double>() > 0.2);
  CHECK(lat["p50"].get<double>() == Approx(0.001).epsilon(0.05));
  CHECK(klass(r, "req")["errors"].get<double>() == 0);
}

TEST_CASE("a slow CPU makes every request's work take factor times longer")
{
  auto r = with_faults(kService, {"{at: 0s, slow_cpu: svc, factor: 4}"});
  CHECK(klass(r, "req")["latency"]["mean"].get<double>() == Approx(0.004).epsilon(0.05));
}

TEST_CASE("a slow disk multiplies the fsyncs a Redis with appendfsync always waits for")
{
  const char* yaml = R"(
archsim: 1
name: slowdisk
run: {duration: 10s, warmup: 1s, seed: 4}
components:
  cache: {model: redis, persistence: aof_always, fsync: 2ms}
data:
  keys: {keys: 1000, value_size: 100B}
workload:
  write: {arrivals: constant, rate: 10/s, key: keys}
flows:
  write: [{set: cache}]
)";
  // Writes 100 ms apart never queue behind each other, even with 20 ms fsyncs: the latency
  // difference is the fsync difference alone.
  double base = klass(simulate(yaml), "write")["latency"]["mean"].get<double>();
  double slow = klass(with_faults(yaml, {"{at: 0s, slow_disk: cache, factor: 10}"}), "write")["latency"]["mean"].get<double>();
  CHECK(slow - base == Approx(9 * 0.002).epsilon(0.1));
}

TEST_CASE("a failing dependency fails calls at its rate, counted at the component")
{
  auto r         = with_faults(kService, {"{at: 0s, fail: svc, rate: 30%}"});
  const auto& c  = klass(r, "req");
  double done    = c["ok"].get<double>() + c["errors"].get<double>();
  CHECK(c["errors"].get<double>() / done == Approx(0.3).margin(0.02));
  CHECK(c["errors_by_kind"]["injected_failure"].get<double>() == c["errors"].get<double>());
  CHECK(metric(r, "svc", "injected_failures") >= c["errors"].get<double>());
}

TEST_CASE("a partition holds calls until it heals, or until the caller's timeout")
{
  auto waited = with_faults(kService, {"{at: 5s, partition: [[clients], [svc]], for: 2s}"});
  CHECK(klass(waited, "req")["errors"].get<double>() == 0);
  CHECK(klass(waited, "req")["latency"]["max"].get<double>() == Approx(2.0).epsilon(0.01));

  auto timed = with_faults(test::with(kService, "req: [{call: svc}]", "req: [{call: svc, timeout: 100ms}]"),
                           {"{at: 5s, partition: [[clients], [svc]], for: 2s}"});
  // About 2 s x 200/s requests arrive during the partition; each gives up after 100 ms. Their
  // abandoned attempts still connect when the partition heals and are served (the callee
  // never learns the caller left): about 100 ms of backlog on 4 threads, so requests that
  // arrive just after the heal time out too. Hence a few more than 400, never fewer.
  double timeouts = klass(timed, "req")["errors_by_kind"]["timeout"].get<double>();
  CHECK(timeouts > 0.9 * 400);
  CHECK(timeouts < 1.3 * 400);
}

TEST_CASE("a degraded link adds its extra latency to every request that crosses it")
{
  const char* yaml = R"(
archsim: 1
name: degrade
run: {duration: 10s, warmup: 1s, seed: 4}
platform:
  network_model: cm02
  datacenters: {dc: {racks: 1}}
  clients: {region: dc, latency: 10ms, bandwidth: 1Gbps}
components:
  svc: {model: service, replicas: 1, threads: 4, cores: 4, cpu: {dist: constant, value: 1ms}}
workload:
  req: {arrivals: poisson, rate: 50/s}
flows:
  req: [{call: svc}]
)";
  double base = klass(simulate(yaml), "req")["latency"]["mean"].get<double>();
  double slow = klass(with_faults(yaml, {"{at: 0s, degrade: clients-access, latency: 5}"}), "req")["latency"]["mean"].get<double>();
  // The access link is crossed once each way: 2 x (5 - 1) x 10 ms more.
  CHECK(slow - base == Approx(0.08).epsilon(0.05));
}

TEST_CASE("a --fault that does not parse or names nothing is an error that points at it")
{
  Diagnostics diags;
  LoadOptions o;
  o.faults = {"{at: 1s, crash: nope}"};
  auto sc = load_scenario_text(kService, "inline.yaml", model_catalog(), o, diags);
  CHECK(!sc);
  CHECK(diags.str().find("--fault 1:1:17") != std::string::npos);
  CHECK(diags.str().find("unknown component 'nope'") != std::string::npos);
}
