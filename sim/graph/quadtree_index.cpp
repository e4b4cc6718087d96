#include "sim/graph/quadtree_index.h"

#include <algorithm>
#include <cassert>
#include <fmt/format.h>
#include <stdexcept>

#include "sim/graph/geohash_index.h"

namespace archsim {

QuadtreeIndex::QuadtreeIndex(const Box& bounds, uint32_t leaf_capacity, uint32_t max_depth)
    : leaf_capacity_(leaf_capacity), max_depth_(max_depth)
{
  if (leaf_capacity < 1 || max_depth < 1 || max_depth > 40)
    throw std::invalid_argument("quadtree: leaf capacity must be >= 1 and max depth 1..40");
  // A square root (cells stay square) a little larger than the bounds.
  const double side = std::max({bounds.max.x - bounds.min.x, bounds.max.y - bounds.min.y, 1.0}) * 1.001;
  Node root;
  root.box = {bounds.min, {bounds.min.x + side, bounds.min.y + side}};
  nodes_.push_back(root);
}

int QuadtreeIndex::quadrant(Point2 center, Point2 p)
{
  return (p.x >= center.x ? 1 : 0) | (p.y >= center.y ? 2 : 0);
}

Box QuadtreeIndex::quadrant_box(const Box& b, Point2 center, int q)
{
  Box out = b;
  (q & 1 ? out.min.x : out.max.x) = center.x;
  (q & 2 ? out.min.y : out.max.y) = center.y;
  return out;
}

bool QuadtreeIndex::holds(const Box& b, Point2 p)
{
  return p.x >= b.min.x && p.x < b.max.x && p.y >= b.min.y && p.y < b.max.y;
}

int32_t QuadtreeIndex::allocate_children(Box parent, Point2 center)
{
  int32_t first;
  if (!free_.empty()) {
    first = free_.back();
    free_.pop_back();
  } else {
    first = static_cast<int32_t>(nodes_.size());
    nodes_.resize(nodes_.size() + 4);
  }
  for (int q = 0; q < 4; ++q) {
    Node& c = nodes_[static_cast<size_t>(first + q)];
    c.box = quadrant_box(parent, center, q);
    c.child = -1;
    c.points.clear();
  }
  return first;
}

void QuadtreeIndex::grow_to(Point2 p)
{
  // Double the root towards p until p is inside; the old root becomes one quadrant of the new.
  while (!holds(nodes_[0].box, p)) {
    const Box old = nodes_[0].box;
    const double side = old.max.x - old.min.x;
    Box grown = old;
    Point2 center;  // the old root's corner that faces p: exactly where the quadrants meet
    if (p.x < old.min.x) {
      grown.min.x -= side;
      center.x = old.min.x;
    } else {
      grown.max.x += side;
      center.x = old.max.x;
    }
    if (p.y < old.min.y) {
      grown.min.y -= side;
      center.y = old.min.y;
    } else {
      grown.max.y += side;
      center.y = old.max.y;
    }
    Node moved = std::move(nodes_[0]);
    const int32_t first = allocate_children(grown, center);
    const int q = quadrant(center, old.min);
    moved.box = nodes_[static_cast<size_t>(first + q)].box;  // the same box, from the same numbers
    nodes_[static_cast<size_t>(first + q)] = std::move(moved);
    nodes_[0] = Node{};
    nodes_[0].box = grown;
    nodes_[0].center = center;
    nodes_[0].child = first;
  }
}

void QuadtreeIndex::split(int32_t node, uint32_t depth)
{
  if (nodes_[static_cast<size_t>(node)].points.size() <= leaf_capacity_ || depth >= max_depth_)
    return;
  const Box box = nodes_[static_cast<size_t>(node)].box;
  const Point2 center{0.5 * (box.min.x + box.max.x), 0.5 * (box.min.y + box.max.y)};
  const int32_t first = allocate_children(box, center);
  Node& n = nodes_[static_cast<size_t>(node)];  // after allocation: nodes_ may have moved
  n.child = first;
  n.center = center;
  std::vector<PointId> pts;
  pts.swap(n.points);
  for (PointId id : pts)
    nodes_[static_cast<size_t>(first + quadrant(center, pos_[id]))].points.push_back(id);
  for (int q = 0; q < 4; ++q)
    split(first + q, depth + 1);
}

void QuadtreeIndex::insert(PointId id, Point2 p)
{
  if (id >= pos_.size()) {
    pos_.resize(id + 1);
    present_.resize(id + 1, 0);
  }
  assert(!present_[id]);
  pos_[id] = p;
  present_[id] = 1;
  ++count_;
  grow_to(p);
  int32_t node = 0;
  uint32_t depth = 0;
  while (nodes_[static_cast<size_t>(node)].child >= 0) {
    const Node& n = nodes_[static_cast<size_t>(node)];
    node = n.child + quadrant(n.center, p);
    ++depth;
  }
  nodes_[static_cast<size_t>(node)].points.push_back(id);
  split(node, depth);
}

bool QuadtreeIndex::try_merge(int32_t node)
{
  Node& n = nodes_[static_cast<size_t>(node)];
  size_t total = 0;
  for (int q = 0; q < 4; ++q) {
    const Node& c = nodes_[static_cast<size_t>(n.child + q)];
    if (c.child >= 0)
      return false;
    total += c.points.size();
  }
  if (total > leaf_capacity_ / 2)
    return false;
  for (int q = 0; q < 4; ++q) {
    Node& c = nodes_[static_cast<size_t>(n.child + q)];
    n.points.insert(n.points.end(), c.points.begin(), c.points.end());
    c.points.clear();
  }
  free_.push_back(n.child);
  n.child = -1;
  return true;
}

void QuadtreeIndex::remove(PointId id)
{
  assert(id < present_.size() && present_[id]);
  std::vector<int32_t> path{0};
  while (nodes_[static_cast<size_t>(path.back())].child >= 0) {
    const Node& n = nodes_[static_cast<size_t>(path.back())];
    path.push_back(n.child + quadrant(n.center, pos_[id]));
  }
  auto& pts = nodes_[static_cast<size_t>(path.back())].points;
  pts.erase(std::find(pts.begin(), pts.end(), id));
  present_[id] = 0;
  --count_;
  for (size_t i = path.size() - 1; i-- > 0;)
    if (!try_merge(path[i]))
      break;
}

void QuadtreeIndex::move(PointId id, Point2 p)
{
  remove(id);
  insert(id, p);
}

ProximityResult QuadtreeIndex::within(Point2 c, double r) const
{
  ProximityResult out;
  std::vector<int32_t> stack{0};
  while (!stack.empty()) {
    const Node& n = nodes_[static_cast<size_t>(stack.back())];
    stack.pop_back();
    ++out.cells_examined;
    if (n.box.distance_to(c) > r)
      continue;
    if (n.child >= 0) {
      for (int q = 0; q < 4; ++q)
        stack.push_back(n.child + q);
      continue;
    }
    for (PointId id : n.points) {
      ++out.points_examined;
      if (distance(pos_[id], c) <= r)
        out.points.push_back(id);
    }
  }
  return out;
}

std::string QuadtreeIndex::describe() const
{
  return fmt::format("quadtree(leaf capacity {}, max depth {}, {} nodes)", leaf_capacity_, max_depth_, node_count());
}

std::unique_ptr<ProximityIndex> make_proximity_index(const ProximityConfig& config, const Box& bounds)
{
  if (config.kind == ProximityConfig::Kind::Quadtree)
    return std::make_unique<QuadtreeIndex>(bounds, config.leaf_capacity, config.max_depth);
  return std::make_unique<GeohashIndex>(config.geohash_precision);
}

}  // namespace archsim
