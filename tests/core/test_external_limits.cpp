// What a third party enforces, without SimGrid: token buckets, per-key buckets, robots.txt rules
// and a crawler's politeness per domain.
#include <catch2/catch.hpp>

#include "models/external_limits.h"

using namespace archsim;

TEST_CASE("a token bucket admits its burst at once, then its rate: at most burst + rate x t")
{
  TokenBucket b(10, 5);  // 10/s, bursts of 5
  int admitted = 0;
  for (int i = 0; i < 20; ++i)
    admitted += b.take(0.0) ? 1 : 0;
  CHECK(admitted == 5);
  // Over the next 2 s, offered 100/s: 10/s get through.
  admitted = 0;
  for (int i = 1; i <= 200; ++i)
    admitted += b.take(0.01 * i) ? 1 : 0;
  CHECK(admitted == 20);
  CHECK(b.tokens(100.0) == Approx(5));  // refills up to the burst, not beyond
}

TEST_CASE("per-key buckets limit each key on its own")
{
  KeyedBuckets k(1, 2);
  CHECK(k.take(1, 0));
  CHECK(k.take(1, 0));
  CHECK_FALSE(k.take(1, 0));
  CHECK(k.take(2, 0));  // another device is not limited by the first
  CHECK(k.take(1, 1.0));
  CHECK(k.keys() == 2);
  KeyedBuckets off(0, 1);
  for (int i = 0; i < 100; ++i)
    CHECK(off.take(1, 0));
}

TEST_CASE("robots.txt is fetched on first contact and again after its ttl")
{
  RobotsRules r(10, 0.1);
  CHECK(r.needs_fetch(1, 0));
  CHECK_FALSE(r.needs_fetch(1, 5));
  CHECK(r.needs_fetch(2, 5));
  CHECK(r.needs_fetch(1, 10));
  CHECK_FALSE(r.needs_fetch(1, 15));
}

TEST_CASE("robots.txt disallows a stable share of a domain's URLs, averaging the configured share")
{
  RobotsRules r(0, 0.1);
  double sum = 0;
  for (uint64_t d = 0; d < 2000; ++d)
    sum += r.disallowed_share(d);
  CHECK(sum / 2000 == Approx(0.1).margin(0.005));
  // The share a domain shows on its URLs is its own, and a URL's answer never changes.
  uint64_t domain = 17;
  int hits        = 0;
  for (uint64_t url = 0; url < 20000; ++url)
    hits += r.disallowed(domain, url) ? 1 : 0;
  CHECK(hits / 20000.0 == Approx(r.disallowed_share(domain)).margin(0.01));
  CHECK(r.disallowed(domain, 42) == r.disallowed(domain, 42));
}

TEST_CASE("politeness spaces the fetches of one domain by the crawl delay, and only of that domain")
{
  Politeness p(1.0);
  CHECK(p.book(1, 0.0) == 0.0);
  CHECK(p.book(1, 0.1) == 1.0);  // waits for its slot
  CHECK(p.book(1, 0.2) == 2.0);
  CHECK(p.book(2, 0.2) == 0.2);  // another domain is free
  CHECK(p.book(1, 5.0) == 5.0);  // an idle domain serves at once
  Politeness refuse(1.0);
  CHECK(refuse.try_now(1, 0.0));
  CHECK_FALSE(refuse.try_now(1, 0.5));  // too early: refused, and the slot is not taken
  CHECK(refuse.next_allowed(1) == 1.0);
  CHECK(refuse.try_now(1, 1.0));
}
