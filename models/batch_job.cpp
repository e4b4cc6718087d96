// batch_job: a periodic Spark-like job: read a data set, map, shuffle, reduce, write results.
//
// Keeps: a driver (replica 0) that starts a run at each scheduled time (`every` from `start`, or
// the `at` times) and launches every task through its single scheduler thread (CPU per task);
// `executors` hosts (replicas 1..) with `cores_per_executor` task slots each, pulling tasks from
// the run's queue (models/batch_plan.h). A map task reads one input split (`split_size`) from the
// `source` store's hosts over the network (their disks serve one read at a time) or from its own
// disk, spends CPU per byte, and writes its shuffle output (`shuffle` of its input) to its local
// disk; reduce tasks start when every map output exists (the stage barrier), fetch their
// partition's blocks from every executor holding map output (disk there, then the network),
// spend CPU per byte, and write their share of `output` to the store (or local disk). Partition
// shares follow the `keys` key space's popularity, so a hot key makes a straggler. A run's
// duration therefore comes out of the data size, the slots, the disks and links, the driver and
// the slowest partition: more executors help until the driver, the store's disks, the barrier or
// the hottest partition dominate (Amdahl from the job's structure, not from a parameter). The
// optional `output_flow` runs when a run finishes (latency from the scheduled time). A run still
// going at the next scheduled time makes that run skip or queue (`overlap`). An executor crash
// re-runs its tasks and the map outputs it held; a driver crash aborts the run.
// Abstracts away: data locality and delay scheduling, speculative execution, dynamic allocation,
// memory (spills, caching, OOM), serialization formats and compression, multi-stage DAGs beyond
// one map and one reduce stage, broadcast joins, and the store's own request path (its hosts'
// disks and links are used directly, not its operations).
#include "models/batch_job.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>

#include "models/batch_plan.h"
#include "models/cron.h"
#include "models/mq_signal.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {
constexpr double kTaskBytes   = 10e3;  // a serialized task description (closure, partition info)
constexpr double kStatusBytes = 2e3;   // a task's status update with its metrics

ParamSpec optional_component(std::string name, std::string doc)
{
  ParamSpec p = param::component(std::move(name), std::move(doc));
  p.required  = false;
  return p;
}
}  // namespace

