// kv_store: a DynamoDB-like key-value store with partitions and provisioned
// capacity.
//
// Keeps: request routers (hosts of their own) that map each key to a partition
// by a hash of the key; per-partition read and write capacity in DynamoDB's
// units (a read unit per 4 KB strongly consistent, half for eventually
// consistent; a write unit per 1 KB) enforced by real token buckets per
// partition, with burst credit built from unused capacity and the hard 3,000
// RCU / 1,000 WCU ceiling per partition, so a hot key throttles its partition
// while the others idle; three replicas per partition on hosts of their own: a
// write is sequenced by the leader and acknowledged once a majority (2 of 3)
// hold it, with real transfers to the followers and their own queueing and
// apply work; strongly consistent reads at the leader, eventually consistent
// reads at a random live replica, which may not have applied the latest write
// yet (a stale read, counted); item existence from state (written keys,
// optional preloading of the whole key space, TTL expiry); conditional writes
// that fail when the item changed since this request read it; queries over a
// partition key's sort-key range whose cost grows with the page; storage-node
// service time on the node's cores behind a thread pool. Abstracts away:
// adaptive capacity and partition splits, on-demand mode, global secondary
// indexes, transactions, the 1 MB query page limit, the B-tree and its log (a
// service-time distribution stands for them), leader election time and log
// replay after a crash (durable state is never lost), TTL's background deletion
// delay (an expired item reads as absent, as if the application filtered on the
// expiry attribute), item sizes beyond the value (key and attribute names).
#include "models/kv_store.h"
#include "models/kv_store_component.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "models/kv_store_partition.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

