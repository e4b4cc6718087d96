#include "sim/graph/road_network.h"

#include <boost/graph/astar_search.hpp>
#include <boost/graph/dijkstra_shortest_paths_no_color_map.hpp>
#include <boost/range/iterator_range.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/graph/point_set.h"
#include "sim/graph/road_network_impl.h"

namespace archsim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct TargetSettled {};

// Counts settled nodes, records touched ones (to reset them), stops at the target.
template <class Base>
struct StopAtTarget : Base {
  NodeId target;
  uint64_t* settled;
  std::vector<NodeId>* touched;
  StopAtTarget(NodeId t, uint64_t* s, std::vector<NodeId>* tv) : target(t), settled(s), touched(tv) {}
  void discover_vertex(NodeId v, const RoadGraph&) { touched->push_back(v); }
  void examine_vertex(NodeId v, const RoadGraph&)
  {
    ++*settled;
    if (v == target)
      throw TargetSettled{};
  }
};

struct StraightLine : boost::astar_heuristic<RoadGraph, double> {
  const RoadNetwork::Impl* net;
  Point2 goal;
  StraightLine(const RoadNetwork::Impl* n, Point2 g) : net(n), goal(g) {}
  double operator()(NodeId v) const { return distance(net->pos[v], goal) * net->sec_per_m; }
};

}  // namespace

void NodeGrid::build(const std::vector<Point2>& pos, const Box& bounds)
{
  bounds_ = bounds;
  const double w = std::max(bounds.max.x - bounds.min.x, 1.0), h = std::max(bounds.max.y - bounds.min.y, 1.0);
  cell_ = std::max(std::sqrt(w * h / static_cast<double>(std::max<size_t>(pos.size(), 1))), 1e-3);
  cols_ = static_cast<int64_t>(w / cell_) + 1;
  rows_ = static_cast<int64_t>(h / cell_) + 1;
  auto cell_of = [&](Point2 p) {
    const int64_t cx = std::clamp<int64_t>(static_cast<int64_t>((p.x - bounds_.min.x) / cell_), 0, cols_ - 1);
    const int64_t cy = std::clamp<int64_t>(static_cast<int64_t>((p.y - bounds_.min.y) / cell_), 0, rows_ - 1);
    return static_cast<size_t>(cy * cols_ + cx);
  };
  start_.assign(static_cast<size_t>(cols_ * rows_) + 1, 0);
  for (const Point2& p : pos)
    ++start_[cell_of(p) + 1];
  for (size_t i = 1; i < start_.size(); ++i)
    start_[i] += start_[i - 1];
  nodes_.resize(pos.size());
  std::vector<uint32_t> next(start_.begin(), start_.end() - 1);
  for (NodeId n = 0; n < pos.size(); ++n)
    nodes_[next[cell_of(pos[n])]++] = n;
}

NodeId NodeGrid::nearest(const std::vector<Point2>& pos, Point2 p) const
{
  const int64_t cx = std::clamp<int64_t>(static_cast<int64_t>(std::floor((p.x - bounds_.min.x) / cell_)), 0, cols_ - 1);
  const int64_t cy = std::clamp<int64_t>(static_cast<int64_t>(std::floor((p.y - bounds_.min.y) / cell_)), 0, rows_ - 1);
  // A point outside the grid is this far from it: cells of ring k are at least
  // hypot(k x cell, outside) away.
  const double outside = Box{bounds_.min, {bounds_.min.x + cols_ * cell_, bounds_.min.y + rows_ * cell_}}.distance_to(p);
  double best = kInf;
  NodeId best_node = 0;
  for (int64_t ring = 0; ring <= std::max(cols_, rows_); ++ring) {
    for (int64_t y = cy - ring; y <= cy + ring; ++y) {
      if (y < 0 || y >= rows_)
        continue;
      const bool edge_row = (y == cy - ring || y == cy + ring);
      for (int64_t x = cx - ring; x <= cx + ring; x += (edge_row ? 1 : 2 * ring)) {
        if (x >= 0 && x < cols_) {
          const size_t c = static_cast<size_t>(y * cols_ + x);
          for (uint32_t i = start_[c]; i < start_[c + 1]; ++i) {
            const double d = distance(pos[nodes_[i]], p);
            if (d < best || (d == best && nodes_[i] < best_node)) {
              best = d;
              best_node = nodes_[i];
            }
          }
        }
        if (ring == 0)
          break;
      }
    }
    // Cells beyond this ring are at least ring x cell away from p's cell.
    if (best <= std::hypot(static_cast<double>(ring) * cell_, outside))
      break;
  }
  return best_node;
}

