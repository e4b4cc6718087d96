#include "sim/graph/degree_law.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace archsim {

namespace {

// Truncated power law on [lo, hi] with density C x^-a (a > 1). g(x) = x^(1-a) is decreasing.
double g(double x, double a) { return std::pow(x, 1 - a); }

// Integral of x^(1-a) over [lo, hi]: x^(2-a)/(2-a), or log at a == 2.
double first_moment_integral(double lo, double hi, double a)
{
  if (std::fabs(2 - a) < 1e-9)
    return std::log(hi / lo);
  return (std::pow(hi, 2 - a) - std::pow(lo, 2 - a)) / (2 - a);
}

double norm(double lo, double hi, double a) { return (a - 1) / (g(lo, a) - g(hi, a)); }

double seg_mean(double lo, double hi, double a)
{
  if (hi <= lo)
    return lo;
  return norm(lo, hi, a) * first_moment_integral(lo, hi, a);
}

double seg_tail(double x, double lo, double hi, double a)
{
  if (x <= lo)
    return 1;
  if (x >= hi)
    return 0;
  return (g(x, a) - g(hi, a)) / (g(lo, a) - g(hi, a));
}

double seg_value_at_tail(double q, double lo, double hi, double a)
{
  if (hi <= lo)
    return lo;
  const double v = std::pow(g(hi, a) + q * (g(lo, a) - g(hi, a)), 1 / (1 - a));
  return std::clamp(v, lo, hi);
}

// Solves lo in (0, hi) so that the segment's mean is `target` (the mean grows with lo, from 0
// as lo -> 0 to hi as lo -> hi). Bisection in log space: 200 halvings are exact to rounding.
double solve_lower(double target, double hi, double a)
{
  double lo_log = std::log(1e-12), hi_log = std::log(hi);
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo_log + hi_log);
    if (seg_mean(std::exp(mid), hi, a) < target)
      lo_log = mid;
    else
      hi_log = mid;
  }
  return std::exp(0.5 * (lo_log + hi_log));
}

std::string num(double x) { return fmt::format("{:.6g}", x); }

}  // namespace

DegreeLaw DegreeLaw::make(const DegreeLawConfig& c, double upper_bound, const std::optional<TailSplit>& split)
{
  DegreeLaw law;
  if (c.kind == DegreeLawConfig::Kind::Zipf) {
    if (!(c.exponent > 0.1 && c.exponent < 10))
      throw std::invalid_argument("zipf exponent s must be in (0.1, 10), got " + num(c.exponent));
    law.alpha_ = 1 + 1 / c.exponent;
  } else {
    if (!(c.exponent > 1 && c.exponent <= 10))
      throw std::invalid_argument("power-law exponent alpha must be in (1, 10], got " + num(c.exponent));
    law.alpha_ = c.exponent;
  }
  const double a = law.alpha_;
  double hi = upper_bound;
  if (c.max > 0)
    hi = std::min(hi, c.max);
  if (!(hi >= 1))
    throw std::invalid_argument("the largest count must be at least 1, got " + num(hi));
  if (c.mean <= 0 && c.min <= 0)
    throw std::invalid_argument("give a mean (> 0) or a min (> 0)");

  // Segments: [threshold, hi] holding `share` of the population, [lo, threshold - 1] the rest.
  // Counts are floored from the continuous values, so threshold - 1 keeps the lower part
  // strictly below the threshold.
  double top_share = 0, top_mean = 0, bottom_hi = hi;
  if (split) {
    const double t = split->threshold;
    if (!(split->share >= 0 && split->share < 1))
      throw std::invalid_argument("the share above the threshold must be in [0, 1), got " + num(split->share));
    if (split->share > 0 && t > hi)
      throw std::invalid_argument(fmt::format("the threshold {} is above the largest possible count {}", num(t), num(hi)));
    if (!(t >= 2))
      throw std::invalid_argument("the threshold must be at least 2, got " + num(t));
    bottom_hi = std::min(hi, t - 1);
    if (split->share > 0) {
      top_share = split->share;
      top_mean = seg_mean(t, hi, a);
      law.segs_.push_back({t, hi, top_share, 0});
    }
  }
  double lo;
  if (c.mean > 0) {
    const double bottom_target = (c.mean - top_share * top_mean) / (1 - top_share);
    if (!(bottom_target > 0))
      throw std::invalid_argument(fmt::format(
          "a mean of {} is too small: the share above the threshold alone brings {}", num(c.mean), num(top_share * top_mean)));
    if (!(bottom_target < bottom_hi * (1 - 1e-9)))
      throw std::invalid_argument(fmt::format("a mean of {} needs counts above the largest allowed ({})", num(c.mean),
                                              num(split ? bottom_hi : hi)));
    lo = solve_lower(bottom_target, bottom_hi, a);
  } else {
    lo = c.min;
    if (!(lo < bottom_hi))
      throw std::invalid_argument(fmt::format("min {} must be below the largest count {}", num(lo), num(bottom_hi)));
  }
  law.segs_.push_back({lo, bottom_hi, 1 - top_share, top_share});
  return law;
}

