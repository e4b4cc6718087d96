#include "models/stream_window.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "sim/core/hash_ring.h"

namespace archsim::stream {

Micros to_micros(double seconds) { return static_cast<Micros>(std::floor(seconds * 1e6 + 1e-6)); }

double to_seconds(Micros us) { return static_cast<double>(us) / 1e6; }

namespace {
Micros floor_div(Micros a, Micros b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
}  // namespace

std::vector<Micros> WindowSpec::windows_of(Micros t) const
{
  std::vector<Micros> out;
  for (Micros start = floor_div(t, slide) * slide; start > t - size; start -= slide)
    out.push_back(start);
  return out;
}

Watermarks::Watermarks(size_t partitions, Micros bound) : largest_(partitions, kNone), bound_(bound) {}

void Watermarks::observe(size_t partition, Micros event_time)
{
  largest_[partition] = std::max(largest_[partition], event_time);
}

Micros Watermarks::current() const
{
  Micros wm = std::numeric_limits<Micros>::max();
  for (Micros l : largest_) {
    if (l == kNone)
      return kNone;
    wm = std::min(wm, l - bound_);
  }
  return largest_.empty() ? kNone : wm;
}

WindowState::WindowState(WindowSpec spec, Micros allowed_lateness) : spec_(spec), lateness_(allowed_lateness) {}

WindowState::Fate WindowState::add(uint64_t key, Micros event_time, std::vector<Result>& out)
{
  bool counted = false, late = false;
  for (Micros start : spec_.windows_of(event_time)) {
    Micros end = start + spec_.size;
    if (wm_ != Watermarks::kNone && end + lateness_ <= wm_)
      continue;  // purged: too late for this window
    Window& w = windows_[start];
    uint64_t& c = w.counts[key];
    if (c == 0)
      ++entries_;
    ++c;
    counted = true;
    if (w.fired) {
      late = true;
      out.push_back({key, start, c, true});
    }
  }
  if (!counted)
    return Fate::Dropped;
  return late ? Fate::Late : Fate::OnTime;
}

void WindowState::advance(Micros wm, std::vector<Result>& out)
{
  if (wm == Watermarks::kNone || (wm_ != Watermarks::kNone && wm <= wm_))
    return;
  wm_ = wm;
  for (auto it = windows_.begin(); it != windows_.end();) {
    Micros end = it->first + spec_.size;
    if (end > wm)
      break;  // ordered by start: later windows end later
    Window& w = it->second;
    if (!w.fired) {
      w.fired = true;
      for (const auto& [key, count] : w.counts)
        out.push_back({key, it->first, count, false});
    }
    if (end + lateness_ <= wm) {
      entries_ -= w.counts.size();
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
}

uint64_t SinkLedger::entry_hash(uint64_t key, Micros start, uint64_t count)
{
  return mix64(key ^ mix64(static_cast<uint64_t>(start) ^ mix64(count + 0x636f756e74ULL)));
}

bool SinkLedger::deliver(const Result& r, uint64_t snapshots_taken)
{
  appended_ += r.count;
  table_[{r.start, r.key}] = r.count;
  auto [it, fresh] = recent_.try_emplace(entry_hash(r.key, r.start, r.count), snapshots_taken);
  it->second = snapshots_taken;
  return !fresh;
}

void SinkLedger::checkpoint_completed(uint64_t snapshot, Micros wm, Micros horizon)
{
  for (auto it = recent_.begin(); it != recent_.end();)
    it = it->second < snapshot ? recent_.erase(it) : std::next(it);
  if (wm == Watermarks::kNone)
    return;
  for (auto it = table_.begin(); it != table_.end() && it->first.first + horizon < wm;) {
    folded_checksum_ += entry_hash(it->first.second, it->first.first, it->second);
    folded_count_ += it->second;
    ++folded_entries_;
    it = table_.erase(it);
  }
}

uint64_t SinkLedger::checksum() const
{
  uint64_t h = folded_checksum_;
  for (const auto& [k, count] : table_)
    h += entry_hash(k.second, k.first, count);
  return h;
}

uint64_t SinkLedger::counted() const
{
  uint64_t n = folded_count_;
  for (const auto& e : table_)
    n += e.second;
  return n;
}

}  // namespace archsim::stream
