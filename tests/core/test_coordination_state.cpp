// ZooKeeper-like state without SimGrid: quorums and leader choice, versioned znodes and lagging
// views, sessions that expire, lock and election recipes, and the mutual-exclusion check.
#include <catch2/catch.hpp>

#include "models/coordination_state.h"

using namespace archsim;

TEST_CASE("a new leader needs a majority up and is the node with the most logged transactions")
{
  CHECK(majority(3) == 2);
  CHECK(majority(5) == 3);
  CHECK(majority(4) == 3);
  CHECK(choose_leader({true, true, true}, {5, 7, 7}) == 1u);  // most logged, lowest id on a tie
  CHECK(choose_leader({true, false, true}, {5, 9, 6}) == 2u);
  CHECK_FALSE(choose_leader({true, false, false}, {5, 9, 6}).has_value());
  CHECK_FALSE(choose_leader({false, false, true, true, false}, {1, 1, 1, 1, 1}).has_value());
}

TEST_CASE("a node that has applied fewer transactions sees an older version of a znode")
{
  ZnodeStore z;
  z.create(1, 10, 0, 100);
  z.set(1, 12, 200);
  z.set(1, 15, 300);
  CHECK(z.current(1).version == 3);
  CHECK(z.view(1, 9).exists == false);
  CHECK(z.view(1, 10).version == 1);
  CHECK(z.view(1, 14).version == 2);
  CHECK(z.view(1, 15).version == 3);
  z.remove(1, 20);
  CHECK_FALSE(z.current(1).exists);
  CHECK(z.view(1, 19).exists);
  CHECK_FALSE(z.view(1, 20).exists);
}

TEST_CASE("ephemeral znodes belong to their session")
{
  ZnodeStore z;
  z.create(1, 1, 77, 0);
  z.create(2, 2, 77, 0);
  z.create(3, 3, 0, 0);
  CHECK(z.owner(1) == 77);
  CHECK(z.ephemerals(77).size() == 2);
  z.remove(2, 4);
  CHECK(z.ephemerals(77) == std::vector<uint64_t>{1});
  CHECK(z.size() == 2);
}

TEST_CASE("a session lives while it is heard from within the timeout; an expired one is reopened once told")
{
  SessionTable s(10);
  CHECK(s.touch(1, 0.0, 0.0));
  CHECK(s.touch(1, 4.0, 3.9));
  CHECK(s.deadline(1) == Approx(14.0));
  CHECK(s.belief(1) == Approx(13.9));  // the client counts from when it sent
  s.expire(1);
  CHECK(s.expired(1));
  CHECK_FALSE(s.touch(1, 20.0, 19.9));  // told: session expired
  CHECK_FALSE(s.expired(1));            // and it has a new one
  CHECK(s.deadline(1) == Approx(30.0));
  s.touch(2, 1.0, 1.0);
  s.reset_all(50.0);
  CHECK(s.deadline(2) == Approx(60.0));
}

TEST_CASE("a lock has one holder; the waiters take it in order when it is released")
{
  LockTable l;
  CHECK(l.try_acquire(5, 1) == LockTable::Try::Acquired);
  CHECK(l.try_acquire(5, 1) == LockTable::Try::AlreadyHeld);
  CHECK(l.try_acquire(5, 2) == LockTable::Try::Busy);
  l.wait(5, 2);
  l.wait(5, 3);
  CHECK(l.waiting(5) == 2);
  CHECK(l.release(5, 3) == 0);  // not the holder: nothing happens
  CHECK(l.holder(5) == 1);
  CHECK(l.release(5, 1) == 2);
  CHECK(l.holder(5) == 2);
  l.stop_waiting(5, 3);
  CHECK(l.release(5, 2) == 0);
  CHECK(l.holder(5) == 0);
}

TEST_CASE("closing a session releases its locks to the next waiter and drops its places in line")
{
  LockTable l;
  l.try_acquire(1, 10);
  l.try_acquire(2, 20);
  l.wait(2, 10);
  l.wait(1, 30);
  CHECK(l.holds_any(10));
  auto released = l.release_all(10);
  CHECK_FALSE(l.holds_any(10));
  REQUIRE(released.size() == 1);
  CHECK(released[0] == std::make_pair<uint64_t, uint64_t>(1, 30));
  CHECK(l.holder(1) == 30);
  CHECK(l.waiting(2) == 0);
  CHECK(l.release(2, 20) == 0);
}

TEST_CASE("the holder log finds two clients believing they hold one lock at once")
{
  SessionTable s(10);
  HolderLog ok;
  s.touch(1, 0, 0);
  ok.acquired(7, 1, 0.0);
  ok.ended(7, 1, s.belief(1));  // expired at 20 s; the client counted on it until 10 s
  ok.acquired(7, 2, 20.0);
  CHECK(ok.max_overlap(30.0, s) == 1);
  CHECK(ok.acquisitions() == 2);

  HolderLog bad;
  bad.acquired(7, 1, 0.0);
  bad.ended(7, 1, 25.0);  // a client that counts on its lease beyond the expiry (at 20 s)
  bad.acquired(7, 2, 20.0);
  CHECK(bad.max_overlap(30.0, s) == 2);

  HolderLog other_locks;
  other_locks.acquired(7, 1, 0.0);
  other_locks.acquired(8, 2, 0.0);  // different locks may be held at once
  s.touch(2, 0, 0);
  CHECK(other_locks.max_overlap(5.0, s) == 1);
}
