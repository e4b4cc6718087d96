#pragma once
// Che's approximation of an LRU cache's hit ratio under the independent reference model: the
// characteristic time T solves sum_i (1 - e^(-p_i T)) = C, and the hit ratio is
// sum_i p_i (1 - e^(-p_i T)) (Che, Tung, Wang 2002; Fricker et al., ITC 2012). The reference
// that cache tests (KeyCache, redis, memcached) compare against.
#include <cmath>

#include "sim/core/popularity.h"

namespace archsim::test {

inline double che_hit_ratio(const Popularity& pop, double capacity_keys)
{
  uint64_t n     = pop.key_count();
  auto occupancy = [&](double t) {
    double s = 0;
    for (uint64_t i = 0; i < n; ++i)
      s += 1 - std::exp(-pop.probability(i) * t);
    return s;
  };
  double lo = 0, hi = 1;
  while (occupancy(hi) < capacity_keys)
    hi *= 2;
  for (int k = 0; k < 100; ++k) {
    double mid = (lo + hi) / 2;
    (occupancy(mid) < capacity_keys ? lo : hi) = mid;
  }
  double t = (lo + hi) / 2, hit = 0;
  for (uint64_t i = 0; i < n; ++i)
    hit += pop.probability(i) * (1 - std::exp(-pop.probability(i) * t));
  return hit;
}

}  // namespace archsim::test
