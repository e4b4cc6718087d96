// cdn_edge: the edge servers of one CDN point of presence (CloudFront, Fastly, Cloudflare,
// Akamai) in front of an origin.
//
// Keeps: `nodes` edge servers in the PoP, each URL hashed onto one of them on a consistent-hash
// ring; per server a cache of real object ids, LRU by bytes with a TTL (sim/core/key_cache.h),
// so big objects push out more small ones and the hit ratio comes out of popularity, capacity
// and TTL; per-request proxy CPU on the server's cores; on a miss the edge itself fetches the
// object from the `origin` component over the network (edge -> origin -> edge, the object's
// bytes on the way back) and fills its cache; request collapsing: concurrent misses for the
// same URL wait for the one fetch in flight and are served from it (outcome "coalesced"), as
// CloudFront and Fastly do by default; invalidation by versioned URLs (`invalidate` moves the
// object to a new URL, the old copies become unreachable and age out). Abstracts away: tiered
// caches and origin shield (chain two cdn_edge components for that), disk vs RAM tiers, S4LRU,
// range requests, TLS, the anycast/DNS choice of the PoP (one client region, one PoP), purge
// APIs, stale-while-revalidate.
//
// Request collapsing, in detail. Each edge node keeps a table of fetches in flight, one per
// URL, each with a semaphore. A get that misses and finds no fetch in flight for its URL leads:
// it registers a fetch and goes to the origin. A get that misses and finds one waits on its
// semaphore. When the leader's fill is stored, the fetch leaves the table and its semaphore is
// released once; every waiter that wakes releases it again for the next one (a baton, so one
// release wakes them all without counting them), then looks the URL up again: it is there, and
// the waiter answers "coalesced" with the object. If the fetch failed, or the object could not
// be stored (larger than the cache), the waiters find no copy and no fetch in flight, so the
// first of them leads the next fetch and the others wait for that one: fetches are serialised,
// as Fastly's queue is for uncacheable responses. A waiter waits at most `lock_timeout` after
// the fetch began; then the fetch is abandoned and all its waiters go to the origin on their
// own (without filling for others, as nginx does after proxy_cache_lock_timeout).
// Without `origin:`, the flow fetches: a miss is answered at once ("miss", no object) and the
// flow runs its `on_miss` steps (e.g. `[{call: origin}, {set: cdn}]`); the fetch in flight ends
// when that `set` fills the edge, so a flow that forgets the `set` makes its waiters wait for
// the lock timeout. That mode sends the origin request from wherever the flow is (the client),
// not from the edge, so prefer `origin:`.
#include "models/cdn_edge.h"

#include <algorithm>
#include <unordered_map>

#include "models/cdn_urls.h"
#include "sim/core/hash_ring.h"
#include "sim/core/key_cache.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {
constexpr double kReplyBytes = 200;  // an HTTP response without a body: status line and headers

ParamSpec optional_component(std::string name, std::string doc)
{
  ParamSpec p = param::component(std::move(name), std::move(doc));
  p.required  = false;
  return p;
}
}  // namespace

