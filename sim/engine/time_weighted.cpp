#include "sim/engine/time_weighted.h"

#include <algorithm>
#include <cmath>

namespace archsim {

void TimeWeighted::advance(double now)
{
  if (now <= last_)
    return;
  if (value_ != 0) {
    double from = last_;
    while (from < now) {
      auto idx      = static_cast<size_t>(std::floor(from / window_ + 1e-12));
      double wend   = (static_cast<double>(idx) + 1) * window_;
      double to     = std::min(now, wend);
      if (window_area_.size() <= idx)
        window_area_.resize(idx + 1, 0.0);
      window_area_[idx] += value_ * (to - from);
      from = to;
    }
    double m_from = std::max(last_, warmup_);
    if (now > m_from)
      measured_area_ += value_ * (now - m_from);
  }
  last_ = now;
}

std::vector<double> TimeWeighted::window_means(double end) const
{
  auto n = static_cast<size_t>(std::ceil(end / window_ - 1e-9));
  std::vector<double> out(n, 0.0);
  for (size_t k = 0; k < n && k < window_area_.size(); ++k) {
    double len = std::min(window_, end - static_cast<double>(k) * window_);
    out[k]     = len > 0 ? window_area_[k] / len : 0;
  }
  return out;
}

}  // namespace archsim
