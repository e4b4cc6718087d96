// Target checks: met, missed, missing (never a silent pass), each operator at its boundary,
// and the checks written back into the RunResult.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "analysis/targets.h"
#include "fixture.h"

using namespace archsim;
using archsim::test::small_run_result;
using archsim::test::target;
using nlohmann::json;

namespace {
json with_targets(json targets)
{
  json r       = small_run_result();
  r["targets"] = std::move(targets);
  return r;
}
}  // namespace

TEST_CASE("a class latency target below its bound is met", "[targets]")
{
  auto checks = evaluate_targets(small_run_result());
  REQUIRE(checks.size() == 6);
  CHECK(checks[0].text == "redirect.latency.p99 < 50ms");
  CHECK(checks[0].met);
  CHECK_FALSE(checks[0].missing);
  CHECK(checks[0].measured == small_run_result()["classes"][0]["latency"]["p99"].get<double>());
  CHECK(checks[0].value == 0.05);
  CHECK(checks[0].unit == "duration");
}

TEST_CASE("class throughput and error ratio targets read throughput and error_ratio", "[targets]")
{
  auto checks = evaluate_targets(small_run_result());
  CHECK(checks[1].met);
  CHECK(checks[1].measured == Approx(9960));
  CHECK_FALSE(checks[2].met);  // 500 / 498500 is just above 0.1%
  CHECK_FALSE(checks[2].missing);
  CHECK(checks[2].measured == Approx(500.0 / 498500.0));
}

TEST_CASE("component targets read components[].metrics", "[targets]")
{
  auto checks = evaluate_targets(small_run_result());
  CHECK_FALSE(checks[3].met);
  CHECK(checks[3].measured == 0.853);
  CHECK(checks[5].met);
  CHECK(checks[5].measured == 1234);
}

TEST_CASE("a percentile of a class with no completed request is missing and missed", "[targets]")
{
  auto checks = evaluate_targets(small_run_result());
  CHECK(checks[4].missing);
  CHECK_FALSE(checks[4].met);
  CHECK(std::isnan(checks[4].measured));
  CHECK_FALSE(all_met({checks[4]}));
}

TEST_CASE("an error-ratio target with no finished request is missing, not a pass", "[targets]")
{
  auto checks = evaluate_targets(with_targets({target("batch.errors < 1%", "batch", true, "errors", "<", 0.01, "fraction")}));
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].missing);
  CHECK_FALSE(checks[0].met);
}

TEST_CASE("a subject or metric absent from the result is missing", "[targets]")
{
  auto checks = evaluate_targets(
      with_targets({target("ghost.throughput > 1/s", "ghost", true, "throughput", ">", 1, "rate"),
                    target("db.latency.p99 < 1s", "db", false, "latency.p99", "<", 1, "duration"),
                    target("cache.hit_ratio > 0.9", "cache", false, "hit_ratio", ">", 0.9, "fraction")}));
  REQUIRE(checks.size() == 3);
  for (const auto& c : checks) {
    CHECK(c.missing);
    CHECK_FALSE(c.met);
  }
}

TEST_CASE("each operator compares at its boundary", "[targets]")
{
  // app.queue_length is 4.2
  auto at = [](const std::string& op, double value) {
    auto r = with_targets({target("app.queue_length " + op, "app", false, "queue_length", op, value, "number")});
    return evaluate_targets(r).at(0).met;
  };
  CHECK_FALSE(at("<", 4.2));
  CHECK(at("<", 4.3));
  CHECK(at("<=", 4.2));
  CHECK_FALSE(at("<=", 4.1));
  CHECK_FALSE(at(">", 4.2));
  CHECK(at(">", 4.1));
  CHECK(at(">=", 4.2));
  CHECK_FALSE(at(">=", 4.3));
}

TEST_CASE("an unknown operator is an error", "[targets]")
{
  auto r = with_targets({target("app.utilisation == 1", "app", false, "utilisation", "==", 1, "fraction")});
  CHECK_THROWS_AS(evaluate_targets(r), std::invalid_argument);
}

TEST_CASE("all_met is true only when every target is met", "[targets]")
{
  CHECK(all_met({}));
  auto checks = evaluate_targets(small_run_result());
  CHECK_FALSE(all_met(checks));
  CHECK(all_met({checks[0], checks[1], checks[5]}));
}

TEST_CASE("record_target_checks writes met, measured and missing into the targets", "[targets]")
{
  json r      = small_run_result();
  auto checks = evaluate_targets(r);
  record_target_checks(r, checks);
  CHECK(r["targets"][0]["met"] == true);
  CHECK(r["targets"][0]["measured"].get<double>() == checks[0].measured);
  CHECK(r["targets"][0]["missing"] == false);
  CHECK(r["targets"][3]["met"] == false);
  CHECK(r["targets"][4]["met"] == false);
  CHECK(r["targets"][4]["measured"].is_null());
  CHECK(r["targets"][4]["missing"] == true);
  // and reads back the same after a round trip through text
  auto back = recorded_target_checks(json::parse(r.dump()));
  REQUIRE(back.size() == checks.size());
  for (size_t i = 0; i < back.size(); ++i) {
    CHECK(back[i].met == checks[i].met);
    CHECK(back[i].missing == checks[i].missing);
  }
}

TEST_CASE("record_target_checks rejects checks of another result", "[targets]")
{
  json r = small_run_result();
  CHECK_THROWS_AS(record_target_checks(r, {}), std::invalid_argument);
}
