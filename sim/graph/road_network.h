#pragma once
// A road network for routing and proximity (cheatsheet designs 15 local delivery, 16 Strava,
// 32 ride-sharing: "graph-based routing (OSRM) for ETAs", "filter DCs by drive time"): nodes
// are intersections at planar positions in metres, arcs are road segments with a length and a
// travel time. It is built from a grid, a random geometric graph or an edge-list file.
//
// route() runs Dijkstra or A* (Boost.Graph, stopped when the target is settled) and returns the
// travel time, the hop count and the number of nodes settled: the work a routing service does,
// which a model turns into CPU time (A* settles fewer nodes because it is guided by the straight-
// line distance at the fastest speed of the network, a bound that never overestimates).
// Search state is kept between queries and only the touched entries are reset, so a query
// costs what it settles, not the size of the network. What it abstracts away: turn costs,
// traffic that changes with time, and the contraction hierarchies that make OSRM fast (route()
// answers are exact shortest paths; a model wanting OSRM's cost can scale the settled count).
// Not thread-safe: a simulation is one thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/graph/geometry.h"
#include "sim/graph/proximity_index.h"

namespace archsim {

using NodeId = uint32_t;
class PointSet;

struct RoadNetworkConfig {
  enum class Generator { Grid, RandomGeometric, File };
  Generator generator = Generator::Grid;
  uint32_t width = 100, height = 100;  // grid: intersections across and down
  double spacing_m = 200;              // grid: block length (a 20 x 20 km city by default)
  uint32_t nodes = 10000;              // random geometric: intersections
  double side_m = 20000;               // random geometric: side of the square area
  double radius_m = 0;                 // random geometric: link radius; 0 = 1.5 x connectivity radius
  double speed_mps = 40 / 3.6;         // urban driving speed, 40 km/h
  double speed_spread = 0;             // each road's speed is uniform in [speed x (1 - spread), speed]
  std::string file;                    // File: the edge-list path
  uint64_t seed = 1;
  std::string name = "road";  // owner name of the random streams
};

struct RoadArcSpec {
  NodeId from = 0, to = 0;
  double length_m = 0, time_s = 0;
};

struct Route {
  bool reachable = false;
  double time_s = 0;           // travel time; 0 when unreachable
  double length_m = 0;
  uint32_t hops = 0;           // road segments on the route
  uint64_t nodes_settled = 0;  // nodes taken off the priority queue: the work done
  std::vector<NodeId> path;    // from source to target, when asked for
};

enum class RouteAlgorithm { Dijkstra, AStar };

class RoadNetwork {
 public:
  // Grid or random geometric graph; throws std::invalid_argument on bad parameters.
  static RoadNetwork generate(const RoadNetworkConfig& config);
  // Edge-list file: `node ID X_M Y_M` lines and `FROM TO LENGTH_M SPEED_KMH [oneway]` lines, in
  // any order, whitespace separated, # comments. Roads are two-way unless marked oneway.
  static std::optional<RoadNetwork> load(const std::string& path, Diagnostics& diags);
  // From positions and directed arcs (two-way roads are two arcs).
  static RoadNetwork from_arcs(std::vector<Point2> positions, const std::vector<RoadArcSpec>& arcs);

  size_t node_count() const;
  size_t arc_count() const;
  Point2 position(NodeId n) const;
  const Box& bounds() const;
  std::vector<RoadArcSpec> arcs_from(NodeId n) const;
  // Seconds per metre that no route beats (the A* heuristic's speed bound).
  double min_seconds_per_metre() const;

  Route route(NodeId from, NodeId to, RouteAlgorithm algorithm = RouteAlgorithm::AStar, bool with_path = false) const;
  NodeId nearest_node(Point2 p) const;
  // n points (drivers, distribution centres) at uniformly drawn nodes, indexed for proximity;
  // the stream is (seed, "points", purpose).
  PointSet place_points(size_t n, uint64_t seed, const ProximityConfig& index = {},
                        const std::string& purpose = "points") const;

  struct Impl;

 private:
  explicit RoadNetwork(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;  // shared: copies (and point sets) refer to the same network
};

}  // namespace archsim
