// Design 1, URL shortener (scenarios/url_shortener.yaml): the trade-offs of its variants, each
// comparing short runs of the file. To keep a test case within a few seconds, the runs use a
// smaller share of the redirect load and smaller caches (--set, as a user would); the behaviours
// checked here do not depend on that scale, and the creations (which collisions, throttling and
// the counter depend on) keep their full rate.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, double duration = 4, Sets extra = {})
{
  Sets sets{{"workload.redirect.rate", "1500/s"}, {"workload.redirect_expired.rate", "500/s"}};
  if (!has_variant(variants, "no_cache"))
    sets.push_back({"components.cache.maxmemory", "16MB"});
  return run_design("url_shortener", std::move(variants), duration, 1, sets + extra);
}

}  // namespace

TEST_CASE("url_shortener: without the cache the table serves every redirect, not only the misses")
{
  auto base    = run({}, 3);
  auto nocache = run({"no_cache"}, 3);
  double hit   = metric(base, "cache", "hits") / (metric(base, "cache", "hits") + metric(base, "cache", "misses"));
  INFO("base db " << metric(base, "db", "throughput") << "/s, no_cache db " << metric(nocache, "db", "throughput")
                  << "/s, cache hit ratio " << hit);
  REQUIRE(hit > 0.2);
  // Every redirect, expired click and creation now reads or writes the table.
  CHECK(metric(nocache, "db", "throughput") > 1.3 * metric(base, "db", "throughput"));
  CHECK(metric(nocache, "db", "read_units") > 1.5 * metric(base, "db", "read_units"));
}

TEST_CASE("url_shortener: a 301 through the CDN takes clicks off the app tier and out of the analytics")
{
  std::vector<std::pair<std::string, std::string>> small_cdn{{"components.cdn.capacity", "8MB"}};
  auto base = run({}, 3);
  auto r301 = run({"redirect_301"}, 3, small_cdn);
  double clicks_base = klass(base, "redirect")["throughput"].get<double>();
  double clicks_301  = klass(r301, "redirect")["throughput"].get<double>();
  INFO("analytics sees " << metric(base, "analytics", "throughput") << " of " << clicks_base << " clicks with 302, "
                         << metric(r301, "analytics", "throughput") << " of " << clicks_301 << " with 301");
  // With 302 the click counter sees every click; with 301 only the CDN's misses.
  CHECK(metric(base, "analytics", "throughput") == Approx(clicks_base).epsilon(0.01));
  CHECK(metric(r301, "analytics", "throughput") < 0.7 * clicks_301);
  CHECK(metric(r301, "app", "throughput") < 0.8 * metric(base, "app", "throughput"));
}

TEST_CASE("url_shortener: a 60 s max-age on 302s offloads nearly as much as a 301")
{
  std::vector<std::pair<std::string, std::string>> small_cdn{{"components.cdn.capacity", "8MB"}};
  auto r302 = run({"cdn_302_60s"}, 3, small_cdn);
  auto r301 = run({"redirect_301"}, 3, small_cdn);
  double h302 = metric(r302, "cdn", "hit_ratio");
  double h301 = metric(r301, "cdn", "hit_ratio");
  INFO("CDN hit ratio: 302 max-age=60 " << h302 << ", 301 (24 h) " << h301);
  // The edge's LRU, not the TTL, bounds how long most links stay: the hot links that carry
  // most clicks are requested far more often than once a minute.
  CHECK(h301 >= h302);
  CHECK(h301 - h302 < 0.05);
}

