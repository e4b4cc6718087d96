// Design 8, YouTube / Netflix (scenarios/video_streaming.yaml): the trade-offs of its variants,
// each comparing short runs of the file. To keep a test case within a few seconds the runs are
// 4 s long at a quarter of the PoP's rates, with a smaller edge cache and Redis (less warm-up
// work); the behaviours checked are ratios between variants run at the same settings.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, Sets extra = {})
{
  bool cdn = !has_variant(variants, "origin");
  Sets sets{{"workload.watch.rate", "125/s"},
            {"workload.segment.rate", "250/s"},
            {"workload.recs_read.rate", "125/s"},
            {"components.recs_cache.maxmemory", "32MB"}};
  if (cdn) {
    sets.emplace_back("components.cdn.capacity", "10GB");
    sets.emplace_back("components.manifest_cdn.capacity", "256MB");
  }
  return run_design("video_streaming", std::move(variants), 4, 1, sets + extra);
}

}  // namespace

TEST_CASE("video_streaming: without the CDN every segment request reaches S3 and playback waits for its first byte")
{
  auto cdn    = run({});
  auto origin = run({"origin"});
  double hit  = metric(cdn, "cdn", "hit_ratio");
  INFO("edge hit ratio " << hit << "; S3 requests/s " << metric(cdn, "s3", "throughput") << " with the CDN, "
                         << metric(origin, "s3", "throughput") << " without; segment p50 " << latency(cdn, "segment", "p50")
                         << " vs " << latency(origin, "segment", "p50"));
  REQUIRE(hit > 0.05);
  // The edge absorbs its hits: S3 sees only the misses (and the API's calls never reach it).
  CHECK(metric(origin, "s3", "throughput") > metric(cdn, "s3", "throughput") / (1 - hit) * 0.9);
  CHECK(latency(origin, "segment", "p50") > latency(cdn, "segment", "p50"));
}

TEST_CASE("video_streaming: a single 1080p rendition makes every segment larger and slower to fetch")
{
  auto abr    = run({});
  auto single = run({"single_bitrate"});
  INFO("hit ratio ABR " << metric(abr, "cdn", "hit_ratio") << ", 1080p only " << metric(single, "cdn", "hit_ratio")
                        << "; segment p50 " << latency(abr, "segment", "p50") << " vs " << latency(single, "segment", "p50") << "; watch p50 "
                        << latency(abr, "watch", "p50") << " vs " << latency(single, "watch", "p50"));
  // 2.5 MB instead of 0.6 or 2.5 MB: more bytes behind the same per-stream TCP window. (The
  // edge also holds fewer objects, but over a 4 s run the hit ratios differ by less than
  // their noise.)
  CHECK(latency(single, "segment", "p50") > latency(abr, "segment", "p50"));
  CHECK(klass(single, "segment")["latency"]["mean"].get<double>() > klass(abr, "segment")["latency"]["mean"].get<double>());
}

TEST_CASE("video_streaming: real-time recommendations cost a history query and a scoring tier on every request")
{
  auto pre  = run({});
  auto live = run({"realtime_recs"});
  INFO("recs p50 precomputed " << latency(pre, "recs_read", "p50") << ", real-time " << latency(live, "recs_read", "p50")
                               << "; recommender utilisation " << metric(live, "recommender", "utilisation"));
  // Scoring (lognormal, mean 20 ms: median ~13 ms) plus a DynamoDB query, on top of the same
  // round trips.
  CHECK(latency(live, "recs_read", "p50") > latency(pre, "recs_read", "p50") + 0.008);
  CHECK(metric(live, "recommender", "utilisation") > 0.01);
  CHECK(metric(pre, "recs_cache", "hit_ratio") > 0.05);
}

TEST_CASE("video_streaming: request collapsing turns a premiere's cold misses into one origin fetch per object and edge")
{
  Sets premiere{{"workload.watch_premiere.at", "2s"}, {"workload.segment_premiere.at", "2s"}};
  auto r = run({"viral_premiere"}, premiere);
  double requests = klass(r, "watch_premiere")["arrived"].get<double>() * 2 +
                    klass(r, "segment_premiere")["arrived"].get<double>();
  INFO(requests << " premiere requests to the edge; coalesced " << metric(r, "cdn", "coalesced"));
  // 301 premiere objects x 4 edge servers can miss at most once each while a fetch is in flight.
  CHECK(metric(r, "cdn", "coalesced") > 0);
  CHECK(klass(r, "segment_premiere")["errors"].get<double>() == 0);
}

TEST_CASE("video_streaming: a Cassandra watch history acknowledges QUORUM writes without provisioned capacity")
{
  auto dynamo    = run({});
  auto cassandra = run({"cassandra_history"});
  INFO("watch p50 DynamoDB history " << latency(dynamo, "watch", "p50") << ", Cassandra " << latency(cassandra, "watch", "p50"));
  CHECK(klass(cassandra, "watch")["errors"].get<double>() == 0);
  CHECK(metric(cassandra, "history", "throughput") > 0.9 * metric(dynamo, "history", "throughput"));
}
