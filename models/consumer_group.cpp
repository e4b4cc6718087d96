// consumer_group: a Kafka consumer group reading the topic of a `kafka` component and running a
// flow per record (or per polled batch).
//
// Keeps: one consumer per host, each a single poll loop (one actor) that owns a set of
// partitions, fetches records below the high watermark from each partition's current leader
// (a request per leader broker, records back over the network, broker CPU), processes them one
// after the other (its own CPU plus the flow, whose latency counts from when the record was
// produced: end to end), and commits its positions to the group coordinator broker every
// `commit_interval` (auto-commit, at poll time) or after each batch; range or round-robin
// assignment; eager (stop-the-world) rebalances when a consumer joins, leaves (scale_to at
// scale_at) or is declared dead `session_timeout` after it crashed: every member finishes its
// batch, commits and stops, the group waits `rebalance_time`, then each partition restarts from
// its committed offset, so what a crashed consumer processed after its last commit is processed
// again (at-least-once: duplicates counted); consumer lag (high watermark minus committed
// offset, summed over partitions) as a level over time; retention overtaking a slow consumer
// (records skipped, auto.offset.reset). Per-partition order is checked on what consumers see.
// Abstracts away: the fetch buffer and prefetching (a poll fetches what it processes), the
// long-poll held at the broker (a consumer learns of new records at once, then fetches),
// heartbeats (a crash is noticed exactly session_timeout later), cooperative / sticky
// assignors and static membership, the coordinator's own failover and the offsets topic's
// replication, max.poll.interval.ms, the initial rebalance delay of an empty group.
#include "models/consumer_group.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "models/kafka_component.h"
#include "models/kafka_group.h"
#include "sim/engine/runtime.h"

