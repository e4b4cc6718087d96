// Experiments (compare, sweep): plans and their jobs' command lines, sweep values, and what
// the summaries conclude from hand-made results (paired differences, verdicts, the knee).
#include <catch2/catch.hpp>

#include "analysis/compare_summary.h"
#include "analysis/experiment_plan.h"
#include "analysis/sweep_summary.h"
#include "analysis/sweep_values.h"

using namespace archsim;
using nlohmann::json;

namespace {

// A minimal result: one class "q" with a p99 and throughput, one component "db" with a
// utilisation per replica, and a p99 target.
json result(double p99, double throughput, double offered, double db_util, double p99_bound = 0.050)
{
  return {{"schema", "archsim.run/1"},
          {"classes",
           json::array({{{"name", "q"},
                         {"offered_rate", offered},
                         {"throughput", throughput},
                         {"ok", 100},
                         {"errors", 0},
                         {"error_ratio", 0.0},
                         {"latency", {{"p50", p99 / 2}, {"p99", p99}, {"p999", p99 * 1.2}}}}})},
          {"components",
           json::array({{{"name", "db"},
                         {"metrics", {{"utilisation", db_util}}},
                         {"per_replica", {{"utilisation", json::array({db_util, db_util / 2})}}}}})},
          {"targets", json::array({{{"text", "q.latency.p99 < 50ms"},
                                    {"subject", "q"},
                                    {"is_class", true},
                                    {"metric", "latency.p99"},
                                    {"op", "<"},
                                    {"value", p99_bound},
                                    {"unit", "duration"}}})}};
}

const CompareRow& row(const CompareSummary& s, const std::string& subject, const std::string& metric)
{
  for (const auto& r : s.rows)
    if (r.subject == subject && r.metric == metric)
      return r;
  FAIL("no row " << subject << "." << metric);
  return s.rows.front();
}

}  // namespace

TEST_CASE("a compare plan runs the base and each variant with the same seeds per replication")
{
  ExperimentPlan p = compare_plan("s.yaml", {"a", "b"}, 3, 42);
  REQUIRE(p.jobs.size() == 9);
  CHECK(p.groups[0].label == "base");
  CHECK(p.jobs[0].seed == 42);  // replication 0 reproduces `archsim run --seed 42`
  for (size_t r = 0; r < 3; ++r) {
    CHECK(p.jobs[r].seed == p.jobs[3 + r].seed);
    CHECK(p.jobs[r].seed == p.jobs[6 + r].seed);
  }
  CHECK(p.jobs[1].seed != p.jobs[2].seed);
}

TEST_CASE("a job's command line carries its variant, overrides, seed and folder")
{
  ExperimentPlan p = compare_plan("s.yaml", {"no_cache"}, 2, 7);
  p.duration       = "10s";
  p.sets           = {{"workload.q.rate", "100/s"}};
  p.faults         = {"{at: 5s, crash: db}"};
  auto argv        = job_argv(p, p.jobs[3], "/bin/archsim", "out/x");
  CHECK(shell_command(argv) ==
        "/bin/archsim run s.yaml --variant no_cache --set workload.q.rate=100/s --fault '{at: 5s, crash: db}' --seed " +
            std::to_string(p.jobs[3].seed) + " --duration 10s --out out/x/jobs/no_cache.r1 --quiet --missed-ok");
  CHECK(shell_command({"a b", "it's"}) == "'a b' 'it'\\''s'");
}

TEST_CASE("a plan survives a round trip through plan.json")
{
  ExperimentPlan p = sweep_plan("s.yaml", {{"workload.q.rate", {"1/s", "2/s"}}}, {{1, 2}}, 2, 5);
  p.warmup         = "1s";
  p.faults         = {"{at: 1s, pause: app, for: 1s}"};
  ExperimentPlan q = plan_from_json(plan_to_json(p));
  CHECK(plan_to_json(q) == plan_to_json(p));
  CHECK_THROWS_WITH(plan_from_json(json{{"schema", "x"}}), Catch::Contains("not an experiment plan"));
}

TEST_CASE("sweep values: lists, geometric and arithmetic ranges keep the unit of the first value")
{
  std::string err;
  auto g = parse_sweep_param("workload.q.rate=1000/s..8000/s:x2", err);
  REQUIRE(g);
  CHECK(g->axis.values == std::vector<std::string>{"1000/s", "2000/s", "4000/s", "8000/s"});
  auto a = parse_sweep_param("components.db.replicas=2..8:+3", err);
  REQUIRE(a);
  CHECK(a->numbers == std::vector<double>{2, 5, 8});
  auto l = parse_sweep_param("x.y=1ms,5ms", err);
  REQUIRE(l);
  CHECK(l->axis.values == std::vector<std::string>{"1ms", "5ms"});
}

TEST_CASE("sweep values: malformed forms are errors that show the expected forms")
{
  std::string err;
  CHECK_FALSE(parse_sweep_param("x.y", err));
  CHECK_THAT(err, Catch::Contains("PATH=A,B,C"));
  CHECK_FALSE(parse_sweep_param("x.y=8..2:x2", err));
  CHECK_FALSE(parse_sweep_param("x.y=1..8:x1", err));
  CHECK_FALSE(parse_sweep_param("x.y=1ms..8s:x2", err));
  CHECK_THAT(err, Catch::Contains("same unit"));
  CHECK_FALSE(parse_sweep_param("x.y=1..1e9:+1", err));
  CHECK_THAT(err, Catch::Contains("at most"));
}

