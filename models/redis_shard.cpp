#include "models/redis_shard.h"

#include <cmath>

#include "sim/core/hash_ring.h"

namespace archsim {

uint32_t RedisSlots::slot(uint64_t key) { return static_cast<uint32_t>(mix64(key) % kSlots); }

RedisShardState::RedisShardState(double maxmemory_bytes, Eviction policy, Persistence persistence,
                                 double fsync_period)
    : cache_(maxmemory_bytes, policy), policy_(policy), persistence_(persistence), fsync_period_(fsync_period)
{
}

void RedisShardState::sync(double now)
{
  // The background fsync runs at every multiple of the period and makes durable what was
  // written before it.
  double last_fsync = std::floor(now / fsync_period_) * fsync_period_;
  while (!unsynced_.empty() && unsynced_.front().at < last_fsync)
    unsynced_.pop_front();
}

void RedisShardState::record(double now, uint64_t key, double bytes, bool existed)
{
  ++writes_since_start_;
  if (persistence_ != Persistence::AofEverysec)
    return;
  sync(now);
  std::optional<int64_t> counter;
  if (auto it = counters_.find(key); it != counters_.end())
    counter = it->second;
  unsynced_.push_back({now, key, bytes, existed, counter});
}

bool RedisShardState::fits(uint64_t key, double bytes, double now) const
{
  // Redis refuses a write that would grow memory past maxmemory under noeviction and keeps the
  // old value; check before KeyCache::put, which drops the old entry first.
  if (bytes > cache_.capacity_bytes())
    return false;
  return policy_ != Eviction::NoEviction || cache_.contains(key, now) ||
         cache_.used_bytes() + bytes <= cache_.capacity_bytes();
}

bool RedisShardState::set(uint64_t key, double bytes, double now, double ttl)
{
  if (!fits(key, bytes, now))
    return false;
  record(now, key, bytes, cache_.contains(key, now));
  counters_.erase(key);
  return cache_.put(key, bytes, now, ttl);
}

bool RedisShardState::del(uint64_t key, double bytes, double now)
{
  if (!cache_.contains(key, now))
    return false;
  record(now, key, bytes, true);
  cache_.erase(key);
  counters_.erase(key);
  return true;
}

std::optional<int64_t> RedisShardState::incr(uint64_t key, double now)
{
  bool existed = cache_.contains(key, now);
  if (!existed)
    counters_.erase(key);  // evicted or expired: the counter is gone with its key
  if (!fits(key, kCounterBytes, now))
    return std::nullopt;
  auto it      = counters_.find(key);
  int64_t next = it == counters_.end() ? 1 : it->second + 1;
  record(now, key, kCounterBytes, existed);
  cache_.put(key, kCounterBytes, now, 0);
  counters_[key] = next;
  return next;
}

bool RedisShardState::expire(uint64_t key, double bytes, double now, double ttl)
{
  if (!cache_.contains(key, now))
    return false;
  record(now, key, bytes, true);
  cache_.expire(key, now, ttl);
  return true;
}

bool RedisShardState::warm(uint64_t key, double bytes, double now, double ttl)
{
  if (cache_.used_bytes() + bytes > cache_.capacity_bytes())
    return false;
  return cache_.put(key, bytes, now, ttl);
}

size_t RedisShardState::unsynced(double now)
{
  sync(now);
  return unsynced_.size();
}

uint64_t RedisShardState::crash(double now)
{
  uint64_t lost = 0;
  switch (persistence_) {
    case Persistence::None:
      lost = writes_since_start_;
      cache_.clear();
      counters_.clear();
      break;
    case Persistence::AofEverysec:
      sync(now);
      lost = unsynced_.size();
      // Replaying the AOF rebuilds the data set as of the last fsync: undo the newer writes.
      // (Evictions those writes caused are not undone: the AOF logs them as DELs too.)
      for (auto it = unsynced_.rbegin(); it != unsynced_.rend(); ++it) {
        if (it->existed)
          cache_.put(it->key, it->bytes, now, 0);
        else
          cache_.erase(it->key);
        if (it->counter)
          counters_[it->key] = *it->counter;
        else
          counters_.erase(it->key);
      }
      unsynced_.clear();
      break;
    case Persistence::AofAlways:
      break;
  }
  writes_since_start_ = 0;
  return lost;
}

}  // namespace archsim
