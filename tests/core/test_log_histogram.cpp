#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/log_histogram.h"
#include "sim/core/rng.h"

using archsim::LogHistogram;
using archsim::Rng;

namespace {

// Exponential latencies with a 1 ms mean, in seconds.
std::vector<double> exponential_samples(uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<double> xs(n);
  for (double& x : xs) x = -1e-3 * std::log(rng.uniform01());
  return xs;
}

}  // namespace

TEST_CASE("LogHistogram: quantiles are within the relative error of the sample quantiles") {
  const int n = 100000;
  const double e = 0.005;
  std::vector<double> xs = exponential_samples(1, n);
  LogHistogram h(e);
  for (double x : xs) h.add(x);
  std::sort(xs.begin(), xs.end());
  // Both sides use the nearest rank ceil(q n) of the same samples, so there is no sampling
  // noise: the only error is the bucket's, at most e (times 1 + 1e-9 for rounding in log()).
  for (double q : {0.0001, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const double exact = xs[static_cast<size_t>(std::ceil(q * n)) - 1];
    INFO("q = " << q);
    CHECK(std::fabs(h.quantile(q) - exact) <= e * (1 + 1e-9) * exact);
  }
}

TEST_CASE("LogHistogram: min, max, sum and count are exact") {
  LogHistogram h;
  for (double x : {0.00123456789, 42.0, 0.5, 7.25}) h.add(x);
  h.add(3.0, 4);
  CHECK(h.count() == 8);
  CHECK(h.min() == 0.00123456789);
  CHECK(h.max() == 42.0);
  CHECK(h.sum() == 0.00123456789 + 42.0 + 0.5 + 7.25 + 12.0);
  CHECK(h.mean() == h.sum() / 8);
  CHECK(h.quantile(0) == 0.00123456789);  // rank 1 is the minimum
  CHECK(h.quantile(1) == 42.0);
}

TEST_CASE("LogHistogram: nearest rank does not round 0.99 * 100 up to rank 100") {
  LogHistogram h;
  for (int i = 1; i <= 100; ++i) h.add(i * 1e-3);
  CHECK(h.quantile(0.99) == Approx(99e-3).epsilon(0.005));
  CHECK(h.quantile(0.99) < 100e-3);
}

TEST_CASE("LogHistogram: values outside 1ns..1e6s keep exact min and max") {
  LogHistogram h;
  h.add(0.0);
  h.add(1e9);
  h.add(1e-12);
  CHECK(h.min() == 0.0);
  CHECK(h.max() == 1e9);
  CHECK(h.buckets().size() == 2);  // 0 and 1e-12 share the first bucket
  CHECK(h.quantile(0.5) == Approx(1e-9).epsilon(0.01));
  REQUIRE_THROWS_AS(h.add(-1.0), std::invalid_argument);
  REQUIRE_THROWS_AS(h.add(std::nan("")), std::invalid_argument);
}

TEST_CASE("LogHistogram: empty histogram has NaN statistics") {
  LogHistogram h;
  CHECK(h.count() == 0);
  CHECK(std::isnan(h.quantile(0.5)));
  CHECK(std::isnan(h.mean()));
  CHECK(h.buckets().empty());
}

TEST_CASE("LogHistogram: merge equals adding everything to one histogram") {
  const std::vector<double> a = exponential_samples(2, 5000);
  const std::vector<double> b = exponential_samples(3, 7000);
  LogHistogram ha, hb, all;
  for (double x : a) ha.add(x), all.add(x);
  for (double x : b) hb.add(x), all.add(x);
  ha.merge(hb);
  CHECK(ha.count() == all.count());
  CHECK(ha.buckets() == all.buckets());
  CHECK(ha.min() == all.min());
  CHECK(ha.max() == all.max());
  CHECK(ha.sum() == Approx(all.sum()).epsilon(1e-12));  // addition order differs
  for (double q : {0.1, 0.5, 0.99}) CHECK(ha.quantile(q) == all.quantile(q));
}

TEST_CASE("LogHistogram: merge requires the same relative error") {
  LogHistogram a(0.01), b(0.005);
  b.add(1.0);
  REQUIRE_THROWS_AS(a.merge(b), std::invalid_argument);
}

TEST_CASE("LogHistogram: a range growing downwards and upwards keeps every count") {
  LogHistogram h;
  for (double v = 1.0; v > 1e-8; v /= 1.5) h.add(v);
  for (double v = 1.0; v < 1e5; v *= 1.5) h.add(v);
  uint64_t total = 0;
  for (const auto& [lower, n] : h.buckets()) total += n;
  CHECK(total == h.count());
  const auto bs = h.buckets();
  CHECK(std::is_sorted(bs.begin(), bs.end()));
}

TEST_CASE("LogHistogram: JSON round trip preserves everything") {
  LogHistogram h(0.01);
  for (double x : exponential_samples(4, 1000)) h.add(x);
  const nlohmann::json j = h.to_json();
  CHECK(j.at("buckets").size() == h.buckets().size());
  const LogHistogram back = LogHistogram::from_json(nlohmann::json::parse(j.dump()));
  CHECK(back.to_json() == j);
  CHECK(back.sum() == h.sum());
  CHECK(back.quantile(0.9) == h.quantile(0.9));

  const LogHistogram empty = LogHistogram::from_json(LogHistogram().to_json());
  CHECK(empty.count() == 0);
}

TEST_CASE("LogHistogram: from_json rejects inconsistent input") {
  nlohmann::json j = LogHistogram().to_json();
  j["count"] = 3;
  REQUIRE_THROWS_AS(LogHistogram::from_json(j), std::invalid_argument);
  REQUIRE_THROWS_AS(LogHistogram::from_json(nlohmann::json{{"count", 1}}), std::invalid_argument);
}

TEST_CASE("LogHistogram: fraction_above at bucket resolution") {
  LogHistogram h;  // relative error 0.005
  for (int i = 1; i <= 1000; ++i) h.add(i * 1e-3);
  // Only the values sharing v's bucket can be misplaced: (v/gamma, v*gamma] with
  // gamma = 1.01005 holds at most 10 of these 1000 values, so the error is <= 0.01.
  CHECK(h.fraction_above(0.5) == Approx(0.5).margin(0.01));
  CHECK(h.fraction_above(0.0) == 1.0);
  CHECK(h.fraction_above(1.0) == 0.0);
}
