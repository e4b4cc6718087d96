#pragma once
// Deterministic randomness per id, for graphs too large to store: a value that belongs to one
// user, page or domain is a hash of (key, id), so it is the same whenever and in whatever order
// it is asked for, and nothing is kept in memory.
//
// IdPermutation is a keyed pseudo-random permutation of [0, n) (a 4-round Feistel network on
// the smallest power of two >= n, with cycle walking back into [0, n)): it deals out distinct
// ids without a "seen" set (the i-th follower of a user is perm_u(i)) and it is invertible
// (rank -> user as well as user -> rank). It abstracts away cryptographic strength: the round
// function is splitmix64's finaliser, which is plenty for simulation and about 10 ns a call.
#include <cstdint>

namespace archsim {

// Combines a key and an id into a well-mixed 64-bit value (stable across platforms).
uint64_t hash_id(uint64_t key, uint64_t id);
// A uniform in (0, 1) from a hash, with the same 2^52 cells as Rng::uniform01(): never 0 or 1.
double unit_from_hash(uint64_t h);
inline double unit_hash(uint64_t key, uint64_t id) { return unit_from_hash(hash_id(key, id)); }

class IdPermutation {
 public:
  IdPermutation() = default;
  IdPermutation(uint64_t n, uint64_t key);  // n >= 1
  uint64_t operator()(uint64_t x) const;    // x < n
  uint64_t inverse(uint64_t y) const;       // y < n
  uint64_t size() const { return n_; }

 private:
  uint64_t encrypt(uint64_t x) const;
  uint64_t decrypt(uint64_t y) const;

  uint64_t n_ = 1;
  uint64_t keys_[4] = {0, 0, 0, 0};
  int lo_bits_ = 1;
  uint64_t lo_mask_ = 1, hi_mask_ = 1;
};

}  // namespace archsim
