// sql_db rows and transactions without SimGrid: read-modify-write loses updates under READ
// COMMITTED, version checks and FOR UPDATE do not, snapshot levels fail on concurrent changes,
// unique constraints.
#include <catch2/catch.hpp>

#include "models/sql_db_rows.h"

using namespace archsim;

namespace {
constexpr uint64_t kRow = 42;

// A transaction that reads the row (as a request's earlier query would) and returns the mark.
SqlReadMark read_mark(SqlTxn& t, const SqlRowStore& rows)
{
  t.begin_statement(rows);
  SqlRow r = t.read(rows, kRow, true);
  return {r.version, r.value, r.exists};
}
}  // namespace

TEST_CASE("sql_db rows: prefilled rows exist at version 1 without being stored")
{
  SqlRowStore rows(7);
  SqlRow r = rows.get(kRow, true);
  CHECK(r.exists);
  CHECK(r.version == 1);
  CHECK(r.value == 7);
  CHECK_FALSE(rows.get(kRow + 1, false).exists);
  CHECK(rows.stored() == 0);
}

TEST_CASE("sql_db rows: two read-modify-writes from the same read lose one increment and count it")
{
  SqlRowStore rows;
  SqlTxn a(1, Isolation::ReadCommitted), b(2, Isolation::ReadCommitted);
  SqlReadMark ma = read_mark(a, rows);
  SqlReadMark mb = read_mark(b, rows);
  REQUIRE(a.update(rows, kRow, true, 1, &ma, false, false) == SqlResult::Ok);
  SqlTxn::Applied first = a.apply(rows);
  CHECK(first.lost_updates == 0);
  REQUIRE(b.update(rows, kRow, true, 1, &mb, false, false) == SqlResult::Ok);
  SqlTxn::Applied second = b.apply(rows);
  CHECK(second.lost_updates == 1);
  CHECK(first.increments + second.increments == 2);
  CHECK(rows.get(kRow, true).value == 1);  // one of the two increments is gone
  CHECK(rows.get(kRow, true).version == 3);
}

TEST_CASE("sql_db rows: an atomic update (no earlier read) builds on the latest value")
{
  SqlRowStore rows;
  for (uint64_t id = 1; id <= 5; ++id) {
    SqlTxn t(id, Isolation::ReadCommitted);
    t.begin_statement(rows);
    REQUIRE(t.update(rows, kRow, true, 2, nullptr, false, false) == SqlResult::Ok);
    CHECK(t.apply(rows).lost_updates == 0);
  }
  CHECK(rows.get(kRow, true).value == 10);
  CHECK(rows.value_total() == 10);
}

TEST_CASE("sql_db rows: a version-checked update after a concurrent commit is a conflict, not a lost update")
{
  SqlRowStore rows;
  SqlTxn a(1, Isolation::ReadCommitted), b(2, Isolation::ReadCommitted);
  SqlReadMark ma = read_mark(a, rows);
  SqlReadMark mb = read_mark(b, rows);
  REQUIRE(a.update(rows, kRow, true, 1, &ma, true, false) == SqlResult::Ok);
  a.apply(rows);
  CHECK(b.update(rows, kRow, true, 1, &mb, true, false) == SqlResult::Conflict);
  CHECK_FALSE(b.has_writes());
  // the retry reads again and succeeds
  SqlTxn c(3, Isolation::ReadCommitted);
  SqlReadMark mc = read_mark(c, rows);
  REQUIRE(c.update(rows, kRow, true, 1, &mc, true, false) == SqlResult::Ok);
  CHECK(c.apply(rows).lost_updates == 0);
  CHECK(rows.get(kRow, true).value == 2);
}

TEST_CASE("sql_db rows: a read under FOR UPDATE is the latest version, so its write loses nothing")
{
  SqlRowStore rows;
  SqlTxn a(1, Isolation::ReadCommitted);
  SqlReadMark ma = read_mark(a, rows);
  a.update(rows, kRow, true, 1, &ma, false, false);
  a.apply(rows);
  // b waited for a's lock; FOR UPDATE in READ COMMITTED then sees a's commit
  SqlTxn b(2, Isolation::ReadCommitted);
  b.begin_statement(rows);
  SqlRow seen;
  REQUIRE(b.lock_read(rows, kRow, true, seen) == SqlResult::Ok);
  CHECK(seen.value == 1);
  SqlReadMark mb{seen.version, seen.value, seen.exists};
  b.update(rows, kRow, true, 1, &mb, false, false);
  CHECK(b.apply(rows).lost_updates == 0);
  CHECK(rows.get(kRow, true).value == 2);
}

