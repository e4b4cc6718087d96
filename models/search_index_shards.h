#pragma once
// Pure bookkeeping of the search_index model (models/search_index.cpp), testable without
// SimGrid: where shard copies live, and which indexed documents a periodic refresh has made
// visible to search.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace archsim {

// Shard copies on data nodes: the primary of shard s on node s mod N, its r-th replica on node
// (s + r) mod N, so no copy shares a node with another copy of the same shard while
// replicas < nodes (Elasticsearch's allocator never puts two copies of a shard on one node).
class ShardLayout {
public:
  ShardLayout(size_t nodes, size_t shards, size_t replicas);
  size_t shards() const { return shards_; }
  // Assigned copies: replicas that would share a node with another copy stay unassigned.
  size_t copies() const { return replicas_ + 1 < nodes_ ? replicas_ + 1 : nodes_; }
  // Node holding copy c (0 = primary) of shard s.
  size_t node_of(size_t shard, size_t copy) const { return (shard + copy) % nodes_; }
  // The shard a document id routes to: hash(_routing) mod number_of_primary_shards.
  size_t shard_of(uint64_t key) const;

private:
  size_t nodes_, shards_, replicas_;
};

// Near-real-time visibility of one shard: an indexed document is pending until the shard's next
// refresh, which happens every `interval` seconds at phase + k * interval. Refreshes are applied
// lazily (advance(now) applies every refresh boundary up to now), which is exact because the
// schedule does not depend on the load.
class ShardRefresh {
public:
  ShardRefresh(double interval, double phase, double initial_docs);
  // A document indexed at `now`; returns the time it becomes visible (the next refresh).
  double index(double now);
  // Applies the refreshes due by `now`; returns how many of them had documents to publish.
  size_t advance(double now);
  double visible() const { return visible_; }
  size_t pending() const { return pending_.size(); }
  // Sum and count of (visible_at - indexed_at) over the documents made visible so far.
  double delay_sum() const { return delay_sum_; }
  size_t delay_count() const { return delay_count_; }
  double next_refresh(double now) const;
  // Process crash of the node holding the shard: nothing acknowledged is lost (the translog
  // replays it), pending documents stay pending.

private:
  double interval_, phase_;
  double visible_;
  std::vector<double> pending_;  // index times, in order
  double delay_sum_  = 0;
  size_t delay_count_ = 0;
};

}  // namespace archsim
