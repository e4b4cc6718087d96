// Redis data types without SimGrid: sorted-set ranks against a brute force, geo radius against a
// brute force, Bloom false positives against (1 - e^{-kn/m})^k, count-min over-counts against
// eps * N, rate limiters against their definitions, and a node's typed keys under maxmemory,
// eviction, TTLs, wrong types and crashes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "models/redis_types.h"
#include "sim/core/popularity.h"
#include "sim/core/rng.h"

using namespace archsim;

namespace {
// Members in Redis's order: by score, then by member.
std::vector<std::pair<double, uint64_t>> sorted_pairs(const std::map<uint64_t, double>& truth)
{
  std::vector<std::pair<double, uint64_t>> v;
  for (const auto& [m, s] : truth)
    v.emplace_back(s, m);
  std::sort(v.begin(), v.end());
  return v;
}
}  // namespace

TEST_CASE("Redis sorted set: ranks and ranges match a brute force under adds, updates and removals")
{
  SortedSet z;
  std::map<uint64_t, double> truth;
  Rng rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t m = rng.below(3000);
    double u   = rng.uniform01();
    if (u < 0.6) {
      double s = std::floor(rng.uniform01() * 500);  // many ties: broken by member
      CHECK(z.add(m, s) == (truth.count(m) == 0));
      truth[m] = s;
    } else if (u < 0.8) {
      double s = z.incr(m, 3);
      truth[m] = (truth.count(m) ? truth[m] : 0) + 3;
      CHECK(s == truth[m]);
    } else {
      CHECK(z.remove(m) == (truth.erase(m) == 1));
    }
  }
  auto order = sorted_pairs(truth);
  REQUIRE(z.size() == order.size());
  for (size_t r = 0; r < order.size(); ++r) {
    CHECK(z.rank(order[r].second) == r);
    CHECK(z.rank(order[r].second, true) == order.size() - 1 - r);
  }
  CHECK_FALSE(z.rank(999999).has_value());
  for (size_t start : {size_t{0}, size_t{17}, order.size() - 5}) {
    auto asc = z.range(start, 10);
    auto rev = z.range(start, 10, true);
    for (size_t i = 0; i < asc.size(); ++i) {
      CHECK(asc[i].first == order[start + i].second);
      CHECK(rev[i].first == order[order.size() - 1 - start - i].second);
    }
    CHECK(asc.size() == std::min<size_t>(10, order.size() - start));
  }
  // Removal by score: everything below 100 goes, the rest keeps its order.
  size_t below = static_cast<size_t>(std::count_if(order.begin(), order.end(), [](auto& p) { return p.first < 100; }));
  CHECK(z.count_below(100) == below);
  CHECK(z.remove_below(100) == below);
  CHECK(z.size() == order.size() - below);
  CHECK(z.range(0, 1)[0].first == order[below].second);
}

TEST_CASE("Redis geo radius returns exactly the members a brute force finds within the radius")
{
  const double side = 100;
  GeoSet g(side);
  std::vector<std::pair<uint64_t, GeoSet::Point>> all;
  for (uint64_t m = 0; m < 5000; ++m) {
    auto p = GeoSet::home(m, side);
    g.add(m, p);
    all.emplace_back(m, p);
  }
  Rng rng(3);
  size_t examined_small = 0, queries_small = 0;
  for (int q = 0; q < 300; ++q) {
    GeoSet::Point c{side * rng.uniform01(), side * rng.uniform01()};
    double radius = q % 3 == 0 ? 40 * rng.uniform01() : 5 * rng.uniform01() + 0.01;
    std::set<uint64_t> expected;
    for (const auto& [m, p] : all)
      if (std::hypot(p.x - c.x, p.y - c.y) <= radius)
        expected.insert(m);
    auto s = g.radius(c, radius);
    CHECK(std::set<uint64_t>(s.members.begin(), s.members.end()) == expected);
    CHECK(s.members.size() == expected.size());
    CHECK(s.examined >= s.members.size());
    CHECK(s.cells <= 9);
    if (radius < 5.1) {
      examined_small += s.examined;
      queries_small += 1;
    }
  }
  // A small radius reads only the cells around it: 9 cells of at most (2r)^2 each, not the world.
  CHECK(static_cast<double>(examined_small) / static_cast<double>(queries_small) < 0.1 * 5000);
}

