// kafka: a Kafka cluster of `brokers` holding one topic, which flows write with `produce:` and
// consumer_group / stream_processor components read.
//
// Keeps: partitions as real ordered logs (records with offsets, a few tens of bytes each
// whatever their payload), a key's partition by a hash of the key (a hot key makes a hot
// partition and a hot leader broker) and keyless records on a sticky partition per producer;
// leaders spread over the brokers and followers that fetch from them (real transfers between
// broker hosts, CPU on both sides, a long poll when there is nothing new); the in-sync replica
// set and the high watermark (the lowest log end in the ISR: what consumers may read); acks=0
// (answered when the batch leaves the producer), acks=1 (after the leader's append) and
// acks=all (once every ISR member has the batch; refused while the ISR is below
// min_insync_replicas); producer batching per (producer host, partition) up to `batch_size`
// bytes or `linger`, one request per batch, so the per-request CPU is amortised and latency
// grows with linger; a broker crash: the controller notices after `failover_time`, the first
// live in-sync follower leads, and records the new leader lacks are gone (acknowledged ones
// counted as records_lost: possible with acks=1, never with acks=all), acks=all batches caught
// in between are retried on the new leader (an idempotent producer); no unclean election (a
// partition whose last ISR member is down stays offline until it is back); flushes left to the
// OS by default (a crash loses the page cache written in the last `dirty_expire`, which only
// matters when every replica dies at once) or an fsync per append; retention by segments of
// 1024 records; records nobody will read again leave memory.
// Abstracts away: the batch accumulates at the leader rather than in the producer (the record
// crosses the network first, then waits for its batch: the same sums), one accumulator per
// producer host whatever the number of producer instances there, max.in.flight and the
// producer's buffer.memory, compression, record and batch headers on the wire, disk I/O of
// appends (they go to the page cache), ISR shrink by replica.lag.time.max.ms (only a dead
// broker leaves the ISR), preferred-leader rebalancing, controller failover, topics other than
// one, log compaction, transactions, request timeouts of batches stuck waiting for a dead ISR.
#include "models/kafka.h"

#include <algorithm>
#include <limits>

#include "models/kafka_component.h"
#include "sim/core/hash_ring.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"

