#pragma once
// Memcached's memory, as its slab allocator (slabs.c, items.c) lays it out: item sizes are
// rounded up to slab classes whose chunk sizes grow geometrically from a minimum by a growth
// factor (8-byte aligned, the last class one whole page); memory is handed out in pages (1 MB)
// to the class that needs one, first come first served, and never taken back; each class keeps
// its own LRU and, once it has no free chunk and no free page is left, evicts its own least
// recently used item. So a class that got its pages early keeps them when the workload's value
// sizes change ("slab calcification"), and the classes the new sizes need evict hard, or cannot
// store at all. Expiry is lazy (a get of an expired item misses and frees its chunk).
//
// Pure state, no SimGrid: the memcached model drives one SlabStore per node, and tests drive it
// directly. Not modelled: slab rebalancing (slab_reassign/automove of 1.4.11+), the segmented
// LRU of 1.5 (hot/warm/cold), extstore, CAS.
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

namespace archsim {

struct SlabConfig {
  double memory_bytes   = 64e6;     // memcached -m
  double min_chunk      = 64;       // smallest chunk (item header and key included)
  double growth_factor  = 1.25;     // memcached -f
  double page_bytes     = 1048576;  // slab page = largest item (-I)
  size_t max_classes    = 200;      // POWER_LARGEST in memcached 1.4
};

class SlabStore {
public:
  enum class SetResult {
    Stored,
    TooLarge,     // bigger than a page: "SERVER_ERROR object too large for cache"
    OutOfMemory,  // its class has no chunk, no page is free and it has nothing to evict
  };
  static constexpr size_t npos = static_cast<size_t>(-1);

  explicit SlabStore(const SlabConfig& config);

  // The smallest class whose chunk holds `item_bytes`; npos if larger than a page.
  size_t class_for(double item_bytes) const;
  // True on a hit (refreshes the item's recency); an expired item is dropped and misses.
  bool get(uint64_t key, double now);
  // Stores (or replaces) an item of `item_bytes` (header and key included); ttl 0 = no expiry.
  SetResult set(uint64_t key, double item_bytes, double now, double ttl = 0);
  // Stores only if a chunk is free or a page can be taken: no eviction (warm start).
  bool insert_if_room(uint64_t key, double item_bytes, double now, double ttl = 0);
  bool del(uint64_t key);
  // Everything lost, every page back to the free pool (a restart: memcached keeps nothing).
  void clear();

  size_t classes() const { return classes_.size(); }
  double chunk_bytes(size_t cls) const { return classes_[cls].chunk; }
  size_t chunks_per_page(size_t cls) const { return classes_[cls].per_page; }
  size_t pages(size_t cls) const { return classes_[cls].pages; }
  size_t items(size_t cls) const { return classes_[cls].lru.size(); }
  size_t items() const { return items_.size(); }
  size_t total_pages() const { return total_pages_; }
  size_t free_pages() const { return free_pages_; }
  uint64_t evictions() const { return evictions_; }
  uint64_t reclaimed() const { return reclaimed_; }  // expired items whose chunk was reused

private:
  struct SlabClass {
    double chunk;
    size_t per_page;
    size_t pages = 0;
    std::list<uint64_t> lru;  // most recent at the front; size = chunks in use
  };
  struct Item {
    size_t cls;
    double expires;  // 0 = never
    std::list<uint64_t>::iterator pos;
  };

  bool expired(const Item& it, double now) const { return it.expires > 0 && now >= it.expires; }
  void remove(std::unordered_map<uint64_t, Item>::iterator it);
  // Makes room for one chunk in `cls`: a free chunk, a new page, or (if allowed) its LRU tail.
  bool room(size_t cls, double now, bool may_evict);
  void store(uint64_t key, size_t cls, double now, double ttl);

  std::vector<SlabClass> classes_;
  std::unordered_map<uint64_t, Item> items_;
  size_t total_pages_;
  size_t free_pages_;
  uint64_t evictions_ = 0;
  uint64_t reclaimed_ = 0;
};

// A cache key id that keeps key spaces apart: key ids are small integers in every key space, so
// two spaces cached in one store must not collide (as "user:7" and "post:7" do not).
uint64_t slab_item_id(const char* key_space_name, uint64_t key);

}  // namespace archsim
