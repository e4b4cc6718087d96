// Reader of the `graphs:` section: social populations, road networks and webs (docs/graphs.md).
#include "sim/scenario/graph_reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>

#include "sim/scenario/readers.h"

namespace archsim {

namespace {

// Splits "12.5km/h" into 12.5 and "km/h".
bool split_number_unit(const std::string& text, double& number, std::string& unit)
{
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  number = std::strtod(begin, &end);
  if (end == begin || errno == ERANGE || !std::isfinite(number))
    return false;
  unit = std::string(end);
  while (!unit.empty() && unit.front() == ' ')
    unit.erase(0, 1);
  return true;
}

std::optional<double> with_unit(const std::string& text, const std::vector<std::pair<const char*, double>>& units,
                                const char* family, std::string* error)
{
  double number = 0;
  std::string unit;
  if (!split_number_unit(text, number, unit)) {
    if (error)
      *error = "not a number";
    return std::nullopt;
  }
  if (unit.empty()) {
    if (error)
      *error = fmt::format("a bare number needs a {} unit", family);
    return std::nullopt;
  }
  for (const auto& [name, factor] : units)
    if (unit == name)
      return number * factor;
  if (error)
    *error = fmt::format("unknown {} unit '{}'", family, unit);
  return std::nullopt;
}

const char* kLengthExpected = "a length such as 200m or 1.5km";
const char* kSpeedExpected = "a speed such as 40km/h, 11m/s or 25mph";

// The fields of one graph's mapping, with its path for messages.
struct Fields {
  const YNode& map;
  std::string path;
  Diagnostics& diags;

  const YNode* find(const char* key) const { return map.find(key); }
  std::string at(const char* key) const { return path + "." + key; }

  template <class T>
  void quantity(const char* key, Unit unit, double min, double max, bool integer, T& target) const
  {
    if (const YNode* n = find(key))
      if (auto v = read_quantity(*n, unit, at(key), diags, min, max, integer))
        target = static_cast<T>(*v);
  }
  void count(const char* key, double min, double max, uint64_t& target) const
  {
    quantity(key, Unit::Count, min, max, true, target);
  }
  void count32(const char* key, double min, double max, uint32_t& target) const
  {
    quantity(key, Unit::Count, min, max, true, target);
  }
  void share(const char* key, double& target) const { quantity(key, Unit::Fraction, 0, 1, false, target); }

  void special(const char* key, std::optional<double> (*parse)(const std::string&, std::string*),
               const char* expected, double min, double& target) const
  {
    const YNode* n = find(key);
    if (!n)
      return;
    std::string why;
    std::optional<double> v;
    if (n->is_scalar())
      v = parse(n->scalar, &why);
    if (!v) {
      diags.error(n->loc, at(key),
                  fmt::format("expected {}, got {}{}", expected, n->describe(), why.empty() ? "" : " (" + why + ")"));
      return;
    }
    if (*v < min) {
      diags.error(n->loc, at(key), fmt::format("expected {} greater than {}, got {}", expected, min, n->describe()));
      return;
    }
    target = *v;
  }
  void length(const char* key, double& target) const { special(key, parse_length, kLengthExpected, 1e-9, target); }
  void speed(const char* key, double& target) const { special(key, parse_road_speed, kSpeedExpected, 1e-9, target); }

  // `file:` resolved against the scenario's directory.
  std::string file(const char* key = "file") const
  {
    const YNode* n = find(key);
    if (!n)
      return {};
    auto text = read_text(*n, at(key), diags);
    if (!text)
      return {};
    if (text->empty()) {
      diags.error(n->loc, at(key), "expected a file path, got an empty text");
      return {};
    }
    std::filesystem::path p(*text);
    if (p.is_relative() && !n->loc.file.empty())
      p = std::filesystem::path(n->loc.file).parent_path() / p;
    return p.lexically_normal().string();
  }

