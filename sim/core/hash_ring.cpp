#include "sim/core/hash_ring.h"

#include <algorithm>

namespace archsim {

uint64_t mix64(uint64_t x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t item_id(std::string_view key_space, uint64_t key)
{
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key_space)
    h = (h ^ c) * 1099511628211ULL;
  return key ^ mix64(h);
}

HashRing::HashRing(size_t nodes, size_t vnodes_per_node) : vnodes_(vnodes_per_node)
{
  for (size_t n = 0; n < nodes; ++n)
    add_node();
}

void HashRing::place(size_t node)
{
  for (size_t v = 0; v < vnodes_; ++v)
    points_.emplace_back(mix64((static_cast<uint64_t>(node) << 32) ^ v ^ 0x5bd1e995ULL), node);
}

void HashRing::add_node()
{
  place(nodes_++);
  std::sort(points_.begin(), points_.end());
}

size_t HashRing::node_for(uint64_t key) const
{
  uint64_t h = mix64(key);
  auto it    = std::lower_bound(points_.begin(), points_.end(), std::make_pair(h, size_t{0}));
  if (it == points_.end())
    it = points_.begin();
  return it->second;
}

size_t HashRing::node_for(uint64_t key, const std::function<bool(size_t)>& usable) const
{
  uint64_t h = mix64(key);
  auto start = std::lower_bound(points_.begin(), points_.end(), std::make_pair(h, size_t{0}));
  size_t from = static_cast<size_t>(start - points_.begin());
  for (size_t k = 0; k < points_.size(); ++k) {
    size_t node = points_[(from + k) % points_.size()].second;
    if (usable(node))
      return node;
  }
  return node_for(key);
}

}  // namespace archsim
