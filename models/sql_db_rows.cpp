#include "models/sql_db_rows.h"

namespace archsim {

SqlRow SqlRowStore::get(uint64_t row, bool initially) const
{
  auto it = rows_.find(row);
  if (it != rows_.end())
    return it->second;
  SqlRow r;
  r.exists  = initially;
  r.version = initially ? 1 : 0;
  r.value   = initially ? initial_value_ : 0;
  return r;
}

void SqlRowStore::restore(uint64_t row, const SqlRow& before)
{
  if (before.commit_seq == 0)
    rows_.erase(row);
  else
    rows_[row] = before;
}

int64_t SqlRowStore::value_total() const
{
  int64_t total = 0;
  for (const auto& [row, r] : rows_)
    if (r.exists)
      total += r.value;
  return total;
}

Isolation isolation_of(const std::string& name)
{
  if (name == "serializable")
    return Isolation::Serializable;
  if (name == "repeatable_read")
    return Isolation::RepeatableRead;
  return Isolation::ReadCommitted;
}

void SqlTxn::begin_statement(const SqlRowStore& rows)
{
  if (snapshot_taken_)
    return;
  snapshot_taken_ = true;
  snapshot_       = rows.last_commit();
}

SqlTxn::Write* SqlTxn::own(uint64_t row)
{
  auto it = write_index_.find(row);
  return it == write_index_.end() ? nullptr : &writes_[it->second];
}

SqlTxn::Write& SqlTxn::write(uint64_t row, bool initially)
{
  if (Write* w = own(row))
    return *w;
  write_index_[row] = writes_.size();
  writes_.push_back(Write{row, initially, false, 0, false, 0, 0});
  return writes_.back();
}

SqlRow SqlTxn::visible(const SqlRowStore& rows, uint64_t row, bool initially)
{
  SqlRow r = rows.get(row, initially);
  if (const Write* w = own(row)) {
    r.exists = w->exists;
    r.value  = w->value;
  }
  return r;
}

SqlRow SqlTxn::read(const SqlRowStore& rows, uint64_t row, bool initially)
{
  if (iso_ == Isolation::Serializable)
    read_set_.emplace(row, initially);
  return visible(rows, row, initially);
}

SqlResult SqlTxn::lock_read(const SqlRowStore& rows, uint64_t row, bool initially, SqlRow& seen)
{
  if (!own(row) && changed_since_snapshot(rows.get(row, initially)))
    return SqlResult::SerializationFailure;
  seen = visible(rows, row, initially);
  return SqlResult::Ok;
}

SqlResult SqlTxn::update(const SqlRowStore& rows, uint64_t row, bool initially, int64_t by, const SqlReadMark* mark,
                         bool if_version, bool non_negative)
{
  SqlRow committed = rows.get(row, initially);
  Write* w         = own(row);
  // First updater wins: a row changed by a commit after the snapshot cannot be updated.
  if (!w && changed_since_snapshot(committed))
    return SqlResult::SerializationFailure;
  SqlRow cur = visible(rows, row, initially);
  if (!cur.exists)
    return SqlResult::Absent;
  // UPDATE ... WHERE id = ? AND version = <the version read>: 0 rows when it moved on.
  if (if_version && mark && mark->version != committed.version)
    return SqlResult::Conflict;
  int64_t value;
  bool from_read = false;
  if (w)
    value = w->value + by;  // on top of this transaction's own write
  else if (mark) {
    value     = mark->value + by;  // the application computed it from what it read
    from_read = true;
  } else {
    value = committed.value + by;  // SET value = value + by, on the latest version
  }
  if (non_negative && value < 0)
    return SqlResult::Insufficient;
  Write& nw = write(row, initially);
  if (!w && from_read) {
    nw.from_read    = true;
    nw.base_version = mark->version;
  }
  nw.exists = true;
  nw.value  = value;
  nw.increments += by;
  return SqlResult::Ok;
}

SqlResult SqlTxn::insert(const SqlRowStore& rows, uint64_t row, bool initially, bool unique, int64_t value)
{
  if (visible(rows, row, initially).exists)
    return unique ? SqlResult::UniqueViolation : SqlResult::Duplicate;
  Write& w = write(row, initially);
  w.exists = true;
  w.value  = value;
  return SqlResult::Ok;
}

SqlResult SqlTxn::remove(const SqlRowStore& rows, uint64_t row, bool initially)
{
  SqlRow committed = rows.get(row, initially);
  if (!own(row) && changed_since_snapshot(committed))
    return SqlResult::SerializationFailure;
  if (!visible(rows, row, initially).exists)
    return SqlResult::Absent;
  Write& w = write(row, initially);
  w.exists = false;
  w.value  = committed.value;
  return SqlResult::Ok;
}

bool SqlTxn::can_commit(const SqlRowStore& rows) const
{
  if (iso_ != Isolation::Serializable)
    return true;
  for (const auto& [row, initially] : read_set_)
    if (rows.get(row, initially).commit_seq > snapshot_)
      return false;
  return true;
}

SqlTxn::Applied SqlTxn::apply(SqlRowStore& rows) const
{
  Applied a;
  if (writes_.empty())
    return a;
  uint64_t seq = rows.next_commit();
  a.changes.reserve(writes_.size());
  for (const Write& w : writes_) {
    SqlRow before = rows.get(w.row, w.initially);
    SqlRow after{w.exists, before.version + 1, w.value, seq};
    if (w.from_read && before.version != w.base_version)
      ++a.lost_updates;
    a.increments += w.increments;
    rows.put(w.row, after);
    a.changes.push_back({w.row, w.initially, before, after});
  }
  return a;
}

}  // namespace archsim
