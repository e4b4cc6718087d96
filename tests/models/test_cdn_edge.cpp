// The cdn_edge model: TTL and byte-bounded LRU decide the hit ratio, concurrent misses collapse
// onto one origin fetch, versioned URLs invalidate.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const char* name) { return comp(r, "cdn")["metrics"][name].get<double>(); }
}  // namespace

TEST_CASE("cdn_edge: a shorter TTL gives a lower hit ratio")
{
  const char* yaml = R"yaml(
archsim: 1
name: cdn_ttl
run: {duration: 6s, warmup: 2s}
components:
  origin: {model: service, threads: 256, cores: 32, cpu: 1ms}
  cdn:    {model: cdn_edge, capacity: 10GB, TTL, origin: origin}
data:
  assets: {keys: 20000, popularity: zipf(0.9), value_size: 10KB}
workload:
  view: {arrivals: poisson, rate: 3000/s, key: assets}
flows:
  view: [{get: cdn}]
)yaml";
  auto short_ttl = simulate(with(yaml, "TTL", "ttl: 200ms"));
  auto long_ttl  = simulate(with(yaml, "TTL", "ttl: 1h"));
  CHECK(metric(short_ttl, "hit_ratio") < metric(long_ttl, "hit_ratio") - 0.2);
  // Nothing is evicted (10 GB): every miss is a first request or an expired copy, and each
  // one is a fetch from the origin.
  CHECK(metric(long_ttl, "evictions") == 0);
  CHECK(metric(short_ttl, "origin_fetches") == metric(short_ttl, "misses"));
  CHECK(comp(short_ttl, "origin")["metrics"]["throughput"].get<double>() ==
        Approx(metric(short_ttl, "misses") / 4.0).epsilon(0.02));
}

namespace {
// One cold object, 2000 requests/s, an origin that takes 100 ms to answer.
const char* kBurst = R"yaml(
archsim: 1
name: cdn_burst
run: {duration: 1s, warmup: 0s}
components:
  origin: {model: service, threads: 1000, cores: 1000, cpu: 100ms}
  cdn:    {model: cdn_edge, warm: false, COALESCE ORIGIN}
data:
  video: {keys: 1, value_size: 1MB}
workload:
  play: {arrivals: constant, rate: 2000/s, key: video}
flows:
  FLOW
)yaml";
}  // namespace

TEST_CASE("cdn_edge collapses a burst of misses for one cold object onto one origin fetch")
{
  auto burst = [](const char* coalesce) {
    std::string y = with(kBurst, "COALESCE", coalesce);
    y             = with(y, "ORIGIN", ", origin: origin");
    return simulate(with(y, "FLOW", "play: [{get: cdn}]"));
  };
  auto collapsed = burst("coalesce: true");
  auto separate  = burst("coalesce: false");
  // The first request fetches for 100 ms; the ~200 that arrive meanwhile wait for it.
  CHECK(metric(collapsed, "origin_fetches") == 1);
  CHECK(metric(collapsed, "coalesced") == Approx(200).margin(2));
  CHECK(metric(collapsed, "hits") + metric(collapsed, "coalesced") + metric(collapsed, "misses") ==
        klass(collapsed, "play")["ok"].get<double>());
  // Without collapsing each of them goes to the origin itself.
  CHECK(metric(separate, "origin_fetches") == Approx(200).margin(2));
  CHECK(metric(separate, "coalesced") == 0);
  CHECK(comp(separate, "origin")["metrics"]["throughput"].get<double>() ==
        Approx(200 * comp(collapsed, "origin")["metrics"]["throughput"].get<double>()).epsilon(0.02));
  // Both serve the same requests; a collapsed waiter gets the object when the fetch lands.
  CHECK(metric(collapsed, "hit_ratio") > 0.99);
}

TEST_CASE("cdn_edge collapses misses when the flow fetches and fills with set")
{
  std::string y = with(kBurst, "COALESCE", "coalesce: true");
  y             = with(y, "ORIGIN", "");
  auto r        = simulate(with(y, "FLOW", "play:\n    - get: cdn\n      on_miss: [{call: origin, steps: []}, {set: cdn}]"));
  CHECK(metric(r, "origin_fetches") == 1);
  CHECK(comp(r, "origin")["metrics"]["throughput"].get<double>() == Approx(1.0).epsilon(0.01));
  CHECK(metric(r, "coalesced") == Approx(200).margin(2));
  CHECK(metric(r, "fills") == 1);
}

