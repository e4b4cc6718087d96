// Random numbers for archsim.
//
// Why our own generator: std::mt19937 is portable but the std distributions are not (libstdc++
// and libc++ map the same bits to different values), and results must be reproducible on every
// platform and across archsim versions. Rng is xoshiro256** (Blackman & Vigna) seeded through
// splitmix64, with our own exactly specified uniform01() and below().
//
// Common random numbers: every (component, purpose) pair draws from its own stream, whose seed
// depends only on the master seed and the two names. Variants of a scenario that keep a
// component's name therefore see the same arrivals, the same service-time draws, and so on.
#pragma once

#include <cstdint>
#include <string_view>

namespace archsim {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t next_u64();

  // Strictly inside (0,1): the midpoint of one of 2^52 equal cells, so never 0 and never 1, and
  // the set of values is symmetric (1-u is also a possible value). Inverse-transform sampling can
  // therefore take log(u) or log(1-u) without guarding against infinities.
  double uniform01();

  // Uniform integer in [0, n), without modulo bias (Lemire 2019, "Fast random integer generation
  // in an interval"). Requires n > 0.
  uint64_t below(uint64_t n);

 private:
  uint64_t s_[4];
};

// Seed of the stream for (component, purpose). STABLE ACROSS VERSIONS: saved results and golden
// tests depend on it, so never change the formula:
//   h    = FNV-1a 64 over the bytes of component, one '\0' byte, then the bytes of purpose
//   seed = splitmix64(splitmix64(master_seed) ^ h)
// where splitmix64(x) is one step of Vigna's splitmix64 from state x (add 0x9e3779b97f4a7c15,
// then the two xor-shift-multiply rounds and the final xor-shift).
uint64_t stream_seed(uint64_t master_seed, std::string_view component, std::string_view purpose);

Rng make_stream(uint64_t master_seed, std::string_view component, std::string_view purpose);

}  // namespace archsim
