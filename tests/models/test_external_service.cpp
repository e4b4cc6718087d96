// The external service: rate limits, failures with the caller's timeouts, and a crawled web
// with robots.txt and per-domain politeness.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}
}  // namespace

TEST_CASE("an external API answers 429 beyond its rate limit")
{
  auto r = simulate(R"(
archsim: 1
name: api
run: {duration: 6s, warmup: 1s}
components:
  stripe: {model: external_service, rate_limit: 100/s, burst: 100, failure_rate: 0, latency: 50ms}
workload:
  pay: {arrivals: constant, rate: 150/s}
flows:
  pay: [{call: stripe}]
)");
  // The bucket (100 tokens, +100/s) still holds 100 + 100 - 150 = 50 tokens at the end of the
  // warm-up; then 100/s of the 150/s get through: 5 x 150 - (50 + 5 x 100) refused.
  CHECK(metric(r, "stripe", "throttled") == Approx(750 - 550).margin(3));
  CHECK(klass(r, "pay")["throughput"].get<double>() == Approx(550 / 5.0).margin(1));
}

TEST_CASE("a slow third party is cut off by the caller's timeout, not by the model")
{
  auto r = simulate(R"(
archsim: 1
name: slow
run: {duration: 6s, warmup: 1s}
components:
  travel: {model: external_service, rate_limit: 0/s, failure_rate: 0, latency: {dist: uniform, min: 0ms, max: 200ms}}
workload:
  eta: {arrivals: poisson, rate: 200/s}
flows:
  eta: [{call: travel, timeout: 150ms}]
)");
  // A quarter of the answers take longer than 150 ms.
  CHECK(klass(r, "eta")["timeout_ratio"].get<double>() == Approx(0.25).margin(0.03));
  CHECK(klass(r, "eta")["latency"]["max"].get<double>() <= 0.150);
}

TEST_CASE("a polite crawler fetches each domain at most once per crawl delay, waiting for its slot")
{
  auto r = simulate(R"(
archsim: 1
name: polite
run: {duration: 6s, warmup: 0s}
components:
  web: {model: external_service, robots: true, disallowed: 0, crawl_delay: 1s, rate_limit: 0/s, failure_rate: 0, latency: 100ms}
data:
  domains: {keys: 2}
workload:
  crawl: {arrivals: constant, rate: 4/s, key: domains}
flows:
  crawl: [{fetch: web}]
)");
  // Two domains, one fetch a second each (robots.txt first): at most 2 x 6 slots in 6 s.
  CHECK(metric(r, "web", "robots_fetches") == 2);
  double fetched = klass(r, "crawl")["ok"].get<double>();
  CHECK(fetched <= 2 * 6 - 2);
  CHECK(fetched >= 2 * 6 - 4);
  // Offered 4/s for 2/s of slots: the wait for a slot keeps growing.
  CHECK(metric(r, "web", "politeness_wait") > 1.0);
}

TEST_CASE("an impolite fetch is refused when the domain's slot has not come")
{
  auto r = simulate(R"(
archsim: 1
name: refuse
run: {duration: 10s, warmup: 0s}
components:
  web: {model: external_service, robots: true, disallowed: 0, crawl_delay: 1s, politeness: refuse, rate_limit: 0/s, failure_rate: 0, latency: 10ms}
data:
  domains: {keys: 1}
workload:
  crawl: {arrivals: constant, rate: 4/s, key: domains}
flows:
  crawl: [{fetch: web}]
)");
  double requests = metric(r, "web", "requests");
  double fetched  = klass(r, "crawl")["ok"].get<double>();
  CHECK(metric(r, "web", "too_early") == requests - fetched);
  // One fetch per second at most (the first slot went to robots.txt).
  CHECK(fetched <= 10);
  CHECK(fetched >= 8);
}

TEST_CASE("robots.txt disallows its share of URLs, fetched once per domain")
{
  auto r = simulate(R"(
archsim: 1
name: robots
run: {duration: 5s, warmup: 0s}
components:
  web: {model: external_service, robots: true, disallowed: 20%, crawl_delay: 0s, rate_limit: 0/s, failure_rate: 0, latency: 1ms}
data:
  domains: {keys: 1000}
workload:
  crawl: {arrivals: constant, rate: 1000/s, key: domains}
flows:
  crawl: [{fetch: web}]
)");
  double requests = metric(r, "web", "requests");
  CHECK(metric(r, "web", "disallowed") / requests == Approx(0.2).margin(0.03));
  // Each domain's robots.txt once: the distinct domains among 5000 uniform draws of 1000.
  CHECK(metric(r, "web", "robots_fetches") == Approx(1000 * (1 - std::exp(-5.0))).margin(15));
}
