// Memcached's slab allocator as pure state: class sizes, page assignment, per-class LRU, slab
// calcification, and one class behaving as LRU (Che's approximation).
#include <catch2/catch.hpp>
#include <cmath>

#include "models/memcached_slabs.h"
#include "sim/core/popularity.h"
#include "sim/core/rng.h"

using namespace archsim;

namespace {
constexpr double kPage = 1048576;

SlabConfig pages(size_t n, double factor = 1.25)
{
  SlabConfig c;
  c.memory_bytes  = static_cast<double>(n) * kPage;
  c.growth_factor = factor;
  return c;
}
}  // namespace

TEST_CASE("slab classes grow from 64 B by the factor, 8-byte aligned, up to one page")
{
  SlabStore s(pages(4));
  // As memcached -n 64 -f 1.25: 64, 80, 104 (100 aligned), 136 (130 aligned), 176 (170 aligned).
  REQUIRE(s.classes() > 5);
  CHECK(s.chunk_bytes(0) == 64);
  CHECK(s.chunk_bytes(1) == 80);
  CHECK(s.chunk_bytes(2) == 104);
  CHECK(s.chunk_bytes(3) == 136);
  CHECK(s.chunk_bytes(4) == 176);
  CHECK(s.chunk_bytes(s.classes() - 1) == kPage);
  CHECK(s.chunks_per_page(2) == static_cast<size_t>(kPage / 104));
  // Facebook's 1.07 gives many more, finer classes over the same range.
  SlabStore fb(pages(4, 1.07));
  CHECK(fb.classes() > 3 * s.classes());
}

TEST_CASE("an item goes to the smallest class whose chunk holds it")
{
  SlabStore s(pages(4));
  CHECK(s.class_for(1) == 0);
  CHECK(s.class_for(64) == 0);
  CHECK(s.class_for(65) == 1);
  CHECK(s.class_for(100) == 2);
  CHECK(s.class_for(104) == 2);
  CHECK(s.class_for(105) == 3);
  CHECK(s.class_for(kPage) == s.classes() - 1);
  CHECK(s.class_for(kPage + 1) == SlabStore::npos);
  CHECK(s.set(1, kPage + 1, 0) == SlabStore::SetResult::TooLarge);
}

TEST_CASE("pages go to classes as they fill, first come first served")
{
  SlabStore s(pages(3));
  size_t per_page = s.chunks_per_page(2);
  CHECK(s.free_pages() == 3);
  s.set(1, 100, 0);
  CHECK(s.pages(2) == 1);
  CHECK(s.free_pages() == 2);
  for (uint64_t k = 2; k <= per_page; ++k)
    s.set(k, 100, 0);
  CHECK(s.pages(2) == 1);  // exactly one page full
  s.set(per_page + 1, 100, 0);
  CHECK(s.pages(2) == 2);
  s.set(1000000, 1000, 0);  // another class takes the last page
  CHECK(s.pages(s.class_for(1000)) == 1);
  CHECK(s.free_pages() == 0);
  CHECK(s.evictions() == 0);
}

TEST_CASE("each class evicts its own least recently used item, never another class's")
{
  SlabConfig c = pages(2);
  SlabStore s(c);
  size_t small = s.chunks_per_page(s.class_for(100));
  size_t big   = s.chunks_per_page(s.class_for(5000));
  for (uint64_t k = 0; k < small; ++k)
    s.set(k, 100, 0);
  for (uint64_t k = 0; k < big; ++k)
    s.set(1000000 + k, 5000, 0);
  REQUIRE(s.free_pages() == 0);
  CHECK(s.get(0, 0));  // key 0 is now the most recent small item; key 1 the least
  CHECK(s.set(5000000, 100, 0) == SlabStore::SetResult::Stored);
  CHECK(s.evictions() == 1);
  CHECK(s.get(0, 0));
  CHECK_FALSE(s.get(1, 0));
  for (uint64_t k = 0; k < big; ++k)  // every big item is still there
    CHECK(s.get(1000000 + k, 0));
}

TEST_CASE("slab calcification: pages taken by small items are not given to large ones")
{
  SlabStore s(pages(4));
  size_t small_cls = s.class_for(100);
  size_t big_cls   = s.class_for(1000);
  for (uint64_t k = 0; k < 4 * s.chunks_per_page(small_cls); ++k)
    s.set(k, 100, 0);
  REQUIRE(s.pages(small_cls) == 4);
  REQUIRE(s.free_pages() == 0);
  // The workload moves to 1000-byte values: their class has no page and nothing to evict, so
  // nothing can be stored, although most of the small items will never be read again.
  CHECK(s.set(9000000, 1000, 0) == SlabStore::SetResult::OutOfMemory);
  CHECK(s.pages(big_cls) == 0);
  // A restart (memcached keeps nothing) is what frees the pages.
  s.clear();
  CHECK(s.set(9000000, 1000, 0) == SlabStore::SetResult::Stored);
  CHECK(s.pages(big_cls) == 1);
}

