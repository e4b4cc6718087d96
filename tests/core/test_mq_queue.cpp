// One queue of the message_queue model without SimGrid: the prefetch window, acks, requeue on
// nack and on a consumer's death, dead-lettering after max_deliveries, priority levels, the
// delay heap, overflow, and what a broker crash loses.
#include <catch2/catch.hpp>

#include "models/mq_queue.h"

using namespace archsim;

namespace {
MqMessage msg(uint64_t id, unsigned priority = 0, double due = 0)
{
  MqMessage m;
  m.id       = id;
  m.priority = priority;
  m.due      = due;
  return m;
}

std::vector<uint64_t> ids(const std::vector<MqQueue::Delivery>& d)
{
  std::vector<uint64_t> out;
  for (const auto& x : d)
    out.push_back(x.id);
  return out;
}
}  // namespace

TEST_CASE("a consumer never holds more unacked messages than its prefetch window")
{
  MqQueueConfig cfg;
  cfg.prefetch = 3;
  MqQueue q(cfg, 2);
  for (uint64_t i = 0; i < 10; ++i)
    q.publish(msg(i), 0);
  auto d = q.dispatch({true, true}, 0);
  CHECK(d.size() == 6);  // 3 each
  CHECK(q.unacked_by(0) == 3);
  CHECK(q.unacked_by(1) == 3);
  CHECK(q.ready() == 4);
  CHECK(q.dispatch({true, true}, 0).empty());  // windows full
  // Round robin: 0, 1, 0, 1, ...
  CHECK(d[0].consumer == 0);
  CHECK(d[1].consumer == 1);
  CHECK(q.ack(d[0].id, 0));
  CHECK(!q.ack(d[0].id, 0));  // already gone
  CHECK(!q.ack(d[1].id, 0));  // not its message
  auto more = q.dispatch({true, true}, 1);
  REQUIRE(more.size() == 1);
  CHECK(more[0].consumer == 0);
  CHECK(more[0].id == 6);  // FIFO
}

TEST_CASE("a consumer that is down gets nothing")
{
  MqQueueConfig cfg;
  cfg.prefetch = 0;  // unlimited
  MqQueue q(cfg, 2);
  for (uint64_t i = 0; i < 5; ++i)
    q.publish(msg(i), 0);
  auto d = q.dispatch({false, true}, 0);
  CHECK(d.size() == 5);
  for (const auto& x : d)
    CHECK(x.consumer == 1);
}

TEST_CASE("a dead consumer's unacked messages are redelivered, oldest first")
{
  MqQueueConfig cfg;
  cfg.prefetch = 2;
  MqQueue q(cfg, 2);
  for (uint64_t i = 0; i < 6; ++i)
    q.publish(msg(i), 0);
  auto d = q.dispatch({true, true}, 0);  // 0 -> c0, 1 -> c1, 2 -> c0, 3 -> c1
  REQUIRE(d.size() == 4);
  CHECK(q.consumer_lost(0, 1).empty());
  CHECK(q.unacked_by(0) == 0);
  CHECK(q.ready() == 4);  // 0, 2 back at the head, then 4, 5
  auto again = q.dispatch({false, true}, 2);
  CHECK(again.empty());  // c1's window is still full
  CHECK(q.ack(1, 1));
  CHECK(q.ack(3, 1));
  again = q.dispatch({false, true}, 2);
  CHECK(ids(again) == std::vector<uint64_t>{0, 2});
  CHECK(q.find(0)->deliveries == 2);  // delivered twice: the redelivered flag
}

TEST_CASE("after max_deliveries failed deliveries a message is dead-lettered")
{
  MqQueueConfig cfg;
  cfg.prefetch       = 1;
  cfg.max_deliveries = 3;
  MqQueue q(cfg, 1);
  q.publish(msg(7), 0);
  for (int k = 1; k <= 2; ++k) {
    auto d = q.dispatch({true}, k);
    REQUIRE(d.size() == 1);
    CHECK(q.nack(7, 0, k, 0) == MqQueue::Returned::Requeued);
  }
  auto d = q.dispatch({true}, 3);
  REQUIRE(d.size() == 1);
  CHECK(q.nack(7, 0, 3, 0) == MqQueue::Returned::DeadLettered);
  CHECK(q.ready() == 0);
  CHECK(q.unacked() == 0);
  CHECK(q.dead_letters() == 1);
  auto dead = q.take_dead(7);
  REQUIRE(dead);
  CHECK(dead->deliveries == 3);
  CHECK(q.dead_letters() == 0);
}

TEST_CASE("a consumer crash counts as a delivery toward the limit")
{
  MqQueueConfig cfg;
  cfg.prefetch       = 1;
  cfg.max_deliveries = 2;
  MqQueue q(cfg, 1);
  q.publish(msg(1), 0);
  q.dispatch({true}, 0);
  CHECK(q.consumer_lost(0, 1).empty());
  q.dispatch({true}, 2);
  CHECK(q.consumer_lost(0, 3) == std::vector<uint64_t>{1});  // a poison message that kills consumers
}

