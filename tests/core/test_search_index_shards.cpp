// search_index pure logic: shard placement and lazy periodic refresh.
#include <catch2/catch.hpp>

#include <set>

#include "models/search_index_shards.h"

using namespace archsim;

TEST_CASE("search_index layout: no two copies of a shard on one node while nodes allow")
{
  ShardLayout l(3, 5, 2);
  for (size_t s = 0; s < 5; ++s) {
    std::set<size_t> nodes;
    for (size_t c = 0; c < l.copies(); ++c)
      nodes.insert(l.node_of(s, c));
    CHECK(nodes.size() == 3);
  }
  CHECK(ShardLayout(2, 1, 3).copies() == 2);  // the extra replicas stay unassigned
}

TEST_CASE("search_index refresh: documents wait for the next boundary")
{
  ShardRefresh r(1.0, 0.25, 10);
  CHECK(r.index(0.5) == Approx(1.25));
  CHECK(r.index(1.0) == Approx(1.25));
  CHECK(r.index(1.3) == Approx(2.25));
  CHECK(r.advance(1.2) == 0);
  CHECK(r.visible() == 10);
  CHECK(r.advance(3.0) == 2);
  CHECK(r.visible() == 13);
  CHECK(r.delay_sum() == Approx(0.75 + 0.25 + 0.95));
  CHECK(r.delay_count() == 3);
}