namespace archsim {

namespace {

constexpr double kMaxPartitionFetchBytes = 1048576;  // max.partition.fetch.bytes, replica.fetch.max.bytes

void check_kafka(const ParamValues& p, const SourceLoc& loc, const std::string& path, Diagnostics& diags)
{
  if (p.integer("replication_factor") > p.integer("brokers"))
    diags.error(loc, path, "replication_factor must not exceed brokers");
  if (p.integer("min_insync_replicas") > p.integer("replication_factor"))
    diags.error(loc, path, "min_insync_replicas must not exceed replication_factor");
}

}  // namespace

const ModelSpec& kafka_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "kafka";
    s.summary   = "Kafka cluster with one topic: partitioned replicated logs, acks, ISR, producer batching, failover";
    s.keeps     = "partitions as ordered logs with offsets (key -> partition by hash, keyless sticky), leaders spread "
                  "over brokers, followers fetching over the network, ISR and high watermark, acks 0/1/all with "
                  "min.insync.replicas, producer batches by size and linger (one request each), leader failover "
                  "after a broker crash losing what the new leader lacks (records_lost), no unclean election, "
                  "OS-flushed or fsynced appends, retention by segments";
    s.abstracts = "batches accumulate at the leader (after the record's network hop), one producer per host, "
                  "max.in.flight, compression, headers, disk I/O (page cache), lag-based ISR shrink, preferred-"
                  "leader rebalancing, controller failover, several topics, compaction, transactions";
    s.params    = {
        param::count("brokers", "3", "Broker hosts").range(1, 1000)
            .cite("reference-figures.md s6: 3 brokers in the LinkedIn 2014 and Confluent 2020 benchmarks"),
        param::count("cores", "6", "Cores per broker host (request handling, appends, fetches)").range(1, 256)
            .cite("reference-figures.md s6: 6-core Xeon brokers in the LinkedIn 2014 test (U)"),
        param::count("partitions", "6", "Partitions of the topic; leaders spread over the brokers").range(1, 100000)
            .cite("reference-figures.md s6: partitions >= max(t/p, t/c) for throughput t; 6 = two per broker, a "
                  "sizing choice"),
        param::count("replication_factor", "3", "Replicas of each partition (at most brokers)").range(1, 100)
            .cite("reference-figures.md s6: 3x replication in both benchmarks"),
        param::count("min_insync_replicas", "2",
                     "acks=all refuses (and the producer retries) while fewer replicas are in sync")
            .range(1, 100)
            .cite("with RF 3 the usual production setting, so that one broker may be down without data at risk; "
                  "Kafka's broker default is 1 (Kafka broker configs)"),
        param::choice("acks", {"0", "1", "all"}, "all",
                      "0: answered when the batch leaves; 1: after the leader's append; all: once the whole ISR has "
                      "it")
            .cite("reference-figures.md s6: acks default all (with enable.idempotence) since Kafka 3.0, KIP-679"),
        param::quantity("linger", Unit::Duration, "5ms", "How long a batch waits for more records (linger.ms)")
            .range(0, 60)
            .cite("reference-figures.md s6: linger.ms default 5 ms from Kafka 4.0 (KIP-1030)"),
        param::quantity("batch_size", Unit::Size, "16KiB", "A batch is sent once it holds this many bytes")
            .range(1, 1e9)
            .cite("reference-figures.md s6: batch.size default 16,384 bytes per partition"),
        param::quantity("retention", Unit::Duration, "168h", "Segments older than this are deleted")
            .range(1e-3, 1e10)
            .cite("Kafka broker configs: log.retention.hours 168 (not in reference-figures.md)"),
        param::choice("flush", {"none", "every_batch"}, "none",
                      "none: the OS writes the page cache back (a crash loses the last dirty_expire of that "
                      "broker's log; durability comes from replication); every_batch: fsync each append on every "
                      "replica")
            .cite("Kafka broker configs: log.flush.interval.messages defaults to Long.MAX_VALUE, Kafka leaves "
                  "flushing to the OS and relies on replication (not in reference-figures.md)"),
        param::quantity("fsync", Unit::Duration, "5.9ms", "Time of one fsync (flush: every_batch)").range(0, 10)
            .cite("reference-figures.md s7: 5.9 ms average fsync on a consumer SSD (RabbitMQ quorum queue run)"),
        param::quantity("dirty_expire", Unit::Duration, "30s",
                        "flush: none: appends older than this are on disk (the OS's writeback)")
            .range(0, 1e6)
            .cite("reference-figures.md s1: 'Linux normally flushes about every 30 s' (appendfsync no)"),
        param::quantity("request_cpu", Unit::Duration, "17us",
                        "Broker CPU per request (a produce batch, a fetch, a commit) before the per-byte cost")
            .range(0, 1)
            .cite("reference-figures.md s1 (derived): a read() and a write() syscall cost 11.2 us (Redis "
                  "unpipelined minus pipelined GET); a produce adds the log write(): 3 syscalls = 17 us"),
        param::quantity("cpu_per_byte", Unit::Duration, "1ns", "Broker CPU per byte appended or sent").range(0, 1e-3)
            .cite("reference-figures.md s12: 1 MB read sequentially from memory in 250 us = 0.25 ns/B; a record "
                  "crosses memory ~4 times (socket, log, page cache, socket)"),
        param::quantity("failover_time", Unit::Duration, "9s",
                        "From a broker's crash to the controller moving its leaderships (partitions it led are "
                        "unavailable meanwhile)")
            .range(0, 1e6)
            .cite("Kafka broker configs (KRaft): broker.session.timeout.ms 9 s (not in reference-figures.md)"),
        param::quantity("retry_backoff", Unit::Duration, "100ms",
                        "A batch that cannot be appended (no leader, ISR too small) is retried after this")
            .range(1e-6, 1e6)
            .cite("reference-figures.md s6: retry.backoff.ms 100 ms"),
        param::quantity("delivery_timeout", Unit::Duration, "120s",
                        "A batch not appended within this fails (error delivery_timeout)")
            .range(1e-3, 1e7)
            .cite("reference-figures.md s6: delivery.timeout.ms 120 s"),
        param::quantity("replica_fetch_wait", Unit::Duration, "500ms",
                        "A follower's fetch waits at most this long for new records (long poll)")
            .range(1e-4, 1e3)
            .cite("reference-figures.md s6: fetch.max.wait.ms 500 ms (replica.fetch.wait.max.ms has the same "
                  "default)"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy broker CPU / capacity (per_replica: per broker)"},
        {"records", Unit::Count, "Records acknowledged to their producer"},
        {"records_lost", Unit::Count, "Acknowledged records gone from the log after a failover (or a crash of "
                                      "every replica with flush: none)"},
        {"records_failed", Unit::Count, "Records whose batch was not appended within delivery_timeout"},
        {"batches", Unit::Count, "Produce requests (batches) appended"},
        {"not_enough_replicas", Unit::Count, "Append attempts refused because the ISR was below "
                                             "min_insync_replicas (acks=all)"},
        {"leader_elections", Unit::Count, "Leadership changes (failovers, partitions back online)"},
        {"batch_records", Unit::Number, "Mean records per produce request"},
        {"batch_bytes", Unit::Size, "Mean bytes per produce request"},
        {"partition_imbalance", Unit::Number, "Records of the busiest partition over the mean per partition "
                                              "(1 = even; a hot key makes it large)"},
        {"under_replicated_length", Unit::Number, "Mean partitions with fewer in-sync replicas than replicas"},
        {"offline_length", Unit::Number, "Mean partitions without a live leader"},
        {"log_records", Unit::Number, "Records retained per partition at the end (after retention)"},
        {"stored_records", Unit::Number, "Records the model holds in memory at the end (all partitions)"},
    };
    s.operations = {
        {"produce",
         "Send a record (the request's key; the key space's value size, else the request size) to its "
         "partition's leader: it joins a batch, and the step returns as acks says (error delivery_timeout if the "
         "batch cannot be appended in time)",
         {},
         {}},
    };
    s.check = check_kafka;
    return s;
  }();
  return spec;
}

