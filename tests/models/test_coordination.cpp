// The ZooKeeper-like coordination service: quorum writes, leases that expire, one lock holder
// and one leader at a time, re-election, stale follower reads, watches.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}

// Two workers contend for one lock (or leadership), each calling through its own service every
// 1/10 s (A, first at 0.1 s) and 1/8 s (B, first at 0.125 s); A's service dies at 3.05 s, so A's
// last contact is its request of 3.0 s.
const char* kContend = R"(
archsim: 1
name: contend
run: {duration: 12s, warmup: 0s}
components:
  zk: {model: coordination, session_timeout: TIMEOUT}
  wa: {model: service, cpu: 10us}
  wb: {model: service, cpu: 10us}
data:
  a: {keys: 1}
  b: {keys: 1}
workload:
  worker_a: {arrivals: constant, rate: 10/s, key: a}
  worker_b: {arrivals: constant, rate: 8/s, key: b}
flows:
  worker_a: [{call: wa}, {OP: zk, name: job}]
  worker_b: [{call: wb}, {OP: zk, name: job}]
faults:
  - {at: 3.05s, crash: wa}
)";
std::string contend(const std::string& op, const std::string& timeout)
{
  return with(with(kContend, "OP", op), "TIMEOUT", timeout);
}
}  // namespace

TEST_CASE("a lease holder that stops renewing loses the lock after the session timeout, never sooner")
{
  for (double timeout : {2.05, 4.05}) {
    INFO("session timeout " << timeout);
    auto r = simulate(contend("lock", std::to_string(timeout) + "s"));
    // A holds from 0.1 s; its session expires at 3.0 s + timeout; until then every poll of B
    // (k/8 s) finds the lock busy, and the next one takes it.
    CHECK(metric(r, "zk", "lock_busy") == std::floor(8 * (3.0 + timeout)));
    CHECK(metric(r, "zk", "lock_acquired") == 2);
    CHECK(metric(r, "zk", "lock_expired") == 1);
    CHECK(metric(r, "zk", "sessions_expired") == 1);
    CHECK(metric(r, "zk", "max_holders") == 1);
    CHECK(klass(r, "worker_b")["errors"].get<double>() == 0);
  }
}

TEST_CASE("leader election picks one leader, and a new one once the leader's session expires")
{
  auto r = simulate(contend("elect", "2.05s"));
  CHECK(metric(r, "zk", "leader_changes") == 2);         // A, then B
  CHECK(metric(r, "zk", "followers") == std::floor(8 * 5.05));  // B follows until A's session goes
  CHECK(metric(r, "zk", "lock_expired") == 1);
  CHECK(metric(r, "zk", "max_holders") == 1);
}

TEST_CASE("waiters for a lock take it in turn: every job runs alone, none gives up")
{
  auto r = simulate(R"(
archsim: 1
name: queue
run: {duration: 6s, warmup: 1s}
platform:
  datacenters: {dc: {racks: 1}}
  clients: {region: dc, latency: 100us}
components:
  zk: {model: coordination}
  job: {model: service, cpu: 10ms}
workload:
  run: {arrivals: poisson, rate: 40/s}
flows:
  run: [{lock: zk, name: batch, wait: 2s}, {call: job, steps: []}, {unlock: zk, name: batch}]
)");
  const auto& c = klass(r, "run");
  CHECK(c["errors"].get<double>() == 0);
  CHECK(metric(r, "zk", "lock_busy") == 0);
  CHECK(metric(r, "zk", "lock_released") == Approx(metric(r, "zk", "lock_acquired")).margin(5));
  CHECK(metric(r, "zk", "max_holders") == 1);
  CHECK(c["throughput"].get<double>() == Approx(40).epsilon(0.1));
}

TEST_CASE("a synchronous create on three nodes takes about the ZooKeeper paper's 1.2 ms")
{
  auto r = simulate(R"(
archsim: 1
name: create
run: {duration: 5s, warmup: 1s}
platform:
  datacenters: {dc: {racks: 1}}
  clients: {region: dc, latency: 25us}
components:
  zk: {model: coordination, nodes: 3}
data:
  paths: {keys: 100M}
workload:
  create: {arrivals: closed, users: 1, think: 0s, key: paths}
flows:
  create: [{create: zk}]
)");
  // fsync 0.7 ms + leader CPU 48 us + proposal and ack hops of 50 us (+ forward and answer for
  // the two thirds of clients on a follower) + the client's round trip of 300 us.
  double mean = klass(r, "create")["latency"]["mean"].get<double>();
  CHECK(mean == Approx(0.7e-3 + 0.448e-3 + 2.0 / 3 * 0.1e-3).epsilon(0.03));
  CHECK(mean == Approx(1.2e-3).epsilon(0.1));
  CHECK(metric(r, "zk", "fsync_batch") == Approx(1));  // one write at a time: nothing to group
}