  bool seed(uint64_t& target) const
  {
    if (!find("seed"))
      return false;
    quantity("seed", Unit::Count, 0, 9.007e15, true, target);
    return true;
  }
};

// A count law: {law: power_law, alpha: 2.2, mean: 200} or {law: zipf, s: 0.8, min: 1}, max optional.
void read_law(const YNode& node, const std::string& path, DegreeLawConfig& law, Diagnostics& diags)
{
  if (!expect_map(node, path, diags))
    return;
  Fields f{node, path, diags};
  std::string kind = "power_law";
  if (const YNode* n = node.find("law")) {
    auto k = read_choice(*n, {"power_law", "zipf"}, path + ".law", diags);
    if (!k)
      return;
    kind = *k;
  }
  const char* exponent = kind == "zipf" ? "s" : "alpha";
  check_keys(node, {"law", exponent, "mean", "min", "max"}, path, diags);
  law.kind = kind == "zipf" ? DegreeLawConfig::Kind::Zipf : DegreeLawConfig::Kind::PowerLaw;
  if (kind == "zipf")
    f.quantity("s", Unit::Number, 0.1, 10, false, law.exponent);
  else
    f.quantity("alpha", Unit::Number, 1.000001, 10, false, law.exponent);
  if (kind == "zipf" && !node.find("s"))
    diags.error(node.loc, path, "a zipf law needs 's:' (the rank exponent, e.g. 0.8)");
  if (node.find("mean") && node.find("min"))
    diags.error(node.find("min")->loc, path + ".min", "give 'mean:' or 'min:', not both (the other follows from the law)");
  f.quantity("mean", Unit::Count, 1e-6, 1e12, false, law.mean);
  if (node.find("min")) {
    law.mean = 0;
    f.quantity("min", Unit::Count, 1e-6, 1e12, false, law.min);
  }
  f.quantity("max", Unit::Count, 1, 1e15, false, law.max);
}

void read_social(const YEntry& e, const std::string& path, GraphSpecs& out, Diagnostics& diags)
{
  Fields f{e.value, path, diags};
  check_keys(e.value, {"kind", "users", "followers", "celebrities", "active_share", "mode", "max_csr_users",
                       "max_csr_edges", "file", "seed"},
             path, diags);
  SocialGraphSpec spec;
  spec.name = e.key;
  spec.loc = e.key_loc;
  spec.config.name = e.key;
  const size_t errors_before = diags.items().size();
  spec.file = f.file();
  if (spec.file.empty()) {
    if (!f.find("users"))
      diags.error(e.value.loc, path, "missing 'users:' (how many users, e.g. 1M) or 'file:' (an edge list)");
    f.count("users", 2, 1e12, spec.config.users);
  } else {
    f.count("users", 2, 4294967295.0, spec.file_users);
    if (f.find("followers"))
      diags.error(f.find("followers")->loc, f.at("followers"), "a graph loaded from 'file:' takes its followers from the file");
  }
  if (const YNode* n = f.find("followers"); n && spec.file.empty())
    read_law(*n, f.at("followers"), spec.config.followers, diags);
  if (const YNode* n = f.find("celebrities")) {
    if (expect_map(*n, f.at("celebrities"), diags)) {
      Fields c{*n, f.at("celebrities"), diags};
      check_keys(*n, {"threshold", "share"}, c.path, diags);
      c.count("threshold", 2, 1e12, spec.config.celebrity_threshold);
      if (n->find("share"))
        c.share("share", spec.config.celebrity_share);
    }
  }
  f.share("active_share", spec.config.active_share);
  if (const YNode* n = f.find("mode"))
    if (auto m = read_choice(*n, {"auto", "csr", "statistical"}, f.at("mode"), diags))
      spec.config.mode = *m == "csr" ? SocialGraphConfig::Mode::Csr
                         : *m == "statistical" ? SocialGraphConfig::Mode::Statistical
                                               : SocialGraphConfig::Mode::Auto;
  f.count("max_csr_users", 2, 4294967295.0, spec.config.csr_max_users);
  f.count("max_csr_edges", 1, 4e9, spec.config.csr_max_edges);
  spec.seed_given = f.seed(spec.config.seed);
  // The law must be reachable within the population: check it now, where the user can see it.
  if (spec.file.empty() && diags.items().size() == errors_before) {
    std::optional<TailSplit> split;
    if (spec.config.celebrity_share >= 0)
      split = TailSplit{static_cast<double>(spec.config.celebrity_threshold), spec.config.celebrity_share};
    try {
      DegreeLaw::make(spec.config.followers, static_cast<double>(spec.config.users - 1), split);
    } catch (const std::invalid_argument& ex) {
      const YNode* at = f.find("followers") ? f.find("followers") : &e.value;
      diags.error(at->loc, f.at("followers"), fmt::format("{} ({} users)", ex.what(), spec.config.users));
    }
  }
  out.social.push_back(std::move(spec));
}

void read_index(const YNode& node, const std::string& path, ProximityConfig& index, Diagnostics& diags)
{
  if (!expect_map(node, path, diags))
    return;
  std::string kind = "geohash";
  if (const YNode* n = node.find("kind")) {
    auto k = read_choice(*n, {"geohash", "quadtree"}, path + ".kind", diags);
    if (!k)
      return;
    kind = *k;
  }
  Fields f{node, path, diags};
  if (kind == "geohash") {
    index.kind = ProximityConfig::Kind::Geohash;
    check_keys(node, {"kind", "precision"}, path, diags);
    int precision = index.geohash_precision;
    f.quantity("precision", Unit::Count, 1, 12, true, precision);
    index.geohash_precision = precision;
  } else {
    index.kind = ProximityConfig::Kind::Quadtree;
    check_keys(node, {"kind", "leaf_capacity", "max_depth"}, path, diags);
    f.count32("leaf_capacity", 1, 1e6, index.leaf_capacity);
    f.count32("max_depth", 1, 40, index.max_depth);
  }
}

void read_road(const YEntry& e, const std::string& path, GraphSpecs& out, Diagnostics& diags)
{
  Fields f{e.value, path, diags};
  RoadNetworkSpec spec;
  spec.name = e.key;
  spec.loc = e.key_loc;
  spec.config.name = e.key;
  std::string generator = f.find("file") ? "file" : "grid";
  if (const YNode* n = f.find("generator")) {
    auto g = read_choice(*n, {"grid", "random_geometric", "file"}, f.at("generator"), diags);
    if (!g)
      return;
    generator = *g;
  }
  // Keys of another generator get their own message; the rest are checked as usual.
  const std::vector<std::pair<std::string, std::vector<std::string>>> by_generator{
      {"grid", {"width", "height", "spacing", "speed", "speed_spread"}},
      {"random_geometric", {"nodes", "side", "radius", "speed", "speed_spread"}},
      {"file", {"file"}}};
  std::vector<std::string> keys{"kind", "generator", "index", "seed"};
  for (const auto& [g, own] : by_generator)
    if (g == generator)
      keys.insert(keys.end(), own.begin(), own.end());
  std::vector<std::string> allowed = keys;
  for (const auto& entry : e.value.entries) {
    if (std::find(keys.begin(), keys.end(), entry.key) != keys.end())
      continue;
    for (const auto& [g, own] : by_generator)
      if (std::find(own.begin(), own.end(), entry.key) != own.end()) {
        diags.error(entry.key_loc, path + "." + entry.key,
                    fmt::format("'{}' applies to generator {}, not {}", entry.key, g, generator));
        allowed.push_back(entry.key);
        break;
      }
  }
  check_keys(e.value, allowed, path, diags);
  using G = RoadNetworkConfig::Generator;
  auto& c = spec.config;
  if (generator == "grid") {
    c.generator = G::Grid;
    f.count32("width", 1, 100000, c.width);
    f.count32("height", 1, 100000, c.height);
    if (static_cast<double>(c.width) * c.height > 5e7)
      diags.error(e.value.loc, path, fmt::format("expected at most 50M intersections, got {} x {}", c.width, c.height));
    f.length("spacing", c.spacing_m);
  } else if (generator == "random_geometric") {
    c.generator = G::RandomGeometric;
    f.count32("nodes", 2, 5e7, c.nodes);
    f.length("side", c.side_m);
    f.length("radius", c.radius_m);
  } else {
    c.generator = G::File;
    c.file = f.file();
    if (!f.find("file"))
      diags.error(e.value.loc, path, "missing 'file:' (an edge list of 'node ID X Y' and 'FROM TO LENGTH_M SPEED_KMH' lines)");
  }
  f.speed("speed", c.speed_mps);
  if (const YNode* n = f.find("speed_spread"))
    if (auto v = read_quantity(*n, Unit::Fraction, f.at("speed_spread"), diags, 0, 0.99))
      c.speed_spread = *v;
  if (const YNode* n = f.find("index"))
    read_index(*n, f.at("index"), spec.index, diags);
  spec.seed_given = f.seed(c.seed);
  out.roads.push_back(std::move(spec));
}

void read_web(const YEntry& e, const std::string& path, GraphSpecs& out, Diagnostics& diags)
{
  Fields f{e.value, path, diags};
  check_keys(e.value, {"kind", "domains", "pages_per_domain", "out_links", "cross_domain_share", "domain_popularity",
                       "branching", "traps", "duplicate_share", "robots", "seed"},
             path, diags);
  WebGraphSpec spec;
  spec.name = e.key;
  spec.loc = e.key_loc;
  auto& c = spec.config;
  c.name = e.key;
  const size_t errors_before = diags.items().size();
  f.count("domains", 1, static_cast<double>(WebGraph::kMaxDomains), c.domains);
  if (const YNode* n = f.find("pages_per_domain"))
    read_law(*n, f.at("pages_per_domain"), c.pages_per_domain, diags);
  if (const YNode* n = f.find("out_links"))
    if (auto d = read_distribution(*n, Unit::Count, f.at("out_links"), diags))
      c.out_links = *d;
  f.share("cross_domain_share", c.cross_domain_share);
  f.quantity("domain_popularity", Unit::Number, 0.01, 10, false, c.domain_popularity);
  f.count32("branching", 2, 1000, c.branching);
  if (const YNode* n = f.find("traps")) {
    if (expect_map(*n, f.at("traps"), diags)) {
      Fields t{*n, f.at("traps"), diags};
      check_keys(*n, {"share", "fanout"}, t.path, diags);
      t.share("share", c.trap_share);
      t.count32("fanout", 1, 100, c.trap_fanout);
    }
  }
  f.share("duplicate_share", c.duplicate_share);
  if (const YNode* n = f.find("robots")) {
    if (expect_map(*n, f.at("robots"), diags)) {
      Fields r{*n, f.at("robots"), diags};
      check_keys(*n, {"disallow_share", "crawl_delay_share", "crawl_delay"}, r.path, diags);
      r.share("disallow_share", c.disallow_share);
      r.share("crawl_delay_share", c.crawl_delay_share);
      if (const YNode* d = n->find("crawl_delay"))
        if (auto dist = read_distribution(*d, Unit::Duration, r.at("crawl_delay"), diags))
          c.crawl_delay = *dist;
    }
  }
  spec.seed_given = f.seed(c.seed);
  if (diags.items().size() == errors_before) {
    try {
      WebGraph check(c);
    } catch (const std::invalid_argument& ex) {
      const YNode* at = f.find("pages_per_domain") ? f.find("pages_per_domain") : &e.value;
      diags.error(at->loc, f.at("pages_per_domain"), ex.what());
    }
  }
  out.webs.push_back(std::move(spec));
}

}  // namespace

std::optional<double> parse_length(const std::string& text, std::string* error)
{
  return with_unit(text, {{"m", 1.0}, {"km", 1000.0}}, "length", error);
}

std::optional<double> parse_road_speed(const std::string& text, std::string* error)
{
  return with_unit(text, {{"km/h", 1 / 3.6}, {"m/s", 1.0}, {"mph", 0.44704}}, "speed", error);
}

void read_graphs(const YNode& node, GraphSpecs& out, Diagnostics& diags)
{
  if (!expect_map(node, "graphs", diags))
    return;
  for (const auto& e : node.entries) {
    const std::string path = "graphs." + e.key;
    check_identifier(e.key, e.key_loc, path, diags);
    if (!expect_map(e.value, path, diags))
      continue;
    const YNode* kind_node = e.value.find("kind");
    if (!kind_node) {
      diags.error(e.value.loc, path, "missing 'kind:' (one of 'social', 'road' or 'web')");
      continue;
    }
    auto kind = read_choice(*kind_node, {"social", "road", "web"}, path + ".kind", diags);
    if (!kind)
      continue;
    if (*kind == "social")
      read_social(e, path, out, diags);
    else if (*kind == "road")
      read_road(e, path, out, diags);
    else
      read_web(e, path, out, diags);
  }
}

std::vector<std::string> GraphSpecs::names() const
{
  std::vector<std::string> out;
  for (const auto& s : social)
    out.push_back(s.name);
  for (const auto& s : roads)
    out.push_back(s.name);
  for (const auto& s : webs)
    out.push_back(s.name);
  return out;
}

const SocialGraphSpec* GraphSpecs::find_social(const std::string& name) const
{
  for (const auto& s : social)
    if (s.name == name)
      return &s;
  return nullptr;
}

const RoadNetworkSpec* GraphSpecs::find_road(const std::string& name) const
{
  for (const auto& s : roads)
    if (s.name == name)
      return &s;
  return nullptr;
}

const WebGraphSpec* GraphSpecs::find_web(const std::string& name) const
{
  for (const auto& s : webs)
    if (s.name == name)
      return &s;
  return nullptr;
}

void GraphSpecs::apply_run_seed(uint64_t run_seed)
{
  for (auto& s : social)
    if (!s.seed_given)
      s.config.seed = run_seed;
  for (auto& s : roads)
    if (!s.seed_given)
      s.config.seed = run_seed;
  for (auto& s : webs)
    if (!s.seed_given)
      s.config.seed = run_seed;
}

}  // namespace archsim