const ModelSpec& cdn_edge_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "cdn_edge";
    s.summary   = "CDN point of presence: edge servers with an LRU-by-bytes TTL cache, origin fetch, request "
                  "collapsing and versioned-URL invalidation";
    s.keeps     = "URLs hashed onto edge servers; LRU by bytes with TTL over real object ids; proxy CPU per "
                  "request; the edge fetches misses from the origin over the network; concurrent misses for one "
                  "URL collapse onto one origin fetch; invalidation by new URL versions";
    s.abstracts = "tiered caches / origin shield, disk vs RAM tiers, S4LRU, range requests, TLS, PoP selection, "
                  "purge APIs, stale-while-revalidate";
    s.params = {
        param::count("nodes", "1", "Edge servers in the PoP; URLs are hashed over them").range(1, 10000),
        param::count("cores", "8", "CPU cores per edge server (one event loop each); an assumption, no public figure")
            .range(1, 1024),
        param::distribution("cpu", Unit::Duration, "13.5us", "Proxy CPU time per request on the edge")
            .cite("reference-figures.md s14: NGINX per-request CPU ~13.5 us (1 KB, keepalive), derived"),
        param::quantity("capacity", Unit::Size, "10GB", "Cache size per edge server (objects' bytes)")
            .range(1, 1e16)
            .cite("placeholder: no public per-server figure; reference-figures.md s9: 58% edge hit ratio on "
                  "Facebook's photo trace, size it to your catalogue"),
        param::quantity("ttl", Unit::Duration, "24h",
                        "How long an object stays fresh when its key space has no ttl (the origin sends no "
                        "Cache-Control)")
            .range(1e-6, 1e9)
            .cite("reference-figures.md s9: CloudFront default TTL 24 h"),
        param::flag("coalesce", true, "Collapse concurrent misses for one URL onto one origin fetch")
            .cite("reference-figures.md s9: CloudFront request collapsing, Fastly request collapsing on by default"),
        param::quantity("lock_timeout", Unit::Duration, "30s",
                        "Longest a collapsed request waits for the fetch in flight before going to the origin itself")
            .range(1e-6, 1e6)
            .cite("reference-figures.md s9: CloudFront origin response timeout 30 s (unverified)"),
        param::count("vnodes", "100", "Virtual nodes per edge server on the consistent-hash ring").range(1, 10000),
        param::flag("warm", true,
                    "Start with the most popular objects of the key space that fit (each on its edge server), as "
                    "at steady state, with stable uniform shares of their TTL left; false = start empty"),
        param::key_space("warm_from",
                         "Key space to warm from (default: the scenario's only key space, if there is one)"),
        optional_component("origin", "The component the edge fetches misses from (empty: the flow's on_miss "
                                     "fetches and fills with `set`)"),
    };
    s.metrics = {
        {"hit_ratio", Unit::Fraction, "(hits + coalesced) / gets, after warm-up"},
        {"byte_hit_ratio", Unit::Fraction, "Bytes served from the cache (hits + coalesced) / bytes of all gets"},
        {"hits", Unit::Count, "Gets served from a fresh copy at once"},
        {"misses", Unit::Count, "Gets that found no fresh copy and no fetch to wait for (each leads a fetch)"},
        {"coalesced", Unit::Count, "Gets that waited for another request's fetch and were served from it"},
        {"origin_fetches", Unit::Count, "Fetches from the origin (without `origin:`, misses handed to the flow)"},
        {"fills", Unit::Count, "Objects stored in an edge cache"},
        {"evictions", Unit::Count, "Objects evicted (LRU) to make room"},
        {"invalidations", Unit::Count, "URL version changes"},
        {"utilisation", Unit::Fraction, "Busy cores / cores, after warm-up"},
        {"thread_utilisation", Unit::Fraction, "Event loops in use / event loops"},
        {"queue_length", Unit::Number, "Mean requests waiting for a core (all edge servers)"},
    };
    s.operations = {
        {"get",
         "Serve the URL of the request's key: from the cache, by waiting for a fetch in flight, or by fetching it "
         "from the origin",
         {},
         {"hit", "coalesced", "miss"}},
        {"set", "Fill the edge with the key's object (flows without `origin:`)", {}, {"stored"}},
        {"invalidate", "Publish a new version of the key's URL: every edge misses on it, old copies age out", {},
         {"invalidated"}},
    };
    return s;
  }();
  return spec;
}

Placement cdn_edge_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("nodes")), static_cast<int>(p.integer("cores"))};
}

namespace {

class CdnEdge : public Component {
public:
  CdnEdge(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , loops_(*metrics_, replicas(), static_cast<size_t>(spec.params.integer("cores")), 0)
      , cpu_(*metrics_, hosts_)
      , cpu_time_(spec.params.dist("cpu"))
      , cpu_rng_(rt.stream(spec.name, "cpu"))
      , ring_(replicas(), static_cast<size_t>(spec.params.integer("vnodes")))
      , ttl_(spec.params.number("ttl"))
      , coalesce_(spec.params.flag("coalesce"))
      , lock_timeout_(spec.params.number("lock_timeout"))
  {
    const ParamValues& p = spec.params;
    if (p.has("origin") && !p.text("origin").empty())
      origin_ = &rt.component(p.text("origin"));
    for (size_t n = 0; n < replicas(); ++n)
      nodes_.emplace_back(p.number("capacity"));
    if (p.flag("warm"))
      warm_up(spec);
  }

  size_t choose_replica(const FlowContext& ctx) override { return ring_.node_for(url(ctx)); }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    return step.op == "set" ? value_bytes(ctx) : -1;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body&) override
  {
    loops_.acquire(replica);
    cpu_.work(replica, cpu_time_.sample(cpu_rng_));
    loops_.release(replica);
    double now = rt_.now();
    if (step.op == "invalidate") {
      urls_.invalidate(space_name(ctx), ctx.key);
      metrics_->count(now, "invalidations");
      return reply("invalidated", kReplyBytes);
    }
    if (step.op == "set") {
      fill(replica, url(ctx), value_bytes(ctx), entry_ttl(ctx));
      return reply("stored", kReplyBytes);
    }
    return get(ctx, replica);
  }