const ModelSpec& kv_store_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name = "kv_store";
    s.summary =
        "DynamoDB-like store: hashed partitions with provisioned read/write units (token buckets), 3 replicas, majority writes, strong or eventual reads";
    s.keeps =
        "request routers; key -> partition by hash; per-partition token buckets in read/write units with burst and the 3,000 RCU / 1,000 WCU ceiling (hot keys throttle); leader + followers per partition, writes acknowledged by a majority over the network; strong reads at the leader, eventual reads at any replica (stale reads possible); item existence, TTL, conditional writes from per-item versions; queries whose cost grows with the page";
    s.abstracts =
        "adaptive capacity, partition splits, on-demand mode, indexes, transactions, the 1 MB page limit, storage engine internals (a service-time distribution), election time, TTL deletion delay";
    s.params = {
        param::count("partitions", "4", "Partitions of the table; key -> partition by hash")
            .range(1, 4096)
            .cite(
                "reference-figures.md s3: partition count = ceil(RCU/3000 + WCU/1000); a new on-demand table serves 12,000 reads/s = 4 partitions at 3,000 RCU"),
        param::count("replication", "3", "Replicas per partition, each on its own host; writes wait for a majority")
            .range(1, 7)
            .cite("reference-figures.md s3: each partition is a Multi-Paxos group across 3 AZs"),
        param::count("routers", "2", "Request routers (hosts of their own) in front of the storage nodes")
            .range(1, 1000)
            .cite("reference-figures.md s3 (ATC 2022): request routers map keys to partitions; count is a choice"),
        param::quantity("read_capacity", Unit::Rate, "3000/s",
                        "Provisioned read units per second per partition (table capacity = partitions x this)")
            .range(0.001, kv::kPartitionReadCap)
            .cite("reference-figures.md s3: per-partition throughput cap 3,000 RCU/s"),
        param::quantity("write_capacity", Unit::Rate, "1000/s", "Provisioned write units per second per partition")
            .range(0.001, kv::kPartitionWriteCap)
            .cite("reference-figures.md s3: per-partition throughput cap 1,000 WCU/s"),
        param::quantity("burst", Unit::Duration, "300s",
                        "Unused capacity retained as burst credit (at least 1 s); never beyond the partition ceiling")
            .range(0, 86400)
            .cite("reference-figures.md s3: burst capacity retains up to 300 s of unused read/write capacity"),
        param::distribution("service", Unit::Duration, "{dist: lognormal, mean: 1.27ms, p99: 5ms}",
                            "Storage-node CPU time per request (and per replica apply of a write)")
            .cite(
                "reference-figures.md s3: 'single-digit millisecond' latency; lognormal median 1 ms, p99 5 ms (sigma 0.69, mean 1.27 ms) leaves room for network and replication under 10 ms; shape from s15"),
        param::quantity("scan_rate", Unit::Bandwidth, "1GBps",
                        "Bytes per second a storage node reads a sort-key range at (query cost per byte)")
            .cite("reference-figures.md s12: read 1 MB sequentially from SSD 1 ms"),
        param::quantity("router_cpu", Unit::Duration, "30us", "Router CPU per request (authentication, routing)")
            .cite("reference-figures.md s15: proxy-level CPU per request 7-30 us (NGINX, HAProxy)"),
        param::count("threads", "64", "Request threads per storage node; beyond them requests queue").range(1, 100000),
        param::count("cores", "8", "CPU cores per host (routers and storage nodes)")
            .range(1, 1024)
            .cite("reference-figures.md s3 (derived): a partition at its 3,000 RCU/s cap x 1.27 ms uses 3.8 cores"),
        param::count("items_per_key", "1", "Items under one partition key (its sort-key range), for query")
            .range(1, 100000),
        param::flag("preloaded", true, "Every key of the key space exists at the start (else only keys put)"),
    };
    s.metrics = {
        {"throttled", Unit::Count, "Requests refused because their partition's capacity was exhausted"},
        {"read_units", Unit::Count, "Read capacity units consumed (admitted reads and queries)"},
        {"write_units", Unit::Count, "Write capacity units consumed (admitted writes, failed conditions included)"},
        {"conditional_failures", Unit::Count, "update_if refused: the item changed since the request read it"},
        {"stale_reads", Unit::Count, "Eventual reads answered by a replica behind the leader"},
        {"unavailable", Unit::Count, "Requests refused because a partition had no majority (or no live replica)"},
        {"read_consumed_ratio_max", Unit::Fraction,
         "Hottest partition's consumed read units / provisioned (per-partition values: p<N>_read_ratio)"},
        {"write_consumed_ratio_max", Unit::Fraction,
         "Hottest partition's consumed write units / provisioned (per-partition values: p<N>_write_ratio)"},
    };
    ParamSpec consistency =
        param::choice("consistency", {"strong", "eventual"}, "eventual",
                      "strong: at the leader, full read units; eventual: any replica, half")
            .cite(
                "reference-figures.md s3: read unit row; GetItem and Query default to eventually consistent (AWS API docs)");
    s.operations = {
        {"get", "Read the key's item (GetItem)", {consistency}, {"found", "absent"}},
        {"put", "Write the key's item (PutItem); acknowledged by a majority of replicas", {}, {}},
        {"update_if",
         "Conditional write: fails (outcome conflict) when the item changed since this request read it, or, without an earlier read in the request, when the item does not exist",
         {},
         {"applied", "conflict"}},
        {"query",
         "Read a page of the key's sort-key range (items_per_key items); cost grows with the page",
         {param::count("page_size", "10", "Items per page (Limit)").range(1, 100000), consistency},
         {"more", "done"}},
    };
    s.placed = true;
    return s;
  }();
  return spec;
}

Placement kv_store_placement(const ParamValues& p)
{
  auto routers    = static_cast<size_t>(p.integer("routers"));
  auto partitions = static_cast<size_t>(p.integer("partitions"));
  auto rf         = static_cast<size_t>(p.integer("replication"));
  return {routers + partitions * rf, static_cast<int>(p.integer("cores"))};
}

namespace {

// A header-only message: an acknowledgement, an "absent" answer.
constexpr double kAckBytes = 100;
// Reads remembered for conditional writes (the oldest are forgotten first).
constexpr size_t kReadMemory = 1 << 16;

}  // namespace

