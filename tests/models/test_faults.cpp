// Crash faults (`faults:`): a crashed replica refuses calls until it restarts, load balancers'
// health checks take it out of rotation only once they notice, and what a crash loses follows
// from the model's durability (Redis persistence modes).
#include <catch2/catch.hpp>

#include <string>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double errors_of(const nlohmann::json& r, const std::string& cls, const std::string& kind)
{
  const auto& by_kind = klass(r, cls)["errors_by_kind"];
  return by_kind.contains(kind) ? by_kind[kind].get<double>() : 0.0;
}
}  // namespace

TEST_CASE("a crashed replica refuses calls with 'unavailable' for exactly the fault's duration")
{
  auto r = simulate(R"(
archsim: 1
name: crash
run: {duration: 3s, warmup: 0s}
components:
  app: {model: service, cpu: 100us}
workload:
  q: {arrivals: constant, rate: 1000/s}
flows:
  q: [{call: app}]
faults:
  - {at: 1s, crash: app, for: 500ms}
)");
  // Constant arrivals every 1 ms: the 500 arriving in [1 s, 1.5 s) are refused, no others.
  CHECK(errors_of(r, "q", "unavailable") == Approx(500).margin(1));
  CHECK(klass(r, "q")["errors"].get<double>() == errors_of(r, "q", "unavailable"));
  CHECK(comp(r, "app")["metrics"]["unavailable"].get<double>() == errors_of(r, "q", "unavailable"));
  const auto& f = r["faults"][0];
  CHECK(f["began"].get<double>() == Approx(1.0));
  CHECK(f["ended"].get<double>() == Approx(1.5));
  CHECK(f["happened"].get<bool>());
}

TEST_CASE("a fault after the end of the run does not strike, and the result says so")
{
  auto r = simulate(R"(
archsim: 1
name: late
run: {duration: 1s, warmup: 0s}
components:
  app: {model: service, cpu: 100us}
workload:
  q: {arrivals: constant, rate: 100/s}
flows:
  q: [{call: app}]
faults:
  - {at: 30s, crash: app, replica: 0, for: 5s}
)");
  CHECK_FALSE(r["faults"][0]["happened"].get<bool>());
  CHECK(klass(r, "q")["errors"].get<double>() == 0);
}

TEST_CASE("load balancer health checks take a crashed replica out of rotation after fall x interval")
{
  // Round robin over 4 replicas at 4000/s: replica 1 gets 1000/s. It dies at 1.05 s; probes at
  // 2 s and 3 s fail (fall 2), so it leaves rotation at 3 s: ~1.95 s x 1000/s reach it and fail.
  auto r = simulate(R"(
archsim: 1
name: health
run: {duration: 5s, warmup: 0s}
components:
  lb: {model: load_balancer, backend: app, health_interval: 1s, fall: 2}
  app: {model: service, replicas: 4, cpu: 100us}
workload:
  q: {arrivals: constant, rate: 4000/s}
flows:
  q: [{call: lb, steps: [{call: app}]}]
faults:
  - {at: 1.05s, crash: app, replica: 1}
)");
  double refused = errors_of(r, "q", "unavailable");
  CHECK(refused == Approx(1950).epsilon(0.02));
  CHECK(comp(r, "lb")["metrics"]["sent_to_down"].get<double>() == refused);
  CHECK(comp(r, "lb")["metrics"]["marked_down"].get<double>() == 1);
  // After that the three others take everything.
  CHECK(klass(r, "q")["ok"].get<double>() == Approx(20000 - refused).margin(2));
}

TEST_CASE("a replica back from a crash returns to rotation after rise successful probes")
{
  const std::string base = R"(
archsim: 1
name: rise
run: {duration: 6s, warmup: 0s}
components:
  lb: {model: load_balancer, backend: app, health_interval: 1s, fall: 1, rise: RISE}
  app: {model: service, replicas: 2, cpu: 100us}
workload:
  q: {arrivals: constant, rate: 1000/s}
flows:
  q: [{call: lb, steps: [{call: app}]}]
faults:
  - {at: 0.5s, crash: app, replica: 0, for: 1s}
)";
  // Out of rotation at the 1 s probe, back at 1.5 s; in rotation again after RISE probes
  // (2 s, 3 s, ...): a larger rise leaves the survivor alone for longer.
  auto quick = simulate(with(base, "RISE", "1"));
  auto slow  = simulate(with(base, "RISE", "3"));
  CHECK(comp(quick, "app")["metrics"]["throughput"].get<double>() ==
        comp(slow, "app")["metrics"]["throughput"].get<double>());
  // Replica 0 serves 500/s while in rotation: [0, 0.5 s) and from its return, at 2 s (rise 1)
  // or 4 s (rise 3): its busy time is 4.5 s versus 2.5 s of traffic.
  double busy_quick = comp(quick, "app")["per_replica"]["utilisation"][0].get<double>();
  double busy_slow  = comp(slow, "app")["per_replica"]["utilisation"][0].get<double>();
  CHECK(busy_slow / busy_quick == Approx(2.5 / 4.5).epsilon(0.05));
}

namespace {
// SETs to fresh keys at 100/s (within what aof_always's fsync per write allows); the node dies
// at 2.5 s and stays down.
const char* kRedisWrites = R"(
archsim: 1
name: redis_crash
run: {duration: 3s, warmup: 0s}
components:
  cache: {model: redis, persistence: MODE, warm: false}
data:
  items: {keys: 100000000}
workload:
  w: {arrivals: constant, rate: 100/s, key: items}
flows:
  w: [{set: cache}]
faults:
  - {at: 2.5s, crash: cache}
)";

double lost(const nlohmann::json& r) { return comp(r, "cache")["metrics"]["writes_lost"].get<double>(); }
}  // namespace

TEST_CASE("a redis crash without persistence loses every acknowledged write since start")
{
  auto r = simulate(with(kRedisWrites, "MODE", "none"));
  CHECK(klass(r, "w")["ok"].get<double>() == Approx(250).margin(1));
  CHECK(lost(r) == klass(r, "w")["ok"].get<double>());
}

TEST_CASE("a redis crash with aof_everysec loses the writes since the last once-a-second fsync")
{
  auto r = simulate(with(kRedisWrites, "MODE", "aof_everysec"));
  // The last background fsync was at 2 s: the 50 writes of [2 s, 2.5 s) are gone, at most
  // one second's worth in any case.
  CHECK(lost(r) == Approx(50).margin(1));
  CHECK(lost(r) <= 100);
}

TEST_CASE("a redis crash with aof_always loses no acknowledged write")
{
  auto r = simulate(with(kRedisWrites, "MODE", "aof_always"));
  CHECK(klass(r, "w")["ok"].get<double>() == Approx(250).margin(1));
  CHECK(lost(r) == 0);
}
