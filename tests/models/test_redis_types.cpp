// The redis model's data types in runs: costs that follow each command's complexity (ZRANGE by
// members returned, PUBLISH by subscribers, a radius query by the members in its cells), rate
// limiters and locks whose outcomes come from their state, a Bloom filter and a count-min sketch
// whose errors match their formulas, maxmemory over structures, and pub/sub lost on a crash.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "models/redis_types.h"
#include "sim/core/popularity.h"
#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const std::string& name, const std::string& c = "redis")
{
  return comp(r, c)["metrics"][name].get<double>();
}
double throughput(const nlohmann::json& r, const std::string& k) { return klass(r, k)["throughput"].get<double>(); }

}  // namespace

TEST_CASE("redis zrange costs the event loop per member returned")
{
  // A leaderboard of ~4,000 players filled during warm-up (and still updated), read top-COUNT.
  const char* yaml = R"yaml(
archsim: 1
name: leaderboard
run: {duration: 3s, warmup: 1s}
components:
  redis: {model: redis}
data:
  boards: {keys: 1}
  players: {keys: 10000}
workload:
  score: {arrivals: poisson, rate: 5000/s, key: boards}
  top: {arrivals: poisson, rate: 1000/s, key: boards}
flows:
  score: [{zadd: redis, member: players, score: {dist: uniform, min: 0, max: 1000}}]
  top: [{zrange: redis, count: COUNT, rev: true}]
)yaml";
  auto small = simulate(with(yaml, "COUNT", "10"));
  auto large = simulate(with(yaml, "COUNT", "1000"));
  // Same arrivals and members in both runs: the difference is 990 more members per ZRANGE, each
  // a node visit (element_cpu 100 ns) and 16 B of reply (cpu_per_byte 1 ns).
  double per_member = 100e-9 + 16 * 1e-9;
  double expected   = throughput(large, "top") * 990 * per_member;
  CHECK(metric(large, "utilisation") - metric(small, "utilisation") == Approx(expected).epsilon(0.03));
  CHECK(klass(large, "top")["latency"]["mean"].get<double>() >
        klass(small, "top")["latency"]["mean"].get<double>() + 0.9 * 990 * per_member);
}

TEST_CASE("redis publish pays per subscriber, and each one gets every message")
{
  // Subscriptions arrive every 1/S s and last 1 s: S subscribers on the one channel at any time.
  const char* yaml = R"yaml(
archsim: 1
name: fanout
run: {duration: 3s, warmup: 1s}
components:
  redis: {model: redis}
data:
  rooms: {keys: 1, value_size: 100B}
workload:
  join: {arrivals: constant, rate: SUBS/s, key: rooms}
  post: {arrivals: constant, rate: 200/s, key: rooms}
flows:
  join: [{subscribe: redis, for: 1s}]
  post: [{publish: redis}]
)yaml";
  auto few  = simulate(with(yaml, "SUBS", "20"));
  auto many = simulate(with(yaml, "SUBS", "200"));
  // 2 s measured
  CHECK(metric(few, "deliveries") / (throughput(few, "post") * 2) == Approx(20).margin(1));
  CHECK(metric(many, "deliveries") / (throughput(many, "post") * 2) == Approx(200).margin(1));
  CHECK(metric(many, "subscribers") == Approx(200).margin(1));
  // Each subscriber costs the loop a copy (element_cpu), a write() (delivery_cpu) and the
  // message's bytes; each subscription itself is one write command.
  double per_subscriber = 100e-9 + 5.6e-6 + (100 + 0) * 1e-9;
  double expected       = 200 * 180 * per_subscriber + 180 * 8.8e-6;
  CHECK(metric(many, "utilisation") - metric(few, "utilisation") == Approx(expected).epsilon(0.05));
  CHECK(klass(many, "post")["latency"]["mean"].get<double>() - klass(few, "post")["latency"]["mean"].get<double>() ==
        Approx(180 * per_subscriber).epsilon(0.1));
}

TEST_CASE("redis pub/sub is fire and forget: a crash drops every subscription")
{
  const char* yaml = R"yaml(
archsim: 1
name: fanout_crash
run: {duration: 2s, warmup: 0s}
components:
  redis: {model: redis}
data:
  rooms: {keys: 1}
workload:
  join: {arrivals: step, rate: 200/s, at: 500ms, to_rate: 0.001/s, key: rooms}
  post: {arrivals: constant, rate: 100/s, key: rooms}
flows:
  join: [{subscribe: redis}]
  post: [{publish: redis}]
FAULTS
)yaml";
  auto kept    = simulate(with(yaml, "FAULTS", ""));
  auto crashed = simulate(with(yaml, "FAULTS", "faults: [{at: 1s, crash: redis, for: 100ms}]"));
  double subs  = metric(kept, "subscribers");
  CHECK(subs == Approx(100).margin(30));
  CHECK(metric(crashed, "subscribers") == 0);
  // Before the crash both runs deliver the same; after it the crashed node has no one to send to.
  // Subscribers grow linearly to `subs` over the first 0.5 s, then stay: subs x 100/s x 1.75 s.
  CHECK(metric(kept, "deliveries") == Approx(subs * 100 * 1.75).epsilon(0.1));
  CHECK(metric(crashed, "deliveries") == Approx(subs * 100 * 0.75).epsilon(0.1));
}