namespace archsim {

namespace {

void check_consumer_group(const ParamValues& p, const SourceLoc& loc, const std::string& path, Diagnostics& diags)
{
  if (p.integer("scale_to") > 0 && !p.given("scale_at"))
    diags.error(loc, path, "scale_to needs scale_at (when the group changes size)");
}

}  // namespace

const ModelSpec& consumer_group_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "consumer_group";
    s.summary   = "Kafka consumer group: partitions owned by consumers, a flow per record, commits, rebalances, lag";
    s.keeps     = "one poll loop per consumer host owning partitions (range / round robin), fetches below the high "
                  "watermark from each leader over the network, a flow per record or per batch with end-to-end "
                  "latency, auto-commit or commit per batch, eager rebalances on join / leave / crash (after "
                  "session_timeout) with a pause, redelivery from the last commit (duplicates), lag over time, "
                  "retention overtaking a slow consumer";
    s.abstracts = "fetch buffers and prefetch, the broker-held long poll, heartbeats, cooperative and sticky "
                  "assignors, static membership, the coordinator's failover, the offsets topic's replication, "
                  "max.poll.interval.ms, the initial rebalance delay";
    s.params    = {
        param::component("source", "The kafka component whose topic the group reads"),
        param::count("consumers", "1", "Consumers (one host each) at the start").range(1, 10000)
            .cite("a sizing choice: one consumer; a group uses at most one consumer per partition"),
        param::flow("flow", "Flow run for each record (or each batch: per), from the consumer's host; its latency "
                            "counts from when the record was produced"),
        param::choice("per", {"record", "batch"}, "record",
                      "Run the flow once per record, or once per polled batch (key and produce time of its "
                      "oldest record)"),
        param::distribution("process_cpu", Unit::Duration, "0s",
                            "The consumer's own CPU per record (deserialising, the handler), besides the flow"),
        param::count("max_poll_records", "500", "Records one poll returns at most").range(1, 1e6)
            .cite("reference-figures.md s6: max.poll.records 500"),
        param::choice("commit", {"interval", "after_batch"}, "interval",
                      "interval: auto-commit of the positions at poll time once commit_interval has passed; "
                      "after_batch: a synchronous commit after each polled batch"),
        param::quantity("commit_interval", Unit::Duration, "5s", "Auto-commit period (commit: interval)")
            .range(1e-3, 1e6)
            .cite("Kafka consumer configs: auto.commit.interval.ms 5000 (not in reference-figures.md)"),
        param::choice("assignment", {"range", "round_robin"}, "range",
                      "range: contiguous runs of partitions per consumer; round_robin: partition p to consumer "
                      "p mod n")
            .cite("Kafka consumer configs: RangeAssignor is the first default partition.assignment.strategy"),
        param::quantity("session_timeout", Unit::Duration, "45s",
                        "A crashed consumer is declared dead (and a rebalance starts) this long after its crash")
            .range(0, 1e6)
            .cite("reference-figures.md s6: session.timeout.ms 45 s (Kafka 3.0+)"),
        param::quantity("rebalance_time", Unit::Duration, "1s",
                        "Pause of an eager rebalance once every member has stopped (join, sync, assignment)")
            .range(0, 1e6)
            .cite("reference-figures.md s6: consumer rebalance time 'seconds typical' with the eager protocol (U)"),
        param::quantity("fetch_max_wait", Unit::Duration, "500ms",
                        "An idle consumer polls again after this long without new records")
            .range(1e-4, 1e3)
            .cite("reference-figures.md s6: fetch.max.wait.ms 500"),
        param::choice("auto_offset_reset", {"latest", "earliest"}, "latest",
                      "Where a consumer whose position was deleted by retention resumes: the log end, or the "
                      "oldest record left")
            .cite("Kafka consumer configs: auto.offset.reset latest (not in reference-figures.md)"),
        param::count("scale_to", "0", "Consumers after scale_at (0: no change): joins or leaves, then a "
                                      "rebalance")
            .range(0, 10000),
        param::quantity("scale_at", Unit::Duration, "0s", "When the group changes to scale_to consumers")
            .range(0, 1e9),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy consumer CPU (process_cpu) / capacity"},
        {"records_processed", Unit::Count, "Records processed (duplicates included)"},
        {"duplicates", Unit::Count, "Records processed again: redelivered from the last commit after a crash"},
        {"commits", Unit::Count, "Offset commits"},
        {"rebalances", Unit::Count, "Rebalances of the group"},
        {"records_skipped", Unit::Count, "Records deleted by retention before the group read them"},
        {"order_violations", Unit::Count, "Records seen before an earlier record of the same producer and "
                                          "partition (per-partition order broken)"},
        {"produce_order_inversions", Unit::Count, "Records a consumer processed right after a record produced "
                                                  "later (order across partitions is not kept)"},
        {"lag_length", Unit::Number, "Mean consumer lag over time: high watermark minus committed offset, summed "
                                     "over partitions (timeseries: lag_length per window)"},
        {"max_lag", Unit::Number, "Largest total lag seen"},
        {"max_partition_lag", Unit::Number, "Largest lag of one partition seen"},
        {"lag_end", Unit::Number, "Total lag at the end of the run"},
        {"end_to_end", Unit::Duration, "Mean time from a record's production to the end of its processing"},
    };
    s.check = check_consumer_group;
    return s;
  }();
  return spec;
}

Placement consumer_group_placement(const ParamValues& p)
{
  auto n = static_cast<size_t>(std::max(p.integer("consumers"), p.integer("scale_to")));
  return {n, 1};
}

