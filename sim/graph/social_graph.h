#pragma once
// A user population with a follow graph, for fan-out and feed models (cheatsheet designs 3, 4, 6:
// "push to followers' timelines, pull for celebrities with more than 100K followers").
//
// What it keeps: follower counts (in-degrees) follow a heavy-tailed law (DegreeLaw: a power law,
// with an optional share of celebrities above a threshold) dealt out over a seeded permutation
// of the user ids, so the celebrity count and the whole distribution are as configured and a
// user's count depends only on its id. The followers of u are distinct users drawn uniformly
// (the i-th is perm_u(i), a keyed permutation): seen from the follower's side every new follow
// goes to an account with probability proportional to its popularity (preferential attachment),
// so the in-degree is heavy-tailed and the out-degree (following) moderate, about Poisson with
// the mean follower count. A fan-out to u's followers visits exactly followers_count(u) users.
// Active users are a seeded exact share of the ids, independent of popularity.
//
// Two representations behind one API:
// - CSR (up to csr_max_users users and csr_max_edges edges): follower lists and the reverse
//   (following) lists as compressed sparse rows of 32-bit ids: 4 bytes per edge and 8 per user
//   for each direction; the following lists are built on the first call that needs them, so a
//   fan-out-only model pays half. 10^6 users with 200 followers on average = 2 x 10^8 edges =
//   0.8 GB, 1.6 GB with following lists (measured in docs/graphs.md), hence the edge cap
//   (default 2.5 x 10^8).
// - Statistical (beyond the caps, e.g. 10^9 users): nothing is stored. followers(u) are computed
//   on demand and are exactly the lists the CSR form would hold; following(u) is sampled (a
//   Poisson count of accounts drawn in proportion to their follower counts), so it agrees with
//   followers() only in distribution: "v is among u's followers" does not imply "u is in
//   v's following list". degree_summary() then comes from the law, marked inexact.
// What it abstracts away: reciprocity, communities and clustering (a follower is any user), and
// any correlation between activity and popularity.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/graph/degree_law.h"
#include "sim/graph/id_hash.h"

namespace archsim {

using UserId = uint64_t;

struct SocialGraphConfig {
  uint64_t users = 1000000;
  // Followers per user. Default exponent: Kwak et al., "What is Twitter, a social network or a
  // news media?" (WWW 2010) fit the follower distribution with a power law of exponent 2.276;
  // mean 35 = their 1.47 x 10^9 follow edges over 41.7 x 10^6 users.
  DegreeLawConfig followers{DegreeLawConfig::Kind::PowerLaw, 2.276, 35, 0, 0};
  uint64_t celebrity_threshold = 100000;  // cheatsheet design 6: "celebrities (>100K followers)"
  double celebrity_share = -1;            // share of users at or above the threshold; < 0: as the law gives
  double active_share = 1;                // share of users who are active
  enum class Mode { Auto, Csr, Statistical };
  Mode mode = Mode::Auto;
  uint64_t csr_max_users = 1000000;
  uint64_t csr_max_edges = 250000000;  // 2 GB for both directions
  uint64_t seed = 1;
  std::string name = "social";  // owner name of the random streams
};

struct DegreeSummary {
  uint64_t users = 0, edges = 0;
  double mean = 0;  // followers per user
  uint64_t max = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0;
  uint64_t celebrities = 0, active = 0;
  double top1_edge_share = 0;       // share of follow edges that point to the top 1% of users
  double celebrity_edge_share = 0;  // share of follow edges that point to celebrities
  bool exact = true;                // false in statistical mode: figures come from the law
};

class SocialGraph;

// A list of users: a slice of a CSR array, followers computed on demand, or an owned vector.
// Valid while the graph (and, for iterators, the range) lives.
class UserRange {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = UserId;
    using difference_type = std::ptrdiff_t;
    using pointer = const UserId*;
    using reference = UserId;
    iterator(const UserRange* r, size_t i) : r_(r), i_(i) {}
    UserId operator*() const { return (*r_)[i_]; }
    iterator& operator++() { ++i_; return *this; }
    iterator operator++(int) { iterator t = *this; ++i_; return t; }
    bool operator==(const iterator& o) const { return i_ == o.i_; }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }
   private:
    const UserRange* r_;
    size_t i_;
  };

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  UserId operator[](size_t i) const;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size_}; }
  std::vector<UserId> to_vector() const { return {begin(), end()}; }

 private:
  friend class SocialGraph;
  enum class Kind { Array, Computed, Owned };
  Kind kind_ = Kind::Array;
  size_t size_ = 0;
  const uint32_t* data_ = nullptr;  // Array
  IdPermutation perm_;              // Computed: the i-th follower of owner_ is perm_(i), skipping owner_
  UserId owner_ = 0;
  std::vector<UserId> owned_;       // Owned
};

