// redis: Redis as a cache or a data store, alone or as a Redis Cluster with replicas, with its
// data types.
//
// Keeps: one event loop per node that runs one command at a time (a ThreadPool of one thread),
// with a CPU cost per command by type plus a cost per value byte, so a node's throughput caps at
// 1 / (cost per command) and its queue builds beyond; real keys in a bytes-bounded store per
// shard (`maxmemory`) with allkeys-lru, allkeys-lfu or noeviction and lazy TTL expiry, so hit
// ratios, evictions and out-of-memory errors come out of the run; Redis Cluster's 16384 hash
// slots split evenly over the shards, so a hot key makes a hot shard; asynchronous replication
// (the primary replies, then ships the write to each replica host, which applies it on its own
// loop: the lag is measured); AOF persistence: `aof_always` holds the loop for an fsync on every
// write, `aof_everysec` fsyncs in the background once a second, and crash() loses what each mode
// loses (pure logic in models/redis_shard.h). The data types are real state per key (pure logic
// in models/redis_types.h): hashes of real fields, lists of real elements, sorted sets of real
// (member, score) pairs ranked in O(log N), geo sets of real positions indexed by geohash cells,
// bitmaps of real bits, Bloom filters of real bits probed by k hashes and count-min sketches of
// real counters (false positives and over-counts measured against the ground truth), built-in
// scripts (token bucket, sliding-window log, fixed window, lock acquire/release, compare-and-set)
// that hold the loop for their whole run, and pub/sub whose PUBLISH pays per subscriber and sends
// each message over the network to the subscriber's host. Each command's CPU time follows its
// documented complexity (redis.io/commands), and a structure's bytes count against maxmemory.
// Abstracts away: pipelining, I/O threads, RDB snapshots and fork copy-on-write, MOVED/ASK
// redirects and slot migration, failover (crash() only loses state; the fault issue drives it),
// key-name CRC16 (a 64-bit mix of the key id stands in), per-key and per-element memory overhead
// (only element payloads count), compact encodings (listpack), classic cluster-wide pub/sub
// (channels live on their slot's shard, as sharded pub/sub does), pattern subscriptions, Lua
// beyond the built-in scripts, blocking list commands, spherical geometry (geo is planar).
#include "models/redis.h"

#include <stdexcept>
#include <unordered_map>

#include "models/redis_shard.h"
#include "models/redis_types.h"
#include "sim/core/hash_ring.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {

// Options shared by several operations.
ParamSpec member_option(const std::string& what)
{
  return param::key_space("member",
                          "Key space whose keys are the " + what +
                              ": the request's own key if it is the request class's key space, else one drawn from "
                              "its popularity once per request (every step of the request naming it gets the same "
                              "one); default: one drawn once per request from the step's key space");
}

ParamSpec count_option(const std::string& dflt, const std::string& doc)
{
  return param::count("count", dflt, doc).range(0, 1e9);
}

}  // namespace

