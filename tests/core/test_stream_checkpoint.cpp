// stream_processor's checkpoint bookkeeping: one checkpoint at a time, complete when every part
// is stored, aborted by a failure, the last completed one kept for a restore.
#include <catch2/catch.hpp>

#include "models/stream_checkpoint.h"

using namespace archsim::stream;

namespace {
Snapshot with_offsets(std::vector<uint64_t> offsets)
{
  Snapshot s;
  s.offsets = std::move(offsets);
  return s;
}
}  // namespace

TEST_CASE("stream checkpoint completes once every task's part is stored")
{
  CheckpointLog log;
  REQUIRE(log.begin(with_offsets({10, 20}), 2));
  CHECK(log.in_progress());
  CHECK(log.completed() == nullptr);
  CHECK_FALSE(log.part_done(1));
  CHECK(log.part_done(1));
  REQUIRE(log.completed() != nullptr);
  CHECK(log.completed()->number == 1);
  CHECK(log.completed()->offsets == std::vector<uint64_t>{10, 20});
  CHECK_FALSE(log.in_progress());
}

TEST_CASE("stream checkpoint: at most one in progress")
{
  CheckpointLog log;
  REQUIRE(log.begin(with_offsets({1}), 1));
  CHECK_FALSE(log.begin(with_offsets({2}), 1));
  CHECK(log.taken() == 1);
}

TEST_CASE("stream checkpoint: a failure aborts the one in progress and keeps the last completed")
{
  CheckpointLog log;
  log.begin(with_offsets({5}), 1);
  log.part_done(1);
  log.begin(with_offsets({9}), 2);
  log.part_done(2);
  log.abort();
  CHECK_FALSE(log.part_done(2));  // a late upload of the aborted checkpoint
  REQUIRE(log.completed() != nullptr);
  CHECK(log.completed()->offsets == std::vector<uint64_t>{5});
  CHECK(log.begin(with_offsets({11}), 1));
  CHECK(log.taken() == 3);
}
