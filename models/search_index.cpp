// search_index: an Elasticsearch-like search cluster (data nodes holding primary shards and
// their replicas; queries scattered to every shard and gathered on a coordinating node; writes
// made visible by a periodic refresh).
//
// Keeps: `shards` primary shards with `replicas` copies each, placed round robin on `nodes`
// data-node hosts (no two copies of a shard on one node while replicas < nodes); document
// routing by hash(id) mod shards; a query reaches a coordinating node (round robin), which sends
// it over the network to one copy of every shard (round robin over the copies), each shard
// searching in its own executor with CPU work on its node that grows linearly with the shard's
// visible documents (base cost drawn per shard + scan cost per document), then waits for all
// shards (so the slowest shard sets the latency and the tail grows with the fan-out) and merges
// shards x page_size hits on its own CPU; an index request goes to the document's primary shard,
// costs indexing CPU there, then is replicated to every replica copy in parallel (each indexes
// it too) and acknowledged after all copies; indexed documents stay invisible to search until
// the shard's next refresh (every `refresh_interval`, shards staggered), which is what queries
// count and what the visibility delay measures.
// Abstracts away: the fetch phase as a separate round trip (the result bytes travel back with
// the query answer), adaptive replica selection, search/write thread pools and their queue
// bounds (CPU is shared by the node's cores), segment merges and refresh CPU, the translog
// fsync, search-idle shards, relevance (every query scans its shards), mapping and analysis,
// shard relocation and replica promotion after a crash (a query to a shard with no live copy
// fails "unavailable").
#include "models/search_index.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "models/search_index_shards.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {
constexpr double kQueryBytes = 1000;  // a search request body
constexpr double kHitBytes   = 100;   // one hit in a shard's answer (id, score, sort values)
constexpr double kAckBytes   = 100;

class SearchIndex : public Component {
public:
  SearchIndex(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , layout_(replicas(), static_cast<size_t>(spec.params.integer("shards")),
                static_cast<size_t>(spec.params.integer("replicas")))
      , query_cpu_(spec.params.dist("query_cpu"))
      , index_cpu_(spec.params.dist("index_cpu"))
      , scan_cost_(spec.params.number("scan_cost"))
      , merge_cost_(spec.params.number("merge_cost"))
      , page_size_(static_cast<double>(spec.params.integer("page_size")))
      , cpu_(*metrics_, hosts_)
      , next_copy_(layout_.shards(), 0)
      , rng_(rt.stream(spec.name, "cpu"))
  {
    double interval = spec.params.number("refresh_interval");
    double docs     = spec.params.number("documents") / static_cast<double>(layout_.shards());
    for (size_t s = 0; s < layout_.shards(); ++s)
      refresh_.emplace_back(interval, interval * static_cast<double>(s) / static_cast<double>(layout_.shards()),
                            docs);
  }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    return step.op == "index" ? value_bytes(ctx) : -1;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t coordinator, const Body&) override
  {
    advance_all(Runtime::now());
    if (down_[coordinator])
      return Outcome::error("unavailable");
    return step.op == "index" ? index(ctx, coordinator) : query(ctx, coordinator);
  }

  void finish() override
  {
    double now = Runtime::now();
    advance_all(now);
    double sum = 0, n = 0, docs = 0;
    for (const auto& r : refresh_) {
      sum += r.delay_sum();
      n += static_cast<double>(r.delay_count());
      docs += r.visible();
    }
    metrics_->set_value("visibility_delay", n > 0 ? sum / n : 0);
    metrics_->set_value("documents", docs);
  }


private:
  void advance_all(double now)
  {
    for (auto& r : refresh_) {
      size_t k = r.advance(now);
      if (k > 0)
        metrics_->count(now, "refreshes", static_cast<double>(k));
    }
  }

  // Runs `jobs` (node, work) in executors, each behind a transfer from `from`; waits for all.
  template <typename Job>
  bool fan_out(const std::vector<size_t>& nodes, Job job)
  {
    struct Join {
      size_t left;
      sg4::SemaphorePtr sem = sg4::Semaphore::create(0);
    };
    auto join  = std::make_shared<Join>();
    join->left = nodes.size();
    if (nodes.empty())
      return true;
    bool all = true;
    for (size_t i = 0; i < nodes.size(); ++i) {
      bool queued = rt_.pool().submit([join, job, i]() {
        job(i);
        if (--join->left == 0)
          join->sem->release();
      });
      if (!queued) {
        all = false;
        if (--join->left == 0)
          join->sem->release();
      }
    }
    join->sem->acquire();
    return all;
  }

