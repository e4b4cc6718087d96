#include "analysis/target_search.h"

#include <algorithm>
#include <cmath>

namespace archsim {

TargetSearch::TargetSearch(double low, double high, bool integer, double tolerance, size_t max_probes)
    : low_(low), high_(high), integer_(integer), tolerance_(tolerance), max_probes_(std::max<size_t>(max_probes, 2))
{
}

std::optional<double> TargetSearch::next() const
{
  if (probes_.empty())
    return low_;
  if (probes_.size() == 1)
    return high_;
  if (outcome() != Outcome::Searching || probes_.size() >= max_probes_)
    return std::nullopt;
  double mid = (meet_->value + miss_->value) / 2;
  if (integer_)
    mid = std::floor(mid);
  if (mid == meet_->value || mid == miss_->value)
    return std::nullopt;
  return mid;
}

void TargetSearch::record(const SearchProbe& probe)
{
  probes_.push_back(probe);
  if (probes_.size() == 1)
    return;
  if (probes_.size() == 2) {
    low_meets_ = probes_[0].met;
    if (probes_[0].met != probes_[1].met) {
      meet_ = probes_[0].met ? probes_[0] : probes_[1];
      miss_ = probes_[0].met ? probes_[1] : probes_[0];
    }
    return;
  }
  if (!meet_)
    return;
  (probe.met ? meet_ : miss_) = probe;
}

TargetSearch::Outcome TargetSearch::outcome() const
{
  if (probes_.size() < 2)
    return Outcome::Searching;
  if (!meet_)
    return probes_[0].met ? Outcome::AllMeet : Outcome::NoneMeet;
  double width = std::fabs(meet_->value - miss_->value);
  bool narrow  = width <= std::max(integer_ ? 1.0 : 0.0, tolerance_ * std::fabs(high_ - low_));
  return narrow || probes_.size() >= max_probes_ ? Outcome::Found : Outcome::Searching;
}

std::optional<SearchProbe> TargetSearch::best() const { return meet_; }
std::optional<SearchProbe> TargetSearch::nearest_miss() const { return miss_; }

}  // namespace archsim
