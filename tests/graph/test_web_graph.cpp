// Web graph: generated lazily and deterministically, traps are infinite and only a crawler's
// depth limit stops them, the measured duplicate, robots and cross-domain shares match the
// configuration, and page ids encode (domain, page).
#include <catch2/catch.hpp>

#include <deque>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sim/graph/web_graph.h"

using archsim::DomainId;
using archsim::PageId;
using archsim::WebGraph;
using archsim::WebGraphConfig;

namespace {

WebGraphConfig small_web()
{
  WebGraphConfig c;
  c.domains = 2000;
  c.pages_per_domain.exponent = 3.0;  // a light tail keeps the measurements steady
  c.pages_per_domain.mean = 60;
  c.pages_per_domain.max = 2000;
  c.seed = 17;
  return c;
}

struct CrawlStats {
  size_t fetched = 0, trap_pages = 0, disallowed = 0;
  uint32_t max_depth = 0;
  bool budget_exhausted = false;
};

// A polite BFS crawler that stays on its seeds' domains: a seen-set, robots rules, a link-depth
// limit and a page budget.
CrawlStats crawl(const WebGraph& web, const std::vector<PageId>& seeds, uint32_t max_depth, size_t budget)
{
  std::unordered_set<DomainId> domains;
  for (PageId p : seeds)
    domains.insert(WebGraph::domain_of(p));
  CrawlStats s;
  std::unordered_set<PageId> seen(seeds.begin(), seeds.end());
  std::deque<std::pair<PageId, uint32_t>> frontier;
  for (PageId p : seeds)
    frontier.emplace_back(p, 0);
  while (!frontier.empty()) {
    if (s.fetched == budget) {
      s.budget_exhausted = true;
      break;
    }
    const auto [page, hops] = frontier.front();
    frontier.pop_front();
    if (!web.allowed(page)) {
      ++s.disallowed;
      continue;
    }
    ++s.fetched;
    s.trap_pages += WebGraph::is_trap(page);
    s.max_depth = std::max(s.max_depth, web.depth(page));
    if (hops == max_depth)
      continue;
    for (PageId next : web.out_links(page))
      if (domains.count(WebGraph::domain_of(next)) && seen.insert(next).second)
        frontier.emplace_back(next, hops + 1);
  }
  return s;
}

}  // namespace

TEST_CASE("web graph: page ids encode the domain and the page, and pages per domain follow the law")
{
  const WebGraph web(small_web());
  CHECK(WebGraph::domain_of(WebGraph::page_id(1234, 99)) == 1234);
  CHECK(WebGraph::page_index(WebGraph::page_id(1234, 99)) == 99);
  CHECK_FALSE(WebGraph::is_trap(WebGraph::page_id(1234, 99)));
  double total = 0;
  uint64_t largest = 0;
  for (DomainId d = 0; d < 2000; ++d) {
    total += double(web.pages_in(d));
    largest = std::max(largest, web.pages_in(d));
  }
  CHECK(total / 2000 == Approx(60).epsilon(0.1));
  CHECK(largest > 600);  // heavy tail: some sites are ten times the mean
  CHECK(web.expected_pages() == Approx(120000).epsilon(1e-6));
}

TEST_CASE("web graph: the same seed gives the same web and another seed a different one")
{
  const WebGraph a(small_web()), b(small_web());
  auto other = small_web();
  other.seed = 18;
  const WebGraph c(other);
  int differ = 0;
  for (DomainId d = 0; d < 200; ++d) {
    const PageId p = WebGraph::page_id(d, 3);
    CHECK(a.out_links(p) == b.out_links(p));
    CHECK(a.content_hash(p) == b.content_hash(p));
    CHECK(a.pages_in(d) == b.pages_in(d));
    differ += a.out_links(WebGraph::home_page(d)) != c.out_links(WebGraph::home_page(d));
  }
  CHECK(differ > 190);
}

TEST_CASE("web graph: a trap is infinite: its links lead ever deeper, never back to a page seen")
{
  auto cfg = small_web();
  cfg.trap_share = 0.05;
  const WebGraph web(cfg);
  DomainId trap_domain = 0;
  while (!web.is_trap_domain(trap_domain))
    ++trap_domain;
  PageId page = 0;
  for (PageId link : web.out_links(WebGraph::home_page(trap_domain)))
    if (WebGraph::is_trap(link))
      page = link;
  REQUIRE(WebGraph::is_trap(page));
  std::set<PageId> visited;
  for (uint32_t step = 0; step < 20000; ++step) {
    CHECK(web.depth(page) == step + 1);
    CHECK(visited.insert(page).second);
    const auto links = web.out_links(page);
    REQUIRE(WebGraph::is_trap(links.front()));
    page = links.front();
  }
}

TEST_CASE("web graph: a crawler's depth limit bounds what traps cost; without it the budget runs out")
{
  auto cfg = small_web();
  cfg.trap_share = 0.2;
  cfg.trap_fanout = 2;
  const WebGraph web(cfg);
  std::vector<PageId> seeds;
  size_t trap_domains = 0;
  for (DomainId d = 0; d < 30; ++d) {
    seeds.push_back(WebGraph::home_page(d));
    trap_domains += web.is_trap_domain(d);
  }
  REQUIRE(trap_domains > 0);
  const uint32_t limit = 6;
  const CrawlStats bounded = crawl(web, seeds, limit, 2000000);
  CHECK_FALSE(bounded.budget_exhausted);
  // Trap pages within `limit` hops of a home page: the entry at hop 1, then fanout^k at hop
  // 1 + k, so at most 1 + 2 + ... + 2^(limit-1) per trap domain.
  CHECK(bounded.trap_pages > 0);
  CHECK(bounded.trap_pages <= trap_domains * ((1u << limit) - 1));
  CHECK(bounded.max_depth <= limit + 4);
  const CrawlStats unbounded = crawl(web, seeds, UINT32_MAX, 100000);
  CHECK(unbounded.budget_exhausted);
  CHECK(unbounded.max_depth > 12);  // far deeper than any site's own tree (2000 pages: depth 4)
}

