// Consistent hashing: stable placement, an even spread, and about 1/N of the keys moving when
// a node joins.
#include <catch2/catch.hpp>
#include <vector>

#include "sim/core/hash_ring.h"

using namespace archsim;

TEST_CASE("HashRing places a key on the same node every time")
{
  HashRing a(8, 100), b(8, 100);
  for (uint64_t k = 0; k < 1000; ++k)
    CHECK(a.node_for(k) == b.node_for(k));
}

TEST_CASE("HashRing with 100 virtual nodes spreads keys within 20% of even")
{
  HashRing ring(10, 100);
  std::vector<int> count(10, 0);
  for (uint64_t k = 0; k < 100000; ++k)
    ++count[ring.node_for(k)];
  for (int c : count)
    CHECK(c == Approx(10000).epsilon(0.2));
}

TEST_CASE("adding a node to a consistent-hash ring moves about 1/N of the keys, all to the new node")
{
  HashRing ring(9, 100);
  const uint64_t n = 100000;
  std::vector<size_t> before(n);
  for (uint64_t k = 0; k < n; ++k)
    before[k] = ring.node_for(k);
  ring.add_node();
  uint64_t moved = 0;
  for (uint64_t k = 0; k < n; ++k) {
    size_t now = ring.node_for(k);
    if (now != before[k]) {
      ++moved;
      CHECK(now == 9);  // keys only ever move to the newcomer
    }
  }
  // 1/10 of the keys in expectation; the newcomer's arc varies with its 100 virtual nodes.
  CHECK(static_cast<double>(moved) / n == Approx(0.1).margin(0.03));
}

TEST_CASE("item_id keeps equal key ids of two key spaces apart")
{
  CHECK(item_id("users", 7) != item_id("posts", 7));
  CHECK(item_id("users", 7) == item_id("users", 7));
}

TEST_CASE("a failed node's keys move to other nodes on the ring while every other key stays")
{
  HashRing ring(5, 100);
  size_t moved = 0, owned_by_failed = 0;
  for (uint64_t k = 0; k < 20000; ++k) {
    size_t owner = ring.node_for(k);
    size_t now   = ring.node_for(k, [](size_t n) { return n != 2; });
    if (owner == 2) {
      ++owned_by_failed;
      CHECK(now != 2);
    } else {
      CHECK(now == owner);
    }
    moved += now != owner;
  }
  CHECK(moved == owned_by_failed);
  CHECK(owned_by_failed == Approx(20000 / 5).epsilon(0.2));
  // Nothing usable: the owner itself.
  CHECK(ring.node_for(7, [](size_t) { return false; }) == ring.node_for(7));
}
