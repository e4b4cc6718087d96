#pragma once
// Points placed on a road network: drivers, couriers, distribution centres, restaurants. Each
// point sits at a position (usually a node) and can move; a proximity index (geohash cells or a
// quadtree) answers "which points are within r metres" with the work it did. Positions are
// planar metres like the network's. What it abstracts away: GPS noise and the position stream
// itself (a model decides when a point moves and calls move_to()).
#include <memory>
#include <string>
#include <vector>

#include "sim/graph/proximity_index.h"
#include "sim/graph/road_network.h"

namespace archsim {

class PointSet {
 public:
  PointSet(RoadNetwork network, const ProximityConfig& index);

  PointId add_at_node(NodeId node);
  // n points at nodes drawn uniformly, from the stream (seed, "points", purpose).
  void place_random(size_t n, uint64_t seed, const std::string& purpose);
  void move_to_node(PointId id, NodeId node);
  void move_to(PointId id, Point2 p);  // anywhere; its node becomes the nearest one

  size_t size() const { return pos_.size(); }
  Point2 position(PointId id) const { return pos_.at(id); }
  NodeId node(PointId id) const { return node_.at(id); }
  ProximityResult within(Point2 center, double radius) const { return index_->within(center, radius); }
  const ProximityIndex& index() const { return *index_; }
  const RoadNetwork& network() const { return network_; }

 private:
  RoadNetwork network_;
  std::unique_ptr<ProximityIndex> index_;
  std::vector<Point2> pos_;
  std::vector<NodeId> node_;
};

}  // namespace archsim