TEST_CASE("sql_db rows: REPEATABLE READ refuses to update a row changed since its snapshot")
{
  SqlRowStore rows;
  SqlTxn a(1, Isolation::RepeatableRead), b(2, Isolation::ReadCommitted);
  a.begin_statement(rows);  // snapshot before b commits
  b.begin_statement(rows);
  b.update(rows, kRow, true, 1, nullptr, false, false);
  b.apply(rows);
  CHECK(a.update(rows, kRow, true, 1, nullptr, false, false) == SqlResult::SerializationFailure);
  SqlRow seen;
  CHECK(a.lock_read(rows, kRow, true, seen) == SqlResult::SerializationFailure);
  // READ COMMITTED in the same position proceeds on the new version
  SqlTxn c(3, Isolation::ReadCommitted);
  c.begin_statement(rows);
  CHECK(c.update(rows, kRow, true, 1, nullptr, false, false) == SqlResult::Ok);
}

TEST_CASE("sql_db rows: SERIALIZABLE fails the commit of a transaction whose read row changed meanwhile")
{
  SqlRowStore rows;
  const uint64_t other = 7;
  SqlTxn a(1, Isolation::Serializable), b(2, Isolation::Serializable);
  // write skew: each reads the row the other writes
  a.begin_statement(rows);
  b.begin_statement(rows);
  a.read(rows, kRow, true);
  b.read(rows, other, true);
  REQUIRE(a.update(rows, other, true, 1, nullptr, false, false) == SqlResult::Ok);
  REQUIRE(b.update(rows, kRow, true, 1, nullptr, false, false) == SqlResult::Ok);
  REQUIRE(a.can_commit(rows));
  a.apply(rows);
  CHECK_FALSE(b.can_commit(rows));
  // the same under REPEATABLE READ commits (write skew is allowed there)
  SqlTxn c(3, Isolation::RepeatableRead), d(4, Isolation::RepeatableRead);
  c.begin_statement(rows);
  d.begin_statement(rows);
  c.read(rows, kRow, true);
  d.read(rows, other, true);
  c.update(rows, other, true, 1, nullptr, false, false);
  d.update(rows, kRow, true, 1, nullptr, false, false);
  c.apply(rows);
  CHECK(d.can_commit(rows));
}

TEST_CASE("sql_db rows: a unique key refuses a second insert; without the constraint it is a duplicate")
{
  SqlRowStore rows;
  SqlTxn a(1, Isolation::ReadCommitted);
  a.begin_statement(rows);
  REQUIRE(a.insert(rows, kRow, false, true, 5) == SqlResult::Ok);
  CHECK(a.insert(rows, kRow, false, true, 5) == SqlResult::UniqueViolation);  // its own row
  a.apply(rows);
  SqlTxn b(2, Isolation::ReadCommitted);
  b.begin_statement(rows);
  CHECK(b.insert(rows, kRow, false, true, 1) == SqlResult::UniqueViolation);
  CHECK(b.insert(rows, kRow, false, false, 1) == SqlResult::Duplicate);
  CHECK(b.insert(rows, kRow + 1, true, true, 1) == SqlResult::UniqueViolation);  // prefilled
  CHECK(rows.get(kRow, false).value == 5);
}

TEST_CASE("sql_db rows: deletes, absent rows and the non-negative guard")
{
  SqlRowStore rows(1);
  SqlTxn a(1, Isolation::ReadCommitted);
  a.begin_statement(rows);
  CHECK(a.update(rows, kRow, false, 1, nullptr, false, false) == SqlResult::Absent);
  CHECK(a.update(rows, kRow, true, -1, nullptr, false, true) == SqlResult::Ok);      // 1 -> 0
  CHECK(a.update(rows, kRow, true, -1, nullptr, false, true) == SqlResult::Insufficient);  // would be -1
  CHECK(a.remove(rows, kRow, true) == SqlResult::Ok);
  CHECK(a.peek(rows, kRow, true).exists == false);
  CHECK(rows.get(kRow, true).exists);  // not committed yet
  a.apply(rows);
  CHECK_FALSE(rows.get(kRow, true).exists);
  SqlTxn b(2, Isolation::ReadCommitted);
  b.begin_statement(rows);
  CHECK(b.remove(rows, kRow, true) == SqlResult::Absent);
}
