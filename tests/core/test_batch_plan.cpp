// The batch_job model's planner and task bookkeeping without SimGrid: splits of the input, the
// shuffle's share per reduce partition from a popularity law (a hot key makes a hot partition),
// the stage barrier, and what an executor's loss sends back to run again.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "models/batch_plan.h"
#include "sim/core/hash_ring.h"

using namespace archsim;

TEST_CASE("the input is cut into splits of split_size, the last one short")
{
  BatchPlan p = plan_batch(1000, 300, partition_shares(nullptr, 4));
  CHECK(p.map_bytes == std::vector<double>{300, 300, 300, 100});
  CHECK(p.reduce_share == std::vector<double>{0.25, 0.25, 0.25, 0.25});
  CHECK(plan_batch(900, 300, {1.0}).map_bytes.size() == 3);
  CHECK(plan_batch(0, 300, {1.0}).map_bytes.size() == 1);  // an empty input still runs one task
}

TEST_CASE("partition shares follow the key popularity: the hottest key's partition is the biggest")
{
  Popularity zipf = Popularity::zipf(1000000, 1.0);
  auto shares     = partition_shares(&zipf, 200);
  double total    = std::accumulate(shares.begin(), shares.end(), 0.0);
  CHECK(total == Approx(1.0).epsilon(1e-9));
  size_t hot_partition = mix64(0) % 200;
  double hottest       = *std::max_element(shares.begin(), shares.end());
  CHECK(shares[hot_partition] == hottest);
  // Rank 0 alone has 1/H(10^6) = 6.95% of the records; its partition gets that plus its part of
  // the rest, far above the even 0.5%.
  CHECK(hottest >= zipf.probability(0));
  CHECK(hottest > 10 * (1.0 / 200));
  // Uniform keys spread evenly (to within the randomness of hashing 10^5 keys into 200 bins).
  Popularity uniform = Popularity::uniform(100000);
  auto even          = partition_shares(&uniform, 200);
  CHECK(*std::max_element(even.begin(), even.end()) < 1.3 / 200);
  CHECK(*std::min_element(even.begin(), even.end()) > 0.7 / 200);
}

TEST_CASE("reduce tasks start only after every map output exists")
{
  BatchRun run(plan_batch(300, 100, partition_shares(nullptr, 2)), 2);
  auto m0 = run.next(0);
  auto m1 = run.next(1);
  auto m2 = run.next(0);
  REQUIRE(m0);
  REQUIRE(m2);
  CHECK(m2->stage == BatchTask::Stage::Map);
  CHECK(!run.next(1));  // all maps running: nothing to do until they finish
  CHECK(run.finish(*m0, 0));
  CHECK(run.finish(*m1, 1));
  CHECK(!run.next(1));
  CHECK(run.finish(*m2, 0));
  CHECK(run.in_reduce_stage());
  CHECK(run.map_input_on() == std::vector<double>{200, 100});
  auto r0 = run.next(1);
  auto r1 = run.next(0);
  REQUIRE(r0);
  REQUIRE(r1);
  CHECK(r0->stage == BatchTask::Stage::Reduce);
  CHECK(!run.done());
  CHECK(run.finish(*r0, 1));
  CHECK(run.finish(*r1, 0));
  CHECK(run.done());
}

TEST_CASE("a lost executor's running tasks and map outputs run again; its late answer is stale")
{
  BatchRun run(plan_batch(300, 100, partition_shares(nullptr, 2)), 2);
  auto a = run.next(0);
  auto b = run.next(1);
  auto c = run.next(0);
  run.finish(*a, 0);
  run.finish(*b, 1);
  run.finish(*c, 0);
  auto r = run.next(1);  // a reduce on executor 1
  REQUIRE(r);
  CHECK(r->stage == BatchTask::Stage::Reduce);
  // Executor 0 dies: its two map outputs are gone; the reduce stage waits for them again.
  CHECK(run.executor_lost(0) == 2);
  CHECK(!run.in_reduce_stage());
  CHECK(run.map_input_on() == std::vector<double>{0, 100});
  auto again = run.next(1);
  REQUIRE(again);
  CHECK(again->stage == BatchTask::Stage::Map);
  CHECK(again->attempt != a->attempt);
  // Executor 1 dies while running a map and a reduce: both come back.
  CHECK(run.executor_lost(1) == 3);  // the reduce, the map, and its own map output
  CHECK(!run.finish(*again, 1));     // stale: already handed back
  size_t maps = 0, reduces = 0;
  while (auto t = run.next(0)) {
    ++(t->stage == BatchTask::Stage::Map ? maps : reduces);
    run.finish(*t, 0);
  }
  CHECK(maps == 3);  // every map again: all outputs were lost
  CHECK(reduces == 2);
  CHECK(run.done());
}
