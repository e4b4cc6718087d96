#pragma once
// The plan and task bookkeeping of one batch_job run (Spark-like), without SimGrid.
//
// A run reads its input in splits (one map task per split, as Spark cuts files into
// maxPartitionBytes pieces), and each map task writes its shuffle output split by key into the
// job's reduce partitions. A key's partition is a hash of the key, so the share of the shuffle a
// partition receives follows the key space's popularity law: the heaviest keys are placed
// exactly (each lands in one partition, so a hot key makes a hot partition, a straggler), the
// long tail is spread evenly. Reduce tasks start only when every map output exists (the stage
// barrier) and fetch their partition's blocks from every executor that holds map output.
// An executor lost mid-run loses its running tasks (they run again elsewhere) and its map
// outputs (those maps run again; reduce tasks not yet started wait for them).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/core/popularity.h"

namespace archsim {

// Share of the shuffle per reduce partition. `keys` null: even shares. The `exact_ranks` most
// popular keys are hashed to their partition one by one; the rest of the probability is spread
// evenly (many small keys average out).
std::vector<double> partition_shares(const Popularity* keys, size_t partitions, uint64_t exact_ranks = 100000);

struct BatchPlan {
  std::vector<double> map_bytes;     // input bytes of each map task (the last split may be short)
  std::vector<double> reduce_share;  // share of the shuffle of each reduce partition (sums to 1)
};

BatchPlan plan_batch(double input_bytes, double split_bytes, std::vector<double> reduce_shares);

struct BatchTask {
  enum class Stage { Map, Reduce } stage = Stage::Map;
  size_t index     = 0;
  uint64_t attempt = 0;  // unique per hand-out
};

class BatchRun {
public:
  BatchRun(const BatchPlan& plan, size_t executors);

  // A task for a free slot of `executor`: maps first; reduces once every map output exists.
  std::optional<BatchTask> next(size_t executor);
  // The task's slot finished it. False if the hand-out no longer counts (its executor was lost).
  bool finish(const BatchTask& task, size_t executor);
  // Running tasks of the executor go back to the queue, its map outputs are gone (their maps
  // run again). Returns the tasks that must run again.
  size_t executor_lost(size_t executor);

  bool done() const { return reduces_done_ == plan_.reduce_share.size() && maps_done_ == plan_.map_bytes.size(); }
  bool in_reduce_stage() const { return maps_done_ == plan_.map_bytes.size(); }
  // Map input bytes whose shuffle output lives on each executor (what a reduce fetches from it,
  // times the shuffle share and the partition's share).
  const std::vector<double>& map_input_on() const { return map_input_on_; }
  const BatchPlan& plan() const { return plan_; }
  size_t handed_out() const { return next_attempt_; }

private:
  struct Running {
    BatchTask task;
    size_t executor;
  };
  BatchPlan plan_;
  std::deque<size_t> maps_;
  std::deque<size_t> reduces_;
  std::unordered_map<uint64_t, Running> running_;  // by attempt
  std::vector<int> map_output_on_;                 // per map: executor holding its output, -1 none
  std::vector<double> map_input_on_;
  size_t maps_done_    = 0;
  size_t reduces_done_ = 0;
  uint64_t next_attempt_ = 0;
};

}  // namespace archsim
