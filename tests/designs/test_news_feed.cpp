// Design 4, news feed (scenarios/news_feed.yaml): the fan-out trade-offs of its variants, each
// comparing short runs of the file. To keep a test case within a few seconds the runs use a
// smaller cell (100K users, celebrities from 10K followers: 10 of them, as the file has 10 from
// 100K in 1M), a smaller post cache (its warm start dominates a short run) and a smaller share of
// the load (--set, as a user would). The follower law, the
// flows and the components are the file's; the behaviours checked do not depend on that scale.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, Sets extra = {})
{
  Sets sets{{"data.authors.keys", "100K"},
            {"components.post_cache.memory", "64MB"},
            {"workload.post.rate", "20/s"},
            {"workload.feed.rate", "100/s"},
            {"workload.scroll.rate", "20/s"},
            {"workload.celebrity_post.rate", "0.5/s"}};
  return run_design("news_feed", std::move(variants), 5, 1, kSmallFollowCell + sets + extra);
}

}  // namespace

TEST_CASE("news_feed: the hybrid writes far fewer timeline entries than push when a celebrity posts")
{
  auto hybrid = run({});
  auto push   = run({"push"});
  REQUIRE(ok(hybrid, "celebrity_post") >= 1);
  REQUIRE(ok(push, "celebrity_post") >= 1);
  // Timeline commands = pushed entries + the reads' ZRANGEs (the same reads in both runs).
  double reads = ok(hybrid, "feed") + ok(hybrid, "scroll");
  double hybrid_writes = commands(hybrid, "timelines") - reads;
  double push_writes   = commands(push, "timelines") - (ok(push, "feed") + ok(push, "scroll"));
  INFO("timeline entries written: hybrid " << hybrid_writes << ", push " << push_writes << " ("
                                           << ok(push, "celebrity_post") << " celebrity posts)");
  CHECK(push_writes > 5 * hybrid_writes);
  // Each celebrity post is at least 10K entries under push (every celebrity has 10K followers or more).
  CHECK(push_writes - hybrid_writes > 10000 * ok(push, "celebrity_post") * 0.9);
}

TEST_CASE("news_feed: the hybrid feed reads faster than pull, which reads every followed account")
{
  auto hybrid = run({});
  auto pull   = run({"pull"});
  double h = klass(hybrid, "feed")["latency"]["mean"].get<double>();
  double p = klass(pull, "feed")["latency"]["mean"].get<double>();
  INFO("feed mean: hybrid " << h * 1e3 << " ms, pull " << p * 1e3 << " ms; recent-list commands: hybrid "
                            << commands(hybrid, "recent") << ", pull " << commands(pull, "recent"));
  CHECK(p > h + 0.002);
  // About 35 followed accounts per read instead of the ~2 followed celebrities.
  CHECK(commands(pull, "recent") > 5 * commands(hybrid, "recent"));
}

TEST_CASE("news_feed: Memcached timelines cost a GET and a SET of the whole blob per pushed entry")
{
  auto redis = run({});
  auto mc    = run({"memcached_timelines"});
  double redis_pushes = commands(redis, "timelines") - ok(redis, "feed") - ok(redis, "scroll");
  double mc_commands  = commands(mc, "timeline_mc") - ok(mc, "feed") - ok(mc, "scroll");
  INFO("per pushed entry: Redis " << redis_pushes << " ZADDs, Memcached " << mc_commands << " GET+SET");
  REQUIRE(redis_pushes > 100);
  CHECK(mc_commands > 1.8 * redis_pushes);
  CHECK(mc_commands < 2.2 * redis_pushes);
}

TEST_CASE("news_feed: real-time ranking puts the scoring CPU on every read")
{
  auto batch    = run({});
  auto realtime = run({"realtime_ranking"});
  double b = klass(batch, "feed")["latency"]["p50"].get<double>();
  double r = klass(realtime, "feed")["latency"]["p50"].get<double>();
  INFO("feed p50: batch " << b * 1e3 << " ms, real-time " << r * 1e3 << " ms");
  CHECK(r > b + 0.003);
  CHECK(comp(realtime, "ranker")["metrics"]["utilisation"].get<double>() > 0);
}