TEST_CASE("redis token bucket script denies half the requests at twice the refill rate")
{
  auto r = simulate(R"yaml(
archsim: 1
name: limiter
run: {duration: 10s, warmup: 1s}
components:
  redis: {model: redis}
data:
  users: {keys: 10}
workload:
  req: {arrivals: poisson, rate: 200/s, key: users}
flows:
  req:
    - script: redis
      name: token_bucket
      rate: 10/s
      capacity: 5
)yaml");
  // 10 users at 20 requests/s each against 10 tokens/s: tokens are nearly always used up.
  double allowed = metric(r, "allowed"), denied = metric(r, "denied");
  CHECK(allowed + denied == Approx(throughput(r, "req") * 9).epsilon(0.01));
  CHECK(allowed / (allowed + denied) == Approx(0.5).margin(0.03));
  CHECK(allowed / 9 == Approx(10 * 10).epsilon(0.05));
}

TEST_CASE("redis sliding-window log allows `limit` per window per key, whatever the load")
{
  const char* yaml = R"yaml(
archsim: 1
name: sliding
run: {duration: 6s, warmup: 1s}
components:
  redis: {model: redis}
data:
  users: {keys: 5}
workload:
  req: {arrivals: poisson, rate: RATE/s, key: users}
flows:
  req: [{script: redis, name: sliding_window_log, limit: 20, window: 1s}]
)yaml";
  for (const char* rate : {"300", "1000"}) {
    auto r = simulate(with(yaml, "RATE", rate));
    // 5 users x 20 per second over 5 measured seconds, once each user offers more than 20/s
    CHECK(metric(r, "allowed") == Approx(5 * 20 * 5).epsilon(0.03));
  }
}

TEST_CASE("redis lock: two acquirers at once, exactly one holds")
{
  auto r = simulate(R"yaml(
archsim: 1
name: lock_once
run: {duration: 1s, warmup: 0s}
components:
  redis: {model: redis}
data:
  seats: {keys: 1}
workload:
  buy: {arrivals: closed, users: 2, think: {dist: constant, value: 1ms}, key: seats}
flows:
  buy: [{script: redis, name: lock_acquire, ttl: 10min}]
)yaml");
  CHECK(metric(r, "lock_acquired") == 1);
  CHECK(metric(r, "lock_busy") == Approx(klass(r, "buy")["arrived"].get<double>() - 1).margin(2));
}

TEST_CASE("redis lock serialises a critical section until its lease runs out under it")
{
  // Four buyers hold the seat's lock for 10 ms of work, then release it.
  const char* yaml = R"yaml(
archsim: 1
name: lock_lease
run: {duration: 2.5s, warmup: 0.5s}
components:
  redis: {model: redis}
  pay: {model: service, threads: 100, cores: 8, cpu: 10ms}
data:
  seats: {keys: 1}
workload:
  buy: {arrivals: closed, users: 4, think: {dist: constant, value: 1ms}, key: seats}
flows:
  buy:
    - script: redis
      name: lock_acquire
      ttl: TTL
      on_acquired:
        - call: pay
        - {script: redis, name: lock_release}
)yaml";
  auto safe  = simulate(with(yaml, "TTL", "1s"));
  auto short_lease = simulate(with(yaml, "TTL", "5ms"));
  // One holder at a time: at most one 10 ms section per 10 ms (the next buyer retries within
  // 1 ms of the release), and every holder releases.
  double acquired = metric(safe, "lock_acquired") / 2;
  CHECK(acquired <= 100);
  CHECK(acquired > 85);
  CHECK(metric(safe, "lock_not_owner") == 0);
  CHECK(metric(safe, "lock_released") == Approx(metric(safe, "lock_acquired")).margin(1));
  // A 5 ms lease expires mid-section: another buyer takes the lock, and the first's release
  // finds it no longer owns it.
  CHECK(metric(short_lease, "lock_acquired") / 2 > 150);
  double releases = metric(short_lease, "lock_not_owner") + metric(short_lease, "lock_released");
  CHECK(metric(short_lease, "lock_not_owner") > 0.9 * releases);
}