KvStore::KvStore(Runtime& rt, const ComponentSpec& spec)
    : Component(rt, spec)
    , routers_(static_cast<size_t>(spec.params.integer("routers")))
    , partitions_(static_cast<size_t>(spec.params.integer("partitions")))
    , rf_(static_cast<size_t>(spec.params.integer("replication")))
    , service_(spec.params.dist("service"))
    , scan_rate_(spec.params.number("scan_rate"))
    , router_cpu_(spec.params.number("router_cpu"))
    , items_per_key_(static_cast<size_t>(spec.params.integer("items_per_key")))
    , threads_(*metrics_, replicas(), static_cast<size_t>(spec.params.integer("threads")), 0)
    , cpu_(*metrics_, hosts_)
    , router_up_(routers_, true)
    , read_versions_(kReadMemory)
    , read_consumed_(partitions_, 0)
    , write_consumed_(partitions_, 0)
    , rng_service_(rt.stream(spec.name, "service"))
    , rng_replica_(rt.stream(spec.name, "replica"))
{
  double burst = spec.params.number("burst");
  for (size_t p = 0; p < partitions_; ++p) {
    reads_.emplace_back(spec.params.number("read_capacity"), burst, kv::kPartitionReadCap);
    writes_.emplace_back(spec.params.number("write_capacity"), burst, kv::kPartitionWriteCap);
    data_.emplace_back(rf_, spec.params.flag("preloaded"));
    groups_.emplace_back(rf_);
  }
}

size_t KvStore::choose_replica(const FlowContext&)
{
  for (size_t k = 0; k < routers_; ++k) {
    size_t r = next_replica_++ % routers_;
    if (router_up_[r])
      return r;
  }
  return 0;
}

double KvStore::request_bytes(const FlowContext& ctx, const Step& step)
{
  return step.op == "put" || step.op == "update_if" ? value_bytes(ctx) : -1;
}

Outcome KvStore::serve(FlowContext& ctx, const Step& step, size_t router, const Body&)
{
  if (!router_up_[router])
    return unavailable();
  cpu_.work(router, router_cpu_);
  if (step.op == "get")
    return get(ctx, step, router);
  if (step.op == "put" || step.op == "update_if")
    return write(ctx, step.op == "update_if", router);
  if (step.op == "query")
    return query(ctx, step, router);
  return Outcome::error("unsupported");
}

void KvStore::crash(size_t replica)
{
  if (replica < routers_) {
    router_up_[replica] = false;
    return;
  }
  auto [p, r] = locate(replica);
  groups_[p].crash(r);
}

void KvStore::recover(size_t replica)
{
  if (replica < routers_) {
    router_up_[replica] = true;
    return;
  }
  auto [p, r] = locate(replica);
  groups_[p].recover(r);
  data_[p].catch_up(r, groups_[p].leader());
}

void KvStore::finish()
{
  // Runs before the metrics are closed: the end is the scenario's duration.
  double measured = rt_.scenario().run.duration - rt_.metrics().clock.warmup;
  if (measured <= 0)
    return;
  double read_max = 0, write_max = 0;
  for (size_t p = 0; p < partitions_; ++p) {
    double rr = read_consumed_[p] / (reads_[p].rate() * measured);
    double wr = write_consumed_[p] / (writes_[p].rate() * measured);
    metrics_->set_value(fmt::format("p{}_read_ratio", p), rr);
    metrics_->set_value(fmt::format("p{}_write_ratio", p), wr);
    read_max  = std::max(read_max, rr);
    write_max = std::max(write_max, wr);
  }
  metrics_->set_value("read_consumed_ratio_max", read_max);
  metrics_->set_value("write_consumed_ratio_max", write_max);
}

size_t KvStore::storage(size_t partition, size_t r) const
{
  return routers_ + partition * rf_ + r;
}

std::pair<size_t, size_t> KvStore::locate(size_t replica) const
{
  return {(replica - routers_) / rf_, (replica - routers_) % rf_};
}

