#pragma once
// Pure state of a Kafka consumer group, kept apart from SimGrid: how partitions are assigned to
// the members (range or round robin), and per partition the committed offset, the position of
// the member that owns it, and the highest offset ever processed, from which redeliveries
// (duplicates) and consumer lag follow.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace archsim::kafka {

enum class Assignment { Range, RoundRobin };

// Partitions 0..partitions-1 over the members (their ids, in any order). Range (Kafka's
// RangeAssignor, one topic): members sorted, each takes a contiguous run of partitions/members,
// the first partitions%members one more. RoundRobin: partition p to the (p mod members)-th.
// Returns, per member in the sorted order, its partitions.
std::vector<std::pair<size_t, std::vector<size_t>>> assign(size_t partitions, std::vector<size_t> members,
                                                           Assignment strategy);

class GroupOffsets {
public:
  explicit GroupOffsets(size_t partitions);
  size_t partitions() const { return committed_.size(); }

  uint64_t committed(size_t p) const { return committed_[p]; }
  uint64_t position(size_t p) const { return position_[p]; }
  // The owner starts where the group last committed (after a rebalance, a crash).
  void rewind_to_committed(size_t p) { position_[p] = committed_[p]; }
  // The position moved without processing (the log no longer has the records: retention, or a
  // truncation below it). Returns the records skipped (0 when moving back).
  uint64_t reset(size_t p, uint64_t offset);

  // A record of p at `offset` has been processed. Returns true when it had been processed
  // before (a redelivery after a crash: at-least-once).
  bool processed(size_t p, uint64_t offset);
  // Commits the owner's position; returns how far the committed offset moved (negative when the
  // position went back, after a truncation below it).
  int64_t commit(size_t p);

  // Lag of p against the log's high watermark: records not yet committed.
  uint64_t lag(size_t p, uint64_t high_watermark) const
  {
    return high_watermark > committed_[p] ? high_watermark - committed_[p] : 0;
  }

private:
  std::vector<uint64_t> committed_;
  std::vector<uint64_t> position_;
  std::vector<uint64_t> processed_end_;  // 1 + highest offset ever processed
};

// Per-partition order as consumers see it: the sequence numbers of one producer's records
// must rise along a partition (a record processed again after a crash is not a violation).
class OrderCheck {
public:
  // Returns true when the record comes before one of the same producer already seen.
  bool out_of_order(size_t partition, uint16_t producer, uint64_t sequence);

private:
  std::map<std::pair<size_t, uint16_t>, uint64_t> last_;
};

}  // namespace archsim::kafka