TEST_CASE("redis compare_and_set after a watched get never lets two writers both win")
{
  const char* yaml = R"yaml(
archsim: 1
name: cas
run: {duration: 2s, warmup: 0.5s}
components:
  redis: {model: redis}
  app: {model: service, threads: 100, cores: 16, cpu: 1ms}
data:
  stock: {keys: 1, value_size: 100B}
workload:
  buy: {arrivals: closed, users: USERS, think: {dist: constant, value: 100us}, key: stock}
flows:
  buy:
    - {get: redis, watch: true}
    - call: app
    - {script: redis, name: compare_and_set}
)yaml";
  auto one  = simulate(with(yaml, "USERS", "1"));
  auto many = simulate(with(yaml, "USERS", "8"));
  CHECK(metric(one, "cas_conflicts") == 0);
  CHECK(metric(one, "cas_swapped") == Approx(throughput(one, "buy") * 1.5).margin(2));
  // A swap needs no other swap between its get and its own write (>= 1 ms of work apart), so
  // at most 1000 per second win; the other attempts conflict.
  double swapped = metric(many, "cas_swapped") / 1.5;
  CHECK(swapped <= 1000);
  CHECK(metric(many, "cas_conflicts") + metric(many, "cas_swapped") ==
        Approx(throughput(many, "buy") * 1.5).margin(8));
  CHECK(metric(many, "cas_conflicts") > 3 * metric(many, "cas_swapped"));
}

TEST_CASE("redis Bloom filter false positives in a run match (1 - e^{-kn/m})^k")
{
  // A non-scaling filter sized for 10,000 impressions at 1% (m = 95,851 bits, k = 7) is full,
  // holding exactly 10,000, within the first second (adds beyond fail with 'full'); then ids
  // never added are checked.
  auto r = simulate(R"yaml(
archsim: 1
name: bloom
run: {duration: 2s, warmup: 1s}
components:
  redis: {model: redis}
data:
  filters: {keys: 1}
  impressions: {keys: 1T}
workload:
  add: {arrivals: constant, rate: 11000/s, key: filters}
  check: {arrivals: poisson, rate: 20000/s, key: filters}
flows:
  add: [{bloom_add: redis, member: impressions, capacity: 10000, error_rate: 1%, expansion: 0}]
  check: [{bloom_check: redis, member: impressions}]
)yaml");
  double expected = BloomFilter::expected_fp(10000, 95851, 7);  // 1.00%
  double checks   = throughput(r, "check") * 1;                   // 1 s measured
  // An add to the full filter fails, unless the filter answers 'exists' (a false positive too).
  double add_fps = klass(r, "add")["ok"].get<double>();
  double fps     = metric(r, "bloom_false_positives") - add_fps;
  // within 3.5 binomial standard deviations (about 200 false positives expected)
  CHECK(std::abs(fps - expected * checks) < 3.5 * std::sqrt(expected * checks));
  CHECK(add_fps == Approx(11000 * expected).margin(3.5 * std::sqrt(11000 * expected)));
  CHECK(metric(r, "bloom_fp_rate") == Approx((fps + add_fps) / (checks + add_fps)).epsilon(0.01));
  CHECK(klass(r, "add")["errors_by_kind"]["full"].get<double>() + add_fps ==
        Approx(klass(r, "add")["arrived"].get<double>()).margin(2));
}

TEST_CASE("redis count-min over-count is the noise a narrow sketch collects, and stays under eps")
{
  const char* yaml = R"yaml(
archsim: 1
name: cms
run: {duration: 2s, warmup: 1s}
components:
  redis: {model: redis}
data:
  sketches: {keys: 1}
  songs: {keys: 100K}
workload:
  play: {arrivals: poisson, rate: 10000/s, key: sketches}
  query: {arrivals: poisson, rate: 2000/s, key: sketches}
flows:
  play: [{cms_incr: redis, member: songs, width: WIDTH, depth: DEPTH}]
  query: [{cms_query: redis, member: songs}]
)yaml";
  auto narrow = simulate(with(with(yaml, "WIDTH", "50"), "DEPTH", "1"));
  auto wide   = simulate(with(with(yaml, "WIDTH", "2000"), "DEPTH", "5"));
  // One row of 50 counters: a queried song shares its counter with the ~2,000 others hashed there,
  // (1 - 1/100K) / 50 of the total on average. (Songs are uniform so that the figure does not
  // hang on which heavy hitters one hash function happens to put together.)
  CHECK(metric(narrow, "cms_overcount") == Approx(1.0 / 50).epsilon(0.05));
  // Five rows of 2000: the least noisy of five counters, each ~1/2000 of the total.
  CHECK(metric(wide, "cms_overcount") < std::exp(1.0) / 2000);
  CHECK(metric(wide, "cms_overcount") < 1.0 / 2000);
  CHECK(metric(wide, "cms_overcount") > 0.25 / 2000);
}