const ModelSpec& redis_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "redis";
    s.summary   = "Redis / Redis Cluster: single-threaded shards over hash slots, eviction, replicas, AOF, data types, "
                  "pub/sub and scripts";
    s.keeps     = "one command at a time per node (event loop) with CPU per command by its complexity and per byte; "
                  "real keys under maxmemory with LRU/LFU/noeviction and TTL; 16384 hash slots over shards (hot key = "
                  "hot shard); asynchronous replication with measured lag; AOF always/everysec and what a crash loses; "
                  "real hashes, lists, sorted sets, geo sets, bitmaps, Bloom filters and count-min sketches per key; "
                  "atomic built-in scripts (rate limiters, locks, compare-and-set); pub/sub deliveries over the network";
    s.abstracts = "pipelining, I/O threads, RDB/fork, redirects and slot migration, failover, CRC16 of key names, "
                  "per-key and per-element memory overhead, compact encodings, cluster-wide (non-sharded) pub/sub and "
                  "patterns, Lua beyond the built-in scripts, blocking list commands, spherical geometry";
    s.params    = {
        param::count("shards", "1", "Primaries (one host each); the 16384 hash slots are split evenly over them")
            .range(1, 1000)
            .cite("reference-figures.md s1: Redis Cluster key space of 16384 hash slots, each primary serves a subset"),
        param::count("replicas_per_shard", "0",
                     "Replica hosts per shard, fed asynchronously after the primary replies (reads stay on "
                     "primaries)")
            .range(0, 10)
            .cite("reference-figures.md s1: replication is asynchronous by default, the client gets the reply first"),
        param::quantity("maxmemory", Unit::Size, "1GB", "Memory for values per node; eviction starts beyond it")
            .range(1, 1e15)
            .cite("a sizing choice (Redis's own default is 0 = unlimited); set it to the node's memory"),
        param::choice("eviction", {"allkeys-lru", "allkeys-lfu", "noeviction"}, "allkeys-lru",
                      "maxmemory-policy: evict the least recently / least frequently used key, or refuse writes "
                      "that need memory (error 'oom')")
            .cite("Redis's default is noeviction; allkeys-lru is the policy Redis recommends for a cache"),
        param::flag("warm", true,
                    "Start with the most popular keys of the key space that fit (per shard by slot), as at steady "
                    "state, when some flow reads this component with `get`; false = start empty. Data-type "
                    "structures always start empty"),
        param::key_space("warm_from",
                         "Key space to warm from (default: the scenario's only key space, if there is one)"),
        param::choice("persistence", {"none", "aof_everysec", "aof_always"}, "none",
                      "none: a crash loses everything; aof_everysec: fsync once a second in the background, a "
                      "crash loses the writes since; aof_always: fsync every write on the event loop, lose nothing")
            .cite("reference-figures.md s1: appendfsync everysec 'may lose 1 second of data'; always fsyncs every "
                  "write; redis.conf default appendonly no"),
        param::quantity("fsync", Unit::Duration, "5.9ms", "Time of one fsync of the AOF (aof_always waits for it)")
            .range(0, 10)
            .cite("reference-figures.md s7: 5.9 ms average fsync on a consumer SSD (5-15 ms), RabbitMQ quorum "
                  "queue run"),
        param::quantity("read_cpu", Unit::Duration, "12.1us", "Event-loop time per read command (GET), syscalls "
                                                              "included, before the per-byte cost")
            .range(0, 10)
            .cite("reference-figures.md s1: ~81k GET/s unpipelined with 256 B values = 12.3 us, minus 256 B at "
                  "cpu_per_byte"),
        param::quantity("write_cpu", Unit::Duration, "8.8us",
                        "Event-loop time per write command (SET, DEL, INCR, EXPIRE), before the per-byte cost")
            .range(0, 10)
            .cite("reference-figures.md s1: ~9 us per unpipelined SET (110k SET/s, 256 B values), minus 256 B at "
                  "cpu_per_byte"),
        param::quantity("cpu_per_byte", Unit::Duration, "1ns",
                        "Event-loop time per value byte carried (SET value in, GET value out)")
            .range(0, 1e-3)
            .cite("reference-figures.md s12: 1 MB read sequentially from memory in 250 us = 0.25 ns/B; a value "
                  "crosses memory ~4 times (socket, query buffer, object, reply buffer)"),
        param::quantity("level_cpu", Unit::Duration, "100ns",
                        "Event-loop time per level of an O(log N) descent (sorted set, geo index): ZADD on N "
                        "members costs write_cpu + log2(N+1) x level_cpu")
            .range(0, 1e-3)
            .cite("reference-figures.md s12: main memory reference 100 ns; one skip-list level is one pointer "
                  "chase to a node not in cache"),
        param::quantity("element_cpu", Unit::Duration, "100ns",
                        "Event-loop time per element visited or returned (LRANGE, HGETALL, ZRANGE, members a radius "
                        "query examines, PUBLISH per subscriber) and per Bloom / count-min probe")
            .range(0, 1e-3)
            .cite("reference-figures.md s12: main memory reference 100 ns; each element or probe is one random "
                  "memory access (its bytes are charged at cpu_per_byte)"),
        param::quantity("call_cpu", Unit::Duration, "1.2us",
                        "Event-loop time per redis.call() inside a script (a command without its syscalls)")
            .range(0, 1e-3)
            .cite("reference-figures.md s1 (derived): ~1.2 us per pipelined GET, the command's own processing with "
                  "the read()/write() syscalls amortised"),
        param::quantity("script_cpu", Unit::Duration, "0.84us",
                        "Event-loop time of the script interpreter per script run (EVALSHA), beyond its calls")
            .range(0, 1e-3)
            .cite("reference-figures.md s1: SCRIPT LOAD of a one-call script 69,881 RPS vs SET 74,239 RPS in the "
                  "same run: 14.31 - 13.47 us = 0.84 us more per script"),
        param::quantity("delivery_cpu", Unit::Duration, "5.6us",
                        "Event-loop time per pub/sub message written to a subscriber's socket (one write() syscall)")
            .range(0, 1e-3)
            .cite("reference-figures.md s1 (derived): unpipelined GET 12.35 us (81k/s) minus pipelined GET 1.16 us "
                  "(862,813/s) = 11.2 us for one read() and one write() syscall: 5.6 us per write()"),
        param::quantity("geo_side", Unit::Number, "100",
                        "Side in km of the square world where geo members live (members not yet added sit at a "
                        "position derived from a hash of their id, uniform over it)")
            .range(1e-3, 1e5)
            .cite("a sizing choice: a metropolitan area, the scale of the cheatsheet's Yelp and Uber searches"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy event-loop CPU / capacity, per node (per_replica: primaries first)"},
        {"thread_utilisation", Unit::Fraction, "Event loop held (CPU or a synchronous fsync) / time"},
        {"queue_length", Unit::Number, "Mean commands waiting for the event loop (all nodes)"},
        {"hits", Unit::Count, "GETs that found their key"},
        {"misses", Unit::Count, "GETs that did not (nothing is stored on a miss)"},
        {"hit_ratio", Unit::Fraction, "hits / GETs after warm-up"},
        {"evictions", Unit::Count, "Keys evicted by the maxmemory policy on primaries"},
        {"expirations", Unit::Count, "Keys found expired (lazily, on access or eviction) on primaries"},
        {"oom", Unit::Count, "Writes refused under noeviction because memory is full"},
        {"wrongtype", Unit::Count, "Commands refused because the key holds another type (WRONGTYPE)"},
        {"writes_lost", Unit::Count, "Acknowledged writes lost by crash() (per the persistence mode)"},
        {"incr_duplicates", Unit::Count, "INCR results handed out twice for the same key (a counter lost)"},
        {"replication_lag", Unit::Duration, "Mean time from the primary's reply to a replica having applied the "
                                             "write"},
        {"replication_dropped", Unit::Count, "Writes not shipped to a replica because the executor pool was full"},
        {"used_memory", Unit::Size, "Mean bytes held per primary at the end of the run"},
        {"typed_keys", Unit::Number, "Keys holding a data-type structure per primary at the end of the run"},
        {"allowed", Unit::Count, "Rate-limiter scripts that allowed the request"},
        {"denied", Unit::Count, "Rate-limiter scripts that denied the request"},
        {"lock_acquired", Unit::Count, "lock_acquire scripts that took the lock"},
        {"lock_busy", Unit::Count, "lock_acquire scripts that found it held"},
        {"lock_released", Unit::Count, "lock_release scripts run by the holder"},
        {"lock_not_owner", Unit::Count, "lock_release scripts by a request that no longer held the lock (its "
                                        "lease had expired)"},
        {"cas_swapped", Unit::Count, "compare_and_set scripts that wrote"},
        {"cas_conflicts", Unit::Count, "compare_and_set scripts that found the key changed since the request's "
                                       "watched get"},
        {"bloom_false_positives", Unit::Count, "bloom_check 'maybe' or bloom_add 'exists' for an id never added"},
        {"bloom_fp_rate", Unit::Fraction, "bloom_false_positives / Bloom commands on ids never added (after "
                                          "warm-up)"},
        {"cms_overcount", Unit::Fraction, "Mean over cms_query of (estimate - true count) / the sketch's total "
                                          "count: what the sketch's epsilon = e/width bounds"},
        {"geo_examined", Unit::Number, "Mean members a georadius examined (in the cells covering the circle)"},
        {"subscribers", Unit::Number, "Pub/sub subscriptions held on primaries at the end of the run"},
        {"deliveries", Unit::Count, "Pub/sub messages delivered to a subscriber's host"},
        {"deliveries_dropped", Unit::Count, "Pub/sub messages lost: the node crashed while sending, or the "
                                            "executor pool was full"},
        {"delivery_latency", Unit::Duration, "Mean time from PUBLISH reaching the node to the message reaching "
                                             "the subscriber's host"},
    };

    ParamSpec set_ttl = param::quantity("ttl", Unit::Duration, "0s", "Expiry of the key; 0 = the key space's ttl")
                            .range(0, 1e9);
    ParamSpec expire_ttl =
        param::required(param::quantity("ttl", Unit::Duration, "", "New time to live of the key").range(0, 1e9));
    ParamSpec watch = param::flag("watch", false,
                                  "WATCH the key: remember its version for a later compare_and_set script of the "
                                  "same request");
    ParamSpec field   = member_option("hash fields (their value size is the key space's value_size)");
    ParamSpec element = member_option("list elements (their size is the key space's value_size)");
    ParamSpec member  = member_option("sorted-set members");
    ParamSpec geo_member =
        member_option("geo members (for georadius: the member at the circle's centre; one not in the set sits "
                      "at its hash position)");
    ParamSpec offset = member_option("bit offsets");
    ParamSpec item   = member_option("items");
    ParamSpec score  = param::distribution("score", Unit::Number, "",
                                           "Score of the member; default: the current time in seconds (a "
                                           "time-ordered set, for sliding windows)");
    ParamSpec by     = param::quantity("by", Unit::Number, "1", "Increment");
    ParamSpec rev    = param::flag("rev", false, "Highest score first (ZRANGE ... REV, ZREVRANK)");
    ParamSpec cap    = param::count("cap", "0", "Keep only the newest `cap` elements (LTRIM after the push; 0 = all)")
                        .range(0, 1e9)
                        .cite("redis.io/commands/ltrim: O(N), N = elements removed");
    ParamSpec radius = param::quantity("radius", Unit::Number, "5", "Radius of the search, in km (a plain number)")
                           .range(0, 1e5);
    ParamSpec drift  = param::quantity("drift", Unit::Number, "0",
                                       "An existing member moves by up to this many km per axis (a driver); 0 = "
                                       "positions stay")
                          .range(0, 1e5);
    ParamSpec age = param::required(
        param::quantity("age", Unit::Duration, "", "Remove members scored (timestamped) more than this long ago")
            .range(0, 1e9));
    ParamSpec bit = param::count("bit", "1", "Value to set (0 or 1)").range(0, 1);
    ParamSpec sub_for = param::quantity("for", Unit::Duration, "0s",
                                        "How long the subscription lasts (the connection's life); 0 = until its "
                                        "unsubscribe or the node's crash")
                            .range(0, 1e9);
    std::vector<ParamSpec> script_options = {
        param::required(param::choice(
            "name",
            {"token_bucket", "sliding_window_log", "fixed_window", "lock_acquire", "lock_release", "compare_and_set"},
            "", "The built-in script to run")),
        param::count("limit", "10", "sliding_window_log, fixed_window: requests allowed per window")
            .range(1, 1e12)
            .cite("a design parameter (Redis has no rate limiter of its own)"),
        param::quantity("window", Unit::Duration, "1s", "sliding_window_log, fixed_window: window length")
            .range(1e-6, 1e9)
            .cite("a design parameter"),
        param::quantity("rate", Unit::Rate, "10/s", "token_bucket: refill rate").range(1e-9, 1e12).cite("a design "
                                                                                                         "parameter"),
        param::quantity("capacity", Unit::Number, "10", "token_bucket: bucket size (the burst allowed)")
            .range(1, 1e12)
            .cite("a design parameter"),
        param::quantity("ttl", Unit::Duration, "10s", "lock_acquire: lease (SET NX PX ttl); the lock frees itself then")
            .range(1e-6, 1e9)
            .cite("a design parameter (the cheatsheet's ticket holds use 10 min)"),
    };
    ParamSpec bloom_capacity = param::count("capacity", "100", "Items the first sub-filter is sized for (BF.RESERVE "
                                                               "capacity), when the add creates the filter")
                                   .range(1, 1e10)
                                   .cite("RedisBloom default INITIAL_SIZE 100 (redis.io/docs: Bloom filter "
                                         "configuration)");
    ParamSpec error_rate = param::quantity("error_rate", Unit::Fraction, "1%", "Target false-positive rate of the "
                                                                               "first sub-filter")
                               .range(1e-9, 0.5)
                               .cite("RedisBloom default ERROR_RATE 0.01 (redis.io/docs: Bloom filter configuration)");
    ParamSpec expansion = param::count("expansion", "2", "Growth of each new sub-filter when the last is full; 0 = "
                                                         "non-scaling (adds fail with 'full')")
                              .range(0, 1000)
                              .cite("RedisBloom default EXPANSION 2 (redis.io/commands/bf.reserve)");
    ParamSpec width = param::count("width", "2000", "Counters per row (when the increment creates the sketch): "
                                                    "over-count <= e/width of the total")
                          .range(1, 1e8)
                          .cite("RedisBloom's CMS.INITBYDIM has no default; 2000 x 5 gives eps = e/2000 = 0.14% with "
                                "probability 1 - e^-5 = 99.3% (reference-figures.md s16.8)");
    ParamSpec depth = param::count("depth", "5", "Rows (hash functions): the bound holds with probability 1 - e^-depth")
                          .range(1, 64)
                          .cite("reference-figures.md s16.8: d = ceil(ln(1/delta)); 5 rows for delta < 1%");
    s.operations = {
        {"get", "GET the request's key; on a miss nothing is stored (O(1))", {watch}, {"hit", "miss"}},
        {"set", "SET the key with its value size (error 'oom' under noeviction when full; replaces any type)",
         {set_ttl}, {}},
        {"del", "DEL the key, of any type", {}, {"found", "absent"}},
        {"incr", "INCR the key's counter, atomically (error 'oom' under noeviction when full)", {}, {}},
        {"expire", "EXPIRE the key, of any type: it disappears ttl from now", {expire_ttl}, {"found", "absent"}},
        // hashes
        {"hset", "HSET key field value (redis.io/commands/hset: O(1) per field)", {field}, {"added", "updated"}},
        {"hget", "HGET key field (O(1)); the field's value comes back", {field}, {"hit", "miss"}},
        {"hincr", "HINCRBY key field by (O(1)): a counter per field (votes per option)", {field, by}, {}},
        {"hdel", "HDEL key field (O(1) for one field)", {field}, {"found", "absent"}},
        {"hgetall", "HGETALL key (O(N), N = fields): every field comes back", {}, {"hit", "miss"}},
        // lists
        {"lpush", "LPUSH key element (O(1)), then LTRIM to `cap` (O(removed))", {element, cap}, {}},
        {"rpush", "RPUSH key element (O(1)), then LTRIM to the last `cap` (O(removed))", {element, cap}, {}},
        {"lpop", "LPOP key (O(1))", {}, {"found", "empty"}},
        {"rpop", "RPOP key (O(1))", {}, {"found", "empty"}},
        {"lrange", "LRANGE key 0 count-1 (O(S+N), S = 0, N = elements returned)",
         {count_option("10", "Elements from the head (0 = all)")}, {"hit", "miss"}},
        // sorted sets
        {"zadd", "ZADD key score member (redis.io/commands/zadd: O(log(N)))", {member, score}, {"added", "updated"}},
        {"zincrby", "ZINCRBY key by member (O(log(N)))", {member, by}, {}},
        {"zrem", "ZREM key member (O(log(N)))", {member}, {"found", "absent"}},
        {"zrange", "ZRANGE key 0 count-1 [REV] WITHSCORES (O(log(N)+M), M = members returned): a top-K read",
         {count_option("10", "Members returned (0 = all)"), rev}, {"hit", "miss"}},
        {"zrank", "ZRANK / ZREVRANK key member (O(log(N)))", {member, rev}, {"found", "absent"}},
        {"zscore", "ZSCORE key member (O(1))", {member}, {"found", "absent"}},
        {"zremrangebyscore", "ZREMRANGEBYSCORE key -inf (now-age) (O(log(N)+M), M = removed): trims a "
                             "time-ordered set to a sliding window",
         {age}, {"found", "absent"}},
        // geo
        {"geoadd", "GEOADD key lon lat member (O(log(N))): the member's position, stable or drifting",
         {geo_member, drift}, {"added", "updated"}},
        {"georadius", "GEOSEARCH key FROMMEMBER member BYRADIUS radius km ASC [COUNT count] (O(N+log(M)), N = members "
                      "in the cells around the circle)",
         {geo_member, radius, count_option("0", "Nearest members returned (0 = all within the radius)")},
         {"found", "none"}},
        // bitmaps
        {"setbit", "SETBIT key offset bit (O(1)); the outcome is the bit's previous value", {offset, bit},
         {"one", "zero"}},
        {"getbit", "GETBIT key offset (O(1))", {offset}, {"one", "zero"}},
        {"bitcount", "BITCOUNT key (O(N), N = bytes)", {}, {}},
        // probabilistic
        {"bloom_add", "BF.ADD key item (O(k), k hash functions): 'exists' when the filter says it may be there",
         {item, bloom_capacity, error_rate, expansion}, {"added", "exists"}},
        {"bloom_check", "BF.EXISTS key item (O(k))", {item}, {"maybe", "absent"}},
        {"cms_incr", "CMS.INCRBY key item by (O(depth)); creates the sketch (width x depth) if absent",
         {item, by, width, depth}, {}},
        {"cms_query", "CMS.QUERY key item (O(depth)): the estimate, never below the true count", {item}, {}},
        // scripts
        {"script", "EVALSHA of a built-in script, atomic on the event loop (nothing interleaves): token_bucket, "
                   "sliding_window_log, fixed_window (allowed/denied), lock_acquire (SET NX PX: acquired/busy), "
                   "lock_release (released/not_owner), compare_and_set (swapped/conflict against the request's "
                   "watched get)",
         script_options,
         {"allowed", "denied", "acquired", "busy", "released", "not_owner", "swapped", "conflict"}},
        // pub/sub
        {"subscribe", "SSUBSCRIBE channel (the request's key; O(1)): this request's connection receives the "
                      "channel's messages at the host it subscribed from",
         {sub_for}, {}},
        {"unsubscribe", "SUNSUBSCRIBE channel of this request's connection", {}, {"found", "absent"}},
        {"publish", "SPUBLISH channel message (O(N), N = subscribers): the message (the key's value size) goes to "
                    "every current subscriber's host",
         {}, {"delivered", "none"}},
    };
    return s;
  }();
  return spec;
}

