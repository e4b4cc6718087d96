#pragma once
// Redis's data types as state, without SimGrid: what a key of each type really holds, what a
// command does to it, and how much work it did in the units the event loop pays for (levels of
// an ordered structure descended, elements visited or returned, bytes copied, calls made inside a
// script). models/redis.cpp turns that work into CPU time on a node's event loop and the result
// into an outcome; everything here is plain data, so unit tests drive it fast.
//
// Every structure holds real ids: a hash real field ids, a list real element ids and sizes, a
// sorted set real (member, score) pairs ranked in O(log N), a geo set real positions indexed by
// a 52-bit geohash (a sorted set, as in Redis), a bitmap real bits, a Bloom filter a real bit
// array probed by k hash functions, a count-min sketch real d x w counters. The probabilistic
// structures keep the ground truth next to them (the ids added, the true counts) only so that
// their false positives and over-counts can be measured.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "models/redis_shard.h"
#include "sim/core/key_cache.h"

namespace archsim {

// ---- Sorted set ------------------------------------------------------------------------------
// Members ordered by (score, member id), ties broken by member as Redis breaks them by name.
// An order-statistics treap (subtree sizes) gives rank, range by rank, and range or removal by
// score in O(log N + M), the bounds of Redis's skip list with span counters; a hash table gives
// member -> score in O(1) (ZSCORE).
class SortedSet {
public:
  // True if the member is new; an existing member moves to its new score.
  bool add(uint64_t member, double score);
  // ZINCRBY: the member's new score (added with `by` if absent).
  double incr(uint64_t member, double by);
  bool remove(uint64_t member);
  std::optional<double> score(uint64_t member) const;
  // 0-based rank by ascending score, or by descending score when `rev` (ZRANK / ZREVRANK).
  std::optional<size_t> rank(uint64_t member, bool rev = false) const;
  // The members ranked [start, start + count), lowest score first (highest first when `rev`).
  std::vector<std::pair<uint64_t, double>> range(size_t start, size_t count, bool rev = false) const;
  // Members with a score below `bound` (where a score range starts, by rank).
  size_t count_below(double bound) const;
  // ZREMRANGEBYSCORE -inf (bound: removes the members scored below `bound`; returns how many.
  size_t remove_below(double bound);
  size_t size() const { return scores_.size(); }
  bool empty() const { return scores_.empty(); }
  // Levels an O(log N) descent takes: log2(N + 1).
  double levels() const;

private:
  struct Node {
    double score;
    uint64_t member;
    uint64_t priority;
    int32_t left  = -1;
    int32_t right = -1;
    uint32_t size = 1;
  };
  static bool less(double s1, uint64_t m1, double s2, uint64_t m2) { return s1 < s2 || (s1 == s2 && m1 < m2); }
  uint32_t size_of(int32_t t) const { return t < 0 ? 0 : nodes_[static_cast<size_t>(t)].size; }
  Node& node(int32_t t) { return nodes_[static_cast<size_t>(t)]; }
  const Node& node(int32_t t) const { return nodes_[static_cast<size_t>(t)]; }
  void pull(int32_t t);
  void split(int32_t t, double score, uint64_t member, int32_t& left, int32_t& right);
  int32_t merge(int32_t a, int32_t b);
  int32_t erase(int32_t t, double score, uint64_t member);
  size_t count_less(double score, uint64_t member) const;
  void collect(int32_t t, size_t from, size_t to, std::vector<std::pair<uint64_t, double>>& out) const;
  void release(int32_t t);
  void insert(uint64_t member, double score);

