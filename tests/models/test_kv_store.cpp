// The kv_store model (DynamoDB-like): per-partition capacity throttles hot
// keys, read units follow consistency, writes wait for a follower, items
// expire, conditional writes conflict, and queries cost by the page.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const char* name)
{
  return comp(r, "db")["metrics"][name].get<double>();
}

// 100 read units/s per partition, no burst credit; strongly consistent reads of
// 1 KB items (one unit each) at RATE, over KEYS keys.
const char* kCapacity = R"(
archsim: 1
name: kv_capacity
run: {duration: 30s, warmup: 1s}
components:
  db: {model: kv_store, partitions: 4, read_capacity: 100/s, burst: 0s, service: 100us}
data:
  items: {keys: KEYS, popularity: uniform, value_size: 1KB}
workload:
  rd: {arrivals: constant, rate: RATE, key: items}
flows:
  rd: [{get: db, consistency: strong}]
)";
}  // namespace

TEST_CASE("kv_store: a hot key is not throttled just under its partition's capacity")
{
  auto r = simulate(with(with(kCapacity, "KEYS", "1"), "RATE", "90/s"));
  CHECK(metric(r, "throttled") == 0);
  CHECK(klass(r, "rd")["errors"].get<double>() == 0);
  // All of it lands on one partition: 90 of its 100 units/s.
  CHECK(metric(r, "read_consumed_ratio_max") == Approx(0.9).margin(0.01));
}

TEST_CASE("kv_store: a hot key is throttled just over its partition's capacity")
{
  auto r = simulate(with(with(kCapacity, "KEYS", "1"), "RATE", "110/s"));
  // The bucket starts with one second of capacity (100 units) and drains at
  // 10/s: empty at t = 10 s, then 10 requests/s are refused until t = 30 s.
  CHECK(metric(r, "throttled") == Approx(200).margin(15));
  CHECK(klass(r, "rd")["errors_by_kind"]["throttled"].get<double>() == metric(r, "throttled"));
}

TEST_CASE("kv_store: the same total rate spread over many keys is not throttled")
{
  auto r = simulate(with(with(kCapacity, "KEYS", "100K"), "RATE", "110/s"));
  CHECK(metric(r, "throttled") == 0);
  // About a quarter of the load per partition.
  CHECK(metric(r, "read_consumed_ratio_max") < 0.4);
}

TEST_CASE("kv_store: a strongly consistent read costs twice the units of an eventual one")
{
  const char* base = R"(
archsim: 1
name: kv_units
run: {duration: 5s, warmup: 1s}
components:
  db: {model: kv_store}
data:
  items: {keys: 1000, value_size: 6KB}
workload:
  rd: {arrivals: constant, rate: 200/s, key: items}
flows:
  rd: [{get: db, consistency: MODE}]
)";
  auto strong      = simulate(with(base, "MODE", "strong"));
  auto eventual    = simulate(with(base, "MODE", "eventual"));
  double reads     = klass(strong, "rd")["ok"].get<double>();
  REQUIRE(reads == klass(eventual, "rd")["ok"].get<double>());
  // 6 KB rounds up to two 4 KB units.
  CHECK(metric(strong, "read_units") == Approx(2 * reads).margin(2));
  CHECK(metric(eventual, "read_units") == Approx(reads).margin(1));
}