Placement redis_placement(const ParamValues& p)
{
  // One host per node; the event loop is single-threaded, so the node has one core for it.
  auto shards = static_cast<size_t>(p.integer("shards"));
  return {shards * (1 + static_cast<size_t>(p.integer("replicas_per_shard"))), 1};
}

namespace {

// String commands (models/redis_shard.h) and the rest.
enum class Op { Get, Set, Del, Incr, Expire, Subscribe, Unsubscribe, Publish, CompareAndSet, Typed };

struct OpInfo {
  Op op;
  TypedOp typed = TypedOp::HGet;
};

OpInfo op_of(const Step& step)
{
  static const std::unordered_map<std::string, OpInfo> ops = {
      {"get", {Op::Get}},
      {"set", {Op::Set}},
      {"del", {Op::Del}},
      {"incr", {Op::Incr}},
      {"expire", {Op::Expire}},
      {"subscribe", {Op::Subscribe}},
      {"unsubscribe", {Op::Unsubscribe}},
      {"publish", {Op::Publish}},
      {"hset", {Op::Typed, TypedOp::HSet}},
      {"hget", {Op::Typed, TypedOp::HGet}},
      {"hincr", {Op::Typed, TypedOp::HIncr}},
      {"hdel", {Op::Typed, TypedOp::HDel}},
      {"hgetall", {Op::Typed, TypedOp::HGetAll}},
      {"lpush", {Op::Typed, TypedOp::LPush}},
      {"rpush", {Op::Typed, TypedOp::RPush}},
      {"lpop", {Op::Typed, TypedOp::LPop}},
      {"rpop", {Op::Typed, TypedOp::RPop}},
      {"lrange", {Op::Typed, TypedOp::LRange}},
      {"zadd", {Op::Typed, TypedOp::ZAdd}},
      {"zincrby", {Op::Typed, TypedOp::ZIncrBy}},
      {"zrem", {Op::Typed, TypedOp::ZRem}},
      {"zrange", {Op::Typed, TypedOp::ZRange}},
      {"zrank", {Op::Typed, TypedOp::ZRank}},
      {"zscore", {Op::Typed, TypedOp::ZScore}},
      {"zremrangebyscore", {Op::Typed, TypedOp::ZRemRangeByScore}},
      {"geoadd", {Op::Typed, TypedOp::GeoAdd}},
      {"georadius", {Op::Typed, TypedOp::GeoRadius}},
      {"setbit", {Op::Typed, TypedOp::SetBit}},
      {"getbit", {Op::Typed, TypedOp::GetBit}},
      {"bitcount", {Op::Typed, TypedOp::BitCount}},
      {"bloom_add", {Op::Typed, TypedOp::BloomAdd}},
      {"bloom_check", {Op::Typed, TypedOp::BloomCheck}},
      {"cms_incr", {Op::Typed, TypedOp::CmsIncr}},
      {"cms_query", {Op::Typed, TypedOp::CmsQuery}},
      {"script", {Op::Typed, TypedOp::Script}},
  };
  OpInfo info = ops.at(step.op);
  if (info.op == Op::Typed && info.typed == TypedOp::Script && step.args.text("name") == "compare_and_set")
    info.op = Op::CompareAndSet;
  return info;
}

bool uses_member(TypedOp op)
{
  switch (op) {
    case TypedOp::HGetAll:
    case TypedOp::LPop:
    case TypedOp::RPop:
    case TypedOp::LRange:
    case TypedOp::ZRange:
    case TypedOp::ZRemRangeByScore:
    case TypedOp::BitCount:
    case TypedOp::Script: return false;
    default: return true;
  }
}

ScriptKind script_of(const std::string& name)
{
  if (name == "sliding_window_log")
    return ScriptKind::SlidingWindowLog;
  if (name == "fixed_window")
    return ScriptKind::FixedWindow;
  if (name == "lock_acquire")
    return ScriptKind::LockAcquire;
  if (name == "lock_release")
    return ScriptKind::LockRelease;
  if (name == "compare_and_set")
    return ScriptKind::CompareAndSet;
  return ScriptKind::TokenBucket;
}

Eviction eviction_of(const std::string& s)
{
  return s == "allkeys-lfu" ? Eviction::Lfu : s == "noeviction" ? Eviction::NoEviction : Eviction::Lru;
}

Persistence persistence_of(const std::string& s)
{
  return s == "aof_always" ? Persistence::AofAlways : s == "aof_everysec" ? Persistence::AofEverysec
                                                                          : Persistence::None;
}

// Calls f(step) for every step of a flow, nested ones included.
template <class F>
void visit_steps(const std::vector<Step>& steps, const F& f)
{
  for (const auto& s : steps) {
    f(s);
    visit_steps(s.body, f);
    for (const auto& [tag, handler] : s.on_outcome)
      visit_steps(handler, f);
    for (const auto& b : s.branches)
      visit_steps(b, f);
    for (const auto& [p, c] : s.choices)
      visit_steps(c, f);
  }
}

// RESP framing: a command with a short key, and a status or integer reply ("+OK\r\n", ":1\r\n").
constexpr double kCommandBytes = 50;
constexpr double kReplyBytes   = 5;
// A pushed pub/sub message: "*3\r\n$8\r\nsmessage\r\n$<n>\r\n<channel>\r\n$<n>\r\n" around the payload.
constexpr double kPushBytes = 40;

// What a request remembers at this component across its steps: the keys it WATCHed.
struct RedisSession {
  struct Seen {
    uint64_t version;
    bool present;
  };
  std::unordered_map<uint64_t, Seen> watched;
};

class Redis : public Component {
public:
  Redis(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , shards_(static_cast<size_t>(spec.params.integer("shards")))
      , per_shard_(static_cast<size_t>(spec.params.integer("replicas_per_shard")))
      , loops_(*metrics_, replicas(), 1, 0)
      , cpu_(*metrics_, hosts_)
      , persistence_(persistence_of(spec.params.text("persistence")))
      , fsync_(spec.params.number("fsync"))
      , read_cpu_(spec.params.number("read_cpu"))
      , write_cpu_(spec.params.number("write_cpu"))
      , per_byte_(spec.params.number("cpu_per_byte"))
      , evictions_seen_(replicas(), 0)
      , expirations_seen_(replicas(), 0)
      , versions_(replicas())
      , pubsub_(replicas())
      , epoch_(replicas(), 0)
      , scores_(rt.stream(spec.name, "scores"))
  {
    costs_.read     = read_cpu_;
    costs_.write    = write_cpu_;
    costs_.per_byte = per_byte_;
    costs_.level    = spec.params.number("level_cpu");
    costs_.element  = spec.params.number("element_cpu");
    costs_.call     = spec.params.number("call_cpu");
    costs_.script   = spec.params.number("script_cpu");
    costs_.delivery = spec.params.number("delivery_cpu");
    member_seed_    = rt.stream(spec.name, "members").next_u64();
    Eviction policy = eviction_of(spec.params.text("eviction"));
    for (size_t n = 0; n < replicas(); ++n) {
      states_.emplace_back(spec.params.number("maxmemory"), policy, persistence_);
      stores_.emplace_back(persistence_, policy, spec.params.number("geo_side"));
    }
    for (const auto& name : rt.scenario().measured_class_names()) {
      const KeySpaceSpec* space = nullptr;
      for (const auto& c : rt.scenario().workload)
        if (c.name == name && !c.key_space.empty())
          space = rt.scenario().key_space(c.key_space);
      class_spaces_.push_back(space);
    }
    bool reads = scan_flows();
    if (spec.params.flag("warm") && reads)
      warm_up(spec);
  }

  size_t choose_replica(const FlowContext& ctx) override
  {
    if (ctx.has_key)
      return RedisSlots::shard(key_of(ctx), shards_);
    return next_replica_++ % shards_;
  }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    OpInfo info = op_of(step);
    if (info.op == Op::Set || info.op == Op::Publish || info.op == Op::CompareAndSet)
      return kCommandBytes + value_bytes(ctx);
    if (info.op == Op::Typed &&
        (info.typed == TypedOp::HSet || info.typed == TypedOp::LPush || info.typed == TypedOp::RPush)) {
      auto [space, member] = member_of(ctx, step);
      return kCommandBytes + value_bytes(space, member);
    }
    return kCommandBytes;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t node, const Body&) override
  {
    if (down_[node])
      return Outcome::error("unavailable");
    OpInfo info = op_of(step);
    switch (info.op) {
      case Op::Typed: return serve_typed(ctx, step, node, info.typed);
      case Op::Subscribe:
      case Op::Unsubscribe:
      case Op::Publish: return serve_pubsub(ctx, step, node, info.op);
      case Op::CompareAndSet: return serve_cas(ctx, node);
      default: return serve_string(ctx, step, node, info.op);
    }
  }