  std::vector<Node> nodes_;
  std::vector<int32_t> free_;
  int32_t root_ = -1;
  uint64_t seed_ = 0x9e3779b97f4a7c15ULL;
  std::unordered_map<uint64_t, double> scores_;
};

// ---- Geo -------------------------------------------------------------------------------------
// Members at positions in a square world of side `side` km, indexed as Redis does: a sorted set
// whose score is the position's 52-bit geohash (26 bits per axis, interleaved). A radius query
// picks the geohash precision whose cells are at least `radius` wide, so that the circle lies in
// the 3 x 3 cells around its centre, reads each cell's score range from the index and measures
// every member found there: its cost grows with the cells and the members it examines (GEOSEARCH
// O(N + log M)). Distances are planar (a city-sized square, not a sphere).
class GeoSet {
public:
  struct Point {
    double x = 0, y = 0;  // km from the world's corner
  };
  struct Search {
    std::vector<uint64_t> members;  // within the radius, nearest first
    size_t examined = 0;            // members read from the cells and measured
    size_t cells    = 0;            // index ranges read
    double levels   = 0;            // ordered-structure levels descended to find them
  };

  explicit GeoSet(double side) : side_(side) {}
  // True if the member is new; an existing member moves.
  bool add(uint64_t member, Point p);
  std::optional<Point> position(uint64_t member) const;
  Search radius(Point centre, double radius_km, size_t count = 0) const;
  size_t size() const { return points_.size(); }
  double side() const { return side_; }

