#pragma once
// Checkpoint bookkeeping of the stream_processor model, kept apart from SimGrid: a snapshot of
// the whole job taken at one instant (a consistent cut, what Flink's aligned barriers give),
// at most one checkpoint in progress, complete once every task has uploaded its part, aborted
// by a failure, and the last completed one kept for a restore.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/stream_window.h"

namespace archsim::stream {

struct Snapshot {
  uint64_t number = 0;  // 1, 2, ... in the order taken
  double taken    = 0;
  std::vector<WindowState> states;            // per task
  std::vector<std::vector<Result>> buffers;   // per task: output not yet flushed to the sink
  std::vector<uint64_t> offsets;              // per source partition: next record to read
  std::vector<Micros> largest;                // watermark state per source partition
  Micros watermark = Watermarks::kNone;       // the lowest operator watermark over the tasks
};

class CheckpointLog {
public:
  // Starts a checkpoint that completes after `parts` uploads. False (nothing starts) while
  // another is in progress: at most one at a time.
  bool begin(Snapshot s, size_t parts);
  // One part of checkpoint `number` is stored; true when that completes it.
  bool part_done(uint64_t number);
  // A failure: the checkpoint in progress will never complete.
  void abort() { pending_.reset(); }
  bool in_progress() const { return pending_.has_value(); }
  uint64_t taken() const { return taken_; }
  const Snapshot* completed() const { return completed_ ? &*completed_ : nullptr; }

private:
  std::optional<Snapshot> pending_;
  size_t remaining_ = 0;
  std::optional<Snapshot> completed_;
  uint64_t taken_ = 0;
};

}  // namespace archsim::stream
