#pragma once
// The web as a crawler sees it (cheatsheet design 26): domains with a heavy-tailed number of
// pages, links mostly within a domain and some across, crawler traps, duplicate content and
// robots.txt rules. Nothing is stored: every property of a page is a hash of (seed, page id), so
// the web can hold 10^9 pages or more and a page looks the same whenever it is fetched.
//
// A PageId packs (domain, page): 24 bits of domain (16.7M domains), one trap bit, 39 bits of
// page index. A domain's regular pages form a directory tree (page p's children are
// b p + 1 .. b p + b, so every page is reachable from the home page 0 and its depth is its
// depth in the tree); the other links go to random pages of the same domain, or (a configured
// share) to another domain chosen by popularity (Zipf over domain ids: domain 0 is the most
// linked) and to its home page or a random page of it.
// A trap domain's home page links into a trap: generated pages whose links lead to `fanout`
// pages one level deeper, forever (a calendar's "next month", session ids in URLs); only a
// crawler's depth limit stops it. A duplicate page serves the content of another, earlier
// page of its domain (same content hash, another URL). Robots rules disallow whole top-level
// directories (a share of them) and some domains ask for a Crawl-delay.
// What it abstracts away: page sizes and fetch latency (the crawler model draws them), link
// rot and redirects, near-duplicates (content is equal or not), and the order of links in a
// page (a page may link to the same URL twice; the crawler's seen-set removes it).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/distribution.h"
#include "sim/core/popularity.h"
#include "sim/core/rng.h"
#include "sim/graph/degree_law.h"

namespace archsim {

using PageId = uint64_t;
using DomainId = uint32_t;

struct WebGraphConfig {
  uint64_t domains = 10000;  // cheatsheet design 26: "~10K domains"
  // Pages per domain: heavy-tailed (a few huge sites, many small ones). Chosen, not sourced.
  DegreeLawConfig pages_per_domain{DegreeLawConfig::Kind::PowerLaw, 2.0, 1000, 0, 1e8};
  Distribution out_links = Distribution::lognormal_mean_p99(40, 200);  // links per page; chosen
  double cross_domain_share = 0.1;   // share of the non-tree links that leave the domain
  double domain_popularity = 1.0;    // Zipf exponent of the domain a cross-domain link goes to
  uint32_t branching = 8;            // directory fan-out of a site's URL tree
  double trap_share = 0.01;          // share of domains with a crawler trap
  uint32_t trap_fanout = 2;          // deeper pages linked from each trap page (1 = a chain)
  // Share of pages that duplicate another page's content: Broder et al. (1997) and Fetterly et
  // al. (2003) found a quarter to a third of crawled pages in clusters of (near-)duplicates.
  double duplicate_share = 0.25;
  double disallow_share = 0.1;       // share of top-level directories that robots.txt disallows
  double crawl_delay_share = 0.2;    // share of domains whose robots.txt sets a Crawl-delay
  Distribution crawl_delay = Distribution::constant(1.0);  // seconds, for those domains
  uint64_t seed = 1;
  std::string name = "web";  // owner name of the random streams
};

class WebGraph {
 public:
  explicit WebGraph(const WebGraphConfig& config);  // throws std::invalid_argument

  static constexpr int kPageBits = 39;
  static constexpr uint64_t kMaxDomains = uint64_t{1} << 24;
  static constexpr uint32_t kMaxTrapDepth = (1u << 20) - 1;  // trap pages stop deepening here
  static DomainId domain_of(PageId p) { return static_cast<DomainId>(p >> (kPageBits + 1)); }
  static PageId page_id(DomainId d, uint64_t index) { return (PageId{d} << (kPageBits + 1)) | index; }
  static PageId home_page(DomainId d) { return page_id(d, 0); }
  static bool is_trap(PageId p) { return (p >> kPageBits) & 1; }
  static uint64_t page_index(PageId p) { return p & ((uint64_t{1} << kPageBits) - 1); }

  uint64_t domain_count() const { return config_.domains; }
  uint64_t pages_in(DomainId d) const;  // regular pages (trap pages are unbounded)
  double expected_pages() const;         // domains x mean pages per domain
  DomainId popular_domain(Rng& rng) const;

  std::vector<PageId> out_links(PageId p) const;
  uint32_t depth(PageId p) const;  // links from the home page along the directory tree
  uint64_t content_hash(PageId p) const;
  bool is_duplicate(PageId p) const;  // serves the content of another URL
  bool is_trap_domain(DomainId d) const;
  bool allowed(PageId p) const;       // by the domain's robots.txt
  double crawl_delay(DomainId d) const;  // seconds; 0 = none asked
  std::string url(PageId p) const;

  const WebGraphConfig& config() const { return config_; }

 private:
  PageId trap_page(DomainId d, uint64_t depth, uint64_t variant) const;
  uint64_t canonical(PageId p) const;  // the earlier page whose content a duplicate serves

  WebGraphConfig config_;
  DegreeLaw pages_law_;
  ZipfSampler domain_zipf_;
  uint64_t k_pages_, k_count_, k_links_, k_trap_, k_dup_, k_canon_, k_content_, k_robots_, k_delay_, k_delay_value_;
};

}  // namespace archsim
