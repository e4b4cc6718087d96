// Design 5, pastebin (scenarios/pastebin.yaml): the trade-offs of its variants, each comparing
// short runs of the file. To keep a test case within a few seconds the runs use a fifth of the
// cell's read load and smaller caches (--set, as a user would); the behaviours checked here do
// not depend on that scale. The creations keep their full rate.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, double duration = 4, const char* read_rate = "2000/s")
{
  Sets sets{{"workload.read.rate", read_rate}};
  if (!has_variant(variants, "cdn_only"))
    sets.push_back({"components.cache.maxmemory", "256MB"});
  if (!has_variant(variants, "redis_only"))
    sets.push_back({"components.cdn.capacity", "128MB"});
  return run_design("pastebin", std::move(variants), duration, 1, sets);
}

// Requests a component served per second.
double ops(const nlohmann::json& r, const std::string& component) { return metric(r, component, "throughput"); }

}  // namespace

TEST_CASE("pastebin: Redis behind the CDN sees only the CDN's misses and hits far less often")
{
  auto base = run({});
  double cdn = metric(base, "cdn", "hit_ratio");
  double redis = metric(base, "cache", "hit_ratio");
  INFO("CDN hit ratio " << cdn << ", Redis hit ratio " << redis);
  CHECK(cdn > 0.3);
  // The CDN keeps the hottest pastes, so Redis is left with the tail.
  CHECK(redis < 0.5 * cdn);
}

TEST_CASE("pastebin: without the CDN every read reaches the app tier")
{
  auto base  = run({});
  auto redis = run({"redis_only"});
  INFO("app requests/s: base " << ops(base, "app") << ", redis_only " << ops(redis, "app"));
  CHECK(ops(redis, "app") > 1.5 * ops(base, "app"));
  CHECK(klass(redis, "read")["latency"]["p50"].get<double>() >= klass(base, "read")["latency"]["p50"].get<double>());
}

TEST_CASE("pastebin: without Redis more CDN misses read S3")
{
  auto base = run({});
  auto cdn  = run({"cdn_only"});
  INFO("S3 requests/s: base " << ops(base, "s3") << ", cdn_only " << ops(cdn, "s3"));
  CHECK(ops(cdn, "s3") > ops(base, "s3"));
}

TEST_CASE("pastebin: a ZooKeeper compare-and-set per paste cannot keep up with the global creation rate")
{
  auto ranges  = run({}, 3, "200/s");
  auto per_one = run({"zk_per_paste"}, 3, "200/s");
  double requested = klass(per_one, "create")["throughput"].get<double>() +
                     klass(per_one, "other_cells_ids")["throughput"].get<double>();
  double measured  = per_one["run"]["measured"].get<double>();
  double granted   = metric(per_one, "zk", "writes") / measured;
  INFO("ids requested " << requested << "/s, counter writes committed " << granted << "/s");
  // One znode's versioned writes are serialised by its commit: far fewer than 2,000/s succeed.
  CHECK(granted < 0.5 * requested);
  CHECK(metric(ranges, "zk", "writes") / measured < 5);
  // Each creation now waits for a read and a quorum write (or several): ~2.5 ms on average.
  CHECK(klass(per_one, "create")["latency"]["mean"].get<double>() >
        klass(ranges, "create")["latency"]["mean"].get<double>() + 0.001);
}

TEST_CASE("pastebin: content-hash ids deduplicate repeated pastes that the counter stores again")
{
  auto counter = run({"counter_with_dups"});
  auto hashed  = run({"hash_keys"});
  // Both runs read the same pastes (common random numbers), so the S3 request rates differ by
  // the uploads: the counter uploads the 10 duplicates/s again, the hash design does not.
  double saved = ops(counter, "s3") - ops(hashed, "s3");
  INFO("S3 requests/s: counter " << ops(counter, "s3") << ", hash " << ops(hashed, "s3"));
  CHECK(saved > 5);
  CHECK(saved < 15);
  // The price: a strongly consistent read of the hash's item before every write.
  CHECK(metric(hashed, "db", "read_units") > metric(counter, "db", "read_units"));
  CHECK(metric(hashed, "zk", "writes") == 0);
}

TEST_CASE("pastebin: content in DynamoDB pays write units per KB instead of one per item")
{
  auto base   = run({});
  auto inline_ = run({"content_in_dynamodb"});
  INFO("write units: base " << metric(base, "db", "write_units") << ", content in the table "
                            << metric(inline_, "db", "write_units"));
  CHECK(metric(inline_, "db", "write_units") > 4 * metric(base, "db", "write_units"));
  // and reads no longer wait for S3's first byte
  CHECK(ops(inline_, "s3") < 0.1 * ops(base, "s3"));
}