TEST_CASE("the leader's CPU per write grows with the followers it must send to")
{
  auto run = [](int nodes) {
    return simulate(with(R"(
archsim: 1
name: writes
run: {duration: 3s, warmup: 1s}
components:
  zk: {model: coordination, nodes: NODES}
data:
  paths: {keys: 100M}
workload:
  create: {arrivals: poisson, rate: 5000/s, key: paths}
flows:
  create: [{create: zk}]
)",
                         "NODES", std::to_string(nodes)));
  };
  auto three = run(3);
  auto five  = run(5);
  double u3  = comp(three, "zk")["per_replica"]["utilisation"][0].get<double>();
  double u5  = comp(five, "zk")["per_replica"]["utilisation"][0].get<double>();
  // 39.6 us + 4 us per follower: 47.6 us on 3 nodes, 55.6 us on 5 (21k and 18k writes/s).
  CHECK(u3 == Approx(5000 * 47.6e-6).epsilon(0.05));
  CHECK(u5 == Approx(5000 * 55.6e-6).epsilon(0.05));
  // Many writes at once share fsyncs (group commit).
  CHECK(metric(three, "zk", "fsync_batch") > 2);
}

TEST_CASE("a leader crash stops writes for the election timeout, then a new leader takes them")
{
  auto r = simulate(R"(
archsim: 1
name: failover
run: {duration: 5s, warmup: 1s}
components:
  zk: {model: coordination, nodes: 3, election_timeout: 200ms}
data:
  paths: {keys: 100M}
workload:
  create: {arrivals: constant, rate: 500/s, key: paths}
flows:
  create: [{create: zk}]
faults:
  - {at: 2s, crash: zk, replica: 0}
)");
  CHECK(metric(r, "zk", "elections") == 1);
  CHECK(metric(r, "zk", "leaderless_time") == Approx(0.2).margin(0.002));
  CHECK(metric(r, "zk", "no_leader") == Approx(500 * 0.2).margin(2));
  const auto& c = klass(r, "create");
  CHECK(c["errors"].get<double>() ==
        metric(r, "zk", "no_leader") + metric(r, "zk", "connection_loss") + metric(r, "zk", "unavailable"));
  CHECK(metric(r, "zk", "connection_loss") <= 2);  // the writes in flight at the crash
}

TEST_CASE("follower reads can be stale, more so when commits take longer to reach them")
{
  auto run = [](const std::string& racks) {
    return simulate(with(R"(
archsim: 1
name: stale
run: {duration: 4s, warmup: 1s}
platform:
  datacenters: {dc: {racks: RACKS, rack_link: {bandwidth: 10Gbps, latency: 2ms}}}
components:
  zk: {model: coordination}
workload:
  init: {arrivals: constant, rate: 1/s}
  write: {arrivals: poisson, rate: 200/s}
  read: {arrivals: poisson, rate: 2000/s}
flows:
  init: [{create: zk, name: config}]
  write: [{set: zk, name: config}]
  read: [{get: zk, name: config}]
)",
                         "RACKS", racks));
  };
  auto near = run("1");
  auto far  = run("3");
  double near_ratio = metric(near, "zk", "stale_ratio");
  double far_ratio  = metric(far, "zk", "stale_ratio");
  CHECK(near_ratio > 0);
  CHECK(far_ratio > 2 * near_ratio);
  CHECK(far_ratio < 1);
}

TEST_CASE("a watch fires once on the next change and reaches its client one network trip after the commit")
{
  auto r = simulate(R"(
archsim: 1
name: watch
run: {duration: 5s, warmup: 1s}
platform:
  datacenters: {dc: {racks: 1}}
  clients: {region: dc, latency: 5ms}
components:
  zk: {model: coordination}
workload:
  init: {arrivals: constant, rate: 1/s}
  watcher: {arrivals: constant, rate: 10/s}
  writer: {arrivals: constant, rate: 2/s}
flows:
  init: [{create: zk, name: config}]
  watcher: [{watch: zk, name: config}]
  writer: [{set: zk, name: config}]
)");
  // Every watch set before a change fires once at the next one (2 changes a second from 1 s, when
  // the node is created): the watches set from 0.1 s to ~4.5 s.
  CHECK(metric(r, "zk", "watch_events") == Approx(45).margin(5));
  // Commit -> COMMIT to the follower (50 us) -> the client: 5 ms + 125 us.
  CHECK(metric(r, "zk", "watch_latency") == Approx(5.15e-3).margin(0.1e-3));
}