TEST_CASE("compare: a variant that is slower in every paired replication is significantly slower")
{
  ExperimentPlan p = compare_plan("s.yaml", {"slow", "same"}, 3, 1);
  std::vector<std::optional<json>> results;
  const double base[3] = {0.010, 0.020, 0.015};  // a lot of spread between replications...
  for (size_t g = 0; g < 3; ++g)
    for (size_t r = 0; r < 3; ++r)  // ...but "slow" is always 1 ms slower than its pair
      results.push_back(result(base[r] + (g == 1 ? 0.001 : 0.0), 100, 100, 0.5));
  CompareSummary s = summarize_compare(p, results);
  const CompareRow& p99 = row(s, "q", "latency.p99");
  REQUIRE(p99.cells.size() == 3);
  CHECK(p99.cells[1].diff->mean == Approx(0.001));
  CHECK(p99.cells[1].significant);
  // The means' intervals overlap widely: only pairing sees the difference.
  CHECK(p99.cells[1].value->lo() < p99.cells[0].value->hi());
  CHECK_FALSE(p99.cells[2].significant);
  CHECK(s.missing_jobs.empty());
}

TEST_CASE("compare: targets are met by a group only when every replication meets them")
{
  ExperimentPlan p = compare_plan("s.yaml", {"v"}, 2, 1);
  std::vector<std::optional<json>> results{result(0.040, 1, 1, 0.1), result(0.045, 1, 1, 0.1),
                                           result(0.040, 1, 1, 0.1), result(0.060, 1, 1, 0.1)};
  CompareSummary s = summarize_compare(p, results);
  REQUIRE(s.targets.size() == 1);
  CHECK(s.targets[0].met == std::vector<size_t>{2, 1});
  auto lines = verdict_lines(s);
  CHECK(lines[0] == "q.latency.p99 < 50ms: met by base; met in some runs only by v (1 of 2 runs)");
}

TEST_CASE("compare: a target that a variant drops is n/a for it, not missed")
{
  ExperimentPlan p = compare_plan("s.yaml", {"v"}, 2, 1);
  json dropped     = result(0.040, 1, 1, 0.1);
  dropped["targets"] = json::array();
  std::vector<std::optional<json>> results{result(0.040, 1, 1, 0.1), result(0.045, 1, 1, 0.1), dropped, dropped};
  CompareSummary s = summarize_compare(p, results);
  REQUIRE(s.targets.size() == 1);
  CHECK(verdict_lines(s)[0] == "q.latency.p99 < 50ms: met by base; not a target of v");
  ReportTable t = verdict_table(s);
  CHECK(t.rows[0][2] == "n/a");
  CHECK(t.tones[0] == Tone::Good);  // every group that has the target meets it
}

TEST_CASE("compare: jobs without a result are listed and left out")
{
  ExperimentPlan p = compare_plan("s.yaml", {"v"}, 2, 1);
  std::vector<std::optional<json>> results{result(0.01, 1, 1, 0.1), std::nullopt, result(0.01, 1, 1, 0.1),
                                           result(0.01, 1, 1, 0.1)};
  CompareSummary s = summarize_compare(p, results);
  CHECK(s.missing_jobs == std::vector<std::string>{"base.r1"});
  CHECK(row(s, "q", "latency.p99").cells[0].value->n == 1);
}

TEST_CASE("sweep: the knee is the first point that misses p99 or carries less than 95% of its load")
{
  ExperimentPlan p = sweep_plan("s.yaml", {{"workload.q.rate", {"10/s", "20/s", "40/s", "80/s"}}},
                                {{10, 20, 40, 80}}, 1, 1);
  std::vector<std::optional<json>> results{result(0.010, 10, 10, 0.2), result(0.020, 20, 20, 0.4),
                                           result(0.060, 39, 40, 0.8), result(0.500, 50, 80, 0.99)};
  SweepSummary s = summarize_sweep(p, results);
  REQUIRE(s.knee);
  CHECK(*s.knee == 2);
  CHECK(s.knee_sentence == "q p99 crosses 50ms between rate=20/s and rate=40/s; db replica 0 at 80% utilisation is "
                           "the bottleneck.");
}

TEST_CASE("sweep: a throughput shortfall alone marks the knee, and no failure means no knee")
{
  ExperimentPlan p = sweep_plan("s.yaml", {{"workload.q.rate", {"10/s", "20/s"}}}, {{10, 20}}, 1, 1);
  SweepSummary short_of =
      summarize_sweep(p, {result(0.010, 10, 10, 0.2, 1.0), result(0.020, 18, 20, 0.9, 1.0)});
  REQUIRE(short_of.knee);
  CHECK_THAT(short_of.knee_sentence, Catch::StartsWith("q carries 18/s of 20/s offered between"));
  SweepSummary fine = summarize_sweep(p, {result(0.010, 10, 10, 0.2), result(0.020, 20, 20, 0.4)});
  CHECK_FALSE(fine.knee);
  CHECK_THAT(fine.knee_sentence, Catch::StartsWith("No knee"));
}
