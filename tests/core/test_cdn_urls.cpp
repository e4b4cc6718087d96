// Versioned URLs: invalidation makes the old copies unreachable without touching any cache.
#include <catch2/catch.hpp>

#include "models/cdn_urls.h"
#include "sim/core/key_cache.h"

using namespace archsim;

TEST_CASE("invalidating a key gives it a new URL; other keys keep theirs")
{
  UrlVersions v;
  uint64_t a0 = v.url("assets", 1), b0 = v.url("assets", 2);
  CHECK(v.invalidate("assets", 1) == 1);
  CHECK(v.url("assets", 1) != a0);
  CHECK(v.url("assets", 2) == b0);
  uint64_t a1 = v.url("assets", 1);
  v.invalidate("assets", 1);
  CHECK(v.url("assets", 1) != a1);
  CHECK(v.url("assets", 1) != a0);
  CHECK(v.version("assets", 1) == 2);
  CHECK(v.invalidations() == 2);
  CHECK(v.url("assets", 2) != v.url("images", 2));  // key spaces apart
}

TEST_CASE("after invalidation the cached copy misses, and still takes space until evicted")
{
  UrlVersions v;
  KeyCache edge(1000, Eviction::Lru);
  edge.put(v.url("assets", 1), 400, 0);
  CHECK(edge.get(v.url("assets", 1), 1));
  v.invalidate("assets", 1);
  CHECK_FALSE(edge.get(v.url("assets", 1), 2));
  CHECK(edge.used_bytes() == 400);  // the old version ages out by LRU
  edge.put(v.url("assets", 1), 400, 3);
  edge.put(v.url("assets", 2), 400, 4);  // needs room: the old version is the LRU victim
  CHECK(edge.evictions() == 1);
  CHECK(edge.get(v.url("assets", 1), 5));
}
