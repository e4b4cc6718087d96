// kafka's pure partition state: key placement, leaders spread over brokers, offsets, the high
// watermark as the lowest log end in the ISR, elections that truncate the log (and what that
// loses), offline partitions, retention by segments, and memory trimming.
#include <catch2/catch.hpp>

#include <vector>

#include "models/kafka_log.h"

using namespace archsim::kafka;

namespace {

std::vector<Record> records(size_t n, double t, bool acked = false)
{
  std::vector<Record> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].appended = t;
    out[i].bytes    = 100;
    out[i].sequence = i;
    out[i].acked    = acked;
  }
  return out;
}

const std::vector<bool> kAllUp{true, true, true};

}  // namespace

TEST_CASE("kafka keys: the same key always lands on the same partition, keys spread evenly")
{
  std::vector<int> per(6, 0);
  for (uint64_t k = 0; k < 60000; ++k)
    ++per[partition_for_key(k, 6)];
  for (int n : per)
    CHECK(n == Approx(10000).epsilon(0.05));
  CHECK(partition_for_key(12345, 6) == partition_for_key(12345, 6));
}

TEST_CASE("kafka replicas: partition p on brokers p, p+1, ..., so leaders spread evenly")
{
  std::vector<int> leads(3, 0);
  for (size_t p = 0; p < 6; ++p) {
    auto r = replicas_for(p, 3, 3);
    REQUIRE(r.size() == 3);
    CHECK(r[0] == p % 3);
    ++leads[r[0]];
  }
  CHECK(leads == std::vector<int>{2, 2, 2});
  CHECK(replicas_for(4, 5, 2) == std::vector<size_t>{4, 0});
}

TEST_CASE("kafka log: offsets are consecutive, the high watermark waits for every in-sync follower")
{
  PartitionLog log({0, 1, 2});
  bool moved = false;
  CHECK(log.append(records(3, 1.0), moved) == 0);
  CHECK(log.append(records(2, 1.1), moved) == 3);
  CHECK(log.log_end() == 5);
  CHECK(log.high_watermark() == 0);
  CHECK_FALSE(moved);
  log.follower_fetched(1, 5);
  CHECK_FALSE(log.follower_reported(1));  // broker 2 has nothing yet
  log.follower_fetched(2, 3);
  CHECK(log.follower_reported(2));
  CHECK(log.high_watermark() == 3);
  log.follower_fetched(2, 5);
  CHECK(log.high_watermark() == 3);  // the leader has not heard yet
  CHECK(log.follower_reported(2));
  CHECK(log.high_watermark() == 5);
}

TEST_CASE("kafka log: a leader alone in the ISR commits at once")
{
  PartitionLog log({0});
  bool moved = false;
  log.append(records(4, 0), moved);
  CHECK(moved);
  CHECK(log.high_watermark() == 4);
}

TEST_CASE("kafka failover: the first live in-sync follower leads, what it lacks is gone and acked records counted")
{
  PartitionLog log({0, 1, 2});
  bool moved = false;
  log.append(records(10, 0, true), moved);  // acks=1: acknowledged at the leader's append
  log.follower_fetched(1, 6);
  log.follower_reported(1);
  log.follower_fetched(2, 8);
  log.follower_reported(2);
  CHECK(log.high_watermark() == 6);
  auto c = log.broker_failed(0, {false, true, true});
  CHECK(c.leader_changed);
  REQUIRE(log.leader().has_value());
  CHECK(*log.leader() == 1);  // assignment order, not the longest log
  CHECK(c.truncated_to == 6);
  CHECK(c.lost == 4);
  CHECK(c.lost_acked == 4);
  CHECK(log.log_end() == 6);
  CHECK(log.leo(2) == 6);  // the other follower truncates to the new leader's log
  CHECK(log.isr() == std::vector<size_t>{1, 2});
  CHECK(log.epoch() == 1);
}

TEST_CASE("kafka failover: records below the high watermark survive any election")
{
  PartitionLog log({0, 1, 2});
  bool moved = false;
  log.append(records(10, 0), moved);
  for (size_t f : {1, 2}) {
    log.follower_fetched(f, 10);
    log.follower_reported(f);
  }
  log.mark_acked(0, 10);  // acks=all: acknowledged once the high watermark passed them
  auto c = log.broker_failed(0, {false, true, true});
  CHECK(c.lost == 0);
  CHECK(c.lost_acked == 0);
  CHECK(log.log_end() == 10);
}

TEST_CASE("kafka: a dead follower leaves the ISR and the high watermark moves on without it")
{
  PartitionLog log({0, 1, 2});
  bool moved = false;
  log.append(records(5, 0), moved);
  log.follower_fetched(1, 5);
  log.follower_reported(1);
  CHECK(log.high_watermark() == 0);
  auto c = log.broker_failed(2, {true, true, false});
  CHECK(c.hw_moved);
  CHECK(log.high_watermark() == 5);
  CHECK(log.isr_size() == 2);
  // Back and caught up: it rejoins the ISR.
  log.broker_recovered(2, kAllUp);
  CHECK(log.isr_size() == 2);
  log.follower_fetched(2, 5);
  log.follower_reported(2);
  CHECK(log.isr_size() == 3);
}

TEST_CASE("kafka: without a live in-sync replica the partition is offline until one comes back")
{
  PartitionLog log({0, 1});
  bool moved = false;
  log.append(records(8, 0, true), moved);
  log.follower_fetched(1, 8);
  log.follower_reported(1);
  log.broker_failed(1, {true, false});  // ISR = {0}
  CHECK(log.isr() == std::vector<size_t>{0});
  log.replica_crashed(0, 5);  // the leader dies and comes back with what it had flushed
  auto c = log.broker_failed(0, {false, false});
  CHECK_FALSE(log.leader().has_value());
  CHECK(c.lost == 0);
  // Broker 1 is back first, but it is not in the ISR: no unclean election.
  CHECK_FALSE(log.broker_recovered(1, {false, true}).leader_changed);
  CHECK_FALSE(log.leader().has_value());
  auto back = log.broker_recovered(0, {true, true});
  CHECK(back.leader_changed);
  CHECK(*log.leader() == 0);
  CHECK(back.lost_acked == 3);  // offsets 5..7 were never flushed
  CHECK(log.log_end() == 5);
  CHECK(log.high_watermark() == 5);
}

TEST_CASE("kafka retention deletes whole segments older than the cutoff, never past the high watermark")
{
  PartitionLog log({0});
  bool moved = false;
  const uint64_t seg = PartitionLog::kSegmentRecords;
  log.append(records(seg, 1.0), moved);
  log.append(records(seg, 2.0), moved);
  log.append(records(10, 3.0), moved);
  log.expire(1.5);
  CHECK(log.log_start() == seg);
  CHECK(log.stored_from() == seg);
  log.expire(10);  // the active segment stays
  CHECK(log.log_start() == 2 * seg);
  CHECK(log.log_end() == 2 * seg + 10);
}

TEST_CASE("kafka memory: forgotten records keep their offsets, the flushed prefix follows append times")
{
  PartitionLog log({0});
  bool moved = false;
  log.append(records(5, 1.0), moved);
  log.append(records(5, 2.0), moved);
  CHECK(log.first_appended_after(1.5) == 5);
  CHECK(log.first_appended_after(0.5) == 0);
  CHECK(log.first_appended_after(9) == 10);
  log.forget_below(7);
  CHECK(log.stored() == 3);
  CHECK(log.stored_from() == 7);
  CHECK(log.at(7).sequence == 2);
  CHECK(log.log_start() == 0);
}