  Outcome query(const FlowContext& ctx, size_t coordinator)
  {
    // One live copy of every shard, round robin over the copies.
    std::vector<size_t> targets, shard_of;
    for (size_t s = 0; s < layout_.shards(); ++s) {
      size_t chosen = SIZE_MAX;
      for (size_t k = 0; k < layout_.copies() && chosen == SIZE_MAX; ++k) {
        size_t c = (next_copy_[s] + k) % layout_.copies();
        if (!down_[layout_.node_of(s, c)])
          chosen = c;
      }
      if (chosen == SIZE_MAX)
        return Outcome::error("unavailable");
      next_copy_[s] = (chosen + 1) % layout_.copies();
      targets.push_back(layout_.node_of(s, chosen));
      shard_of.push_back(s);
    }
    std::vector<double> work(targets.size());
    for (size_t i = 0; i < targets.size(); ++i)
      work[i] = query_cpu_.sample(rng_) + scan_cost_ * refresh_[shard_of[i]].visible();
    double answer = page_size_ * kHitBytes;
    bool ok       = fan_out(targets, [this, coordinator, &targets, &work, answer](size_t i) {
      rt_.transfer(host(coordinator), host(targets[i]), kQueryBytes);
      cpu_.work(targets[i], work[i]);
      rt_.transfer(host(targets[i]), host(coordinator), answer);
    });
    metrics_->count(Runtime::now(), "shards_queried", static_cast<double>(targets.size()));
    if (!ok)
      return Outcome::error("overload");
    cpu_.work(coordinator, merge_cost_ * static_cast<double>(targets.size()) * page_size_);
    bool stale = false;
    if (ctx.has_key) {
      auto it = visible_at_.find(ctx.key);
      stale   = it != visible_at_.end() && it->second > Runtime::now();
    }
    Outcome o        = Outcome::success(stale ? "stale" : "fresh");
    o.response_bytes = page_size_ * (ctx.key_space ? value_bytes(ctx) : kHitBytes);
    return o;
  }

  Outcome index(const FlowContext& ctx, size_t coordinator)
  {
    uint64_t key = ctx.has_key ? ctx.key : ctx.req->id;
    size_t shard = layout_.shard_of(key);
    // The primary is the first live copy (a replica promoted when the primary's node is down).
    std::vector<size_t> nodes;
    for (size_t c = 0; c < layout_.copies(); ++c)
      if (!down_[layout_.node_of(shard, c)])
        nodes.push_back(layout_.node_of(shard, c));
    if (nodes.empty())
      return Outcome::error("unavailable");
    double bytes   = ctx.key_space ? value_bytes(ctx) : kHitBytes;
    size_t primary = nodes.front();
    rt_.transfer(host(coordinator), host(primary), bytes);
    cpu_.work(primary, index_cpu_.sample(rng_));
    double visible = refresh_[shard].index(Runtime::now());
    if (ctx.has_key)
      visible_at_[key] = visible;
    metrics_->count(Runtime::now(), "indexed");
    std::vector<size_t> rest(nodes.begin() + 1, nodes.end());
    std::vector<double> work(rest.size());
    for (auto& w : work)
      w = index_cpu_.sample(rng_);
    bool ok = fan_out(rest, [this, primary, &rest, &work, bytes](size_t i) {
      rt_.transfer(host(primary), host(rest[i]), bytes);
      cpu_.work(rest[i], work[i]);
      rt_.transfer(host(rest[i]), host(primary), kAckBytes);
    });
    rt_.transfer(host(primary), host(coordinator), kAckBytes);
    if (!ok)
      return Outcome::error("overload");
    Outcome o        = Outcome::success();
    o.response_bytes = kAckBytes;
    return o;
  }

  ShardLayout layout_;
  const Distribution& query_cpu_;
  const Distribution& index_cpu_;
  double scan_cost_;
  double merge_cost_;
  double page_size_;
  CpuMeter cpu_;
  std::vector<size_t> next_copy_;
  std::vector<ShardRefresh> refresh_;
  std::unordered_map<uint64_t, double> visible_at_;  // key -> when its latest version is searchable
  Rng rng_;
};

}  // namespace

