#include "sim/core/distribution.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/normal.hpp>

namespace archsim {

namespace {

const boost::math::normal_distribution<double> kStdNormal;
const double kZ99 = boost::math::quantile(kStdNormal, 0.99);
const double kInf = std::numeric_limits<double>::infinity();

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

bool finite(double x) { return std::isfinite(x); }

// The z with P(a <= Z <= z) = p * P(Z >= a), Z standard normal, 0 <= p < 1. Inverts through
// whichever tail is smaller, so neither a far-left nor a far-right truncation point loses digits.
double truncated_std_normal_quantile(double a, double p) {
  const double below_a = boost::math::cdf(kStdNormal, a);
  const double above_a = boost::math::cdf(boost::math::complement(kStdNormal, a));
  const double lower_mass = below_a + p * above_a;  // P(Z <= z)
  if (lower_mass < 0.5) return boost::math::quantile(kStdNormal, lower_mass);
  const double upper_mass = (1 - p) * above_a;  // P(Z > z)
  return boost::math::quantile(boost::math::complement(kStdNormal, upper_mass));
}

}  // namespace

Distribution Distribution::constant(double v) {
  require(finite(v), "constant: value must be finite");
  Distribution d(Kind::Constant);
  d.a_ = v;
  return d;
}

Distribution Distribution::exponential(double mean) {
  require(finite(mean) && mean > 0, "exponential: mean must be > 0");
  Distribution d(Kind::Exponential);
  d.a_ = mean;
  return d;
}

Distribution Distribution::uniform(double lo, double hi) {
  require(finite(lo) && finite(hi) && lo <= hi, "uniform: need finite lo <= hi");
  Distribution d(Kind::Uniform);
  d.a_ = lo;
  d.b_ = hi;
  return d;
}

Distribution Distribution::lognormal_mean_p99(double mean, double p99) {
  require(finite(mean) && mean > 0, "lognormal: mean must be > 0");
  require(finite(p99) && p99 > mean, "lognormal: p99 must be greater than the mean");
  // mean = exp(mu + s^2/2) and p99 = exp(mu + z s) give s^2 - 2 z s + 2 ln(p99/mean) = 0.
  const double r = std::log(p99 / mean);
  const double disc = kZ99 * kZ99 - 2 * r;
  require(disc >= 0, "lognormal: p99/mean = " + std::to_string(p99 / mean) +
                         " is too large; no lognormal has p99/mean above exp(z99^2/2) ~ 14.96");
  Distribution d(Kind::Lognormal);
  d.a_ = mean;
  d.b_ = p99;
  // The smaller root: the larger one (sigma > z99) puts the median far below the mean and most
  // of the mean in a tail beyond the p99, which is not what a user giving a p99 means.
  d.sigma_ = kZ99 - std::sqrt(disc);
  d.mu_ = std::log(mean) - d.sigma_ * d.sigma_ / 2;
  return d;
}

Distribution Distribution::normal_truncated(double mean, double stddev) {
  require(finite(mean) && finite(stddev) && stddev > 0, "normal: need finite mean and stddev > 0");
  // Beyond ~37 standard deviations below 0, P(X >= 0) underflows and the law is undefined.
  require(boost::math::cdf(boost::math::complement(kStdNormal, -mean / stddev)) > 1e-300,
          "normal: mean is too far below 0 for a normal truncated at 0");
  Distribution d(Kind::Normal);
  d.a_ = mean;
  d.b_ = stddev;
  return d;
}

Distribution Distribution::empirical(std::vector<std::pair<double, double>> cdf) {
  require(!cdf.empty(), "empirical: need at least one (value, probability) point");
  Distribution d(Kind::Empirical);
  for (size_t i = 0; i < cdf.size(); ++i) {
    const auto [v, p] = cdf[i];
    const std::string where = "empirical: point " + std::to_string(i) + ": ";
    require(finite(v), where + "value must be finite");
    require(p >= 0 && p <= 1, where + "probability must be in [0,1]");
    if (i > 0) {
      require(v >= d.values_.back(), where + "values must be non-decreasing");
      require(p >= d.probs_.back(), where + "probabilities must be non-decreasing");
    }
    d.values_.push_back(v);
    d.probs_.push_back(p);
  }
  require(d.probs_.back() == 1.0, "empirical: the last cumulative probability must be 1");
  return d;
}

Distribution Distribution::histogram(const std::vector<std::tuple<double, double, double>>& bins) {
  require(!bins.empty(), "histogram: need at least one bin");
  double total = 0;
  for (size_t i = 0; i < bins.size(); ++i) {
    const auto [lo, hi, w] = bins[i];
    const std::string where = "histogram: bin " + std::to_string(i) + ": ";
    require(finite(lo) && finite(hi) && lo <= hi, where + "need finite lo <= hi");
    require(finite(w) && w > 0, where + "weight must be > 0");
    require(i == 0 || lo >= std::get<1>(bins[i - 1]),
            where + "bins must be sorted and must not overlap");
    total += w;
  }
  std::vector<std::pair<double, double>> cdf = {{std::get<0>(bins[0]), 0.0}};
  double cum = 0;
  for (const auto& [lo, hi, w] : bins) {
    if (lo > cdf.back().first) cdf.emplace_back(lo, cum / total);  // a gap: no mass
    cum += w;
    cdf.emplace_back(hi, cum / total);
  }
  cdf.back().second = 1.0;  // not 0.9999999999999999 after rounding
  return empirical(std::move(cdf));
}

double Distribution::quantile(double p) const {
  if (!(p >= 0 && p <= 1)) throw std::invalid_argument("quantile: p must be in [0,1]");
  switch (kind_) {
    case Kind::Constant:
      return a_;
    case Kind::Exponential:
      return -a_ * std::log1p(-p);
    case Kind::Uniform:
      return a_ + p * (b_ - a_);
    case Kind::Lognormal:
      if (p == 0) return 0;
      if (p == 1) return kInf;
      return std::exp(mu_ + sigma_ * boost::math::quantile(kStdNormal, p));
    case Kind::Normal:
      if (p == 0) return 0;
      if (p == 1) return kInf;
      return std::max(0.0, a_ + b_ * truncated_std_normal_quantile(-a_ / b_, p));
    case Kind::Empirical: {
      // First point with probability >= p; then probs_[i-1] < p <= probs_[i], so the segment
      // (i-1, i) has positive mass and the interpolation divides by a positive number.
      const size_t i = std::lower_bound(probs_.begin(), probs_.end(), p) - probs_.begin();
      if (i == 0) return values_[0];
      const double t = (p - probs_[i - 1]) / (probs_[i] - probs_[i - 1]);
      return values_[i - 1] + t * (values_[i] - values_[i - 1]);
    }
  }
  return 0;  // unreachable
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::Constant:
    case Kind::Exponential:
    case Kind::Lognormal:
      return a_;
    case Kind::Uniform:
      return (a_ + b_) / 2;
    case Kind::Normal: {
      // E[X | X >= 0] = m + s * phi(a) / P(Z >= a), a = -m/s.
      const double a = -a_ / b_;
      return a_ + b_ * boost::math::pdf(kStdNormal, a) /
                      boost::math::cdf(boost::math::complement(kStdNormal, a));
    }
    case Kind::Empirical: {
      // Exact for the piecewise-linear CDF: the point mass, then each segment's midpoint.
      double m = probs_[0] * values_[0];
      for (size_t i = 1; i < values_.size(); ++i)
        m += (probs_[i] - probs_[i - 1]) * (values_[i - 1] + values_[i]) / 2;
      return m;
    }
  }
  return 0;  // unreachable
}

std::string Distribution::describe(const std::function<std::string(double)>& fmt_value) const {
  switch (kind_) {
    case Kind::Constant:
      return "constant(" + fmt_value(a_) + ")";
    case Kind::Exponential:
      return "exponential(mean=" + fmt_value(a_) + ")";
    case Kind::Uniform:
      return "uniform(" + fmt_value(a_) + ", " + fmt_value(b_) + ")";
    case Kind::Lognormal:
      return "lognormal(mean=" + fmt_value(a_) + ", p99=" + fmt_value(b_) + ")";
    case Kind::Normal:
      return "normal(mean=" + fmt_value(a_) + ", stddev=" + fmt_value(b_) + ", truncated at 0)";
    case Kind::Empirical:
      return "empirical(" + std::to_string(values_.size()) + " points, min=" +
             fmt_value(quantile(0)) + ", p50=" + fmt_value(quantile(0.5)) +
             ", max=" + fmt_value(quantile(1)) + ")";
  }
  return "";  // unreachable
}

}  // namespace archsim