  void finish() override
  {
    const auto& c = metrics_->counters();
    auto counter  = [&](const char* n) { return c.count(n) ? c.at(n) : 0.0; };
    double served = counter("hits") + counter("coalesced");
    if (served + counter("misses") > 0)
      metrics_->set_value("hit_ratio", served / (served + counter("misses")));
    if (bytes_requested_ > 0)
      metrics_->set_value("byte_hit_ratio", bytes_served_from_cache_ / bytes_requested_);
  }

  // An edge server restarts with an empty cache (fetches in flight still complete).
  void crash(size_t replica) override
  {
    nodes_[replica].cache.clear();
    Component::crash(replica);
  }

private:
  struct Fetch {
    sg4::SemaphorePtr done = sg4::Semaphore::create(0);
    double deadline        = 0;
    bool abandoned         = false;  // its lock timeout expired before any fill
  };
  struct Node {
    explicit Node(double capacity) : cache(capacity, Eviction::Lru) {}
    KeyCache cache;
    std::unordered_map<uint64_t, std::shared_ptr<Fetch>> in_flight;  // by URL
  };

  static const char* space_name(const FlowContext& ctx) { return ctx.key_space ? ctx.key_space->name.c_str() : ""; }
  uint64_t url(const FlowContext& ctx) const { return urls_.url(space_name(ctx), ctx.key); }
  double entry_ttl(const FlowContext& ctx) const
  {
    return ctx.key_space && ctx.key_space->ttl > 0 ? ctx.key_space->ttl : ttl_;
  }
  static Outcome reply(const char* tag, double bytes)
  {
    Outcome o        = Outcome::success(tag);
    o.response_bytes = bytes;
    return o;
  }

  Outcome get(const FlowContext& ctx, size_t replica)
  {
    Node& node   = nodes_[replica];
    uint64_t u   = url(ctx);
    double bytes = value_bytes(ctx);
    bool waited  = false;
    for (;;) {
      double now = rt_.now();
      if (node.cache.get(u, now))
        return served(waited ? "coalesced" : "hit", bytes);
      auto it = node.in_flight.find(u);
      if (!coalesce_ || it == node.in_flight.end())
        return miss(ctx, replica, u, bytes, coalesce_);
      std::shared_ptr<Fetch> f = it->second;
      waited                   = true;
      bool timed_out           = f->deadline <= now || f->done->acquire_timeout(f->deadline - now);
      if (!timed_out)
        f->done->release();  // the baton: wake the next waiter
      if (timed_out || f->abandoned) {
        // The leader never filled in time: every waiter of this fetch goes to the origin on
        // its own (as nginx does after proxy_cache_lock_timeout); newcomers lead a new fetch.
        if (!f->abandoned) {
          f->abandoned = true;
          end_fetch(node, u, f.get());
        }
        return miss(ctx, replica, u, bytes, false);
      }
    }
  }

  // No copy: fetch (leading a fetch in flight that others may wait for, if `lead`).
  Outcome miss(const FlowContext& ctx, size_t replica, uint64_t u, double bytes, bool lead)
  {
    Node& node = nodes_[replica];
    double now = rt_.now();
    metrics_->count(now, "misses");
    metrics_->count(now, "origin_fetches");
    count_bytes(now, bytes, false);
    if (lead) {
      auto f            = std::make_shared<Fetch>();
      f->deadline       = now + lock_timeout_;
      node.in_flight[u] = f;
    }
    if (!origin_)
      return reply("miss", kReplyBytes);
    Outcome o = fetch(ctx, replica, bytes);
    if (!o.ok()) {
      if (lead)
        end_fetch(node, u, nullptr);
      return o;
    }
    fill(replica, u, bytes, entry_ttl(ctx));
    return reply("miss", bytes);
  }

