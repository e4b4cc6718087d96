#pragma once
// Pure state of the kv_store model (DynamoDB-like), kept apart from SimGrid so
// that unit tests drive it directly: capacity units, per-partition token
// buckets, the items each replica of a partition holds (versions, write times,
// TTL), which replicas are up and which one leads, and the versions a request
// has read (for conditional writes).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

namespace archsim::kv {

// DynamoDB's unit sizes (reference-figures.md s3, read and write unit rows):
// one read unit per 4 KB (rounded up) strongly consistent, half of that
// eventually consistent; one write unit per 1 KB (rounded up). Every request
// costs at least one unit (half for an eventual read).
constexpr double kReadUnitBytes  = 4096;
constexpr double kWriteUnitBytes = 1024;
double read_units(double bytes, bool strong);
double write_units(double bytes);

// Hard per-partition ceilings whatever the provisioned rate or burst
// (reference-figures.md s3: per-partition throughput cap 3,000 RCU/s and 1,000
// WCU/s).
constexpr double kPartitionReadCap  = 3000;
constexpr double kPartitionWriteCap = 1000;

// The partition of a key: a hash of the key modulo the partition count.
size_t partition_of(uint64_t key, size_t partitions);

// A token bucket: `rate` units per second accumulate up to `depth`. A request
// is admitted when the bucket holds its units (or, for a request larger than
// the whole bucket, when the bucket is full), and then takes them, possibly
// going below zero.
class TokenBucket {
public:
  TokenBucket(double rate, double depth, double initial);
  bool can_take(double units, double now);
  void take(double units, double now);
  double tokens(double now);
  double rate() const { return rate_; }
  double depth() const { return depth_; }

private:
  void refill(double now);
  double rate_;
  double depth_;
  double tokens_;
  double last_ = 0;
};

// One direction (reads or writes) of one partition: the provisioned rate with
// its burst allowance (unused capacity retained for up to `burst_seconds`, at
// least one second's worth), behind the hard per-partition ceiling (one
// second's worth of `cap_rate`), which burst cannot lift. The provisioned
// bucket starts with one second of capacity: a new table has no burst credit;
// credit builds up from capacity left unused during the run.
class PartitionThrottle {
public:
  PartitionThrottle(double rate, double burst_seconds, double cap_rate);
  // Takes the units from both buckets and returns true, or takes nothing and
  // returns false.
  bool admit(double units, double now);
  double rate() const { return provisioned_.rate(); }

private:
  TokenBucket provisioned_;
  TokenBucket ceiling_;
};

// What one replica returns for a key.
struct ItemView {
  bool exists      = false;
  uint64_t version = 0;  // 0: never written during the run (a preloaded item, or none)
};

// The items of one partition as each of its replicas holds them. Only items
// written during the run take memory; with `preloaded`, every other key exists
// at version 0 and was written at a time spread over the last `ttl` before the
// run (so preloaded items expire over the first ttl of the run, not all at
// once). A read of an expired item returns absent.
class PartitionData {
public:
  PartitionData(size_t replicas, bool preloaded);
  // The leader sequences a write: the next version of `item`.
  uint64_t next_version(uint64_t item);
  // A replica applies a write (written at `written_at`); older versions never
  // overwrite newer.
  void apply(size_t replica, uint64_t item, uint64_t version, double written_at);
  ItemView read(size_t replica, uint64_t item, double now, double ttl) const;
  // Highest version the leader has sequenced (what a strongly consistent read
  // would see).
  uint64_t latest_version(uint64_t item) const;
  // A replica back from a crash catches up from `from` (its log replay is not
  // timed).
  void catch_up(size_t replica, size_t from);
  size_t written_items(size_t replica) const { return replicas_[replica].size(); }

private:
  struct Item {
    uint64_t version;
    double written_at;
  };
  bool preloaded_;
  std::vector<std::unordered_map<uint64_t, Item>> replicas_;
  std::unordered_map<uint64_t, uint64_t> latest_;
};

// Which replicas of a partition are up, and which one leads. Leadership needs a
// majority: without one, writes and strongly consistent reads are unavailable;
// eventually consistent reads still go to any live replica. A crashed leader
// hands over to the next live replica (the election's duration is not
// modelled).
class ReplicaGroup {
public:
  explicit ReplicaGroup(size_t replicas);
  void crash(size_t r);
  void recover(size_t r);
  bool up(size_t r) const { return up_[r]; }
  size_t live() const;
  bool has_majority() const { return live() >= up_.size() / 2 + 1; }
  size_t leader() const { return leader_; }
  size_t size() const { return up_.size(); }

private:
  std::vector<bool> up_;
  size_t leader_ = 0;
};

// The version of an item each recent request read, so that a conditional write
// in the same request can check that nobody wrote the item since. Bounded: the
// oldest entries go first.
class ReadVersions {
public:
  explicit ReadVersions(size_t capacity)
      : capacity_(capacity)
  {
  }
  void record(uint64_t request, uint64_t item, uint64_t version);
  std::optional<uint64_t> version_read(uint64_t request, uint64_t item) const;
  size_t size() const { return map_.size(); }

private:
  struct Entry {
    uint64_t request;
    uint64_t item;
    uint64_t version;
  };
  static uint64_t slot(uint64_t request, uint64_t item);
  size_t capacity_;
  std::unordered_map<uint64_t, Entry> map_;
  std::deque<uint64_t> order_;
};

}  // namespace archsim::kv
