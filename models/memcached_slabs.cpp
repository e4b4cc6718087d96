#include "models/memcached_slabs.h"

#include <cmath>

#include "sim/core/hash_ring.h"

namespace archsim {

namespace {
constexpr double kChunkAlign = 8;  // CHUNK_ALIGN_BYTES

double align_up(double bytes) { return std::ceil(bytes / kChunkAlign) * kChunkAlign; }
}  // namespace

SlabStore::SlabStore(const SlabConfig& c)
    : total_pages_(static_cast<size_t>(std::floor(c.memory_bytes / c.page_bytes)))
    , free_pages_(total_pages_)
{
  // As slabs_init(): classes grow by the factor while a chunk is at most page / factor; the
  // last class holds one item of a whole page.
  // The aligned size is what grows, so every class is at least 8 bytes above the last.
  double size = c.min_chunk;
  while (classes_.size() + 1 < c.max_classes && size <= c.page_bytes / c.growth_factor) {
    size = align_up(size);
    classes_.push_back({size, static_cast<size_t>(c.page_bytes / size), 0, {}});
    size *= c.growth_factor;
  }
  classes_.push_back({c.page_bytes, 1, 0, {}});
}

size_t SlabStore::class_for(double item_bytes) const
{
  // Binary search over increasing chunk sizes.
  size_t lo = 0, hi = classes_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (classes_[mid].chunk >= item_bytes)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo < classes_.size() ? lo : npos;
}

void SlabStore::remove(std::unordered_map<uint64_t, Item>::iterator it)
{
  classes_[it->second.cls].lru.erase(it->second.pos);
  items_.erase(it);
}

bool SlabStore::get(uint64_t key, double now)
{
  auto it = items_.find(key);
  if (it == items_.end())
    return false;
  if (expired(it->second, now)) {
    remove(it);
    return false;
  }
  auto& lru = classes_[it->second.cls].lru;
  lru.splice(lru.begin(), lru, it->second.pos);
  return true;
}

bool SlabStore::room(size_t cls, double now, bool may_evict)
{
  SlabClass& sc = classes_[cls];
  if (sc.lru.size() < sc.pages * sc.per_page)
    return true;
  if (free_pages_ > 0) {
    --free_pages_;
    ++sc.pages;
    return true;
  }
  if (!may_evict || sc.lru.empty())
    return false;
  auto victim = items_.find(sc.lru.back());
  if (expired(victim->second, now))
    ++reclaimed_;
  else
    ++evictions_;
  remove(victim);
  return true;
}

void SlabStore::store(uint64_t key, size_t cls, double now, double ttl)
{
  auto& lru = classes_[cls].lru;
  lru.push_front(key);
  items_[key] = Item{cls, ttl > 0 ? now + ttl : 0, lru.begin()};
}

SlabStore::SetResult SlabStore::set(uint64_t key, double item_bytes, double now, double ttl)
{
  size_t cls = class_for(item_bytes);
  // A set replaces the old item whatever happens (memcached unlinks it first).
  auto old = items_.find(key);
  if (old != items_.end())
    remove(old);
  if (cls == npos)
    return SetResult::TooLarge;
  if (!room(cls, now, true))
    return SetResult::OutOfMemory;
  store(key, cls, now, ttl);
  return SetResult::Stored;
}

bool SlabStore::insert_if_room(uint64_t key, double item_bytes, double now, double ttl)
{
  size_t cls = class_for(item_bytes);
  if (cls == npos || items_.count(key) || !room(cls, now, false))
    return false;
  store(key, cls, now, ttl);
  return true;
}

bool SlabStore::del(uint64_t key)
{
  auto it = items_.find(key);
  if (it == items_.end())
    return false;
  remove(it);
  return true;
}

void SlabStore::clear()
{
  items_.clear();
  for (auto& c : classes_) {
    c.lru.clear();
    c.pages = 0;
  }
  free_pages_ = total_pages_;
}

uint64_t slab_item_id(const char* key_space_name, uint64_t key)
{
  return item_id(key_space_name ? key_space_name : "", key);
}

}  // namespace archsim