  // The position a member id has until something moves it: uniform over the world, from a hash.
  static Point home(uint64_t member, double side);
  static uint64_t geohash(Point p, double side);
  // Geohash cells per axis at precision `step` (bits per axis) and the step used for a radius.
  static unsigned step_for(double radius_km, double side);

private:
  double side_;
  SortedSet index_;
  std::unordered_map<uint64_t, Point> points_;
};

// ---- Bitmap ----------------------------------------------------------------------------------
// A string of bits: SETBIT grows it to the byte that holds the offset (Redis allocates up to it).
class Bitmap {
public:
  // Sets the bit and returns its previous value.
  bool set(uint64_t offset, bool bit);
  bool get(uint64_t offset) const;
  uint64_t count() const;  // BITCOUNT
  double bytes() const { return static_cast<double>(length_); }
  // The string's length once `offset` has been set.
  uint64_t length_after_set(uint64_t offset) const { return std::max(length_, offset / 8 + 1); }

private:
  std::vector<uint64_t> words_;
  uint64_t length_ = 0;  // bytes
};

// ---- Bloom filter ----------------------------------------------------------------------------
// RedisBloom's scalable Bloom filter: a chain of sub-filters; sub-filter i holds capacity *
// expansion^i items at error_rate * 0.5^i, with bits = capacity * bpe and ceil(ln 2 * bpe) hash
// functions, bpe = -ln(error) / ln(2)^2 bits per entry. An item "exists" if every probed bit of
// some sub-filter is set; new items go to the last sub-filter, and a full last sub-filter adds
// the next (expansion 0: non-scaling, adds fail when full). Probes use double hashing over the
// item id (Kirsch & Mitzenmacher), as RedisBloom does over MurmurHash64A.
class BloomFilter {
public:
  enum class Add { Added, Exists, Full };
  BloomFilter(uint64_t capacity, double error_rate, unsigned expansion);
  // `probes` gets the bits read and written.
  Add add(uint64_t item, size_t& probes);
  bool check(uint64_t item, size_t& probes) const;
  // Bytes the filter would hold after adding a new item (a new sub-filter when the last is full).
  double bytes_after_add(uint64_t item) const;
  double bytes() const;
  // Non-scaling and its last sub-filter full: adds fail.
  bool full() const { return expansion_ == 0 && layers_.back().count >= layers_.back().capacity; }
  size_t filters() const { return layers_.size(); }
  uint64_t bits(size_t layer) const { return layers_[layer].m; }
  unsigned hashes(size_t layer) const { return layers_[layer].k; }
  uint64_t items(size_t layer) const { return layers_[layer].count; }
  // Share of the sub-filter's bits that are set: fill^k is its false-positive rate.
  double fill(size_t layer) const;
  // (1 - e^{-k n / m})^k: the false-positive rate of one filter of m bits, k hashes, n items.
  static double expected_fp(double n, double m, double k);

private:
  struct Layer {
    std::vector<uint64_t> bits;
    uint64_t m = 0;
    unsigned k = 0;
    uint64_t capacity = 0;
    uint64_t count    = 0;
  };
  static Layer make_layer(uint64_t capacity, double error_rate);
  bool layer_has(const Layer& l, uint64_t item, size_t& probes) const;
  double error_rate_;
  unsigned expansion_;
  std::vector<Layer> layers_;
};

// ---- Count-min sketch ------------------------------------------------------------------------
// depth rows of width 32-bit counters (RedisBloom's CMS): an increment adds to one counter per
// row, a query takes the minimum over the rows, so it never under-counts and over-counts by at
// most e/width of the total with probability 1 - e^-depth (Cormode & Muthukrishnan).
class CountMinSketch {
public:
  CountMinSketch(uint32_t width, uint32_t depth);
  // The item's estimate after the increment.
  uint64_t incr(uint64_t item, uint64_t by);
  uint64_t query(uint64_t item) const;
  uint64_t total() const { return total_; }
  uint32_t width() const { return width_; }
  uint32_t depth() const { return depth_; }
  double bytes() const { return 4.0 * width_ * depth_; }

private:
  size_t cell(uint32_t row, uint64_t item) const;
  uint32_t width_, depth_;
  std::vector<uint32_t> counters_;
  uint64_t total_ = 0;
};

// ---- Rate limiters and locks (the state behind the built-in scripts) -------------------------
struct TokenBucket {
  double tokens = 0;
  double last   = 0;
  // Refills at `rate` up to `capacity` since `last`, then takes a token if there is one.
  bool take(double now, double rate, double capacity);
};

// A log of the times of the requests allowed in the last `window` (a sorted set of timestamps
// in Redis): trimmed of entries older than the window, then one more is allowed if fewer than
// `limit` remain.
struct SlidingLog {
  std::deque<double> times;
  // `trimmed` gets the entries dropped.
  bool take(double now, double window, uint64_t limit, size_t& trimmed);
};

// INCR of a counter that expires at the end of its window (window k = [k w, (k+1) w)).
struct FixedWindow {
  int64_t window  = -1;
  uint64_t count  = 0;
  bool take(double now, double window_length, uint64_t limit);
};

struct Lock {
  uint64_t holder = 0;  // the request that holds it
};

// ---- Commands --------------------------------------------------------------------------------
enum class TypedOp {
  HSet, HGet, HIncr, HDel, HGetAll,
  LPush, RPush, LPop, RPop, LRange,
  ZAdd, ZIncrBy, ZRem, ZRange, ZRank, ZScore, ZRemRangeByScore,
  GeoAdd, GeoRadius,
  SetBit, GetBit, BitCount,
  BloomAdd, BloomCheck,
  CmsIncr, CmsQuery,
  Script,
};
enum class ScriptKind { TokenBucket, SlidingWindowLog, FixedWindow, LockAcquire, LockRelease, CompareAndSet };

// Everything a command needs, drawn before it runs (member, score), so that a replica applying
// the same command reaches the same state. models/redis.cpp fills every field from the step's
// options, whose defaults (and their sources) are in redis_spec(); the values here only make a
// command built by hand (in tests) valid.
struct TypedCommand {
  TypedOp op    = TypedOp::HGet;
  uint64_t key  = 0;
  uint64_t member     = 0;  // field, element, member, bit offset or item
  double member_bytes = 8;  // value bytes of a hash field or a list element
  double number       = 1;  // score (zadd), increment (zincrby, hincr, cms_incr), bit (setbit)
  uint64_t count      = 0;  // range length (zrange, lrange), cap (lpush, rpush), geo count
  bool rev            = false;
  double radius       = 0;  // km
  double drift        = 0;  // km: geoadd moves the member by up to this much per axis
  double age          = 0;  // zremrangebyscore: drop scores older than now - age
  double key_ttl      = 0;  // a key the command creates expires after this (0: never)
  // Scripts
  ScriptKind script = ScriptKind::TokenBucket;
  uint64_t limit    = 10;
  double window     = 1;
  double rate       = 10;
  double capacity   = 10;
  double ttl        = 10;
  uint64_t caller   = 0;  // request id: a lock's holder
  // Bloom filter and count-min sketch created by this command
  uint64_t bloom_capacity = 100;
  double error_rate       = 0.01;
  unsigned expansion      = 2;
  uint32_t width = 2000, depth = 5;
};

struct TypedResult {
  enum class Status { Ok, Oom, WrongType, Full, OutOfRange };
  Status status = Status::Ok;
  std::string tag;     // the outcome a flow can branch on ("hit", "allowed", ...)
  bool read  = false;  // a read command (read_cpu), else a write (write_cpu)
  bool wrote = false;  // changed the data set: replicate it, log it to the AOF
  // Work done, for the event loop's CPU time
  double levels   = 0;  // ordered-structure levels descended (log2 N each)
  double elements = 0;  // elements visited or returned, hash probes
  double payload  = 0;  // value bytes copied in or out
  double scanned  = 0;  // bytes scanned once in memory (BITCOUNT)
  double calls    = 0;  // redis.call()s made by a script
  bool scripted   = false;
  double reply    = 0;  // reply bytes beyond the framing
  // Ground truth, for metrics
  bool truly_new       = false;  // bloom: the item had never been added
  bool false_positive  = false;  // bloom: "exists"/"maybe" for an item never added
  double overcount     = -1;     // cms_query: (estimate - true count) / total count
  size_t examined      = 0;      // georadius: members measured
  size_t trimmed       = 0;      // list cap, sliding log
};

// What the event loop pays per unit of work, in seconds; models/redis.cpp fills it from its
// parameters (read_cpu, write_cpu, cpu_per_byte, level_cpu, element_cpu, call_cpu, script_cpu,
// delivery_cpu), where the defaults and their sources are.
struct RedisCosts {
  double read     = 0;  // a read command, syscalls included
  double write    = 0;  // a write command
  double per_byte = 0;  // a value byte carried (crosses memory ~4 times)
  double level    = 0;  // one level of an ordered structure
  double element  = 0;  // one element visited or returned, one hash probe
  double call     = 0;  // one redis.call() inside a script
  double script   = 0;  // the script interpreter's overhead per EVALSHA
  double delivery = 0;  // one pub/sub message written to a subscriber's socket
  double of(const TypedResult& r) const;
  // PUBLISH to `subscribers`, a message of `bytes`: the command, then one copy and one socket
  // write per subscriber.
  double publish(size_t subscribers, double bytes) const;
};

// ---- The typed keys of one node --------------------------------------------------------------
// Lives next to the node's RedisShardState and shares its KeyCache: a structure's bytes count
// against maxmemory there, so a write that would not fit fails with "oom" under noeviction and
// evicts other keys otherwise. An evicted or expired key loses its structure, found lazily when
// the key is next touched. A key created by a command gets the command's key_ttl; modifying a
// structure keeps its TTL, as in Redis. Persistence as the node's: a crash loses every structure
// (none), the structures as they were at the last once-a-second fsync (aof_everysec: each key
// written since is restored from a copy taken before its first write in that second), or nothing
// (aof_always).
class RedisTypedStore {
public:
  RedisTypedStore(Persistence persistence, Eviction policy, double geo_side, double fsync_period = 1.0);