Placement kafka_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("brokers")), static_cast<int>(p.integer("cores"))};
}

// A batch of records for one partition from one producer host. The caller of the record that
// opened it waits up to `linger` and seals it; every caller waits for the answer.
struct Kafka::Batch {
  size_t partition       = 0;
  sg4::Host* producer    = nullptr;
  double created         = 0;
  double bytes           = 0;
  size_t waiters         = 0;
  bool sealed            = false;
  bool answered          = false;
  std::vector<kafka::Record> records;                       // to append
  std::vector<std::pair<uint64_t, kafka::Record>> appended;  // where they went
  uint64_t end = 0;                                          // log end after the last append
  sg4::SemaphorePtr seal = sg4::Semaphore::create(0);
  sg4::SemaphorePtr reply = sg4::Semaphore::create(0);
  Outcome outcome = Outcome::success();
};

Kafka::Kafka(Runtime& rt, const ComponentSpec& spec)
    : Component(rt, spec)
    , rf_(static_cast<size_t>(spec.params.integer("replication_factor")))
    , min_isr_(static_cast<size_t>(spec.params.integer("min_insync_replicas")))
    , acks_(spec.params.text("acks") == "all" ? -1 : spec.params.text("acks") == "1" ? 1 : 0)
    , linger_(spec.params.number("linger"))
    , batch_size_(spec.params.number("batch_size"))
    , retention_(spec.params.number("retention"))
    , flush_every_batch_(spec.params.text("flush") == "every_batch")
    , fsync_(spec.params.number("fsync"))
    , dirty_expire_(spec.params.number("dirty_expire"))
    , request_cpu_(spec.params.number("request_cpu"))
    , cpu_per_byte_(spec.params.number("cpu_per_byte"))
    , failover_time_(spec.params.number("failover_time"))
    , retry_backoff_(spec.params.number("retry_backoff"))
    , delivery_timeout_(spec.params.number("delivery_timeout"))
    , replica_wait_(spec.params.number("replica_fetch_wait"))
    , cpu_(*metrics_, hosts_)
    , under_replicated_(metrics_->declare_level("under_replicated", 0))
    , offline_(metrics_->declare_level("offline", 0))
    , handled_(replicas(), true)
    , crashes_(replicas(), 0)
{
  auto n = static_cast<size_t>(spec.params.integer("partitions"));
  parts_.reserve(n);
  for (size_t p = 0; p < n; ++p) {
    parts_.emplace_back(kafka::replicas_for(p, replicas(), rf_));
    parts_.back().queued = sg4::Semaphore::create(0);
  }
  under_.assign(n, 0);
  offline_now_.assign(n, 0);
  fetchers_.resize(replicas());
  for (auto& row : fetchers_) {
    row.resize(replicas());
    for (auto& f : row)
      f.wake = sg4::Semaphore::create(0);
  }
  for (size_t p = 0; p < n; ++p)
    sg4::Actor::create(name() + "-append-" + std::to_string(p), host(parts_[p].log.replicas().front()),
                       [this, p] { appender(p); })
        ->daemonize();
  if (rf_ > 1)
    for (size_t f = 0; f < replicas(); ++f)
      for (size_t l = 0; l < replicas(); ++l)
        if (f != l)
          sg4::Actor::create(name() + "-fetcher-" + std::to_string(f) + "-" + std::to_string(l), host(f),
                             [this, f, l] { replica_fetcher(f, l); })
              ->daemonize();
}

