#pragma once
// Pure state of one Kafka partition, kept apart from SimGrid so that unit tests drive it
// directly: the records of the log with their offsets, the replicas (brokers) with their log
// end offsets, the in-sync replica set, the leader and the high watermark, leader election
// when a broker fails (and what the new leader's shorter log loses), segments deleted by
// retention, and the records kept in memory.
//
// One log stands for every replica's: each replica's log is a prefix of the current leader's,
// of length its log end offset (LEO). That holds because an election truncates every replica to
// the new leader's LEO, as Kafka's leader epochs make followers do.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace archsim::kafka {

constexpr uint16_t kNoKeySpace = 0xFFFF;

// A record as the log keeps it: a few tens of bytes, whatever its payload size.
struct Record {
  uint64_t key      = 0;
  uint64_t sequence = 0;  // per (producer, partition), in the order the producer sent them
  double produced   = 0;  // when the producer sent it (the request's arrival)
  double appended   = 0;  // when the leader appended it
  uint32_t bytes    = 0;
  uint16_t producer = 0;            // which producer host
  uint16_t key_space = kNoKeySpace;  // index of the key's space under data:
  bool has_key = false;
  bool acked   = false;  // the producer has been told it is written
};

// The partition a key goes to (Kafka: murmur2 of the key bytes modulo the partition count; a
// 64-bit mix of the key id stands in).
size_t partition_for_key(uint64_t key, size_t partitions);

// Replica placement: partition p on brokers p, p+1, ... (mod brokers), the first the preferred
// leader, so leaders spread evenly over the brokers.
std::vector<size_t> replicas_for(size_t partition, size_t brokers, size_t replication_factor);

class PartitionLog {
public:
  static constexpr uint64_t kSegmentRecords = 1024;  // retention deletes whole segments

  explicit PartitionLog(std::vector<size_t> replicas);

  const std::vector<size_t>& replicas() const { return replicas_; }
  bool is_replica(size_t broker) const;
  std::optional<size_t> leader() const { return leader_; }
  bool in_isr(size_t broker) const;
  size_t isr_size() const { return isr_.size(); }
  const std::vector<size_t>& isr() const { return isr_; }
  uint64_t epoch() const { return epoch_; }  // bumped by every leader change

  uint64_t log_start() const { return log_start_; }
  uint64_t log_end() const { return end_; }  // the leader's LEO
  uint64_t high_watermark() const { return hw_; }
  uint64_t leo(size_t broker) const;
  uint64_t stored_from() const { return stored_from_; }
  size_t stored() const { return records_.size(); }
  // A record still in memory (stored_from() <= offset < log_end()).
  Record& at(uint64_t offset) { return records_[static_cast<size_t>(offset - stored_from_)]; }
  const Record& at(uint64_t offset) const { return records_[static_cast<size_t>(offset - stored_from_)]; }

  // The leader appends: the records get the offsets [returned, log_end()). Returns whether the
  // high watermark moved (a leader alone in the ISR commits at once).
  uint64_t append(const std::vector<Record>& records, bool& hw_moved);
  // A follower has fetched and appended up to `leo` (its new log end offset).
  void follower_fetched(size_t broker, uint64_t leo);
  // The leader learns the follower's log end offset (its next fetch request carries it): the
  // follower rejoins the ISR once it has caught up with the high watermark, and the high
  // watermark (the lowest LEO in the ISR) may move. Returns whether it moved.
  bool follower_reported(size_t broker);

  // What an election or a restart did to the log.
  struct Change {
    bool leader_changed = false;
    bool hw_moved       = false;
    uint64_t truncated_to = std::numeric_limits<uint64_t>::max();  // records from here are gone
    uint64_t lost_acked   = 0;  // of those, acknowledged to their producer
    uint64_t lost         = 0;  // all records removed
  };
  // The broker's process died and lost its log beyond `keep` (what it had not flushed).
  void replica_crashed(size_t broker, uint64_t keep);
  // The controller noticed that `broker` is dead (`alive` says which brokers are up): a
  // follower leaves the ISR; a leader is replaced by the first live in-sync replica, and the
  // records the new leader lacks are gone. Without one the partition goes offline (no unclean
  // election) and keeps its last ISR.
  Change broker_failed(size_t broker, const std::vector<bool>& alive);
  // The broker is back. An offline partition whose ISR holds it gets it as leader, with the log
  // it kept; otherwise it is a follower outside the ISR until it catches up.
  Change broker_recovered(size_t broker, const std::vector<bool>& alive);

  // Retention: deletes the segments whose newest record was appended before `cutoff` (never
  // beyond the high watermark, nor the active segment).
  void expire(double cutoff);
  // Drops from memory the records below `offset` (nobody will read them again); the log's
  // offsets are unchanged.
  void forget_below(uint64_t offset);
  // The first offset appended after `cutoff`: what a broker that crashed now would keep when
  // the OS writes dirty pages back after `now - cutoff`.
  uint64_t first_appended_after(double cutoff) const;

  // Marks [from, to) acknowledged (records still in memory).
  void mark_acked(uint64_t from, uint64_t to);

private:
  Change truncate(uint64_t to);
  bool recompute_hw();
  size_t index_of(size_t broker) const;

  std::vector<size_t> replicas_;
  std::vector<uint64_t> leo_;       // per replica, in the order of replicas_: its log's end
  std::vector<uint64_t> reported_;  // the same as the leader last heard it
  std::vector<size_t> isr_;
  std::optional<size_t> leader_;
  uint64_t epoch_ = 0;
  uint64_t log_start_   = 0;
  uint64_t end_         = 0;
  uint64_t hw_          = 0;
  uint64_t stored_from_ = 0;
  std::deque<Record> records_;
  // Retention: first offset and newest append time of each segment.
  struct Segment {
    uint64_t first;
    double newest;
  };
  std::deque<Segment> segments_;
};

}  // namespace archsim::kafka
