// scheduler: a job scheduler (cron triggers, delayed one-shot jobs, a worker pool).
//
// Keeps: recurring jobs from cron expressions or fixed periods (models/cron.h; simulated time 0
// is Monday 2026-01-05 00:00 UTC) and one-shot delayed jobs created by `schedule` steps (a
// reminder due `delay` from now), all in one due-time ordered heap on the scheduler host
// (replica 0; state, not actors: 10^5 pending reminders cost a few MB); a dispatcher that sleeps
// until the earliest due time, pays CPU per firing and hands due firings to a FIFO of ready work;
// `workers` worker threads on each of `worker_hosts` hosts (replicas 1..) that take ready
// firings, receive them over the network and run the component's `flow` per firing (latency from
// the due time: firing delay plus the job's own time) and report back. At-least-once: a firing
// is done only when its flow succeeds; a failed run is retried after an exponential backoff up
// to `max_attempts` runs (then counted failed); a run lost with its worker host (a crash fault)
// fires again when its lease expires, and a firing whose flow had already succeeded before its
// report was lost counts as a duplicate. While the scheduler (replica 0) is down nothing fires;
// on recovery, recurring firings missed meanwhile are handled by the `missed` policy (fire_all,
// fire_once, skip), and a non-durable scheduler has lost its pending one-shot jobs and retries.
// Abstracts away: leader election among several schedulers, the job store's own latency (use a
// flow step for it), cancellation of pending jobs, time zones and daylight saving, seconds fields
// in cron, the remainder of a flow a crashed worker was running (it completes; its report is
// lost), and runs that hang (give the flow a timeout).
#include "models/scheduler.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>

#include "models/cron.h"
#include "models/mq_signal.h"
#include "models/scheduler_queue.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {
constexpr double kDispatchBytes = 500;  // a firing handed to a worker, or its completion report

MissedPolicy missed_of(const std::string& s)
{
  return s == "fire_all" ? MissedPolicy::FireAll : s == "skip" ? MissedPolicy::Skip : MissedPolicy::FireOnce;
}
}  // namespace

