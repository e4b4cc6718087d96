#pragma once
// Versioned URLs, the CDN way to invalidate: a publisher who changes an object gives it a new
// URL (/app.js?v=8), so every edge misses on the new version at once, and the copies of the old
// version become unreachable and age out of the LRU (they still take space until they do). No
// purge message reaches any edge. Pure state, no SimGrid: the cdn_edge model holds one table for
// all its edge nodes (a URL is global), and tests drive it directly.
#include <cstdint>
#include <unordered_map>

namespace archsim {

class UrlVersions {
public:
  // The cache id of the current version of `key` in the key space `key_space_name`: key spaces
  // are kept apart (their key ids are small integers in each), versions too.
  uint64_t url(const char* key_space_name, uint64_t key) const;
  // Moves `key` to its next version; returns the new version (the first is 0).
  uint32_t invalidate(const char* key_space_name, uint64_t key);
  uint32_t version(const char* key_space_name, uint64_t key) const;
  uint64_t invalidations() const { return invalidations_; }

private:
  static uint64_t base_id(const char* key_space_name, uint64_t key);
  std::unordered_map<uint64_t, uint32_t> versions_;  // only keys invalidated at least once
  uint64_t invalidations_ = 0;
};

}  // namespace archsim
