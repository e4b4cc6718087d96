#pragma once
// The state of one Redis node, without SimGrid: the keys it holds (a bytes-bounded KeyCache with
// the node's eviction policy and lazy TTL expiry), its INCR counters, and what its append-only
// file has made durable, so that a crash loses exactly what the persistence mode says: all of it
// (no persistence), the writes since the last once-a-second fsync (appendfsync everysec), or
// nothing (appendfsync always). Also the cluster's key -> hash slot -> shard map.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "sim/core/key_cache.h"

namespace archsim {

enum class Persistence { None, AofEverysec, AofAlways };

// Redis Cluster: 16384 hash slots; slots split evenly over the shards in contiguous ranges, as
// `redis-cli --cluster create` assigns them. The slot stands in for CRC16(key) mod 16384 with a
// 64-bit mix of the key id (keys here are integer ids, not strings).
struct RedisSlots {
  static constexpr uint32_t kSlots = 16384;
  static uint32_t slot(uint64_t key);
  static size_t shard_of_slot(uint32_t slot, size_t shards) { return size_t{slot} * shards / kSlots; }
  static size_t shard(uint64_t key, size_t shards) { return shard_of_slot(slot(key), shards); }
};

class RedisShardState {
public:
  // fsync_period: the everysec background fsync interval (1 s in Redis).
  RedisShardState(double maxmemory_bytes, Eviction policy, Persistence persistence, double fsync_period = 1.0);

  // Reads never write: a miss stores nothing.
  bool get(uint64_t key, double now) { return cache_.get(key, now); }
  // False when the value cannot be stored (noeviction and full, or larger than maxmemory).
  bool set(uint64_t key, double bytes, double now, double ttl);
  // True if the key existed. `bytes` is the key's value size (to restore it if the write is lost).
  bool del(uint64_t key, double bytes, double now);
  // The counter's new value, or nullopt when it cannot be stored (noeviction and full). A counter
  // whose key was evicted or expired starts again from 0, as in Redis.
  std::optional<int64_t> incr(uint64_t key, double now);
  // True if the key existed (its expiry is set to now + ttl).
  bool expire(uint64_t key, double bytes, double now, double ttl);
  // Warm start: stores the key only if it fits without evicting anything.
  bool warm(uint64_t key, double bytes, double now, double ttl);

  // The node dies: returns the acknowledged writes that are gone, and leaves the state as a
  // restart would find it (empty; as of the last fsync; or unchanged).
  uint64_t crash(double now);
  // Writes acknowledged but not yet fsynced (everysec only; always 0 otherwise).
  size_t unsynced(double now);

  const KeyCache& cache() const { return cache_; }
  // The same store, for the node's typed keys (models/redis_types.h), which share its maxmemory.
  KeyCache& cache() { return cache_; }
  Persistence persistence() const { return persistence_; }
  static constexpr double kCounterBytes = 8;  // an int-encoded string object

private:
  // What a write changed, to undo it if it is lost before the fsync that would have kept it.
  struct Undo {
    double at;
    uint64_t key;
    double bytes;
    bool existed;
    std::optional<int64_t> counter;
  };
  void record(double now, uint64_t key, double bytes, bool existed);
  bool fits(uint64_t key, double bytes, double now) const;
  void sync(double now);

  KeyCache cache_;
  Eviction policy_;
  Persistence persistence_;
  double fsync_period_;
  std::unordered_map<uint64_t, int64_t> counters_;
  std::deque<Undo> unsynced_;
  uint64_t writes_since_start_ = 0;
};

}  // namespace archsim
