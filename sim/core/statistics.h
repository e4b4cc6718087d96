// Confidence intervals over independent replications.
//
// A single simulation run gives one draw of each output (p99, throughput ...); its variance is
// only seen across replications with different seeds. mean_ci turns R replication outputs into
// a mean and a Student-t confidence interval, which is what reports print and what validation
// tests check analytic values against.
#pragma once

#include <cstddef>
#include <vector>

namespace archsim {

struct MeanCi {
  double mean;
  double half_width;  // infinity when fewer than 2 values: one run says nothing about spread
  size_t n;

  double lo() const { return mean - half_width; }
  double hi() const { return mean + half_width; }
  bool contains(double x) const { return lo() <= x && x <= hi(); }
};

// Mean and two-sided Student-t interval at `confidence` (in (0,1)) of the mean of xs, assumed
// independent and roughly normal (true of means over a run by the central limit theorem).
// An empty xs gives mean NaN.
MeanCi mean_ci(const std::vector<double>& xs, double confidence = 0.95);

}  // namespace archsim