RoadNetwork RoadNetwork::from_arcs(std::vector<Point2> positions, const std::vector<RoadArcSpec>& arcs)
{
  if (positions.empty())
    throw std::invalid_argument("a road network needs at least one node");
  auto impl = std::make_shared<Impl>();
  const size_t n = positions.size();
  std::vector<std::pair<NodeId, NodeId>> ends;
  std::vector<RoadArc> props;
  ends.reserve(arcs.size());
  props.reserve(arcs.size());
  double sec_per_m = kInf;
  for (const auto& a : arcs) {
    if (a.from >= n || a.to >= n || !(a.time_s > 0) || !(a.length_m >= 0))
      throw std::invalid_argument("road arc with an unknown node or a non-positive travel time");
    ends.emplace_back(a.from, a.to);
    props.push_back({a.time_s, a.length_m});
    const double straight = distance(positions[a.from], positions[a.to]);
    if (straight > 1e-9)
      sec_per_m = std::min(sec_per_m, a.time_s / straight);
  }
  impl->graph = RoadGraph(boost::edges_are_unsorted_multi_pass, ends.begin(), ends.end(), props.begin(),
                          static_cast<uint32_t>(n));
  // The heuristic must never overestimate: the fastest arc per straight-line metre bounds every
  // route from below (a network without any such arc gets no guidance: A* = Dijkstra).
  impl->sec_per_m = std::isfinite(sec_per_m) ? sec_per_m : 0;
  Box b{positions[0], positions[0]};
  for (const Point2& p : positions) {
    b.min = {std::min(b.min.x, p.x), std::min(b.min.y, p.y)};
    b.max = {std::max(b.max.x, p.x), std::max(b.max.y, p.y)};
  }
  impl->bounds = b;
  impl->pos = std::move(positions);
  impl->grid.build(impl->pos, b);
  impl->dist.assign(n, kInf);
  impl->cost.assign(n, kInf);
  impl->pred.resize(n);
  for (NodeId v = 0; v < n; ++v)
    impl->pred[v] = v;
  impl->color.assign(n, boost::white_color);
  return RoadNetwork(std::move(impl));
}

size_t RoadNetwork::node_count() const { return impl_->pos.size(); }
size_t RoadNetwork::arc_count() const { return boost::num_edges(impl_->graph); }
Point2 RoadNetwork::position(NodeId n) const { return impl_->pos.at(n); }
const Box& RoadNetwork::bounds() const { return impl_->bounds; }
double RoadNetwork::min_seconds_per_metre() const { return impl_->sec_per_m; }
NodeId RoadNetwork::nearest_node(Point2 p) const { return impl_->grid.nearest(impl_->pos, p); }

std::vector<RoadArcSpec> RoadNetwork::arcs_from(NodeId n) const
{
  std::vector<RoadArcSpec> out;
  for (auto e : boost::make_iterator_range(boost::out_edges(n, impl_->graph))) {
    const RoadArc& a = impl_->graph[e];
    out.push_back({n, boost::target(e, impl_->graph), a.length_m, a.time_s});
  }
  return out;
}

Route RoadNetwork::route(NodeId from, NodeId to, RouteAlgorithm algorithm, bool with_path) const
{
  const Impl& im = *impl_;
  if (from >= im.pos.size() || to >= im.pos.size())
    throw std::out_of_range("route: node id out of range");
  Route r;
  auto weight = boost::get(&RoadArc::time_s, im.graph);
  auto index = boost::get(boost::vertex_index, im.graph);
  im.dist[from] = 0;
  try {
    if (algorithm == RouteAlgorithm::Dijkstra) {
      StopAtTarget<boost::default_dijkstra_visitor> vis(to, &r.nodes_settled, &im.touched);
      boost::dijkstra_shortest_paths_no_color_map_no_init(im.graph, from, im.pred.data(), im.dist.data(), weight,
                                                           index, std::less<double>(), std::plus<double>(), kInf,
                                                           0.0, vis);
    } else {
      StraightLine h(&im, im.pos[to]);
      im.cost[from] = h(from);
      StopAtTarget<boost::default_astar_visitor> vis(to, &r.nodes_settled, &im.touched);
      boost::astar_search_no_init(im.graph, from, h, vis, im.pred.data(), im.cost.data(), im.dist.data(), weight,
                                  im.color.data(), index, std::less<double>(), std::plus<double>(), kInf, 0.0);
    }
  } catch (const TargetSettled&) {
    r.reachable = true;
  }
  if (r.reachable) {
    r.time_s = im.dist[to];
    // Walk the predecessors back, adding the length of the arc that the search took.
    for (NodeId v = to; v != from; v = im.pred[v]) {
      const NodeId u = im.pred[v];
      double best_time = kInf, length = 0;
      for (auto e : boost::make_iterator_range(boost::out_edges(u, im.graph)))
        if (boost::target(e, im.graph) == v && im.graph[e].time_s < best_time) {
          best_time = im.graph[e].time_s;
          length = im.graph[e].length_m;
        }
      r.length_m += length;
      ++r.hops;
      if (with_path)
        r.path.push_back(v);
    }
    if (with_path) {
      r.path.push_back(from);
      std::reverse(r.path.begin(), r.path.end());
    }
  }
  im.touched.push_back(from);
  for (NodeId v : im.touched) {
    im.dist[v] = kInf;
    im.cost[v] = kInf;
    im.pred[v] = v;
    im.color[v] = boost::white_color;
  }
  im.touched.clear();
  return r;
}

PointSet RoadNetwork::place_points(size_t n, uint64_t seed, const ProximityConfig& index,
                                   const std::string& purpose) const
{
  PointSet set(*this, index);
  set.place_random(n, seed, purpose);
  return set;
}

}  // namespace archsim
