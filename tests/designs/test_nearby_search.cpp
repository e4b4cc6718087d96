// Design 9, Yelp / nearby search (scenarios/nearby_search.yaml): the trade-offs of its variants,
// each comparing short runs of the file. To keep a test case within a few seconds the runs are
// 4 s long, the city is a quarter of the size at the same density (5K businesses in 10 km x
// 10 km), its geo set is filled in the first second (5K GEOADDs: ~63% of them), and the query
// rates are halved; the behaviours checked are ratios between variants run alike.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, Sets extra = {})
{
  Sets sets{{"workload.load_businesses.for", "1s"},
            {"workload.load_businesses.to_rate", "5K/s"},
            {"data.businesses.keys", "5K"},
            {"components.geo.geo_side", "10"},
            {"workload.nearby.rate", "600/s"},
            {"workload.search.rate", "200/s"},
            {"workload.business.rate", "200/s"},
            {"workload.review.rate", "20/s"},
            {"components.db.shared_buffers", "512MB"}};
  return run_design("nearby_search", std::move(variants), 4, 1.5, sets + extra);
}

}  // namespace

TEST_CASE("nearby_search: a full scan of the businesses overloads the database that the geohash index leaves idle")
{
  // Without the result cache, so that every nearby query reaches the index or the scan.
  Sets cold{{"components.geo_cache.maxmemory", "1MB"}};
  auto geo  = run({}, cold);
  auto scan = run({"full_scan"}, cold);
  INFO("GEOSEARCH examined " << metric(geo, "geo", "geo_examined") << " members; db utilisation " << metric(geo, "db", "utilisation")
                             << " vs " << metric(scan, "db", "utilisation") << " with the scan; nearby p99 "
                             << latency(geo, "nearby", "p99") << " vs " << latency(scan, "nearby", "p99"));
  CHECK(metric(geo, "geo", "geo_examined") > 100);
  // 2 us a row over the city's rows per query: the database saturates and requests queue.
  CHECK(metric(scan, "db", "utilisation") > 20 * metric(geo, "db", "utilisation"));
  CHECK(latency(scan, "nearby", "p99") > 10 * latency(geo, "nearby", "p99"));
}

TEST_CASE("nearby_search: without the result caches every query reaches Redis Geo and Elasticsearch")
{
  auto cached   = run({});
  auto uncached = run({"no_cache"});
  double hit    = metric(cached, "geo_cache", "hit_ratio");
  INFO("geo cache hit ratio " << hit << ", search cache " << metric(cached, "search_cache", "hit_ratio")
                              << "; ES queries/s " << metric(cached, "es", "throughput") << " vs "
                              << metric(uncached, "es", "throughput"));
  REQUIRE(hit > 0.5);
  CHECK(metric(uncached, "es", "throughput") > 2 * metric(cached, "es", "throughput"));
  CHECK(metric(uncached, "db", "throughput") > 2 * metric(cached, "db", "throughput"));
}

TEST_CASE("nearby_search: averaging ratings on the fly reads tens of review rows for every business shown")
{
  auto stored = run({});
  auto live   = run({"ratings_on_the_fly"});
  INFO("db utilisation stored " << metric(stored, "db", "utilisation") << ", on the fly " << metric(live, "db", "utilisation")
                                << "; business p50 " << latency(stored, "business", "p50") << " vs " << latency(live, "business", "p50"));
  CHECK(metric(live, "db", "utilisation") > 1.5 * metric(stored, "db", "utilisation"));
  // A stored average costs the writer one UPDATE; on the fly the review only inserts.
  CHECK(metric(stored, "db", "committed_increments") > 0);
  CHECK(metric(live, "db", "committed_increments") == 0);
}

TEST_CASE("nearby_search: text search in PostgreSQL matches thousands of rows where Elasticsearch scans postings")
{
  Sets cold{{"components.search_cache.maxmemory", "1MB"}};
  auto es = run({}, cold);
  auto db = run({"db_search"}, cold);
  INFO("search p50 ES " << latency(es, "search", "p50") << ", PostgreSQL " << latency(db, "search", "p50") << "; db utilisation "
                        << metric(es, "db", "utilisation") << " vs " << metric(db, "db", "utilisation"));
  CHECK(latency(db, "search", "p50") > latency(es, "search", "p50") + 0.003);
  CHECK(metric(db, "db", "utilisation") > 2 * metric(es, "db", "utilisation"));
}

TEST_CASE("nearby_search: the unique (user, business) index rejects the second of two simultaneous reviews")
{
  auto r       = run({"double_submit"});
  double posts = klass(r, "review")["ok"].get<double>();
  INFO(posts << " reviews posted twice, " << metric(r, "db", "unique_violations") << " unique violations");
  REQUIRE(posts > 10);
  CHECK(metric(r, "db", "unique_violations") >= 0.9 * posts);
  CHECK(metric(r, "db", "duplicate_keys") == 0);
}
