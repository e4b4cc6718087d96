#include "models/scheduler_queue.h"

#include <algorithm>
#include <cmath>

namespace archsim {

SchedulerCore::SchedulerCore(const SchedulerConfig& config, std::vector<Trigger> jobs, double start)
    : config_(config), jobs_(std::move(jobs))
{
  for (size_t j = 0; j < jobs_.size(); ++j) {
    double due = jobs_[j].next_after(start - 1e-6);  // a job due at the start fires at the start
    if (std::isfinite(due))
      push(due, Kind::Recurring, j);
  }
}

void SchedulerCore::push(double due, Kind kind, uint64_t ref) { heap_.push({due, next_seq_++, kind, ref}); }

uint64_t SchedulerCore::new_firing(size_t job, double due, uint64_t key, bool has_key)
{
  Firing f;
  f.id      = next_firing_++;
  f.job     = job;
  f.due     = due;
  f.key     = key;
  f.has_key = has_key;
  firings_.emplace(f.id, f);
  return f.id;
}

uint64_t SchedulerCore::schedule_once(double due, uint64_t key, bool has_key, int key_space)
{
  uint64_t id = new_firing(Firing::kOneShot, due, key, has_key);
  firings_.at(id).key_space = key_space;
  push(due, Kind::OneShot, id);
  return id;
}

std::vector<uint64_t> SchedulerCore::take_due(double now)
{
  std::vector<uint64_t> out;
  while (!heap_.empty() && heap_.top().due <= now) {
    Entry e = heap_.top();
    heap_.pop();
    if (e.kind == Kind::Recurring) {
      auto j = static_cast<size_t>(e.ref);
      out.push_back(new_firing(j, e.due, 0, false));
      double next = jobs_[j].next_after(e.due);
      if (std::isfinite(next))
        push(next, Kind::Recurring, j);
    } else if (firings_.count(e.ref)) {
      out.push_back(e.ref);
    }
  }
  return out;
}

std::optional<double> SchedulerCore::next_due() const
{
  if (heap_.empty())
    return std::nullopt;
  return heap_.top().due;
}

Firing* SchedulerCore::start(uint64_t firing, int worker, double now)
{
  auto it = firings_.find(firing);
  if (it == firings_.end())
    return nullptr;
  Firing& f = it->second;
  ++f.attempts;
  f.worker  = worker;
  f.started = now;
  return &f;
}

double SchedulerCore::backoff_for(unsigned attempts) const
{
  double b = config_.backoff * std::pow(2.0, static_cast<double>(attempts) - 1);
  return config_.backoff_max > 0 ? std::min(b, config_.backoff_max) : b;
}

SchedulerCore::Result SchedulerCore::finish(uint64_t firing, unsigned attempt, bool ok, double now)
{
  auto it = firings_.find(firing);
  if (it == firings_.end() || it->second.worker < 0 || it->second.attempts != attempt)
    return Result::Stale;
  Firing& f = it->second;
  if (ok) {
    firings_.erase(it);
    return Result::Done;
  }
  if (f.attempts >= config_.max_attempts) {
    firings_.erase(it);
    return Result::Failed;
  }
  f.worker = -1;
  push(now + backoff_for(f.attempts), Kind::Retry, f.id);
  return Result::Retry;
}

size_t SchedulerCore::worker_lost(int worker, double now, double lease)
{
  std::vector<uint64_t> lost;
  for (auto& [id, f] : firings_)
    if (f.worker == worker) {
      f.worker = -1;
      lost.push_back(id);
    }
  std::sort(lost.begin(), lost.end());  // re-fired in firing order, whatever the hash order
  for (uint64_t id : lost)
    push(now + lease, Kind::Retry, id);
  return lost.size();
}

size_t SchedulerCore::crash()
{
  if (config_.durable)
    return 0;
  decltype(heap_) kept;
  size_t lost = 0;
  while (!heap_.empty()) {
    Entry e = heap_.top();
    heap_.pop();
    if (e.kind == Kind::Recurring) {
      kept.push(e);
    } else if (firings_.erase(e.ref)) {
      ++lost;
    }
  }
  heap_ = std::move(kept);
  return lost;
}

SchedulerCore::Recovery SchedulerCore::recover(double now)
{
  Recovery r;
  while (!heap_.empty() && heap_.top().due < now) {
    Entry e = heap_.top();
    heap_.pop();
    if (e.kind == Kind::Retry) {
      if (firings_.count(e.ref))
        r.firings.push_back(e.ref);
      continue;
    }
    if (e.kind == Kind::OneShot) {
      if (!firings_.count(e.ref))
        continue;
      if (config_.missed == MissedPolicy::Skip) {
        firings_.erase(e.ref);
        ++r.missed;
      } else {
        r.firings.push_back(e.ref);
        ++r.late;
      }
      continue;
    }
    auto j          = static_cast<size_t>(e.ref);
    double first    = e.due;
    size_t times    = 0;
    double d        = e.due;
    for (; d < now; d = jobs_[j].next_after(d)) {
      ++times;
      if (config_.missed == MissedPolicy::FireAll && times <= config_.max_missed) {
        r.firings.push_back(new_firing(j, d, 0, false));
        ++r.late;
      }
    }
    if (config_.missed == MissedPolicy::FireAll)
      r.missed += times > config_.max_missed ? times - config_.max_missed : 0;
    else if (config_.missed == MissedPolicy::FireOnce) {
      r.firings.push_back(new_firing(j, first, 0, false));
      ++r.late;
      r.missed += times - 1;
    } else {
      r.missed += times;
    }
    if (std::isfinite(d))
      push(d, Kind::Recurring, j);
  }
  return r;
}

const Firing* SchedulerCore::find(uint64_t firing) const
{
  auto it = firings_.find(firing);
  return it == firings_.end() ? nullptr : &it->second;
}

}  // namespace archsim
