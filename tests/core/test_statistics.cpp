#include <catch2/catch.hpp>

#include <cmath>

#include "sim/core/statistics.h"

using archsim::mean_ci;

// Hand computation for {1, 2, 3, 4, 5}: mean 3, sample stddev sqrt(10/4) = 1.5811388,
// standard error 1.5811388 / sqrt(5) = 0.70710678; t(0.975, 4 df) = 2.7764451 and
// t(0.95, 4 df) = 2.1318468 (standard t tables).

TEST_CASE("mean_ci: 95% interval of a small sample") {
  const auto ci = mean_ci({1, 2, 3, 4, 5});
  CHECK(ci.n == 5);
  CHECK(ci.mean == Approx(3.0));
  CHECK(ci.half_width == Approx(2.7764451 * 0.70710678).epsilon(1e-7));  // 1.9632432
  CHECK(ci.lo() == Approx(3 - 1.9632432).epsilon(1e-7));
  CHECK(ci.hi() == Approx(3 + 1.9632432).epsilon(1e-7));
  CHECK(ci.contains(4.9));
  CHECK_FALSE(ci.contains(5.0));
}

TEST_CASE("mean_ci: 90% interval is narrower") {
  const auto ci = mean_ci({1, 2, 3, 4, 5}, 0.90);
  CHECK(ci.half_width == Approx(2.1318468 * 0.70710678).epsilon(1e-7));  // 1.5074436
}

TEST_CASE("mean_ci: large, close values lose no precision") {
  const auto ci = mean_ci({1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4, 1e9 + 5});
  CHECK(ci.mean == 1e9 + 3);
  CHECK(ci.half_width == Approx(1.9632432).epsilon(1e-7));
}

TEST_CASE("mean_ci: fewer than two values give an infinite half width") {
  const auto one = mean_ci({7.0});
  CHECK(one.mean == 7.0);
  CHECK(std::isinf(one.half_width));
  CHECK(one.contains(1e300));
  const auto none = mean_ci({});
  CHECK(none.n == 0);
  CHECK(std::isnan(none.mean));
  REQUIRE_THROWS_AS(mean_ci({1, 2}, 1.0), std::invalid_argument);
}