TEST_CASE("cdn_edge is LRU by bytes: bigger objects in the same capacity evict more")
{
  const char* yaml = R"yaml(
archsim: 1
name: cdn_bytes
run: {duration: 5s, warmup: 2s}
components:
  origin: {model: service, threads: 256, cores: 32, cpu: 1ms}
  cdn:    {model: cdn_edge, capacity: 20MB, origin: origin}
data:
  assets: {keys: 20000, popularity: zipf(0.9), value_size: SIZE}
workload:
  view: {arrivals: poisson, rate: 3000/s, key: assets}
flows:
  view: [{get: cdn}]
)yaml";
  auto small = simulate(with(yaml, "SIZE", "2KB"));   // 10,000 objects fit
  auto big   = simulate(with(yaml, "SIZE", "20KB"));  // 1,000 fit
  CHECK(metric(big, "evictions") > 2 * metric(small, "evictions"));
  CHECK(metric(big, "hit_ratio") < metric(small, "hit_ratio") - 0.15);
  // One size per key space: the byte hit ratio equals the hit ratio.
  CHECK(metric(big, "byte_hit_ratio") == Approx(metric(big, "hit_ratio")).epsilon(1e-9));
}

TEST_CASE("cdn_edge invalidation by versioned URL: the next request for the object misses")
{
  const char* yaml = R"yaml(
archsim: 1
name: cdn_invalidate
run: {duration: 4s, warmup: 1s}
components:
  origin: {model: service, threads: 256, cores: 32, cpu: 1ms}
  cdn:    {model: cdn_edge, origin: origin}
data:
  pages: {keys: 100, value_size: 50KB}
workload:
  view:    {arrivals: poisson, rate: 2000/s, key: pages}
  publish: {arrivals: constant, rate: PUBLISH, key: pages}
flows:
  view: [{get: cdn}]
  publish: [{invalidate: cdn}]
)yaml";
  auto still   = simulate(with(yaml, "PUBLISH", "0.001/s"));
  auto churned = simulate(with(yaml, "PUBLISH", "200/s"));
  CHECK(metric(churned, "invalidations") == Approx(600).margin(2));
  CHECK(metric(still, "invalidations") == 0);
  // Each new version of a page misses once (about 600 in 3 s, a few fewer when a page is
  // republished before anyone reads it); without publishing all 100 pages stay cached.
  CHECK(metric(churned, "misses") == Approx(600).epsilon(0.1));
  CHECK(metric(still, "misses") < 5);
  CHECK(metric(churned, "hit_ratio") < metric(still, "hit_ratio") - 0.05);
}

TEST_CASE("cdn_edge: waiters give up on a fetch that never fills after the lock timeout")
{
  // The flow fetches but forgets to fill the edge (no `set`): each fetch in flight is abandoned
  // after lock_timeout, and its waiters go to the origin on their own.
  auto r = simulate(R"yaml(
archsim: 1
name: cdn_lock_timeout
run: {duration: 1s, warmup: 0s}
components:
  origin: {model: service, threads: 1000, cores: 1000, cpu: 10ms}
  cdn:    {model: cdn_edge, warm: false, lock_timeout: 100ms}
data:
  video: {keys: 1, value_size: 1MB}
workload:
  play: {arrivals: constant, rate: 1000/s, key: video}
flows:
  play:
    - get: cdn
      on_miss: [{call: origin, steps: []}]
)yaml");
  const auto& play = klass(r, "play");
  // Nothing is ever cached: every request misses and fetches, after waiting up to 100 ms.
  CHECK(metric(r, "fills") == 0);
  CHECK(metric(r, "misses") == play["ok"].get<double>());
  CHECK(play["ok"].get<double>() > 850);
  CHECK(play["latency"]["max"].get<double>() == Approx(0.1 + 0.01).margin(0.002));
  CHECK(play["latency"]["p50"].get<double>() > 0.04);
}
