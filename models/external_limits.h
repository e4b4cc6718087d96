#pragma once
// What a third-party endpoint (a push provider, a payment processor, a crawled web site)
// enforces on its callers, without SimGrid: token buckets (one for the caller as a whole, one
// per key: a device, an account, a domain), robots.txt rules cached per domain, and a
// crawler's politeness slot per domain (the next time a fetch may start).
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace archsim {

// Sustained `rate` per second with bursts of up to `burst`: admits at most burst + rate x t in
// any interval of length t (reference-figures.md s16.10). Starts full.
class TokenBucket {
public:
  TokenBucket() = default;
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
  // Takes one token if there is one at `now` (times never go backwards for one bucket).
  bool take(double now);
  double tokens(double now) const;

private:
  void refill(double now);
  double rate_  = 0;
  double burst_ = 0;
  double tokens_ = 0;
  double last_   = 0;
};

// One bucket per key, made full the first time the key is seen. rate <= 0: no limit.
class KeyedBuckets {
public:
  KeyedBuckets(double rate, double burst) : rate_(rate), burst_(burst) {}
  bool enabled() const { return rate_ > 0; }
  bool take(uint64_t key, double now);
  size_t keys() const { return buckets_.size(); }

private:
  double rate_, burst_;
  std::unordered_map<uint64_t, TokenBucket> buckets_;
};

// robots.txt per domain: fetched on first contact and again once `ttl` has passed; a domain
// disallows a stable share of its URLs, drawn per domain around `disallowed` (uniform over
// [0, 2 x disallowed], capped at 1), so some domains forbid much and others nothing.
class RobotsRules {
public:
  RobotsRules(double ttl, double disallowed) : ttl_(ttl), disallowed_(disallowed) {}
  // True if robots.txt must be (re)fetched before this fetch; records the fetch at `now`.
  bool needs_fetch(uint64_t domain, double now);
  double disallowed_share(uint64_t domain) const;
  // Whether this URL (a stable id) of the domain is disallowed.
  bool disallowed(uint64_t domain, uint64_t url) const;

private:
  double ttl_, disallowed_;
  std::unordered_map<uint64_t, double> fetched_at_;
};

// A crawler's politeness per domain: fetches of one domain start at least `delay` apart.
class Politeness {
public:
  explicit Politeness(double delay) : delay_(delay) {}
  // Delay mode: books the next slot at or after `now` and returns its time.
  double book(uint64_t domain, double now);
  // Refuse mode: books `now` if the domain's slot has come, else returns false (too early).
  bool try_now(uint64_t domain, double now);
  double next_allowed(uint64_t domain) const;

private:
  double delay_;
  std::unordered_map<uint64_t, double> next_;
};

}  // namespace archsim
