#include "models/search_index_shards.h"

#include <cmath>

#include "sim/core/hash_ring.h"

namespace archsim {

ShardLayout::ShardLayout(size_t nodes, size_t shards, size_t replicas)
    : nodes_(nodes < 1 ? 1 : nodes), shards_(shards < 1 ? 1 : shards), replicas_(replicas)
{
}

size_t ShardLayout::shard_of(uint64_t key) const { return static_cast<size_t>(mix64(key) % shards_); }

ShardRefresh::ShardRefresh(double interval, double phase, double initial_docs)
    : interval_(interval), phase_(phase), visible_(initial_docs)
{
}

double ShardRefresh::next_refresh(double now) const
{
  // The first boundary strictly after `now`.
  double k = std::floor((now - phase_) / interval_) + 1;
  return phase_ + k * interval_;
}

double ShardRefresh::index(double now)
{
  pending_.push_back(now);
  return next_refresh(now);
}

size_t ShardRefresh::advance(double now)
{
  size_t refreshes = 0;
  size_t i         = 0;
  while (i < pending_.size()) {
    double at = next_refresh(pending_[i]);
    if (at > now)
      break;
    ++refreshes;
    while (i < pending_.size() && next_refresh(pending_[i]) == at) {
      delay_sum_ += at - pending_[i];
      ++delay_count_;
      visible_ += 1;
      ++i;
    }
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(i));
  return refreshes;
}

}  // namespace archsim
