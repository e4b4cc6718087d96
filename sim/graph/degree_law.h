#pragma once
// Heavy-tailed laws of counts (followers per user, pages per domain), by their quantiles.
//
// A DegreeLaw is a continuous power law truncated to [lower, upper] (density ~ x^-alpha),
// optionally spliced at a threshold so that a chosen share of the population lies above it
// ("0.01% of users are celebrities with more than 100K followers"): the part below and the part
// above are each a truncated power law with the same exponent, weighted by the shares. Zipf's
// rank law (the k-th largest is ~ k^-s) is the same tail written by rank: alpha = 1 + 1/s.
//
// It is used by quantile (value_at_tail), not by sampling: the graphs deal the law's quantiles
// out over a seeded permutation of the ids (stratified sampling), so the empirical distribution
// matches the law without sampling noise, the celebrity count is exactly share x population, and
// a user's count is a pure function of its id. What it abstracts away: real degree
// distributions bend away from a pure power law at the low end (most users have a few
// followers); `lower` and the mean set where the law starts, and below it nothing is modelled.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace archsim {

struct DegreeLawConfig {
  enum class Kind { PowerLaw, Zipf };
  Kind kind = Kind::PowerLaw;
  // power_law: the density exponent alpha (P(k) ~ k^-alpha), in (1, 10].
  // zipf: the rank exponent s (the k-th largest ~ k^-s), in (0.1, 10); alpha = 1 + 1/s.
  double exponent = 2.2;
  double mean = 100;  // the mean count; 0 = start the law at `min` instead
  double min = 0;     // used only when mean == 0: where the law starts (> 0)
  double max = 0;     // largest count; 0 = the largest possible (e.g. users - 1)
};

// "A share of the population lies at or above the threshold". share in [0, 1).
struct TailSplit {
  double threshold = 0;
  double share = 0;
};

class DegreeLaw {
 public:
  // `upper_bound` caps the law (followers of one user <= users - 1); config.max may lower it.
  // Throws std::invalid_argument with a readable message when the parameters cannot be met
  // (e.g. a mean that needs more than upper_bound, a threshold above the upper bound).
  static DegreeLaw make(const DegreeLawConfig& config, double upper_bound,
                        const std::optional<TailSplit>& split = std::nullopt);

  // The value x with P(X > x) = q, for q in (0, 1): q near 0 gives the largest values.
  double value_at_tail(double q) const;
  double tail_share(double x) const;          // P(X > x)
  double mean() const;
  double partial_mean_above(double x) const;  // E[X; X > x]
  // Draws a value with probability proportional to value x density (the law seen from an edge:
  // "which account does a new follow go to") from one uniform u in (0,1), and returns its tail
  // share q, so that the caller maps it to a rank q x population.
  double size_biased_tail(double u) const;

  double alpha() const { return alpha_; }
  double lower() const { return segs_.back().lo; }
  double upper() const { return segs_.front().hi; }
  std::string describe() const;  // "power_law(alpha=2.2, 6.7..999999)"

 private:
  struct Segment {
    double lo, hi;
    double weight;  // share of the population in this segment
    double q0;      // tail share above the segment
  };
  const Segment& segment_of_tail(double q) const;

  double alpha_ = 2;
  std::vector<Segment> segs_;  // from the top (largest values) down
};

}  // namespace archsim