uint64_t KvStore::item_of(const FlowContext& ctx)
{
  if (!ctx.key_space)
    return ctx.key;
  return ctx.key ^ mix64(std::hash<std::string>{}(ctx.key_space->name));
}

double KvStore::ttl_of(const FlowContext& ctx)
{
  return ctx.key_space ? ctx.key_space->ttl : 0;
}

Outcome KvStore::throttled()
{
  metrics_->count(Runtime::now(), "throttled");
  return Outcome::error("throttled");
}

Outcome KvStore::unavailable()
{
  metrics_->count(Runtime::now(), "unavailable");
  return Outcome::error("unavailable");
}

void KvStore::consume(std::vector<double>& per_partition, size_t p, const char* metric, double units)
{
  double now = Runtime::now();
  metrics_->count(now, metric, units);
  if (now >= rt_.metrics().clock.warmup)
    per_partition[p] += units;
}

std::optional<size_t> KvStore::read_replica(size_t p, bool strong)
{
  const kv::ReplicaGroup& g = groups_[p];
  if (strong)
    return g.has_majority() ? std::optional<size_t>(g.leader()) : std::nullopt;
  if (g.live() == 0)
    return std::nullopt;
  size_t pick = rng_replica_.below(g.live());
  for (size_t r = 0; r < g.size(); ++r)
    if (g.up(r) && pick-- == 0)
      return r;
  return std::nullopt;
}

bool KvStore::storage_work(size_t p, size_t r, double seconds)
{
  size_t h = storage(p, r);
  threads_.acquire(h);
  cpu_.work(h, seconds);
  threads_.release(h);
  return groups_[p].up(r);
}

Outcome KvStore::get(FlowContext& ctx, const Step& step, size_t router)
{
  bool strong   = step.args.text("consistency") == "strong";
  uint64_t item = item_of(ctx);
  size_t p      = kv::partition_of(item, partitions_);
  double bytes  = value_bytes(ctx);
  double units  = kv::read_units(bytes, strong);
  if (!reads_[p].admit(units, Runtime::now()))
    return throttled();
  consume(read_consumed_, p, "read_units", units);
  auto r = read_replica(p, strong);
  if (!r)
    return unavailable();
  size_t h = storage(p, *r);
  rt_.transfer(host(router), host(h), ctx.req->request_bytes);
  if (!storage_work(p, *r, service_.sample(rng_service_)))
    return unavailable();
  kv::ItemView v = data_[p].read(*r, item, Runtime::now(), ttl_of(ctx));
  if (v.version < data_[p].latest_version(item))
    metrics_->count(Runtime::now(), "stale_reads");
  read_versions_.record(ctx.req->id, item, v.version);
  rt_.transfer(host(h), host(router), v.exists ? bytes : kAckBytes);
  Outcome o = Outcome::success(v.exists ? "found" : "absent");
  if (v.exists)
    o.response_bytes = bytes;
  return o;
}

Outcome KvStore::write(FlowContext& ctx, bool conditional, size_t router)
{
  uint64_t item = item_of(ctx);
  size_t p      = kv::partition_of(item, partitions_);
  double bytes  = value_bytes(ctx);
  double units  = kv::write_units(bytes);
  if (!writes_[p].admit(units, Runtime::now()))
    return throttled();
  consume(write_consumed_, p, "write_units", units);
  if (!groups_[p].has_majority())
    return unavailable();
  size_t leader = groups_[p].leader();
  size_t h      = storage(p, leader);
  rt_.transfer(host(router), host(h), bytes);
  threads_.acquire(h);
  cpu_.work(h, service_.sample(rng_service_));
  // The condition is checked and the write sequenced at one instant at the
  // leader, after its work: concurrent conditional writes to one item serialise
  // here.
  double now = Runtime::now();
  if (conditional && !condition_holds(ctx, p, leader, item, now)) {
    threads_.release(h);
    metrics_->count(now, "conditional_failures");
    rt_.transfer(host(h), host(router), kAckBytes);
    return Outcome::success("conflict");
  }
  uint64_t version = data_[p].next_version(item);
  data_[p].apply(leader, item, version, now);
  threads_.release(h);
  bool acked = replicate(p, leader, item, version, now, bytes);
  rt_.transfer(host(h), host(router), kAckBytes);
  if (!acked)
    return unavailable();
  return Outcome::success(conditional ? "applied" : "");
}

