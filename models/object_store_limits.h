#pragma once
// Pure state of the object_store model (S3-like), kept apart from SimGrid so that unit tests
// drive it directly: the per-prefix request-rate limits (one token bucket per prefix and request
// class, S3's 5,500 GET/HEAD/s and 3,500 PUT/COPY/POST/DELETE/s per partitioned prefix), the
// set of objects that exist, and the split of an object into multipart parts.
#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace archsim::objstore {

enum class OpClass { Read, Write };

// A token bucket of `rate` requests per second holding at most `depth` tokens, full at start.
// A request takes one token or is refused (no borrowing: S3 answers 503 Slow Down at once).
class RateBucket {
public:
  RateBucket(double rate, double depth);
  bool take(double now);
  double tokens() const { return tokens_; }

private:
  double rate_;
  double depth_;
  double tokens_;
  double last_ = 0;
};

// One bucket per (prefix, class). The prefix of a key is key % prefixes: keys spread over that
// many partitioned prefixes (a hot prefix is a hot bucket).
class PrefixLimiter {
public:
  PrefixLimiter(size_t prefixes, double read_rate, double write_rate, double burst_seconds);
  size_t prefix_of(uint64_t key) const { return static_cast<size_t>(key % read_.size()); }
  // false: over the prefix's rate, the request gets 503 SlowDown.
  bool admit(uint64_t key, OpClass c, double now);
  size_t prefixes() const { return read_.size(); }

private:
  std::vector<RateBucket> read_;
  std::vector<RateBucket> write_;
};

// Which objects exist: written by put/multipart, or all of them when the bucket is preloaded.
class ObjectIndex {
public:
  explicit ObjectIndex(bool preloaded) : preloaded_(preloaded) {}
  void put(uint64_t id) { ids_.insert(id); }
  bool exists(uint64_t id) const { return preloaded_ || ids_.count(id) > 0; }
  size_t written() const { return ids_.size(); }

private:
  bool preloaded_;
  std::unordered_set<uint64_t> ids_;
};

// Sizes of the parts of a multipart upload of `bytes` in parts of `part` bytes: ceil(bytes/part)
// parts, the last one smaller; at least one part (an empty object is one empty part).
std::vector<double> split_parts(double bytes, double part);

}  // namespace archsim::objstore
