#include "analysis/svg_axis.h"

#include <algorithm>
#include <cmath>

namespace archsim::svg {

namespace {

// A step of m x 10^e, m in {1, 2, 5}; k steps computed as k*m/10^-e so that 3 x 0.2 is 0.6
// and not 0.6000000000000001.
struct Step {
  double m;
  int e;
  double at(double k) const { return e < 0 ? k * m / std::pow(10.0, -e) : k * m * std::pow(10.0, e); }
  double size() const { return at(1); }
};

// The 1, 2 or 5 x 10^k at or above `raw`.
Step nice_step(double raw)
{
  int e = static_cast<int>(std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (Step{m, e}.size() >= raw * (1 - 1e-9))
      return {m, e};
  return {1.0, e + 1};
}

}  // namespace

std::string escape_xml(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t' || ch == '\n')
          out += ch;
    }
  }
  return out;
}

std::vector<double> linear_ticks(double lo, double hi, int target)
{
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
    return {lo};
  Step step    = nice_step((hi - lo) / std::max(1, target));
  double first = std::floor(lo / step.size() + 1e-9);
  double last  = std::ceil(hi / step.size() - 1e-9);
  std::vector<double> ticks;
  for (double k = first; k <= last; ++k)
    ticks.push_back(k == 0 ? 0.0 : step.at(k));
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi)
{
  if (!(lo > 0) || !(hi >= lo) || !std::isfinite(hi))
    return {1.0};
  int e_lo = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
  int e_hi = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
  if (e_hi == e_lo)
    ++e_hi;
  std::vector<double> candidates;
  bool fine  = e_hi - e_lo < 3;
  int stride = std::max(1, (e_hi - e_lo + 7) / 8);  // at most about 8 decade ticks
  for (int e = e_lo; e <= e_hi; ++e) {
    double decade = std::pow(10.0, e);
    if (fine) {
      for (double m : {1.0, 2.0, 5.0})
        candidates.push_back(m * decade);
    } else if ((e - e_lo) % stride == 0 || e == e_hi) {
      candidates.push_back(decade);
    }
  }
  // Keep the last candidate <= lo, everything inside, and the first candidate >= hi.
  std::vector<double> ticks;
  for (size_t i = 0; i < candidates.size(); ++i) {
    double c    = candidates[i];
    bool before = i + 1 < candidates.size() && candidates[i + 1] <= lo * (1 + 1e-9);
    bool after  = i > 0 && candidates[i - 1] >= hi * (1 - 1e-9);
    if (!before && !after)
      ticks.push_back(c);
  }
  return ticks;
}

AxisMap::AxisMap(Scale scale, double lo, double hi, double px_from, double px_to)
    : scale_(scale), lo_(lo), hi_(hi), px_from_(px_from), px_to_(px_to)
{
  if (!std::isfinite(lo_) || !std::isfinite(hi_)) {
    lo_ = scale_ == Scale::Log ? 1 : 0;
    hi_ = lo_ + 1;
  }
  if (hi_ < lo_)
    std::swap(lo_, hi_);
  if (scale_ == Scale::Log) {
    if (hi_ <= 0)
      hi_ = 1;
    if (lo_ <= 0)
      lo_ = hi_ / 10;
    if (lo_ == hi_) {
      lo_ /= 2;
      hi_ *= 2;
    }
    ticks_ = log_ticks(lo_, hi_);
  } else {
    if (lo_ == hi_) {
      double pad = lo_ == 0 ? 1 : std::fabs(lo_) * 0.5;
      lo_        = lo_ >= 0 && lo_ - pad < 0 ? 0 : lo_ - pad;
      hi_ += pad;
    }
    ticks_ = linear_ticks(lo_, hi_);
  }
  lo_ = ticks_.front();
  hi_ = ticks_.back();
}

double AxisMap::f(double v) const { return scale_ == Scale::Log ? std::log10(v) : v; }

double AxisMap::to_px(double v) const
{
  if (scale_ == Scale::Log && !(v > 0))
    return px_from_;
  return px_from_ + (f(v) - f(lo_)) / (f(hi_) - f(lo_)) * (px_to_ - px_from_);
}

bool AxisMap::contains(double v) const
{
  if (!std::isfinite(v) || (scale_ == Scale::Log && v <= 0))
    return false;
  double slack = (hi_ - lo_) * 1e-9;
  return v >= lo_ - slack && v <= hi_ + slack;
}

std::string tick_label(double v, Unit unit) { return v == 0 ? "0" : format_quantity(v, unit); }

}  // namespace archsim::svg