TEST_CASE("kv_store: a write waits for a follower, one network round trip beyond the leader")
{
  // Every host link 1 ms: host to host is 2 ms one way, 4 ms there and back.
  const char* base = R"(
archsim: 1
name: kv_write
run: {duration: 5s, warmup: 1s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1, host_link: {bandwidth: 10Gbps, latency: 1ms}}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  db: {model: kv_store, replication: RF, service: 50us, router_cpu: 10us}
data:
  items: {keys: 1000, value_size: 500B}
workload:
  rd: {arrivals: poisson, rate: 100/s, key: items}
  wr: {arrivals: poisson, rate: 100/s, key: items}
flows:
  rd: [{get: db, consistency: strong}]
  wr: [{put: db}]
)";
  auto three       = simulate(with(base, "RF", "3"));
  auto one         = simulate(with(base, "RF", "1"));
  // Means, not percentiles: the histogram's buckets are coarser than the
  // effect. Without queueing (100/s against a 50 us service) every request of a
  // class takes the same path.
  auto mean  = [](const nlohmann::json& r, const char* c) { return klass(r, c)["latency"]["mean"].get<double>(); };
  double rd3 = mean(three, "rd"), wr3 = mean(three, "wr");
  double rd1 = mean(one, "rd"), wr1 = mean(one, "wr");
  CHECK(wr3 - rd3 >= 0.004);
  CHECK(wr3 - rd3 < 0.0042);            // the first follower's ack, plus its 50 us apply
  CHECK(std::abs(wr1 - rd1) < 0.0001);  // alone, the leader acknowledges at once
}

TEST_CASE("kv_store: an expired item reads as absent")
{
  // One item, rewritten whenever a read finds it absent: without expiry one
  // write is enough; with a 1 s TTL it must be rewritten about once per 1.1 s
  // (expiry + the next read's 0.1 s).
  const char* base = R"(
archsim: 1
name: kv_ttl
run: {duration: 21s, warmup: 1s}
components:
  db: {model: kv_store, preloaded: false}
data:
  items: {keys: 1, value_size: 1KB TTL}
workload:
  rd: {arrivals: constant, rate: 10/s, key: items}
flows:
  rd: [{get: db, consistency: strong, on_absent: [{put: db}]}]
)";
  auto expiring    = simulate(with(base, "TTL", ", ttl: 1s"));
  auto forever     = simulate(with(base, "TTL", ""));
  CHECK(metric(forever, "write_units") <= 1);
  CHECK(metric(expiring, "write_units") == Approx(20.0 / 1.1).margin(2));
}

TEST_CASE("kv_store: conditional writes conflict on a contended item and not on spread ones")
{
  const char* base = R"(
archsim: 1
name: kv_cas
run: {duration: 5s, warmup: 1s}
components:
  db: {model: kv_store, service: 2ms}
data:
  items: {keys: KEYS, value_size: 500B}
workload:
  inc: {arrivals: poisson, rate: 400/s, key: items}
flows:
  inc: [{get: db, consistency: strong}, {update_if: db}]
)";
  auto hot         = simulate(with(base, "KEYS", "1"));
  auto spread      = simulate(with(base, "KEYS", "10M"));
  CHECK(metric(spread, "conditional_failures") == 0);
  // 400/s read-modify-writes with several milliseconds between read and write:
  // most overlap.
  CHECK(metric(hot, "conditional_failures") > 0.3 * klass(hot, "inc")["ok"].get<double>());
}

TEST_CASE("kv_store: a query's read units grow with its page")
{
  const char* base = R"(
archsim: 1
name: kv_query
run: {duration: 5s, warmup: 1s}
components:
  db: {model: kv_store, items_per_key: 100}
data:
  items: {keys: 1000, value_size: 1KB}
workload:
  q: {arrivals: constant, rate: 100/s, key: items}
flows:
  q: [{query: db, page_size: PAGE, consistency: strong}]
)";
  auto small       = simulate(with(base, "PAGE", "10"));
  auto large       = simulate(with(base, "PAGE", "50"));
  double n         = klass(small, "q")["ok"].get<double>();
  // 10 x 1,000 B = 3 units of 4 KB; 50 x 1,000 B = 13 units.
  CHECK(metric(small, "read_units") == Approx(3 * n).margin(3));
  CHECK(metric(large, "read_units") == Approx(13 * n).margin(13));
  CHECK(comp(large, "db")["metrics"]["latency.mean"].get<double>() >
        comp(small, "db")["metrics"]["latency.mean"].get<double>());
}
