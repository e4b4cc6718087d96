// Design 6, Instagram (scenarios/instagram.yaml): the trade-offs of its variants, each comparing
// short runs of the file. To keep a test case within a few seconds the runs use a smaller cell
// (100K users, celebrities from 10K followers: 10 of them, as the file has 10 from 100K in 1M),
// smaller caches (their warm start dominates a short run) and a smaller share of the load (--set,
// as a user would); the follower law, the flows and the components are the file's, and the
// behaviours checked do not depend on that scale.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, Sets extra = {}, bool has_cdn = true)
{
  Sets sets{{"components.meta_cache.maxmemory", "16MB"},
            {"workload.post.rate", "20/s"},
            {"workload.feed.rate", "100/s"},
            {"workload.photo.rate", "300/s"},
            {"workload.celebrity_post.rate", "0.5/s"}};
  if (has_cdn)
    sets.push_back({"components.cdn.capacity", "2GB"});
  return run_design("instagram", std::move(variants), 5, 1, kSmallFollowCell + sets + extra);
}

}  // namespace

TEST_CASE("instagram: above 100K followers the hybrid does not push, so a celebrity post writes far less than push")
{
  auto hybrid = run({});
  auto push   = run({"push_all"});
  REQUIRE(ok(push, "celebrity_post") >= 1);
  double hybrid_writes = commands(hybrid, "timelines") - ok(hybrid, "feed");
  double push_writes   = commands(push, "timelines") - ok(push, "feed");
  INFO("timeline entries written: hybrid " << hybrid_writes << ", push " << push_writes);
  CHECK(push_writes > 5 * hybrid_writes);
}

TEST_CASE("instagram: photos served by the CDN are faster and keep most views off S3")
{
  auto cdn   = run({});
  auto no    = run({"no_cdn"}, {}, false);
  double c   = klass(cdn, "photo")["latency"]["p50"].get<double>();
  double s3  = klass(no, "photo")["latency"]["p50"].get<double>();
  double hit = metric(cdn, "cdn", "hit_ratio");
  INFO("photo p50: CDN " << c * 1e3 << " ms (edge hit ratio " << hit << "), S3 " << s3 * 1e3 << " ms");
  CHECK(s3 > c + 0.015);  // S3's first byte (median ~30 ms) on every view
  CHECK(hit > 0.4);
  CHECK(commands(no, "media_store") > 1.5 * commands(cdn, "media_store"));
}

TEST_CASE("instagram: the chronological pull queries the Post table of every followed account")
{
  auto hybrid = run({});
  auto pull   = run({"pull_chronological"});
  double h = klass(hybrid, "feed")["latency"]["mean"].get<double>();
  double p = klass(pull, "feed")["latency"]["mean"].get<double>();
  double per_read = commands(pull, "post_table") / ok(pull, "feed");
  INFO("feed mean: hybrid " << h * 1e3 << " ms, pull " << p * 1e3 << " ms; Post-table requests per read " << per_read);
  CHECK(p > h + 0.002);
  CHECK(per_read > 20);  // ~35 followed accounts (and the hydration misses)
}

TEST_CASE("instagram: request collapsing fetches a viral photo once per expiry instead of once per waiting view")
{
  // A 500 ms TTL instead of 2 s: eight expiries in the measured 4 s instead of two.
  std::vector<std::pair<std::string, std::string>> viral{{"data.viral.ttl", "500ms"}};
  auto collapse = run({"viral_photo"}, viral);
  auto herd     = run({"viral_photo_no_collapse"}, viral);
  // Origin fetches of the whole edge (the catalogue's misses are the same in both runs).
  double fetches_collapse = metric(collapse, "cdn", "origin_fetches");
  double fetches_herd     = metric(herd, "cdn", "origin_fetches");
  INFO("edge fetches from S3: collapsing " << fetches_collapse << ", without " << fetches_herd);
  CHECK(fetches_herd > fetches_collapse + 200);
}