TEST_CASE("web graph: the measured duplicate share matches the configured one")
{
  auto cfg = small_web();
  cfg.duplicate_share = 0.3;
  const WebGraph web(cfg);
  size_t pages = 0, duplicates = 0, distinct = 0;
  for (DomainId d = 0; d < 2000; ++d) {
    std::unordered_set<uint64_t> hashes;
    for (uint64_t i = 0; i < web.pages_in(d); ++i) {
      const PageId p = WebGraph::page_id(d, i);
      duplicates += web.is_duplicate(p);
      hashes.insert(web.content_hash(p));
    }
    pages += web.pages_in(d);
    distinct += hashes.size();
  }
  const double measured = 1 - double(distinct) / double(pages);  // URLs whose content another URL has
  CHECK(measured == Approx(0.3).margin(0.01));
  CHECK(double(duplicates) / double(pages) == Approx(measured).margin(1e-12));
}

TEST_CASE("web graph: robots rules disallow the configured share and crawl delays the configured domains")
{
  auto cfg = small_web();
  cfg.disallow_share = 0.25;
  cfg.crawl_delay_share = 0.4;
  cfg.crawl_delay = archsim::Distribution::uniform(1, 10);
  const WebGraph web(cfg);
  size_t top_dirs = 0, disallowed_dirs = 0, delayed = 0;
  double delay_sum = 0;
  for (DomainId d = 0; d < 2000; ++d) {
    for (uint64_t t = 1; t <= cfg.branching && t < web.pages_in(d); ++t) {
      ++top_dirs;
      disallowed_dirs += !web.allowed(WebGraph::page_id(d, t));
    }
    CHECK(web.allowed(WebGraph::home_page(d)));
    const double delay = web.crawl_delay(d);
    if (delay > 0) {
      ++delayed;
      delay_sum += delay;
      CHECK(delay >= 1);
      CHECK(delay <= 10);
    }
  }
  CHECK(double(disallowed_dirs) / double(top_dirs) == Approx(0.25).margin(0.02));
  CHECK(double(delayed) / 2000 == Approx(0.4).margin(0.04));
  CHECK(delay_sum / double(delayed) == Approx(5.5).margin(0.3));
  // A page under a disallowed directory is disallowed too.
  for (DomainId d = 0; d < 2000; ++d)
    for (uint64_t t = 1; t <= cfg.branching && t * cfg.branching + 1 < web.pages_in(d); ++t)
      CHECK(web.allowed(WebGraph::page_id(d, t)) == web.allowed(WebGraph::page_id(d, t * cfg.branching + 1)));
}

TEST_CASE("web graph: the configured share of links leaves the domain, and every page is reachable")
{
  auto cfg = small_web();
  cfg.cross_domain_share = 0.2;
  const WebGraph web(cfg);
  size_t random_links = 0, cross = 0;
  for (DomainId d = 0; d < 300; ++d)
    for (uint64_t i = 0; i < web.pages_in(d); ++i) {
      const PageId p = WebGraph::page_id(d, i);
      const auto links = web.out_links(p);
      size_t tree = 0;  // the directory links come first
      while (tree < links.size() && WebGraph::domain_of(links[tree]) == d &&
             WebGraph::page_index(links[tree]) == i * cfg.branching + 1 + tree)
        ++tree;
      for (size_t k = tree; k < links.size(); ++k) {
        ++random_links;
        cross += WebGraph::domain_of(links[k]) != d;
      }
    }
  // A cross-domain draw lands on the own domain with the Zipf probability of d (small).
  CHECK(double(cross) / double(random_links) == Approx(0.2).margin(0.02));
  // Following only the directory tree from the home page reaches every page of the domain.
  const DomainId d = 7;
  std::set<PageId> reached{WebGraph::home_page(d)};
  std::vector<PageId> stack{WebGraph::home_page(d)};
  while (!stack.empty()) {
    const PageId p = stack.back();
    stack.pop_back();
    for (PageId q : web.out_links(p))
      if (WebGraph::domain_of(q) == d && !WebGraph::is_trap(q) && reached.insert(q).second)
        stack.push_back(q);
  }
  CHECK(reached.size() == web.pages_in(d));
}

TEST_CASE("web graph: a web of 10^9 pages answers per page without storing any")
{
  WebGraphConfig cfg;
  cfg.domains = 1000000;
  cfg.pages_per_domain.mean = 1000;
  const WebGraph web(cfg);
  CHECK(web.expected_pages() == Approx(1e9).epsilon(1e-6));
  const PageId p = WebGraph::page_id(999999, web.pages_in(999999) - 1);
  CHECK(web.out_links(p).size() < 10000);
  CHECK(web.depth(p) >= 1);
  CHECK(web.url(WebGraph::page_id(5, 9)) == "https://d5.example/0/0/");
  CHECK(web.url(WebGraph::home_page(5)) == "https://d5.example/");
  CHECK(sizeof(WebGraph) < 1000);
}