TEST_CASE("redis georadius examines the members in the geohash cells around the circle")
{
  // 2,000 drivers spread over a 100 km square (each has reported by the end of warm-up but for
  // e^-5 = 0.7%); riders search around their own position.
  const char* yaml = R"yaml(
archsim: 1
name: geo
run: {duration: 1.5s, warmup: 1s}
components:
  redis: {model: redis, geo_side: 100}
data:
  cities: {keys: 1}
  drivers: {keys: 2000}
  riders: {keys: 1M}
workload:
  ping: {arrivals: constant, rate: 10000/s, key: drivers}
  search: {arrivals: poisson, rate: 1000/s, key: riders}
flows:
  ping: [{geoadd: redis, key: cities, member: drivers}]
  search: [{georadius: redis, key: cities, member: riders, radius: RADIUS}]
)yaml";
  // Cells of side 100 / 2^s km (s: the finest precision whose cells are at least the radius);
  // a centre sees 3 x 3 of them, fewer at the world's edge: (3 - 2 / 2^s)^2 cells on average.
  auto expected = [](double radius) {
    unsigned s   = GeoSet::step_for(radius, 100);
    double cell  = 100 / std::pow(2.0, s);
    double cells = std::pow(3 - 2 / std::pow(2.0, s), 2);
    return 2000 * cells * cell * cell / (100 * 100);
  };
  auto near = simulate(with(yaml, "RADIUS", "2.5"));
  auto far  = simulate(with(yaml, "RADIUS", "10"));
  CHECK(metric(near, "geo_examined") == Approx(expected(2.5)).epsilon(0.1));
  CHECK(metric(far, "geo_examined") == Approx(expected(10)).epsilon(0.1));
  // ... and pays for each one it examines (100 ns), for each cell's two index descents
  // (2 x log2(2001) levels of 100 ns) and for the 16 B of each member it returns (1 ns/B).
  auto cells = [](double radius) { return std::pow(3 - 2 / std::pow(2.0, GeoSet::step_for(radius, 100)), 2); };
  double found = 2000 * M_PI * (10 * 10 - 2.5 * 2.5) / (100 * 100) * 0.9;  // ~10% cut off at the edges
  double more  = (metric(far, "geo_examined") - metric(near, "geo_examined")) * 100e-9 +
                (cells(10) - cells(2.5)) * 2 * std::log2(2001.0) * 100e-9 + found * 16e-9;
  CHECK(metric(far, "utilisation") - metric(near, "utilisation") ==
        Approx(more * throughput(far, "search")).epsilon(0.1));
}

TEST_CASE("redis structures count against maxmemory: a sorted set fills it at 16 B a member")
{
  auto r = simulate(R"yaml(
archsim: 1
name: full
run: {duration: 2s, warmup: 1s}
components:
  redis: {model: redis, maxmemory: 16KB, eviction: noeviction}
data:
  boards: {keys: 1}
  players: {keys: 1M}
workload:
  score: {arrivals: poisson, rate: 5000/s, key: boards}
flows:
  score: [{zadd: redis, member: players}]
)yaml");
  CHECK(metric(r, "used_memory") == 16000);
  // Full after 1,000 members: every later add of a new member is refused.
  CHECK(metric(r, "oom") == Approx(klass(r, "score")["arrived"].get<double>()).epsilon(0.01));
}

TEST_CASE("redis refuses a command on a key of another type with 'wrongtype'")
{
  auto r = simulate(R"yaml(
archsim: 1
name: wrongtype
run: {duration: 2s, warmup: 1s}
components:
  redis: {model: redis, warm: false}
data:
  boards: {keys: 1}
workload:
  score: {arrivals: poisson, rate: 100/s, key: boards}
  read: {arrivals: poisson, rate: 100/s, key: boards}
flows:
  score: [{zadd: redis}]
  read: [{get: redis}]
)yaml");
  const auto& read = klass(r, "read");
  CHECK(read["ok"].get<double>() == 0);
  CHECK(read["errors_by_kind"]["wrongtype"].get<double>() == read["errors"].get<double>());
  CHECK(read["errors"].get<double>() == Approx(read["arrived"].get<double>()).margin(1));
  CHECK(metric(r, "wrongtype") == read["errors"].get<double>());
  CHECK(klass(r, "score")["errors"].get<double>() == 0);
}
