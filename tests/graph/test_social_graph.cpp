// Social graph: the follower law is heavy-tailed as configured, celebrities and active users are
// the configured shares, a fan-out to a celebrity costs one write per follower, the statistical
// mode is the same graph as the CSR mode, and edge-list files load or fail with positions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/graph/social_graph.h"

using archsim::DegreeLaw;
using archsim::DegreeLawConfig;
using archsim::Diagnostics;
using archsim::SocialGraph;
using archsim::SocialGraphConfig;
using archsim::UserId;

namespace {

SocialGraphConfig small_config(uint64_t users, double alpha, double mean)
{
  SocialGraphConfig c;
  c.users = users;
  c.followers.exponent = alpha;
  c.followers.mean = mean;
  c.celebrity_threshold = 1000;
  c.seed = 42;
  return c;
}

// Hill's estimator of the density exponent from the k largest values: 1 + k / sum log(x_i / x_k).
double hill_alpha(std::vector<uint64_t> counts, size_t k)
{
  std::sort(counts.begin(), counts.end(), std::greater<>());
  const double xk = static_cast<double>(counts[k]);
  double sum = 0;
  for (size_t i = 0; i < k; ++i)
    sum += std::log(static_cast<double>(counts[i]) / xk);
  return 1 + static_cast<double>(k) / sum;
}

std::vector<uint64_t> all_counts(const SocialGraph& g)
{
  std::vector<uint64_t> c(g.users());
  for (UserId u = 0; u < g.users(); ++u)
    c[u] = g.followers_count(u);
  return c;
}

std::string write_temp(const std::string& name, const std::string& text)
{
  const std::string path = "/tmp/archsim_test_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("degree law: the mean is as configured and the share above the threshold is exact")
{
  DegreeLawConfig c;
  c.exponent = 2.2;
  c.mean = 200;
  const auto law = DegreeLaw::make(c, 999999, archsim::TailSplit{100000, 0.0001});
  CHECK(law.mean() == Approx(200).epsilon(1e-6));
  CHECK(law.tail_share(99999.5) == Approx(0.0001).epsilon(1e-9));
  CHECK(law.value_at_tail(0.00005) >= 100000);
  CHECK(law.value_at_tail(0.00011) < 100000);
  CHECK_THROWS_WITH(DegreeLaw::make(c, 150), Catch::Contains("needs counts above the largest allowed"));
}

TEST_CASE("social graph: the fitted tail exponent of the in-degree follows the configured alpha")
{
  for (double alpha : {2.1, 2.5}) {
    const auto g = SocialGraph::generate(small_config(100000, alpha, 20));
    REQUIRE(g.mode() == SocialGraph::Mode::Csr);
    const double fitted = hill_alpha(all_counts(g), 1000);  // top 1%
    INFO("alpha " << alpha << ", fitted " << fitted);
    CHECK(fitted == Approx(alpha).margin(0.12));
  }
}

TEST_CASE("social graph: the top 1% of users hold a large share of the follow edges, unlike a light tail")
{
  const auto heavy = SocialGraph::generate(small_config(50000, 2.2, 30));
  const auto light = SocialGraph::generate(small_config(50000, 8.0, 30));
  CHECK(heavy.degree_summary().top1_edge_share > 0.25);
  CHECK(light.degree_summary().top1_edge_share < 0.05);
  CHECK(heavy.degree_summary().max > 20 * light.degree_summary().max);
  CHECK(heavy.degree_summary().mean == Approx(30).epsilon(0.02));
}

TEST_CASE("social graph: the celebrity count is the configured share of the users")
{
  auto c = small_config(100000, 2.2, 20);
  c.celebrity_share = 0.002;
  const auto g = SocialGraph::generate(c);
  uint64_t celebrities = 0;
  for (UserId u = 0; u < g.users(); ++u)
    celebrities += g.is_celebrity(u);
  CHECK(celebrities == 200);
  CHECK(g.degree_summary().celebrities == 200);
  CHECK(g.degree_summary().mean == Approx(20).epsilon(0.01));
  // Without a share the law decides: its tail above the threshold, within sampling of the dither.
  c.celebrity_share = -1;
  const auto natural = SocialGraph::generate(c);
  const double expected = 100000 * natural.law()->tail_share(999.5);
  CHECK(static_cast<double>(natural.degree_summary().celebrities) == Approx(expected).epsilon(0.1));
  CHECK(natural.degree_summary().celebrities < 200);
}

TEST_CASE("social graph: a fan-out on write to a celebrity costs one write per follower")
{
  auto c = small_config(100000, 2.2, 20);
  c.celebrity_share = 0.001;
  const auto g = SocialGraph::generate(c);
  const UserId star = g.most_followed(1).front();
  REQUIRE(g.is_celebrity(star));
  std::map<UserId, int> timeline_writes;
  uint64_t writes = 0;
  g.for_each_follower(star, [&](UserId f) {
    ++timeline_writes[f];
    ++writes;
  });
  CHECK(writes == g.followers_count(star));
  CHECK(timeline_writes.size() == writes);  // every follower once
  CHECK(timeline_writes.count(star) == 0);
  // The reverse lists agree: each of those followers follows the celebrity.
  int checked = 0;
  for (const auto& [f, n] : timeline_writes) {
    const auto fl = g.following(f);
    CHECK(std::binary_search(fl.begin(), fl.end(), star));
    if (++checked == 200)
      break;
  }
}

TEST_CASE("social graph: the same seed gives the same graph and another seed a different one")
{
  const auto a = SocialGraph::generate(small_config(20000, 2.2, 20));
  const auto b = SocialGraph::generate(small_config(20000, 2.2, 20));
  auto other = small_config(20000, 2.2, 20);
  other.seed = 43;
  const auto c = SocialGraph::generate(other);
  int differ = 0;
  for (UserId u = 0; u < 20000; u += 97) {
    CHECK(a.followers(u).to_vector() == b.followers(u).to_vector());
    CHECK(a.following(u).to_vector() == b.following(u).to_vector());
    CHECK(a.is_active(u) == b.is_active(u));
    differ += a.followers(u).to_vector() != c.followers(u).to_vector();
  }
  CHECK(differ > 150);
}

TEST_CASE("social graph: the statistical mode is the CSR graph without storing it")
{
  auto c = small_config(100000, 2.2, 20);
  c.celebrity_threshold = 500;
  c.celebrity_share = 0.002;
  const auto csr = SocialGraph::generate(c);
  c.mode = SocialGraphConfig::Mode::Statistical;
  const auto stat = SocialGraph::generate(c);
  REQUIRE(csr.mode() == SocialGraph::Mode::Csr);
  REQUIRE(stat.mode() == SocialGraph::Mode::Statistical);
  CHECK(stat.memory_bytes() < 1000);
  CHECK(all_counts(csr) == all_counts(stat));
  for (UserId u = 0; u < 100000; u += 1013)
    CHECK(csr.followers(u).to_vector() == stat.followers(u).to_vector());

  const auto& e = csr.degree_summary();
  const auto& s = stat.degree_summary();
  CHECK(e.exact);
  CHECK_FALSE(s.exact);
  CHECK(s.mean == Approx(e.mean).epsilon(0.01));
  CHECK(double(s.p50) == Approx(double(e.p50)).margin(1));
  CHECK(double(s.p90) == Approx(double(e.p90)).margin(1));
  CHECK(double(s.p99) == Approx(double(e.p99)).margin(2));
  CHECK(double(s.celebrities) == Approx(double(e.celebrities)).margin(1));
  CHECK(s.top1_edge_share == Approx(e.top1_edge_share).margin(0.01));
  CHECK(s.celebrity_edge_share == Approx(e.celebrity_edge_share).margin(0.01));

  // Following lists are sampled in statistical mode: same mean size, same share of celebrities.
  double csr_len = 0, stat_len = 0, csr_celeb = 0, stat_celeb = 0;
  const int sample = 3000;
  for (int i = 0; i < sample; ++i) {
    const UserId u = (static_cast<uint64_t>(i) * 7919) % 100000;
    for (UserId v : csr.following(u))
      csr_celeb += csr.is_celebrity(v);
    for (UserId v : stat.following(u))
      stat_celeb += csr.is_celebrity(v);
    csr_len += double(csr.following_count(u));
    stat_len += double(stat.following(u).size());
  }
  CHECK(stat_len == Approx(csr_len).epsilon(0.03));
  CHECK(stat_celeb / stat_len == Approx(csr_celeb / csr_len).epsilon(0.1));
}

TEST_CASE("social graph: above the user cap the graph turns statistical and says why")
{
  auto c = small_config(5000000, 2.276, 35);
  c.celebrity_threshold = 100000;
  const auto g = SocialGraph::generate(c);
  CHECK(g.mode() == SocialGraph::Mode::Statistical);
  CHECK_THAT(g.mode_reason(), Catch::Contains("exceed the CSR limit"));
  const UserId star = g.most_followed(1).front();
  CHECK(g.is_celebrity(star));
  CHECK(g.followers_count(star) == g.degree_summary().max);
  uint64_t visited = 0;
  g.for_each_follower(star, [&](UserId f) {
    visited += f != star && f < g.users();
  });
  CHECK(visited == g.followers_count(star));
  c.mode = SocialGraphConfig::Mode::Csr;
  CHECK_THROWS_WITH(SocialGraph::generate(c), Catch::Contains("exceed the CSR limit"));
}

TEST_CASE("social graph: a population of 10^9 users costs no memory and answers per id")
{
  auto c = small_config(1000000000ULL, 2.276, 35);
  c.celebrity_threshold = 100000;
  const auto g = SocialGraph::generate(c);
  CHECK(g.memory_bytes() < 1000);
  const auto& s = g.degree_summary();
  CHECK(s.mean == Approx(35).epsilon(1e-6));
  CHECK(s.celebrities > 1000);  // the law's tail above 100K followers
  const UserId star = g.most_followed(1).front();
  CHECK(g.followers_count(star) == s.max);
  CHECK(g.followers_count(star) > 10000000);
  const auto fl = g.followers(star);
  CHECK(fl.size() == s.max);
  CHECK(fl[fl.size() - 1] < g.users());
  CHECK(g.following(12345).size() == g.following_count(12345));
}

TEST_CASE("social graph: the active users are exactly the configured share")
{
  auto c = small_config(50000, 2.2, 10);
  c.active_share = 0.3;
  const auto g = SocialGraph::generate(c);
  uint64_t active = 0;
  for (UserId u = 0; u < g.users(); ++u)
    active += g.is_active(u);
  CHECK(active == 15000);
  CHECK(g.degree_summary().active == 15000);
}

TEST_CASE("social graph: an edge list loads, follower lists and reverse lists agree")
{
  const std::string path = write_temp("follows.txt", "# follower followee\n1 0\n2 0\n3 0   # a comment\n\n0 1\n2 1\n");
  SocialGraphConfig c;
  c.celebrity_threshold = 3;
  Diagnostics diags;
  const auto g = SocialGraph::load(path, c, diags);  // users inferred: largest id + 1
  INFO(diags.str());
  REQUIRE(g);
  CHECK(g->users() == 4);
  CHECK(g->followers(0).to_vector() == std::vector<UserId>{1, 2, 3});
  CHECK(g->following(2).to_vector() == std::vector<UserId>{0, 1});
  CHECK(g->is_celebrity(0));
  CHECK_FALSE(g->is_celebrity(1));
  CHECK(g->edges() == 5);
}

TEST_CASE("social graph: a bad edge list reports file:line:col for every bad line")
{
  const std::string path = write_temp("bad_follows.txt", "1 0\n2 x\n3 3\n1 0\n4\n");
  Diagnostics diags;
  CHECK_FALSE(SocialGraph::load(path, {}, diags));
  const std::string text = diags.str();
  CHECK_THAT(text, Catch::Contains(path + ":2:3: error: expected a user id"));
  CHECK_THAT(text, Catch::Contains("got 'x'"));
  CHECK_THAT(text, Catch::Contains(path + ":3:3: error: expected two different users"));
  CHECK_THAT(text, Catch::Contains(path + ":5:1: error: expected 'follower followee', got 1 field"));
  Diagnostics dup;
  const std::string dup_path = write_temp("dup_follows.txt", "1 0\n2 0\n1 0\n");
  CHECK_FALSE(SocialGraph::load(dup_path, {}, dup));
  CHECK_THAT(dup.str(), Catch::Contains(dup_path + ":3:1: error: expected each follow once"));
  Diagnostics missing;
  CHECK_FALSE(SocialGraph::load("/nonexistent/follows.txt", {}, missing));
  CHECK_THAT(missing.str(), Catch::Contains("/nonexistent/follows.txt: error: cannot open"));
}