namespace {

class ConsumerGroup : public Component, public KafkaReader {
public:
  ConsumerGroup(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , kafka_(source(rt, spec))
      , flow_(spec.params.text("flow"))
      , per_batch_(spec.params.text("per") == "batch")
      , process_cpu_(spec.params.dist("process_cpu"))
      , max_poll_(static_cast<size_t>(spec.params.integer("max_poll_records")))
      , after_batch_(spec.params.text("commit") == "after_batch")
      , commit_interval_(spec.params.number("commit_interval"))
      , strategy_(spec.params.text("assignment") == "round_robin" ? kafka::Assignment::RoundRobin
                                                                   : kafka::Assignment::Range)
      , session_timeout_(spec.params.number("session_timeout"))
      , rebalance_time_(spec.params.number("rebalance_time"))
      , fetch_wait_(spec.params.number("fetch_max_wait"))
      , earliest_(spec.params.text("auto_offset_reset") == "earliest")
      , cpu_(*metrics_, hosts_)
      , lag_(metrics_->declare_level("lag", 0))
      , offsets_(kafka_.partitions())
      , owner_(kafka_.partitions(), kNone)
      , hw_seen_(kafka_.partitions(), 0)
      , members_(replicas())
      , cpu_rng_(rt.stream(spec.name, "process_cpu"))
  {
    reader_ = kafka_.add_reader(this);
    target_ = static_cast<size_t>(spec.params.integer("consumers"));
    for (size_t m = 0; m < replicas(); ++m) {
      members_[m].wake   = sg4::Semaphore::create(0);
      members_[m].active = m < target_;
    }
    trigger_ = sg4::Semaphore::create(0);
    stopped_ = sg4::Semaphore::create(0);
    assign_now();
    for (size_t m = 0; m < replicas(); ++m)
      sg4::Actor::create(name() + "-consumer-" + std::to_string(m), host(m), [this, m] { consume(m); })->daemonize();
    sg4::Actor::create(name() + "-coordinator", rt.platform().driver, [this] { coordinate(); })->daemonize();
    auto scale_to = static_cast<size_t>(spec.params.integer("scale_to"));
    if (scale_to > 0) {
      double at = spec.params.number("scale_at");
      sg4::Actor::create(name() + "-scale", rt.platform().driver, [this, at, scale_to] {
        sg4::this_actor::sleep_until(at);
        target_ = scale_to;
        trigger_->release();
      })->daemonize();
    }
  }

  Outcome serve(FlowContext&, const Step&, size_t, const Body&) override
  {
    return Outcome::error("unsupported");  // no operations: the group runs its own loops
  }

  // The consumer's process dies: what it processed since its last commit will be processed
  // again by whoever gets its partitions; the coordinator notices after session_timeout.
  void crash(size_t m) override
  {
    Component::crash(m);
    Member& me    = members_[m];
    me.generation = kStale;
    uint64_t which = ++me.crashes;
    stopped_->release();  // a rebalance waiting for it counts again
    sg4::Actor::create(name() + "-session-" + std::to_string(m), rt_.platform().driver, [this, m, which] {
      sg4::this_actor::sleep_for(session_timeout_);
      if (members_[m].crashes == which && down_[m] && owns_any(m))
        trigger_->release();
    })->daemonize();
  }

  // The consumer restarts and joins the group again: a rebalance.
  void recover(size_t m) override
  {
    Component::recover(m);
    if (members_[m].active)
      trigger_->release();
    wake(m);
  }

  void high_watermark_moved(size_t p, uint64_t hw) override
  {
    double now = rt_.now();
    auto delta = static_cast<double>(hw) - static_cast<double>(hw_seen_[p]);
    hw_seen_[p] = hw;
    add_lag(now, delta);
    max_partition_lag_ = std::max(max_partition_lag_, static_cast<double>(offsets_.lag(p, hw)));
    if (owner_[p] != kNone)
      wake(owner_[p]);
  }

  void finish() override
  {
    metrics_->set_value("max_lag", max_lag_);
    metrics_->set_value("max_partition_lag", max_partition_lag_);
    metrics_->set_value("lag_end", lag_total_);
    if (e2e_n_ > 0)
      metrics_->set_value("end_to_end", e2e_sum_ / e2e_n_);
  }

private:
  static constexpr size_t kNone    = std::numeric_limits<size_t>::max();
  static constexpr uint64_t kStale = std::numeric_limits<uint64_t>::max();

  struct Member {
    bool active        = false;  // in the group
    bool stopped       = false;  // has stopped for the rebalance in progress
    bool waiting       = false;
    uint64_t generation = 0;     // of the assignment it works with
    uint64_t crashes    = 0;
    std::vector<size_t> owned;
    double last_commit = 0;
    size_t next        = 0;  // round robin over owned partitions for fetches
    double last_produced = -1;
    sg4::SemaphorePtr wake;
  };

  static Kafka& source(Runtime& rt, const ComponentSpec& spec)
  {
    auto* k = dynamic_cast<Kafka*>(&rt.component(spec.params.text("source")));
    if (!k)
      throw std::runtime_error("component '" + spec.name + "': source '" + spec.params.text("source") +
                               "' is not a kafka component");
    return *k;
  }

  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }
  bool owns_any(size_t m) const { return std::find(owner_.begin(), owner_.end(), m) != owner_.end(); }

