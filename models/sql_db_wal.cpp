#include "models/sql_db_wal.h"

#include <algorithm>

namespace archsim {

uint64_t SqlWal::append(SqlWalRecord r)
{
  r.lsn = ++inserted_;
  pending_.push_back(std::move(r));
  return inserted_;
}

uint64_t SqlWal::begin_flush()
{
  flushing_ = true;
  return inserted_;
}

std::vector<SqlWalRecord> SqlWal::end_flush(uint64_t target)
{
  flushing_ = false;
  flushed_  = std::max(flushed_, target);
  std::vector<SqlWalRecord> done;
  while (!pending_.empty() && pending_.front().lsn <= flushed_) {
    done.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  return done;
}

SqlWal::Loss SqlWal::crash(SqlRowStore& rows)
{
  Loss loss;
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (!it->acknowledged) {
      ++loss.unacknowledged;
      continue;
    }
    ++loss.acknowledged;
    loss.increments += it->increments;
    for (auto c = it->changes.rbegin(); c != it->changes.rend(); ++c)
      rows.restore(c->row, c->before);
  }
  pending_.clear();
  flushing_ = false;
  // The log restarts after the last durable record.
  inserted_ = flushed_;
  return loss;
}

}  // namespace archsim