bool Kafka::measured(double t) const { return t >= rt_.scenario().run.warmup; }

std::vector<bool> Kafka::alive() const
{
  std::vector<bool> a(replicas());
  for (size_t b = 0; b < replicas(); ++b)
    a[b] = !down_[b];
  return a;
}

std::optional<size_t> Kafka::leader(size_t p) const
{
  auto l = parts_[p].log.leader();
  if (l && !down_[*l])
    return l;
  return std::nullopt;
}

const KeySpaceSpec* Kafka::key_space(uint16_t index) const
{
  const auto& data = rt_.scenario().data;
  return index < data.size() ? &data[index] : nullptr;
}

// ---- producing ------------------------------------------------------------------------

size_t Kafka::choose_replica(const FlowContext& ctx)
{
  size_t p = ctx.has_key ? kafka::partition_for_key(ctx.key, parts_.size()) : last_sticky_;
  if (auto l = leader(p))
    return *l;
  // The partition fails over: the producer's request reaches some live broker and waits there.
  for (size_t k = 0; k < replicas(); ++k)
    if (!down_[(p + k) % replicas()])
      return (p + k) % replicas();
  return p % replicas();
}

double Kafka::record_bytes(const FlowContext& ctx, const Step& step) const
{
  if (step.request_bytes >= 0)
    return step.request_bytes;
  if (ctx.key_space && ctx.has_key)
    return value_bytes(ctx);
  return ctx.req->request_bytes;
}

double Kafka::request_bytes(const FlowContext& ctx, const Step&)
{
  return ctx.key_space && ctx.has_key ? value_bytes(ctx) : -1;
}

size_t Kafka::partition_of(const FlowContext& ctx)
{
  if (ctx.has_key)
    return kafka::partition_for_key(ctx.key, parts_.size());
  // Sticky partitioner: a producer's keyless records fill one partition's batch, then the next.
  auto [it, fresh] = sticky_.try_emplace(ctx.caller, (last_sticky_ + 1) % parts_.size());
  if (fresh)
    last_sticky_ = it->second;
  return it->second;
}

