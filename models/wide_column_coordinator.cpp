#include "models/wide_column_coordinator.h"

#include <algorithm>
#include <stdexcept>

namespace archsim {

Consistency parse_consistency(const std::string& text)
{
  if (text == "ONE")
    return Consistency::One;
  if (text == "QUORUM")
    return Consistency::Quorum;
  if (text == "ALL")
    return Consistency::All;
  throw std::invalid_argument("unknown consistency level '" + text + "'");
}

size_t required_acks(Consistency c, size_t rf)
{
  switch (c) {
    case Consistency::One:
      return std::min<size_t>(1, rf);
    case Consistency::Quorum:
      return rf / 2 + 1;
    case Consistency::All:
      return rf;
  }
  return rf;
}

namespace {
std::vector<size_t> live(const std::vector<size_t>& replicas, const std::vector<bool>& down)
{
  std::vector<size_t> out;
  for (size_t r : replicas)
    if (r >= down.size() || !down[r])
      out.push_back(r);
  return out;
}
}  // namespace

CoordinatorPlan plan_write(const std::vector<size_t>& replicas, const std::vector<bool>& down, Consistency c)
{
  CoordinatorPlan p;
  p.needed  = required_acks(c, replicas.size());
  p.contact = live(replicas, down);
  if (p.contact.size() < p.needed) {
    p.available = false;
    p.contact.clear();
    return p;
  }
  for (size_t r : replicas)
    if (r < down.size() && down[r])
      p.hinted.push_back(r);
  return p;
}

CoordinatorPlan plan_read(const std::vector<size_t>& replicas, const std::vector<bool>& down, Consistency c,
                          size_t coordinator)
{
  CoordinatorPlan p;
  p.needed                = required_acks(c, replicas.size());
  std::vector<size_t> up  = live(replicas, down);
  if (up.size() < p.needed) {
    p.available = false;
    return p;
  }
  auto self = std::find(up.begin(), up.end(), coordinator);
  if (self != up.end())
    std::rotate(up.begin(), self, self + 1);
  up.resize(p.needed);
  p.contact = up;
  return p;
}

std::vector<HintStore::Hint> HintStore::take(size_t target)
{
  auto it = hints_.find(target);
  if (it == hints_.end())
    return {};
  std::vector<Hint> out = std::move(it->second);
  hints_.erase(it);
  return out;
}

size_t HintStore::pending(size_t target) const
{
  auto it = hints_.find(target);
  return it == hints_.end() ? 0 : it->second.size();
}

}  // namespace archsim