const ModelSpec& scheduler_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "scheduler";
    s.summary   = "Job scheduler: cron and periodic triggers, delayed one-shot jobs, a due-time heap, a worker pool, "
                  "missed-schedule policies and at-least-once firing";
    s.keeps     = "a real cron parser; one due-time heap for recurring jobs, reminders and retries; dispatch CPU per "
                  "firing; worker threads on worker hosts running a flow per firing; retries with exponential "
                  "backoff; lease-based re-firing of runs lost with a worker; fire_all / fire_once / skip after the "
                  "scheduler was down; durable or volatile pending jobs";
    s.abstracts = "leader election, the job store's latency (use a flow step), cancellation, time zones and DST, "
                  "cron seconds fields, the rest of a flow a crashed worker was running, hung runs";
    s.params = {
        param::text("jobs", "",
                    "Recurring jobs separated by ';': cron expressions (minute hour day-of-month month day-of-week, "
                    "e.g. \"*/5 * * * *\", \"0 9 * * 1-5\", \"@daily\") or periods (\"every 30s\"); time 0 is Monday "
                    "2026-01-05 00:00 UTC"),
        param::flow("flow", "Flow run per firing on a worker; the firing is done when it succeeds. Its latency counts "
                            "from the due time"),
        param::count("worker_hosts", "1", "Worker hosts (replicas 1..worker_hosts; replica 0 is the scheduler)")
            .range(1, 1000),
        param::count("workers", "8", "Worker threads per worker host (firings run at once)")
            .range(1, 10000)
            .cite("a design parameter (the cheatsheet's task scheduler limits concurrency); Celery's default is one "
                  "worker process per CPU"),
        param::count("cores", "4", "Cores per host").range(1, 1024).cite("a sizing choice"),
        param::choice("missed", {"fire_once", "fire_all", "skip"}, "fire_once",
                      "Recurring firings whose due time passed while the scheduler was down: one late firing for "
                      "all, one per missed time, or none")
            .cite("Quartz CronTrigger's smart misfire policy and a Kubernetes CronJob both fire once"),
        param::count("max_attempts", "7", "Runs of a firing before it is given up (failed)")
            .range(1, 1000)
            .cite("Kubernetes Job backoffLimit 6: 7 runs (kubernetes.io, Job pod backoff failure policy)"),
        param::quantity("backoff", Unit::Duration, "10s", "Wait before the 2nd run of a failed firing; doubles for "
                                                          "each further run")
            .range(0, 1e6)
            .cite("Kubernetes Job: back-off of 10 s, 20 s, 40 s ... (kubernetes.io)"),
        param::quantity("backoff_max", Unit::Duration, "6min", "Cap on the backoff; 0 = none")
            .range(0, 1e7)
            .cite("Kubernetes Job: back-off capped at six minutes (kubernetes.io)"),
        param::quantity("lease", Unit::Duration, "30s", "A run lost with its worker host fires again this long after "
                                                        "the crash (its lease or visibility timeout expires)")
            .range(0, 1e6)
            .cite("Amazon SQS default visibility timeout 30 s (AWS SQS docs)"),
        param::flag("durable", true, "Pending one-shot jobs and retries survive a scheduler crash (a database-backed "
                                     "job store); false: they are lost (volatile, e.g. Redis without persistence)"),
        param::quantity("schedule_cpu", Unit::Duration, "9us", "Scheduler CPU per schedule step (a heap insert)")
            .range(0, 1)
            .cite("reference-figures.md s1: ~9 us per unpipelined Redis write (110k SET/s), the cheatsheet's "
                  "sorted-set schedule"),
        param::quantity("dispatch_cpu", Unit::Duration, "9us", "Scheduler CPU per firing handed to the workers")
            .range(0, 1)
            .cite("reference-figures.md s1: ~9 us per unpipelined Redis write (a ZPOPMIN of the due job)"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy CPU / cores"},
        {"scheduled", Unit::Count, "One-shot jobs created by schedule steps"},
        {"fired", Unit::Count, "Runs started on a worker (first runs, retries and re-firings)"},
        {"completed", Unit::Count, "Firings done (their flow succeeded)"},
        {"retries", Unit::Count, "Runs scheduled again after their flow failed"},
        {"failed", Unit::Count, "Firings given up after max_attempts runs"},
        {"refired", Unit::Count, "Runs lost with a crashed worker host, fired again after the lease"},
        {"duplicates", Unit::Count, "Successful runs of a firing that had already succeeded (its report was lost)"},
        {"missed", Unit::Count, "Due times dropped by the missed policy while the scheduler was down"},
        {"late", Unit::Count, "Firings fired late after the scheduler was down"},
        {"lost", Unit::Count, "Pending one-shot jobs and retries lost by a crash of a non-durable scheduler"},
        {"pending_length", Unit::Number, "Mean entries in the due-time heap (one per recurring job, reminder, "
                                         "retry)"},
        {"ready_length", Unit::Number, "Mean due firings waiting for a free worker"},
        {"firing_delay", Unit::Duration, "Mean time from a firing's due time to its first run's start"},
        {"firing_delay_max", Unit::Duration, "Longest such time"},
        {"worker_utilisation", Unit::Fraction, "Busy worker threads / worker threads, after warm-up"},
    };
    s.operations = {
        {"schedule", "Create a one-shot job due `delay` from now (a reminder); it fires the flow with the request's "
                     "key",
         {param::distribution("delay", Unit::Duration, "0s", "Time from now until the job is due")},
         {"scheduled"}},
    };
    s.check = [](const ParamValues& p, const SourceLoc& loc, const std::string& path, Diagnostics& diags) {
      std::string error;
      if (!parse_triggers(p.text("jobs"), &error))
        diags.error(loc, path + ".jobs", error);
      if (p.integer("worker_hosts") * p.integer("workers") > 10000)
        diags.error(loc, path, "worker_hosts x workers must stay within 10000 (each worker thread is an actor)");
    };
    return s;
  }();
  return spec;
}

Placement scheduler_placement(const ParamValues& p)
{
  return {1 + static_cast<size_t>(p.integer("worker_hosts")), static_cast<int>(p.integer("cores"))};
}

