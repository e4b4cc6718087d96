#include "models/kafka_log.h"

#include <algorithm>

#include "sim/core/hash_ring.h"

namespace archsim::kafka {

size_t partition_for_key(uint64_t key, size_t partitions)
{
  return static_cast<size_t>(mix64(key ^ 0x6b61666b61ULL) % partitions);
}

std::vector<size_t> replicas_for(size_t partition, size_t brokers, size_t replication_factor)
{
  std::vector<size_t> out;
  for (size_t i = 0; i < replication_factor && i < brokers; ++i)
    out.push_back((partition + i) % brokers);
  return out;
}

PartitionLog::PartitionLog(std::vector<size_t> replicas)
    : replicas_(std::move(replicas)), leo_(replicas_.size(), 0), reported_(replicas_.size(), 0), isr_(replicas_)
{
  if (!replicas_.empty())
    leader_ = replicas_.front();
}

size_t PartitionLog::index_of(size_t broker) const
{
  return static_cast<size_t>(std::find(replicas_.begin(), replicas_.end(), broker) - replicas_.begin());
}

bool PartitionLog::is_replica(size_t broker) const { return index_of(broker) < replicas_.size(); }

bool PartitionLog::in_isr(size_t broker) const { return std::find(isr_.begin(), isr_.end(), broker) != isr_.end(); }

uint64_t PartitionLog::leo(size_t broker) const
{
  size_t i = index_of(broker);
  return i < leo_.size() ? leo_[i] : 0;
}

bool PartitionLog::recompute_hw()
{
  if (isr_.empty())
    return false;
  uint64_t lowest = end_;
  for (size_t b : isr_)
    if (!leader_ || b != *leader_)
      lowest = std::min(lowest, reported_[index_of(b)]);
  // The high watermark never moves back while the leader keeps its log; truncate() lowers it
  // when the log itself got shorter.
  if (lowest > hw_) {
    hw_ = lowest;
    return true;
  }
  return false;
}

uint64_t PartitionLog::append(const std::vector<Record>& records, bool& hw_moved)
{
  uint64_t first = end_;
  for (const Record& r : records) {
    if (segments_.empty() || end_ >= segments_.back().first + kSegmentRecords)
      segments_.push_back({end_, r.appended});
    segments_.back().newest = std::max(segments_.back().newest, r.appended);
    records_.push_back(r);
    ++end_;
  }
  if (leader_) {
    leo_[index_of(*leader_)]      = end_;
    reported_[index_of(*leader_)] = end_;
  }
  hw_moved = recompute_hw();
  return first;
}

void PartitionLog::follower_fetched(size_t broker, uint64_t leo)
{
  size_t i = index_of(broker);
  if (i >= replicas_.size() || (leader_ && *leader_ == broker))
    return;
  leo_[i] = std::min(leo, end_);
}

bool PartitionLog::follower_reported(size_t broker)
{
  size_t i = index_of(broker);
  if (i >= replicas_.size() || !leader_ || *leader_ == broker)
    return false;
  reported_[i] = leo_[i];
  if (!in_isr(broker) && reported_[i] >= hw_)
    isr_.push_back(broker);
  return recompute_hw();
}

PartitionLog::Change PartitionLog::truncate(uint64_t to)
{
  Change c;
  if (to >= end_)
    return c;
  c.truncated_to = to;
  c.lost         = end_ - to;
  for (uint64_t o = std::max(to, stored_from_); o < end_; ++o)
    if (at(o).acked)
      ++c.lost_acked;
  while (!records_.empty() && stored_from_ + records_.size() > to)
    records_.pop_back();
  while (!segments_.empty() && segments_.back().first >= to && segments_.size() > 1)
    segments_.pop_back();
  end_ = to;
  stored_from_ = std::min(stored_from_, end_);
  log_start_   = std::min(log_start_, end_);
  for (auto& l : leo_)
    l = std::min(l, end_);
  for (auto& l : reported_)
    l = std::min(l, end_);
  if (hw_ > end_) {
    hw_        = end_;
    c.hw_moved = true;
  }
  return c;
}

void PartitionLog::replica_crashed(size_t broker, uint64_t keep)
{
  size_t i = index_of(broker);
  if (i < leo_.size())
    leo_[i] = std::min(leo_[i], keep);
}

PartitionLog::Change PartitionLog::broker_failed(size_t broker, const std::vector<bool>& alive)
{
  Change c;
  if (!is_replica(broker))
    return c;
  if (leader_ && *leader_ == broker) {
    std::optional<size_t> next;
    for (size_t b : replicas_)  // assignment order: Kafka prefers the earliest live ISR member
      if (b != broker && alive[b] && in_isr(b)) {
        next = b;
        break;
      }
    if (!next) {
      // Offline: the ISR stays as it was, so that only one of its members may lead again.
      leader_.reset();
      ++epoch_;
      c.leader_changed = true;
      return c;
    }
    c        = truncate(leo(*next));
    leader_  = next;
    ++epoch_;
    c.leader_changed = true;
    isr_.erase(std::remove_if(isr_.begin(), isr_.end(), [&](size_t b) { return b == broker || !alive[b]; }),
               isr_.end());
    c.hw_moved |= recompute_hw();
    return c;
  }
  // A follower: the ISR shrinks (unless the partition is offline and this was its last hope).
  if (in_isr(broker) && leader_) {
    isr_.erase(std::remove(isr_.begin(), isr_.end(), broker), isr_.end());
    c.hw_moved = recompute_hw();
  }
  return c;
}

PartitionLog::Change PartitionLog::broker_recovered(size_t broker, const std::vector<bool>& alive)
{
  Change c;
  if (!is_replica(broker) || leader_ || !in_isr(broker))
    return c;
  // The partition was offline and this broker was in its last ISR: it leads with what it kept.
  c       = truncate(leo(broker));
  leader_ = broker;
  ++epoch_;
  c.leader_changed = true;
  isr_.erase(std::remove_if(isr_.begin(), isr_.end(), [&](size_t b) { return b != broker && !alive[b]; }),
             isr_.end());
  c.hw_moved |= recompute_hw();
  return c;
}

void PartitionLog::expire(double cutoff)
{
  while (segments_.size() > 1 && segments_.front().newest < cutoff && segments_[1].first <= hw_) {
    segments_.pop_front();
    log_start_ = segments_.front().first;
  }
  forget_below(log_start_);
}

void PartitionLog::forget_below(uint64_t offset)
{
  offset = std::min(offset, end_);
  while (stored_from_ < offset && !records_.empty()) {
    records_.pop_front();
    ++stored_from_;
  }
}

uint64_t PartitionLog::first_appended_after(double cutoff) const
{
  auto it = std::upper_bound(records_.begin(), records_.end(), cutoff,
                             [](double t, const Record& r) { return t < r.appended; });
  return stored_from_ + static_cast<uint64_t>(it - records_.begin());
}

void PartitionLog::mark_acked(uint64_t from, uint64_t to)
{
  for (uint64_t o = std::max(from, stored_from_); o < std::min(to, end_); ++o)
    at(o).acked = true;
}

}  // namespace archsim::kafka