Outcome Kafka::serve(FlowContext& ctx, const Step& step, size_t, const Body&)
{
  double now = rt_.now();
  size_t p   = partition_of(ctx);
  uint16_t producer = producers_.try_emplace(ctx.caller, static_cast<uint16_t>(producers_.size())).first->second;
  kafka::Record r;
  r.key      = ctx.key;
  r.has_key  = ctx.has_key;
  r.produced = ctx.req->arrival;
  r.bytes    = static_cast<uint32_t>(std::max(1.0, record_bytes(ctx, step)));
  r.producer = producer;
  r.sequence = sequences_[{r.producer, p}]++;
  const auto& data = rt_.scenario().data;
  if (ctx.key_space && !data.empty() && ctx.key_space >= &data.front() && ctx.key_space <= &data.back())
    r.key_space = static_cast<uint16_t>(ctx.key_space - &data.front());

  std::shared_ptr<Batch>& slot = open_[{ctx.caller, p}];
  bool opener = !slot;
  if (opener) {
    slot            = std::make_shared<Batch>();
    slot->partition = p;
    slot->producer  = ctx.caller;
    slot->created   = now;
  }
  std::shared_ptr<Batch> b = slot;
  b->records.push_back(r);
  b->bytes += r.bytes;
  ++b->waiters;
  if (b->bytes >= batch_size_) {
    seal(b);
  } else if (opener) {
    if (linger_ > 0)
      b->seal->acquire_timeout(linger_);
    seal(b);
  }
  b->reply->acquire();
  Outcome o        = b->outcome;
  o.response_bytes = kKafkaRequestBytes;
  return o;
}

void Kafka::seal(const std::shared_ptr<Batch>& b)
{
  if (b->sealed)
    return;
  b->sealed = true;
  open_.erase({b->producer, b->partition});
  if (auto st = sticky_.find(b->producer); st != sticky_.end() && st->second == b->partition) {
    st->second   = (b->partition + 1) % parts_.size();
    last_sticky_ = st->second;
  }
  if (acks_ == 0)
    answer(b, Outcome::success());
  Partition& part = parts_[b->partition];
  part.queue.push_back(b);
  part.queued->release();
  b->seal->release();
}

void Kafka::answer(const std::shared_ptr<Batch>& b, const Outcome& o)
{
  if (b->answered)
    return;
  b->answered = true;
  b->outcome  = o;
  double now  = rt_.now();
  metrics_->count(now, o.ok() ? "records" : "records_failed", static_cast<double>(b->waiters));
  for (size_t i = 0; i < b->waiters; ++i)
    b->reply->release();
}

// The partition's request handling on its leader, one batch at a time (appends to a log are
// serialised), in the order the batches were sealed.
void Kafka::appender(size_t p)
{
  Partition& part = parts_[p];
  while (true) {
    part.queued->acquire();
    std::shared_ptr<Batch> b = part.queue.front();
    part.queue.pop_front();
    while (!append(p, b)) {
    }
  }
}

// One attempt to append a batch; false to try again at once (the leader changed meanwhile).
bool Kafka::append(size_t p, const std::shared_ptr<Batch>& b)
{
  Partition& part = parts_[p];
  double now      = rt_.now();
  auto lead       = leader(p);
  bool too_few    = acks_ == -1 && part.log.isr_size() < min_isr_;
  if (!lead || too_few) {
    if (lead && too_few)
      metrics_->count(now, "not_enough_replicas");
    if (now - b->created >= delivery_timeout_) {
      if (acks_ == 0)  // answered long ago: the records are silently gone
        metrics_->count(now, "records_failed", static_cast<double>(b->records.size()));
      answer(b, Outcome::error("delivery_timeout"));
      return true;
    }
    sg4::this_actor::sleep_for(retry_backoff_);
    return false;
  }
  size_t L       = *lead;
  uint64_t epoch = part.log.epoch();
  double bytes   = 0;
  for (const auto& r : b->records)
    bytes += r.bytes;
  cpu_.work(L, request_cpu_ + bytes * cpu_per_byte_);
  if (flush_every_batch_)
    disk_wait(L, fsync_);
  if (down_[L] || part.log.epoch() != epoch)
    return false;
  now = rt_.now();
  for (auto& r : b->records) {
    r.appended = now;
    r.acked    = acks_ != -1;
  }
  bool hw_moved  = false;
  uint64_t first = part.log.append(b->records, hw_moved);
  for (size_t i = 0; i < b->records.size(); ++i)
    b->appended.emplace_back(first + i, b->records[i]);
  b->end = part.log.log_end();
  if (measured(now)) {
    batches_ += 1;
    batch_records_ += static_cast<double>(b->records.size());
    batch_bytes_ += bytes;
    part.records += b->records.size();
  }
  metrics_->count(now, "batches");
  b->records.clear();
  part.log.expire(now - retention_);
  forget(p);
  wake_fetchers(p);
  if (acks_ == 1)
    answer(b, Outcome::success());
  else if (acks_ == -1)
    part.pending.push_back(b);
  if (hw_moved)
    high_watermark_moved(p);
  return true;
}

