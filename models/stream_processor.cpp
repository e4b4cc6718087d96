// stream_processor: a Flink-like job that reads the topic of a `kafka` component, counts records
// per key in event-time windows and writes the window results to a sink through a flow.
//
// Keeps: `parallelism` tasks (one host each), task i reading partitions p = i mod parallelism
// from their leaders (fetches below the high watermark, over the network); records shuffled by
// key to the task that owns the key (a transfer between task hosts, CPU on the owner); event
// time = the record's produce time minus a per-record delay drawn from `event_delay` (stable
// per record, so a replay sees the same event times), so events arrive out of order; tumbling
// or sliding windows; bounded-out-of-orderness watermarks per source partition, the operator's
// watermark the lowest of them, advanced every `watermark_interval`; keyed counts per (key,
// window) in a real map per task; a window fires when the watermark passes its end, late events
// within `allowed_lateness` update it and fire it again (counted), later ones are dropped
// (counted); a checkpoint every `checkpoint_interval` snapshots the whole job at one instant
// (states, source offsets, watermark state, output not yet flushed) and uploads each task's
// state bytes to the checkpoint storage host (the job manager, the last host); a crash of any
// host fails the job, which restarts `restart_delay` after every host is up again, from the last
// completed checkpoint (its offsets replayed: the window counts come out as without the crash),
// or, without checkpoints, from the offsets it had reached with empty state (counts lost); fired
// results buffered per task and written every `flush_interval` through `sink_flow` (one run per
// `sink_batch` results), so after a restore the sink receives again what it received since the
// checkpoint: duplicates, unless the sink is idempotent (upserts); consumer lag over time.
// Abstracts away: operator chaining and network buffers beyond one transfer per polled batch
// and target task, backpressure other than the sink flow's time, barrier alignment (the
// snapshot is an instant), incremental and RocksDB checkpoints, the watermark restarting from
// scratch after a restore (it is part of the snapshot here), idle-source detection, spare task
// slots (the job waits for its hosts), aggregations other than counts, two-phase-commit sinks.
#include "models/stream_processor.h"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>

#include "models/kafka_component.h"
#include "models/stream_checkpoint.h"
#include "models/stream_window.h"
#include "sim/core/hash_ring.h"
#include "sim/engine/runtime.h"

