// Gateway connection state without SimGrid: memory caps, event-loop placement, per-channel viewer
// counts, what a crash drops, and what a resuming client can be replayed.
#include <catch2/catch.hpp>

#include "models/gateway_connections.h"

using namespace archsim;

TEST_CASE("a gateway host holds as many connections as its memory allows, and no more")
{
  GatewayTable t(2, 4, 64e3, 64e6);  // 64 MB / 64 KB = 1000 per host
  REQUIRE(t.capacity() == 1000);
  size_t loop = 0, refused = 0;
  for (uint64_t id = 0; id < 1200; ++id)
    if (!t.attach(id, 0, 0, 0, loop))
      ++refused;
  CHECK(t.held(0) == 1000);
  CHECK(refused == 200);
  CHECK(t.attach(5000, 0, 1, 0, loop));  // the other host has room
  CHECK(t.remove(3));
  CHECK(t.attach(6000, 0, 0, 0, loop));  // memory freed by a departure is usable again
}

TEST_CASE("connections are spread round robin over the host's event loops, and count as viewers once live")
{
  GatewayTable t(1, 4, 1, 1e9);
  std::vector<size_t> per_loop(4, 0);
  size_t loop = 0;
  for (uint64_t id = 0; id < 400; ++id) {
    REQUIRE(t.attach(id, 7, 0, 0, loop));
    ++per_loop[loop];
  }
  for (size_t n : per_loop)
    CHECK(n == 100);
  CHECK(t.viewers(0, 7) == 0);  // still in their handshake
  for (uint64_t id = 0; id < 400; ++id)
    t.go_live(id);
  CHECK(t.viewers(0, 7) == 400);
  CHECK(t.viewers(0, 2, 7) == 100);
  CHECK(t.live(0, 2) == 100);
  CHECK(t.viewers(0, 8) == 0);
  CHECK(t.hosts_with(7) == std::vector<size_t>{0});
}

TEST_CASE("only the hosts with viewers of a channel are fanned out to")
{
  GatewayTable t(3, 2, 1, 1e9);
  size_t loop = 0;
  t.attach(1, 10, 0, 0, loop);
  t.attach(2, 10, 2, 0, loop);
  t.attach(3, 11, 1, 0, loop);
  for (uint64_t id = 1; id <= 3; ++id)
    t.go_live(id);
  CHECK(t.hosts_with(10) == std::vector<size_t>{0, 2});
  t.remove(2);
  CHECK(t.hosts_with(10) == std::vector<size_t>{0});
}

TEST_CASE("a crash drops every connection of its host, frees its memory, and remembers what each client saw")
{
  GatewayTable t(2, 2, 1, 1e9);
  size_t loop = 0;
  for (uint64_t id = 0; id < 10; ++id) {
    t.attach(id, 5, id % 2, 0, loop);
    t.go_live(id);
  }
  uint64_t s1 = t.publish(5);
  for (size_t l = 0; l < 2; ++l) {
    t.written(0, l, 5, s1);
    t.written(1, l, 5, s1);
  }
  t.publish(5);  // message 2: queued, not yet written when host 0 dies
  auto dropped = t.drop_host(0, 3.0);
  CHECK(dropped.size() == 5);
  CHECK(t.held(0) == 0);
  CHECK(t.away() == 5);
  CHECK(t.viewers(0, 5) == 0);
  CHECK(t.viewers(1, 5) == 5);
  const GatewayConn* c = t.find(dropped.front());
  REQUIRE(c);
  CHECK(c->state == ConnState::Away);
  CHECK(c->resuming);
  CHECK(c->seen == s1);  // it got message 1, not message 2
  CHECK(c->away_since == 3.0);
  // It comes back on the other host, keeping what it saw until it is live.
  REQUIRE(t.attach(dropped.front(), 5, 1, 0, loop));
  CHECK(t.away() == 4);
  CHECK(t.find(dropped.front())->seen == s1);
  t.go_live(dropped.front());
  CHECK_FALSE(t.find(dropped.front())->resuming);
  CHECK(t.viewers(1, 5) == 6);
  CHECK(t.failed_attempt(dropped.back()) == 1);
  CHECK(t.failed_attempt(dropped.back()) == 2);
}

TEST_CASE("a viewer that joined after a channel's last write does not count the older messages as missed")
{
  GatewayTable t(1, 1, 1, 1e9);
  size_t loop = 0;
  for (int i = 0; i < 5; ++i)
    t.publish(3);  // messages 1..5, written to nobody: the channel had no viewer on this loop
  t.attach(1, 3, 0, 0, loop);
  t.go_live(1);
  t.publish(3);  // message 6, still queued when the host dies
  t.drop_host(0, 1.0);
  CHECK(t.find(1)->seen == 5);  // it misses message 6 only
}

TEST_CASE("a replay log gives back the missed messages it still holds and counts the older ones as lost")
{
  ReplayLog log(3);
  for (uint64_t seq = 1; seq <= 5; ++seq)
    log.add(9, seq, 0.1 * static_cast<double>(seq));
  uint64_t lost = 0;
  auto replay   = log.since(9, 1, 5, lost);  // saw 1, missed 2..5; the log holds 3..5
  CHECK(replay.size() == 3);
  CHECK(replay.front() == Approx(0.3));
  CHECK(lost == 1);
  ReplayLog none(0);
  none.add(9, 1, 0.1);
  CHECK(none.since(9, 0, 1, lost).empty());
  CHECK(lost == 1);
}
