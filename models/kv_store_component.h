#pragma once
// The kv_store component (models/kv_store.cpp), declared here so that fault
// injection can reach its crash()/recover() hooks. Replica indices: routers
// first [0, routers), then the storage nodes, partition by partition: partition
// p's replica r is routers + p * replication + r.
#include <optional>
#include <utility>
#include <vector>

#include "models/kv_store_partition.h"
#include "sim/engine/component.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

class KvStore : public Component {
public:
  KvStore(Runtime& rt, const ComponentSpec& spec);
  // A live router, round robin; the router maps the key to its partition in
  // serve().
  size_t choose_replica(const FlowContext&) override;
  double request_bytes(const FlowContext& ctx, const Step& step) override;
  Outcome serve(FlowContext& ctx, const Step& step, size_t router, const Body&) override;
  void finish() override;

  // Fault hooks. A storage node's data is durable (replicated log): a crash
  // makes the node unreachable and moves leadership; on recovery it catches up
  // from the leader.
  void crash(size_t replica);
  void recover(size_t replica);

  size_t routers() const { return routers_; }
  size_t partitions() const { return partitions_; }

private:
  size_t storage(size_t partition, size_t r) const;
  std::pair<size_t, size_t> locate(size_t replica) const;
  // The item a key stands for: the key with its key space mixed in, so that
  // rank 0 of two key spaces are two items.
  static uint64_t item_of(const FlowContext& ctx);
  static double ttl_of(const FlowContext& ctx);
  Outcome throttled();
  Outcome unavailable();
  void consume(std::vector<double>& per_partition, size_t p, const char* metric, double units);
  // The replica a read goes to: the leader for a strong read, a random live one
  // otherwise.
  std::optional<size_t> read_replica(size_t p, bool strong);
  // CPU work on a storage node behind its thread pool; false when the node went
  // down.
  bool storage_work(size_t p, size_t r, double seconds);
  Outcome get(FlowContext& ctx, const Step& step, size_t router);
  Outcome write(FlowContext& ctx, bool conditional, size_t router);
  bool condition_holds(const FlowContext& ctx, size_t p, size_t leader, uint64_t item, double now) const;
  // Sends the write to every follower and waits until a majority (the leader
  // included) hold it; the slower followers finish in the background. False
  // when a majority cannot be had.
  bool replicate(size_t p, size_t leader, uint64_t item, uint64_t version, double written_at, double bytes);
  Outcome query(FlowContext& ctx, const Step& step, size_t router);

  size_t routers_;
  size_t partitions_;
  size_t rf_;
  const Distribution& service_;
  double scan_rate_;
  double router_cpu_;
  size_t items_per_key_;
  ThreadPool threads_;
  CpuMeter cpu_;
  std::vector<bool> router_up_;
  std::vector<kv::PartitionThrottle> reads_;
  std::vector<kv::PartitionThrottle> writes_;
  std::vector<kv::PartitionData> data_;
  std::vector<kv::ReplicaGroup> groups_;
  kv::ReadVersions read_versions_;
  std::vector<double> read_consumed_;
  std::vector<double> write_consumed_;
  Rng rng_service_;
  Rng rng_replica_;
};

}  // namespace archsim
