#include "models/batch_plan.h"

#include <algorithm>
#include <cmath>

#include "sim/core/hash_ring.h"

namespace archsim {

std::vector<double> partition_shares(const Popularity* keys, size_t partitions, uint64_t exact_ranks)
{
  partitions = std::max<size_t>(partitions, 1);
  std::vector<double> shares(partitions, 0.0);
  if (!keys) {
    std::fill(shares.begin(), shares.end(), 1.0 / static_cast<double>(partitions));
    return shares;
  }
  uint64_t n    = std::min(keys->key_count(), exact_ranks);
  double placed = 0;
  for (uint64_t rank = 0; rank < n; ++rank) {
    double p = keys->probability(rank);
    shares[mix64(rank) % partitions] += p;
    placed += p;
  }
  double tail = std::max(0.0, 1.0 - placed) / static_cast<double>(partitions);
  for (auto& s : shares)
    s += tail;
  return shares;
}

BatchPlan plan_batch(double input_bytes, double split_bytes, std::vector<double> reduce_shares)
{
  BatchPlan plan;
  auto splits = static_cast<size_t>(std::max(1.0, std::ceil(input_bytes / split_bytes - 1e-9)));
  for (size_t i = 0; i < splits; ++i)
    plan.map_bytes.push_back(std::min(split_bytes, std::max(0.0, input_bytes - static_cast<double>(i) * split_bytes)));
  plan.reduce_share = std::move(reduce_shares);
  return plan;
}

BatchRun::BatchRun(const BatchPlan& plan, size_t executors)
    : plan_(plan), map_output_on_(plan.map_bytes.size(), -1), map_input_on_(executors, 0.0)
{
  for (size_t i = 0; i < plan_.map_bytes.size(); ++i)
    maps_.push_back(i);
  for (size_t j = 0; j < plan_.reduce_share.size(); ++j)
    reduces_.push_back(j);
}

std::optional<BatchTask> BatchRun::next(size_t executor)
{
  BatchTask t;
  if (!maps_.empty()) {
    t.stage = BatchTask::Stage::Map;
    t.index = maps_.front();
    maps_.pop_front();
  } else if (in_reduce_stage() && !reduces_.empty()) {
    t.stage = BatchTask::Stage::Reduce;
    t.index = reduces_.front();
    reduces_.pop_front();
  } else {
    return std::nullopt;
  }
  t.attempt = next_attempt_++;
  running_.emplace(t.attempt, Running{t, executor});
  return t;
}

bool BatchRun::finish(const BatchTask& task, size_t executor)
{
  auto it = running_.find(task.attempt);
  if (it == running_.end() || it->second.executor != executor)
    return false;
  running_.erase(it);
  if (task.stage == BatchTask::Stage::Map) {
    map_output_on_[task.index] = static_cast<int>(executor);
    map_input_on_[executor] += plan_.map_bytes[task.index];
    ++maps_done_;
  } else {
    ++reduces_done_;
  }
  return true;
}

size_t BatchRun::executor_lost(size_t executor)
{
  // Back to the head of their queues in hand-out order, whatever the hash order.
  std::vector<BatchTask> lost;
  for (auto it = running_.begin(); it != running_.end();) {
    if (it->second.executor != executor) {
      ++it;
      continue;
    }
    lost.push_back(it->second.task);
    it = running_.erase(it);
  }
  std::sort(lost.begin(), lost.end(), [](const BatchTask& a, const BatchTask& b) { return a.attempt > b.attempt; });
  for (const BatchTask& t : lost) {
    if (t.stage == BatchTask::Stage::Map)
      maps_.push_front(t.index);
    else
      reduces_.push_front(t.index);
  }
  size_t again = lost.size();
  // Map outputs are only needed until the last reduce has fetched them.
  if (reduces_done_ < plan_.reduce_share.size())
    for (size_t i = 0; i < map_output_on_.size(); ++i)
      if (map_output_on_[i] == static_cast<int>(executor)) {
        map_output_on_[i] = -1;
        maps_.push_back(i);
        --maps_done_;
        ++again;
      }
  map_input_on_[executor] = 0;
  return again;
}

}  // namespace archsim