  void wake(size_t m)
  {
    Member& me = members_[m];
    if (me.waiting) {
      me.waiting = false;
      me.wake->release();
    }
  }

  void park(Member& me, double timeout)
  {
    me.waiting = true;
    if (timeout > 0)
      me.wake->acquire_timeout(timeout);
    else
      me.wake->acquire();
    me.waiting = false;
  }

  void add_lag(double now, double delta)
  {
    if (delta == 0)
      return;
    lag_total_ += delta;
    lag_.add(0, now, delta);
    max_lag_ = std::max(max_lag_, lag_total_);
  }

  // Partitions over the live members of the group: a new generation.
  void assign_now()
  {
    std::vector<size_t> live;
    for (size_t m = 0; m < members_.size(); ++m)
      if (members_[m].active && !down_[m])
        live.push_back(m);
    std::fill(owner_.begin(), owner_.end(), kNone);
    for (auto& me : members_)
      me.owned.clear();
    for (const auto& [m, parts] : kafka::assign(kafka_.partitions(), live, strategy_)) {
      members_[m].owned = parts;
      for (size_t p : parts)
        owner_[p] = m;
    }
    ++generation_;
  }

  // The group coordinator: an eager rebalance each time membership changes.
  void coordinate()
  {
    while (true) {
      trigger_->acquire();
      while (!trigger_->would_block())
        trigger_->acquire();
      double now = rt_.now();
      metrics_->count(now, "rebalances");
      rebalancing_ = true;
      for (size_t m = 0; m < members_.size(); ++m) {
        members_[m].stopped = false;
        wake(m);
      }
      // Every live member finishes its batch, commits and stops.
      while (true) {
        bool all = true;
        for (size_t m = 0; m < members_.size(); ++m)
          if (members_[m].active && !down_[m] && !members_[m].stopped)
            all = false;
        if (all)
          break;
        stopped_->acquire();
      }
      sg4::this_actor::sleep_for(rebalance_time_);
      for (size_t m = 0; m < members_.size(); ++m)
        members_[m].active = m < target_;
      assign_now();
      rebalancing_ = false;
      for (size_t m = 0; m < members_.size(); ++m)
        wake(m);
    }
  }

  void consume(size_t m)
  {
    Member& me = members_[m];
    while (true) {
      if (down_[m] || !me.active) {
        park(me, 0);
        continue;
      }
      if (rebalancing_) {
        if (!me.stopped) {
          if (me.generation == generation_)
            commit(m);
          me.stopped = true;
          stopped_->release();
        }
        park(me, 0);
        continue;
      }
      double now = rt_.now();
      if (me.generation != generation_) {
        for (size_t p : me.owned)
          offsets_.rewind_to_committed(p);
        me.generation  = generation_;
        me.last_commit = now;
      }
      if (!after_batch_ && now - me.last_commit >= commit_interval_) {
        commit(m);
        continue;
      }
      std::vector<FetchedRecord> batch = poll(m);
      if (down_[m])
        continue;
      if (batch.empty()) {
        double wait = fetch_wait_;
        if (!after_batch_)
          wait = std::min(wait, std::max(1e-6, me.last_commit + commit_interval_ - rt_.now()));
        park(me, wait);
        continue;
      }
      process(m, batch);
      if (after_batch_ && !down_[m])
        commit(m);
    }
  }

  // One poll: positions deleted by retention are reset, then a fetch request to each leader
  // that has records for this member, up to max_poll_records in all.
  std::vector<FetchedRecord> poll(size_t m)
  {
    Member& me = members_[m];
    double now = rt_.now();
    std::map<size_t, std::vector<std::pair<size_t, uint64_t>>> by_leader;
    for (size_t k = 0; k < me.owned.size(); ++k) {
      size_t p = me.owned[(me.next + k) % me.owned.size()];
      if (offsets_.position(p) < kafka_.log_start(p)) {
        uint64_t to = earliest_ ? kafka_.log_start(p) : kafka_.high_watermark(p);
        metrics_->count(now, "records_skipped", static_cast<double>(offsets_.reset(p, to)));
      } else if (offsets_.position(p) > kafka_.high_watermark(p)) {
        offsets_.reset(p, kafka_.high_watermark(p));  // the log was cut below it
      }
      if (offsets_.position(p) >= kafka_.high_watermark(p))
        continue;
      if (auto l = kafka_.leader(p))
        by_leader[*l].emplace_back(p, offsets_.position(p));
    }
    ++me.next;
    std::vector<FetchedRecord> out;
    for (const auto& [broker, from] : by_leader) {
      if (out.size() >= max_poll_)
        break;
      kafka_.fetch(host(m), broker, from, max_poll_ - out.size(), out);
      if (down_[m])
        break;
    }
    return out;
  }