namespace {

class Scheduler : public Component {
public:
  Scheduler(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , flow_(spec.params.text("flow"))
      , workers_(static_cast<size_t>(spec.params.integer("workers")))
      , lease_(spec.params.number("lease"))
      , schedule_cpu_(spec.params.number("schedule_cpu"))
      , dispatch_cpu_(spec.params.number("dispatch_cpu"))
      , core_(config_of(spec.params), *parse_triggers(spec.params.text("jobs")), 0)
      , cpu_(*metrics_, hosts_)
      , pending_(metrics_->declare_level("pending", 0))
      , ready_level_(metrics_->declare_level("ready", 0))
      , delay_rng_(rt.stream(spec.name, "delay"))
      , epoch_(replicas(), 0)
  {
    show();
    start_dispatcher();
    for (size_t h = 1; h < replicas(); ++h)
      for (size_t w = 0; w < workers_; ++w)
        start_worker(h, w);
  }

  size_t choose_replica(const FlowContext&) override { return 0; }

  Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body&) override
  {
    if (replica != 0)
      return Outcome::error("not_the_scheduler");
    cpu_.work(0, schedule_cpu_);
    double now = rt_.now();
    double due = now + std::max(0.0, step.args.dist("delay").sample(delay_rng_));
    core_.schedule_once(due, ctx.key, ctx.has_key, space_index(ctx.key_space));
    metrics_->count(now, "scheduled");
    show();
    poke(due);
    Outcome o        = Outcome::success("scheduled");
    o.response_bytes = 100;
    return o;
  }

  void crash(size_t r) override
  {
    Component::crash(r);
    double now = rt_.now();
    if (r == 0) {
      size_t lost = core_.crash();
      if (lost)
        metrics_->count(now, "lost", static_cast<double>(lost));
    } else {
      ++epoch_[r];
      size_t n = core_.worker_lost(static_cast<int>(r), now, lease_);
      if (n)
        metrics_->count(now, "refired", static_cast<double>(n));
    }
    show();
    poke(-1);
  }

  void recover(size_t r) override
  {
    Component::recover(r);
    double now = rt_.now();
    if (r == 0) {
      SchedulerCore::Recovery rec = core_.recover(now);
      if (rec.missed)
        metrics_->count(now, "missed", static_cast<double>(rec.missed));
      if (rec.late)
        metrics_->count(now, "late", static_cast<double>(rec.late));
      for (uint64_t id : rec.firings)
        ready_.push_back(id);
      show();
      work_.notify();
    } else {
      work_.notify();
    }
    poke(-1);
  }

  void finish() override
  {
    metrics_->set_value("firing_delay", delay_n_ > 0 ? delay_sum_ / delay_n_ : 0);
    metrics_->set_value("firing_delay_max", delay_max_);
    const RunSettings& run = rt_.scenario().run;
    double capacity        = static_cast<double>((replicas() - 1) * workers_) * (run.duration - run.warmup);
    metrics_->set_value("worker_utilisation", capacity > 0 ? busy_ / capacity : 0);
  }

private:
  static SchedulerConfig config_of(const ParamValues& p)
  {
    SchedulerConfig c;
    c.missed       = missed_of(p.text("missed"));
    c.max_attempts = static_cast<unsigned>(p.integer("max_attempts"));
    c.backoff      = p.number("backoff");
    c.backoff_max  = p.number("backoff_max");
    c.durable      = p.flag("durable");
    return c;
  }

  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }

  int space_index(const KeySpaceSpec* space) const
  {
    const auto& data = rt_.scenario().data;
    for (size_t i = 0; i < data.size(); ++i)
      if (&data[i] == space)
        return static_cast<int>(i);
    return -1;
  }

  void show()
  {
    double now = rt_.now();
    auto p     = static_cast<double>(core_.pending());
    auto r     = static_cast<double>(ready_.size());
    if (p != shown_pending_)
      pending_.add(0, now, p - shown_pending_);
    if (r != shown_ready_)
      ready_level_.add(0, now, r - shown_ready_);
    shown_pending_ = p;
    shown_ready_   = r;
  }

  // Wakes the dispatcher if work is now due before the time it sleeps until.
  void poke(double due)
  {
    if (due < sleeping_until_) {
      poked_ = true;
      wake_.notify();
    }
  }

