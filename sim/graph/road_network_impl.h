#pragma once
// Private to road_network*.cpp: the Boost.Graph representation of a RoadNetwork (a compressed
// sparse row graph with bundled arc properties), the node grid behind nearest_node(), and the
// search state reused between route() queries.
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <vector>

#include "sim/graph/road_network.h"

namespace archsim {

struct RoadArc {
  double time_s = 0;
  double length_m = 0;
};

using RoadGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, RoadArc,
                                                     boost::no_property, uint32_t, uint32_t>;

// Nodes bucketed in square cells of about one node each, searched ring by ring.
class NodeGrid {
 public:
  void build(const std::vector<Point2>& pos, const Box& bounds);
  NodeId nearest(const std::vector<Point2>& pos, Point2 p) const;

 private:
  Box bounds_;
  double cell_ = 1;
  int64_t cols_ = 1, rows_ = 1;
  std::vector<uint32_t> start_;  // CSR over cells
  std::vector<NodeId> nodes_;
};

struct RoadNetwork::Impl {
  RoadGraph graph;
  std::vector<Point2> pos;
  Box bounds;
  double sec_per_m = 0;
  NodeGrid grid;
  // Search state, all entries at their initial value between queries.
  mutable std::vector<double> dist, cost;
  mutable std::vector<NodeId> pred;
  mutable std::vector<boost::default_color_type> color;
  mutable std::vector<NodeId> touched;
};

}  // namespace archsim