const ModelSpec& batch_job_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "batch_job";
    s.summary   = "Periodic Spark-like batch job: map and reduce tasks on executor slots, shuffle over the network, "
                  "duration from data size and cluster";
    s.keeps     = "a driver launching tasks through one scheduler thread; executor slots pulling tasks; input splits "
                  "read from a store's hosts or local disks; CPU per byte; shuffle blocks written to local disk and "
                  "fetched by reduce tasks from every executor; the stage barrier; partition skew from a key "
                  "popularity law (stragglers); overlapping runs skipped or queued; executor and driver crashes";
    s.abstracts = "data locality, speculative execution, dynamic allocation, memory and spills, formats and "
                  "compression, multi-stage DAGs, broadcast joins, the store's request path";
    s.params = {
        param::quantity("every", Unit::Duration, "1h", "Time between runs (from `start`); 0 = only the `at` times")
            .range(0, 1e9)
            .cite("a design parameter (the cheatsheet's reconciliation and ranking jobs run hourly or daily)"),
        param::quantity("start", Unit::Duration, "0s", "Time of the first periodic run").range(0, 1e9),
        param::text("at", "", "Explicit run times instead of a period, separated by ',' (e.g. \"5s, 2min\")"),
        param::choice("overlap", {"skip", "queue"}, "skip",
                      "A run due while the previous one is still going: skip it, or run it as soon as the previous "
                      "one ends")
            .cite("a design choice (Kubernetes CronJob concurrencyPolicy: Forbid skips)"),
        param::quantity("input", Unit::Size, "10GB", "Bytes each run reads").range(0, 1e16).cite("a design parameter"),
        optional_component("source", "Store whose hosts hold the input (and receive the output), read over the "
                                     "network; default: the executors' local disks"),
        param::quantity("split_size", Unit::Size, "128MB", "Input bytes per map task")
            .range(1, 1e13)
            .cite("Spark docs: spark.sql.files.maxPartitionBytes defaults to 128 MB (not in reference-figures.md)"),
        param::count("partitions", "200", "Reduce tasks (shuffle partitions)")
            .range(1, 100000)
            .cite("Spark docs: spark.sql.shuffle.partitions defaults to 200 (not in reference-figures.md)"),
        param::key_space("keys", "Key space whose popularity decides how the shuffle splits over the partitions "
                                 "(a key's partition is a hash of it); default: even partitions"),
        param::count("executors", "4", "Executor hosts").range(1, 2000).cite("a sizing choice"),
        param::count("cores_per_executor", "4", "Task slots (cores) per executor").range(1, 256).cite("a sizing "
                                                                                                       "choice"),
        param::quantity("map_cpu", Unit::Duration, "3ns", "CPU time per input byte in a map task")
            .range(0, 1e-3)
            .cite("reference-figures.md s12: compress 1 KB with Snappy in 3 us = 3 ns per byte, one light pass over "
                  "each byte (decode, parse, hash)"),
        param::quantity("reduce_cpu", Unit::Duration, "3ns", "CPU time per shuffle byte in a reduce task")
            .range(0, 1e-3)
            .cite("reference-figures.md s12: 3 ns per byte (Snappy), one pass over each fetched byte"),
        param::quantity("shuffle", Unit::Fraction, "10%", "Share of the input bytes the map side writes for the "
                                                          "reduce side (after map-side combining)")
            .range(0, 10)
            .cite("a design parameter (an aggregation shuffles little, a join or sort all of it)"),
        param::quantity("output", Unit::Size, "1GB", "Bytes each run writes, split over the partitions by their share")
            .range(0, 1e16)
            .cite("a design parameter"),
        param::flow("output_flow", "Flow run by the driver when a run finishes (e.g. load the results into a "
                                   "cache); latency from the run's scheduled time"),
        param::quantity("disk_bandwidth", Unit::Bandwidth, "1GBps", "Sequential bandwidth of each host's disk (one "
                                                                    "stream at a time)")
            .range(1, 1e13)
            .cite("reference-figures.md s12: read 1 MB sequentially from SSD in 1 ms = 1 GB/s"),
        param::quantity("driver_cpu", Unit::Duration, "667us", "Driver scheduler time per task launched (one thread)")
            .range(0, 10)
            .cite("Ousterhout et al., Sparrow (SOSP 2013) talk: Spark's scheduler launches ~1500 tasks/s (not in "
                  "reference-figures.md)"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy CPU / cores (driver and executors)"},
        {"runs", Unit::Count, "Runs completed"},
        {"runs_skipped", Unit::Count, "Scheduled runs skipped (previous run still going, or driver down)"},
        {"runs_queued", Unit::Count, "Scheduled runs started late because the previous run was still going"},
        {"runs_failed", Unit::Count, "Runs aborted by a driver crash"},
        {"tasks", Unit::Count, "Tasks finished (map and reduce)"},
        {"task_retries", Unit::Count, "Tasks run again after their executor crashed (running ones and lost map "
                                      "outputs)"},
        {"job_duration", Unit::Duration, "Mean duration of a run (start to last reduce), runs started after warm-up"},
        {"job_duration_max", Unit::Duration, "Longest run"},
        {"map_stage", Unit::Duration, "Mean time from a run's start to its last map output"},
        {"shuffle_bytes", Unit::Size, "Bytes fetched by reduce tasks per run (mean)"},
        {"reduce_task_mean", Unit::Duration, "Mean reduce task time (launch to report)"},
        {"reduce_task_max", Unit::Duration, "Longest reduce task: the straggler"},
        {"slot_utilisation", Unit::Fraction, "Slot time in tasks / (slots x run duration), over runs: how much "
                                             "of the cluster a run keeps busy"},
    };
    s.check = [](const ParamValues& p, const SourceLoc& loc, const std::string& path, Diagnostics& diags) {
      std::string error;
      if (!parse_times(p.text("at"), &error))
        diags.error(loc, path + ".at", error);
      if (p.integer("executors") * p.integer("cores_per_executor") > 10000)
        diags.error(loc, path, "executors x cores_per_executor must stay within 10000 (each slot is an actor)");
      if (p.number("every") <= 0 && p.text("at").find_first_not_of(" ,;") == std::string::npos)
        diags.error(loc, path, "give `every` > 0 or `at` times");
    };
    return s;
  }();
  return spec;
}