  // Sleeps until the earliest due time (or a poke), then hands every due firing to the workers.
  // Not a daemon: it lives until the end of the run, so the run lasts its full duration.
  void start_dispatcher()
  {
    sg4::Actor::create(name() + "-dispatcher", host(0), [this]() {
      const double end = rt_.scenario().run.duration;
      while (rt_.now() < end - 1e-9) {
        if (down_[0]) {
          poked_ = false;
          wake_.wait_until(end, [&] { return !down_[0]; });
          continue;
        }
        std::vector<uint64_t> due = core_.take_due(rt_.now() + 1e-9);
        if (!due.empty()) {
          cpu_.work(0, dispatch_cpu_ * static_cast<double>(due.size()));
          ready_.insert(ready_.end(), due.begin(), due.end());
          work_.notify();
        }
        show();
        auto next       = core_.next_due();
        double target   = next ? std::min(*next, end) : end;
        if (target <= rt_.now() + 1e-9)
          continue;
        poked_          = false;
        sleeping_until_ = target;
        wake_.wait_until(target, [&] { return poked_; });
        sleeping_until_ = std::numeric_limits<double>::infinity();
      }
    });
  }

  void start_worker(size_t h, size_t w)
  {
    sg4::Actor::create(name() + "-worker-" + std::to_string(h) + "." + std::to_string(w), host(h), [this, h]() {
      while (true) {
        uint64_t id = 0;
        work_.wait([&] {
          if (down_[h] || ready_.empty())
            return false;
          id = ready_.front();  // taken while the lock is held (see mq_signal.h)
          ready_.pop_front();
          return true;
        });
        show();
        run(h, id);
      }
    })->daemonize();
  }

  void run(size_t h, uint64_t id)
  {
    double now = rt_.now();
    Firing* f  = core_.start(id, static_cast<int>(h), now);
    if (!f)
      return;
    Firing firing    = *f;
    uint64_t epoch   = epoch_[h];
    metrics_->count(now, "fired");
    if (firing.attempts == 1 && measured(firing.due)) {
      delay_sum_ += now - firing.due;
      delay_n_ += 1;
      delay_max_ = std::max(delay_max_, now - firing.due);
    }
    rt_.transfer(host(0), host(h), kDispatchBytes);
    double began = rt_.now();
    bool ok      = true;
    if (!flow_.empty()) {
      FlowContext ctx = context_of(firing);
      ok              = rt_.run_flow(flow_, ctx, host(h)).ok();
    }
    double ended = rt_.now();
    if (ended > rt_.scenario().run.warmup)
      busy_ += ended - std::max(began, rt_.scenario().run.warmup);
    if (ok) {
      if (succeeded_.size() <= id)
        succeeded_.resize(id + 1, false);
      if (succeeded_[id])
        metrics_->count(ended, "duplicates");
      succeeded_[id] = true;
    }
    if (epoch_[h] != epoch)
      return;  // the worker host died meanwhile: its report is lost, the lease re-fires the firing
    rt_.transfer(host(h), host(0), kDispatchBytes);
    double done = rt_.now();
    switch (core_.finish(id, firing.attempts, ok, done)) {
      case SchedulerCore::Result::Done: metrics_->count(done, "completed"); break;
      case SchedulerCore::Result::Retry:
        metrics_->count(done, "retries");
        poke(core_.next_due().value_or(done));
        break;
      case SchedulerCore::Result::Failed: metrics_->count(done, "failed"); break;
      case SchedulerCore::Result::Stale: break;
    }
    show();
  }

  FlowContext context_of(const Firing& f)
  {
    if (!f.has_key)
      return rt_.flow_context(flow_, f.due);
    const KeySpaceSpec* space = f.key_space >= 0 ? &rt_.scenario().data[static_cast<size_t>(f.key_space)] : nullptr;
    return rt_.flow_context(flow_, f.due, f.key, space);
  }

  std::string flow_;
  size_t workers_;
  double lease_;
  double schedule_cpu_;
  double dispatch_cpu_;
  SchedulerCore core_;
  CpuMeter cpu_;
  ComponentMetrics::Level& pending_;
  ComponentMetrics::Level& ready_level_;
  Rng delay_rng_;
  std::vector<uint64_t> epoch_;  // per replica: crashes so far (a run across one is lost)
  std::deque<uint64_t> ready_;   // due firings waiting for a worker
  StateSignal work_;
  StateSignal wake_;
  bool poked_            = false;
  double sleeping_until_ = std::numeric_limits<double>::infinity();
  double shown_pending_ = 0, shown_ready_ = 0;
  std::vector<bool> succeeded_;  // per firing id: its flow has succeeded once
  double delay_sum_ = 0, delay_n_ = 0, delay_max_ = 0;
  double busy_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_scheduler(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<Scheduler>(rt, spec);
}

}  // namespace archsim
