#include "sim/graph/point_set.h"

#include "sim/core/rng.h"

namespace archsim {

PointSet::PointSet(RoadNetwork network, const ProximityConfig& index)
    : network_(std::move(network)), index_(make_proximity_index(index, network_.bounds()))
{
}

PointId PointSet::add_at_node(NodeId node)
{
  const PointId id = static_cast<PointId>(pos_.size());
  pos_.push_back(network_.position(node));
  node_.push_back(node);
  index_->insert(id, pos_.back());
  return id;
}

void PointSet::place_random(size_t n, uint64_t seed, const std::string& purpose)
{
  // One stream per purpose, so that two point sets ("drivers", "dcs") are independent.
  Rng rng = make_stream(seed, "points", purpose);
  for (size_t i = 0; i < n; ++i)
    add_at_node(static_cast<NodeId>(rng.below(network_.node_count())));
}

void PointSet::move_to_node(PointId id, NodeId node)
{
  pos_.at(id) = network_.position(node);
  node_[id] = node;
  index_->move(id, pos_[id]);
}

void PointSet::move_to(PointId id, Point2 p)
{
  pos_.at(id) = p;
  node_[id] = network_.nearest_node(p);
  index_->move(id, p);
}

}  // namespace archsim
