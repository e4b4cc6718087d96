#pragma once
// Pure logic of the stream_processor model (Flink-like keyed event-time windows), kept apart
// from SimGrid: window assignment (tumbling, sliding), bounded-out-of-orderness watermarks per
// source partition, keyed window state with firing, allowed lateness and late drops, and the
// ledger of what a sink received (duplicates, the final table). Times are in microseconds
// inside windows so that window boundaries are exact.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

namespace archsim::stream {

using Micros = int64_t;
Micros to_micros(double seconds);  // floor
double to_seconds(Micros us);

// Windows of `size`, one starting every `slide` (tumbling: slide == size).
struct WindowSpec {
  Micros size  = 60'000'000;
  Micros slide = 60'000'000;
  // Starts of the windows [start, start + size) that contain t.
  std::vector<Micros> windows_of(Micros t) const;
};

// Per source partition, the largest event time seen; the watermark is the lowest over the
// partitions of (largest - bound), so one partition without data holds every window back.
class Watermarks {
public:
  static constexpr Micros kNone = std::numeric_limits<Micros>::min();
  Watermarks(size_t partitions, Micros bound);
  void observe(size_t partition, Micros event_time);
  Micros current() const;
  const std::vector<Micros>& largest() const { return largest_; }
  void restore(std::vector<Micros> largest) { largest_ = std::move(largest); }

private:
  std::vector<Micros> largest_;
  Micros bound_;
};

// A window's count for one key, as the operator emits it.
struct Result {
  uint64_t key  = 0;
  Micros start  = 0;
  uint64_t count = 0;
  bool late_update = false;  // fired again because a late event arrived within allowed lateness
};

// One task's keyed window state: counts per (window, key). A window fires when the watermark
// reaches its end and is purged when the watermark reaches end + allowed lateness; an event
// whose every window is purged is dropped; one that lands in an already fired window updates it
// and fires it again.
class WindowState {
public:
  enum class Fate { OnTime, Late, Dropped };
  WindowState(WindowSpec spec, Micros allowed_lateness);

  Fate add(uint64_t key, Micros event_time, std::vector<Result>& out);
  // The operator's watermark moved to `wm`: windows ending by then fire (results appended to
  // `out`), those past their lateness leave the state.
  void advance(Micros wm, std::vector<Result>& out);
  Micros watermark() const { return wm_; }
  size_t entries() const { return entries_; }  // (window, key) counts held

private:
  struct Window {
    std::unordered_map<uint64_t, uint64_t> counts;
    bool fired = false;
  };
  WindowSpec spec_;
  Micros lateness_;
  Micros wm_ = Watermarks::kNone;
  std::map<Micros, Window> windows_;  // by start
  size_t entries_ = 0;
};

// What the sink received. The table holds each (key, window)'s latest count, as an idempotent
// (upsert) sink would; a delivery that repeats an earlier one (same key, window and count: a
// replay after a restore) is a duplicate. An appending sink adds every delivery's count to its
// rows. Deliveries are stamped with the number of snapshots taken so far: once snapshot k has
// completed, a restore goes back no further than it, so deliveries made before it was taken
// cannot repeat and are forgotten.
class SinkLedger {
public:
  // Returns true when the delivery repeats an earlier one.
  bool deliver(const Result& r, uint64_t snapshots_taken);
  // Snapshot number `snapshot` (1, 2, ...) completed with operator watermark `wm`: windows that
  // started more than `horizon` before wm can no longer change (they fold into the totals).
  void checkpoint_completed(uint64_t snapshot, Micros wm, Micros horizon);

  uint64_t checksum() const;        // order-independent hash of the final table
  uint64_t counted() const;         // sum of the table's counts (the exactly-once result)
  uint64_t appended_rows() const { return appended_; }  // sum over every delivery
  size_t entries() const { return table_.size() + folded_entries_; }  // (key, window) results

private:
  static uint64_t entry_hash(uint64_t key, Micros start, uint64_t count);
  std::map<std::pair<Micros, uint64_t>, uint64_t> table_;  // (start, key) -> count
  std::unordered_map<uint64_t, uint64_t> recent_;          // delivery -> snapshots taken before it
  uint64_t folded_checksum_ = 0;
  uint64_t folded_count_    = 0;
  size_t folded_entries_    = 0;
  uint64_t appended_        = 0;
};

}  // namespace archsim::stream
