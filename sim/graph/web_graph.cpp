#include "sim/graph/web_graph.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "sim/graph/id_hash.h"

namespace archsim {

namespace {
constexpr int kDepthBits = 20, kVariantBits = 19;  // a trap page: depth, then a variant hash
constexpr uint64_t kVariantMask = (uint64_t{1} << kVariantBits) - 1;

void require_share(double v, const char* what)
{
  if (!(v >= 0 && v <= 1))
    throw std::invalid_argument(fmt::format("{} must be in [0, 1], got {}", what, v));
}
}  // namespace

WebGraph::WebGraph(const WebGraphConfig& c)
    : config_(c),
      pages_law_(DegreeLaw::make(c.pages_per_domain, std::ldexp(1.0, kPageBits) - 1)),
      domain_zipf_(std::max<uint64_t>(c.domains, 1), c.domain_popularity > 0 ? c.domain_popularity : 1.0)
{
  if (c.domains < 1 || c.domains > kMaxDomains)
    throw std::invalid_argument(fmt::format("domains must be 1 to {}, got {}", kMaxDomains, c.domains));
  if (c.branching < 2 || c.branching > 1000)
    throw std::invalid_argument("branching must be 2 to 1000");
  if (c.trap_fanout < 1 || c.trap_fanout > 100)
    throw std::invalid_argument("trap fan-out must be 1 to 100");
  if (!(c.domain_popularity > 0))
    throw std::invalid_argument("domain popularity exponent must be > 0");
  require_share(c.cross_domain_share, "cross-domain share");
  require_share(c.trap_share, "trap share");
  require_share(c.duplicate_share, "duplicate share");
  require_share(c.disallow_share, "disallow share");
  require_share(c.crawl_delay_share, "crawl-delay share");
  auto key = [&](const char* purpose) { return stream_seed(c.seed, c.name, purpose); };
  k_pages_ = key("pages");
  k_count_ = key("link-count");
  k_links_ = key("links");
  k_trap_ = key("traps");
  k_dup_ = key("duplicates");
  k_canon_ = key("canonical");
  k_content_ = key("content");
  k_robots_ = key("robots");
  k_delay_ = key("crawl-delay");
  k_delay_value_ = key("crawl-delay-value");
}

uint64_t WebGraph::pages_in(DomainId d) const
{
  // Floored after adding a per-domain uniform: unbiased, and at least the home page.
  const double x = pages_law_.value_at_tail(unit_hash(k_pages_, d)) + unit_hash(k_pages_ ^ 1, d);
  return std::max<uint64_t>(1, static_cast<uint64_t>(x));
}

double WebGraph::expected_pages() const { return static_cast<double>(config_.domains) * pages_law_.mean(); }

DomainId WebGraph::popular_domain(Rng& rng) const { return static_cast<DomainId>(domain_zipf_.sample(rng)); }

bool WebGraph::is_trap_domain(DomainId d) const { return unit_hash(k_trap_, d) < config_.trap_share; }

PageId WebGraph::trap_page(DomainId d, uint64_t depth, uint64_t variant) const
{
  return page_id(d, (uint64_t{1} << kPageBits) | (std::min<uint64_t>(depth, kMaxTrapDepth) << kVariantBits) |
                        (variant & kVariantMask));
}

std::vector<PageId> WebGraph::out_links(PageId page) const
{
  const DomainId d = domain_of(page);
  std::vector<PageId> out;
  if (is_trap(page)) {
    const uint64_t depth = (page_index(page) >> kVariantBits) & kMaxTrapDepth;
    for (uint32_t j = 0; j < config_.trap_fanout; ++j)
      out.push_back(trap_page(d, depth + 1, hash_id(page, j)));
    out.push_back(home_page(d));
    return out;
  }
  const uint64_t pages = pages_in(d), p = page_index(page), b = config_.branching;
  // The directory tree: the site's navigation, which reaches every page.
  for (uint64_t c = b * p + 1; c <= b * p + b && c < pages; ++c)
    out.push_back(page_id(d, c));
  if (p == 0 && is_trap_domain(d))
    out.push_back(trap_page(d, 0, 0));
  const double drawn = std::round(config_.out_links.quantile(unit_hash(k_count_, page)));
  const size_t count = static_cast<size_t>(std::clamp(drawn, 0.0, 100000.0));
  Rng rng(hash_id(k_links_, page));
  while (out.size() < count) {
    if (rng.uniform01() < config_.cross_domain_share) {
      const DomainId to = popular_domain(rng);
      out.push_back(rng.uniform01() < 0.5 ? home_page(to) : page_id(to, rng.below(pages_in(to))));
    } else {
      out.push_back(page_id(d, rng.below(pages)));
    }
  }
  return out;
}

uint32_t WebGraph::depth(PageId page) const
{
  if (is_trap(page))
    return 1 + static_cast<uint32_t>((page_index(page) >> kVariantBits) & kMaxTrapDepth);
  uint32_t depth = 0;
  for (uint64_t p = page_index(page); p > 0; p = (p - 1) / config_.branching)
    ++depth;
  return depth;
}

bool WebGraph::is_duplicate(PageId page) const
{
  return !is_trap(page) && page_index(page) > 0 && unit_hash(k_dup_, page) < config_.duplicate_share;
}

uint64_t WebGraph::canonical(PageId page) const
{
  // An earlier page of the domain that is not itself a duplicate (the home page never is), so
  // that the copies of one content form one group with its original.
  const uint64_t p = page_index(page);
  for (uint64_t attempt = 0; attempt < 64; ++attempt) {
    const uint64_t c = hash_id(k_canon_ + attempt, page) % p;
    if (!is_duplicate(page_id(domain_of(page), c)))
      return c;
  }
  return 0;
}

uint64_t WebGraph::content_hash(PageId page) const
{
  if (is_duplicate(page))
    return hash_id(k_content_, page_id(domain_of(page), canonical(page)));
  return hash_id(k_content_, page);
}

bool WebGraph::allowed(PageId page) const
{
  if (is_trap(page))
    return true;  // the worst case: the trap is open to crawlers
  uint64_t p = page_index(page);
  if (p == 0)
    return true;
  while (p > config_.branching)  // up to the top-level directory (1..branching)
    p = (p - 1) / config_.branching;
  return unit_hash(k_robots_, page_id(domain_of(page), p)) >= config_.disallow_share;
}

double WebGraph::crawl_delay(DomainId d) const
{
  if (unit_hash(k_delay_, d) >= config_.crawl_delay_share)
    return 0;
  return std::max(0.0, config_.crawl_delay.quantile(unit_hash(k_delay_value_, d)));
}

std::string WebGraph::url(PageId page) const
{
  const DomainId d = domain_of(page);
  std::string s = fmt::format("https://d{}.example", d);
  if (is_trap(page)) {
    const uint64_t idx = page_index(page);
    return s + fmt::format("/calendar?depth={}&v={}", (idx >> kVariantBits) & kMaxTrapDepth, idx & kVariantMask);
  }
  std::vector<uint64_t> segments;
  for (uint64_t p = page_index(page); p > 0; p = (p - 1) / config_.branching)
    segments.push_back((p - 1) % config_.branching);
  for (auto it = segments.rbegin(); it != segments.rend(); ++it)
    s += fmt::format("/{}", *it);
  return s + "/";
}

}  // namespace archsim
