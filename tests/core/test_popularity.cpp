#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "sim/core/popularity.h"

using archsim::Popularity;
using archsim::Rng;

namespace {

// A share estimated from n Bernoulli draws has stddev sqrt(p(1-p)/n); with a fixed seed the
// checks are deterministic, and 5 stddevs would fail by chance with probability < 1e-6.
double binomial_tolerance(double p, int n) { return 5 * std::sqrt(p * (1 - p) / n); }

// Chi-square of rank counts over log-spaced bins [0,1), [1,2), [2,4), ..., [512,1000).
double chi_square_log_bins(const Popularity& pop, int draws, uint64_t seed) {
  std::vector<uint64_t> edges = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, pop.key_count()};
  std::vector<int> observed(edges.size() - 1, 0);
  Rng rng(seed);
  for (int i = 0; i < draws; ++i) {
    const uint64_t r = pop.sample(rng);
    size_t b = 0;
    while (r >= edges[b + 1]) ++b;
    ++observed[b];
  }
  double chi2 = 0;
  for (size_t b = 0; b + 1 < edges.size(); ++b) {
    double p = 0;
    for (uint64_t r = edges[b]; r < edges[b + 1]; ++r) p += pop.probability(r);
    const double expected = p * draws;
    chi2 += (observed[b] - expected) * (observed[b] - expected) / expected;
  }
  return chi2;
}

}  // namespace

TEST_CASE("zipf(1000, 1): frequencies of ranks 0..4 match the exact probabilities") {
  const auto pop = Popularity::zipf(1000, 1.0);
  const int n = 1000000;
  std::vector<int> counts(5, 0);
  Rng rng(11);
  for (int i = 0; i < n; ++i) {
    const uint64_t r = pop.sample(rng);
    REQUIRE(r < 1000);
    if (r < 5) ++counts[r];
  }
  const double h1000 = 7.485470860550345;  // H(1000) = sum 1/k, k = 1..1000
  for (int r = 0; r < 5; ++r) {
    const double p = 1.0 / (r + 1) / h1000;
    CHECK(pop.probability(r) == Approx(p).epsilon(1e-12));
    CHECK(counts[r] / double(n) == Approx(p).margin(binomial_tolerance(p, n)));
  }
}

TEST_CASE("zipf: whole distribution fits for s = 0.8, 1.0 and 1.2 (chi-square)") {
  // 11 log-spaced bins, 10 degrees of freedom; the 0.999 quantile of chi-square(10) is 29.59.
  for (double s : {0.8, 1.0, 1.2}) {
    INFO("s = " << s);
    CHECK(chi_square_log_bins(Popularity::zipf(1000, s), 200000, 12) < 29.59);
  }
}

TEST_CASE("zipf: probabilities sum to 1") {
  for (double s : {0.8, 1.0, 1.2}) {
    const auto pop = Popularity::zipf(1000, s);
    double total = 0;
    for (uint64_t r = 0; r < 1000; ++r) total += pop.probability(r);
    CHECK(total == Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("zipf_normalizer: Euler-Maclaurin agrees with the direct sum") {
  for (double s : {0.5, 0.8, 1.0, 1.2, 2.0}) {
    for (uint64_t n : {10001ULL, 1000000ULL}) {
      double direct = 0;
      for (uint64_t k = n; k >= 1; --k) direct += std::pow(double(k), -s);
      INFO("s = " << s << ", n = " << n);
      CHECK(archsim::zipf_normalizer(n, s) == Approx(direct).epsilon(1e-12));
    }
  }
}

TEST_CASE("zipf over 10^10 keys: ranks in range, head and tail frequencies match") {
  const uint64_t n = 10000000000ULL;
  const auto pop = Popularity::zipf(n, 1.0);
  // H(10^10) = ln(10^10) + gamma + 1/(2 10^10) - ... = 23.603066594892
  CHECK(pop.probability(0) == Approx(1 / 23.603066594892).epsilon(1e-10));
  // P(rank >= 10^9) = 1 - H(10^9) / H(10^10).
  const double p_tail = 1 - archsim::zipf_normalizer(1000000000ULL, 1.0) / 23.603066594892;
  const int draws = 1000000;
  int zeros = 0, tail = 0;
  Rng rng(13);
  for (int i = 0; i < draws; ++i) {
    const uint64_t r = pop.sample(rng);
    REQUIRE(r < n);
    zeros += r == 0;
    tail += r >= 1000000000ULL;
  }
  CHECK(zeros / double(draws) == Approx(pop.probability(0)).margin(binomial_tolerance(pop.probability(0), draws)));
  CHECK(tail / double(draws) == Approx(p_tail).margin(binomial_tolerance(p_tail, draws)));
}

TEST_CASE("hot_set: traffic share goes to the key share") {
  const auto pop = Popularity::hot_set(1000, 0.8, 0.2);
  CHECK(pop.probability(0) == Approx(0.8 / 200));
  CHECK(pop.probability(199) == Approx(0.8 / 200));
  CHECK(pop.probability(200) == Approx(0.2 / 800));
  const int n = 100000;
  int hot = 0;
  Rng rng(14);
  for (int i = 0; i < n; ++i) {
    const uint64_t r = pop.sample(rng);
    REQUIRE(r < 1000);
    hot += r < 200;
  }
  CHECK(hot / double(n) == Approx(0.8).margin(binomial_tolerance(0.8, n)));
}

TEST_CASE("hot_set: the hot key count is exact for a large key space") {
  // 0.2 * 10^10 is 2000000000.0000002 in floating point; it must still be 2 * 10^9 hot keys.
  const auto pop = Popularity::hot_set(10000000000ULL, 0.9, 0.2);
  CHECK(pop.probability(1999999999ULL) == Approx(0.9 / 2e9));
  CHECK(pop.probability(2000000000ULL) == Approx(0.1 / 8e9));
}

TEST_CASE("uniform popularity: ranks in range with probability 1/n") {
  const auto pop = Popularity::uniform(10);
  Rng rng(15);
  for (int i = 0; i < 1000; ++i) REQUIRE(pop.sample(rng) < 10);
  CHECK(pop.probability(3) == Approx(0.1));
  CHECK(pop.probability(10) == 0);
  CHECK(pop.key_count() == 10);
}

TEST_CASE("Popularity: invalid parameters throw") {
  REQUIRE_THROWS_AS(Popularity::zipf(1000, 0.0), std::invalid_argument);
  REQUIRE_THROWS_AS(Popularity::zipf(0, 1.0), std::invalid_argument);
  REQUIRE_THROWS_AS(Popularity::uniform(0), std::invalid_argument);
  REQUIRE_THROWS_AS(Popularity::hot_set(1000, 1.5, 0.2), std::invalid_argument);
  REQUIRE_THROWS_AS(Popularity::hot_set(10, 0.8, 0.95), std::invalid_argument);  // all 10 hot
}

TEST_CASE("Popularity: describe") {
  CHECK(Popularity::zipf(1000, 0.8).describe() == "zipf(1000 keys, s=0.8)");
  CHECK(Popularity::uniform(5).describe() == "uniform(5 keys)");
  CHECK(Popularity::hot_set(1000, 0.8, 0.2).describe() ==
        "hot_set(1000 keys, 80% of traffic to 200 keys = 20%)");
}
