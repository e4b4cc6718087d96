// Which key a request touches: popularity laws over ranks 0..n-1, rank 0 the most popular.
//
// Caches, shards and hot keys only behave realistically when keys are drawn from a skewed law,
// and key spaces are large (10^10 short URLs), so nothing here stores anything per key: Zipf is
// sampled in O(1) by rejection-inversion and its normalising constant is computed once. Ranks
// are not key ids: the models scatter ranks over the key space (e.g. by hashing) themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/core/rng.h"

namespace archsim {

// P(rank k) proportional to 1/(k+1)^s, k in [0,n). Rejection-inversion of Hörmann & Derflinger
// (1996), "Rejection-inversion to generate variates from monotone discrete distributions", as in
// Apache Commons RNG: O(1) expected time and memory, valid for any s > 0 including s == 1.
// It draws a variable number of uniforms (about 1 on average).
class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double s);  // n >= 1, s > 0
  uint64_t sample(Rng& rng) const;

 private:
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  double n_, s_;
  double h_integral_x1_, h_integral_n_, threshold_;
};

// H(n, s) = sum_{k=1..n} k^-s: a direct sum up to n = 10^4, beyond that the first 999 terms
// plus an Euler-Maclaurin tail (truncation error below 1e-20 relative).
double zipf_normalizer(uint64_t n, double s);

class Popularity {
 public:
  static Popularity uniform(uint64_t n);
  static Popularity zipf(uint64_t n, double s);
  // traffic_share of the requests go uniformly to the first ceil(key_share * n) keys, the rest
  // uniformly to the others. Both shares in [0,1]; both sets must be non-empty unless the
  // other set gets no traffic.
  static Popularity hot_set(uint64_t n, double traffic_share, double key_share);

  uint64_t sample(Rng& rng) const;  // a rank in [0, n)
  uint64_t key_count() const { return n_; }
  double probability(uint64_t rank) const;
  std::string describe() const;

 private:
  enum class Kind { Uniform, Zipf, HotSet };
  Popularity(Kind kind, uint64_t n) : kind_(kind), n_(n) {}

  Kind kind_;
  uint64_t n_;
  double s_ = 0;                       // zipf
  double normalizer_ = 1;              // zipf: H(n, s)
  std::optional<ZipfSampler> zipf_;    // zipf
  double traffic_share_ = 0, key_share_ = 0;  // hot_set
  uint64_t hot_keys_ = 0;              // hot_set: ceil(key_share * n)
};

}  // namespace archsim
