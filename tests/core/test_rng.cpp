#include <catch2/catch.hpp>

#include <array>
#include <set>

#include "sim/core/rng.h"

using archsim::Rng;

TEST_CASE("Rng: the same seed gives the same sequence") {
  Rng a(12345), b(12345);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next_u64() == b.next_u64());
}

TEST_CASE("Rng: output is pinned (xoshiro256** seeded by splitmix64)") {
  // Reference values computed by an independent Python implementation; any change here breaks
  // the reproducibility of every saved result.
  Rng r(42);
  CHECK(r.next_u64() == 0x15780b2e0c2ec716ULL);
  CHECK(r.next_u64() == 0x6104d9866d113a7eULL);
  CHECK(r.next_u64() == 0xae17533239e499a1ULL);
}

TEST_CASE("stream_seed: value is pinned across versions") {
  CHECK(archsim::stream_seed(1, "redis", "service_time") == 0x1cff7069c80b6625ULL);
}

TEST_CASE("stream_seed: different (component, purpose) give different streams") {
  std::set<uint64_t> seeds = {
      archsim::stream_seed(7, "redis", "service_time"),
      archsim::stream_seed(7, "redis", "arrivals"),
      archsim::stream_seed(7, "db", "service_time"),
      // The '\0' separator keeps these two apart.
      archsim::stream_seed(7, "ab", "c"),
      archsim::stream_seed(7, "a", "bc"),
      archsim::stream_seed(8, "redis", "service_time"),
  };
  CHECK(seeds.size() == 6);

  Rng a = archsim::make_stream(7, "redis", "service_time");
  Rng b = archsim::make_stream(7, "redis", "arrivals");
  int equal = 0;
  for (int i = 0; i < 100; ++i) equal += a.next_u64() == b.next_u64();
  CHECK(equal == 0);
}

TEST_CASE("Rng::below: results are in range, including for huge n") {
  Rng r(1);
  CHECK(r.below(1) == 0);
  const uint64_t huge = 3ULL << 62;  // not a power of two: exercises the rejection branch
  for (int i = 0; i < 10000; ++i) {
    REQUIRE(r.below(7) < 7);
    REQUIRE(r.below(huge) < huge);
  }
}

TEST_CASE("Rng::below: roughly uniform (chi-square, 10 bins)") {
  Rng r(2024);
  const int n = 100000;
  std::array<int, 10> counts{};
  for (int i = 0; i < n; ++i) ++counts[r.below(10)];
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / 10.0) * (c - n / 10.0) / (n / 10.0);
  // 9 degrees of freedom; the 0.999 quantile of chi-square(9) is 27.88.
  CHECK(chi2 < 27.88);
}

TEST_CASE("Rng::uniform01: strictly inside (0,1) with mean 1/2") {
  Rng r(99);
  const int n = 1000000;
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform01();
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  // Standard error of the mean is sqrt(1/12 / n) = 2.9e-4; allow 5 standard errors.
  CHECK(sum / n == Approx(0.5).margin(5 * 2.9e-4));
}