void Kafka::high_watermark_moved(size_t p)
{
  Partition& part = parts_[p];
  uint64_t hw     = part.log.high_watermark();
  while (!part.pending.empty() && part.pending.front()->end <= hw) {
    std::shared_ptr<Batch> b = part.pending.front();
    part.pending.erase(part.pending.begin());
    for (const auto& a : b->appended)
      part.log.mark_acked(a.first, a.first + 1);
    answer(b, Outcome::success());
  }
  for (KafkaReader* r : readers_)
    r->high_watermark_moved(p, hw);
}

// Records below what every reader may still read, every replica's log end and (flush: none)
// what a crash could take back leave memory.
void Kafka::forget(size_t p)
{
  kafka::PartitionLog& log = parts_[p].log;
  uint64_t floor           = log.log_end();
  for (const auto& f : floors_)
    floor = std::min(floor, f[p]);
  for (size_t b : log.replicas())
    floor = std::min(floor, log.leo(b));
  if (!flush_every_batch_)
    floor = std::min(floor, log.first_appended_after(rt_.now() - dirty_expire_));
  log.forget_below(floor);
}

// ---- replication ----------------------------------------------------------------------

void Kafka::wake_fetchers(size_t p)
{
  const kafka::PartitionLog& log = parts_[p].log;
  if (!log.leader())
    return;
  for (size_t f : log.replicas())
    if (f != *log.leader()) {
      Fetcher& fe = fetchers_[f][*log.leader()];
      if (fe.idle) {
        fe.idle = false;
        fe.wake->release();
      }
    }
}

// A follower's replica fetcher for the partitions one broker leads: fetch request (carrying
// the follower's log ends, from which the leader moves the high watermark), records back,
// append, and again; with nothing new the request waits at the leader (long poll).
void Kafka::replica_fetcher(size_t f, size_t l)
{
  Fetcher& me = fetchers_[f][l];
  struct Piece {
    size_t p;
    uint64_t from, to, epoch;
  };
  auto wait = [&] {
    me.idle = true;
    me.wake->acquire_timeout(replica_wait_);
    me.idle = false;
  };
  auto gather = [&](std::vector<Piece>& pieces) {
    double bytes = 0;
    for (size_t p = 0; p < parts_.size(); ++p) {
      kafka::PartitionLog& log = parts_[p].log;
      if (!log.leader() || *log.leader() != l || !log.is_replica(f))
        continue;
      uint64_t from = std::max(log.leo(f), log.stored_from());
      uint64_t to   = from;
      double pb     = 0;
      while (to < log.log_end() && pb < kMaxPartitionFetchBytes)
        pb += log.at(to++).bytes;
      if (to > from)
        pieces.push_back({p, from, to, log.epoch()});
      bytes += pb;
    }
    return bytes;
  };
  while (true) {
    if (down_[f] || down_[l]) {
      wait();
      continue;
    }
    rt_.transfer(host(f), host(l), kKafkaRequestBytes);
    if (down_[f] || down_[l])
      continue;
    for (size_t p = 0; p < parts_.size(); ++p) {
      kafka::PartitionLog& log = parts_[p].log;
      if (log.leader() && *log.leader() == l && log.is_replica(f)) {
        bool moved = log.follower_reported(f);
        update_levels(p);
        if (moved)
          high_watermark_moved(p);
      }
    }
    std::vector<Piece> pieces;
    double bytes = gather(pieces);
    if (pieces.empty()) {
      wait();
      if (down_[f] || down_[l])
        continue;
      bytes = gather(pieces);
      if (pieces.empty())
        continue;
    }
    cpu_.work(l, request_cpu_ + bytes * cpu_per_byte_);
    rt_.transfer(host(l), host(f), kKafkaRequestBytes + bytes);
    cpu_.work(f, request_cpu_ + bytes * cpu_per_byte_);
    if (flush_every_batch_)
      disk_wait(f, fsync_);
    if (down_[f])
      continue;
    for (const Piece& pc : pieces) {
      kafka::PartitionLog& log = parts_[pc.p].log;
      if (log.epoch() == pc.epoch && pc.to <= log.log_end() && std::max(log.leo(f), log.stored_from()) == pc.from)
        log.follower_fetched(f, pc.to);
    }
  }
}

