// Bisection for --until-target, driven by a known boundary.
#include <catch2/catch.hpp>

#include "analysis/target_search.h"

using namespace archsim;

namespace {
// Runs the search against "meets when value <= boundary" (a load) or ">= boundary" (a count).
TargetSearch run(double low, double high, bool integer, double boundary, bool load)
{
  TargetSearch s(low, high, integer, 0.01, 30);
  while (auto v = s.next()) {
    bool met = load ? *v <= boundary : *v >= boundary;
    s.record({*v, met, met ? "" : "x.latency.p99 < 5ms: 7 ms"});
  }
  return s;
}
}  // namespace

TEST_CASE("target search: a load finds the largest value that meets, within the tolerance")
{
  auto s = run(1000, 64000, false, 41234, true);
  REQUIRE(s.outcome() == TargetSearch::Outcome::Found);
  CHECK(s.wants_largest());
  CHECK(s.best()->value <= 41234);
  CHECK(s.best()->value > 41234 - 0.01 * 63000);
  CHECK(s.nearest_miss()->value > 41234);
}

TEST_CASE("target search: a count finds the smallest whole value that meets")
{
  auto s = run(1, 64, true, 13, false);
  REQUIRE(s.outcome() == TargetSearch::Outcome::Found);
  CHECK(!s.wants_largest());
  CHECK(s.best()->value == 13);
  CHECK(s.nearest_miss()->value == 12);
}

TEST_CASE("target search: ends that both meet or both miss stop after two probes and say so")
{
  auto all = run(1, 10, false, 100, true);
  CHECK(all.outcome() == TargetSearch::Outcome::AllMeet);
  CHECK(all.probes().size() == 2);
  auto none = run(1, 10, false, 0, true);
  CHECK(none.outcome() == TargetSearch::Outcome::NoneMeet);
  CHECK(none.sentence("w.rate", [](double v) { return std::to_string(static_cast<int>(v)); }).find("neither end") == 0);
}

TEST_CASE("target search: the sentence names the answer and the nearest miss")
{
  auto s = run(1, 64, true, 13, false);
  auto text = s.sentence("components.app.replicas", [](double v) { return std::to_string(static_cast<int>(v)); });
  CHECK(text == "smallest components.app.replicas meeting all targets: 13; 12 misses (x.latency.p99 < 5ms: 7 ms)");
}
