// Road networks from a generator (grid, random geometric graph) or from an edge-list file.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "sim/core/rng.h"
#include "sim/graph/record_file.h"
#include "sim/graph/road_network.h"

namespace archsim {

namespace {

// Both directions of a road, at a speed drawn once for the road.
void add_road(std::vector<RoadArcSpec>& arcs, const std::vector<Point2>& pos, NodeId a, NodeId b, double speed,
              double spread, Rng& rng)
{
  const double length = distance(pos[a], pos[b]);
  const double v = speed * (1 - spread * rng.uniform01());
  arcs.push_back({a, b, length, length / v});
  arcs.push_back({b, a, length, length / v});
}

void check_common(const RoadNetworkConfig& c)
{
  if (!(c.speed_mps > 0))
    throw std::invalid_argument("road speed must be > 0");
  if (!(c.speed_spread >= 0 && c.speed_spread < 1))
    throw std::invalid_argument("speed spread must be in [0, 1)");
}

RoadNetwork grid(const RoadNetworkConfig& c)
{
  if (c.width < 1 || c.height < 1 || static_cast<uint64_t>(c.width) * c.height > 50000000)
    throw std::invalid_argument("grid: width and height must be >= 1 and width x height <= 50M");
  if (!(c.spacing_m > 0))
    throw std::invalid_argument("grid: spacing must be > 0");
  std::vector<Point2> pos;
  pos.reserve(size_t{c.width} * c.height);
  for (uint32_t y = 0; y < c.height; ++y)
    for (uint32_t x = 0; x < c.width; ++x)
      pos.push_back({x * c.spacing_m, y * c.spacing_m});
  Rng rng = make_stream(c.seed, c.name, "speeds");
  std::vector<RoadArcSpec> arcs;
  arcs.reserve(4 * pos.size());
  for (uint32_t y = 0; y < c.height; ++y)
    for (uint32_t x = 0; x < c.width; ++x) {
      const NodeId n = y * c.width + x;
      if (x + 1 < c.width)
        add_road(arcs, pos, n, n + 1, c.speed_mps, c.speed_spread, rng);
      if (y + 1 < c.height)
        add_road(arcs, pos, n, n + c.width, c.speed_mps, c.speed_spread, rng);
    }
  return RoadNetwork::from_arcs(std::move(pos), arcs);
}

struct UnionFind {
  std::vector<uint32_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  uint32_t find(uint32_t x)
  {
    while (parent[x] != x)
      x = parent[x] = parent[parent[x]];
    return x;
  }
  void join(uint32_t a, uint32_t b) { parent[find(a)] = find(b); }
};

RoadNetwork random_geometric(const RoadNetworkConfig& c)
{
  if (c.nodes < 2 || c.nodes > 50000000)
    throw std::invalid_argument("random geometric graph: nodes must be 2..50M");
  if (!(c.side_m > 0))
    throw std::invalid_argument("random geometric graph: side must be > 0");
  const double n = c.nodes;
  // Below about side x sqrt(ln n / (pi n)) a random geometric graph falls apart (Penrose).
  const double radius = c.radius_m > 0 ? c.radius_m : 1.5 * c.side_m * std::sqrt(std::log(n) / (3.14159265358979323846 * n));
  Rng place = make_stream(c.seed, c.name, "nodes");
  std::vector<Point2> pos(c.nodes);
  for (auto& p : pos)
    p = {place.uniform01() * c.side_m, place.uniform01() * c.side_m};
  // Pairs within the radius, found through cells of side `radius`.
  const int64_t cells = std::max<int64_t>(1, std::min<int64_t>(static_cast<int64_t>(c.side_m / radius), 1 << 15));
  const double cell = c.side_m / static_cast<double>(cells);
  auto cell_of = [&](double v) { return std::min<int64_t>(cells - 1, static_cast<int64_t>(v / cell)); };
  std::unordered_map<int64_t, std::vector<NodeId>> buckets;
  for (NodeId i = 0; i < pos.size(); ++i)
    buckets[cell_of(pos[i].y) * cells + cell_of(pos[i].x)].push_back(i);
  std::vector<std::pair<NodeId, NodeId>> roads;
  for (NodeId i = 0; i < pos.size(); ++i) {
    const int64_t cx = cell_of(pos[i].x), cy = cell_of(pos[i].y);
    for (int64_t y = std::max<int64_t>(0, cy - 1); y <= std::min(cells - 1, cy + 1); ++y)
      for (int64_t x = std::max<int64_t>(0, cx - 1); x <= std::min(cells - 1, cx + 1); ++x) {
        auto it = buckets.find(y * cells + x);
        if (it == buckets.end())
          continue;
        for (NodeId j : it->second)
          if (j > i && distance(pos[i], pos[j]) <= radius)
            roads.emplace_back(i, j);
      }
  }
  // Keep the largest connected piece, so that every placed point can reach every other.
  UnionFind uf(pos.size());
  for (auto [a, b] : roads)
    uf.join(a, b);
  std::vector<uint32_t> size(pos.size(), 0);
  for (NodeId i = 0; i < pos.size(); ++i)
    ++size[uf.find(i)];
  const uint32_t big = static_cast<uint32_t>(std::max_element(size.begin(), size.end()) - size.begin());
  std::vector<NodeId> renumber(pos.size(), UINT32_MAX);
  std::vector<Point2> kept;
  for (NodeId i = 0; i < pos.size(); ++i)
    if (uf.find(i) == big) {
      renumber[i] = static_cast<NodeId>(kept.size());
      kept.push_back(pos[i]);
    }
  Rng speeds = make_stream(c.seed, c.name, "speeds");
  std::vector<RoadArcSpec> arcs;
  for (auto [a, b] : roads)
    if (renumber[a] != UINT32_MAX)
      add_road(arcs, kept, renumber[a], renumber[b], c.speed_mps, c.speed_spread, speeds);
  return RoadNetwork::from_arcs(std::move(kept), arcs);
}

}  // namespace

RoadNetwork RoadNetwork::generate(const RoadNetworkConfig& config)
{
  check_common(config);
  switch (config.generator) {
    case RoadNetworkConfig::Generator::Grid: return grid(config);
    case RoadNetworkConfig::Generator::RandomGeometric: return random_geometric(config);
    case RoadNetworkConfig::Generator::File: break;
  }
  throw std::invalid_argument("a road network from a file is loaded with RoadNetwork::load()");
}

std::optional<RoadNetwork> RoadNetwork::load(const std::string& path, Diagnostics& diags)
{
  struct PendingRoad {
    uint64_t from, to;
    double length, speed_kmh;
    bool oneway;
    int line, from_col, to_col;
  };
  std::unordered_map<uint64_t, NodeId> index;
  std::unordered_map<uint64_t, int> node_line;
  std::vector<Point2> pos;
  std::vector<PendingRoad> roads;
  const size_t errors_before = diags.items().size();
  const double big = 1e9;  // metres: positions, lengths
  for_each_record(path, diags, [&](const Record& r) {
    if (r.fields[0] == "node") {
      if (!record_arity(r, 4, 4, "node ID X_M Y_M", diags))
        return true;
      auto id = record_uint(r, 1, "a node id", UINT64_MAX, diags);
      auto x = record_number(r, 2, "an x position in metres", -big, big, diags);
      auto y = record_number(r, 3, "a y position in metres", -big, big, diags);
      if (!id || !x || !y)
        return true;
      if (auto [it, fresh] = node_line.emplace(*id, r.line); !fresh) {
        diags.error(r.loc(1), "", fmt::format("expected each node once, got node {} again (first at line {})", *id,
                                              it->second));
        return true;
      }
      index.emplace(*id, static_cast<NodeId>(pos.size()));
      pos.push_back({*x, *y});
      return true;
    }
    if (!record_arity(r, 4, 5, "FROM TO LENGTH_M SPEED_KMH [oneway]", diags))
      return true;
    auto from = record_uint(r, 0, "a node id", UINT64_MAX, diags);
    auto to = record_uint(r, 1, "a node id", UINT64_MAX, diags);
    auto length = record_number(r, 2, "a length in metres", 1e-3, big, diags);
    auto speed = record_number(r, 3, "a speed in km/h", 1e-3, 2000, diags);
    bool oneway = false;
    if (r.fields.size() == 5) {
      if (r.fields[4] != "oneway")
        diags.error(r.loc(4), "", fmt::format("expected 'oneway' or nothing, got '{}'", r.fields[4]));
      oneway = true;
    }
    if (from && to && length && speed)
      roads.push_back({*from, *to, *length, *speed, oneway, r.line, r.cols[0], r.cols[1]});
    return true;
  });
  if (diags.items().size() != errors_before)
    return std::nullopt;
  std::vector<RoadArcSpec> arcs;
  for (const auto& road : roads) {
    auto a = index.find(road.from), b = index.find(road.to);
    if (a == index.end() || b == index.end()) {
      const bool first = a == index.end();
      diags.error({path, road.line, first ? road.from_col : road.to_col}, "",
                  fmt::format("expected a node declared by a 'node ID X Y' line, got {}", first ? road.from : road.to));
      continue;
    }
    const double time = road.length / (road.speed_kmh / 3.6);
    arcs.push_back({a->second, b->second, road.length, time});
    if (!road.oneway)
      arcs.push_back({b->second, a->second, road.length, time});
  }
  if (pos.empty())
    diags.error({path, 0, 0}, "", "expected at least one 'node ID X_M Y_M' line");
  if (diags.items().size() != errors_before)
    return std::nullopt;
  return RoadNetwork::from_arcs(std::move(pos), arcs);
}

}  // namespace archsim
