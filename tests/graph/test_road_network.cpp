// Road network: routes are shortest paths (Dijkstra == A* == Floyd-Warshall), A* does less work,
// nearest_node and the proximity indexes return exactly what a brute-force scan returns, and
// files load or fail with positions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <tuple>
#include <vector>

#include "sim/core/rng.h"
#include "sim/graph/geohash_index.h"
#include "sim/graph/point_set.h"
#include "sim/graph/quadtree_index.h"
#include "sim/graph/road_network.h"

using namespace archsim;

namespace {

RoadNetworkConfig grid_config(uint32_t w, uint32_t h, double spread)
{
  RoadNetworkConfig c;
  c.width = w;
  c.height = h;
  c.spacing_m = 100;
  c.speed_spread = spread;
  c.seed = 5;
  return c;
}

RoadNetworkConfig rgg_config(uint32_t n, uint64_t seed)
{
  RoadNetworkConfig c;
  c.generator = RoadNetworkConfig::Generator::RandomGeometric;
  c.nodes = n;
  c.side_m = 5000;
  c.speed_spread = 0.5;
  c.seed = seed;
  return c;
}

std::vector<std::vector<double>> floyd(const RoadNetwork& net)
{
  const size_t n = net.node_count();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> d(n, std::vector<double>(n, inf));
  for (NodeId u = 0; u < n; ++u) {
    d[u][u] = 0;
    for (const auto& a : net.arcs_from(u))
      d[u][a.to] = std::min(d[u][a.to], a.time_s);
  }
  for (size_t k = 0; k < n; ++k)
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        d[i][j] = std::min(d[i][j], d[i][k] + d[k][j]);
  return d;
}

std::set<PointId> brute_force(const PointSet& pts, Point2 c, double r)
{
  std::set<PointId> out;
  for (PointId i = 0; i < pts.size(); ++i)
    if (distance(pts.position(i), c) <= r)
      out.insert(i);
  return out;
}

std::set<PointId> as_set(const ProximityResult& r) { return {r.points.begin(), r.points.end()}; }

std::string write_temp(const std::string& name, const std::string& text)
{
  const std::string path = "/tmp/archsim_test_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("road network: Dijkstra and A* give the Floyd-Warshall travel times on small graphs")
{
  for (const auto& net : {RoadNetwork::generate(grid_config(7, 6, 0.6)), RoadNetwork::generate(rgg_config(60, 3))}) {
    const auto d = floyd(net);
    for (NodeId a = 0; a < net.node_count(); ++a)
      for (NodeId b = 0; b < net.node_count(); ++b) {
        const Route dj = net.route(a, b, RouteAlgorithm::Dijkstra, true);
        const Route as = net.route(a, b, RouteAlgorithm::AStar, true);
        REQUIRE(dj.reachable);
        REQUIRE(as.reachable);
        CHECK(dj.time_s == Approx(d[a][b]).epsilon(1e-9));
        CHECK(as.time_s == Approx(d[a][b]).epsilon(1e-9));
        // The path is consistent with the reported hops and ends.
        CHECK(dj.path.size() == dj.hops + 1);
        CHECK(as.path.front() == a);
        CHECK(as.path.back() == b);
      }
  }
}

TEST_CASE("road network: A* settles fewer nodes than Dijkstra on a grid")
{
  const auto net = RoadNetwork::generate(grid_config(60, 60, 0.2));
  // Towards a target along an axis the straight line guides well; on a diagonal the heuristic
  // (Euclidean) is weaker against Manhattan streets but still prunes.
  for (const auto& [x, y, factor] : {std::tuple{55, 3, 3.0}, std::tuple{40, 30, 1.5}}) {
    const NodeId to = static_cast<NodeId>(y * 60 + x);
    const Route dj = net.route(0, to, RouteAlgorithm::Dijkstra);
    const Route as = net.route(0, to, RouteAlgorithm::AStar);
    INFO("to (" << x << ", " << y << "): A* " << as.nodes_settled << ", Dijkstra " << dj.nodes_settled);
    CHECK(as.time_s == Approx(dj.time_s).epsilon(1e-9));
    CHECK(double(as.nodes_settled) * factor < double(dj.nodes_settled));
    CHECK(dj.hops >= static_cast<uint32_t>(x + y));  // at least the Manhattan distance in blocks
  }
}

TEST_CASE("road network: the search state is reset, so a query does not depend on earlier ones")
{
  const auto net = RoadNetwork::generate(rgg_config(2000, 9));
  const Route first = net.route(10, 1500);
  for (NodeId i = 0; i < 50; ++i) {
    net.route(i, 1999 - i, RouteAlgorithm::Dijkstra);
    net.route(1999 - i, i, RouteAlgorithm::AStar);
  }
  const Route again = net.route(10, 1500);
  CHECK(again.time_s == first.time_s);
  CHECK(again.nodes_settled == first.nodes_settled);
  CHECK(again.hops == first.hops);
}

TEST_CASE("road network: a random geometric graph keeps its largest piece, so every node is reachable")
{
  const auto net = RoadNetwork::generate(rgg_config(3000, 11));
  CHECK(net.node_count() > 2900);
  Rng rng(1);
  for (int i = 0; i < 30; ++i) {
    const NodeId b = static_cast<NodeId>(rng.below(net.node_count()));
    CHECK(net.route(0, b).reachable);
  }
}

TEST_CASE("road network: the same seed gives the same network and another seed a different one")
{
  const auto a = RoadNetwork::generate(rgg_config(500, 1));
  const auto b = RoadNetwork::generate(rgg_config(500, 1));
  const auto c = RoadNetwork::generate(rgg_config(500, 2));
  REQUIRE(a.node_count() == b.node_count());
  CHECK(a.arc_count() == b.arc_count());
  CHECK(a.position(17).x == b.position(17).x);
  CHECK(a.route(0, 100).time_s == b.route(0, 100).time_s);
  CHECK(a.position(17).x != c.position(17).x);
}

TEST_CASE("road network: nearest_node is the brute-force nearest, inside and outside the area")
{
  const auto net = RoadNetwork::generate(rgg_config(1500, 4));
  Rng rng(2);
  for (int i = 0; i < 500; ++i) {
    const Point2 p{rng.uniform01() * 7000 - 1000, rng.uniform01() * 7000 - 1000};
    double best = 1e300;
    for (NodeId n = 0; n < net.node_count(); ++n)
      best = std::min(best, distance(net.position(n), p));
    CHECK(distance(net.position(net.nearest_node(p)), p) == best);
  }
}

TEST_CASE("proximity: geohash cells and the quadtree return the brute-force set, before and after moves")
{
  const auto net = RoadNetwork::generate(rgg_config(3000, 6));
  ProximityConfig geo;
  geo.geohash_precision = 7;  // 153 m cells
  ProximityConfig quad;
  quad.kind = ProximityConfig::Kind::Quadtree;
  quad.leaf_capacity = 8;
  for (const auto& cfg : {geo, quad}) {
    PointSet drivers = net.place_points(2000, 7, cfg, "drivers");
    Rng rng(3);
    for (int round = 0; round < 2; ++round) {
      for (int q = 0; q < 150; ++q) {
        const Point2 c{rng.uniform01() * 5000, rng.uniform01() * 5000};
        const double r = 50 + rng.uniform01() * 800;
        const auto got = drivers.within(c, r);
        CHECK(as_set(got) == brute_force(drivers, c, r));
        CHECK(got.points_examined >= got.points.size());
      }
      // Drivers move: half go to another node, some leave the roads entirely.
      for (PointId id = 0; id < drivers.size(); id += 2)
        drivers.move_to_node(id, static_cast<NodeId>(rng.below(net.node_count())));
      for (PointId id = 1; id < drivers.size(); id += 50)
        drivers.move_to(id, {rng.uniform01() * 9000 - 2000, rng.uniform01() * 9000 - 2000});
    }
  }
}

TEST_CASE("proximity: the work done grows with the radius and the precision trades cells for points")
{
  const auto net = RoadNetwork::generate(grid_config(100, 100, 0));  // 10 x 10 km
  ProximityConfig coarse, fine;
  coarse.geohash_precision = 5;  // 4.9 km cells
  fine.geohash_precision = 7;    // 153 m cells
  const PointSet a = net.place_points(5000, 1, coarse);
  const PointSet b = net.place_points(5000, 1, fine);
  const Point2 center{5000, 5000};
  const auto small_coarse = a.within(center, 300), small_fine = b.within(center, 300);
  const auto large_fine = b.within(center, 2000);
  CHECK(as_set(small_coarse) == as_set(small_fine));
  CHECK(small_coarse.points_examined > 5 * small_fine.points_examined);  // coarse cells: many points
  CHECK(small_fine.cells_examined > small_coarse.cells_examined);         // fine cells: many lookups
  CHECK(large_fine.cells_examined > 10 * small_fine.cells_examined);
}

TEST_CASE("proximity: geohash strings and cell sizes are the standard ones")
{
  CHECK(geohash({1, 1}, 6) == "s00000");
  CHECK(geohash({-1, -1}, 6) == "7zzzzz");
  CHECK(geohash({-1, 1}, 1) == "e");
  const GeohashIndex idx(6);
  CHECK(idx.cell_width() == Approx(1222.99).epsilon(1e-4));
  CHECK(idx.cell_height() == Approx(611.50).epsilon(1e-4));
}

TEST_CASE("proximity: a quadtree merges empty leaves when points move away")
{
  QuadtreeIndex tree({{0, 0}, {10000, 10000}}, 4, 24);
  Rng rng(8);
  for (PointId i = 0; i < 2000; ++i)
    tree.insert(i, {rng.uniform01() * 1000, rng.uniform01() * 1000});
  const size_t clustered = tree.node_count();
  for (PointId i = 0; i < 2000; ++i)
    tree.move(i, {9000 + rng.uniform01() * 1000, 9000 + rng.uniform01() * 1000});
  CHECK(tree.size() == 2000);
  CHECK(tree.node_count() < clustered + clustered / 2);
  CHECK(tree.within({500, 500}, 700).points.empty());
  CHECK(tree.within({9500, 9500}, 2000).points.size() == 2000);
  tree.insert(2000, {-50000, 3000});  // far outside: the root grows
  CHECK(tree.within({-50000, 3000}, 1).points == std::vector<PointId>{2000});
}

TEST_CASE("road network: an edge-list file loads with one-way roads")
{
  const std::string path = write_temp("roads.txt",
                                      "# a triangle with a one-way side\n"
                                      "node 10 0 0\nnode 20 1000 0\nnode 30 1000 1000\n"
                                      "10 20 1000 36        # 100 s\n"
                                      "20 30 1000 36\n"
                                      "30 10 1500 54 oneway # 100 s, only towards 10\n");
  Diagnostics diags;
  const auto net = RoadNetwork::load(path, diags);
  INFO(diags.str());
  REQUIRE(net);
  CHECK(net->node_count() == 3);
  CHECK(net->arc_count() == 5);
  CHECK(net->route(2, 0).time_s == Approx(100));  // the one-way road
  CHECK(net->route(0, 2).time_s == Approx(200));  // not against it
  CHECK(net->route(0, 2, RouteAlgorithm::Dijkstra).time_s == Approx(200));
  CHECK(net->route(0, 2).length_m == Approx(2000));
  CHECK(net->route(1, 1).time_s == 0);
}

TEST_CASE("road network: a bad edge-list file reports file:line:col for every bad line")
{
  const std::string path = write_temp("bad_roads.txt",
                                      "node 1 0 0\nnode 2 x 0\nnode 1 5 5\n"
                                      "1 3 100 50\n"
                                      "1 2 -4 50\n"
                                      "1 2 100 50 twoway\n");
  Diagnostics diags;
  CHECK_FALSE(RoadNetwork::load(path, diags));
  const std::string text = diags.str();
  INFO(text);
  CHECK_THAT(text, Catch::Contains(path + ":2:8: error: expected an x position in metres"));
  CHECK_THAT(text, Catch::Contains(path + ":3:6: error: expected each node once, got node 1 again (first at line 1)"));
  CHECK_THAT(text, Catch::Contains(path + ":5:5: error: expected a length in metres"));
  CHECK_THAT(text, Catch::Contains(path + ":6:12: error: expected 'oneway' or nothing, got 'twoway'"));
  Diagnostics unknown;
  const std::string path2 = write_temp("unknown_node.txt", "node 1 0 0\nnode 2 1 0\n1 3 100 50\n");
  CHECK_FALSE(RoadNetwork::load(path2, unknown));
  CHECK_THAT(unknown.str(), Catch::Contains(path2 + ":3:3: error: expected a node declared by a 'node ID X Y' line, got 3"));
}
