#pragma once
// "Which points are within r metres of here": the question of nearby-drivers (design 32),
// nearby distribution centres (15), nearby profiles (22) and Yelp (9). Two indexes answer it,
// the two the cheatsheet names: geohash cells (Redis GEO, Elasticsearch) and a quadtree. Both
// return the exact answer and the work they did (cells and points examined), which a model
// turns into CPU time; neither holds anything but point ids and positions.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/graph/geometry.h"

namespace archsim {

using PointId = uint32_t;

struct ProximityResult {
  std::vector<PointId> points;   // within the radius, in no particular order
  uint64_t cells_examined = 0;   // geohash cells looked up, or quadtree nodes visited
  uint64_t points_examined = 0;  // points whose distance was computed
};

struct ProximityConfig {
  enum class Kind { Geohash, Quadtree };
  Kind kind = Kind::Geohash;
  // Geohash characters: 5 bits each, as on the globe at the equator: 5 -> 4.9 x 4.9 km cells,
  // 6 -> 1.2 x 0.61 km, 7 -> 153 x 153 m (the standard geohash cell sizes).
  int geohash_precision = 6;
  uint32_t leaf_capacity = 16;  // quadtree: a leaf splits beyond this many points
  uint32_t max_depth = 24;      // quadtree: no split below this depth (many points at one spot)
};

class ProximityIndex {
 public:
  virtual ~ProximityIndex() = default;
  virtual void insert(PointId id, Point2 p) = 0;  // ids are small and dense (0, 1, 2, ...)
  virtual void move(PointId id, Point2 p) = 0;
  virtual void remove(PointId id) = 0;
  virtual ProximityResult within(Point2 center, double radius) const = 0;
  virtual size_t size() const = 0;
  virtual std::string describe() const = 0;
};

// `bounds` is where points are expected (the quadtree's initial root; it grows if needed).
std::unique_ptr<ProximityIndex> make_proximity_index(const ProximityConfig& config, const Box& bounds);

}  // namespace archsim
