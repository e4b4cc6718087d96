// memcached: a pool of memcached servers behind client-side consistent hashing.
//
// Keeps: `nodes` servers, each on its own host, with the client library hashing every key onto
// one of them on a ring with virtual nodes (ketama), so a hot key makes a hot node; per node a
// pool of `threads` worker threads on as many cores, each command costing CPU on the node's
// cores (FIFO wait for a free thread), so a node's throughput scales with its threads; per node
// memory laid out as memcached's slab allocator does (models/memcached_slabs.h): chunk classes
// from 64 B growing by a factor, 1 MB pages given to classes first come first served and never
// moved, one LRU per class, so evictions, hit ratios and slab calcification come out of real
// item sizes; no persistence (a crash empties the node). Abstracts away: the per-connection
// binding of clients to threads (one shared FIFO per node instead), lock contention between
// threads, UDP, multigets, CAS, slab rebalancing, the segmented LRU of 1.5+.
#include "models/memcached.h"

#include <algorithm>

#include "models/memcached_slabs.h"
#include "sim/core/hash_ring.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {
// Protocol replies without a value ("END", "STORED", "DELETED", "NOT_FOUND"): a few bytes.
constexpr double kReplyBytes = 10;
}  // namespace

const ModelSpec& memcached_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "memcached";
    s.summary   = "Memcached pool: client-side consistent hashing over nodes, worker threads, slab-allocated LRU";
    s.keeps     = "keys hashed onto nodes (ketama ring); worker threads per node on as many cores, CPU per command; "
                  "slab classes with 1 MB pages assigned first come first served and one LRU per class (slab "
                  "calcification); lazy expiry; state lost on crash";
    s.abstracts = "connection-to-thread binding, lock contention, UDP, multigets, CAS, slab rebalancing, "
                  "segmented LRU";
    s.params = {
        param::count("nodes", "1", "Memcached servers, each on its own host; keys are hashed over them").range(1, 10000),
        param::count("threads", "4", "Worker threads per node (memcached -t); the node's host has as many cores")
            .range(1, 1024)
            .cite("reference-figures.md s2b: default worker threads -t 4, one thread per core"),
        param::distribution("cpu", Unit::Duration, "8.7us", "CPU time of one command (get, set, delete) on a thread")
            .cite("reference-figures.md s2b: per-thread single-key gets ~110-120k/s (478k/4, 1.8M/16), derived: "
                  "1/115k = 8.7 us"),
        param::quantity("memory", Unit::Size, "64MiB", "Item memory per node (memcached -m), in 1 MB pages")
            .range(1048576, 1e15)
            .cite("memcached -m default: 64 megabytes (memcached --help; not on the figures sheet)"),
        param::quantity("growth_factor", Unit::Number, "1.25", "Chunk size ratio between slab classes (memcached -f)")
            .range(1.01, 4)
            .cite("stock memcached -f default 1.25; reference-figures.md s2a: Facebook runs 1.07"),
        param::quantity("min_chunk", Unit::Size, "64B", "Smallest slab chunk (item header and key included)")
            .range(16, 1048576)
            .cite("reference-figures.md s2a: slab classes 64 B to 1 MB (Facebook build)"),
        param::quantity("page", Unit::Size, "1MiB", "Slab page size, which is also the largest item (memcached -I)")
            .range(1024, 1073741824)
            .cite("memcached default item_size_max / slab page: 1 MB"),
        param::quantity("item_overhead", Unit::Size, "56B",
                        "Bytes an item takes beyond its value: the item header (48 B on 64-bit, with CAS) and the key")
            .range(0, 1e6)
            .cite("memcached items.h: 48-byte item header with CAS on 64-bit; key length assumed ~8 B"),
        param::count("vnodes", "160", "Points per node on the client's consistent-hash ring").range(1, 10000)
            .cite("libketama / libmemcached ketama: 160 points per server"),
        param::flag("warm", true,
                    "Start with the most popular keys of the key space that fit (each on its node), until every "
                    "node's pages are all assigned, as at steady state; false = start empty"),
        param::key_space("warm_from",
                         "Key space to warm from (default: the scenario's only key space, if there is one)"),
    };
    s.metrics = {
        {"hit_ratio", Unit::Fraction, "Gets that hit / gets, after warm-up"},
        {"hits", Unit::Count, "Gets that found their item"},
        {"misses", Unit::Count, "Gets that did not (absent, evicted or expired)"},
        {"sets", Unit::Count, "Set commands"},
        {"set_failures", Unit::Count, "Sets not stored: larger than a page, or no memory left in the item's class"},
        {"deletes", Unit::Count, "Delete commands"},
        {"evictions", Unit::Count, "Items evicted from their class's LRU tail to make room"},
        {"items", Unit::Number, "Items stored at the end of the run (all nodes)"},
        {"pages_used", Unit::Fraction, "Slab pages assigned to a class / pages, at the end (all nodes)"},
        {"utilisation", Unit::Fraction, "Busy cores / cores, after warm-up"},
        {"thread_utilisation", Unit::Fraction, "Threads in use / threads"},
        {"queue_length", Unit::Number, "Mean commands waiting for a thread (all nodes)"},
    };
    s.operations = {
        {"get", "Look the key up on its node (a hit refreshes its LRU position)", {}, {"hit", "miss"}},
        {"set", "Store the key's value (its size from the key space) in the smallest slab class that fits",
         {}, {"stored", "not_stored"}},
        {"del", "Delete the key from its node", {}, {"deleted", "not_found"}},
    };
    return s;
  }();
  return spec;
}

Placement memcached_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("nodes")), static_cast<int>(p.integer("threads"))};
}

