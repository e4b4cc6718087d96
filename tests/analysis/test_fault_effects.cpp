// Fault effects read from a result's time series: baseline, during, recovery time.
#include <catch2/catch.hpp>

#include "analysis/fault_effects.h"

using namespace archsim;
using json = nlohmann::json;

namespace {

// 15 one-second windows, warm-up 2 s; a fault from 5 s to 7 s; p99 stays high for two windows
// after it (a queue draining), and is back from t = 9 s.
json result_with_fault(double ended)
{
  json p99 = json::array(), thr = json::array(), err = json::array(), t = json::array();
  for (int k = 0; k < 15; ++k) {
    t.push_back(k);
    bool during = k >= 5 && k < 7;
    bool drain  = k >= 7 && k < 9;
    p99.push_back(during ? 0.5 : drain ? 0.05 : 0.01);
    thr.push_back(during ? 20.0 : 100.0);
    err.push_back(during ? 80.0 : 0.0);
  }
  json r;
  r["run"]        = {{"duration", 15}, {"warmup", 2}};
  r["timeseries"] = {{"window", 1}, {"t", t}, {"classes", {{"req", {{"p99", p99}, {"throughput", thr}, {"errors", err}}}}}};
  r["faults"]     = json::array({{{"text", "crash db at 5s for 2s"}, {"began", 5}, {"ended", ended}}});
  return r;
}

}  // namespace

TEST_CASE("fault effects: baseline and during levels come from the windows before and inside the fault")
{
  auto e = fault_effects(result_with_fault(7));
  REQUIRE(e.size() == 1);
  REQUIRE(e[0].classes.size() == 1);
  const auto& c = e[0].classes[0];
  CHECK(c.throughput_before == Approx(100));
  CHECK(c.throughput_during == Approx(20));
  CHECK(c.errors_during == Approx(80));
  CHECK(*c.p99_before == Approx(0.01));
  CHECK(*c.p99_during == Approx(0.5));
}

TEST_CASE("fault effects: recovery counts from the fault's end to the first of three good windows")
{
  auto e = fault_effects(result_with_fault(7));
  REQUIRE(e[0].classes[0].recovery_s);
  CHECK(*e[0].classes[0].recovery_s == Approx(2));
}

TEST_CASE("fault effects: a fault that never ended has no recovery time")
{
  auto e = fault_effects(result_with_fault(-1));
  CHECK(!e[0].classes[0].recovery_s);
}

TEST_CASE("data loss lines list the non-zero loss and duplicate counters of components")
{
  json r;
  r["components"] = json::array({{{"name", "cache"}, {"metrics", {{"writes_lost", 50}, {"hits", 3}}}},
                                 {{"name", "group"}, {"metrics", {{"duplicates", 0}}}}});
  auto lines = data_loss_lines(r);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "cache.writes_lost = 50");
}

TEST_CASE("the fault effect table has a row per fault and class, with the recovery time")
{
  auto t = fault_effect_table(result_with_fault(7));
  REQUIRE(t.rows.size() == 1);
  CHECK(t.rows[0][0] == "crash db at 5s for 2s");
  CHECK(t.rows[0][1] == "req");
  CHECK(t.rows[0].back() == "2s");
}
