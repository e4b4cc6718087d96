// The cache structure behind every cache model: eviction order, byte bound, expiry, and the
// hit ratio against Che's approximation for LRU under the independent reference model.
#include <catch2/catch.hpp>
#include <cmath>

#include "../che_approximation.h"
#include "sim/core/key_cache.h"
#include "sim/core/popularity.h"
#include "sim/core/rng.h"

using namespace archsim;

TEST_CASE("KeyCache LRU evicts the least recently used key")
{
  KeyCache c(300, Eviction::Lru);
  c.put(1, 100, 0);
  c.put(2, 100, 0);
  c.put(3, 100, 0);
  CHECK(c.get(1, 0));  // 1 is now the most recent; 2 the least
  c.put(4, 100, 0);
  CHECK(c.contains(1, 0));
  CHECK_FALSE(c.contains(2, 0));
  CHECK(c.evictions() == 1);
}

TEST_CASE("KeyCache LFU keeps the frequently used key")
{
  KeyCache c(300, Eviction::Lfu);
  c.put(1, 100, 0);
  for (int i = 0; i < 5; ++i)
    c.get(1, 0);
  c.put(2, 100, 0);
  c.put(3, 100, 0);
  c.get(3, 0);
  c.put(4, 100, 0);  // 2 has the lowest frequency
  CHECK(c.contains(1, 0));
  CHECK_FALSE(c.contains(2, 0));
  CHECK(c.contains(3, 0));
}

TEST_CASE("KeyCache is bounded by bytes, not by entries")
{
  KeyCache c(1000, Eviction::Lru);
  c.put(1, 600, 0);
  c.put(2, 600, 0);  // evicts 1
  CHECK(c.size() == 1);
  CHECK(c.used_bytes() == 600);
  CHECK_FALSE(c.put(3, 2000, 0));  // larger than the cache: not stored
  CHECK(c.contains(2, 0));
}

TEST_CASE("KeyCache entries expire after their TTL, lazily")
{
  KeyCache c(1000, Eviction::Lru);
  c.put(1, 100, 0, 10);
  CHECK(c.get(1, 9.9));
  CHECK(c.used_bytes() == 100);
  CHECK_FALSE(c.get(1, 10.0));
  CHECK(c.expirations() == 1);
  CHECK(c.used_bytes() == 0);
}

TEST_CASE("KeyCache noeviction refuses writes that do not fit")
{
  KeyCache c(200, Eviction::NoEviction);
  CHECK(c.put(1, 100, 0));
  CHECK(c.put(2, 100, 0));
  CHECK_FALSE(c.put(3, 100, 0));
  CHECK(c.contains(1, 0));
}

TEST_CASE("KeyCache update of a growing entry never evicts the entry itself")
{
  KeyCache c(300, Eviction::Lru);
  c.put(1, 100, 0);
  c.put(2, 100, 0);
  CHECK(c.put(1, 250, 0));  // must evict 2, not 1
  CHECK(c.contains(1, 0));
  CHECK_FALSE(c.contains(2, 0));
  CHECK(c.used_bytes() == 250);
}

namespace {

double simulated_hit_ratio(const Popularity& pop, double capacity, int warm, int measured)
{
  KeyCache cache(capacity, Eviction::Lru);
  Rng rng(42);
  int hits = 0;
  for (int k = 0; k < warm + measured; ++k) {
    uint64_t key = pop.sample(rng);
    bool hit     = cache.get(key, 0);
    if (!hit)
      cache.put(key, 1, 0);
    if (k >= warm && hit)
      ++hits;
  }
  return static_cast<double>(hits) / measured;
}
}  // namespace

TEST_CASE("LRU hit ratio under zipf(0.8) matches Che's approximation within 2 points")
{
  const uint64_t n = 100000;
  Popularity pop   = Popularity::zipf(n, 0.8);
  double che       = test::che_hit_ratio(pop, 2000);
  double sim       = simulated_hit_ratio(pop, 2000, 200000, 1000000);
  INFO("Che " << che << ", simulated " << sim);
  CHECK(std::fabs(sim - che) < 0.02);
}

TEST_CASE("LRU hit ratio under zipf(1.2) matches Che's approximation within 2 points")
{
  const uint64_t n = 100000;
  Popularity pop   = Popularity::zipf(n, 1.2);
  double che       = test::che_hit_ratio(pop, 500);
  double sim       = simulated_hit_ratio(pop, 500, 200000, 1000000);
  INFO("Che " << che << ", simulated " << sim);
  CHECK(std::fabs(sim - che) < 0.02);
}

TEST_CASE("a cache twice the size hits more")
{
  Popularity pop = Popularity::zipf(100000, 0.8);
  CHECK(simulated_hit_ratio(pop, 4000, 100000, 300000) > simulated_hit_ratio(pop, 2000, 100000, 300000) + 0.03);
}