  // The node's process dies: its data goes as its persistence mode says, its subscriptions and
  // the messages it is sending go, and it answers nothing until recover().
  void crash(size_t node) override
  {
    double now      = rt_.now();
    KeyCache& cache = states_[node].cache();
    uint64_t lost   = states_[node].crash(now);
    lost += stores_[node].crash(cache, now);
    metrics_->count(now, "writes_lost", static_cast<double>(lost));
    evictions_seen_[node]   = cache.evictions();
    expirations_seen_[node] = cache.expirations();
    pubsub_[node].clear();
    ++epoch_[node];
    Component::crash(node);
  }

  void finish() override
  {
    double now = rt_.now();
    if (gets_ > 0)
      metrics_->set_value("hit_ratio", hits_ / gets_);
    if (lag_count_ > 0)
      metrics_->set_value("replication_lag", lag_sum_ / lag_count_);
    double used = 0, typed = 0, subscribers = 0;
    for (size_t s = 0; s < shards_; ++s) {
      used += states_[s].cache().used_bytes();
      typed += static_cast<double>(stores_[s].keys());
      subscribers += static_cast<double>(pubsub_[s].count(now));
    }
    metrics_->set_value("used_memory", used / static_cast<double>(shards_));
    metrics_->set_value("typed_keys", typed / static_cast<double>(shards_));
    metrics_->set_value("subscribers", subscribers);
    if (bloom_new_ > 0)
      metrics_->set_value("bloom_fp_rate", bloom_fp_ / bloom_new_);
    if (cms_queries_ > 0)
      metrics_->set_value("cms_overcount", cms_over_sum_ / cms_queries_);
    if (geo_queries_ > 0)
      metrics_->set_value("geo_examined", geo_examined_ / geo_queries_);
    if (delivery_count_ > 0)
      metrics_->set_value("delivery_latency", delivery_sum_ / delivery_count_);
  }

private:
  size_t replica_node(size_t shard, size_t k) const { return shards_ + shard * per_shard_ + k; }
  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }

