#include "sim/graph/social_graph.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <unordered_set>

#include "sim/core/distribution.h"
#include "sim/core/rng.h"
#include "sim/core/units.h"
#include "sim/graph/record_file.h"

namespace archsim {

UserId UserRange::operator[](size_t i) const
{
  switch (kind_) {
    case Kind::Array: return data_[i];
    case Kind::Owned: return owned_[i];
    case Kind::Computed: break;
  }
  const uint64_t v = perm_(i);
  return v >= owner_ ? v + 1 : v;
}

namespace {

constexpr uint64_t kMaxCsrUsers = std::numeric_limits<uint32_t>::max();

// Poisson(lambda) count from an Rng: inversion for small means, the normal approximation above.
uint64_t poisson(double lambda, Rng& rng)
{
  const double u = rng.uniform01();
  if (lambda > 64)
    return static_cast<uint64_t>(std::llround(Distribution::normal_truncated(lambda, std::sqrt(lambda)).quantile(u)));
  double p = std::exp(-lambda), cdf = p;
  uint64_t k = 0;
  while (u > cdf && k < 10000) {
    ++k;
    p *= lambda / static_cast<double>(k);
    cdf += p;
  }
  return k;
}

uint64_t percentile_of_sorted(const std::vector<uint32_t>& sorted_desc, double p)
{
  // The value that a share p of the users do not exceed.
  const size_t n = sorted_desc.size();
  const size_t rank_from_top = static_cast<size_t>(std::floor((1 - p) * static_cast<double>(n)));
  return sorted_desc[std::min(n - 1, rank_from_top)];
}

}  // namespace

void SocialGraph::init_common(const SocialGraphConfig& config, uint64_t users)
{
  config_ = config;
  users_ = users;
  if (!(config.active_share >= 0 && config.active_share <= 1))
    throw std::invalid_argument(fmt::format("active share must be in [0, 1], got {}", config.active_share));
  rank_perm_ = IdPermutation(users, stream_seed(config.seed, config.name, "follower-rank"));
  active_perm_ = IdPermutation(users, stream_seed(config.seed, config.name, "active"));
  active_count_ = static_cast<uint64_t>(std::llround(config.active_share * static_cast<double>(users)));
  follower_key_ = stream_seed(config.seed, config.name, "followers");
  following_key_ = stream_seed(config.seed, config.name, "following");
  dither_key_ = stream_seed(config.seed, config.name, "follower-count");
}

uint64_t SocialGraph::law_count(UserId u) const
{
  // The law's quantile at the middle of u's stratum, floored after adding a per-user uniform
  // (unbiased rounding: the mean count is the law's mean).
  const double q = (static_cast<double>(rank_perm_(u)) + 0.5) / static_cast<double>(users_);
  const double x = law_->value_at_tail(q) + unit_hash(dither_key_, u);
  return std::min(max_count_, static_cast<uint64_t>(x));
}

IdPermutation SocialGraph::follower_permutation(UserId u) const
{
  return IdPermutation(users_ - 1, hash_id(follower_key_, u));
}

SocialGraph SocialGraph::generate(const SocialGraphConfig& config)
{
  if (config.users < 2)
    throw std::invalid_argument(fmt::format("a social graph needs at least 2 users, got {}", config.users));
  SocialGraph g;
  g.init_common(config, config.users);
  std::optional<TailSplit> split;
  if (config.celebrity_share >= 0)
    split = TailSplit{static_cast<double>(config.celebrity_threshold), config.celebrity_share};
  g.law_ = DegreeLaw::make(config.followers, static_cast<double>(config.users - 1), split);
  g.max_count_ = static_cast<uint64_t>(std::floor(g.law_->upper()));

  using M = SocialGraphConfig::Mode;
  const uint64_t user_cap = std::min(config.csr_max_users, kMaxCsrUsers);
  if (config.mode == M::Statistical) {
    g.mode_ = Mode::Statistical;
    g.mode_reason_ = "statistical mode requested";
  } else if (config.users > user_cap) {
    if (config.mode == M::Csr)
      throw std::invalid_argument(fmt::format("{} users exceed the CSR limit of {} users", config.users, user_cap));
    g.mode_ = Mode::Statistical;
    g.mode_reason_ = fmt::format("{} users exceed the CSR limit of {}", format_count(double(config.users)),
                                 format_count(double(user_cap)));
  }
  if (g.mode_ == Mode::Statistical) {
    g.summarise_law();
    return g;
  }

  // Counts first: they decide whether the edges fit, before anything large is allocated.
  std::vector<uint32_t> counts(config.users);
  uint64_t total = 0;
  for (UserId u = 0; u < config.users; ++u) {
    counts[u] = static_cast<uint32_t>(g.law_count(u));
    total += counts[u];
  }
  if (total > config.csr_max_edges) {
    if (config.mode == M::Csr)
      throw std::invalid_argument(fmt::format("{} follow edges exceed the CSR limit of {} edges", total,
                                              config.csr_max_edges));
    g.mode_ = Mode::Statistical;
    g.mode_reason_ = fmt::format("{} edges exceed the CSR limit of {}", format_count(double(total)),
                                 format_count(double(config.csr_max_edges)));
    g.summarise_law();
    return g;
  }
  g.mode_ = Mode::Csr;
  g.mode_reason_ = fmt::format("{} users and {} edges fit the CSR limits", format_count(double(config.users)),
                               format_count(double(total)));
  g.fwd_offsets_.resize(config.users + 1);
  g.fwd_targets_.resize(total);
  uint64_t e = 0;
  for (UserId u = 0; u < config.users; ++u) {
    g.fwd_offsets_[u] = e;
    const IdPermutation perm = g.follower_permutation(u);
    for (uint64_t i = 0; i < counts[u]; ++i) {
      const uint64_t v = perm(i);
      g.fwd_targets_[e++] = static_cast<uint32_t>(v >= u ? v + 1 : v);
    }
  }
  g.fwd_offsets_[config.users] = e;
  counts = {};
  g.summarise_csr();
  return g;
}

std::optional<SocialGraph> SocialGraph::load(const std::string& path, const SocialGraphConfig& config,
                                             Diagnostics& diags, uint64_t user_count)
{
  struct Edge {
    uint32_t followee, follower;
    int line;
  };
  std::vector<Edge> edges;
  const size_t errors_before = diags.items().size();
  const uint64_t max_id = user_count > 0 ? std::min(user_count, kMaxCsrUsers) - 1 : kMaxCsrUsers - 1;
  const std::string what_id = user_count > 0 ? fmt::format("a user id below {}", user_count) : "a user id";
  uint64_t largest = 0;
  bool too_many = false;
  for_each_record(path, diags, [&](const Record& r) {
    if (!record_arity(r, 2, 2, "follower followee", diags))
      return true;
    auto follower = record_uint(r, 0, what_id, max_id, diags);
    auto followee = record_uint(r, 1, what_id, max_id, diags);
    if (!follower || !followee)
      return true;
    if (*follower == *followee) {
      diags.error(r.loc(1), "", fmt::format("expected two different users, got user {} following itself", *follower));
      return true;
    }
    if (edges.size() >= config.csr_max_edges) {
      diags.error(r.line_loc(), "", fmt::format("more than {} edges (the CSR limit, max_csr_edges)", config.csr_max_edges));
      too_many = true;
      return false;
    }
    largest = std::max({largest, *follower, *followee});
    edges.push_back({static_cast<uint32_t>(*followee), static_cast<uint32_t>(*follower), r.line});
    return true;
  });
  if (diags.items().size() != errors_before || too_many)
    return std::nullopt;
  const uint64_t users = user_count > 0 ? user_count : largest + 1;
  if (users < 2) {
    diags.error({path, 0, 0}, "", "expected at least one edge between two users");
    return std::nullopt;
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return std::tie(a.followee, a.follower, a.line) < std::tie(b.followee, b.follower, b.line);
  });
  for (size_t i = 1; i < edges.size(); ++i)
    if (edges[i].followee == edges[i - 1].followee && edges[i].follower == edges[i - 1].follower)
      diags.error({path, edges[i].line, 1}, "",
                  fmt::format("expected each follow once, got {} {} again (first at line {})", edges[i].follower,
                              edges[i].followee, edges[i - 1].line));
  if (diags.items().size() != errors_before)
    return std::nullopt;

