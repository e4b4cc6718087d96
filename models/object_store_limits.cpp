#include "models/object_store_limits.h"

#include <algorithm>
#include <cmath>

namespace archsim::objstore {

RateBucket::RateBucket(double rate, double depth) : rate_(rate), depth_(std::max(1.0, depth)), tokens_(depth_) {}

bool RateBucket::take(double now)
{
  if (now > last_) {
    tokens_ = std::min(depth_, tokens_ + (now - last_) * rate_);
    last_   = now;
  }
  if (tokens_ < 1)
    return false;
  tokens_ -= 1;
  return true;
}

PrefixLimiter::PrefixLimiter(size_t prefixes, double read_rate, double write_rate, double burst_seconds)
{
  prefixes = std::max<size_t>(1, prefixes);
  for (size_t p = 0; p < prefixes; ++p) {
    read_.emplace_back(read_rate, read_rate * burst_seconds);
    write_.emplace_back(write_rate, write_rate * burst_seconds);
  }
}

bool PrefixLimiter::admit(uint64_t key, OpClass c, double now)
{
  size_t p = prefix_of(key);
  return (c == OpClass::Read ? read_[p] : write_[p]).take(now);
}

std::vector<double> split_parts(double bytes, double part)
{
  std::vector<double> parts;
  if (bytes <= 0 || part <= 0) {
    parts.push_back(std::max(0.0, bytes));
    return parts;
  }
  size_t n = static_cast<size_t>(std::ceil(bytes / part));
  for (size_t i = 0; i < n; ++i)
    parts.push_back(std::min(part, bytes - static_cast<double>(i) * part));
  return parts;
}

}  // namespace archsim::objstore