namespace {

class Memcached : public Component {
public:
  Memcached(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , threads_(*metrics_, replicas(), static_cast<size_t>(spec.params.integer("threads")), 0)
      , cpu_(*metrics_, hosts_)
      , cpu_time_(spec.params.dist("cpu"))
      , cpu_rng_(rt.stream(spec.name, "cpu"))
      , ring_(replicas(), static_cast<size_t>(spec.params.integer("vnodes")))
      , overhead_(spec.params.number("item_overhead"))
  {
    SlabConfig config{spec.params.number("memory"), spec.params.number("min_chunk"),
                      spec.params.number("growth_factor"), spec.params.number("page")};
    for (size_t n = 0; n < replicas(); ++n)
      nodes_.emplace_back(config);
    if (spec.params.flag("warm"))
      warm_up(spec);
  }

  size_t choose_replica(const FlowContext& ctx) override { return ring_.node_for(item_id(ctx)); }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    return step.op == "set" ? value_bytes(ctx) : -1;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body&) override
  {
    threads_.acquire(replica);
    cpu_.work(replica, cpu_time_.sample(cpu_rng_));
    Outcome o = apply(ctx, step.op, nodes_[replica]);
    threads_.release(replica);
    return o;
  }

  void finish() override
  {
    const auto& c = metrics_->counters();
    double hits   = c.count("hits") ? c.at("hits") : 0;
    double misses = c.count("misses") ? c.at("misses") : 0;
    if (hits + misses > 0)
      metrics_->set_value("hit_ratio", hits / (hits + misses));
    size_t items = 0, used = 0, total = 0;
    for (const auto& n : nodes_) {
      items += n.items();
      used += n.total_pages() - n.free_pages();
      total += n.total_pages();
    }
    metrics_->set_value("items", static_cast<double>(items));
    if (total > 0)
      metrics_->set_value("pages_used", static_cast<double>(used) / static_cast<double>(total));
  }

  // A node restarts empty: memcached keeps nothing on disk.
  void crash(size_t replica) override
  {
    nodes_[replica].clear();
    Component::crash(replica);
  }

private:
  uint64_t item_id(const FlowContext& ctx) const
  {
    return slab_item_id(ctx.key_space ? ctx.key_space->name.c_str() : "", ctx.key);
  }

  Outcome apply(const FlowContext& ctx, const std::string& op, SlabStore& node)
  {
    double now  = rt_.now();
    uint64_t id = item_id(ctx);
    if (op == "get") {
      bool hit = node.get(id, now);
      metrics_->count(now, hit ? "hits" : "misses");
      Outcome o         = Outcome::success(hit ? "hit" : "miss");
      o.response_bytes  = hit ? value_bytes(ctx) : kReplyBytes;
      return o;
    }
    if (op == "set") {
      uint64_t evicted = node.evictions();
      double ttl       = ctx.key_space ? ctx.key_space->ttl : 0;
      auto result      = node.set(id, value_bytes(ctx) + overhead_, now, ttl);
      metrics_->count(now, "sets");
      if (node.evictions() > evicted)
        metrics_->count(now, "evictions", static_cast<double>(node.evictions() - evicted));
      bool stored = result == SlabStore::SetResult::Stored;
      if (!stored)
        metrics_->count(now, "set_failures");
      Outcome o        = Outcome::success(stored ? "stored" : "not_stored");
      o.response_bytes = kReplyBytes;
      return o;
    }
    bool found = node.del(id);  // "del"
    metrics_->count(now, "deletes");
    Outcome o        = Outcome::success(found ? "deleted" : "not_found");
    o.response_bytes = kReplyBytes;
    return o;
  }

  // The most popular keys first, each on its own node, until every page of every node is
  // assigned; then as many keys again, which fill the free chunks left in each class's last
  // page with the next most popular keys of their sizes (stopping at once would leave up to a
  // page per class empty: a lot with fine classes). Keys with a TTL get a stable uniform share
  // of it, as at steady state, so that they do not all expire at once.
  void warm_up(const ComponentSpec& spec)
  {
    const KeySpaceSpec* space = nullptr;
    if (spec.params.has("warm_from") && !spec.params.text("warm_from").empty())
      space = rt_.scenario().key_space(spec.params.text("warm_from"));
    else if (rt_.scenario().data.size() == 1)
      space = &rt_.scenario().data.front();
    if (!space)
      return;
    size_t full = 0;
    std::vector<bool> is_full(nodes_.size(), false);
    uint64_t offered = 0, stop_at = 0;
    warm_start(*space, 20'000'000, [&](uint64_t key, double bytes) {
      ++offered;
      uint64_t id = slab_item_id(space->name.c_str(), key);
      size_t n    = ring_.node_for(id);
      double ttl  = space->ttl > 0
                        ? space->ttl * ((static_cast<double>(mix64(key ^ 0x74746cULL) >> 11) + 0.5) / 9007199254740992.0)
                        : 0;
      nodes_[n].insert_if_room(id, bytes + overhead_, 0, ttl);
      if (!is_full[n] && nodes_[n].free_pages() == 0) {
        is_full[n] = true;
        if (++full == nodes_.size())
          stop_at = 2 * offered;
      }
      return stop_at == 0 || offered < stop_at;
    });
  }

  ThreadPool threads_;
  CpuMeter cpu_;
  const Distribution& cpu_time_;
  Rng cpu_rng_;
  HashRing ring_;
  double overhead_;
  std::vector<SlabStore> nodes_;
};

}  // namespace

std::unique_ptr<Component> make_memcached(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<Memcached>(rt, spec);
}

}  // namespace archsim