  SocialGraph g;
  g.init_common(config, users);
  g.mode_ = Mode::Csr;
  g.mode_reason_ = "loaded from " + path;
  g.fwd_offsets_.assign(users + 1, 0);
  g.fwd_targets_.resize(edges.size());
  for (size_t i = 0; i < edges.size(); ++i) {
    ++g.fwd_offsets_[edges[i].followee + 1];
    g.fwd_targets_[i] = edges[i].follower;
  }
  for (uint64_t u = 0; u < users; ++u)
    g.fwd_offsets_[u + 1] += g.fwd_offsets_[u];
  edges = {};
  g.summarise_csr();
  return g;
}

void SocialGraph::build_reverse() const
{
  // The accounts each user follows: the forward edges sorted by follower. A direct scatter
  // (rev[next[follower]++] = followee) misses the cache on every edge once the arrays exceed it
  // (8 s for 2 x 10^8 edges); partitioning each chunk of edges by follower range first makes the
  // writes land in a few hundred KB at a time (half the time, for a 128 MB buffer).
  rev_offsets_.assign(users_ + 1, 0);
  for (uint32_t v : fwd_targets_)
    ++rev_offsets_[v + 1];
  for (uint64_t u = 0; u < users_; ++u)
    rev_offsets_[u + 1] += rev_offsets_[u];
  rev_targets_.resize(fwd_targets_.size());
  std::vector<uint64_t> next(rev_offsets_.begin(), rev_offsets_.end() - 1);
  constexpr uint64_t kChunk = uint64_t{1} << 24;  // edges per chunk: 128 MB of (follower, followee) pairs
  int shift = 0;  // followers >> shift = bucket: about 4096 buckets
  while ((users_ >> shift) > 4096)
    ++shift;
  const size_t buckets = static_cast<size_t>(users_ >> shift) + 1;
  std::vector<uint64_t> pairs(std::min<uint64_t>(kChunk, fwd_targets_.size()));
  std::vector<uint64_t> pos(buckets + 1);
  uint64_t u = 0;
  while (u < users_) {
    // A run of followees whose edges fit the chunk (at least one followee).
    const uint64_t u0 = u, e0 = fwd_offsets_[u0];
    do
      ++u;
    while (u < users_ && fwd_offsets_[u + 1] - e0 <= kChunk);
    const uint64_t e1 = fwd_offsets_[u];
    if (e1 - e0 > pairs.size()) {  // one followee with more followers than a chunk: scatter it
      for (uint64_t e = e0; e < e1; ++e)
        rev_targets_[next[fwd_targets_[e]]++] = static_cast<uint32_t>(u0);
      continue;
    }
    std::fill(pos.begin(), pos.end(), 0);
    for (uint64_t e = e0; e < e1; ++e)
      ++pos[(fwd_targets_[e] >> shift) + 1];
    for (size_t b = 0; b < buckets; ++b)
      pos[b + 1] += pos[b];
    for (uint64_t w = u0; w < u; ++w)
      for (uint64_t e = fwd_offsets_[w]; e < fwd_offsets_[w + 1]; ++e)
        pairs[pos[fwd_targets_[e] >> shift]++] = (uint64_t{fwd_targets_[e]} << 32) | w;
    for (uint64_t i = 0; i < e1 - e0; ++i)
      rev_targets_[next[pairs[i] >> 32]++] = static_cast<uint32_t>(pairs[i]);
  }
  reverse_built_ = true;
}