bool KvStore::condition_holds(const FlowContext& ctx, size_t p, size_t leader, uint64_t item, double now) const
{
  if (auto read = read_versions_.version_read(ctx.req->id, item))
    return *read == data_[p].latest_version(item);
  return data_[p].read(leader, item, now, ttl_of(ctx)).exists;
}

bool KvStore::replicate(size_t p, size_t leader, uint64_t item, uint64_t version, double written_at, double bytes)
{
  struct Acks {
    int need;
    int total;
    int ok                = 0;
    int failed            = 0;
    bool signalled        = false;
    sg4::SemaphorePtr sem = sg4::Semaphore::create(0);
    void settle()
    {
      if (!signalled && (ok >= need || failed > total - need)) {
        signalled = true;
        sem->release();
      }
    }
  };
  auto acks   = std::make_shared<Acks>();
  acks->need  = static_cast<int>(rf_ / 2);  // majority minus the leader
  acks->total = static_cast<int>(rf_) - 1;
  if (acks->need == 0)
    return true;
  for (size_t f = 0; f < rf_; ++f) {
    if (f == leader)
      continue;
    bool queued = groups_[p].up(f) && rt_.pool().submit([this, acks, p, f, leader, item, version, written_at, bytes]() {
      size_t from = storage(p, leader), to = storage(p, f);
      rt_.transfer(host(from), host(to), bytes);
      bool ok = groups_[p].up(f) && storage_work(p, f, service_.sample(rng_service_));
      if (ok) {
        data_[p].apply(f, item, version, written_at);
        rt_.transfer(host(to), host(from), kAckBytes);
        ++acks->ok;
      } else {
        ++acks->failed;
      }
      acks->settle();
    });
    if (!queued)
      ++acks->failed;
  }
  acks->settle();
  acks->sem->acquire();
  return acks->ok >= acks->need;
}

Outcome KvStore::query(FlowContext& ctx, const Step& step, size_t router)
{
  bool strong   = step.args.text("consistency") == "strong";
  auto page     = static_cast<size_t>(step.args.integer("page_size"));
  uint64_t item = item_of(ctx);
  size_t p      = kv::partition_of(item, partitions_);
  auto r        = read_replica(p, strong);
  if (!r)
    return unavailable();
  // The page: the first items of the key's sort-key range, each with its own
  // stable size.
  bool exists  = data_[p].read(*r, item, Runtime::now(), ttl_of(ctx)).exists;
  size_t n     = exists ? std::min(page, items_per_key_) : 0;
  double bytes = 0;
  for (size_t i = 0; i < n; ++i)
    bytes += value_bytes(ctx.key_space, i == 0 ? ctx.key : mix64(ctx.key ^ (i * 0x9E3779B97F4A7C15ULL)));
  // A query is charged on the sum of the item sizes, rounded up once (AWS
  // read/write operations).
  double units = kv::read_units(bytes, strong);
  if (!reads_[p].admit(units, Runtime::now()))
    return throttled();
  consume(read_consumed_, p, "read_units", units);
  size_t h = storage(p, *r);
  rt_.transfer(host(router), host(h), ctx.req->request_bytes);
  if (!storage_work(p, *r, service_.sample(rng_service_) + bytes / scan_rate_))
    return unavailable();
  rt_.transfer(host(h), host(router), n > 0 ? bytes : kAckBytes);
  Outcome o = Outcome::success(exists && items_per_key_ > page ? "more" : "done");
  if (n > 0)
    o.response_bytes = bytes;
  return o;
}

std::unique_ptr<Component> make_kv_store(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<KvStore>(rt, spec);
}

}  // namespace archsim