namespace archsim {

namespace {

void check_stream_processor(const ParamValues& p, const SourceLoc& loc, const std::string& path,
                            Diagnostics& diags)
{
  if (p.text("window") == "sliding" && p.number("window_slide") > p.number("window_size"))
    diags.error(loc, path, "window_slide must not exceed window_size");
}

}  // namespace

const ModelSpec& stream_processor_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "stream_processor";
    s.summary   = "Flink-like keyed event-time windows over a kafka topic: watermarks, lateness, checkpoints, sink";
    s.keeps     = "tasks reading partitions, key shuffle between task hosts, per-record event delays (out of order "
                  "arrival), tumbling / sliding windows, per-partition bounded-out-of-orderness watermarks, keyed "
                  "counts in real state, firing, allowed lateness and late drops, consistent checkpoints uploaded "
                  "to a checkpoint store, restart from the last checkpoint with replay (exactly-once state), output "
                  "flushed to a sink flow (duplicates after a replay unless idempotent), lag over time";
    s.abstracts = "operator chaining and network buffers, backpressure beyond the sink flow, barrier alignment, "
                  "incremental / RocksDB checkpoints, watermarks restarting after a restore, idle sources, spare "
                  "task slots, aggregations other than counts, two-phase-commit sinks";
    s.params    = {
        param::component("source", "The kafka component whose topic the job reads"),
        param::count("parallelism", "1", "Tasks (one host, one slot each); task i reads partitions i, i+n, ...")
            .range(1, 1000)
            .cite("Flink configuration: parallelism.default 1 (not in reference-figures.md)"),
        param::choice("window", {"tumbling", "sliding"}, "tumbling", "Window kind"),
        param::quantity("window_size", Unit::Duration, "60s", "Length of a window").range(1e-3, 1e7)
            .cite("system-design-cheatsheet.md 30 (Ad Click Aggregator): click counts per 1-minute interval"),
        param::quantity("window_slide", Unit::Duration, "10s", "sliding: a window starts every slide").range(1e-3, 1e7)
            .cite("a sizing choice: six overlapping windows per event"),
        param::distribution("event_delay", Unit::Duration, "{dist: exponential, mean: 100ms}",
                            "How long before its production each event happened (event time = produce time - "
                            "delay): the spread makes events arrive out of order")
            .cite("a sizing choice (no public figure): clients that send events a little after they happen"),
        param::quantity("max_out_of_orderness", Unit::Duration, "500ms",
                        "Watermark bound: the watermark trails the largest event time seen by this much")
            .range(0, 1e6)
            .cite("a sizing choice: about the 99th percentile of the default event_delay (exponential, mean "
                  "100 ms: p99 = 460 ms)"),
        param::quantity("allowed_lateness", Unit::Duration, "0s",
                        "Events this late past the watermark still update their (already fired) window")
            .range(0, 1e7)
            .cite("Flink DataStream API: allowed lateness defaults to 0 (not in reference-figures.md)"),
        param::quantity("watermark_interval", Unit::Duration, "200ms", "How often watermarks advance (and windows "
                                                                       "fire)")
            .range(1e-4, 1e4)
            .cite("Flink configuration: pipeline.auto-watermark-interval 200 ms (not in reference-figures.md)"),
        param::quantity("checkpoint_interval", Unit::Duration, "10s",
                        "Time between checkpoints; 0 = none (a restart resumes from the offsets reached, with "
                        "empty state)")
            .range(0, 1e7)
            .cite("a sizing choice: Flink leaves checkpointing off by default; seconds to minutes in practice"),
        param::quantity("state_entry_bytes", Unit::Size, "100B",
                        "Bytes of one (key, window) count in a checkpoint (key, window, count, serialisation)")
            .range(1, 1e9)
            .cite("a sizing choice: an 8 B key, 8 B window, 8 B count and framing"),
        param::quantity("record_cpu", Unit::Duration, "1us",
                        "Task CPU per record (the window operator's state update) and per result fired")
            .range(0, 1)
            .cite("reference-figures.md s12 (derived): a keyed update is ~10 main memory references of 100 ns"),
        param::count("max_poll_records", "500", "Records a task reads per poll").range(1, 1e6)
            .cite("reference-figures.md s6: max.poll.records 500"),
        param::quantity("fetch_max_wait", Unit::Duration, "500ms", "An idle task polls again after this long")
            .range(1e-4, 1e3)
            .cite("reference-figures.md s6: fetch.max.wait.ms 500"),
        param::quantity("restart_delay", Unit::Duration, "1s",
                        "From the failed hosts being back to the job running again from its checkpoint")
            .range(0, 1e6)
            .cite("Flink configuration: fixed-delay restart strategy, delay 1 s (not in reference-figures.md)"),
        param::flow("sink_flow", "Flow run to write window results (one run per sink_batch results, keyed by the "
                                 "first result's key); its latency counts from the end of the oldest window in "
                                 "the batch"),
        param::quantity("flush_interval", Unit::Duration, "1s", "How often each task writes its fired results")
            .range(1e-3, 1e6)
            .cite("Flink JDBC connector: sink.buffer-flush.interval 1 s (not in reference-figures.md)"),
        param::count("sink_batch", "100", "Results written per run of sink_flow").range(1, 1e6)
            .cite("Flink JDBC connector: sink.buffer-flush.max-rows 100 (not in reference-figures.md)"),
        param::flag("idempotent_sink", false,
                    "The sink upserts by (key, window): a result written again overwrites instead of duplicating"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy task CPU / capacity"},
        {"events", Unit::Count, "Records processed (replays included)"},
        {"records_replayed", Unit::Count, "Records processed again after a restore"},
        {"late_accepted", Unit::Count, "Events behind the watermark that still updated a window (within "
                                       "allowed_lateness)"},
        {"late_dropped", Unit::Count, "Events too late for every window they belong to: dropped"},
        {"results", Unit::Count, "Window results fired (late updates and replays included)"},
        {"late_updates", Unit::Count, "Results fired again because a late event updated a fired window"},
        {"checkpoints", Unit::Count, "Checkpoints completed"},
        {"checkpoint_bytes", Unit::Size, "Mean bytes uploaded per checkpoint (all tasks)"},
        {"checkpoint_duration", Unit::Duration, "Mean time from a snapshot to its checkpoint completing"},
        {"restarts", Unit::Count, "Job restarts after a failure"},
        {"records_skipped", Unit::Count, "Records deleted by retention before the job read them"},
        {"sink_deliveries", Unit::Count, "Results written to the sink"},
        {"sink_duplicates", Unit::Count, "Results the sink received again (a replay after a restore) and stored "
                                         "twice"},
        {"sink_overwrites", Unit::Count, "Results received again by an idempotent sink (overwritten, not "
                                         "duplicated)"},
        {"sink_errors", Unit::Count, "Results whose sink flow failed (lost)"},
        {"events_counted", Unit::Number, "Sum of the final counts of every window fired (the job's exactly-once "
                                         "result)"},
        {"window_checksum", Unit::Number, "Order-independent hash of the final (key, window, count) results: equal "
                                          "between two runs that computed the same windows"},
        {"windows_fired", Unit::Number, "(key, window) results in the final output"},
        {"sink_rows", Unit::Number, "Sum of the counts the sink holds: events_counted for an idempotent sink, "
                                    "more when it appends duplicates and late updates"},
        {"state_entries", Unit::Number, "(key, window) counts held at the end (all tasks)"},
        {"watermark_delay", Unit::Duration, "Mean time between now and the watermark when it advances"},
        {"lag_length", Unit::Number, "Mean records between the high watermark and the job's read positions "
                                     "(timeseries: lag_length per window)"},
    };
    s.check = check_stream_processor;
    return s;
  }();
  return spec;
}