void SocialGraph::summarise_csr()
{
  std::vector<uint32_t> counts(users_);
  for (uint64_t u = 0; u < users_; ++u)
    counts[u] = static_cast<uint32_t>(fwd_offsets_[u + 1] - fwd_offsets_[u]);
  std::sort(counts.begin(), counts.end(), std::greater<>());
  DegreeSummary& s = summary_;
  s = {};
  s.users = users_;
  s.edges = fwd_targets_.size();
  s.mean = static_cast<double>(s.edges) / static_cast<double>(users_);
  s.max = counts.front();
  s.p50 = percentile_of_sorted(counts, 0.5);
  s.p90 = percentile_of_sorted(counts, 0.9);
  s.p99 = percentile_of_sorted(counts, 0.99);
  s.p999 = percentile_of_sorted(counts, 0.999);
  const size_t top = std::max<size_t>(1, users_ / 100);
  uint64_t top_edges = 0, celeb_edges = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i < top)
      top_edges += counts[i];
    if (counts[i] >= config_.celebrity_threshold) {
      ++s.celebrities;
      celeb_edges += counts[i];
    }
  }
  const double e = std::max<double>(1, static_cast<double>(s.edges));
  s.top1_edge_share = static_cast<double>(top_edges) / e;
  s.celebrity_edge_share = static_cast<double>(celeb_edges) / e;
  s.active = active_count_;
  s.exact = true;
}

