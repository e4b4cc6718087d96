// wide_column: a Cassandra-like wide-column store (a ring of peer nodes, tunable consistency,
// an LSM storage engine per node).
//
// Keeps: a token ring with virtual nodes and `replication_factor` replicas per partition (the
// next distinct nodes clockwise from the key's token); a coordinator (the node the request
// reaches: round robin as a token-unaware driver does, or the key's first live replica when
// token-aware) that sends the operation to the replicas over the network, each replica working
// in its own executor, and answers after the k-th replica answer (ONE 1, QUORUM RF/2+1, ALL RF),
// while the other replicas go on working; "unavailable" at once when fewer than k replicas are
// alive, and hints stored for down replicas and replayed when they recover (hinted handoff).
// Per node: a stage of worker threads, CPU work per operation on the node's cores, a commit log
// (one sequential writer), a memtable that flushes to a new SSTable when full, size-tiered
// compaction once `compaction_threshold` similar-size SSTables exist (flush and compaction run
// in the background and take the node's CPU and disk while they run), and reads that touch the
// memtables plus every SSTable that holds the partition or whose Bloom filter gives a false
// positive, each a random disk read: read amplification and latency come from the real SSTable
// contents over real key ids, grow with flushes and fall after compaction.
// Abstracts away: read repair and digest mismatches, speculative retry, the dynamic snitch
// (reads contact the coordinator first, then ring order), racks and datacenters in placement,
// row-level data (a partition is one key; a scan reads `rows` rows of the partition's value
// size), tombstones and TTLs, compaction and hint-delivery throttling, the key and row caches,
// GC pauses, and the periodic commit-log sync window (a crash is a process crash: memtables are
// rebuilt from the commit log, nothing acknowledged is lost).
#include "models/wide_column.h"

#include <algorithm>
#include <cmath>

#include "models/wide_column_store.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"

