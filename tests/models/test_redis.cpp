// The redis model: hit ratios from a real cache over real keys (Che's approximation), eviction
// and TTL, hash slots that make a hot key a hot shard, one command at a time per node, AOF
// fsyncs on the event loop, atomic INCR, and replication lag from a real transfer.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "models/redis_shard.h"
#include "sim/core/popularity.h"
#include "../che_approximation.h"
#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {


double metric(const nlohmann::json& r, const std::string& name)
{
  return comp(r, "cache")["metrics"][name].get<double>();
}

// A look-aside cache: get, and on a miss set. 10,000 keys of 100 B.
const char* kCacheAside = R"yaml(
archsim: 1
name: cache_aside
run: {duration: 3s, warmup: 1s}
components:
  cache: {model: redis, maxmemory: MAXMEM}
data:
  items: {keys: 10000, popularity: POP, value_size: 100B TTL}
workload:
  read: {arrivals: poisson, rate: 5000/s, key: items}
flows:
  read:
    - get: cache
      on_miss: [{set: cache}]
)yaml";

double simulated_hit_ratio(const std::string& pop, const std::string& maxmem, const std::string& ttl = "")
{
  auto r = simulate(with(with(with(kCacheAside, "MAXMEM", maxmem), "POP", pop), "TTL", ttl));
  return metric(r, "hit_ratio");
}

}  // namespace

TEST_CASE("redis hit ratio under zipf(0.8) matches Che's approximation")
{
  double expected = che_hit_ratio(Popularity::zipf(10000, 0.8), 1000);
  CHECK(simulated_hit_ratio("zipf(0.8)", "100KB") == Approx(expected).margin(0.02));
}

TEST_CASE("redis hit ratio under zipf(1.2) matches Che's approximation")
{
  double expected = che_hit_ratio(Popularity::zipf(10000, 1.2), 1000);
  CHECK(simulated_hit_ratio("zipf(1.2)", "100KB") == Approx(expected).margin(0.02));
}

TEST_CASE("redis with twice the memory hits more, by what Che's approximation predicts")
{
  auto pop   = Popularity::zipf(10000, 0.8);
  double gap = che_hit_ratio(pop, 2000) - che_hit_ratio(pop, 1000);
  double got = simulated_hit_ratio("zipf(0.8)", "200KB") - simulated_hit_ratio("zipf(0.8)", "100KB");
  CHECK(gap > 0.08);
  CHECK(got == Approx(gap).margin(0.02));
}

TEST_CASE("redis TTL expiry lowers the hit ratio to what a TTL cache predicts")
{
  // Memory holds every key, so only expiry causes misses. A key requested at rate l and stored
  // for ttl after each miss is hit l*ttl times per miss: hit ratio l*ttl / (1 + l*ttl).
  auto pop = Popularity::zipf(10000, 0.8);
  double ttl = 0.1, expected = 0;
  for (uint64_t i = 0; i < pop.key_count(); ++i) {
    double l = 5000 * pop.probability(i);
    expected += pop.probability(i) * l * ttl / (1 + l * ttl);
  }
  double without = simulated_hit_ratio("zipf(0.8)", "10MB");
  auto r = simulate(with(with(with(kCacheAside, "MAXMEM", "10MB"), "POP", "zipf(0.8)"), "TTL", ", ttl: 100ms"));
  CHECK(metric(r, "hit_ratio") == Approx(expected).margin(0.02));
  CHECK(without > metric(r, "hit_ratio") + 0.2);
  CHECK(metric(r, "expirations") == Approx(metric(r, "misses")).epsilon(0.05));
}

TEST_CASE("redis cluster: a hot key saturates its shard while the others idle")
{
  auto r = simulate(R"yaml(
archsim: 1
name: hot_key
run: {duration: 3s, warmup: 1s}
components:
  cache: {model: redis, shards: 4, read_cpu: 1ms, cpu_per_byte: 0s}
data:
  items: {keys: 1000, popularity: "hotset(90%, 0.1%)", value_size: 100B}
workload:
  read: {arrivals: poisson, rate: 1500/s, key: items}
flows:
  read: [{get: cache}]
)yaml");
  // 90% of 1500/s at 1 ms per GET is 1.35 s of work per second for the hot key's shard; the
  // other 10% spread over the shards by slot.
  size_t hot = RedisSlots::shard(0, 4);
  std::vector<double> cold_share(4, 0);
  for (uint64_t k = 1; k < 1000; ++k)
    cold_share[RedisSlots::shard(k, 4)] += 1.0 / 999;
  const auto& util = comp(r, "cache")["per_replica"]["utilisation"];
  REQUIRE(util.size() == 4);
  CHECK(util[hot].get<double>() > 0.97);
  for (size_t s = 0; s < 4; ++s)
    if (s != hot)
      CHECK(util[s].get<double>() == Approx(0.1 * 1500 * 1e-3 * cold_share[s]).margin(0.01));
}