const ModelSpec& search_index_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name    = "search_index";
    s.summary = "Elasticsearch-like search cluster: shards and replicas on data nodes, scatter-gather queries, "
                "near-real-time visibility through periodic refresh";
    s.keeps = "primary shards and replicas placed round robin on data nodes; routing by hash(id) mod shards; "
              "queries fanned out over the network to one copy of every shard, per-shard CPU growing linearly "
              "with its visible documents, wait for all shards, merge CPU on the coordinator growing with "
              "shards x page_size; writes indexed on the primary then replicated to all replicas; documents "
              "visible only after the shard's next refresh";
    s.abstracts = "separate fetch phase, adaptive replica selection, search/write thread pools, segment merges, "
                  "refresh CPU, translog fsync, search-idle shards, relevance scoring, shard relocation";
    s.params = {
        param::count("nodes", "3", "Data nodes, each on its own host").range(1, 10000),
        param::count("cores", "8", "CPU cores per data node")
            .range(1, 1024)
            .cite("assumption: reference-figures.md s10 gives no node size (indexing throughput per node: no "
                  "public default, U)"),
        param::count("shards", "1", "Primary shards of the index (number_of_shards)")
            .range(1, 100000)
            .cite("Elasticsearch index.number_of_shards default 1 since 7.0 (not in reference-figures.md); "
                  "reference-figures.md s10: shard size target 10-50 GB, <= 1,000 shards per data node"),
        param::count("replicas", "1", "Replica copies of each primary shard (number_of_replicas); copies beyond nodes - 1 stay unassigned, as in Elasticsearch")
            .range(0, 100)
            .cite("Elasticsearch index.number_of_replicas default 1 (not in reference-figures.md)"),
        param::count("documents", "1M", "Documents in the index at the start, spread evenly over the shards")
            .range(0, 2.1e9 * 1e5)
            .cite("assumption; reference-figures.md s10: Lucene hard limit ~2.1 billion documents per shard"),
        param::quantity("refresh_interval", Unit::Duration, "1s",
                        "Period of a shard's refresh, which makes indexed documents searchable")
            .range(1e-3, 3600)
            .cite("reference-figures.md s10: refresh interval 1 s by default (index.refresh_interval); "
                  "visibility of writes near real time, within ~1 s"),
        param::distribution("query_cpu", Unit::Duration, "{dist: lognormal, mean: 1.6ms, p99: 10ms}",
                            "Per-shard query CPU independent of the shard's size (parsing, rewriting, collecting "
                            "the top hits), drawn per shard")
            .cite("reference-figures.md s15: Tail at Scale leaf p50 1 ms, p99 10 ms (lognormal fit, s15 derived); "
                  "s10: query latency has no public default (U)"),
        param::quantity("scan_cost", Unit::Duration, "1ns",
                        "Per-shard query CPU per visible document in the shard (linear law: a term or match "
                        "query walks postings whose length grows with the shard's documents)")
            .range(0, 1)
            .cite("assumption: reference-figures.md s10 query latency workload-dependent, no public default (U); "
                  "1 ns/doc gives 1 ms for a 1M-document shard"),
        param::quantity("merge_cost", Unit::Duration, "1us",
                        "Coordinator CPU per hit merged (shards x page_size hits per query)")
            .range(0, 1)
            .cite("assumption (no figure in reference-figures.md): one priority-queue insert and result "
                  "serialisation per hit"),
        param::count("page_size", "10", "Hits per page (the search `size`)")
            .range(1, 10000)
            .cite("Elasticsearch search API `size` default 10 (not in reference-figures.md)"),
        param::distribution("index_cpu", Unit::Duration, "{dist: lognormal, mean: 100us, p99: 400us}",
                            "CPU time to index one document on one copy (analysis, in-memory buffer, translog "
                            "append)")
            .cite("assumption: reference-figures.md s10 indexing throughput per node has no public default (U, "
                  "measure with Rally); 100 us = 10k docs/s per core"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy cores / cores over the data nodes"},
        {"shards_queried", Unit::Count, "Shard searches sent by coordinators (a query counts one per shard)"},
        {"indexed", Unit::Count, "Documents indexed on their primary shard"},
        {"refreshes", Unit::Count, "Shard refreshes that published pending documents"},
        {"documents", Unit::Number, "Documents searchable at the end of the run (all shards)"},
        {"visibility_delay", Unit::Duration, "Mean time from indexing a document to the refresh that makes it "
                                             "searchable"},
    };
    s.operations = {
        {"query",
         "Search: scatter to one copy of every shard, wait for all, merge shards x page_size hits; `stale` when "
         "the request's key was indexed but is not yet refreshed",
         {},
         {"fresh", "stale"}},
        {"index", "Index one document (the request's key; value size from its key space) on its primary shard "
                  "and every replica; searchable after the next refresh",
         {},
         {}},
    };
    s.placed = true;
    return s;
  }();
  return spec;
}

Placement search_index_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("nodes")), static_cast<int>(p.integer("cores"))};
}

std::unique_ptr<Component> make_search_index(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<SearchIndex>(rt, spec);
}

}  // namespace archsim