  Outcome served(const char* tag, double bytes)
  {
    double now = rt_.now();
    metrics_->count(now, tag == std::string("hit") ? "hits" : "coalesced");
    count_bytes(now, bytes, true);
    return reply(tag, bytes);
  }

  void count_bytes(double now, double bytes, bool from_cache)
  {
    if (now < rt_.scenario().run.warmup)
      return;
    bytes_requested_ += bytes;
    if (from_cache)
      bytes_served_from_cache_ += bytes;
  }

  // The edge requests the object from the origin: a call over the network from this edge
  // server, the object's bytes on the way back.
  Outcome fetch(const FlowContext& ctx, size_t replica, double bytes)
  {
    Step call;
    call.kind           = Step::Kind::Call;
    call.component      = origin_->name();
    call.response_bytes = bytes;
    std::vector<Step> steps{std::move(call)};
    FlowContext own = ctx;
    return rt_.walk(own, steps, host(replica));
  }

  void fill(size_t replica, uint64_t u, double bytes, double ttl)
  {
    Node& node       = nodes_[replica];
    double now       = rt_.now();
    uint64_t evicted = node.cache.evictions();
    if (node.cache.put(u, bytes, now, ttl))
      metrics_->count(now, "fills");
    if (node.cache.evictions() > evicted)
      metrics_->count(now, "evictions", static_cast<double>(node.cache.evictions() - evicted));
    end_fetch(node, u, nullptr);
  }

  // Ends the fetch in flight for `u` (only if it is `which`, when given) and wakes its waiters.
  // The table entry goes first: release() is a simcall, during which the woken waiters may run
  // and change the table.
  static void end_fetch(Node& node, uint64_t u, const Fetch* which)
  {
    auto it = node.in_flight.find(u);
    if (it == node.in_flight.end() || (which && it->second.get() != which))
      return;
    std::shared_ptr<Fetch> f = std::move(it->second);
    node.in_flight.erase(it);
    f->done->release();
  }

  // The most popular objects first, each on its edge server, until every server has refused
  // one (full). Each copy gets a stable uniform share of its TTL, as at steady state, so that
  // they do not all expire at once.
  void warm_up(const ComponentSpec& spec)
  {
    const KeySpaceSpec* space = nullptr;
    if (spec.params.has("warm_from") && !spec.params.text("warm_from").empty())
      space = rt_.scenario().key_space(spec.params.text("warm_from"));
    else if (rt_.scenario().data.size() == 1)
      space = &rt_.scenario().data.front();
    if (!space)
      return;
    double ttl = space->ttl > 0 ? space->ttl : ttl_;
    std::vector<bool> full(nodes_.size(), false);
    size_t full_count = 0;
    warm_start(*space, 20'000'000, [&](uint64_t key, double bytes) {
      uint64_t u = urls_.url(space->name.c_str(), key);
      size_t n   = ring_.node_for(u);
      if (full[n])
        return true;
      KeyCache& cache = nodes_[n].cache;
      if (cache.used_bytes() + bytes > cache.capacity_bytes()) {
        full[n] = true;
        return ++full_count < nodes_.size();
      }
      double share = (static_cast<double>(mix64(key ^ 0x74746cULL) >> 11) + 0.5) / 9007199254740992.0;
      cache.put(u, bytes, 0, ttl * share);
      return true;
    });
  }

  ThreadPool loops_;
  CpuMeter cpu_;
  const Distribution& cpu_time_;
  Rng cpu_rng_;
  HashRing ring_;
  double ttl_;
  bool coalesce_;
  double lock_timeout_;
  Component* origin_ = nullptr;
  UrlVersions urls_;  // global: a URL's version is the same at every edge server
  std::vector<Node> nodes_;
  double bytes_requested_         = 0;
  double bytes_served_from_cache_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_cdn_edge(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<CdnEdge>(rt, spec);
}

}  // namespace archsim
