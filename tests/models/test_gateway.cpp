// The WebSocket and SSE gateways: broadcast cost per viewer, cross-host fan-out, memory limits,
// keep-alives, and reconnect storms after a host crash.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}

// One host, 8 event loops, an audience of VIEWERS on one channel, 10 messages/s of 1000 B, an
// ideal network: delivery times are the event loops' work alone.
const char* kOneHost = R"(
archsim: 1
name: gw
run: {duration: 6s, warmup: 1s}
components:
  gw: {model: websocket_gateway, cores: 8, viewers: VIEWERS, heartbeat_interval: 0s}
data:
  live: {keys: 1, value_size: 1000B}
workload:
  comment: {arrivals: constant, rate: 10/s, key: live}
flows:
  comment: [{broadcast: gw}]
)";
// Per viewer: one write() (5.6 us) + (1000 B message + 4 B frame) x 1 ns.
constexpr double kPerViewer = 5.6e-6 + 1004e-9;
}  // namespace

TEST_CASE("a broadcast to 10^4 viewers on one host costs what the per-connection cost says")
{
  auto r = simulate(with(kOneHost, "VIEWERS", "10000"));
  double broadcasts = metric(r, "gw", "broadcasts");
  REQUIRE(broadcasts == Approx(50).margin(1));
  CHECK(metric(r, "gw", "deliveries") == 10000 * broadcasts);
  // CPU: 10^4 writes per message (plus reading it once), 10 messages/s, on 8 cores.
  CHECK(metric(r, "gw", "utilisation") == Approx(10 * 10001 * kPerViewer / 8).epsilon(0.02));
  // Each loop writes its 1250 viewers one after another: the last one gets it 1250 writes after
  // the message was read (one more write on the loop that read it).
  CHECK(metric(r, "gw", "delivery.max") == Approx(1251 * kPerViewer).epsilon(0.01));
  CHECK(metric(r, "gw", "delivery.p50") == Approx(0.5 * 1250 * kPerViewer).epsilon(0.1));
}

TEST_CASE("gateway delivery p99 grows with the number of viewers on the host")
{
  auto small = simulate(with(kOneHost, "VIEWERS", "1000"));
  auto large = simulate(with(kOneHost, "VIEWERS", "10000"));
  double p99_small = metric(small, "gw", "delivery.p99");
  double p99_large = metric(large, "gw", "delivery.p99");
  CHECK(p99_small == Approx(126 * kPerViewer).epsilon(0.05));  // 125 viewers per loop + the read
  CHECK(p99_large / p99_small == Approx(10).epsilon(0.1));
}

namespace {
// Four hosts, each in a rack of its own (one rack uplink would carry every viewer's bytes),
// 4000 viewers of one channel.
const char* kFourHosts = R"(
archsim: 1
name: fanout
run: {duration: 6s, warmup: 1s}
platform:
  datacenters: {dc: {racks: 5}}
  clients: {region: dc, latency: 100us, bandwidth: 100Gbps}   # many clients, each on its own line
components:
  gw: {model: websocket_gateway, replicas: 4, cores: 8, viewers: 4000, heartbeat_interval: 0s, routing: ROUTING PUBSUB}
  bus: {model: redis}
data:
  live: {keys: 1, value_size: 1000B}
workload:
  comment: {arrivals: constant, rate: 20/s, key: live}
flows:
  comment: [{broadcast: gw}]
)";
}  // namespace

TEST_CASE("viewers spread over hosts get each message through one relay per other host and none when grouped by channel")
{
  auto spread  = simulate(with(with(kFourHosts, "ROUTING", "spread"), "PUBSUB", ""));
  auto grouped = simulate(with(with(kFourHosts, "ROUTING", "channel"), "PUBSUB", ""));
  double b     = metric(spread, "gw", "broadcasts");
  REQUIRE(b == Approx(100).margin(1));
  CHECK(metric(spread, "gw", "relays") == 3 * b);
  CHECK(metric(spread, "gw", "deliveries") == 4000 * b);
  CHECK(metric(grouped, "gw", "relays") == 0);
  CHECK(metric(grouped, "gw", "deliveries") == 4000 * metric(grouped, "gw", "broadcasts"));
  // 1000 viewers per host write four times faster than 4000 on one, even with the relay hop.
  CHECK(metric(spread, "gw", "delivery.p99") < 0.6 * metric(grouped, "gw", "delivery.p99"));
}

TEST_CASE("a pub/sub component relays between gateway hosts by running its own publish")
{
  auto direct = simulate(with(with(kFourHosts, "ROUTING", "spread"), "PUBSUB", ""));
  auto bus    = simulate(with(with(kFourHosts, "ROUTING", "spread"), "PUBSUB", ", pubsub: bus"));
  double b    = metric(bus, "gw", "broadcasts");
  CHECK(metric(bus, "gw", "relays") == 3 * b);
  CHECK(metric(bus, "gw", "deliveries") == 4000 * b);
  CHECK(metric(bus, "bus", "throughput") == Approx(b / 5).margin(0.5));  // one PUBLISH per message
  CHECK(metric(direct, "bus", "throughput") == 0);
  // The extra hop through the bus shows in the delivery time of the other hosts' viewers.
  CHECK(metric(bus, "gw", "delivery.p99") > metric(direct, "gw", "delivery.p99"));
}