namespace archsim {

namespace {
constexpr double kChunkBytes = 1e6;    // flush and compaction interleave CPU and disk by 1 MB
const std::vector<std::string> kLevels{"ONE", "QUORUM", "ALL"};

void check_wide_column(const ParamValues& p, const SourceLoc& loc, const std::string& path, Diagnostics& diags)
{
  if (p.integer("replication_factor") > p.integer("nodes"))
    diags.error(loc, path, "replication_factor must not exceed nodes");
}

ParamSpec consistency_option()
{
  return param::choice("consistency", kLevels, "",
                       "Consistency level of this step; default: the component's `consistency`");
}
}  // namespace

WideColumn::WideColumn(Runtime& rt, const ComponentSpec& spec)
    : Component(rt, spec)
    , rf_(static_cast<size_t>(spec.params.integer("replication_factor")))
    , ring_(replicas(), static_cast<size_t>(spec.params.integer("vnodes")))
    , default_consistency_(parse_consistency(spec.params.text("consistency")))
    , token_aware_(spec.params.text("coordinator") == "token_aware")
    , timeout_(spec.params.number("request_timeout"))
    , write_cpu_(spec.params.dist("write_cpu"))
    , read_cpu_(spec.params.dist("read_cpu"))
    , sstable_read_(spec.params.dist("sstable_read"))
    , disk_bandwidth_(spec.params.number("disk_bandwidth"))
    , compress_cpu_per_byte_(spec.params.number("compression_cpu") / 1000.0)
    , stage_(*metrics_, replicas(), static_cast<size_t>(spec.params.integer("concurrent_ops")), 0)
    , cpu_(*metrics_, hosts_)
    , disk_level_(metrics_->declare_level("disk", static_cast<double>(spec.params.integer("disk_parallelism"))))
    , sstables_level_(metrics_->declare_level("sstables", 0))
    , compacting_(replicas(), false)
    , cpu_rng_(rt.stream(spec.name, "cpu"))
    , disk_rng_(rt.stream(spec.name, "disk"))
    , bloom_rng_(rt.stream(spec.name, "bloom"))
{
  LsmConfig lsm;
  lsm.memtable_bytes = spec.params.number("memtable_size");
  lsm.min_threshold  = static_cast<size_t>(spec.params.integer("compaction_threshold"));
  lsm.bloom_fp       = spec.params.number("bloom_fp");
  for (size_t n = 0; n < replicas(); ++n) {
    disk_.push_back(sg4::Semaphore::create(static_cast<unsigned>(spec.params.integer("disk_parallelism"))));
    commitlog_.push_back(sg4::Semaphore::create(1));
    lsm_.emplace_back(lsm);
  }
}

Consistency WideColumn::consistency_of(const Step& step) const
{
  return step.args.has("consistency") ? parse_consistency(step.args.text("consistency")) : default_consistency_;
}

size_t WideColumn::choose_replica(const FlowContext& ctx)
{
  if (token_aware_ && ctx.has_key)
    for (size_t n : ring_.replicas(ctx.key, rf_))
      if (!down_[n])
        return n;
  // Round robin over the nodes the driver sees up, as a token-unaware load-balancing policy does.
  for (size_t i = 0; i < replicas(); ++i) {
    size_t n      = next_replica_;
    next_replica_ = (next_replica_ + 1) % replicas();
    if (!down_[n])
      return n;
  }
  return next_replica_;
}

double WideColumn::request_bytes(const FlowContext& ctx, const Step& step)
{
  return step.op == "put" ? value_bytes(ctx) : -1;
}

Outcome WideColumn::serve(FlowContext& ctx, const Step& step, size_t coordinator, const Body&)
{
  if (down_[coordinator]) {
    metrics_->count(Runtime::now(), "unavailable");
    return Outcome::error("unavailable");
  }
  Work work{Work::Kind::Write, ctx.has_key ? ctx.key : ctx.req->id, value_bytes(ctx), 1};
  if (step.op == "get")
    work.kind = Work::Kind::Read;
  else if (step.op == "scan") {
    work.kind = Work::Kind::Scan;
    work.rows = step.args.number("rows");
  }
  std::vector<size_t> replicas = ring_.replicas(work.key, rf_);
  Consistency c                = consistency_of(step);
  CoordinatorPlan plan         = work.kind == Work::Kind::Write ? plan_write(replicas, down_, c)
                                                                : plan_read(replicas, down_, c, coordinator);
  if (!plan.available) {
    metrics_->count(Runtime::now(), "unavailable");
    return Outcome::error("unavailable");
  }
  for (size_t target : plan.hinted) {
    hints_.store(target, {coordinator, work.key, work.value_bytes});
    metrics_->count(Runtime::now(), "hints_stored");
  }
  bool found        = false;
  double data_bytes = kWideColumnAckBytes;
  Outcome o         = coordinate(plan, coordinator, work, found, data_bytes);
  if (!o.ok() || work.kind == Work::Kind::Write) {
    o.response_bytes = kWideColumnAckBytes;
    return o;
  }
  Outcome answer        = Outcome::success(found ? "found" : "absent");
  answer.response_bytes = data_bytes;
  return answer;
}

Outcome WideColumn::coordinate(const CoordinatorPlan& plan, size_t coordinator, const Work& work, bool& found,
                               double& data_bytes)
{
  // Each replica works in its own executor; the coordinator waits for the k-th answer, and the
  // others finish in the background (their work still loads their nodes).
  struct Join {
    size_t needed  = 0;
    size_t answers = 0;
    bool found     = false;
    double bytes   = kWideColumnAckBytes;
    bool signalled = false;
    sg4::SemaphorePtr sem = sg4::Semaphore::create(0);
  };
  auto join    = std::make_shared<Join>();
  join->needed = plan.needed;
  double ask   = work.kind == Work::Kind::Write ? work.value_bytes : kWideColumnAckBytes;
  for (size_t i = 0; i < plan.contact.size(); ++i) {
    size_t node = plan.contact[i];
    bool data   = i == 0;  // reads: one data request, digest requests to the others
    rt_.pool().submit([this, join, coordinator, node, work, ask, data]() {
      rt_.transfer(host(coordinator), host(node), ask);
      if (down_[node])
        return;  // a dead node never answers: the coordinator times out
      Answer a = work.kind == Work::Kind::Write ? replica_write(node, work.key, work.value_bytes)
                                                : replica_read(node, work, data);
      rt_.transfer(host(node), host(coordinator), a.bytes);
      if (join->signalled)
        return;
      ++join->answers;
      join->found = join->found || a.found;
      if (data)
        join->bytes = a.bytes;
      if (join->answers >= join->needed) {
        join->signalled = true;
        join->sem->release();
      }
    });
  }
  if (join->sem->acquire_timeout(timeout_)) {
    metrics_->count(Runtime::now(), "coordinator_timeouts");
    return Outcome::timeout();
  }
  found      = join->found;
  data_bytes = join->found ? std::max(join->bytes, kWideColumnAckBytes) : kWideColumnAckBytes;
  return Outcome::success();
}

WideColumn::Answer WideColumn::replica_write(size_t node, uint64_t key, double bytes)
{
  stage_.acquire(node);
  cpu_.work(node, write_cpu_.sample(cpu_rng_));
  // The commit log is one sequential writer per node (periodic sync: no fsync per write).
  commitlog_[node]->acquire();
  sg4::this_actor::sleep_for(bytes / disk_bandwidth_);
  commitlog_[node]->release();
  lsm_[node].put(key, bytes);
  maybe_flush(node);
  stage_.release(node);
  return {};
}

WideColumn::Answer WideColumn::replica_read(size_t node, const Work& work, bool data_replica)
{
  stage_.acquire(node);
  cpu_.work(node, read_cpu_.sample(cpu_rng_));
  LsmTree::ReadResult r = lsm_[node].read(work.key, bloom_rng_);
  double scanned        = work.kind == Work::Kind::Scan ? work.rows * work.value_bytes : 0;
  for (size_t i = 0; i < r.sstables_read; ++i) {
    // One random read finds the partition in the table; a scan then reads its rows in order.
    disk_io(node, sstable_read_.sample(disk_rng_) + scanned / disk_bandwidth_);
    if (scanned > 0)
      cpu_.work(node, scanned * compress_cpu_per_byte_);  // decompressing the chunks read
  }
  metrics_->count(Runtime::now(), "replica_reads");
  metrics_->count(Runtime::now(), "sstable_reads", static_cast<double>(r.sstables_read));
  stage_.release(node);
  Answer a;
  a.found = r.found;
  if (r.found && data_replica)
    a.bytes = work.kind == Work::Kind::Scan ? scanned : work.value_bytes;
  return a;
}

void WideColumn::disk_io(size_t node, double seconds)
{
  disk_[node]->acquire();
  disk_level_.add(node, Runtime::now(), 1);
  sg4::this_actor::sleep_for(seconds);
  disk_level_.add(node, Runtime::now(), -1);
  disk_[node]->release();
}

void WideColumn::sequential_io(size_t node, double bytes, double cpu_per_byte)
{
  // Chunk by chunk, so that foreground reads share the disk and cores with the background job.
  for (double done = 0; done < bytes; done += kChunkBytes) {
    double chunk = std::min(kChunkBytes, bytes - done);
    cpu_.work(node, chunk * cpu_per_byte);
    disk_io(node, chunk / disk_bandwidth_);
  }
}

void WideColumn::maybe_flush(size_t node)
{
  auto job = lsm_[node].take_flush();
  if (!job)
    return;
  bool queued = rt_.pool().submit([this, node, job = *job]() {
    sequential_io(node, job.bytes, compress_cpu_per_byte_);  // serialise + compress, then write
    if (lsm_[node].finish_flush(job.id)) {
      sstables_level_.add(node, Runtime::now(), 1);
      metrics_->count(Runtime::now(), "flushes");
      maybe_compact(node);
    }
  });
  if (!queued && lsm_[node].finish_flush(job->id))  // no executor left: the flush is not timed
    sstables_level_.add(node, Runtime::now(), 1);
}

void WideColumn::maybe_compact(size_t node)
{
  if (compacting_[node])
    return;
  auto job = lsm_[node].pick_compaction();
  if (!job)
    return;
  compacting_[node] = true;
  bool queued       = rt_.pool().submit([this, node, job = *job]() mutable {
    // One compactor per node: keep merging while a bucket is full.
    for (;;) {
      sequential_io(node, job.bytes, 0);                           // read the inputs
      sequential_io(node, job.bytes, 2 * compress_cpu_per_byte_);  // decompress, merge, compress, write
      if (lsm_[node].finish_compaction(job)) {
        sstables_level_.add(node, Runtime::now(), 1.0 - static_cast<double>(job.inputs.size()));
        metrics_->count(Runtime::now(), "compactions");
      }
      auto next = lsm_[node].pick_compaction();
      if (!next)
        break;
      job = *next;
    }
    compacting_[node] = false;
  });
  if (!queued)
    compacting_[node] = false;
}

void WideColumn::crash(size_t node)
{
  Component::crash(node);
  lsm_[node].crash();
}

void WideColumn::recover(size_t node)
{
  Component::recover(node);
  std::vector<HintStore::Hint> h = hints_.take(node);
  if (h.empty())
    return;
  rt_.pool().submit([this, node, h = std::move(h)]() {
    for (const auto& hint : h) {
      if (down_[node] || down_[hint.coordinator]) {
        hints_.store(node, hint);  // delivery stops; the hint waits for the next recovery
        continue;
      }
      rt_.transfer(host(hint.coordinator), host(node), hint.bytes);
      replica_write(node, hint.key, hint.bytes);
      metrics_->count(Runtime::now(), "hints_replayed");
    }
  });
}

void WideColumn::finish()
{
  const auto& counters = metrics_->counters();
  auto counter         = [&](const char* name) {
    auto it = counters.find(name);
    return it == counters.end() ? 0.0 : it->second;
  };
  double reads = counter("replica_reads");
  metrics_->set_value("read_amplification", reads > 0 ? counter("sstable_reads") / reads : 0);
  double tables = 0;
  for (const auto& t : lsm_)
    tables += static_cast<double>(t.sstables());
  metrics_->set_value("sstables", tables / static_cast<double>(lsm_.size()));
}

const ModelSpec& wide_column_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name    = "wide_column";
    s.summary = "Cassandra-like store: token ring with vnodes, replication factor, consistency levels, LSM "
                "write and read paths, hinted handoff";
    s.keeps = "token ring with vnodes and RF replicas clockwise; coordinator answers after the k-th replica "
              "(ONE/QUORUM/ALL), unavailable when fewer are alive, hints for down replicas replayed on recovery; "
              "per node: commit log, memtable flushed to SSTables, size-tiered compaction in the background on "
              "the node's CPU and disk, reads through every SSTable that holds the key or whose Bloom filter "
              "gives a false positive";
    s.abstracts = "read repair, speculative retry, dynamic snitch, racks and datacenters, rows within a "
                  "partition (a scan reads `rows` rows of the value size), tombstones, throttling of "
                  "compaction and hints, key/row caches, GC, the periodic commit-log sync window";
    s.params = {
        param::count("nodes", "3", "Cassandra nodes, each on its own host").range(1, 10000),
        param::count("vnodes", "16", "Tokens per node on the ring (num_tokens)")
            .range(1, 4096)
            .cite("reference-figures.md s4: num_tokens 16 in Cassandra 4.0+ (256 before)"),
        param::count("replication_factor", "3", "Replicas of each partition (SimpleStrategy)")
            .range(1, 100)
            .cite("reference-figures.md s4: Netflix and GCE benchmarks at RF 3"),
        param::choice("consistency", kLevels, "QUORUM",
                      "Default consistency level: answers the coordinator waits for (ONE 1, QUORUM RF/2+1, ALL RF)")
            .cite("reference-figures.md s4: GCE 1M writes/s test at QUORUM; QUORUM = floor(RF/2)+1"),
        param::choice("coordinator", {"round_robin", "token_aware"}, "round_robin",
                      "How a driver picks the coordinator: round robin over live nodes, or the key's first live "
                      "replica"),
        param::count("cores", "4", "CPU cores per node")
            .range(1, 1024)
            .cite("reference-figures.md s4: Netflix nodes were m1.xlarge (4 vCPUs)"),
        param::count("concurrent_ops", "32", "Worker threads per node serving replica reads and writes")
            .range(1, 100000)
            .cite("cassandra.yaml concurrent_reads / concurrent_writes default 32 (not in reference-figures.md)"),
        param::distribution("write_cpu", Unit::Duration, "{dist: lognormal, mean: 350us, p99: 1ms}",
                            "CPU time of one replica write (memtable insert, mutation handling)")
            .cite("reference-figures.md s4: ~11k replica writes/s per 4-core node -> ~350 us; spread sigma 0.49 "
                  "from the s15 Cassandra QUORUM write fit"),
        param::distribution("read_cpu", Unit::Duration, "{dist: lognormal, mean: 350us, p99: 1ms}",
                            "CPU time of one replica read, disk reads excluded")
            .cite("same figure as write_cpu: no separate public figure for reads (assumption)"),
        param::distribution("sstable_read", Unit::Duration, "150us",
                            "Disk time of reading one SSTable's index and data page (random read)")
            .cite("reference-figures.md s12: read 4 KB randomly from SSD 150 us; s4: one extra page read per "
                  "SSTable whose Bloom filter answers maybe"),
        param::count("disk_parallelism", "8", "Disk operations a node's SSD serves at once")
            .range(1, 1024)
            .cite("assumption (no figure in reference-figures.md): a SATA SSD's useful queue depth"),
        param::quantity("disk_bandwidth", Unit::Bandwidth, "1GBps",
                        "Sequential disk throughput (commit log appends, flushes, compaction, scans)")
            .cite("reference-figures.md s12: read 1 MB sequentially from SSD 1 ms"),
        param::quantity("compression_cpu", Unit::Duration, "3us",
                        "CPU time to compress or decompress 1 KB of SSTable data (flush, compaction, scans)")
            .cite("reference-figures.md s12: compress 1 KB with Zippy/Snappy 3 us"),
        param::quantity("memtable_size", Unit::Size, "64MB", "Memtable bytes per node before it is flushed")
            .range(1, 1e15)
            .cite("assumption: Cassandra's memtable_heap_space is 1/4 of the heap (GBs); lower it to see "
                  "flushes and compaction in a short run"),
        param::count("compaction_threshold", "4", "Similar-size SSTables that trigger a size-tiered compaction")
            .range(2, 32)
            .cite("Cassandra STCS min_threshold default 4 (not in reference-figures.md)"),
        param::quantity("bloom_fp", Unit::Fraction, "1%", "Bloom filter false-positive chance per SSTable lookup")
            .range(0, 1)
            .cite("reference-figures.md s16.9: p = 1% at 9.6 bits per key (Cassandra's STCS default)"),
        param::quantity("request_timeout", Unit::Duration, "2s",
                        "The coordinator gives up when replicas do not answer within this time")
            .range(1e-6, 3600)
            .cite("cassandra.yaml write_request_timeout default 2 s (not in reference-figures.md)"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy cores / cores (foreground and background work)"},
        {"thread_utilisation", Unit::Fraction, "Replica worker threads in use / threads"},
        {"queue_length", Unit::Number, "Mean replica operations waiting for a worker thread (all nodes)"},
        {"disk_utilisation", Unit::Fraction, "Disk operations in progress / disk_parallelism"},
        {"sstables_length", Unit::Number, "SSTables on all nodes together, mean over time (the sstables level)"},
        {"sstables", Unit::Number, "SSTables per node at the end of the run"},
        {"read_amplification", Unit::Number, "Mean SSTables read per replica read"},
        {"replica_reads", Unit::Count, "Reads served by replicas (a QUORUM get counts 2)"},
        {"sstable_reads", Unit::Count, "SSTables read by them (Bloom filter said maybe)"},
        {"flushes", Unit::Count, "Memtables flushed to SSTables"},
        {"compactions", Unit::Count, "Size-tiered compactions finished"},
        {"hints_stored", Unit::Count, "Hints stored by coordinators for down replicas"},
        {"hints_replayed", Unit::Count, "Hints delivered to recovered replicas"},
        {"unavailable", Unit::Count, "Requests refused because too few replicas were alive"},
        {"coordinator_timeouts", Unit::Count, "Requests whose replicas did not answer within request_timeout"},
    };
    s.operations = {
        {"put", "Write one row of the key's partition (value size from the key space) to all live replicas",
         {consistency_option()}, {}},
        {"get", "Read the key's partition from k replicas", {consistency_option()}, {"found", "absent"}},
        {"scan", "Read `rows` rows in order within the key's partition from k replicas",
         {consistency_option(), param::count("rows", "100", "Rows read").range(1, 1e7)},
         {"found", "absent"}},
    };
    s.check = check_wide_column;
    return s;
  }();
  return spec;
}

Placement wide_column_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("nodes")), static_cast<int>(p.integer("cores"))};
}

std::unique_ptr<Component> make_wide_column(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<WideColumn>(rt, spec);
}

}  // namespace archsim