  TypedResult apply(const TypedCommand& cmd, KeyCache& cache, double now);
  // True if `key` holds a structure (dropping it if its key was evicted or has expired).
  bool holds(uint64_t key, const KeyCache& cache, double now);
  // DEL, or a SET over the key: its structure goes. True if there was one.
  bool drop(uint64_t key, KeyCache& cache, double now);
  // EXPIRE on a structure's key. True if there was one.
  bool expire(uint64_t key, KeyCache& cache, double now, double ttl);
  // The node dies: returns the acknowledged writes to structures that are gone.
  uint64_t crash(KeyCache& cache, double now);
  size_t keys() const { return entries_.size(); }

  // Read access for tests and metrics.
  const SortedSet* zset(uint64_t key) const;
  const GeoSet* geo(uint64_t key) const;
  const BloomFilter* bloom(uint64_t key) const;
  const CountMinSketch* cms(uint64_t key) const;

  struct Hash {
    struct Field {
      double bytes  = 0;
      double number = 0;  // HINCRBY counter
    };
    std::unordered_map<uint64_t, Field> fields;
  };
  struct List {
    std::deque<std::pair<uint64_t, double>> items;  // (element id, bytes), head first
  };
  struct Bloom {
    BloomFilter filter;
    std::unordered_set<uint64_t> truth;  // ids added, for the false-positive metric
  };
  struct Cms {
    CountMinSketch sketch;
    std::unordered_map<uint64_t, uint64_t> truth;  // true counts, for the over-count metric
  };
  using Value = std::variant<Hash, List, SortedSet, GeoSet, Bitmap, Bloom, Cms, TokenBucket, SlidingLog,
                             FixedWindow, Lock>;

