#include "sim/core/key_cache.h"

namespace archsim {

KeyCache::KeyCache(double capacity_bytes, Eviction policy) : capacity_(capacity_bytes), policy_(policy) {}

void KeyCache::touch(uint64_t key, Entry& e)
{
  if (policy_ == Eviction::Lfu) {
    lfu_.erase({e.freq, e.tick, key});
    ++e.freq;
    e.tick = ++clock_;
    lfu_.insert({e.freq, e.tick, key});
  } else {
    lru_.splice(lru_.begin(), lru_, e.lru_pos);
  }
}

void KeyCache::remove(std::unordered_map<uint64_t, Entry>::iterator it)
{
  Entry& e = it->second;
  used_ -= e.bytes;
  if (policy_ == Eviction::Lfu)
    lfu_.erase({e.freq, e.tick, it->first});
  else
    lru_.erase(e.lru_pos);
  entries_.erase(it);
}

bool KeyCache::get(uint64_t key, double now)
{
  auto it = entries_.find(key);
  if (it == entries_.end())
    return false;
  if (it->second.expires > 0 && now >= it->second.expires) {
    remove(it);
    ++expirations_;
    return false;
  }
  touch(key, it->second);
  return true;
}

bool KeyCache::contains(uint64_t key, double now) const
{
  auto it = entries_.find(key);
  return it != entries_.end() && !(it->second.expires > 0 && now >= it->second.expires);
}

bool KeyCache::evict_one()
{
  if (entries_.empty() || policy_ == Eviction::NoEviction)
    return false;
  uint64_t victim = policy_ == Eviction::Lfu ? std::get<2>(*lfu_.begin()) : lru_.back();
  remove(entries_.find(victim));
  ++evictions_;
  return true;
}

bool KeyCache::put(uint64_t key, double bytes, double now, double ttl)
{
  if (bytes > capacity_)
    return false;
  double expires = ttl > 0 ? now + ttl : 0;
  // An update is a removal and an insertion that keeps the entry's frequency, so that the
  // entry being written is never its own eviction victim.
  uint64_t freq = 1;
  auto it       = entries_.find(key);
  if (it != entries_.end()) {
    freq = it->second.freq + 1;
    remove(it);
  }
  while (used_ + bytes > capacity_)
    if (!evict_one())
      return false;
  Entry e{bytes, expires, freq, ++clock_, {}};
  if (policy_ == Eviction::Lfu) {
    lfu_.insert({e.freq, e.tick, key});
  } else {
    lru_.push_front(key);
    e.lru_pos = lru_.begin();
  }
  entries_.emplace(key, e);
  used_ += bytes;
  return true;
}

bool KeyCache::erase(uint64_t key)
{
  auto it = entries_.find(key);
  if (it == entries_.end())
    return false;
  remove(it);
  return true;
}

bool KeyCache::expire(uint64_t key, double now, double ttl)
{
  auto it = entries_.find(key);
  if (it == entries_.end() || (it->second.expires > 0 && now >= it->second.expires))
    return false;
  it->second.expires = ttl > 0 ? now + ttl : 0;
  return true;
}

void KeyCache::clear()
{
  entries_.clear();
  lru_.clear();
  lfu_.clear();
  used_ = 0;
}

}  // namespace archsim
