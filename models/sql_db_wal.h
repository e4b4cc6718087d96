#pragma once
// The write-ahead log of a PostgreSQL-like primary, without SimGrid: commit records get
// increasing LSNs; a flush (one fsync) makes durable everything inserted when it started, so
// commits that arrive while a flush is running share the next one (group commit); and a crash
// loses what was not flushed. Under synchronous_commit = on a commit is applied and acknowledged
// only after its flush, so a crash loses no acknowledged commit; under off it is applied and
// acknowledged at once, and a crash undoes the acknowledged commits beyond the last flush (their
// row changes are reverted, newest first) and reports them lost.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "models/sql_db_rows.h"

namespace archsim {

struct SqlWalRecord {
  uint64_t lsn        = 0;
  double bytes        = 0;
  double committed_at = 0;
  // Applied to the rows and acknowledged before its flush (synchronous_commit = off): a crash
  // must revert `changes`.
  bool acknowledged = false;
  std::vector<SqlRowChange> changes;
  int64_t increments = 0;  // sum of the `by` of its updates (what a counter loses with it)
};

class SqlWal {
public:
  // Appends a commit record; returns its LSN.
  uint64_t append(SqlWalRecord r);
  uint64_t inserted() const { return inserted_; }
  uint64_t flushed() const { return flushed_; }
  bool flushing() const { return flushing_; }
  // Starts a flush of everything inserted so far; returns the LSN it will make durable.
  uint64_t begin_flush();
  // The fsync returned: the records up to `target` are durable. Returns them (oldest first).
  std::vector<SqlWalRecord> end_flush(uint64_t target);
  // Records inserted but not yet flushed.
  size_t pending() const { return pending_.size(); }

  struct Loss {
    uint64_t acknowledged = 0;    // commits acknowledged to clients and now lost
    uint64_t unacknowledged = 0;  // commit records whose flush never finished (clients got an error)
    int64_t increments = 0;       // increments of the acknowledged commits lost
  };
  // The process dies: reverts the acknowledged records beyond the last flush from `rows`
  // (newest first) and forgets every pending record. A flush in progress never completes.
  Loss crash(SqlRowStore& rows);

private:
  uint64_t inserted_ = 0;
  uint64_t flushed_  = 0;
  bool flushing_     = false;
  std::deque<SqlWalRecord> pending_;
};

}  // namespace archsim