TEST_CASE("url_shortener: sharding by user id throttles the power user's campaign, sharding by short URL does not")
{
  std::vector<std::pair<std::string, std::string>> light{{"workload.redirect.rate", "300/s"},
                                                          {"workload.redirect_expired.rate", "100/s"}};
  auto by_url  = run({"power_user"}, 3, light);
  auto by_user = run({"shard_by_user"}, 3, light);
  INFO("throttled: by short URL " << metric(by_url, "db", "throttled") << ", by user "
                                  << metric(by_user, "db", "throttled"));
  CHECK(metric(by_url, "db", "throttled") == 0);
  CHECK(metric(by_url, "db", "write_consumed_ratio_max") < 0.2);
  CHECK(metric(by_user, "db", "throttled") > 0);
  CHECK(metric(by_user, "db", "write_consumed_ratio_max") > 0.95);
  CHECK(klass(by_user, "campaign")["latency"]["p99"].get<double>() >
        3 * klass(by_url, "campaign")["latency"]["p99"].get<double>());
}

TEST_CASE("url_shortener: a crash of the counter with AOF every second hands out ids twice")
{
  // The variant's crash moved earlier (mid-way between two fsyncs) to keep the run short.
  auto crash = run({"counter_crash"}, 4.5, {{"faults", "[{at: 2.5s, crash: counter, for: 1.5s}]"}});
  INFO("duplicates " << metric(crash, "counter", "incr_duplicates") << ", writes lost "
                     << metric(crash, "counter", "writes_lost") << ", shorten errors "
                     << klass(crash, "shorten")["errors"].get<double>());
  // About half a second of INCRs (~500) went back with the un-fsynced AOF tail and were re-issued.
  CHECK(metric(crash, "counter", "writes_lost") > 100);
  CHECK(metric(crash, "counter", "incr_duplicates") > 100);
  CHECK(klass(crash, "shorten")["errors"].get<double>() > 0);
}

TEST_CASE("url_shortener: hash keys pay Bloom-filter false positives with a second filter command")
{
  auto hash = run({"hash_keys"}, 5, {{"workload.redirect.rate", "500/s"}});
  double per_creation = metric(hash, "counter", "throughput") / klass(hash, "shorten")["throughput"].get<double>();
  INFO("filter commands per creation " << per_creation << ", false positives "
                                       << metric(hash, "counter", "bloom_false_positives"));
  CHECK(metric(hash, "counter", "bloom_false_positives") > 0);
  CHECK(per_creation > 1.001);
  CHECK(per_creation < 1.05);
}

TEST_CASE("url_shortener: MD5 codes collide with the existing rows, counter ids do not")
{
  std::vector<std::pair<std::string, std::string>> small{{"workload.redirect.rate", "500/s"},
                                                          {"components.pg.shared_buffers", "64MB"}};
  auto counter = run({"sql"}, 5, small);
  auto hash    = run({"sql_hash_keys"}, 5, small);
  double inserts = klass(hash, "shorten")["ok"].get<double>();
  INFO("unique violations " << metric(hash, "pg", "unique_violations") << " in " << inserts << " creations");
  CHECK(metric(counter, "pg", "unique_violations") == 0);
  CHECK(metric(hash, "pg", "unique_violations") > 0);
  // 1B rows in a space of 1e12 codes: 0.1% of the inserts.
  CHECK(metric(hash, "pg", "unique_violations") < 0.005 * inserts);
  CHECK(klass(hash, "shorten")["errors"].get<double>() == 0);
}

TEST_CASE("url_shortener: negative caching stops expired links from reading the table")
{
  auto base = run({}, 3, {{"workload.redirect.rate", "500/s"}});
  auto neg  = run({"negative_cache"}, 3, {{"workload.redirect.rate", "500/s"}});
  INFO("db reads base " << metric(base, "db", "throughput") << "/s, negative cache " << metric(neg, "db", "throughput")
                        << "/s; tombstone hit ratio " << metric(neg, "tombstones", "hit_ratio"));
  CHECK(metric(neg, "tombstones", "hit_ratio") > 0.4);
  // 500 expired clicks/s: at least 200/s fewer table reads.
  CHECK(metric(base, "db", "throughput") - metric(neg, "db", "throughput") > 200);
}
