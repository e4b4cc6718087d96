#include "models/cdn_urls.h"

#include "sim/core/hash_ring.h"

namespace archsim {

uint64_t UrlVersions::base_id(const char* key_space_name, uint64_t key)
{
  return item_id(key_space_name ? key_space_name : "", key);
}

uint32_t UrlVersions::version(const char* key_space_name, uint64_t key) const
{
  auto it = versions_.find(base_id(key_space_name, key));
  return it == versions_.end() ? 0 : it->second;
}

uint64_t UrlVersions::url(const char* key_space_name, uint64_t key) const
{
  uint64_t base = base_id(key_space_name, key);
  auto it       = versions_.find(base);
  if (it == versions_.end() || it->second == 0)
    return base;
  return mix64(base ^ (static_cast<uint64_t>(it->second) * 0x9e3779b97f4a7c15ULL));
}

uint32_t UrlVersions::invalidate(const char* key_space_name, uint64_t key)
{
  ++invalidations_;
  return ++versions_[base_id(key_space_name, key)];
}

}  // namespace archsim