TEST_CASE("Redis geo: nearest first, COUNT keeps the nearest, moving a member moves its index entry")
{
  GeoSet g(10);
  g.add(1, {5, 5});
  g.add(2, {5.5, 5});
  g.add(3, {7, 5});
  auto s = g.radius({5, 5}, 3, 2);
  REQUIRE(s.members.size() == 2);
  CHECK(s.members[0] == 1);
  CHECK(s.members[1] == 2);
  CHECK_FALSE(g.add(3, {1, 1}));
  CHECK(g.radius({5, 5}, 3).members.size() == 2);
  CHECK(g.radius({1, 1}, 0.5).members == std::vector<uint64_t>{3});
}

TEST_CASE("Redis Bloom filter false-positive rate matches (1 - e^{-kn/m})^k")
{
  // One non-scaling filter sized for 10^4 items at 1%: k = 7, m = 95,851 bits.
  BloomFilter f(10000, 0.01, 0);
  CHECK(f.hashes(0) == 7);
  CHECK(f.bits(0) == 95851);
  size_t probes = 0;
  uint64_t next = 0;
  for (auto n : {5000u, 10000u}) {
    while (f.items(0) < n)
      CHECK(f.add(next++, probes) != BloomFilter::Add::Full);
    // "exists" on add is itself a false positive: count what went in
    double n_in = static_cast<double>(f.items(0));
    double fp = 0, trials = 1e6;
    for (uint64_t i = 0; i < trials; ++i)
      fp += f.check(1'000'000'000 + i, probes) ? 1 : 0;
    double expected = BloomFilter::expected_fp(n_in, 95851, 7);
    INFO("n = " << n << ", measured " << fp / trials << ", formula " << expected);
    // within 4 binomial standard deviations of the formula (and the bits really are that full)
    CHECK(std::abs(fp - expected * trials) < 4 * std::sqrt(expected * trials));
    CHECK(f.fill(0) == Approx(1 - std::exp(-7 * n_in / 95851)).epsilon(0.01));
  }
  for (uint64_t i = 0; i < next; i += 7)
    CHECK(f.check(i, probes));  // no false negatives
  CHECK(f.full());
}

TEST_CASE("Redis scalable Bloom filter grows by sub-filters and keeps its error bounded")
{
  // RedisBloom defaults: capacity 100, error 1%, expansion 2.
  BloomFilter f(100, 0.01, 2);
  size_t probes = 0, exists = 0;
  for (uint64_t i = 0; i < 1500; ++i)
    exists += f.add(i, probes) == BloomFilter::Add::Exists ? 1 : 0;
  // 100 + 200 + 400 + 800 >= 1500 - exists
  CHECK(f.filters() == 4);
  // Each sub-filter halves the error rate: 7, 8, 9, 10 hash functions for 1%, 0.5%, 0.25%, 0.125%.
  CHECK(f.hashes(0) == 7);
  CHECK(f.hashes(1) == 8);
  CHECK(f.hashes(3) == 10);
  CHECK(f.bits(1) == static_cast<uint64_t>(std::ceil(200 * -std::log(0.005) / std::pow(std::log(2.0), 2))));
  double fp = 0, trials = 1e6;
  for (uint64_t i = 0; i < trials; ++i)
    fp += f.check(1'000'000 + i, probes) ? 1 : 0;
  // An id never added passes sub-filter i with probability fill_i^k_i.
  double pass_none = 1;
  for (size_t l = 0; l < f.filters(); ++l)
    pass_none *= 1 - std::pow(f.fill(l), f.hashes(l));
  double expected = 1 - pass_none;
  CHECK(std::abs(fp - expected * trials) < 4 * std::sqrt(expected * trials));
  // Sub-filter i is built for 0.01 * 0.5^i: about 2% together, not 1% per sub-filter.
  CHECK(expected == Approx(0.02).margin(0.005));
}

TEST_CASE("Redis count-min sketch never under-counts and over-counts by more than eps * N at most delta of the time")
{
  const uint32_t width = 272, depth = 5;  // eps = e / 272 = 1%, delta = e^-5 = 0.67%
  CountMinSketch s(width, depth);
  auto pop = Popularity::zipf(10000, 1.0);
  Rng rng(11);
  std::vector<uint64_t> truth(10000, 0);
  for (int i = 0; i < 100000; ++i) {
    uint64_t item = pop.sample(rng);
    s.incr(item, 1);
    ++truth[item];
  }
  double eps = std::exp(1.0) / width, n = static_cast<double>(s.total());
  size_t over = 0;
  for (uint64_t item = 0; item < 10000; ++item) {
    uint64_t est = s.query(item);
    CHECK(est >= truth[item]);
    over += static_cast<double>(est - truth[item]) > eps * n ? 1 : 0;
  }
  CHECK(static_cast<double>(over) / 10000 <= std::exp(-5.0));
  CHECK(s.bytes() == 4.0 * width * depth);
}

TEST_CASE("Redis sliding-window log allows exactly `limit` in any window")
{
  SlidingLog log;
  const double window = 1;
  const uint64_t limit = 10;
  Rng rng(5);
  std::vector<double> allowed;
  double t = 0;
  size_t denied = 0, trimmed = 0;
  for (int i = 0; i < 20000; ++i) {
    t += -std::log(rng.uniform01()) / 50;  // 50/s against 10/s
    auto in_window = [&](double at) {
      return std::count_if(allowed.begin(), allowed.end(), [&](double a) { return a > at - window && a <= at; });
    };
    if (log.take(t, window, limit, trimmed)) {
      allowed.push_back(t);
      CHECK(in_window(t) <= static_cast<long>(limit));
    } else {
      ++denied;
      CHECK(in_window(t) == static_cast<long>(limit));  // denied only when the window is full
    }
    if (allowed.size() > 200)
      allowed.erase(allowed.begin(), allowed.begin() + 100);
  }
  CHECK(denied > 10000);
}

TEST_CASE("Redis token bucket allows its burst, then its refill rate")
{
  TokenBucket b{5, 0};
  int ok = 0;
  for (int i = 0; i < 10; ++i)
    ok += b.take(0, 10, 5) ? 1 : 0;
  CHECK(ok == 5);  // the burst
  ok = 0;
  // 20 requests per second against 10 tokens per second: half get through.
  for (int i = 1; i <= 2000; ++i)
    ok += b.take(i * 0.05, 10, 5) ? 1 : 0;
  CHECK(ok == Approx(1000).margin(2));
}

TEST_CASE("Redis fixed window allows `limit` per window and starts again in the next")
{
  FixedWindow w;
  int ok = 0;
  for (int i = 0; i < 30; ++i)
    ok += w.take(0.01 * i, 1, 10) ? 1 : 0;
  CHECK(ok == 10);
  CHECK(w.take(1.0, 1, 10));
  // The boundary burst a fixed window allows: 10 at the end of one window, 10 at the start of the next.
  FixedWindow edge;
  ok = 0;
  for (int i = 0; i < 10; ++i)
    ok += edge.take(0.99, 1, 10) ? 1 : 0;
  for (int i = 0; i < 10; ++i)
    ok += edge.take(1.01, 1, 10) ? 1 : 0;
  CHECK(ok == 20);
}

namespace {
TypedCommand cmd(TypedOp op, uint64_t key, uint64_t member = 0)
{
  TypedCommand c;
  c.op     = op;
  c.key    = key;
  c.member = member;
  return c;
}
}  // namespace

TEST_CASE("Redis typed keys count their elements against maxmemory and lose their structure when evicted")
{
  KeyCache cache(1000, Eviction::Lru);
  RedisTypedStore store(Persistence::None, Eviction::Lru, 100);
  for (uint64_t m = 0; m < 50; ++m) {
    auto c   = cmd(TypedOp::ZAdd, 1, m);
    c.number = static_cast<double>(m);
    CHECK(store.apply(c, cache, 0).tag == "added");
  }
  CHECK(cache.used_bytes() == 50 * RedisTypedStore::kScoredBytes);
  // A second structure that needs the room evicts the first (least recently used) key.
  for (uint64_t m = 0; m < 20; ++m) {
    auto c         = cmd(TypedOp::HSet, 2, m);
    c.member_bytes = 20;
    store.apply(c, cache, 1);
  }
  CHECK(cache.used_bytes() == Approx(20 * 28));
  auto r = store.apply(cmd(TypedOp::ZRange, 1), cache, 2);
  CHECK(r.tag == "miss");
  CHECK(store.zset(1) == nullptr);
  CHECK(store.keys() == 1);
}

TEST_CASE("Redis typed writes fail with oom under noeviction and leave the structure as it was")
{
  KeyCache cache(100, Eviction::NoEviction);
  RedisTypedStore store(Persistence::None, Eviction::NoEviction, 100);
  for (uint64_t m = 0; m < 6; ++m)
    CHECK(store.apply(cmd(TypedOp::ZAdd, 1, m), cache, 0).status == TypedResult::Status::Ok);
  auto r = store.apply(cmd(TypedOp::ZAdd, 1, 99), cache, 0);
  CHECK(r.status == TypedResult::Status::Oom);
  CHECK_FALSE(r.wrote);
  CHECK(store.zset(1)->size() == 6);
  CHECK(store.apply(cmd(TypedOp::ZAdd, 1, 3), cache, 0).tag == "updated");  // no growth: fits
  CHECK(store.apply(cmd(TypedOp::ZRem, 1, 3), cache, 0).tag == "found");
  CHECK(store.apply(cmd(TypedOp::ZAdd, 1, 99), cache, 0).tag == "added");
}

TEST_CASE("Redis typed keys: WRONGTYPE on a string or another type, TTL kept across writes")
{
  KeyCache cache(1e6, Eviction::Lru);
  RedisTypedStore store(Persistence::None, Eviction::Lru, 100);
  cache.put(5, 100, 0);  // a string
  CHECK(store.apply(cmd(TypedOp::HSet, 5, 1), cache, 0).status == TypedResult::Status::WrongType);
  CHECK(store.apply(cmd(TypedOp::LPush, 6, 1), cache, 0).status == TypedResult::Status::Ok);
  CHECK(store.apply(cmd(TypedOp::ZAdd, 6, 1), cache, 0).status == TypedResult::Status::WrongType);
  auto c    = cmd(TypedOp::RPush, 7, 1);
  c.key_ttl = 10;  // created with the key space's ttl
  store.apply(c, cache, 0);
  store.apply(cmd(TypedOp::RPush, 7, 2), cache, 9);  // a write keeps the TTL
  CHECK(store.apply(cmd(TypedOp::LRange, 7), cache, 9.5).tag == "hit");
  CHECK(store.apply(cmd(TypedOp::LRange, 7), cache, 10.5).tag == "miss");
  CHECK(store.expire(6, cache, 1, 1));
  CHECK_FALSE(store.holds(6, cache, 2.5));
}

TEST_CASE("Redis lists push, trim to a cap and pop from both ends")
{
  KeyCache cache(1e6, Eviction::Lru);
  RedisTypedStore store(Persistence::None, Eviction::Lru, 100);
  for (uint64_t e = 1; e <= 5; ++e) {
    auto c         = cmd(TypedOp::LPush, 1, e);
    c.member_bytes = 10;
    c.count        = 3;  // LPUSH + LTRIM 0 2: the newest three
    store.apply(c, cache, 0);
  }
  CHECK(cache.used_bytes() == 30);
  auto range  = cmd(TypedOp::LRange, 1);
  range.count = 0;
  CHECK(store.apply(range, cache, 0).elements == 3);
  CHECK(store.apply(cmd(TypedOp::RPop, 1), cache, 0).tag == "found");
  CHECK(store.apply(cmd(TypedOp::LPop, 1), cache, 0).tag == "found");
  CHECK(store.apply(cmd(TypedOp::LPop, 1), cache, 0).tag == "found");
  CHECK(store.apply(cmd(TypedOp::LPop, 1), cache, 0).tag == "empty");
  CHECK(store.keys() == 0);  // an emptied list is deleted, as in Redis
  CHECK(cache.used_bytes() == 0);
}

TEST_CASE("Redis lock: SET NX PX holds for one holder until its release or its lease ends")
{
  KeyCache cache(1e6, Eviction::Lru);
  RedisTypedStore store(Persistence::None, Eviction::Lru, 100);
  auto acquire = [&](uint64_t who, double now) {
    auto c   = cmd(TypedOp::Script, 9);
    c.script = ScriptKind::LockAcquire;
    c.caller = who;
    c.ttl    = 2;
    return store.apply(c, cache, now).tag;
  };
  auto release = [&](uint64_t who, double now) {
    auto c   = cmd(TypedOp::Script, 9);
    c.script = ScriptKind::LockRelease;
    c.caller = who;
    return store.apply(c, cache, now).tag;
  };
  CHECK(acquire(1, 0) == "acquired");
  CHECK(acquire(2, 0.5) == "busy");
  CHECK(release(2, 0.6) == "not_owner");
  CHECK(release(1, 0.7) == "released");
  CHECK(acquire(2, 0.8) == "acquired");
  CHECK(acquire(3, 2.9) == "acquired");  // 2's lease ended at 2.8
  CHECK(release(2, 3.0) == "not_owner");
}

TEST_CASE("Redis aof_everysec: a crash brings structures back to the last once-a-second fsync")
{
  KeyCache cache(1e6, Eviction::Lru);
  RedisTypedStore store(Persistence::AofEverysec, Eviction::Lru, 100);
  for (uint64_t m = 0; m < 10; ++m)
    store.apply(cmd(TypedOp::ZAdd, 1, m), cache, 0.5);
  // the fsync at t = 1 makes those durable
  store.apply(cmd(TypedOp::ZAdd, 1, 10), cache, 1.2);
  store.apply(cmd(TypedOp::ZRem, 1, 0), cache, 1.3);
  store.apply(cmd(TypedOp::HSet, 2, 1), cache, 1.4);
  CHECK(store.crash(cache, 1.5) == 3);
  REQUIRE(store.zset(1) != nullptr);
  CHECK(store.zset(1)->size() == 10);
  CHECK(store.zset(1)->score(0).has_value());
  CHECK_FALSE(store.zset(1)->score(10).has_value());
  CHECK_FALSE(store.holds(2, cache, 1.5));
  CHECK(cache.used_bytes() == 10 * RedisTypedStore::kScoredBytes);

  KeyCache other(1e6, Eviction::Lru);
  RedisTypedStore volatile_store(Persistence::None, Eviction::Lru, 100);
  volatile_store.apply(cmd(TypedOp::ZAdd, 1, 1), other, 0.5);
  CHECK(volatile_store.crash(other, 0.6) == 1);
  CHECK(volatile_store.keys() == 0);
}

TEST_CASE("Redis pub/sub subscriptions last until unsubscribe or their end")
{
  PubSub ps;
  ps.subscribe(1, 100, 0, 0);
  ps.subscribe(1, 101, 1, 5);
  ps.subscribe(2, 102, 0, 0);
  CHECK(ps.subscribers(1, 1).size() == 2);
  CHECK(ps.subscribers(1, 6).size() == 1);
  CHECK(ps.unsubscribe(1, 100));
  CHECK_FALSE(ps.unsubscribe(1, 100));
  CHECK(ps.subscribers(1, 6).empty());
  CHECK(ps.count(6) == 1);
}

TEST_CASE("Redis command costs follow complexity: ZRANGE by elements returned, ZADD by log N")
{
  KeyCache cache(1e9, Eviction::Lru);
  RedisTypedStore store(Persistence::None, Eviction::Lru, 100);
  RedisCosts costs{12.1e-6, 8.8e-6, 1e-9, 100e-9, 100e-9, 1.2e-6, 0.84e-6, 5.6e-6};
  auto zadd = [&](uint64_t m) {
    auto c   = cmd(TypedOp::ZAdd, 1, m);
    c.number = static_cast<double>(m);
    return costs.of(store.apply(c, cache, 0));
  };
  double first = zadd(0);
  for (uint64_t m = 1; m < 1023; ++m)
    zadd(m);
  // ZADD into 1023 members descends log2(1024) = 10 levels
  CHECK(zadd(5000) - first == Approx(10 * costs.level).epsilon(1e-6));
  auto zrange = [&](uint64_t count) {
    auto c  = cmd(TypedOp::ZRange, 1);
    c.count = count;
    c.rev   = true;
    return costs.of(store.apply(c, cache, 0));
  };
  CHECK(zrange(100) - zrange(10) == Approx(90 * (costs.element + 16 * costs.per_byte)));
  CHECK(costs.publish(100, 100) - costs.publish(10, 100) ==
        Approx(90 * (costs.element + costs.delivery + 100 * costs.per_byte)));
}
