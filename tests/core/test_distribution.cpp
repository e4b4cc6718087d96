#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "sim/core/distribution.h"

using archsim::Distribution;
using archsim::Rng;

namespace {

const int kSamples = 100000;

double sample_mean(const Distribution& d, uint64_t seed) {
  Rng rng(seed);
  double sum = 0;
  for (int i = 0; i < kSamples; ++i) sum += d.sample(rng);
  return sum / kSamples;
}

// The sample mean of 10^5 draws lies within 5 standard errors (stddev / sqrt(10^5)) of the true
// mean; with a fixed seed the test is deterministic, and 5 SE would fail by chance with
// probability < 1e-6 for a fresh seed. `stddev` may be an upper bound on the true stddev.
// mean() is compared to 1e-6 relative, as hand-computed means below have 7 significant digits.
void check_mean(const Distribution& d, double expected_mean, double stddev) {
  const double tolerance = 5 * stddev / std::sqrt(double(kSamples));
  CHECK(sample_mean(d, 17) == Approx(expected_mean).margin(tolerance));
  CHECK(d.mean() == Approx(expected_mean).epsilon(1e-6));
}

std::string us(double v) { return std::to_string(static_cast<long>(std::lround(v))) + "us"; }

}  // namespace

TEST_CASE("Distribution: constant always returns its value") {
  const auto d = Distribution::constant(3.5);
  Rng rng(1);
  for (int i = 0; i < 100; ++i) REQUIRE(d.sample(rng) == 3.5);
  CHECK(d.mean() == 3.5);
  CHECK(d.kind() == Distribution::Kind::Constant);
}

TEST_CASE("Distribution: exponential sample mean matches") {
  check_mean(Distribution::exponential(2.0), 2.0, 2.0);  // stddev = mean
  CHECK(Distribution::exponential(2.0).quantile(0.5) == Approx(2.0 * std::log(2.0)));
}

TEST_CASE("Distribution: uniform sample mean matches") {
  check_mean(Distribution::uniform(1.0, 3.0), 2.0, 2.0 / std::sqrt(12.0));
}

TEST_CASE("Distribution: lognormal sample mean matches the requested mean") {
  const auto d = Distribution::lognormal_mean_p99(300, 2000);
  // sigma from the same equations, solved independently: s = z - sqrt(z^2 - 2 ln(p99/mean)).
  const double z = boost::math::quantile(boost::math::normal(), 0.99);
  const double s = z - std::sqrt(z * z - 2 * std::log(2000.0 / 300.0));
  check_mean(d, 300, 300 * std::sqrt(std::exp(s * s) - 1));
}

TEST_CASE("Distribution: lognormal's p99 is the requested p99") {
  const auto d = Distribution::lognormal_mean_p99(300, 2000);
  CHECK(d.quantile(0.99) == Approx(2000).epsilon(1e-9));
  Rng rng(3);
  int below = 0;
  for (int i = 0; i < kSamples; ++i) below += d.sample(rng) <= 2000;
  // Binomial: stddev of the share is sqrt(0.99 * 0.01 / 10^5) = 3.15e-4; allow 5 of them.
  CHECK(below / double(kSamples) == Approx(0.99).margin(5 * 3.15e-4));
}

TEST_CASE("Distribution: lognormal rejects impossible (mean, p99) pairs") {
  using Catch::Contains;
  REQUIRE_THROWS_AS(Distribution::lognormal_mean_p99(300, 300), std::invalid_argument);
  REQUIRE_THROWS_WITH(Distribution::lognormal_mean_p99(300, 200), Contains("greater than the mean"));
  REQUIRE_THROWS_WITH(Distribution::lognormal_mean_p99(1, 15), Contains("14.96"));
  REQUIRE_THROWS_AS(Distribution::lognormal_mean_p99(0, 1), std::invalid_argument);
  // Just inside the limit exp(z99^2/2) = 14.9613... is still a valid lognormal.
  CHECK(Distribution::lognormal_mean_p99(1, 14.96).quantile(0.99) == Approx(14.96));
}

TEST_CASE("Distribution: truncated normal has the truncated mean and no negative values") {
  // mean 1, stddev 1: E[X | X >= 0] = 1 + phi(1) / Phi(1) = 1 + 0.241971 / 0.841345 = 1.287600.
  // Truncation only shrinks the stddev, so 1 is an upper bound for the tolerance.
  const auto d = Distribution::normal_truncated(1.0, 1.0);
  check_mean(d, 1.287600, 1.0);
  CHECK(d.mean() == Approx(1.287600).epsilon(1e-6));
  Rng rng(4);
  for (int i = 0; i < 10000; ++i) REQUIRE(d.sample(rng) >= 0);
  CHECK(d.quantile(0) == 0);
}

TEST_CASE("Distribution: truncated normal far above 0 is the plain normal") {
  const auto far = Distribution::normal_truncated(100, 10);
  CHECK(far.mean() == Approx(100).epsilon(1e-12));
  CHECK(far.quantile(0.5) == Approx(100).epsilon(1e-12));
  CHECK(far.quantile(0.975) == Approx(100 + 10 * 1.959964).epsilon(1e-6));
}