// ---- failures ---------------------------------------------------------------------------

void Kafka::update_levels(size_t p)
{
  const kafka::PartitionLog& log = parts_[p].log;
  double now  = rt_.now();
  int under   = log.isr_size() < log.replicas().size() ? 1 : 0;
  int offline = leader(p) ? 0 : 1;
  if (under != under_[p]) {
    under_replicated_.add(0, now, under - under_[p]);
    under_[p] = under;
  }
  if (offline != offline_now_[p]) {
    offline_.add(0, now, offline - offline_now_[p]);
    offline_now_[p] = offline;
  }
}

void Kafka::crash(size_t b)
{
  Component::crash(b);
  double now = rt_.now();
  ++crashes_[b];
  handled_[b] = false;
  for (size_t p = 0; p < parts_.size(); ++p) {
    kafka::PartitionLog& log = parts_[p].log;
    if (!log.is_replica(b))
      continue;
    log.replica_crashed(b, flush_every_batch_ ? log.leo(b) : log.first_appended_after(now - dirty_expire_));
    update_levels(p);
  }
  uint64_t which = crashes_[b];
  sg4::Actor::create(name() + "-controller-" + std::to_string(b), rt_.platform().driver, [this, b, which] {
    sg4::this_actor::sleep_for(failover_time_);
    if (crashes_[b] == which && down_[b] && !handled_[b])
      controller_failed(b);
  })->daemonize();
}

void Kafka::controller_failed(size_t b)
{
  handled_[b] = true;
  std::vector<bool> up = alive();
  for (size_t p = 0; p < parts_.size(); ++p) {
    apply(p, parts_[p].log.broker_failed(b, up));
    update_levels(p);
  }
}

void Kafka::recover(size_t b)
{
  // A restarted broker registers with the controller, which handles its failure first if it
  // had not noticed it yet.
  if (!handled_[b])
    controller_failed(b);
  Component::recover(b);
  std::vector<bool> up = alive();
  for (size_t p = 0; p < parts_.size(); ++p) {
    apply(p, parts_[p].log.broker_recovered(b, up));
    update_levels(p);
  }
  for (size_t o = 0; o < replicas(); ++o)
    if (o != b) {
      fetchers_[b][o].idle = false;
      fetchers_[b][o].wake->release();
      fetchers_[o][b].idle = false;
      fetchers_[o][b].wake->release();
    }
}