TEST_CASE("a nack with a retry delay sends the message back through the delay heap")
{
  MqQueueConfig cfg;
  cfg.prefetch = 1;
  MqQueue q(cfg, 1);
  q.publish(msg(1), 0);
  q.dispatch({true}, 0);
  CHECK(q.nack(1, 0, 10, 5) == MqQueue::Returned::Delayed);
  CHECK(q.ready() == 0);
  CHECK(q.delayed() == 1);
  CHECK(*q.next_due() == 15);
  CHECK(q.promote_due(14.9) == 0);
  CHECK(q.promote_due(15) == 1);
  CHECK(q.ready() == 1);
}

TEST_CASE("higher priority levels are served first, FIFO within a level")
{
  MqQueueConfig cfg;
  cfg.prefetch     = 0;
  cfg.max_priority = 5;
  MqQueue q(cfg, 1);
  q.publish(msg(1, 0), 0);
  q.publish(msg(2, 5), 0);
  q.publish(msg(3, 2), 0);
  q.publish(msg(4, 9), 0);  // above x-max-priority: counts as the top level
  q.publish(msg(5, 2), 0);
  CHECK(ids(q.dispatch({true}, 0)) == std::vector<uint64_t>{2, 4, 3, 5, 1});
}

TEST_CASE("without x-max-priority every message is one level: FIFO")
{
  MqQueueConfig cfg;
  cfg.prefetch = 0;
  MqQueue q(cfg, 1);
  q.publish(msg(1, 0), 0);
  q.publish(msg(2, 5), 0);
  q.publish(msg(3, 2), 0);
  CHECK(ids(q.dispatch({true}, 0)) == std::vector<uint64_t>{1, 2, 3});
}

TEST_CASE("delayed messages become deliverable at their due time, earliest first")
{
  MqQueueConfig cfg;
  cfg.prefetch = 0;
  MqQueue q(cfg, 1);
  q.publish(msg(1, 0, 30), 0);
  q.publish(msg(2, 0, 10), 0);
  q.publish(msg(3, 0, 20), 0);
  q.publish(msg(4), 0);
  CHECK(q.delayed() == 3);
  CHECK(ids(q.dispatch({true}, 0)) == std::vector<uint64_t>{4});
  CHECK(*q.next_due() == 10);
  CHECK(q.promote_due(25) == 2);
  CHECK(ids(q.dispatch({true}, 25)) == std::vector<uint64_t>{2, 3});
  CHECK(*q.next_due() == 30);
}

TEST_CASE("overflow: reject-publish refuses, drop-head dead-letters the oldest")
{
  MqQueueConfig cfg;
  cfg.max_length = 2;
  MqQueue reject(cfg, 1);
  CHECK(reject.publish(msg(1), 0).accepted);
  CHECK(reject.publish(msg(2), 0).accepted);
  CHECK(!reject.publish(msg(3), 0).accepted);
  CHECK(reject.ready() == 2);
  cfg.overflow = MqOverflow::DropHead;
  MqQueue drop(cfg, 1);
  drop.publish(msg(1), 0);
  drop.publish(msg(2), 0);
  auto p = drop.publish(msg(3), 0);
  CHECK(p.accepted);
  REQUIRE(p.dropped);
  CHECK(*p.dropped == 1);
  CHECK(drop.ready() == 2);
  CHECK(drop.take_dead(1));
}

TEST_CASE("a broker crash loses what was not durable and returns every unacked message")
{
  MqQueueConfig cfg;
  cfg.prefetch = 0;
  MqQueue q(cfg, 1);
  for (uint64_t i = 0; i < 6; ++i)
    q.publish(msg(i), 0);
  q.publish(msg(6, 0, 50), 0);  // delayed
  q.publish(msg(7, 0, 60), 0);  // delayed
  for (uint64_t i : {0, 1, 2, 6})
    q.mark_durable(i);  // 0-2 persistent and fsynced, 3-5 transient
  auto d = q.dispatch({true}, 0);
  REQUIRE(d.size() == 6);
  CHECK(q.ack(0, 0));
  q.publish(msg(8), 1);  // transient, ready
  q.mark_durable(8);
  CHECK(q.crash(2) == 4);  // 3, 4, 5 (unacked, transient) and 7 (delayed, transient)
  CHECK(q.unacked() == 0);
  CHECK(q.unacked_by(0) == 0);
  CHECK(q.ready() == 3);  // 1, 2 returned to the head, then 8
  CHECK(q.delayed() == 1);
  CHECK(ids(q.dispatch({true}, 3)) == std::vector<uint64_t>{1, 2, 8});
}

TEST_CASE("basic.get takes the next ready message and acknowledges it at once")
{
  MqQueueConfig cfg;
  MqQueue q(cfg, 1);
  CHECK(!q.get());
  q.publish(msg(1), 0);
  q.publish(msg(2), 0);
  auto m = q.get();
  REQUIRE(m);
  CHECK(m->id == 1);
  CHECK(q.ready() == 1);
  CHECK(q.unacked() == 0);
  CHECK(!q.find(1));
}
