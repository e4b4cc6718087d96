// Probability distributions of durations, sizes and counts used by the models.
//
// A Distribution is an immutable value: models copy it freely. Every sample() takes exactly one
// Rng::uniform01() and maps it through the inverse CDF. That is what makes common random numbers
// work: two variants that differ only in a distribution's parameters still consume their
// streams in lock step, so their outputs are positively correlated and their difference has a
// small variance.
#pragma once

#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/core/rng.h"

namespace archsim {

class Distribution {
 public:
  enum class Kind { Constant, Exponential, Uniform, Lognormal, Normal, Empirical };

  static Distribution constant(double v);
  static Distribution exponential(double mean);  // mean > 0
  static Distribution uniform(double lo, double hi);  // lo <= hi
  // The lognormal with this mean and 99th percentile. Throws std::invalid_argument unless
  // mean < p99 <= exp(z99^2 / 2) * mean (about 14.96 * mean): no lognormal has a larger ratio.
  static Distribution lognormal_mean_p99(double mean, double p99);
  // N(mean, stddev) conditioned on X >= 0 (stddev > 0). mean and stddev are those of the
  // untruncated normal; mean() returns the (larger) mean after truncation.
  static Distribution normal_truncated(double mean, double stddev);
  // Piecewise-linear CDF through points (value, cumulative probability): values non-decreasing,
  // probabilities non-decreasing in [0,1], the last exactly 1. P(X = first value) = first
  // probability. Throws std::invalid_argument otherwise.
  static Distribution empirical(std::vector<std::pair<double, double>> cdf);
  // Bins (lo, hi, weight), sorted and non-overlapping, weights > 0; uniform within a bin.
  static Distribution histogram(const std::vector<std::tuple<double, double, double>>& bins);

  double sample(Rng& rng) const { return quantile(rng.uniform01()); }
  double mean() const;
  double quantile(double p) const;  // inverse CDF, p in [0,1]
  Kind kind() const { return kind_; }
  // E.g. "lognormal(mean=300us, p99=2ms)", with values printed by fmt_value.
  std::string describe(const std::function<std::string(double)>& fmt_value) const;

 private:
  explicit Distribution(Kind kind) : kind_(kind) {}

  Kind kind_;
  // Parameters as given by the user (for describe) and as used by quantile().
  double a_ = 0;  // constant: value; exponential: mean; uniform: lo; lognormal: mean; normal: mean
  double b_ = 0;  // uniform: hi; lognormal: p99; normal: stddev
  double mu_ = 0, sigma_ = 0;  // lognormal: log-space parameters
  std::vector<double> values_, probs_;  // empirical CDF points
};

}  // namespace archsim