  // The Redis key of the request: key ids of the first key space as they are, those of the other
  // key spaces made distinct from them (key spaces stand for key-name prefixes).
  uint64_t key_of(const FlowContext& ctx) const
  {
    if (!ctx.has_key)
      return 0;
    if (!ctx.key_space || rt_.scenario().data.empty() || ctx.key_space == &rt_.scenario().data.front())
      return ctx.key;
    return item_id(ctx.key_space->name, ctx.key);
  }

  // The member a step acts on, and its key space (see member_option()).
  std::pair<const KeySpaceSpec*, uint64_t> member_of(const FlowContext& ctx, const Step& step) const
  {
    const std::string& name   = step.args.has("member") ? step.args.text("member") : empty_;
    const KeySpaceSpec* space = name.empty() ? ctx.key_space : rt_.scenario().key_space(name);
    if (!space || !ctx.req)
      return {space, 0};
    size_t index = ctx.req->class_index;
    if (!name.empty() && index < class_spaces_.size() && class_spaces_[index] == space && ctx.req->has_key)
      return {space, ctx.req->key};
    // One draw per (request, key space, explicit or default), from the space's popularity.
    Rng rng(member_seed_ ^ mix64(ctx.req->id) ^ item_id(space->name, name.empty() ? 1 : 2));
    return {space, space->popularity->sample(rng)};
  }

