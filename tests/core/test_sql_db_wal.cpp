// sql_db write-ahead log without SimGrid: group commit (a flush covers what was inserted before
// it began) and what a crash loses under synchronous_commit on and off.
#include <catch2/catch.hpp>

#include "models/sql_db_wal.h"

using namespace archsim;

namespace {
// An acknowledged (synchronous_commit = off) commit of +1 on `row`, applied to `rows` at once.
void async_increment(SqlWal& wal, SqlRowStore& rows, uint64_t row, uint64_t id)
{
  SqlTxn t(id, Isolation::ReadCommitted);
  t.begin_statement(rows);
  t.update(rows, row, true, 1, nullptr, false, false);
  SqlTxn::Applied a = t.apply(rows);
  SqlWalRecord r;
  r.acknowledged = true;
  r.increments   = a.increments;
  r.changes      = a.changes;
  wal.append(r);
}
}  // namespace

TEST_CASE("sql_db wal: one flush makes durable every record inserted before it began")
{
  SqlWal wal;
  for (int i = 0; i < 3; ++i)
    wal.append({});
  uint64_t target = wal.begin_flush();
  CHECK(target == 3);
  CHECK(wal.flushing());
  wal.append({});  // arrives during the fsync: waits for the next flush
  auto done = wal.end_flush(target);
  CHECK(done.size() == 3);
  CHECK(wal.flushed() == 3);
  CHECK(wal.pending() == 1);
  CHECK_FALSE(wal.flushing());
}

TEST_CASE("sql_db wal: a crash under synchronous_commit on loses no acknowledged commit")
{
  SqlWal wal;
  SqlRowStore rows;
  // on: records are acknowledged (and applied) only after their flush; one is still waiting
  wal.append({});
  wal.end_flush(wal.begin_flush());
  wal.append({});
  SqlWal::Loss loss = wal.crash(rows);
  CHECK(loss.acknowledged == 0);
  CHECK(loss.unacknowledged == 1);
  CHECK(wal.inserted() == wal.flushed());
}

TEST_CASE("sql_db wal: a crash under synchronous_commit off undoes the acknowledged commits beyond the flush")
{
  SqlWal wal;
  SqlRowStore rows;
  for (uint64_t i = 1; i <= 4; ++i)
    async_increment(wal, rows, 5, i);
  wal.end_flush(wal.begin_flush());  // the WAL writer flushes these four
  for (uint64_t i = 5; i <= 7; ++i)
    async_increment(wal, rows, 5, i);
  async_increment(wal, rows, 6, 8);
  REQUIRE(rows.get(5, true).value == 7);
  SqlWal::Loss loss = wal.crash(rows);
  CHECK(loss.acknowledged == 4);
  CHECK(loss.increments == 4);
  CHECK(rows.get(5, true).value == 4);
  CHECK(rows.get(5, true).version == 5);
  CHECK(rows.get(6, true).value == 0);
  CHECK(rows.get(6, true).version == 1);  // back to its initial state
  CHECK(rows.value_total() == 4);
  CHECK(wal.pending() == 0);
}