void SocialGraph::summarise_law()
{
  const DegreeLaw& law = *law_;
  const double n = static_cast<double>(users_);
  DegreeSummary& s = summary_;
  s = {};
  s.users = users_;
  s.mean = law.mean();
  s.edges = static_cast<uint64_t>(std::llround(s.mean * n));
  s.max = law_count(rank_perm_.inverse(0));
  auto pct = [&](double p) { return static_cast<uint64_t>(std::floor(law.value_at_tail(1 - p))); };
  s.p50 = pct(0.5);
  s.p90 = pct(0.9);
  s.p99 = pct(0.99);
  s.p999 = pct(0.999);
  // floor(x + d) >= T with d uniform in [0,1) happens for x above about T - 1/2.
  const double t = static_cast<double>(config_.celebrity_threshold) - 0.5;
  s.celebrities = static_cast<uint64_t>(std::llround(n * law.tail_share(t)));
  s.top1_edge_share = law.partial_mean_above(law.value_at_tail(0.01)) / s.mean;
  s.celebrity_edge_share = law.partial_mean_above(t) / s.mean;
  s.active = active_count_;
  s.exact = false;
}

uint64_t SocialGraph::followers_count(UserId u) const
{
  if (mode_ == Mode::Csr)
    return fwd_offsets_[u + 1] - fwd_offsets_[u];
  return law_count(u);
}

UserRange SocialGraph::followers(UserId u) const
{
  UserRange r;
  if (mode_ == Mode::Csr) {
    r.kind_ = UserRange::Kind::Array;
    r.data_ = fwd_targets_.data() + fwd_offsets_[u];
    r.size_ = fwd_offsets_[u + 1] - fwd_offsets_[u];
  } else {
    r.kind_ = UserRange::Kind::Computed;
    r.perm_ = follower_permutation(u);
    r.owner_ = u;
    r.size_ = followers_count(u);
  }
  return r;
}

std::vector<UserId> SocialGraph::sample_following(UserId u) const
{
  // Each follow goes to an account drawn in proportion to its follower count: a tail share from
  // the size-biased law, mapped to the account of that rank. Repeats and u itself are redrawn
  // (bounded, so that a tiny population cannot loop).
  Rng rng(hash_id(following_key_, u));
  const uint64_t count = std::min<uint64_t>(poisson(law_->mean(), rng), users_ - 1);
  std::vector<UserId> out;
  out.reserve(count);
  std::unordered_set<UserId> seen;
  seen.reserve(count * 2);
  const double n = static_cast<double>(users_);
  for (uint64_t j = 0; j < count; ++j) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const double q = law_->size_biased_tail(rng.uniform01());
      const uint64_t rank = std::min(users_ - 1, static_cast<uint64_t>(q * n));
      const UserId v = rank_perm_.inverse(rank);
      if (v != u && seen.insert(v).second) {
        out.push_back(v);
        break;
      }
    }
  }
  return out;
}

uint64_t SocialGraph::following_count(UserId u) const
{
  if (mode_ == Mode::Csr) {
    if (!reverse_built_)
      build_reverse();
    return rev_offsets_[u + 1] - rev_offsets_[u];
  }
  return sample_following(u).size();
}

UserRange SocialGraph::following(UserId u) const
{
  UserRange r;
  if (mode_ == Mode::Csr) {
    if (!reverse_built_)
      build_reverse();
    r.kind_ = UserRange::Kind::Array;
    r.data_ = rev_targets_.data() + rev_offsets_[u];
    r.size_ = rev_offsets_[u + 1] - rev_offsets_[u];
  } else {
    r.kind_ = UserRange::Kind::Owned;
    r.owned_ = sample_following(u);
    r.size_ = r.owned_.size();
  }
  return r;
}

std::vector<UserId> SocialGraph::most_followed(size_t k) const
{
  std::vector<UserId> out;
  if (law_ && mode_ == Mode::Statistical) {
    // Rank 0 has the largest quantile; the dither can swap neighbours by one follower only.
    for (uint64_t r = 0; r < std::min<uint64_t>(k, users_); ++r)
      out.push_back(rank_perm_.inverse(r));
    std::stable_sort(out.begin(), out.end(),
                     [&](UserId a, UserId b) { return followers_count(a) > followers_count(b); });
    return out;
  }
  std::vector<UserId> ids(users_);
  for (uint64_t u = 0; u < users_; ++u)
    ids[u] = u;
  k = std::min<size_t>(k, users_);
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(), [&](UserId a, UserId b) {
    const uint64_t ca = followers_count(a), cb = followers_count(b);
    return ca != cb ? ca > cb : a < b;
  });
  ids.resize(k);
  return ids;
}

size_t SocialGraph::memory_bytes() const
{
  return sizeof(*this) + fwd_offsets_.capacity() * sizeof(uint64_t) + rev_offsets_.capacity() * sizeof(uint64_t) +
         fwd_targets_.capacity() * sizeof(uint32_t) + rev_targets_.capacity() * sizeof(uint32_t);
}

}  // namespace archsim