  // Checks the members named by steps on this component and finds what the flows use.
  // Returns whether any step reads this component with `get` (then a warm start makes sense).
  bool scan_flows()
  {
    bool reads = false;
    auto check = [&](const Step& s) {
      if (s.kind != Step::Kind::Op || s.component != name())
        return;
      reads |= s.op == "get";
      if (s.op == "script" && s.args.text("name") == "compare_and_set")
        track_versions_ = true;
      if (s.args.has("member") && !s.args.text("member").empty() && !rt_.scenario().key_space(s.args.text("member")))
        throw std::runtime_error("component '" + name() + "': step '" + s.op + "' names member key space '" +
                                 s.args.text("member") + "', which is not under 'data:'");
    };
    for (const auto& c : rt_.scenario().workload)
      visit_steps(c.flow, check);
    for (const auto& f : rt_.scenario().component_flows)
      visit_steps(f.flow, check);
    return reads;
  }

  void warm_up(const ComponentSpec& spec)
  {
    const KeySpaceSpec* space = nullptr;
    if (spec.params.has("warm_from") && !spec.params.text("warm_from").empty())
      space = rt_.scenario().key_space(spec.params.text("warm_from"));
    else if (rt_.scenario().data.size() == 1)
      space = &rt_.scenario().data.front();
    if (!space)
      return;
    std::vector<bool> full(shards_, false);
    size_t full_count = 0;
    FlowContext probe;
    probe.key_space = space;
    probe.has_key   = true;
    // At steady state keys with a TTL have spread-out remaining lives: give each a stable
    // uniform share of the TTL, so that they do not all expire at once.
    warm_start(*space, 20'000'000, [&](uint64_t rank, double bytes) {
      probe.key    = rank;
      uint64_t key = key_of(probe);
      size_t s     = RedisSlots::shard(key, shards_);
      if (full[s])
        return true;
      double ttl = space->ttl > 0
                       ? space->ttl * ((static_cast<double>(mix64(rank ^ 0x74746cULL) >> 11) + 0.5) / 9007199254740992.0)
                       : 0;
      if (!states_[s].warm(key, bytes, 0, ttl)) {
        full[s] = true;
        return ++full_count < shards_;
      }
      for (size_t k = 0; k < per_shard_; ++k)
        states_[replica_node(s, k)].warm(key, bytes, 0, ttl);
      return true;
    });
  }

  // ---- strings ----------------------------------------------------------------------------

  Outcome serve_string(FlowContext& ctx, const Step& step, size_t node, Op op)
  {
    loops_.acquire(node);
    double now   = rt_.now();
    uint64_t key = key_of(ctx);
    double bytes = value_bytes(ctx);
    double ttl   = 0;
    if (op == Op::Set)
      ttl = step.args.number("ttl") > 0 ? step.args.number("ttl") : ctx.key_space ? ctx.key_space->ttl : 0;
    else if (op == Op::Expire)
      ttl = step.args.number("ttl");
    Outcome o;
    bool wrote     = false;
    double payload = 0;  // value bytes the loop copies
    RedisShardState& st   = states_[node];
    RedisTypedStore& type = stores_[node];
    switch (op) {
      case Op::Get: {
        if (type.holds(key, st.cache(), now)) {
          o = wrong_type(now);
          break;
        }
        bool hit = st.get(key, now);
        count_get(now, hit);
        if (step.args.flag("watch"))
          watch(ctx, node, key, hit);
        o                = Outcome::success(hit ? "hit" : "miss");
        payload          = hit ? bytes : 0;
        o.response_bytes = kReplyBytes + payload;
        break;
      }
      case Op::Set:
        type.drop(key, st.cache(), now);  // SET replaces a value of any type
        wrote   = st.set(key, bytes, now, ttl);
        payload = bytes;
        o       = wrote ? Outcome::success() : oom(now);
        break;
      case Op::Del:
        wrote = type.drop(key, st.cache(), now) || st.del(key, bytes, now);
        o     = Outcome::success(wrote ? "found" : "absent");
        break;
      case Op::Incr:
        if (type.holds(key, st.cache(), now)) {
          o = wrong_type(now);
        } else if (auto v = st.incr(key, now)) {
          wrote = true;
          note_counter(now, key, *v);
          o = Outcome::success();
        } else {
          o = oom(now);
        }
        break;
      case Op::Expire:
        wrote = type.expire(key, st.cache(), now, ttl) || st.expire(key, bytes, now, ttl);
        o     = Outcome::success(wrote ? "found" : "absent");
        break;
      default: break;
    }
    if (o.response_bytes < 0)
      o.response_bytes = kReplyBytes;
    if (wrote && op != Op::Expire)
      bump(node, key);
    account(node, now);
    cpu_.work(node, (op == Op::Get ? read_cpu_ : write_cpu_) + per_byte_ * payload);
    if (wrote && persistence_ == Persistence::AofAlways && fsync_ > 0)
      disk_wait(node, fsync_);  // appendfsync always: the loop waits for the disk
    loops_.release(node);
    if (wrote && node < shards_)
      replicate(node, op, key, bytes, ttl);
    return o;
  }

  Outcome oom(double now)
  {
    metrics_->count(now, "oom");
    return Outcome::error("oom");
  }
  Outcome wrong_type(double now)
  {
    metrics_->count(now, "wrongtype");
    return Outcome::error("wrongtype");
  }

  // ---- compare-and-set (WATCH, then a script that writes only if nothing changed) ----------

  void bump(size_t node, uint64_t key)
  {
    if (track_versions_)
      ++versions_[node][key];
  }
  uint64_t version(size_t node, uint64_t key) const
  {
    auto it = versions_[node].find(key);
    return it == versions_[node].end() ? 0 : it->second;
  }

  void watch(FlowContext& ctx, size_t node, uint64_t key, bool present)
  {
    auto session = std::static_pointer_cast<RedisSession>(ctx.session(this));
    if (!session) {
      session = std::make_shared<RedisSession>();
      ctx.set_session(this, session);
    }
    session->watched[key] = {version(node, key), present};
  }

