// Redis node state without SimGrid: hash slots over shards, eviction policies, INCR counters, and
// what a crash loses under each persistence mode.
#include <catch2/catch.hpp>

#include <vector>

#include "models/redis_shard.h"

using namespace archsim;

TEST_CASE("Redis hash slots are split evenly over shards in contiguous ranges")
{
  CHECK(RedisSlots::shard_of_slot(0, 4) == 0);
  CHECK(RedisSlots::shard_of_slot(4095, 4) == 0);
  CHECK(RedisSlots::shard_of_slot(4096, 4) == 1);
  CHECK(RedisSlots::shard_of_slot(16383, 4) == 3);
  std::vector<int> per_shard(4, 0);
  for (uint64_t k = 0; k < 100000; ++k)
    ++per_shard[RedisSlots::shard(k, 4)];
  for (int n : per_shard)
    CHECK(n == Approx(25000).epsilon(0.02));
}

TEST_CASE("Redis without persistence loses every write on a crash")
{
  RedisShardState s(1e6, Eviction::Lru, Persistence::None);
  for (uint64_t k = 0; k < 10; ++k)
    s.set(k, 100, 0.1 * static_cast<double>(k), 0);
  CHECK(s.crash(5.0) == 10);
  CHECK(s.cache().size() == 0);
  CHECK_FALSE(s.get(3, 5.0));
}

TEST_CASE("Redis aof_everysec loses the writes since the last once-a-second fsync")
{
  RedisShardState s(1e6, Eviction::Lru, Persistence::AofEverysec);
  s.set(1, 100, 0.2, 0);
  s.set(2, 100, 0.9, 0);
  REQUIRE(s.incr(7, 0.5) == 1);
  // the fsync at t = 1 s makes these durable
  s.set(3, 100, 1.1, 0);
  s.del(1, 100, 1.3);
  REQUIRE(s.incr(7, 1.4) == 2);
  CHECK(s.unsynced(1.5) == 3);
  CHECK(s.crash(1.5) == 3);
  CHECK(s.get(1, 1.5));        // the DEL was lost
  CHECK(s.get(2, 1.5));
  CHECK_FALSE(s.get(3, 1.5));  // the SET was lost
  CHECK(s.incr(7, 1.6) == 2);  // the counter went back to its fsynced value: 2 is handed out again
}

TEST_CASE("Redis aof_always loses nothing on a crash")
{
  RedisShardState s(1e6, Eviction::Lru, Persistence::AofAlways);
  s.set(1, 100, 0.2, 0);
  s.set(2, 100, 1.9, 0);
  REQUIRE(s.incr(7, 1.95) == 1);
  CHECK(s.crash(1.99) == 0);
  CHECK(s.get(1, 2.0));
  CHECK(s.get(2, 2.0));
  CHECK(s.incr(7, 2.0) == 2);
}

TEST_CASE("Redis noeviction refuses new keys when full and keeps the old values")
{
  RedisShardState s(300, Eviction::NoEviction, Persistence::None);
  CHECK(s.set(1, 100, 0, 0));
  CHECK(s.set(2, 100, 0, 0));
  CHECK(s.set(3, 100, 0, 0));
  CHECK_FALSE(s.set(4, 100, 0, 0));
  CHECK(s.set(2, 100, 1, 0));  // overwriting a key of the same size needs no memory
  CHECK_FALSE(s.incr(5, 1).has_value());
  CHECK(s.get(1, 1));
  CHECK(s.cache().evictions() == 0);
}

TEST_CASE("Redis INCR counts from one and starts again after its key is evicted")
{
  RedisShardState s(2 * RedisShardState::kCounterBytes, Eviction::Lru, Persistence::None);
  CHECK(s.incr(1, 0) == 1);
  CHECK(s.incr(1, 0) == 2);
  CHECK(s.incr(2, 0) == 1);
  CHECK(s.incr(3, 0) == 1);  // evicts key 1, the least recently used
  CHECK(s.incr(1, 0) == 1);
}

TEST_CASE("Redis warm start fills without evicting and stops when full")
{
  RedisShardState s(250, Eviction::Lru, Persistence::None);
  CHECK(s.warm(1, 100, 0, 0));
  CHECK(s.warm(2, 100, 0, 0));
  CHECK_FALSE(s.warm(3, 100, 0, 0));
  CHECK(s.cache().evictions() == 0);
  CHECK(s.cache().size() == 2);
}