Placement stream_processor_placement(const ParamValues& p)
{
  // The tasks, then the job manager (checkpoint coordinator and storage).
  return {static_cast<size_t>(p.integer("parallelism")) + 1, 1};
}

namespace {

class StreamProcessor : public Component, public KafkaReader {
public:
  StreamProcessor(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , kafka_(source(rt, spec))
      , tasks_(static_cast<size_t>(spec.params.integer("parallelism")))
      , window_(window_of(spec.params))
      , lateness_(stream::to_micros(spec.params.number("allowed_lateness")))
      , event_delay_(spec.params.dist("event_delay"))
      , wm_interval_(spec.params.number("watermark_interval"))
      , checkpoint_interval_(spec.params.number("checkpoint_interval"))
      , entry_bytes_(spec.params.number("state_entry_bytes"))
      , record_cpu_(spec.params.number("record_cpu"))
      , max_poll_(static_cast<size_t>(spec.params.integer("max_poll_records")))
      , fetch_wait_(spec.params.number("fetch_max_wait"))
      , restart_delay_(spec.params.number("restart_delay"))
      , sink_flow_(spec.params.text("sink_flow"))
      , flush_interval_(spec.params.number("flush_interval"))
      , sink_batch_(static_cast<size_t>(spec.params.integer("sink_batch")))
      , idempotent_(spec.params.flag("idempotent_sink"))
      , cpu_(*metrics_, hosts_)
      , lag_(metrics_->declare_level("lag", 0))
      , watermarks_(kafka_.partitions(), stream::to_micros(spec.params.number("max_out_of_orderness")))
      , states_(tasks_, stream::WindowState(window_, lateness_))
      , buffers_(tasks_)
      , positions_(kafka_.partitions(), 0)
      , processed_end_(kafka_.partitions(), 0)
      , hw_seen_(kafka_.partitions(), 0)
      , task_(tasks_)
      , delay_seed_(rt.stream(spec.name, "event_delay").next_u64())
  {
    reader_ = kafka_.add_reader(this);
    for (size_t i = 0; i < tasks_; ++i) {
      task_[i].wake = sg4::Semaphore::create(0);
      sg4::Actor::create(name() + "-task-" + std::to_string(i), host(i), [this, i] { run_task(i); })->daemonize();
    }
    if (checkpoint_interval_ > 0)
      sg4::Actor::create(name() + "-checkpoints", host(tasks_), [this] { coordinate(); })->daemonize();
  }

  Outcome serve(FlowContext&, const Step&, size_t, const Body&) override
  {
    return Outcome::error("unsupported");  // no operations: the job runs its own tasks
  }

  // Any host lost fails the whole job (its keyed state spans every task).
  void crash(size_t r) override
  {
    Component::crash(r);
    if (!running_)
      return;
    running_ = false;
    ++epoch_;
    checkpoints_.abort();
  }

  void recover(size_t r) override
  {
    Component::recover(r);
    maybe_restart();
  }

  void high_watermark_moved(size_t p, uint64_t hw) override
  {
    add_lag(static_cast<double>(hw) - static_cast<double>(hw_seen_[p]));
    hw_seen_[p] = hw;
    wake(p % tasks_);
  }

  void finish() override
  {
    metrics_->set_value("events_counted", static_cast<double>(emitted_.counted()));
    metrics_->set_value("window_checksum", static_cast<double>(emitted_.checksum() >> 11));
    metrics_->set_value("windows_fired", static_cast<double>(emitted_.entries()));
    metrics_->set_value("sink_rows", static_cast<double>(idempotent_ ? sink_.counted() : sink_.appended_rows()));
    double entries = 0;
    for (const auto& s : states_)
      entries += static_cast<double>(s.entries());
    metrics_->set_value("state_entries", entries);
    if (checkpoints_done_ > 0) {
      metrics_->set_value("checkpoint_bytes", checkpoint_bytes_ / checkpoints_done_);
      metrics_->set_value("checkpoint_duration", checkpoint_time_ / checkpoints_done_);
    }
    if (wm_samples_ > 0)
      metrics_->set_value("watermark_delay", wm_delay_ / wm_samples_);
  }

private:
  struct Task {
    bool waiting = false;
    double next_watermark = 0;
    double next_flush     = 0;
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

  static stream::WindowSpec window_of(const ParamValues& p)
  {
    stream::WindowSpec w;
    w.size  = stream::to_micros(p.number("window_size"));
    w.slide = p.text("window") == "sliding" ? stream::to_micros(p.number("window_slide")) : w.size;
    return w;
  }

  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }

  void add_lag(double delta)
  {
    if (delta != 0)
      lag_.add(0, rt_.now(), delta);
  }

  void wake(size_t i)
  {
    if (task_[i].waiting) {
      task_[i].waiting = false;
      task_[i].wake->release();
    }
  }

  void park(size_t i, double timeout)
  {
    task_[i].waiting = true;
    if (timeout > 0)
      task_[i].wake->acquire_timeout(timeout);
    else
      task_[i].wake->acquire();
    task_[i].waiting = false;
  }

  // The event time of a record: stable per (partition, offset), so a replay sees the same.
  stream::Micros event_time(const FetchedRecord& r) const
  {
    uint64_t h = mix64(delay_seed_ ^ (static_cast<uint64_t>(r.partition) << 44) ^ r.offset);
    double u   = (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0;
    return stream::to_micros(r.record.produced - event_delay_.quantile(u));
  }

  void run_task(size_t i)
  {
    Task& t = task_[i];
    while (true) {
      if (!running_) {
        park(i, 0);
        continue;
      }
      uint64_t epoch = epoch_;
      double now     = rt_.now();
      if (now >= t.next_watermark) {
        t.next_watermark = now + wm_interval_;
        advance(i, epoch);
      }
      if (epoch != epoch_)
        continue;
      if (now >= t.next_flush) {
        t.next_flush = now + flush_interval_;
        flush(i, epoch);
      }
      if (epoch != epoch_)
        continue;
      std::vector<FetchedRecord> batch = poll(i);
      if (epoch != epoch_)
        continue;
      if (batch.empty()) {
        double until = std::min({t.next_watermark, t.next_flush, rt_.now() + fetch_wait_});
        park(i, std::max(1e-6, until - rt_.now()));
        continue;
      }
      process(i, batch, epoch);
    }
  }

  // The operator's watermark moves: windows that end by it fire into the output buffer.
  void advance(size_t i, uint64_t epoch)
  {
    stream::Micros wm = watermarks_.current();
    std::vector<stream::Result> out;
    states_[i].advance(wm, out);
    if (wm != stream::Watermarks::kNone && measured(rt_.now())) {
      wm_delay_ += rt_.now() - stream::to_seconds(wm);
      wm_samples_ += 1;
    }
    if (out.empty())
      return;
    cpu_.work(i, record_cpu_ * static_cast<double>(out.size()));
    if (epoch != epoch_)
      return;
    emit(i, out);
  }

  void emit(size_t i, const std::vector<stream::Result>& out)
  {
    double now = rt_.now();
    for (const auto& r : out) {
      emitted_.deliver(r, checkpoints_.taken());
      metrics_->count(now, "results");
      if (r.late_update)
        metrics_->count(now, "late_updates");
      buffers_[i].push_back(r);
    }
  }

  std::vector<FetchedRecord> poll(size_t i)
  {
    double now = rt_.now();
    std::map<size_t, std::vector<std::pair<size_t, uint64_t>>> by_leader;
    for (size_t p = i; p < kafka_.partitions(); p += tasks_) {
      if (positions_[p] < kafka_.log_start(p)) {
        metrics_->count(now, "records_skipped", static_cast<double>(kafka_.log_start(p) - positions_[p]));
        add_lag(-static_cast<double>(kafka_.log_start(p) - positions_[p]));
        positions_[p] = kafka_.log_start(p);
      }
      if (positions_[p] >= kafka_.high_watermark(p))
        continue;
      if (auto l = kafka_.leader(p))
        by_leader[*l].emplace_back(p, positions_[p]);
    }
    std::vector<FetchedRecord> out;
    for (const auto& [broker, from] : by_leader) {
      if (out.size() >= max_poll_)
        break;
      kafka_.fetch(host(i), broker, from, max_poll_ - out.size(), out);
    }
    return out;
  }

  // The records go to the tasks that own their keys (one transfer per target host), which
  // update their window state.
  void process(size_t i, const std::vector<FetchedRecord>& batch, uint64_t epoch)
  {
    std::vector<double> bytes(tasks_, 0), records(tasks_, 0);
    for (const auto& r : batch) {
      size_t j = owner_of(r);
      bytes[j] += r.record.bytes;
      records[j] += 1;
    }
    for (size_t j = 0; j < tasks_; ++j) {
      if (j != i && bytes[j] > 0)
        rt_.transfer(host(i), host(j), bytes[j]);
      if (records[j] > 0)
        cpu_.work(j, record_cpu_ * records[j]);
      if (epoch != epoch_)
        return;
    }
    double now = rt_.now();
    std::vector<std::vector<stream::Result>> late(tasks_);
    for (const auto& r : batch) {
      if (r.offset != positions_[r.partition])
        continue;  // a restore moved the position while the batch was on its way
      size_t j             = owner_of(r);
      stream::Micros et    = event_time(r);
      auto fate            = states_[j].add(r.record.key, et, late[j]);
      watermarks_.observe(r.partition, et);
      positions_[r.partition] = r.offset + 1;
      add_lag(-1);
      metrics_->count(now, "events");
      if (fate == stream::WindowState::Fate::Late)
        metrics_->count(now, "late_accepted");
      else if (fate == stream::WindowState::Fate::Dropped)
        metrics_->count(now, "late_dropped");
      if (r.offset < processed_end_[r.partition])
        metrics_->count(now, "records_replayed");
      else
        processed_end_[r.partition] = r.offset + 1;
    }
    for (size_t j = 0; j < tasks_; ++j)
      emit(j, late[j]);
  }

  size_t owner_of(const FetchedRecord& r) const { return static_cast<size_t>(mix64(r.record.key) % tasks_); }

  // Writes the task's fired results to the sink, sink_batch at a time.
  void flush(size_t i, uint64_t epoch)
  {
    std::vector<stream::Result> out;
    out.swap(buffers_[i]);
    for (size_t from = 0; from < out.size(); from += sink_batch_) {
      size_t to = std::min(out.size(), from + sink_batch_);
      bool ok   = true;
      if (!sink_flow_.empty()) {
        stream::Micros oldest = out[from].start;
        for (size_t k = from; k < to; ++k)
          oldest = std::min(oldest, out[k].start);
        FlowContext ctx = rt_.flow_context(sink_flow_, stream::to_seconds(oldest + window_.size), out[from].key);
        ok              = rt_.run_flow(sink_flow_, ctx, host(i)).ok();
      }
      double now = rt_.now();
      for (size_t k = from; k < to; ++k) {
        if (!ok) {
          metrics_->count(now, "sink_errors");
          continue;
        }
        metrics_->count(now, "sink_deliveries");
        if (sink_.deliver(out[k], checkpoints_.taken()))
          metrics_->count(now, idempotent_ ? "sink_overwrites" : "sink_duplicates");
      }
      if (epoch != epoch_)
        return;  // the job failed meanwhile: the rest of the buffer is gone with it
    }
  }

  // The checkpoint coordinator: a snapshot of the whole job every interval, each task's part
  // uploaded to the job manager's storage; complete when all are stored.
  void coordinate()
  {
    while (true) {
      sg4::this_actor::sleep_for(checkpoint_interval_);
      if (!running_ || checkpoints_.in_progress())
        continue;
      stream::Snapshot s;
      s.taken   = rt_.now();
      s.states  = states_;
      s.buffers = buffers_;
      s.offsets = positions_;
      s.largest = watermarks_.largest();
      s.watermark = std::numeric_limits<stream::Micros>::max();
      std::vector<double> bytes(tasks_);
      for (size_t i = 0; i < tasks_; ++i) {
        s.watermark = std::min(s.watermark, states_[i].watermark());
        bytes[i]    = entry_bytes_ * static_cast<double>(states_[i].entries() + buffers_[i].size()) + kKafkaRequestBytes;
      }
      if (!checkpoints_.begin(std::move(s), tasks_))
        continue;
      uint64_t number = checkpoints_.taken();
      uint64_t epoch  = epoch_;
      double total    = 0;
      for (double b : bytes)
        total += b;
      for (size_t i = 0; i < tasks_; ++i) {
        bool queued = rt_.pool().submit([this, i, b = bytes[i], number, epoch, total] {
          rt_.transfer(host(i), host(tasks_), b);
          if (epoch == epoch_ && checkpoints_.part_done(number))
            completed(total);
        });
        if (!queued) {
          checkpoints_.abort();
          break;
        }
      }
    }
  }

  // Flink commits the checkpoint's offsets to Kafka when it completes.
  void completed(double bytes)
  {
    const stream::Snapshot* s = checkpoints_.completed();
    double now                = rt_.now();
    metrics_->count(now, "checkpoints");
    if (measured(now)) {
      checkpoints_done_ += 1;
      checkpoint_bytes_ += bytes;
      checkpoint_time_ += now - s->taken;
    }
    for (size_t p = 0; p < kafka_.partitions(); ++p)
      kafka_.set_floor(reader_, p, s->offsets[p]);
    sink_.checkpoint_completed(s->number, s->watermark, window_.size + lateness_);
    emitted_.checkpoint_completed(s->number, s->watermark, window_.size + lateness_);
    kafka_.commit_offsets(host(tasks_), name(), kafka_.partitions());
  }

  void maybe_restart()
  {
    if (running_ || restart_scheduled_)
      return;
    for (size_t r = 0; r < replicas(); ++r)
      if (down_[r])
        return;
    restart_scheduled_ = true;
    uint64_t epoch     = epoch_;
    sg4::Actor::create(name() + "-restart", rt_.platform().driver, [this, epoch] {
      sg4::this_actor::sleep_for(restart_delay_);
      restart_scheduled_ = false;
      if (epoch != epoch_ || running_)
        return;
      for (size_t r = 0; r < replicas(); ++r)
        if (down_[r])
          return;
      restore();
    })->daemonize();
  }

  // Back to the last completed checkpoint: its state, offsets, watermarks and unflushed
  // output. Without one: empty state from the offsets reached.
  void restore()
  {
    double before = 0, after = 0;
    for (size_t p = 0; p < positions_.size(); ++p)
      before += static_cast<double>(positions_[p]);
    if (const stream::Snapshot* s = checkpoints_.completed()) {
      states_     = s->states;
      buffers_    = s->buffers;
      positions_  = s->offsets;
      watermarks_.restore(s->largest);
    } else {
      states_.assign(tasks_, stream::WindowState(window_, lateness_));
      for (auto& b : buffers_)
        b.clear();
    }
    for (size_t p = 0; p < positions_.size(); ++p)
      after += static_cast<double>(positions_[p]);
    add_lag(before - after);
    metrics_->count(rt_.now(), "restarts");
    running_ = true;
    for (size_t i = 0; i < tasks_; ++i) {
      task_[i].next_watermark = task_[i].next_flush = rt_.now();
      wake(i);
    }
  }

  Kafka& kafka_;
  size_t tasks_;
  stream::WindowSpec window_;
  stream::Micros lateness_;
  const Distribution& event_delay_;
  double wm_interval_;
  double checkpoint_interval_;
  double entry_bytes_;
  double record_cpu_;
  size_t max_poll_;
  double fetch_wait_;
  double restart_delay_;
  std::string sink_flow_;
  double flush_interval_;
  size_t sink_batch_;
  bool idempotent_;
  CpuMeter cpu_;
  ComponentMetrics::Level& lag_;
  stream::Watermarks watermarks_;
  std::vector<stream::WindowState> states_;
  std::vector<std::vector<stream::Result>> buffers_;
  std::vector<uint64_t> positions_;
  std::vector<uint64_t> processed_end_;
  std::vector<uint64_t> hw_seen_;
  std::vector<Task> task_;
  uint64_t delay_seed_;
  size_t reader_ = 0;
  bool running_  = true;
  bool restart_scheduled_ = false;
  uint64_t epoch_ = 0;
  stream::CheckpointLog checkpoints_;
  stream::SinkLedger emitted_;  // what the operator emitted (its final table is the job's result)
  stream::SinkLedger sink_;     // what the sink received
  double checkpoints_done_ = 0, checkpoint_bytes_ = 0, checkpoint_time_ = 0;
  double wm_delay_ = 0, wm_samples_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_stream_processor(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<StreamProcessor>(rt, spec);
}

}  // namespace archsim