  Outcome serve_cas(FlowContext& ctx, size_t node)
  {
    loops_.acquire(node);
    double now          = rt_.now();
    uint64_t key        = key_of(ctx);
    double bytes        = value_bytes(ctx);
    RedisShardState& st = states_[node];
    Outcome o;
    bool wrote = false;
    if (stores_[node].holds(key, st.cache(), now)) {
      o = wrong_type(now);
    } else {
      // Without a watched read, the script only creates the key (SET NX).
      auto session  = std::static_pointer_cast<RedisSession>(ctx.session(this));
      bool present  = st.cache().contains(key, now);
      bool ok       = !present;
      if (session) {
        auto seen = session->watched.find(key);
        if (seen != session->watched.end()) {
          ok = seen->second.version == version(node, key) && seen->second.present == present;
          session->watched.erase(seen);  // EXEC unwatches
        }
      }
      if (!ok) {
        metrics_->count(now, "cas_conflicts");
        o = Outcome::success("conflict");
      } else if (st.set(key, bytes, now, ctx.key_space ? ctx.key_space->ttl : 0)) {
        wrote = true;
        bump(node, key);
        metrics_->count(now, "cas_swapped");
        o = Outcome::success("swapped");
      } else {
        o = oom(now);
      }
    }
    o.response_bytes = kReplyBytes;
    account(node, now);
    cpu_.work(node, write_cpu_ + costs_.script + 2 * costs_.call + (wrote ? per_byte_ * bytes : 0));
    if (wrote && persistence_ == Persistence::AofAlways && fsync_ > 0)
      disk_wait(node, fsync_);
    loops_.release(node);
    if (wrote && node < shards_)
      replicate(node, Op::Set, key, bytes, ctx.key_space ? ctx.key_space->ttl : 0);
    return o;
  }

  // ---- data types -------------------------------------------------------------------------

  TypedCommand command_of(const FlowContext& ctx, const Step& step, TypedOp op)
  {
    TypedCommand c;
    c.op      = op;
    c.key     = key_of(ctx);
    c.key_ttl = ctx.key_space ? ctx.key_space->ttl : 0;
    c.caller  = ctx.req ? ctx.req->id : 0;
    if (uses_member(op)) {
      auto [space, member] = member_of(ctx, step);
      c.member             = member;
      c.member_bytes       = value_bytes(space, member);
    }
    const ParamValues& a = step.args;
    if (a.has("by"))
      c.number = a.number("by");
    if (op == TypedOp::ZAdd && a.has("score"))
      c.number = a.dist("score").sample(scores_);
    if (op == TypedOp::SetBit)
      c.number = a.number("bit");
    if (a.has("count"))
      c.count = static_cast<uint64_t>(a.integer("count"));
    if (a.has("cap"))
      c.count = static_cast<uint64_t>(a.integer("cap"));
    if (a.has("rev"))
      c.rev = a.flag("rev");
    if (a.has("radius"))
      c.radius = a.number("radius");
    if (a.has("drift"))
      c.drift = a.number("drift");
    if (a.has("age"))
      c.age = a.number("age");
    if (op == TypedOp::Script) {
      c.script   = script_of(a.text("name"));
      c.limit    = static_cast<uint64_t>(a.integer("limit"));
      c.window   = a.number("window");
      c.rate     = a.number("rate");
      c.capacity = a.number("capacity");
      c.ttl      = a.number("ttl");
    }
    if (op == TypedOp::BloomAdd) {
      c.bloom_capacity = static_cast<uint64_t>(a.integer("capacity"));
      c.error_rate     = a.number("error_rate");
      c.expansion      = static_cast<unsigned>(a.integer("expansion"));
    }
    if (op == TypedOp::CmsIncr) {
      c.width = static_cast<uint32_t>(a.integer("width"));
      c.depth = static_cast<uint32_t>(a.integer("depth"));
    }
    return c;
  }

  Outcome serve_typed(FlowContext& ctx, const Step& step, size_t node, TypedOp op)
  {
    TypedCommand cmd = command_of(ctx, step, op);  // what the client sends, decided before it queues
    loops_.acquire(node);
    double now = rt_.now();
    if (op == TypedOp::ZAdd && !step.args.has("score"))
      cmd.number = now;  // the timestamp the script or client takes at the server
    TypedResult r = stores_[node].apply(cmd, states_[node].cache(), now);
    Outcome o     = outcome_of(r, now);
    record(r, cmd, now);
    account(node, now);
    cpu_.work(node, costs_.of(r));  // the whole command, scripts included: nothing interleaves
    if (r.wrote && persistence_ == Persistence::AofAlways && fsync_ > 0)
      disk_wait(node, fsync_);
    loops_.release(node);
    if (r.wrote && node < shards_)
      replicate_typed(node, cmd, now);
    return o;
  }

  Outcome outcome_of(const TypedResult& r, double now)
  {
    using S = TypedResult::Status;
    switch (r.status) {
      case S::Oom: return oom(now);
      case S::WrongType: return wrong_type(now);
      case S::Full: return Outcome::error("full");
      case S::OutOfRange: return Outcome::error("range");
      case S::Ok: break;
    }
    Outcome o        = Outcome::success(r.tag);
    o.response_bytes = kReplyBytes + r.reply;
    return o;
  }

  void record(const TypedResult& r, const TypedCommand& cmd, double now)
  {
    static const std::unordered_map<std::string, const char*> counters = {
        {"allowed", "allowed"},          {"denied", "denied"},          {"acquired", "lock_acquired"},
        {"busy", "lock_busy"},           {"released", "lock_released"}, {"not_owner", "lock_not_owner"},
    };
    if (cmd.op == TypedOp::Script)
      if (auto it = counters.find(r.tag); it != counters.end())
        metrics_->count(now, it->second);
    if (r.false_positive)
      metrics_->count(now, "bloom_false_positives");
    if (!measured(now))
      return;
    if ((cmd.op == TypedOp::BloomAdd || cmd.op == TypedOp::BloomCheck) && r.truly_new &&
        r.status == TypedResult::Status::Ok) {
      bloom_new_ += 1;
      bloom_fp_ += r.false_positive ? 1 : 0;
    }
    if (r.overcount >= 0) {
      cms_queries_ += 1;
      cms_over_sum_ += r.overcount;
    }
    if (cmd.op == TypedOp::GeoRadius && r.status == TypedResult::Status::Ok) {
      geo_queries_ += 1;
      geo_examined_ += static_cast<double>(r.examined);
    }
  }

  // ---- pub/sub ----------------------------------------------------------------------------

  size_t endpoint(sg4::Host* h)
  {
    auto [it, fresh] = endpoint_index_.emplace(h, endpoints_.size());
    if (fresh)
      endpoints_.push_back(h);
    return it->second;
  }

  Outcome serve_pubsub(FlowContext& ctx, const Step& step, size_t node, Op op)
  {
    loops_.acquire(node);
    double now       = rt_.now();
    uint64_t channel = key_of(ctx);
    uint64_t conn    = ctx.req ? ctx.req->id : 0;
    Outcome o        = Outcome::success();
    double cpu       = write_cpu_;
    std::vector<PubSub::Subscriber> subs;
    double bytes = 0;
    if (op == Op::Subscribe) {
      double lasts = step.args.number("for");
      pubsub_[node].subscribe(channel, conn, endpoint(ctx.caller ? ctx.caller : host(node)), lasts > 0 ? now + lasts : 0);
    } else if (op == Op::Unsubscribe) {
      o = Outcome::success(pubsub_[node].unsubscribe(channel, conn) ? "found" : "absent");
    } else {
      subs  = pubsub_[node].subscribers(channel, now);
      bytes = value_bytes(ctx);
      cpu   = costs_.publish(subs.size(), bytes);
      o     = Outcome::success(subs.empty() ? "none" : "delivered");
    }
    o.response_bytes = kReplyBytes;
    cpu_.work(node, cpu);  // PUBLISH copies the message to every subscriber's socket on the loop
    loops_.release(node);
    if (!subs.empty())
      deliver(node, subs, bytes, now);
    return o;
  }

