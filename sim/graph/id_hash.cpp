#include "sim/graph/id_hash.h"

#include <cassert>

#include "sim/core/hash_ring.h"

namespace archsim {

uint64_t hash_id(uint64_t key, uint64_t id) { return mix64(key ^ mix64(id + 0x632be59bd9b4e019ULL)); }

double unit_from_hash(uint64_t h) { return (static_cast<double>(h >> 12) + 0.5) * 0x1.0p-52; }

IdPermutation::IdPermutation(uint64_t n, uint64_t key) : n_(n)
{
  assert(n >= 1);
  // Bits of the domain: the smallest power of two >= n (at least 2 bits so that both halves
  // exist). The domain is then less than 2n, so cycle walking takes under 2 steps on average.
  int bits = 2;
  while (bits < 64 && (uint64_t{1} << bits) < n)
    ++bits;
  lo_bits_ = bits / 2;
  const int hi_bits = bits - lo_bits_;
  lo_mask_ = (uint64_t{1} << lo_bits_) - 1;
  hi_mask_ = hi_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << hi_bits) - 1;
  for (int i = 0; i < 4; ++i)
    keys_[i] = hash_id(key, 0x5bd1e995u + static_cast<uint64_t>(i));
}

// Unbalanced Feistel without the swap: each round xors one half with a function of the other,
// which is invertible whatever the widths of the halves.
uint64_t IdPermutation::encrypt(uint64_t x) const
{
  uint64_t lo = x & lo_mask_, hi = x >> lo_bits_;
  hi ^= mix64(lo ^ keys_[0]) & hi_mask_;
  lo ^= mix64(hi ^ keys_[1]) & lo_mask_;
  hi ^= mix64(lo ^ keys_[2]) & hi_mask_;
  lo ^= mix64(hi ^ keys_[3]) & lo_mask_;
  return (hi << lo_bits_) | lo;
}

uint64_t IdPermutation::decrypt(uint64_t y) const
{
  uint64_t lo = y & lo_mask_, hi = y >> lo_bits_;
  lo ^= mix64(hi ^ keys_[3]) & lo_mask_;
  hi ^= mix64(lo ^ keys_[2]) & hi_mask_;
  lo ^= mix64(hi ^ keys_[1]) & lo_mask_;
  hi ^= mix64(lo ^ keys_[0]) & hi_mask_;
  return (hi << lo_bits_) | lo;
}

// Cycle walking: applying the permutation of the larger domain until the value falls back into
// [0, n) restricts it to a permutation of [0, n) (the cycle through x returns to [0, n)).
uint64_t IdPermutation::operator()(uint64_t x) const
{
  assert(x < n_);
  uint64_t y = encrypt(x);
  while (y >= n_)
    y = encrypt(y);
  return y;
}

uint64_t IdPermutation::inverse(uint64_t y) const
{
  assert(y < n_);
  uint64_t x = decrypt(y);
  while (x >= n_)
    x = decrypt(x);
  return x;
}

}  // namespace archsim
