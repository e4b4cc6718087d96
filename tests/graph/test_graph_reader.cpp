// The `graphs:` section: what a valid section becomes (units resolved, defaults from the
// generator configs, files resolved against the scenario's directory), and errors that carry
// file:line:col and say what was expected.
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/graph_reader.h"

using namespace archsim;

namespace {

GraphSpecs read(const std::string& text, Diagnostics& diags)
{
  const YNode root = load_yaml_text(text, "/scenarios/test.yaml", diags);
  GraphSpecs specs;
  if (diags.ok())
    read_graphs(*root.find("graphs"), specs, diags);
  return specs;
}

GraphSpecs read_ok(const std::string& text)
{
  Diagnostics diags;
  GraphSpecs specs = read(text, diags);
  INFO(diags.str());
  REQUIRE(diags.ok());
  return specs;
}

std::string errors_of(const std::string& text)
{
  Diagnostics diags;
  read(text, diags);
  return diags.str();
}

}  // namespace

TEST_CASE("graph reader: a social graph with units resolved and defaults from the config")
{
  const auto specs = read_ok(R"(graphs:
  follows:
    kind: social
    users: 1M
    followers: {law: power_law, alpha: 2.1, mean: 200}
    celebrities: {threshold: 100K, share: 0.01%}
    active_share: 30%
    seed: 9
)");
  REQUIRE(specs.social.size() == 1);
  const auto& s = specs.social[0];
  CHECK(s.name == "follows");
  CHECK(s.loc.line == 2);
  CHECK(s.config.name == "follows");
  CHECK(s.config.users == 1000000);
  CHECK(s.config.followers.exponent == 2.1);
  CHECK(s.config.followers.mean == 200);
  CHECK(s.config.celebrity_threshold == 100000);
  CHECK(s.config.celebrity_share == Approx(0.0001));
  CHECK(s.config.active_share == Approx(0.3));
  CHECK(s.config.mode == SocialGraphConfig::Mode::Auto);
  CHECK(s.config.csr_max_edges == SocialGraphConfig{}.csr_max_edges);
  CHECK(s.seed_given);
  CHECK(s.config.seed == 9);
}

TEST_CASE("graph reader: a zipf law, a file relative to the scenario, and the run seed for unpinned graphs")
{
  auto specs = read_ok(R"(graphs:
  fans: {kind: social, users: 10K, followers: {law: zipf, s: 0.8, min: 1}}
  loaded: {kind: social, file: data/follows.txt}
  city: {kind: road, file: ../maps/city.txt}
)");
  const auto& fans = specs.social[0].config.followers;
  CHECK(fans.kind == DegreeLawConfig::Kind::Zipf);
  CHECK(fans.exponent == 0.8);
  CHECK(fans.mean == 0);
  CHECK(fans.min == 1);
  CHECK(specs.social[1].file == "/scenarios/data/follows.txt");
  CHECK(specs.roads[0].config.generator == RoadNetworkConfig::Generator::File);
  CHECK(specs.roads[0].config.file == "/maps/city.txt");
  specs.apply_run_seed(77);
  CHECK(specs.social[0].config.seed == 77);
  CHECK(specs.roads[0].config.seed == 77);
  CHECK(specs.names() == std::vector<std::string>{"fans", "loaded", "city"});
}

TEST_CASE("graph reader: road networks with lengths, speeds and a proximity index")
{
  const auto specs = read_ok(R"(graphs:
  grid_city:
    kind: road
    generator: grid
    width: 50
    height: 40
    spacing: 150m
    speed: 30km/h
    speed_spread: 20%
    index: {kind: quadtree, leaf_capacity: 32}
  sprawl:
    kind: road
    generator: random_geometric
    nodes: 20K
    side: 12.5km
    radius: 250m
    speed: 25mph
    index: {kind: geohash, precision: 7}
)");
  REQUIRE(specs.roads.size() == 2);
  const auto& g = specs.roads[0];
  CHECK(g.config.width == 50);
  CHECK(g.config.spacing_m == 150);
  CHECK(g.config.speed_mps == Approx(30 / 3.6));
  CHECK(g.config.speed_spread == Approx(0.2));
  CHECK(g.index.kind == ProximityConfig::Kind::Quadtree);
  CHECK(g.index.leaf_capacity == 32);
  const auto& r = specs.roads[1];
  CHECK(r.config.generator == RoadNetworkConfig::Generator::RandomGeometric);
  CHECK(r.config.nodes == 20000);
  CHECK(r.config.side_m == 12500);
  CHECK(r.config.radius_m == 250);
  CHECK(r.config.speed_mps == Approx(25 * 0.44704));
  CHECK(r.index.geohash_precision == 7);
  CHECK(r.config.speed_spread == RoadNetworkConfig{}.speed_spread);
}

