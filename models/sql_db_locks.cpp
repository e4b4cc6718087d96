#include "models/sql_db_locks.h"

#include <algorithm>
#include <unordered_set>

namespace archsim {

bool SqlLockTable::acquire(uint64_t row, uint64_t txn)
{
  auto [it, fresh] = locks_.try_emplace(row, Lock{txn, {}});
  if (fresh) {
    held_[txn].push_back(row);
    return true;
  }
  if (it->second.holder == txn)
    return true;
  it->second.queue.push_back(txn);
  waits_for_row_[txn] = row;
  return false;
}

void SqlLockTable::cancel(uint64_t row, uint64_t txn)
{
  auto w = waits_for_row_.find(txn);
  if (w == waits_for_row_.end() || w->second != row)
    return;
  waits_for_row_.erase(w);
  auto it = locks_.find(row);
  if (it == locks_.end())
    return;
  auto& q = it->second.queue;
  q.erase(std::remove(q.begin(), q.end(), txn), q.end());
}

std::vector<std::pair<uint64_t, uint64_t>> SqlLockTable::release_all(uint64_t txn)
{
  std::vector<std::pair<uint64_t, uint64_t>> grants;
  auto h = held_.find(txn);
  if (h == held_.end())
    return grants;
  std::vector<uint64_t> rows = std::move(h->second);
  held_.erase(h);
  for (uint64_t row : rows) {
    auto it = locks_.find(row);
    if (it == locks_.end() || it->second.holder != txn)
      continue;
    Lock& l = it->second;
    if (l.queue.empty()) {
      locks_.erase(it);
      continue;
    }
    uint64_t next = l.queue.front();
    l.queue.pop_front();
    l.holder = next;
    waits_for_row_.erase(next);
    held_[next].push_back(row);
    grants.emplace_back(row, next);
  }
  return grants;
}

bool SqlLockTable::holds(uint64_t row, uint64_t txn) const
{
  auto it = locks_.find(row);
  return it != locks_.end() && it->second.holder == txn;
}

size_t SqlLockTable::held_by(uint64_t txn) const
{
  auto it = held_.find(txn);
  return it == held_.end() ? 0 : it->second.size();
}

size_t SqlLockTable::waiters(uint64_t row) const
{
  auto it = locks_.find(row);
  return it == locks_.end() ? 0 : it->second.queue.size();
}

bool SqlLockTable::in_cycle(uint64_t txn) const
{
  // Each waiter waits for exactly one transaction (its row's holder): follow the chain.
  std::unordered_set<uint64_t> seen;
  uint64_t at = txn;
  while (true) {
    auto w = waits_for_row_.find(at);
    if (w == waits_for_row_.end())
      return false;
    auto l = locks_.find(w->second);
    if (l == locks_.end())
      return false;
    at = l->second.holder;
    if (at == txn)
      return true;
    if (!seen.insert(at).second)
      return false;  // a cycle that does not include txn
  }
}

void SqlLockTable::clear()
{
  locks_.clear();
  held_.clear();
  waits_for_row_.clear();
}

}  // namespace archsim
