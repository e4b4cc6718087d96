#pragma once
// Helpers for data operations: the size of a key's value, stable per key without per-key
// memory, and warm-start contents (the most popular keys that fit).
#include <cstdint>
#include <functional>

#include "sim/core/hash_ring.h"
#include "sim/engine/request.h"
#include "sim/scenario/scenario.h"

namespace archsim {

// The value size of `key` in `space`: the value-size distribution's quantile at a uniform
// derived from the key's hash, so the same key always has the same size. 1000 B without a
// key space.
inline double value_bytes(const KeySpaceSpec* space, uint64_t key)
{
  if (!space || !space->value_size)
    return 1000;
  double u = (static_cast<double>(mix64(key ^ 0x76616c7565ULL) >> 11) + 0.5) / 9007199254740992.0;
  return space->value_size->quantile(u);
}

inline double value_bytes(const FlowContext& ctx) { return value_bytes(ctx.key_space, ctx.key); }

// Calls `insert(key, bytes)` for keys by decreasing popularity (rank 0 first) until it returns
// false (full) or `max_keys` were offered: a cache that starts warm, as at steady state.
inline void warm_start(const KeySpaceSpec& space, uint64_t max_keys,
                       const std::function<bool(uint64_t key, double bytes)>& insert)
{
  uint64_t n = std::min<uint64_t>(space.keys, max_keys);
  for (uint64_t rank = 0; rank < n; ++rank)
    if (!insert(rank, value_bytes(&space, rank)))
      return;
}

}  // namespace archsim
