#pragma once
// The rows of a PostgreSQL-like database and what a transaction does to them, without SimGrid:
// committed row state (existence, version, an integer value, the commit that wrote it), a
// transaction's private writes until it commits, its snapshot and read set, and the checks that
// decide a statement's or a commit's fate: version-checked updates (optimistic locking), unique
// constraints, REPEATABLE READ / SERIALIZABLE conflicts, and the bookkeeping of lost updates (a
// committed write whose value the application derived from a version that was no longer the
// latest one when it committed).
//
// Rows are addressed by a 64-bit row id (table and key mixed). Rows that exist from the start
// are not stored: a row absent from the store is in its initial state, which the caller says
// (`initially`: whether it exists at the start), so a table of a billion prefilled rows costs
// nothing until rows are written.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace archsim {

struct SqlRow {
  bool exists         = false;
  uint64_t version    = 0;  // 1 for a prefilled row, +1 at every committed write
  int64_t value       = 0;  // an integer column (a counter, a stock, a bid)
  uint64_t commit_seq = 0;  // the commit that wrote this version (0: initial state)
};

class SqlRowStore {
public:
  explicit SqlRowStore(int64_t initial_value = 0) : initial_value_(initial_value) {}
  SqlRow get(uint64_t row, bool initially) const;
  void put(uint64_t row, const SqlRow& r) { rows_[row] = r; }
  // Puts back an earlier state (a crash undoing a commit); the initial state is forgotten again.
  void restore(uint64_t row, const SqlRow& before);
  // Sequence number of the last commit applied (snapshots are taken against it).
  uint64_t last_commit() const { return last_commit_; }
  uint64_t next_commit() { return ++last_commit_; }
  // Sum of the values of the rows written so far that exist (rows never written are left out).
  int64_t value_total() const;
  size_t stored() const { return rows_.size(); }
  void clear() { rows_.clear(); }

private:
  int64_t initial_value_;
  uint64_t last_commit_ = 0;
  std::unordered_map<uint64_t, SqlRow> rows_;
};

enum class Isolation { ReadCommitted, RepeatableRead, Serializable };
Isolation isolation_of(const std::string& name);

// What a request read of a row (kept in its session): the base of a later version-checked or
// read-modify-write update.
struct SqlReadMark {
  uint64_t version = 0;
  int64_t value    = 0;
  bool exists      = false;
};

// One row change of a commit, as the WAL carries it: the row's state before and after.
struct SqlRowChange {
  uint64_t row;
  bool initially;
  SqlRow before;
  SqlRow after;
};

enum class SqlResult {
  Ok,                    // the statement did its work
  Absent,                // 0 rows (update/delete of a missing row)
  Insufficient,          // 0 rows: the guarded update would take the value below zero
  Conflict,              // version check failed (optimistic locking)
  UniqueViolation,       // insert of an existing key under a unique constraint
  Duplicate,             // insert of an existing key without a constraint (a duplicate row)
  SerializationFailure,  // the row changed since the snapshot (REPEATABLE READ, SERIALIZABLE)
};

class SqlTxn {
public:
  SqlTxn(uint64_t id, Isolation iso) : id_(id), iso_(iso) {}
  uint64_t id() const { return id_; }
  Isolation isolation() const { return iso_; }

  // Every statement calls this first: the snapshot is taken at the first statement.
  void begin_statement(const SqlRowStore& rows);
  uint64_t snapshot() const { return snapshot_; }

  // What the transaction sees of a row: its own write, else the latest committed version.
  // (REPEATABLE READ and SERIALIZABLE would see the snapshot's version; this keeps the latest
  // and relies on the conflict checks, which abort the transaction whenever the two differ in a
  // way that matters: a write to the row, or a SERIALIZABLE commit that read it.)
  SqlRow read(const SqlRowStore& rows, uint64_t row, bool initially);
  // The same without recording a read (the row search of UPDATE, DELETE, FOR UPDATE).
  SqlRow peek(const SqlRowStore& rows, uint64_t row, bool initially) { return visible(rows, row, initially); }
  // SELECT ... FOR UPDATE under the row lock: fails under REPEATABLE READ / SERIALIZABLE when a
  // commit after the snapshot changed the row.
  SqlResult lock_read(const SqlRowStore& rows, uint64_t row, bool initially, SqlRow& seen);

  // UPDATE (under the row lock) adding `by` to the value. With `mark` (an earlier read of the row
  // by this request) the application writes mark.value + by (a read-modify-write); without it,
  // value = value + by in SQL (atomic). if_version: only if the committed version is still the
  // one read (else Conflict). non_negative: 0 rows if the new value would go below zero.
  SqlResult update(const SqlRowStore& rows, uint64_t row, bool initially, int64_t by, const SqlReadMark* mark,
                   bool if_version, bool non_negative);
  SqlResult insert(const SqlRowStore& rows, uint64_t row, bool initially, bool unique, int64_t value);
  SqlResult remove(const SqlRowStore& rows, uint64_t row, bool initially);

  // Commit-time check of a SERIALIZABLE transaction: no row it read was changed by a commit
  // after its snapshot (read-write conflict). Always true under the other levels.
  bool can_commit(const SqlRowStore& rows) const;
  bool has_writes() const { return !writes_.empty(); }
  size_t write_count() const { return writes_.size(); }

  struct Applied {
    std::vector<SqlRowChange> changes;
    uint64_t lost_updates = 0;  // writes derived from a read whose version was no longer the latest
    int64_t increments    = 0;  // sum of `by` of the committed updates
  };
  // Makes the writes the committed state, under one new commit sequence number.
  Applied apply(SqlRowStore& rows) const;

private:
  struct Write {
    uint64_t row;
    bool initially;
    bool exists;
    int64_t value;
    bool from_read;         // value computed by the application from an earlier read
    uint64_t base_version;  // the version that read saw (from_read)
    int64_t increments;     // sum of `by` of the updates folded into this write
  };
  Write* own(uint64_t row);
  SqlRow visible(const SqlRowStore& rows, uint64_t row, bool initially);
  bool changed_since_snapshot(const SqlRow& committed) const
  {
    return iso_ != Isolation::ReadCommitted && committed.commit_seq > snapshot_;
  }
  Write& write(uint64_t row, bool initially);

  uint64_t id_;
  Isolation iso_;
  bool snapshot_taken_ = false;
  uint64_t snapshot_   = 0;
  std::vector<Write> writes_;
  std::unordered_map<uint64_t, size_t> write_index_;
  std::unordered_map<uint64_t, bool> read_set_;  // SERIALIZABLE: row -> initially
};

}  // namespace archsim
