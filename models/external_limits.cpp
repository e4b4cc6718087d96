#include "models/external_limits.h"

#include <algorithm>

#include "sim/core/hash_ring.h"

namespace archsim {

namespace {
double unit_of(uint64_t h) { return (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0; }
}  // namespace

void TokenBucket::refill(double now)
{
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + (now - last_) * rate_);
    last_   = now;
  }
}

bool TokenBucket::take(double now)
{
  refill(now);
  if (tokens_ < 1 - 1e-9)  // refills add up in floating point: 10 x 0.1 must make a token
    return false;
  tokens_ -= 1;
  return true;
}

double TokenBucket::tokens(double now) const
{
  return now > last_ ? std::min(burst_, tokens_ + (now - last_) * rate_) : tokens_;
}

bool KeyedBuckets::take(uint64_t key, double now)
{
  if (!enabled())
    return true;
  auto it = buckets_.find(key);
  if (it == buckets_.end())
    it = buckets_.emplace(key, TokenBucket(rate_, burst_)).first;
  return it->second.take(now);
}

bool RobotsRules::needs_fetch(uint64_t domain, double now)
{
  auto it = fetched_at_.find(domain);
  if (it != fetched_at_.end() && (ttl_ <= 0 || now < it->second + ttl_))
    return false;
  fetched_at_[domain] = now;
  return true;
}

double RobotsRules::disallowed_share(uint64_t domain) const
{
  return std::min(1.0, 2 * disallowed_ * unit_of(mix64(domain ^ 0x726f626f7473ULL)));
}

bool RobotsRules::disallowed(uint64_t domain, uint64_t url) const
{
  return unit_of(mix64(url ^ mix64(domain))) < disallowed_share(domain);
}

double Politeness::book(uint64_t domain, double now)
{
  double& next = next_[domain];
  double at    = std::max(now, next);
  next         = at + delay_;
  return at;
}

bool Politeness::try_now(uint64_t domain, double now)
{
  auto it = next_.find(domain);
  if (it != next_.end() && now < it->second)
    return false;
  next_[domain] = now + delay_;
  return true;
}

double Politeness::next_allowed(uint64_t domain) const
{
  auto it = next_.find(domain);
  return it == next_.end() ? 0 : it->second;
}

}  // namespace archsim