class SocialGraph {
 public:
  enum class Mode { Csr, Statistical };

  // Throws std::invalid_argument (with a readable message) on an impossible configuration.
  static SocialGraph generate(const SocialGraphConfig& config);
  // Loads "follower followee" lines (whitespace separated, # comments). Users are 0..N-1 with
  // N = `users`, or the largest id + 1 when `users` is 0. Of the config, the celebrity threshold,
  // active share, seed, name and edge cap apply; config.users and the law are ignored.
  static std::optional<SocialGraph> load(const std::string& path, const SocialGraphConfig& config,
                                         Diagnostics& diags, uint64_t users = 0);

  uint64_t users() const { return users_; }
  uint64_t edges() const { return summary_.edges; }
  Mode mode() const { return mode_; }
  const std::string& mode_reason() const { return mode_reason_; }  // why this representation

  uint64_t followers_count(UserId u) const;
  UserRange followers(UserId u) const;
  template <class Fn>
  void for_each_follower(UserId u, Fn&& fn) const
  {
    if (mode_ == Mode::Csr) {
      for (uint64_t e = fwd_offsets_[u]; e < fwd_offsets_[u + 1]; ++e)
        fn(UserId{fwd_targets_[e]});
    } else {
      const IdPermutation perm = follower_permutation(u);
      const uint64_t n = followers_count(u);
      for (uint64_t i = 0; i < n; ++i) {
        const uint64_t v = perm(i);
        fn(v >= u ? v + 1 : v);
      }
    }
  }
  uint64_t following_count(UserId u) const;
  UserRange following(UserId u) const;  // sorted by id in CSR mode

  bool is_celebrity(UserId u) const { return followers_count(u) >= config_.celebrity_threshold; }
  bool is_active(UserId u) const { return active_perm_(u) < active_count_; }
  // The k users with the most followers, most followed first.
  std::vector<UserId> most_followed(size_t k) const;

  const DegreeSummary& degree_summary() const { return summary_; }
  const std::optional<DegreeLaw>& law() const { return law_; }  // empty for a loaded graph
  const SocialGraphConfig& config() const { return config_; }
  size_t memory_bytes() const;

 private:
  SocialGraph() = default;
  void init_common(const SocialGraphConfig& config, uint64_t users);
  uint64_t law_count(UserId u) const;  // followers of u as dealt by the law
  IdPermutation follower_permutation(UserId u) const;
  std::vector<UserId> sample_following(UserId u) const;
  void build_reverse() const;  // on the first use of following(): fan-out models never pay for it
  void summarise_csr();
  void summarise_law();

  SocialGraphConfig config_;
  uint64_t users_ = 0;
  Mode mode_ = Mode::Csr;
  std::string mode_reason_;
  std::optional<DegreeLaw> law_;
  IdPermutation rank_perm_, active_perm_;
  uint64_t active_count_ = 0;
  uint64_t follower_key_ = 0, following_key_ = 0, dither_key_ = 0;
  uint64_t max_count_ = 0;
  std::vector<uint64_t> fwd_offsets_;
  std::vector<uint32_t> fwd_targets_;  // followers of u
  // Accounts u follows, built on first use (a const method may build them: one simulation
  // thread uses a graph).
  mutable std::vector<uint64_t> rev_offsets_;
  mutable std::vector<uint32_t> rev_targets_;
  mutable bool reverse_built_ = false;
  DegreeSummary summary_;
};

}  // namespace archsim