  void process(size_t m, const std::vector<FetchedRecord>& batch)
  {
    if (per_batch_ && !flow_.empty()) {
      const FetchedRecord* oldest = &batch.front();
      for (const auto& r : batch)
        if (r.record.produced < oldest->record.produced)
          oldest = &r;
      double cpu = 0;
      for (size_t i = 0; i < batch.size(); ++i)
        cpu += process_cpu_.sample(cpu_rng_);
      cpu_.work(m, cpu);
      run_flow(m, *oldest);
      for (const auto& r : batch)
        done(m, r);
      return;
    }
    for (const auto& r : batch) {
      if (down_[m])
        return;  // died: the rest of the batch is neither processed nor committed
      cpu_.work(m, process_cpu_.sample(cpu_rng_));
      if (!flow_.empty())
        run_flow(m, r);
      done(m, r);
    }
  }

  void run_flow(size_t m, const FetchedRecord& r)
  {
    std::optional<uint64_t> key;
    if (r.record.has_key)
      key = r.record.key;
    FlowContext ctx = rt_.flow_context(flow_, r.record.produced, key, kafka_.key_space(r.record.key_space));
    rt_.run_flow(flow_, ctx, host(m));
  }

  // Bookkeeping once a record has been processed.
  void done(size_t m, const FetchedRecord& r)
  {
    Member& me = members_[m];
    double now = rt_.now();
    metrics_->count(now, "records_processed");
    if (offsets_.processed(r.partition, r.offset)) {
      metrics_->count(now, "duplicates");
      return;
    }
    if (order_.out_of_order(r.partition, r.record.producer, r.record.sequence))
      metrics_->count(now, "order_violations");
    if (r.record.produced < me.last_produced)
      metrics_->count(now, "produce_order_inversions");
    me.last_produced = r.record.produced;
    if (measured(r.record.produced)) {
      e2e_sum_ += now - r.record.produced;
      e2e_n_ += 1;
    }
  }

  // A synchronous commit of the member's positions.
  void commit(size_t m)
  {
    Member& me = members_[m];
    me.last_commit = rt_.now();
    if (me.owned.empty() || !kafka_.commit_offsets(host(m), name(), me.owned.size()))
      return;
    if (down_[m])
      return;  // died before the answer: not committed
    double now = rt_.now();
    metrics_->count(now, "commits");
    for (size_t p : me.owned) {
      add_lag(now, -static_cast<double>(offsets_.commit(p)));
      kafka_.set_floor(reader_, p, offsets_.committed(p));
    }
  }

  Kafka& kafka_;
  std::string flow_;
  bool per_batch_;
  const Distribution& process_cpu_;
  size_t max_poll_;
  bool after_batch_;
  double commit_interval_;
  kafka::Assignment strategy_;
  double session_timeout_;
  double rebalance_time_;
  double fetch_wait_;
  bool earliest_;
  CpuMeter cpu_;
  ComponentMetrics::Level& lag_;
  kafka::GroupOffsets offsets_;
  kafka::OrderCheck order_;
  std::vector<size_t> owner_;
  std::vector<uint64_t> hw_seen_;
  std::vector<Member> members_;
  Rng cpu_rng_;
  size_t reader_ = 0;
  size_t target_ = 0;
  uint64_t generation_ = 0;
  bool rebalancing_    = false;
  sg4::SemaphorePtr trigger_;
  sg4::SemaphorePtr stopped_;
  double lag_total_ = 0, max_lag_ = 0, max_partition_lag_ = 0;
  double e2e_sum_ = 0, e2e_n_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_consumer_group(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<ConsumerGroup>(rt, spec);
}

}  // namespace archsim