TEST_CASE("Distribution: truncated normal with its mean below 0 still works") {
  // mean -3, stddev 1: E = -3 + phi(3) / (1 - Phi(3)) = -3 + 0.004431848 / 0.001349898 = 0.2830987.
  const auto low = Distribution::normal_truncated(-3, 1);
  check_mean(low, 0.2830987, 1.0);
  REQUIRE_THROWS_AS(Distribution::normal_truncated(1, 0), std::invalid_argument);
}

TEST_CASE("Distribution: empirical quantiles interpolate and honour the point mass") {
  const auto d = Distribution::empirical({{1, 0.2}, {2, 0.5}, {4, 1.0}});
  CHECK(d.quantile(0.0) == 1);
  CHECK(d.quantile(0.1) == 1);  // P(X = 1) = 0.2
  CHECK(d.quantile(0.2) == 1);
  CHECK(d.quantile(0.35) == Approx(1.5));
  CHECK(d.quantile(0.5) == Approx(2));
  CHECK(d.quantile(0.75) == Approx(3));
  CHECK(d.quantile(1.0) == 4);
  // Mean: 0.2 * 1 + 0.3 * 1.5 + 0.5 * 3 = 2.15; the stddev is at most half the range, 1.5.
  check_mean(d, 2.15, 1.5);
}

TEST_CASE("Distribution: empirical with a vertical step has a point mass inside") {
  const auto d = Distribution::empirical({{0, 0}, {1, 0.5}, {1, 0.8}, {2, 1}});
  CHECK(d.quantile(0.25) == Approx(0.5));
  CHECK(d.quantile(0.6) == 1);
  CHECK(d.quantile(0.8) == 1);
  CHECK(d.quantile(0.9) == Approx(1.5));
}

TEST_CASE("Distribution: empirical rejects malformed CDFs") {
  using Catch::Contains;
  REQUIRE_THROWS_AS(Distribution::empirical({}), std::invalid_argument);
  REQUIRE_THROWS_WITH(Distribution::empirical({{2, 0.5}, {1, 1}}), Contains("values must be non-decreasing"));
  REQUIRE_THROWS_WITH(Distribution::empirical({{1, 0.5}, {2, 0.4}, {3, 1}}),
                      Contains("probabilities must be non-decreasing"));
  REQUIRE_THROWS_WITH(Distribution::empirical({{1, 0.5}, {2, 0.9}}), Contains("must be 1"));
  REQUIRE_THROWS_WITH(Distribution::empirical({{1, -0.1}, {2, 1}}), Contains("[0,1]"));
}

TEST_CASE("Distribution: histogram becomes a CDF uniform within bins, gaps have no mass") {
  const auto d = Distribution::histogram({{0, 1, 1}, {2, 4, 3}});
  CHECK(d.kind() == Distribution::Kind::Empirical);
  CHECK(d.quantile(0.125) == Approx(0.5));
  CHECK(d.quantile(0.25) == Approx(1));
  CHECK(d.quantile(0.5) == Approx(2 + 2.0 / 3));
  CHECK(d.mean() == Approx(0.25 * 0.5 + 0.75 * 3));
  REQUIRE_THROWS_AS(Distribution::histogram({{0, 1, 0}}), std::invalid_argument);
  REQUIRE_THROWS_WITH(Distribution::histogram({{0, 2, 1}, {1, 3, 1}}), Catch::Contains("overlap"));
}

TEST_CASE("Distribution: invalid parameters of the simple kinds throw") {
  REQUIRE_THROWS_AS(Distribution::exponential(0), std::invalid_argument);
  REQUIRE_THROWS_AS(Distribution::uniform(2, 1), std::invalid_argument);
  REQUIRE_THROWS_AS(Distribution::exponential(1).quantile(1.5), std::invalid_argument);
}

TEST_CASE("Distribution: sample() consumes exactly one uniform (common random numbers)") {
  const std::vector<Distribution> all = {
      Distribution::constant(1), Distribution::exponential(1), Distribution::uniform(0, 1),
      Distribution::lognormal_mean_p99(1, 5), Distribution::normal_truncated(1, 1),
      Distribution::empirical({{0, 0}, {1, 1}})};
  for (const auto& d : all) {
    Rng a(8), b(8);
    const double u = b.uniform01();
    CHECK(d.sample(a) == d.quantile(u));
    CHECK(a.next_u64() == b.next_u64());
  }
}

TEST_CASE("Distribution: describe names the kind and its parameters") {
  CHECK(Distribution::lognormal_mean_p99(300, 2000).describe(us) ==
        "lognormal(mean=300us, p99=2000us)");
  CHECK(Distribution::exponential(5).describe(us) == "exponential(mean=5us)");
  CHECK(Distribution::uniform(1, 5).describe(us) == "uniform(1us, 5us)");
  CHECK(Distribution::empirical({{1, 0.2}, {2, 0.5}, {4, 1.0}}).describe(us) ==
        "empirical(3 points, min=1us, p50=2us, max=4us)");
}