  // Sends the message to each subscriber's host: one transfer per host, carrying one copy per
  // subscriber there. Fire and forget: a crash of the node before it arrives loses it.
  void deliver(size_t node, const std::vector<PubSub::Subscriber>& subs, double bytes, double published)
  {
    std::unordered_map<size_t, size_t> per_host;
    for (const auto& s : subs)
      ++per_host[s.endpoint];
    for (const auto& [ep, n] : per_host) {
      sg4::Host* to  = endpoints_[ep];
      uint64_t epoch = epoch_[node];
      double copies  = static_cast<double>(n);
      bool queued    = rt_.pool().submit([this, node, to, copies, bytes, published, epoch]() {
        rt_.transfer(host(node), to, copies * (kPushBytes + bytes));
        double now = rt_.now();
        if (epoch_[node] != epoch) {
          metrics_->count(now, "deliveries_dropped", copies);
          return;
        }
        metrics_->count(now, "deliveries", copies);
        if (measured(published)) {
          delivery_sum_ += copies * (now - published);
          delivery_count_ += copies;
        }
      });
      if (!queued)
        metrics_->count(published, "deliveries_dropped", copies);
    }
  }

  // ---- bookkeeping ------------------------------------------------------------------------

  void count_get(double now, bool hit)
  {
    metrics_->count(now, hit ? "hits" : "misses");
    if (measured(now)) {
      gets_ += 1;
      hits_ += hit ? 1 : 0;
    }
  }

  // Every INCR value of a key up to its highest so far has been handed out (counters climb by
  // one), so a value at or below that mark is a duplicate: a counter was lost and restarted.
  void note_counter(double now, uint64_t key, int64_t value)
  {
    int64_t& mark = high_marks_[key];
    if (value <= mark)
      metrics_->count(now, "incr_duplicates");
    else
      mark = value;
  }

  void account(size_t node, double now)
  {
    if (node >= shards_)
      return;  // replicas take the primary's evictions in real Redis; count each key once
    const KeyCache& c = states_[node].cache();
    if (c.evictions() > evictions_seen_[node])
      metrics_->count(now, "evictions", static_cast<double>(c.evictions() - evictions_seen_[node]));
    if (c.expirations() > expirations_seen_[node])
      metrics_->count(now, "expirations", static_cast<double>(c.expirations() - expirations_seen_[node]));
    evictions_seen_[node]   = c.evictions();
    expirations_seen_[node] = c.expirations();
  }

  void note_lag(double replied)
  {
    if (measured(replied)) {
      lag_sum_ += rt_.now() - replied;
      lag_count_ += 1;
    }
  }

  // After the reply: ship the write to each replica host, which applies it on its own loop.
  void replicate(size_t shard, Op op, uint64_t key, double bytes, double ttl)
  {
    double replied = rt_.now();
    for (size_t k = 0; k < per_shard_; ++k) {
      size_t to   = replica_node(shard, k);
      bool queued = rt_.pool().submit([this, shard, to, op, key, bytes, ttl, replied]() {
        rt_.transfer(host(shard), host(to), kCommandBytes + (op == Op::Set ? bytes : 0));
        if (down_[to])
          return;
        loops_.acquire(to);
        double now          = rt_.now();
        RedisShardState& st = states_[to];
        RedisTypedStore& ty = stores_[to];
        switch (op) {
          case Op::Set:
            ty.drop(key, st.cache(), now);
            st.set(key, bytes, now, ttl);
            break;
          case Op::Del:
            if (!ty.drop(key, st.cache(), now))
              st.del(key, bytes, now);
            break;
          case Op::Incr: st.incr(key, now); break;
          case Op::Expire:
            if (!ty.expire(key, st.cache(), now, ttl))
              st.expire(key, bytes, now, ttl);
            break;
          default: break;
        }
        cpu_.work(to, write_cpu_ + per_byte_ * (op == Op::Set ? bytes : 0));
        loops_.release(to);
        note_lag(replied);
      });
      if (!queued)
        metrics_->count(replied, "replication_dropped");
    }
  }

  // A write to a structure goes to the replicas as the command itself, applied at the primary's
  // time: the same state results (scripts included: their effects depend only on state and time).
  void replicate_typed(size_t shard, const TypedCommand& cmd, double at)
  {
    double replied = rt_.now();
    double payload = cmd.op == TypedOp::HSet || cmd.op == TypedOp::LPush || cmd.op == TypedOp::RPush
                         ? cmd.member_bytes
                         : 0;
    for (size_t k = 0; k < per_shard_; ++k) {
      size_t to   = replica_node(shard, k);
      bool queued = rt_.pool().submit([this, shard, to, cmd, at, payload, replied]() {
        rt_.transfer(host(shard), host(to), kCommandBytes + payload);
        if (down_[to])
          return;
        loops_.acquire(to);
        TypedResult r = stores_[to].apply(cmd, states_[to].cache(), at);
        cpu_.work(to, costs_.of(r));
        loops_.release(to);
        note_lag(replied);
      });
      if (!queued)
        metrics_->count(replied, "replication_dropped");
    }
  }

  size_t shards_;
  size_t per_shard_;
  ThreadPool loops_;  // one thread per node: the event loop
  CpuMeter cpu_;
  Persistence persistence_;
  double fsync_;
  double read_cpu_;
  double write_cpu_;
  double per_byte_;
  RedisCosts costs_;
  std::vector<RedisShardState> states_;  // primaries first, then each shard's replicas
  std::vector<RedisTypedStore> stores_;  // the same nodes' data-type structures
  std::vector<uint64_t> evictions_seen_;
  std::vector<uint64_t> expirations_seen_;
  std::unordered_map<uint64_t, int64_t> high_marks_;
  bool track_versions_ = false;
  std::vector<std::unordered_map<uint64_t, uint64_t>> versions_;  // per node: writes per key (WATCH)
  std::vector<PubSub> pubsub_;
  std::vector<uint64_t> epoch_;  // per node: crashes so far (a delivery in flight across one is lost)
  std::vector<sg4::Host*> endpoints_;
  std::unordered_map<sg4::Host*, size_t> endpoint_index_;
  std::vector<const KeySpaceSpec*> class_spaces_;  // per measured class: its key space
  uint64_t member_seed_ = 0;
  Rng scores_;
  const std::string empty_;
  double gets_ = 0, hits_ = 0;
  double lag_sum_ = 0, lag_count_ = 0;
  double bloom_new_ = 0, bloom_fp_ = 0;
  double cms_queries_ = 0, cms_over_sum_ = 0;
  double geo_queries_ = 0, geo_examined_ = 0;
  double delivery_sum_ = 0, delivery_count_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_redis(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<Redis>(rt, spec);
}

}  // namespace archsim
