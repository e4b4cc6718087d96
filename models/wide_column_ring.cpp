#include "models/wide_column_ring.h"

#include <algorithm>

#include "sim/core/hash_ring.h"

namespace archsim {

TokenRing::TokenRing(size_t nodes, size_t vnodes_per_node) : nodes_(nodes)
{
  for (size_t n = 0; n < nodes; ++n)
    for (size_t v = 0; v < vnodes_per_node; ++v)
      tokens_.emplace_back(mix64((static_cast<uint64_t>(n) << 32) ^ v ^ 0x636173736e647261ULL), n);
  std::sort(tokens_.begin(), tokens_.end());
}

uint64_t TokenRing::token(uint64_t key) { return mix64(key ^ 0x746f6b656eULL); }

std::vector<size_t> TokenRing::replicas(uint64_t key, size_t rf) const
{
  std::vector<size_t> out;
  size_t want = std::min(rf, nodes_);
  if (tokens_.empty() || want == 0)
    return out;
  auto it      = std::lower_bound(tokens_.begin(), tokens_.end(), std::make_pair(token(key), size_t{0}));
  size_t start = static_cast<size_t>(it - tokens_.begin()) % tokens_.size();
  for (size_t i = 0; i < tokens_.size() && out.size() < want; ++i) {
    size_t node = tokens_[(start + i) % tokens_.size()].second;
    if (std::find(out.begin(), out.end(), node) == out.end())
      out.push_back(node);
  }
  return out;
}

}  // namespace archsim
