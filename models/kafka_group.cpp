#include "models/kafka_group.h"

#include <algorithm>

namespace archsim::kafka {

std::vector<std::pair<size_t, std::vector<size_t>>> assign(size_t partitions, std::vector<size_t> members,
                                                           Assignment strategy)
{
  std::sort(members.begin(), members.end());
  std::vector<std::pair<size_t, std::vector<size_t>>> out;
  for (size_t m : members)
    out.emplace_back(m, std::vector<size_t>{});
  if (members.empty())
    return out;
  size_t n = members.size();
  if (strategy == Assignment::RoundRobin) {
    for (size_t p = 0; p < partitions; ++p)
      out[p % n].second.push_back(p);
    return out;
  }
  size_t per = partitions / n, extra = partitions % n, p = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < per + (i < extra ? 1 : 0); ++k)
      out[i].second.push_back(p++);
  return out;
}

GroupOffsets::GroupOffsets(size_t partitions)
    : committed_(partitions, 0), position_(partitions, 0), processed_end_(partitions, 0)
{
}

uint64_t GroupOffsets::reset(size_t p, uint64_t offset)
{
  uint64_t skipped = offset > position_[p] ? offset - position_[p] : 0;
  position_[p]     = offset;
  return skipped;
}

bool GroupOffsets::processed(size_t p, uint64_t offset)
{
  position_[p] = offset + 1;
  if (offset < processed_end_[p])
    return true;
  processed_end_[p] = offset + 1;
  return false;
}

int64_t GroupOffsets::commit(size_t p)
{
  auto moved    = static_cast<int64_t>(position_[p]) - static_cast<int64_t>(committed_[p]);
  committed_[p] = position_[p];
  return moved;
}

bool OrderCheck::out_of_order(size_t partition, uint16_t producer, uint64_t sequence)
{
  auto [it, fresh] = last_.try_emplace({partition, producer}, sequence);
  if (fresh)
    return false;
  if (sequence < it->second)
    return true;
  it->second = sequence;
  return false;
}

}  // namespace archsim::kafka