namespace {
// Closed loop: 20 clients with no think time keep one node's event loop always busy.
const char* kSaturated = R"yaml(
archsim: 1
name: saturated
run: {duration: 3s, warmup: 1s}
components:
  cache: {model: redis, write_cpu: 200us, cpu_per_byte: 1ns, PERSIST}
data:
  items: {keys: 1000, value_size: 10KB}
workload:
  write: {arrivals: closed, users: 20, think: {dist: constant, value: 1us}, key: items}
flows:
  write: [{set: cache}]
)yaml";
}  // namespace

TEST_CASE("redis runs one command at a time: a node's throughput caps at 1 / (cost per command)")
{
  auto r = simulate(with(kSaturated, "PERSIST", "persistence: none"));
  // 200 us + 10,000 B x 1 ns = 210 us per SET
  CHECK(metric(r, "throughput") == Approx(1 / 210e-6).epsilon(0.02));
  CHECK(metric(r, "utilisation") > 0.98);
}

TEST_CASE("redis aof_always holds the event loop for an fsync on every write")
{
  auto r = simulate(with(kSaturated, "PERSIST", "persistence: aof_always, fsync: 1ms"));
  CHECK(metric(r, "throughput") == Approx(1 / 1.21e-3).epsilon(0.02));
  // The loop is held, but the CPU waits for the disk
  CHECK(metric(r, "thread_utilisation") > 0.98);
  CHECK(metric(r, "utilisation") == Approx(0.21 / 1.21).margin(0.02));
}

namespace {
const char* kWrites = R"yaml(
archsim: 1
name: writes
run: {duration: 3s, warmup: 1s}
components:
  cache: {model: redis, maxmemory: 100KB, eviction: POLICY, warm: false}
data:
  items: {keys: 2000, value_size: 100B}
workload:
  write: {arrivals: poisson, rate: 5000/s, key: items}
flows:
  write: [{set: cache}]
)yaml";
}  // namespace

TEST_CASE("redis noeviction makes writes of new keys fail with 'oom' once memory is full")
{
  auto r = simulate(with(kWrites, "POLICY", "noeviction"));
  const auto& c = klass(r, "write");
  // 1000 of 2000 uniformly written keys fit: half the writes go to a key that is not there.
  double arrived = c["arrived"].get<double>();
  CHECK(c["errors_by_kind"]["oom"].get<double>() / arrived == Approx(0.5).margin(0.03));
  CHECK(metric(r, "evictions") == 0);
  auto lru = simulate(with(kWrites, "POLICY", "allkeys-lru"));
  CHECK(klass(lru, "write")["errors"].get<double>() == 0);
  CHECK(metric(lru, "evictions") / klass(lru, "write")["arrived"].get<double>() == Approx(0.5).margin(0.03));
}

namespace {
const char* kCounters = R"yaml(
archsim: 1
name: counters
run: {duration: 2s, warmup: 500ms}
components:
  cache: {model: redis, shards: 4, maxmemory: MAXMEM, write_cpu: 200us}
data:
  counters: {keys: 100}
workload:
  bump: {arrivals: closed, users: 50, think: {dist: constant, value: 1us}, key: counters}
flows:
  bump: [{incr: cache}]
)yaml";
}  // namespace

TEST_CASE("redis INCR hands out unique values under concurrency, unless counters are evicted")
{
  auto roomy = simulate(with(kCounters, "MAXMEM", "1MB"));
  CHECK(metric(roomy, "incr_duplicates") == 0);
  CHECK(metric(roomy, "throughput") > 10000);  // 4 busy loops: many concurrent increments per counter
  // 10 counters' worth of memory per shard for 25 counters per shard: evicted counters restart.
  auto tight = simulate(with(kCounters, "MAXMEM", "80B"));
  CHECK(metric(tight, "incr_duplicates") > 0.5 * metric(tight, "evictions"));
}

TEST_CASE("redis replication lag is the transfer to the replica plus its apply time")
{
  const char* yaml = R"yaml(
archsim: 1
name: replicated
run: {duration: 3s, warmup: 1s}
platform:
  datacenters:
    dc: {racks: 1, host_link: {bandwidth: 10Gbps, latency: LINK}}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  cache: {model: redis, replicas_per_shard: 1}
data:
  items: {keys: 1000, value_size: 100B}
workload:
  write: {arrivals: poisson, rate: 1000/s, key: items}
flows:
  write: [{set: cache}]
)yaml";
  double near = metric(simulate(with(yaml, "LINK", "25us")), "replication_lag");
  double far  = metric(simulate(with(yaml, "LINK", "225us")), "replication_lag");
  // The write crosses two host links (primary -> switch -> replica): 400 us more on the far one.
  CHECK(far - near == Approx(400e-6).epsilon(0.05));
  // 2 x 25 us of links, then the replica's SET: 8.8 us + 100 B x 1 ns
  CHECK(near == Approx(50e-6 + 8.8e-6 + 0.1e-6).epsilon(0.02));
}
