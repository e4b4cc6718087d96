// Design 3, social media platform (scenarios/social_media.yaml): the trade-offs of its variants,
// each comparing short runs of the file. To keep a test case within a few seconds the runs use a
// smaller cell (100K users, half of them active, celebrities from 10K followers), a smaller post
// cache (its warm start dominates a short run) and a smaller share of the load (--set, as a user
// would); the follower law, the flows and the components are the file's, and the behaviours
// checked do not depend on that scale.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, Sets extra = {})
{
  Sets sets{{"components.post_cache.maxmemory", "16MB"},
            {"workload.post.rate", "30/s"},
            {"workload.timeline.rate", "100/s"},
            {"workload.returning_user.rate", "20/s"},
            {"workload.read_post.rate", "50/s"}};
  return run_design("social_media", std::move(variants), 5, 1, kSmallFollowCell + sets + extra);
}

}  // namespace

TEST_CASE("social_media: pushing to active followers only writes half the timeline entries of pushing to all")
{
  auto hybrid = run({});
  auto all    = run({"push_all"});
  // Timeline commands = pushed entries + ZRANGEs (timeline reads; with push_all, returning users too).
  double hybrid_writes = commands(hybrid, "timelines") - ok(hybrid, "timeline");
  double all_writes    = commands(all, "timelines") - ok(all, "timeline") - ok(all, "returning_user");
  INFO("timeline entries written: active only " << hybrid_writes << ", every follower " << all_writes);
  REQUIRE(hybrid_writes > 500);
  // Half the cell is active, independently of who follows whom.
  CHECK(all_writes / hybrid_writes == Approx(2).epsilon(0.2));
}

TEST_CASE("social_media: pull for everyone scans every followed account on each timeline read")
{
  auto hybrid = run({});
  auto pull   = run({"pull_all"});
  double reads_hybrid = comp(hybrid, "posts_db")["metrics"]["replica_reads"].get<double>();
  double reads_pull   = comp(pull, "posts_db")["metrics"]["replica_reads"].get<double>();
  double h            = klass(hybrid, "timeline")["latency"]["mean"].get<double>();
  double p            = klass(pull, "timeline")["latency"]["mean"].get<double>();
  INFO("Cassandra replica reads: hybrid " << reads_hybrid << ", pull " << reads_pull << "; timeline mean: hybrid "
                                          << h * 1e3 << " ms, pull " << p * 1e3 << " ms");
  CHECK(reads_pull > 3 * reads_hybrid);
  CHECK(p > h + 0.002);
}

TEST_CASE("social_media: a viral post loads one post-cache shard until its key is split over the shards")
{
  std::vector<std::pair<std::string, std::string>> load{{"workload.other_cells.rate", "3000/s"}};
  auto viral = run({"viral_post"}, load);
  auto split = run({"viral_post_split"}, load);
  INFO("hottest post-cache shard's share of the work: one key " << hottest_share(viral, "post_cache")
                                                                << ", 16 copies " << hottest_share(split, "post_cache"));
  CHECK(hottest_share(viral, "post_cache") > 0.7);  // 4 shards: an even spread is 0.25
  CHECK(hottest_share(split, "post_cache") < 0.45);
}

TEST_CASE("social_media: fanning a delete out to timelines costs a ZREM per active follower, a tombstone one write")
{
  std::vector<std::pair<std::string, std::string>> deletes{{"workload.delete_post.rate", "20/s"}};
  auto tombstone = run({}, deletes);
  auto fanned    = run({"delete_fanout"}, deletes);
  double extra   = commands(fanned, "timelines") - commands(tombstone, "timelines");
  double removed = ok(fanned, "unfan_post");
  INFO(removed << " deletions fanned out: " << extra << " more timeline commands than with tombstones");
  REQUIRE(removed > 40);
  // About 17 active followers per author (35 followers, half active).
  CHECK(extra > 5 * removed);
}
