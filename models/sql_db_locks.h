#pragma once
// Row locks of a PostgreSQL-like database, without SimGrid: exclusive row locks (UPDATE, DELETE,
// SELECT ... FOR UPDATE, a unique-key insert) held by transactions until they end, a FIFO queue
// of waiters per row, and the wait-for graph (a waiter waits for the row's holder) in which a
// deadlock is a cycle. The simulated component parks waiters on semaphores and wakes the ones
// that release_all() grants a lock to.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

namespace archsim {

class SqlLockTable {
public:
  // True when `txn` holds the row's lock now (it was free, or `txn` already held it); false:
  // `txn` joins the row's FIFO queue and must wait until release_all() grants it.
  bool acquire(uint64_t row, uint64_t txn);
  // Leaves the queue (a lock timeout, a deadlock victim). No-op if `txn` is not waiting.
  void cancel(uint64_t row, uint64_t txn);
  // Releases every lock of `txn`; each lock passes to the first waiter of its queue. Returns
  // the grants made, as (row, new holder).
  std::vector<std::pair<uint64_t, uint64_t>> release_all(uint64_t txn);

  bool holds(uint64_t row, uint64_t txn) const;
  size_t held_by(uint64_t txn) const;
  size_t waiters(uint64_t row) const;
  // Whether `txn` waits, through a chain of holders, for itself.
  bool in_cycle(uint64_t txn) const;
  size_t locked_rows() const { return locks_.size(); }
  // A crash: every lock and every waiter is gone.
  void clear();

private:
  struct Lock {
    uint64_t holder;
    std::deque<uint64_t> queue;
  };
  std::unordered_map<uint64_t, Lock> locks_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> held_;  // txn -> rows
  std::unordered_map<uint64_t, uint64_t> waits_for_row_;      // txn -> row it waits for
};

}  // namespace archsim
