#pragma once
// The state of the scheduler model, without SimGrid: a due-time ordered heap holding the next
// firing of each recurring job, the one-shot delayed jobs (reminders) and the retries, plus the
// firings in flight on workers. Memory is one heap entry per pending job and one record per
// live firing (10^5 reminders are a few MB), never an actor.
//
// At-least-once: a firing stays live until its run succeeds. A failed run is retried after an
// exponential backoff up to `max_attempts` runs; a run lost with its worker is re-fired when its
// lease expires. Runs of a firing that already succeeded once are duplicates.
//
// Missed schedules: while the scheduler is down nothing fires. On recovery each recurring job's
// due times that passed meanwhile are handled by the policy: fire_all (one late firing per
// missed time), fire_once (one late firing for all of them, as Quartz's "fire once now" and a
// Kubernetes CronJob do), skip (none: wait for the next due time). One-shot jobs that came due
// meanwhile fire late, except under skip; retries always fire.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "models/cron.h"

namespace archsim {

enum class MissedPolicy { FireOnce, FireAll, Skip };

struct Firing {
  uint64_t id      = 0;
  size_t job       = 0;  // recurring job index, or kOneShot
  double due       = 0;  // latency counts from here
  uint64_t key     = 0;
  bool has_key     = false;
  int key_space    = -1;  // the owner's index of the key's key space, -1 if none
  unsigned attempts = 0;  // runs started so far
  int worker       = -1;  // worker host running it, -1 if none
  double started   = 0;
  static constexpr size_t kOneShot = static_cast<size_t>(-1);
};

struct SchedulerConfig {
  MissedPolicy missed   = MissedPolicy::FireOnce;
  unsigned max_attempts = 1;
  double backoff        = 0;  // before run k+1: backoff * 2^(k-1), capped at backoff_max
  double backoff_max    = 0;  // 0: no cap
  bool durable          = true;  // pending one-shots and retries survive a crash
  size_t max_missed     = 100000;  // fire_all: at most this many late firings per job and outage
};

class SchedulerCore {
public:
  SchedulerCore(const SchedulerConfig& config, std::vector<Trigger> jobs, double start);

  // A one-shot job due at `due` (a reminder); returns its firing id.
  uint64_t schedule_once(double due, uint64_t key, bool has_key, int key_space = -1);
  // Firings due by `now` (scheduler up), oldest due first; recurring jobs advance.
  std::vector<uint64_t> take_due(double now);
  std::optional<double> next_due() const;

  // A worker starts / finishes a run of the firing.
  Firing* start(uint64_t firing, int worker, double now);
  enum class Result { Done, Retry, Failed, Stale };
  // `attempt`: the run's number (the firing's attempts when it started); `ok`: its flow succeeded.
  // A failure schedules a retry (Retry) or gives up (Failed). Stale: the run no longer counts
  // (its worker crashed meanwhile, and the firing was handed on or is waiting to be).
  Result finish(uint64_t firing, unsigned attempt, bool ok, double now);

  // The worker host died: its runs are re-fired when their lease expires (now + lease).
  // Returns how many runs were lost.
  size_t worker_lost(int worker, double now, double lease);
  // The scheduler process dies / comes back. crash returns the pending entries lost (not durable).
  size_t crash();
  struct Recovery {
    std::vector<uint64_t> firings;  // late firings (and retries that came due) to run now
    size_t late   = 0;              // of which recurring or one-shot firings past their due time
    size_t missed = 0;              // due times dropped by the policy
  };
  Recovery recover(double now);

  const Firing* find(uint64_t firing) const;
  size_t pending() const { return heap_.size(); }
  size_t live() const { return firings_.size(); }
  const std::vector<Trigger>& jobs() const { return jobs_; }

private:
  enum class Kind { Recurring, OneShot, Retry };
  struct Entry {
    double due;
    uint64_t seq;
    Kind kind;
    uint64_t ref;  // job index (Recurring) or firing id
    bool operator>(const Entry& o) const { return due > o.due || (due == o.due && seq > o.seq); }
  };
  void push(double due, Kind kind, uint64_t ref);
  uint64_t new_firing(size_t job, double due, uint64_t key, bool has_key);
  double backoff_for(unsigned attempts) const;

  SchedulerConfig config_;
  std::vector<Trigger> jobs_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  std::unordered_map<uint64_t, Firing> firings_;
  uint64_t next_seq_    = 0;
  uint64_t next_firing_ = 0;
};

}  // namespace archsim