void Kafka::apply(size_t p, const kafka::PartitionLog::Change& c)
{
  Partition& part = parts_[p];
  double now      = rt_.now();
  if (c.lost_acked > 0)
    metrics_->count(now, "records_lost", static_cast<double>(c.lost_acked));
  if (c.leader_changed)
    metrics_->count(now, "leader_elections");
  if (c.truncated_to != std::numeric_limits<uint64_t>::max()) {
    // acks=all batches not yet committed: the producer sends again what the new leader lacks
    // (an idempotent producer: what it has is not written twice).
    std::vector<std::shared_ptr<Batch>> keep, again;
    for (auto& b : part.pending) {
      std::vector<std::pair<uint64_t, kafka::Record>> stays;
      for (auto& a : b->appended) {
        if (a.first < c.truncated_to)
          stays.push_back(a);
        else
          b->records.push_back(a.second);
      }
      b->appended = std::move(stays);
      (b->records.empty() ? keep : again).push_back(b);
    }
    part.pending = std::move(keep);
    for (auto it = again.rbegin(); it != again.rend(); ++it) {
      part.queue.push_front(*it);
      part.queued->release();
    }
  }
  if (c.leader_changed)
    wake_fetchers(p);
  if (c.hw_moved || c.leader_changed)
    high_watermark_moved(p);
}

// ---- readers ----------------------------------------------------------------------------

size_t Kafka::add_reader(KafkaReader* reader)
{
  readers_.push_back(reader);
  floors_.emplace_back(parts_.size(), 0);
  return readers_.size() - 1;
}

void Kafka::set_floor(size_t reader, size_t p, uint64_t offset) { floors_[reader][p] = offset; }

bool Kafka::fetch(sg4::Host* at, size_t broker, const std::vector<std::pair<size_t, uint64_t>>& from,
                  size_t max_records, std::vector<FetchedRecord>& out)
{
  if (down_[broker])
    return false;
  rt_.transfer(at, host(broker), kKafkaRequestBytes + 16 * static_cast<double>(from.size()));
  if (down_[broker])
    return false;
  double bytes = 0;
  size_t n     = 0;
  for (const auto& [p, offset] : from) {
    const kafka::PartitionLog& log = parts_[p].log;
    if (!log.leader() || *log.leader() != broker)
      continue;
    double pb = 0;
    for (uint64_t o = std::max(offset, log.stored_from()); o < log.high_watermark() && n < max_records &&
                                                           pb < kMaxPartitionFetchBytes;
         ++o, ++n) {
      out.push_back({p, o, log.at(o)});
      pb += log.at(o).bytes;
    }
    bytes += pb;
  }
  cpu_.work(broker, request_cpu_ + bytes * cpu_per_byte_);
  rt_.transfer(host(broker), at, kKafkaRequestBytes + bytes);
  return true;
}

bool Kafka::commit_offsets(sg4::Host* at, const std::string& group, size_t partitions)
{
  size_t first = static_cast<size_t>(item_id(group, 0) % replicas());
  for (size_t k = 0; k < replicas(); ++k) {
    size_t b = (first + k) % replicas();
    if (down_[b])
      continue;
    rt_.transfer(at, host(b), kKafkaRequestBytes + 24 * static_cast<double>(partitions));
    cpu_.work(b, request_cpu_);
    rt_.transfer(host(b), at, kKafkaRequestBytes);
    return true;
  }
  return false;
}

void Kafka::finish()
{
  if (batches_ > 0) {
    metrics_->set_value("batch_records", batch_records_ / batches_);
    metrics_->set_value("batch_bytes", batch_bytes_ / batches_);
  }
  uint64_t total = 0, most = 0;
  double retained = 0, stored = 0;
  for (const auto& part : parts_) {
    total += part.records;
    most = std::max(most, part.records);
    retained += static_cast<double>(part.log.log_end() - part.log.log_start());
    stored += static_cast<double>(part.log.stored());
  }
  if (total > 0)
    metrics_->set_value("partition_imbalance",
                        static_cast<double>(most) * static_cast<double>(parts_.size()) / static_cast<double>(total));
  metrics_->set_value("log_records", retained / static_cast<double>(parts_.size()));
  metrics_->set_value("stored_records", stored);
}

std::unique_ptr<Component> make_kafka(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<Kafka>(rt, spec);
}

}  // namespace archsim
