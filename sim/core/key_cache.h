#pragma once
// A cache of key ids bounded by bytes, with LRU or LFU eviction and optional per-entry expiry
// (TTL). Caches in archsim hold real key ids drawn from a key space's popularity law, so hit
// ratios, their warm-up and their collapse after a crash come out of the simulation; this is
// the one structure behind every cache model (Redis, Memcached slabs, CDN edges).
//
// Expiry is lazy, as in Redis and Memcached: an expired entry is dropped when it is next looked
// up (a miss), or when eviction reaches it; until then it still takes memory.
#include <cstddef>
#include <cstdint>
#include <list>
#include <set>
#include <tuple>
#include <unordered_map>

namespace archsim {

enum class Eviction {
  Lru,        // least recently used goes first (Redis allkeys-lru, Memcached)
  Lfu,        // least frequently used goes first, ties to the least recent (Redis allkeys-lfu)
  NoEviction  // refuse writes that do not fit (Redis noeviction)
};

class KeyCache {
public:
  KeyCache(double capacity_bytes, Eviction policy);

  // True on a hit; a hit refreshes the entry's recency and frequency. Expired entries are
  // removed and count as misses.
  bool get(uint64_t key, double now);
  // Inserts or updates. Evicts until the entry fits; returns false (nothing stored) when it
  // cannot fit: larger than the whole cache, or NoEviction and full. ttl 0 = never expires.
  bool put(uint64_t key, double bytes, double now, double ttl = 0);
  bool erase(uint64_t key);
  // Without touching recency or frequency.
  bool contains(uint64_t key, double now) const;
  // Sets or clears (ttl 0) an existing entry's expiry; false if absent.
  bool expire(uint64_t key, double now, double ttl);
  void clear();

  double capacity_bytes() const { return capacity_; }
  double used_bytes() const { return used_; }
  size_t size() const { return entries_.size(); }
  uint64_t evictions() const { return evictions_; }
  uint64_t expirations() const { return expirations_; }

private:
  struct Entry {
    double bytes;
    double expires;  // 0 = never
    uint64_t freq;
    uint64_t tick;
    std::list<uint64_t>::iterator lru_pos;
  };
  using LfuKey = std::tuple<uint64_t, uint64_t, uint64_t>;  // (freq, tick, key)

  void touch(uint64_t key, Entry& e);
  void remove(std::unordered_map<uint64_t, Entry>::iterator it);
  bool evict_one();

  double capacity_;
  Eviction policy_;
  double used_ = 0;
  uint64_t clock_ = 0;
  uint64_t evictions_ = 0;
  uint64_t expirations_ = 0;
  std::unordered_map<uint64_t, Entry> entries_;
  std::list<uint64_t> lru_;  // most recent at the front
  std::set<LfuKey> lfu_;     // least frequent first
};

}  // namespace archsim
