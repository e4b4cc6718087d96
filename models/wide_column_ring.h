#pragma once
// The token ring of a Cassandra-like store: every node owns `vnodes` tokens on a 64-bit ring
// (num_tokens), a key's token is a hash of its partition key, and its replicas are the first
// `rf` distinct nodes met walking clockwise from that token (SimpleStrategy). Pure logic, no
// SimGrid, so tests can check placement directly.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace archsim {

class TokenRing {
public:
  TokenRing(size_t nodes, size_t vnodes_per_node);
  size_t nodes() const { return nodes_; }
  // The token of a partition key (Murmur3Partitioner stand-in: a stable 64-bit hash).
  static uint64_t token(uint64_t key);
  // The min(rf, nodes) distinct nodes that hold `key`, in ring order from its token: the first
  // is the primary replica.
  std::vector<size_t> replicas(uint64_t key, size_t rf) const;

private:
  size_t nodes_;
  std::vector<std::pair<uint64_t, size_t>> tokens_;  // (token, node), sorted by token
};

}  // namespace archsim