  // Bytes a structure counts against maxmemory: elements x element size.
  static constexpr double kIdBytes      = 8;   // a member or field id (an integer-encoded string)
  static constexpr double kScoredBytes  = 16;  // a sorted-set or geo member: id and 8-byte score
  static constexpr double kCounterBytes = 16;  // a hash field id and its integer value
  static constexpr double kBucketBytes  = 32;  // token bucket: two fields (tokens, last refill)
  static constexpr double kWindowBytes  = 16;  // fixed window: counter and window
  static constexpr double kLogEntryBytes = 16; // sliding log: one timestamp member and its score

private:
  struct Entry {
    Value value;
    double bytes   = 0;
    double expires = 0;  // 0: never
  };
  // The live entry of `key`, or nullptr; `string` set when the key holds a plain string.
  Entry* lookup(uint64_t key, KeyCache& cache, double now, bool& string);
  // Before a write that leaves the key's structure at `bytes`: checks that it fits in maxmemory
  // (else sets "oom" and returns nullptr, nothing changed), notes the write, creates the entry
  // from `fresh` if the key had none, and accounts the new size in the cache.
  Entry* prepare(uint64_t key, Entry* e, double bytes, Value fresh, const TypedCommand& cmd, KeyCache& cache,
                 double now, TypedResult& r);
  bool fits(const Entry* e, double bytes, const KeyCache& cache) const;
  void set_ttl(uint64_t key, Entry& e, KeyCache& cache, double now, double ttl);
  void remove(uint64_t key, KeyCache& cache);
  // Before a write to `key`: count it, and keep what an everysec crash would bring back.
  void note_write(uint64_t key, double now);
  void run(const TypedCommand& cmd, KeyCache& cache, double now, TypedResult& r);
  void run_script(const TypedCommand& cmd, Entry* e, bool string, KeyCache& cache, double now, TypedResult& r);

  Persistence persistence_;
  Eviction policy_;
  double geo_side_;
  double fsync_period_;
  std::unordered_map<uint64_t, Entry> entries_;
  // aof_everysec: the keys written in the current second, as they were before.
  std::unordered_map<uint64_t, std::optional<Entry>> journal_;
  int64_t journal_period_ = -1;
  uint64_t unsynced_writes_ = 0;
  uint64_t writes_since_start_ = 0;
};

// ---- Pub/sub ---------------------------------------------------------------------------------
// Channels of one node and their subscribers (connections), with the endpoint each delivery
// goes to. A subscription lasts until its unsubscribe, its end (`until`, 0 = none) or a crash.
class PubSub {
public:
  struct Subscriber {
    uint64_t connection = 0;
    size_t endpoint     = 0;
    double until        = 0;
  };
  void subscribe(uint64_t channel, uint64_t connection, size_t endpoint, double until);
  bool unsubscribe(uint64_t channel, uint64_t connection);
  // The channel's current subscribers (ended ones are dropped).
  std::vector<Subscriber> subscribers(uint64_t channel, double now);
  size_t count(double now) const;
  void clear() { channels_.clear(); }

private:
  std::unordered_map<uint64_t, std::unordered_map<uint64_t, Subscriber>> channels_;
};

}  // namespace archsim