Placement batch_job_placement(const ParamValues& p)
{
  return {1 + static_cast<size_t>(p.integer("executors")), static_cast<int>(p.integer("cores_per_executor"))};
}

namespace {

class BatchJob : public Component {
public:
  BatchJob(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , executors_(static_cast<size_t>(spec.params.integer("executors")))
      , slots_per_executor_(static_cast<size_t>(spec.params.integer("cores_per_executor")))
      , every_(spec.params.number("every"))
      , start_(spec.params.number("start"))
      , at_(*parse_times(spec.params.text("at")))
      , queue_overlap_(spec.params.text("overlap") == "queue")
      , shuffle_(spec.params.number("shuffle"))
      , output_(spec.params.number("output"))
      , output_flow_(spec.params.text("output_flow"))
      , map_cpu_(spec.params.number("map_cpu"))
      , reduce_cpu_(spec.params.number("reduce_cpu"))
      , disk_bw_(spec.params.number("disk_bandwidth"))
      , driver_cpu_(spec.params.number("driver_cpu"))
      , cpu_(*metrics_, hosts_)
      , driver_thread_(sg4::Semaphore::create(1))
      , epoch_(replicas(), 0)
  {
    const KeySpaceSpec* keys = spec.params.text("keys").empty() ? nullptr : rt.scenario().key_space(spec.params.text("keys"));
    plan_ = plan_batch(spec.params.number("input"), spec.params.number("split_size"),
                       partition_shares(keys ? keys->popularity.get() : nullptr,
                                        static_cast<size_t>(spec.params.integer("partitions"))));
    if (!spec.params.text("source").empty())
      source_ = &rt.component(spec.params.text("source"));
    start_driver();
    for (size_t e = 0; e < executors_; ++e)
      for (size_t k = 0; k < slots_per_executor_; ++k)
        start_slot(e, k);
  }

  Outcome serve(FlowContext&, const Step&, size_t, const Body&) override
  {
    return Outcome::error("no_operations");  // the model has none; the loader refuses steps naming it
  }

  void crash(size_t r) override
  {
    Component::crash(r);
    ++epoch_[r];
    double now = rt_.now();
    if (r == 0) {
      if (run_) {
        aborted_ = true;
        run_.reset();
        done_.notify();
      }
      return;
    }
    if (run_) {
      size_t again = run_->executor_lost(r - 1);
      if (again)
        metrics_->count(now, "task_retries", static_cast<double>(again));
      slots_.notify();
    }
  }

  void recover(size_t r) override
  {
    Component::recover(r);
    slots_.notify();
  }

  void finish() override
  {
    auto mean = [](double sum, double n) { return n > 0 ? sum / n : 0.0; };
    metrics_->set_value("job_duration", mean(duration_sum_, runs_n_));
    metrics_->set_value("job_duration_max", duration_max_);
    metrics_->set_value("map_stage", mean(map_stage_sum_, runs_n_));
    metrics_->set_value("shuffle_bytes", mean(shuffle_sum_, runs_n_));
    metrics_->set_value("reduce_task_mean", mean(reduce_sum_, reduce_n_));
    metrics_->set_value("reduce_task_max", reduce_max_);
    double capacity = static_cast<double>(executors_ * slots_per_executor_) * duration_sum_;
    metrics_->set_value("slot_utilisation", capacity > 0 ? busy_sum_ / capacity : 0);
  }

private:
  // What one run accumulates, kept only if the run started after warm-up.
  struct RunStats {
    double map_done = -1;
    double shuffle  = 0;
    double busy     = 0;
    double reduce_sum = 0, reduce_n = 0, reduce_max = 0;
  };

  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }

  // The run times: the `at` list, else start + k * every.
  double run_time(size_t k) const
  {
    if (!at_.empty())
      return k < at_.size() ? at_[k] : std::numeric_limits<double>::infinity();
    return start_ + static_cast<double>(k) * every_;
  }

  // Not a daemon: it lives until the end of the run, so the run lasts its full duration.
  void start_driver()
  {
    sg4::Actor::create(name() + "-driver", host(0), [this]() {
      const double end = rt_.scenario().run.duration;
      for (size_t k = 0;; ++k) {
        double t = run_time(k);
        if (t >= end) {
          sg4::this_actor::sleep_until(end);
          return;
        }
        if (rt_.now() < t)
          sg4::this_actor::sleep_until(t);
        bool late = rt_.now() > t + 1e-9;
        if (down_[0] || (late && !queue_overlap_)) {
          metrics_->count(rt_.now(), "runs_skipped");
          continue;
        }
        if (late)
          metrics_->count(rt_.now(), "runs_queued");
        run_job(t);
      }
    });
  }

  void run_job(double scheduled)
  {
    auto run      = std::make_shared<BatchRun>(plan_, executors_);
    run_          = run;
    aborted_      = false;
    stats_        = RunStats{};
    double began  = rt_.now();
    slots_.notify();
    done_.wait([&] { return aborted_ || run->done(); });
    if (run_ == run)
      run_.reset();
    double now = rt_.now();
    if (aborted_) {
      metrics_->count(now, "runs_failed");
      return;
    }
    metrics_->count(now, "runs");
    if (measured(began)) {
      double d = now - began;
      runs_n_ += 1;
      duration_sum_ += d;
      duration_max_ = std::max(duration_max_, d);
      map_stage_sum_ += stats_.map_done - began;
      shuffle_sum_ += stats_.shuffle;
      busy_sum_ += stats_.busy;
      reduce_sum_ += stats_.reduce_sum;
      reduce_n_ += stats_.reduce_n;
      reduce_max_ = std::max(reduce_max_, stats_.reduce_max);
    }
    if (!output_flow_.empty()) {
      FlowContext ctx = rt_.flow_context(output_flow_, scheduled);
      rt_.run_flow(output_flow_, ctx, host(0));
    }
  }

  void start_slot(size_t e, size_t k)
  {
    size_t r = e + 1;
    sg4::Actor::create(name() + "-slot-" + std::to_string(e) + "." + std::to_string(k), host(r), [this, e, r]() {
      while (true) {
        std::optional<BatchTask> task;
        std::shared_ptr<BatchRun> run;
        slots_.wait([&] {
          if (down_[r] || !run_)
            return false;
          task = run_->next(e);
          run  = run_;
          return task.has_value();
        });
        execute(e, r, run, *task);
      }
    })->daemonize();
  }

