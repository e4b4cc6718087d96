#pragma once
// Consistent hashing: nodes own arcs of a 64-bit ring through virtual nodes, so adding a node
// moves about 1/N of the keys and a key always lands on the same node. Used by load balancers
// (consistent_hash policy) and by sharded stores.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace archsim {

uint64_t mix64(uint64_t x);  // splitmix64 finaliser: a good, stable 64-bit hash
// A key id made unique across key spaces (ids 0..n of two key spaces would collide in one
// store): the key xor the hash of the key space's name (FNV-1a, stable across platforms).
uint64_t item_id(std::string_view key_space, uint64_t key);

class HashRing {
public:
  HashRing(size_t nodes, size_t vnodes_per_node);
  size_t node_for(uint64_t key) const;
  // The first node clockwise from the key that `usable` accepts (a failed node's keys move to
  // its successors on the ring, the others stay); the owner itself when none is usable.
  size_t node_for(uint64_t key, const std::function<bool(size_t)>& usable) const;
  void add_node();
  size_t nodes() const { return nodes_; }

private:
  void place(size_t node);
  size_t nodes_ = 0;
  size_t vnodes_;
  std::vector<std::pair<uint64_t, size_t>> points_;  // sorted by position
};

}  // namespace archsim