TEST_CASE("a calcified store holds fewer large items and hits less than a fresh one")
{
  // 8 pages. The calcified store first saw small values that took 6 pages; then the values of
  // the workload grew to 1000 B. Both then serve the same zipf stream of 1000-byte items.
  auto run = [](bool calcified) {
    SlabStore s(pages(8));
    if (calcified)
      for (uint64_t k = 0; k < 6 * s.chunks_per_page(s.class_for(100)); ++k)
        s.set(50000000 + k, 100, 0);
    Popularity pop = Popularity::zipf(100000, 0.9);
    Rng rng(7);
    uint64_t hits = 0, gets = 0;
    for (int i = 0; i < 400000; ++i) {
      uint64_t k = pop.sample(rng);
      bool hit   = s.get(k, 0);
      if (!hit)
        s.set(k, 1000, 0);
      if (i >= 200000) {
        ++gets;
        hits += hit;
      }
    }
    return std::make_pair(static_cast<double>(hits) / static_cast<double>(gets), s.pages(s.class_for(1000)));
  };
  auto [fresh_ratio, fresh_pages]         = run(false);
  auto [calcified_ratio, calcified_pages] = run(true);
  CHECK(fresh_pages == 8);
  CHECK(calcified_pages == 2);
  CHECK(calcified_ratio < fresh_ratio - 0.1);
  CHECK(calcified_ratio > 0.2);  // it still caches, in its two pages
}

TEST_CASE("expired items miss, and their chunk is reused without counting an eviction")
{
  SlabConfig c = pages(1);
  SlabStore s(c);
  size_t per_page = s.chunks_per_page(s.class_for(100));
  for (uint64_t k = 0; k < per_page; ++k)
    s.set(k, 100, 0, 10);
  CHECK(s.get(5, 9.9));
  CHECK_FALSE(s.get(5, 10));  // lazy expiry on lookup
  CHECK(s.items() == per_page - 1);
  s.set(per_page, 100, 11);  // a free chunk (key 5's)
  s.set(per_page + 1, 100, 11);  // the LRU tail is key 0, expired: reclaimed
  CHECK(s.evictions() == 0);
  CHECK(s.reclaimed() == 1);
}

TEST_CASE("warm-up inserts never evict")
{
  SlabStore s(pages(1));
  size_t per_page = s.chunks_per_page(s.class_for(100));
  for (uint64_t k = 0; k < per_page; ++k)
    CHECK(s.insert_if_room(k, 100, 0));
  CHECK_FALSE(s.insert_if_room(per_page, 100, 0));
  CHECK(s.evictions() == 0);
  CHECK(s.items() == per_page);
}

TEST_CASE("one slab class is an LRU cache: its hit ratio matches Che's approximation")
{
  // 10 pages of 6400 B with 64 B chunks: 1000 items. Zipf(0.8) over 10,000 keys.
  SlabConfig c;
  c.page_bytes   = 6400;
  c.memory_bytes = 10 * 6400;
  SlabStore s(c);
  REQUIRE(s.chunks_per_page(0) == 100);
  const uint64_t n = 10000;
  Popularity pop   = Popularity::zipf(n, 0.8);
  auto occupancy   = [&](double t) {
    double sum = 0;
    for (uint64_t i = 0; i < n; ++i)
      sum += 1 - std::exp(-pop.probability(i) * t);
    return sum;
  };
  double lo = 0, hi = 1;
  while (occupancy(hi) < 1000)
    hi *= 2;
  for (int k = 0; k < 100; ++k)
    (occupancy((lo + hi) / 2) < 1000 ? lo : hi) = (lo + hi) / 2;
  double expected = 0;
  for (uint64_t i = 0; i < n; ++i)
    expected += pop.probability(i) * (1 - std::exp(-pop.probability(i) * lo));

  Rng rng(11);
  uint64_t hits = 0, gets = 0;
  for (int i = 0; i < 1000000; ++i) {
    uint64_t k = pop.sample(rng);
    bool hit   = s.get(k, 0);
    if (!hit)
      s.set(k, 50, 0);
    if (i >= 100000) {
      ++gets;
      hits += hit;
    }
  }
  CHECK(static_cast<double>(hits) / static_cast<double>(gets) == Approx(expected).margin(0.01));
}

TEST_CASE("key spaces do not collide in one store")
{
  CHECK(slab_item_id("users", 7) != slab_item_id("posts", 7));
  CHECK(slab_item_id("users", 7) == slab_item_id("users", 7));
  CHECK(slab_item_id("users", 7) != slab_item_id("users", 8));
}