TEST_CASE("graph reader: a web graph with traps, duplicates and robots rules")
{
  const auto specs = read_ok(R"(graphs:
  web:
    kind: web
    domains: 10K
    pages_per_domain: {alpha: 1.8, mean: 5K, max: 10M}
    out_links: {dist: lognormal, mean: 30, p99: 120}
    cross_domain_share: 15%
    traps: {share: 2%, fanout: 3}
    duplicate_share: 30%
    robots: {disallow_share: 5%, crawl_delay_share: 10%, crawl_delay: {dist: uniform, min: 1s, max: 10s}}
)");
  const auto& c = specs.webs.at(0).config;
  CHECK(c.domains == 10000);
  CHECK(c.pages_per_domain.exponent == 1.8);
  CHECK(c.pages_per_domain.max == 1e7);
  CHECK(c.out_links.mean() == Approx(30));
  CHECK(c.cross_domain_share == Approx(0.15));
  CHECK(c.trap_share == Approx(0.02));
  CHECK(c.trap_fanout == 3);
  CHECK(c.duplicate_share == Approx(0.3));
  CHECK(c.crawl_delay.mean() == Approx(5.5));
  CHECK(c.branching == WebGraphConfig{}.branching);
}

TEST_CASE("graph reader: errors carry file:line:col and say what was expected")
{
  const std::string text = errors_of(R"(graphs:
  follows:
    kind: social
    users: many
    folowers: {alpha: 2.2}
  city:
    kind: road
    generator: grid
    spacing: 200
    speed: 40kmh
    nodes: 5K
  web:
    kind: web
    traps: {share: 150%}
  thing: {kind: tree}
  nokind: {users: 5}
)");
  INFO(text);
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:4:12: error: graphs.follows.users: expected a count such as 64, 100K or 1B, got 'many'"));
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:5:5: error: graphs.follows.folowers: unknown key; expected one of"));
  CHECK_THAT(text, Catch::Contains("did you mean 'followers'?"));
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:9:14: error: graphs.city.spacing: expected a length such as 200m or 1.5km, got '200' (a bare number needs a length unit)"));
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:10:12: error: graphs.city.speed: expected a speed such as 40km/h, 11m/s or 25mph, got '40kmh' (unknown speed unit 'kmh')"));
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:11:5: error: graphs.city.nodes: 'nodes' applies to generator random_geometric, not grid"));
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:14:20: error: graphs.web.traps.share: expected a value between"));
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:15:17: error: graphs.thing.kind: expected one of 'social', 'road' or 'web', got 'tree'"));
  CHECK_THAT(text, Catch::Contains("/scenarios/test.yaml:16:11: error: graphs.nokind: missing 'kind:'"));
}

TEST_CASE("graph reader: a law the population cannot hold is reported at the law")
{
  const std::string text = errors_of(R"(graphs:
  tiny:
    kind: social
    users: 1000
    followers: {alpha: 2.2, mean: 5000}
  famous:
    kind: social
    users: 10K
    celebrities: {threshold: 100K, share: 1%}
  both: {kind: social, users: 10K, followers: {mean: 10, min: 2}}
  zipf_without_s: {kind: social, users: 10K, followers: {law: zipf, mean: 10}}
)");
  INFO(text);
  CHECK_THAT(text, Catch::Contains("test.yaml:5:16: error: graphs.tiny.followers: a mean of 5000 needs counts above the largest allowed (999) (1000 users)"));
  CHECK_THAT(text, Catch::Contains("test.yaml:7:5: error: graphs.famous.followers: the threshold 100000 is above the largest possible count 9999"));
  CHECK_THAT(text, Catch::Contains("test.yaml:10:63: error: graphs.both.followers.min: give 'mean:' or 'min:', not both"));
  CHECK_THAT(text, Catch::Contains("test.yaml:11:57: error: graphs.zipf_without_s.followers: a zipf law needs 's:'"));
}

TEST_CASE("graph reader: length and speed parsers")
{
  CHECK(parse_length("1.5km") == 1500);
  CHECK(parse_length("200m") == 200);
  CHECK_FALSE(parse_length("200"));
  CHECK_FALSE(parse_length("3mi"));
  CHECK(*parse_road_speed("36km/h") == Approx(10));
  CHECK(parse_road_speed("11m/s") == 11);
  std::string why;
  CHECK_FALSE(parse_road_speed("fast", &why));
  CHECK(why == "not a number");
}
