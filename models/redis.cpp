// redis: Redis as a cache or a small data store, alone or as a Redis Cluster with replicas.
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
// loses (pure logic in models/redis_shard.h). Abstracts away: the data types beyond strings and
// counters (hashes, lists, sorted sets, geo, bitmaps, pub/sub, Lua, probabilistic structures),
// pipelining, I/O threads, RDB snapshots and fork copy-on-write, MOVED/ASK redirects and slot
// migration, failover (crash() only loses state; the fault issue drives it), key-name CRC16
// (a 64-bit mix of the key id stands in), per-key memory overhead.
#include "models/redis.h"

#include <unordered_map>

#include "models/redis_shard.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

const ModelSpec& redis_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "redis";
    s.summary   = "Redis / Redis Cluster: single-threaded shards over hash slots, eviction, replicas, AOF";
    s.keeps     = "one command at a time per node (event loop) with CPU per command and per byte; real keys under "
                  "maxmemory with LRU/LFU/noeviction and TTL; 16384 hash slots over shards (hot key = hot shard); "
                  "asynchronous replication with measured lag; AOF always/everysec and what a crash loses";
    s.abstracts = "data types beyond strings and counters, pipelining, I/O threads, RDB/fork, redirects and slot "
                  "migration, failover, CRC16 of key names, per-key memory overhead";
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
                    "state; false = start empty"),
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
        {"writes_lost", Unit::Count, "Acknowledged writes lost by crash() (per the persistence mode)"},
        {"incr_duplicates", Unit::Count, "INCR results handed out twice for the same key (a counter lost)"},
        {"replication_lag", Unit::Duration, "Mean time from the primary's reply to a replica having applied the "
                                             "write"},
        {"replication_dropped", Unit::Count, "Writes not shipped to a replica because the executor pool was full"},
        {"used_memory", Unit::Size, "Mean bytes held per primary at the end of the run"},
    };
    ParamSpec set_ttl = param::quantity("ttl", Unit::Duration, "0s", "Expiry of the key; 0 = the key space's ttl")
                            .range(0, 1e9);
    ParamSpec expire_ttl =
        param::required(param::quantity("ttl", Unit::Duration, "", "New time to live of the key").range(0, 1e9));
    s.operations = {
        {"get", "GET the request's key; on a miss nothing is stored", {}, {"hit", "miss"}},
        {"set", "SET the key with its value size (error 'oom' under noeviction when full)", {set_ttl}, {}},
        {"del", "DEL the key", {}, {"found", "absent"}},
        {"incr", "INCR the key's counter, atomically (error 'oom' under noeviction when full)", {}, {}},
        {"expire", "EXPIRE the key: it disappears ttl from now", {expire_ttl}, {"found", "absent"}},
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

enum class Op { Get, Set, Del, Incr, Expire };

Op op_of(const std::string& name)
{
  if (name == "get")
    return Op::Get;
  if (name == "set")
    return Op::Set;
  if (name == "del")
    return Op::Del;
  if (name == "incr")
    return Op::Incr;
  return Op::Expire;
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

// RESP framing: a command with a short key, and a status or integer reply ("+OK\r\n", ":1\r\n").
constexpr double kCommandBytes = 50;
constexpr double kReplyBytes   = 5;

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
  {
    Eviction policy = eviction_of(spec.params.text("eviction"));
    for (size_t n = 0; n < replicas(); ++n)
      states_.emplace_back(spec.params.number("maxmemory"), policy, persistence_);
    if (spec.params.flag("warm"))
      warm_up(spec);
  }

  size_t choose_replica(const FlowContext& ctx) override
  {
    if (ctx.has_key)
      return RedisSlots::shard(ctx.key, shards_);
    return next_replica_++ % shards_;
  }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    return step.op == "set" ? kCommandBytes + value_bytes(ctx) : kCommandBytes;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t node, const Body&) override
  {
    if (down_[node])
      return Outcome::error("unavailable");
    loops_.acquire(node);
    double now   = rt_.now();
    Op op        = op_of(step.op);
    uint64_t key = ctx.has_key ? ctx.key : 0;
    double bytes = value_bytes(ctx);
    double ttl   = 0;
    if (op == Op::Set)
      ttl = step.args.number("ttl") > 0 ? step.args.number("ttl") : ctx.key_space ? ctx.key_space->ttl : 0;
    else if (op == Op::Expire)
      ttl = step.args.number("ttl");
    Outcome o;
    bool wrote     = false;
    double payload = 0;  // value bytes the loop copies
    RedisShardState& st = states_[node];
    switch (op) {
      case Op::Get: {
        bool hit = st.get(key, now);
        count_get(now, hit);
        o                = Outcome::success(hit ? "hit" : "miss");
        payload          = hit ? bytes : 0;
        o.response_bytes = kReplyBytes + payload;
        break;
      }
      case Op::Set:
        wrote   = st.set(key, bytes, now, ttl);
        payload = bytes;
        o       = wrote ? Outcome::success() : Outcome::error("oom");
        break;
      case Op::Del:
        wrote = st.del(key, bytes, now);
        o     = Outcome::success(wrote ? "found" : "absent");
        break;
      case Op::Incr:
        if (auto v = st.incr(key, now)) {
          wrote = true;
          note_counter(now, key, *v);
          o = Outcome::success();
        } else {
          o = Outcome::error("oom");
        }
        break;
      case Op::Expire:
        wrote = st.expire(key, bytes, now, ttl);
        o     = Outcome::success(wrote ? "found" : "absent");
        break;
    }
    if (o.response_bytes < 0)
      o.response_bytes = kReplyBytes;
    if (!o.ok())
      metrics_->count(now, "oom");
    account(node, now);
    cpu_.work(node, (op == Op::Get ? read_cpu_ : write_cpu_) + per_byte_ * payload);
    if (wrote && persistence_ == Persistence::AofAlways && fsync_ > 0)
      sg4::this_actor::sleep_for(fsync_);  // appendfsync always: the loop waits for the disk
    loops_.release(node);
    if (wrote && node < shards_)
      replicate(node, op, key, bytes, ttl);
    return o;
  }

  // The node's process dies: its data goes as its persistence mode says, and it answers
  // nothing until recover().
  void crash(size_t node) override
  {
    double now = rt_.now();
    metrics_->count(now, "writes_lost", static_cast<double>(states_[node].crash(now)));
    evictions_seen_[node]   = states_[node].cache().evictions();
    expirations_seen_[node] = states_[node].cache().expirations();
    Component::crash(node);
  }

  void finish() override
  {
    if (gets_ > 0)
      metrics_->set_value("hit_ratio", hits_ / gets_);
    if (lag_count_ > 0)
      metrics_->set_value("replication_lag", lag_sum_ / lag_count_);
    double used = 0;
    for (size_t s = 0; s < shards_; ++s)
      used += states_[s].cache().used_bytes();
    metrics_->set_value("used_memory", used / static_cast<double>(shards_));
  }

private:
  size_t replica_node(size_t shard, size_t k) const { return shards_ + shard * per_shard_ + k; }

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
    // At steady state keys with a TTL have spread-out remaining lives: give each a stable
    // uniform share of the TTL, so that they do not all expire at once.
    warm_start(*space, 20'000'000, [&](uint64_t key, double bytes) {
      size_t s = RedisSlots::shard(key, shards_);
      if (full[s])
        return true;
      double ttl = space->ttl > 0
                       ? space->ttl * ((static_cast<double>(mix64(key ^ 0x74746cULL) >> 11) + 0.5) / 9007199254740992.0)
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

  void count_get(double now, bool hit)
  {
    metrics_->count(now, hit ? "hits" : "misses");
    if (now >= rt_.scenario().run.warmup) {
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
        switch (op) {
          case Op::Set: st.set(key, bytes, now, ttl); break;
          case Op::Del: st.del(key, bytes, now); break;
          case Op::Incr: st.incr(key, now); break;
          case Op::Expire: st.expire(key, bytes, now, ttl); break;
          case Op::Get: break;
        }
        cpu_.work(to, write_cpu_ + per_byte_ * (op == Op::Set ? bytes : 0));
        loops_.release(to);
        if (replied >= rt_.scenario().run.warmup) {
          lag_sum_ += rt_.now() - replied;
          lag_count_ += 1;
        }
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
  std::vector<RedisShardState> states_;  // primaries first, then each shard's replicas
  std::vector<uint64_t> evictions_seen_;
  std::vector<uint64_t> expirations_seen_;
  std::unordered_map<uint64_t, int64_t> high_marks_;
  double gets_ = 0, hits_ = 0;
  double lag_sum_ = 0, lag_count_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_redis(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<Redis>(rt, spec);
}

}  // namespace archsim