  void execute(size_t e, size_t r, const std::shared_ptr<BatchRun>& run, const BatchTask& task)
  {
    uint64_t epoch = epoch_[r];
    double began   = rt_.now();
    // The driver's scheduler thread launches the task.
    driver_thread_->acquire();
    cpu_.work(0, driver_cpu_);
    driver_thread_->release();
    rt_.transfer(host(0), host(r), kTaskBytes);
    double fetched = 0;
    if (task.stage == BatchTask::Stage::Map)
      run_map(r, run->plan().map_bytes[task.index], task.index);
    else
      fetched = run_reduce(r, *run, task.index);
    rt_.transfer(host(r), host(0), kStatusBytes);
    double now = rt_.now();
    if (epoch_[r] != epoch || run_ != run || !run->finish(task, e))
      return;  // the executor or the run died meanwhile: the answer is stale
    metrics_->count(now, "tasks");
    stats_.busy += now - began;
    if (task.stage == BatchTask::Stage::Map) {
      if (run->in_reduce_stage()) {
        stats_.map_done = now;
        slots_.notify();  // the barrier is passed: reduce tasks are ready
      }
    } else {
      stats_.shuffle += fetched;
      stats_.reduce_sum += now - began;
      stats_.reduce_n += 1;
      stats_.reduce_max = std::max(stats_.reduce_max, now - began);
    }
    if (run->done())
      done_.notify();
  }

  void run_map(size_t r, double bytes, size_t index)
  {
    if (source_) {
      sg4::Host* from = source_->host(index % source_->replicas());
      disk_io(from, bytes);
      rt_.transfer(from, host(r), bytes);
    } else {
      disk_io(host(r), bytes);
    }
    cpu_.work(r, bytes * map_cpu_);
    disk_io(host(r), bytes * shuffle_);  // shuffle files on the local disk
  }

  // Fetches the partition's blocks from every executor holding map output; returns the bytes.
  double run_reduce(size_t r, const BatchRun& run, size_t partition)
  {
    double share = run.plan().reduce_share[partition];
    double total = 0;
    const std::vector<double>& on = run.map_input_on();
    // Each reducer starts its fetches at a different executor, so that they do not all queue at
    // the same disk at once (Spark shuffles the order of its block fetches for the same reason).
    for (size_t k = 0; k < on.size(); ++k) {
      size_t x     = (partition + k) % on.size();
      double bytes = on[x] * shuffle_ * share;
      if (bytes <= 0)
        continue;
      disk_io(host(x + 1), bytes);
      rt_.transfer(host(x + 1), host(r), bytes);
      total += bytes;
    }
    cpu_.work(r, total * reduce_cpu_);
    double out = output_ * share;
    if (source_) {
      sg4::Host* to = source_->host(partition % source_->replicas());
      rt_.transfer(host(r), to, out);
      disk_io(to, out);
    } else {
      disk_io(host(r), out);
    }
    return total;
  }

  // One sequential stream at a time per disk, at the disk's bandwidth.
  void disk_io(sg4::Host* h, double bytes)
  {
    if (bytes <= 0)
      return;
    auto it = disks_.find(h);
    if (it == disks_.end())
      it = disks_.emplace(h, sg4::Semaphore::create(1)).first;
    sg4::SemaphorePtr disk = it->second;
    disk->acquire();
    sg4::this_actor::sleep_for(bytes / disk_bw_);
    disk->release();
  }

  size_t executors_;
  size_t slots_per_executor_;
  double every_;
  double start_;
  std::vector<double> at_;
  bool queue_overlap_;
  double shuffle_;
  double output_;
  std::string output_flow_;
  double map_cpu_;
  double reduce_cpu_;
  double disk_bw_;
  double driver_cpu_;
  CpuMeter cpu_;
  sg4::SemaphorePtr driver_thread_;
  std::vector<uint64_t> epoch_;  // per replica: crashes so far
  BatchPlan plan_;
  Component* source_ = nullptr;
  std::shared_ptr<BatchRun> run_;  // the run in progress, if any
  bool aborted_ = false;
  RunStats stats_;
  StateSignal slots_;
  StateSignal done_;
  std::unordered_map<sg4::Host*, sg4::SemaphorePtr> disks_;
  double runs_n_ = 0, duration_sum_ = 0, duration_max_ = 0, map_stage_sum_ = 0, shuffle_sum_ = 0, busy_sum_ = 0;
  double reduce_sum_ = 0, reduce_n_ = 0, reduce_max_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_batch_job(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<BatchJob>(rt, spec);
}

}  // namespace archsim
