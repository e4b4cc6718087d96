#pragma once
// A point-region quadtree: a square splits into four when it holds more than `leaf_capacity`
// points, so dense areas (downtown) get small cells and empty ones stay coarse, unlike fixed
// geohash cells. A query visits the nodes whose square meets the circle and checks the points in
// the leaves. Moving a point is a removal and an insertion; four sibling leaves that together
// fall to half the capacity merge back, so a moving fleet does not leave a trail of empty nodes.
// The root grows (doubles) when a point lands outside it. What it abstracts away: page and
// cache layout of a real on-disk index; a node visit is the unit of work.
#include <cstdint>
#include <vector>

#include "sim/graph/proximity_index.h"

namespace archsim {

class QuadtreeIndex : public ProximityIndex {
 public:
  QuadtreeIndex(const Box& bounds, uint32_t leaf_capacity, uint32_t max_depth);
  void insert(PointId id, Point2 p) override;
  void move(PointId id, Point2 p) override;
  void remove(PointId id) override;
  ProximityResult within(Point2 center, double radius) const override;
  size_t size() const override { return count_; }
  std::string describe() const override;
  size_t node_count() const { return nodes_.size() - free_.size(); }

 private:
  // Boxes are half-open, [min, max), and a node's children meet exactly at its `center`: the
  // point that routes a position is also the edge of the children's boxes, so rounding can
  // never send a point to a child whose box does not hold it.
  struct Node {
    Box box;
    Point2 center;       // where the children meet (set when the node gets children)
    int32_t child = -1;  // index of the first of four consecutive children; -1 for a leaf
    std::vector<PointId> points;
  };
  static int quadrant(Point2 center, Point2 p);
  static Box quadrant_box(const Box& b, Point2 center, int q);
  static bool holds(const Box& b, Point2 p);
  int32_t allocate_children(Box parent, Point2 center);  // by value: nodes_ may reallocate
  void grow_to(Point2 p);
  void split(int32_t node, uint32_t depth);
  bool try_merge(int32_t node);

  uint32_t leaf_capacity_, max_depth_;
  std::vector<Node> nodes_;    // nodes_[0] is the root
  std::vector<int32_t> free_;  // first indices of freed groups of four children
  std::vector<Point2> pos_;
  std::vector<uint8_t> present_;
  size_t count_ = 0;
};

}  // namespace archsim
