// sql_db row locks without SimGrid: exclusive holders, FIFO hand-over, cancelled waits, and
// deadlocks as cycles of the wait-for graph.
#include <catch2/catch.hpp>

#include "models/sql_db_locks.h"

using namespace archsim;

TEST_CASE("sql_db locks: one holder per row, re-entrant, waiters granted in FIFO order")
{
  SqlLockTable l;
  CHECK(l.acquire(1, 10));
  CHECK(l.acquire(1, 10));  // already held
  CHECK_FALSE(l.acquire(1, 11));
  CHECK_FALSE(l.acquire(1, 12));
  CHECK(l.waiters(1) == 2);
  auto g = l.release_all(10);
  REQUIRE(g.size() == 1);
  CHECK(g[0] == std::make_pair(uint64_t{1}, uint64_t{11}));
  CHECK(l.holds(1, 11));
  g = l.release_all(11);
  REQUIRE(g.size() == 1);
  CHECK(g[0].second == 12);
  CHECK(l.release_all(12).empty());
  CHECK(l.locked_rows() == 0);
}

TEST_CASE("sql_db locks: release_all frees every row of a transaction")
{
  SqlLockTable l;
  for (uint64_t row = 0; row < 5; ++row)
    CHECK(l.acquire(row, 1));
  CHECK(l.held_by(1) == 5);
  CHECK_FALSE(l.acquire(3, 2));
  auto g = l.release_all(1);
  CHECK(g.size() == 1);
  CHECK(l.held_by(2) == 1);
  CHECK(l.locked_rows() == 1);
}

TEST_CASE("sql_db locks: a cancelled waiter (lock timeout) is skipped at hand-over")
{
  SqlLockTable l;
  l.acquire(1, 10);
  l.acquire(1, 11);
  l.acquire(1, 12);
  l.cancel(1, 11);
  auto g = l.release_all(10);
  REQUIRE(g.size() == 1);
  CHECK(g[0].second == 12);
}

TEST_CASE("sql_db locks: two transactions locking two rows in opposite orders form a cycle")
{
  SqlLockTable l;
  l.acquire(1, 100);  // A holds row 1
  l.acquire(2, 200);  // B holds row 2
  CHECK_FALSE(l.acquire(2, 100));  // A waits for B
  CHECK_FALSE(l.in_cycle(100));
  CHECK_FALSE(l.acquire(1, 200));  // B waits for A: deadlock
  CHECK(l.in_cycle(100));
  CHECK(l.in_cycle(200));
  // the victim leaves: the other gets its row when the victim's locks go
  l.cancel(1, 200);
  CHECK_FALSE(l.in_cycle(100));
  auto g = l.release_all(200);
  REQUIRE(g.size() == 1);
  CHECK(g[0] == std::make_pair(uint64_t{2}, uint64_t{100}));
}

TEST_CASE("sql_db locks: a chain of waits without a cycle is no deadlock; a three-way cycle is")
{
  SqlLockTable l;
  l.acquire(1, 1);
  l.acquire(2, 2);
  l.acquire(3, 3);
  l.acquire(2, 1);  // 1 -> 2
  l.acquire(3, 2);  // 2 -> 3
  CHECK_FALSE(l.in_cycle(1));
  CHECK_FALSE(l.in_cycle(2));
  l.acquire(1, 3);  // 3 -> 1
  CHECK(l.in_cycle(1));
  CHECK(l.in_cycle(3));
  l.clear();
  CHECK(l.locked_rows() == 0);
  CHECK_FALSE(l.in_cycle(1));
}
