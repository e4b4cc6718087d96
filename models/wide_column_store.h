#pragma once
// The wide_column component's class (models/wide_column.cpp), declared in a header of its own
// so that the model's parts (coordinator, LSM, ring) stay in small files.
#include <vector>

#include "models/wide_column_coordinator.h"
#include "models/wide_column_lsm.h"
#include "models/wide_column_ring.h"
#include "sim/engine/component.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

inline constexpr double kWideColumnAckBytes = 100;  // an acknowledgement, a digest, an "absent" answer

class WideColumn : public Component {
public:
  WideColumn(Runtime& rt, const ComponentSpec& spec);
  size_t choose_replica(const FlowContext& ctx) override;
  double request_bytes(const FlowContext& ctx, const Step& step) override;
  Outcome serve(FlowContext& ctx, const Step& step, size_t coordinator, const Body& body) override;
  void finish() override;

  // The node's process dies: it stops answering; flushes and compactions in progress are lost
  // (its memtables come back from the commit log on restart).
  void crash(size_t node) override;
  // The node is back: coordinators replay the hints they kept for it.
  void recover(size_t node) override;

private:
  struct Answer {
    bool found   = false;
    double bytes = kWideColumnAckBytes;  // what travels back to the coordinator
  };
  struct Work {
    enum class Kind { Write, Read, Scan } kind;
    uint64_t key;
    double value_bytes;
    double rows;
  };
  Outcome coordinate(const CoordinatorPlan& plan, size_t coordinator, const Work& work, bool& found,
                     double& data_bytes);
  Answer replica_write(size_t node, uint64_t key, double bytes);
  Answer replica_read(size_t node, const Work& work, bool data_replica);
  void disk_io(size_t node, double seconds);
  void sequential_io(size_t node, double bytes, double cpu_per_byte);
  void maybe_flush(size_t node);
  void maybe_compact(size_t node);
  Consistency consistency_of(const Step& step) const;

  size_t rf_;
  TokenRing ring_;
  Consistency default_consistency_;
  bool token_aware_;
  double timeout_;
  const Distribution& write_cpu_;
  const Distribution& read_cpu_;
  const Distribution& sstable_read_;
  double disk_bandwidth_;
  double compress_cpu_per_byte_;
  ThreadPool stage_;
  CpuMeter cpu_;
  ComponentMetrics::Level& disk_level_;
  ComponentMetrics::Level& sstables_level_;
  std::vector<sg4::SemaphorePtr> disk_;
  std::vector<sg4::SemaphorePtr> commitlog_;
  std::vector<LsmTree> lsm_;
  std::vector<bool> compacting_;
  HintStore hints_;
  Rng cpu_rng_;
  Rng disk_rng_;
  Rng bloom_rng_;
};

}  // namespace archsim
