#include "sim/core/rng.h"

#include <cassert>

namespace archsim {

namespace {

uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t fnv1a64(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

Rng::Rng(uint64_t seed) {
  // Successive splitmix64 outputs, as the xoshiro authors recommend: never all zero.
  uint64_t x = seed;
  for (uint64_t& s : s_) {
    s = splitmix64(x);
    x += 0x9e3779b97f4a7c15ULL;
  }
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform01() {
  // 52 bits, not 53: (k + 0.5) * 2^-53 rounds to exactly 1.0 for the largest k, whereas
  // (k + 0.5) * 2^-52 with k < 2^52 is exact and at most 1 - 2^-53.
  const uint64_t k = next_u64() >> 12;
  return (static_cast<double>(k) + 0.5) * 0x1.0p-52;
}

uint64_t Rng::below(uint64_t n) {
  assert(n > 0);
  // The high word of x*n is uniform on [0,n) once the low word is outside the biased
  // zone [0, 2^64 mod n); retrying there is rare (probability < n / 2^64).
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

uint64_t stream_seed(uint64_t master_seed, std::string_view component, std::string_view purpose) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  h = fnv1a64(h, component);
  h = fnv1a64(h, std::string_view("\0", 1));
  h = fnv1a64(h, purpose);
  return splitmix64(splitmix64(master_seed) ^ h);
}

Rng make_stream(uint64_t master_seed, std::string_view component, std::string_view purpose) {
  return Rng(stream_seed(master_seed, component, purpose));
}

}  // namespace archsim
