#include "sim/core/statistics.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>

namespace archsim {

MeanCi mean_ci(const std::vector<double>& xs, double confidence) {
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("mean_ci: confidence must be in (0,1)");
  const size_t n = xs.size();
  MeanCi ci{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), n};
  if (n == 0) return ci;
  double sum = 0;
  for (double x : xs) sum += x;
  ci.mean = sum / static_cast<double>(n);
  if (n < 2) return ci;
  // Two-pass variance: no cancellation when the values are large and close together.
  double squares = 0;
  for (double x : xs) squares += (x - ci.mean) * (x - ci.mean);
  const double stddev = std::sqrt(squares / static_cast<double>(n - 1));
  const boost::math::students_t t_dist(static_cast<double>(n - 1));
  const double t = boost::math::quantile(t_dist, 1 - (1 - confidence) / 2);
  ci.half_width = t * stddev / std::sqrt(static_cast<double>(n));
  return ci;
}

}  // namespace archsim