const DegreeLaw::Segment& DegreeLaw::segment_of_tail(double q) const
{
  for (const auto& s : segs_)
    if (q < s.q0 + s.weight)
      return s;
  return segs_.back();
}

double DegreeLaw::value_at_tail(double q) const
{
  const Segment& s = segment_of_tail(q);
  const double local = std::clamp((q - s.q0) / s.weight, 0.0, 1.0);
  return seg_value_at_tail(local, s.lo, s.hi, alpha_);
}

double DegreeLaw::tail_share(double x) const
{
  for (const auto& s : segs_)
    if (x >= s.lo)
      return s.q0 + s.weight * seg_tail(x, s.lo, s.hi, alpha_);
  return 1;
}

double DegreeLaw::mean() const
{
  double m = 0;
  for (const auto& s : segs_)
    m += s.weight * seg_mean(s.lo, s.hi, alpha_);
  return m;
}

double DegreeLaw::partial_mean_above(double x) const
{
  double m = 0;
  for (const auto& s : segs_) {
    const double from = std::max(x, s.lo);
    if (from < s.hi)
      m += s.weight * norm(s.lo, s.hi, alpha_) * first_moment_integral(from, s.hi, alpha_);
  }
  return m;
}

double DegreeLaw::size_biased_tail(double u) const
{
  // Pick a segment in proportion to the mass of edges it holds, then a value within it from the
  // density ~ x^(1-alpha) by inversion, reusing what is left of u.
  const double total = mean();
  double acc = 0;
  const Segment* chosen = &segs_.back();
  double local_u = u;
  for (const auto& s : segs_) {
    const double mass = s.weight * seg_mean(s.lo, s.hi, alpha_) / total;
    if (u < acc + mass || &s == &segs_.back()) {
      chosen = &s;
      local_u = std::clamp((u - acc) / mass, 1e-300, 1.0);
      break;
    }
    acc += mass;
  }
  const double lo = chosen->lo, hi = chosen->hi, a = alpha_;
  double x;
  if (std::fabs(2 - a) < 1e-9)
    x = lo * std::pow(hi / lo, local_u);
  else
    x = std::pow(std::pow(lo, 2 - a) + local_u * (std::pow(hi, 2 - a) - std::pow(lo, 2 - a)), 1 / (2 - a));
  x = std::clamp(x, lo, hi);
  return chosen->q0 + chosen->weight * seg_tail(x, lo, hi, a);
}

std::string DegreeLaw::describe() const
{
  std::string s = fmt::format("power_law(alpha={}, {}..{}", num(alpha_), num(lower()), num(upper()));
  if (segs_.size() > 1)
    s += fmt::format(", {} of the population at or above {}", num(segs_.front().weight), num(segs_.front().lo));
  return s + ")";
}

}  // namespace archsim
