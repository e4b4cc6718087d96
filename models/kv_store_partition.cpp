#include "models/kv_store_partition.h"

#include <algorithm>
#include <cmath>

#include "sim/core/hash_ring.h"

namespace archsim::kv {

double read_units(double bytes, bool strong)
{
  double units = std::max(1.0, std::ceil(bytes / kReadUnitBytes));
  return strong ? units : units / 2;
}

double write_units(double bytes)
{
  return std::max(1.0, std::ceil(bytes / kWriteUnitBytes));
}

size_t partition_of(uint64_t key, size_t partitions)
{
  return static_cast<size_t>(mix64(key) % partitions);
}

// ---- TokenBucket

TokenBucket::TokenBucket(double rate, double depth, double initial)
    : rate_(rate)
    , depth_(depth)
    , tokens_(std::min(initial, depth))
{
}

void TokenBucket::refill(double now)
{
  if (now > last_) {
    tokens_ = std::min(depth_, tokens_ + rate_ * (now - last_));
    last_   = now;
  }
}

bool TokenBucket::can_take(double units, double now)
{
  refill(now);
  // A request larger than the whole bucket passes when the bucket is full, and
  // leaves a debt.
  return tokens_ >= std::min(units, depth_) - 1e-9;
}

void TokenBucket::take(double units, double now)
{
  refill(now);
  tokens_ -= units;
}

double TokenBucket::tokens(double now)
{
  refill(now);
  return tokens_;
}

// ---- PartitionThrottle

PartitionThrottle::PartitionThrottle(double rate, double burst_seconds, double cap_rate)
    : provisioned_(rate, rate * std::max(1.0, burst_seconds), rate)
    , ceiling_(cap_rate, cap_rate, cap_rate)
{
}

bool PartitionThrottle::admit(double units, double now)
{
  if (!provisioned_.can_take(units, now) || !ceiling_.can_take(units, now))
    return false;
  provisioned_.take(units, now);
  ceiling_.take(units, now);
  return true;
}

// ---- PartitionData

PartitionData::PartitionData(size_t replicas, bool preloaded)
    : preloaded_(preloaded)
    , replicas_(replicas)
{
}

uint64_t PartitionData::next_version(uint64_t item)
{
  return ++latest_[item];
}

void PartitionData::apply(size_t replica, uint64_t item, uint64_t version, double written_at)
{
  auto [it, fresh] = replicas_[replica].try_emplace(item, Item{version, written_at});
  if (!fresh && it->second.version < version)
    it->second = Item{version, written_at};
}

ItemView PartitionData::read(size_t replica, uint64_t item, double now, double ttl) const
{
  const auto& items = replicas_[replica];
  auto it           = items.find(item);
  if (it != items.end())
    return {ttl <= 0 || now < it->second.written_at + ttl, it->second.version};
  if (!preloaded_)
    return {false, 0};
  if (ttl <= 0)
    return {true, 0};
  // Preloaded before the run at a time spread uniformly over the last ttl
  // (stable per item).
  double u = (static_cast<double>(mix64(item ^ 0x74746cULL) >> 11) + 0.5) / 9007199254740992.0;
  return {now < u * ttl, 0};
}

uint64_t PartitionData::latest_version(uint64_t item) const
{
  auto it = latest_.find(item);
  return it == latest_.end() ? 0 : it->second;
}

void PartitionData::catch_up(size_t replica, size_t from)
{
  if (replica != from)
    replicas_[replica] = replicas_[from];
}

// ---- ReplicaGroup

ReplicaGroup::ReplicaGroup(size_t replicas)
    : up_(replicas, true)
{
}

size_t ReplicaGroup::live() const
{
  return static_cast<size_t>(std::count(up_.begin(), up_.end(), true));
}

void ReplicaGroup::crash(size_t r)
{
  up_[r] = false;
  if (r != leader_)
    return;
  for (size_t k = 1; k < up_.size(); ++k) {
    size_t next = (leader_ + k) % up_.size();
    if (up_[next]) {
      leader_ = next;
      return;
    }
  }
}

void ReplicaGroup::recover(size_t r)
{
  up_[r] = true;
  if (!up_[leader_])
    leader_ = r;
}

// ---- ReadVersions

uint64_t ReadVersions::slot(uint64_t request, uint64_t item)
{
  return mix64(request ^ mix64(item));
}

void ReadVersions::record(uint64_t request, uint64_t item, uint64_t version)
{
  uint64_t s       = slot(request, item);
  auto [it, fresh] = map_.insert_or_assign(s, Entry{request, item, version});
  (void)it;
  if (!fresh)
    return;
  order_.push_back(s);
  while (order_.size() > capacity_) {
    map_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<uint64_t> ReadVersions::version_read(uint64_t request, uint64_t item) const
{
  auto it = map_.find(slot(request, item));
  if (it == map_.end() || it->second.request != request || it->second.item != item)
    return std::nullopt;
  return it->second.version;
}

}  // namespace archsim::kv