TEST_CASE("a gateway host refuses connections beyond its memory")
{
  auto r = simulate(R"(
archsim: 1
name: memory
run: {duration: 5s, warmup: 0s}
components:
  gw: {model: sse_gateway, replicas: 2, host_memory: 64MB, memory_per_connection: 64KB, viewers: 1900}
data:
  users: {keys: 1}
workload:
  join: {arrivals: constant, rate: 50/s, key: users}
flows:
  join: [{connect: gw}]
)");
  // 1000 connections per host, 1900 taken at the start: 100 joins get in, the rest are refused.
  CHECK(metric(r, "gw", "connects") == 100);
  CHECK(metric(r, "gw", "refused") == klass(r, "join")["errors_by_kind"]["refused"].get<double>());
  CHECK(metric(r, "gw", "refused") == Approx(250 - 100).margin(1));
  CHECK(metric(r, "gw", "viewers_connected") == 2000);
  CHECK(comp(r, "gw")["per_replica"]["memory_utilisation"][0].get<double>() > 0.95);
}

TEST_CASE("keep-alives cost their CPU per connection per interval")
{
  auto r = simulate(R"(
archsim: 1
name: keepalive
run: {duration: 6s, warmup: 1s}
components:
  gw: {model: websocket_gateway, cores: 4, viewers: 100000, heartbeat_interval: 10s, heartbeat_cpu: 5.6us}
  other: {model: service}
workload:
  idle: {arrivals: constant, rate: 100/s}   # arrivals until the end keep the run going to 6 s
flows:
  idle: [{call: other}]
)");
  // 10^5 connections x one ping per 10 s x 5.6 us = 56 ms of CPU per second, on 4 cores.
  CHECK(metric(r, "gw", "utilisation") == Approx(100000 / 10.0 * 5.6e-6 / 4).epsilon(0.03));
  CHECK(metric(r, "gw", "heartbeats") == Approx(100000 / 10.0 * 5).epsilon(0.03));
}

namespace {
// Two hosts, 2000 viewers of one channel, 20 messages/s; host 0 dies at 3 s for good. The
// clients have ample bandwidth between them (each its own line).
const char* kCrash = R"(
archsim: 1
name: storm
run: {duration: 8s, warmup: 0s}
platform:
  datacenters: {dc: {racks: 1}}
  clients: {region: dc, latency: 1ms, bandwidth: 100Gbps}
components:
  gw: {model: MODEL, replicas: 2, cores: 4, viewers: 2000, heartbeat_interval: 0s}
data:
  live: {keys: 1, value_size: 500B}
workload:
  comment: {arrivals: constant, rate: 20/s, key: live}
flows:
  comment: [{broadcast: gw}]
faults:
  - {at: 3.01s, crash: gw, replica: 0}
)";
}  // namespace

TEST_CASE("a crashed WebSocket host's clients reconnect to the survivor and miss what was sent meanwhile")
{
  auto r = simulate(with(kCrash, "MODEL", "websocket_gateway"));
  CHECK(metric(r, "gw", "dropped") == 1000);
  CHECK(metric(r, "gw", "reconnects") == 1000);
  CHECK(metric(r, "gw", "reconnect_failures") == 0);
  CHECK(metric(r, "gw", "viewers_connected") == 2000);
  // Backoff uniform(0.5 s, 1.5 s) plus the handshake's round trip (~2.3 ms).
  double recovery = metric(r, "gw", "recovery_time");
  CHECK(recovery > 1.4);
  CHECK(recovery < 1.55);
  // Each client misses ~20/s x its time away (1 s on average); no replay.
  CHECK(metric(r, "gw", "missed") == Approx(1000 * 20 * 1.0).epsilon(0.1));
  CHECK(metric(r, "gw", "replayed") == 0);
}

TEST_CASE("SSE clients all come back after the fixed retry time and are replayed what they missed")
{
  auto r = simulate(with(kCrash, "MODEL", "sse_gateway"));
  CHECK(metric(r, "gw", "reconnects") == 1000);
  // All at once (no jitter): 250 clients per loop of the survivor, each a handshake and ~61
  // replayed writes, one after another, then the handshake's round trip with the replayed
  // events (3 MB per batch of 50 through the host's 10 Gbps NIC: 2.4 ms, more when the four
  // loops' last batches share it).
  CHECK(metric(r, "gw", "recovery_time") ==
        Approx(3.0 + 250 * (29e-6 + 61 * 5.62e-6) + 0.0024 + 0.0023).margin(0.01));
  // 3 s away at 20 messages/s = 60 messages each, within the 100 kept: all replayed (a few more
  // for the clients whose handshake waited while new messages came).
  CHECK(metric(r, "gw", "missed") == 0);
  CHECK(metric(r, "gw", "replayed") >= 1000 * 60);
  CHECK(metric(r, "gw", "replayed") <= 1000 * 63);
  // The storm's CPU: 1000 handshakes + 60,000 replayed writes.
  CHECK(metric(r, "gw", "reconnect_cpu") == Approx(1000 * 29e-6 + 60000 * (5.6e-6 + 20e-9)).epsilon(0.05));
}
