#pragma once
// Geohash cells over planar metres: the plane is treated as an equirectangular map of the globe
// around (0 deg, 0 deg), so a cell of precision p is the geohash cell of p characters at the
// equator (40075 km / 2^ceil(5p/2) wide, 20004 km / 2^floor(5p/2) high). A query looks up every
// cell that the circle's bounding box overlaps (or scans the non-empty cells when that is fewer)
// and checks the points in them: the work grows with (radius / cell)^2 plus the points nearby,
// which is the trade-off of choosing a precision. What it abstracts away: the sphere (distortion
// away from the equator) and the 9-cell neighbour search that stores such as Redis use instead
// of an exact cover.
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/graph/proximity_index.h"

namespace archsim {

// The standard geohash string of a planar point (base32, `precision` characters), e.g.
// {1, 1} -> "s00000" at precision 6. Usable as a key by models (GEOADD-like buckets).
std::string geohash(Point2 p, int precision);

class GeohashIndex : public ProximityIndex {
 public:
  explicit GeohashIndex(int precision);  // 1..12
  void insert(PointId id, Point2 p) override;
  void move(PointId id, Point2 p) override;
  void remove(PointId id) override;
  ProximityResult within(Point2 center, double radius) const override;
  size_t size() const override { return count_; }
  std::string describe() const override;
  double cell_width() const { return cell_w_; }
  double cell_height() const { return cell_h_; }

 private:
  struct Slot {
    Point2 pos;
    uint64_t cell = 0;
    uint32_t index = 0;  // position in its cell's vector
    bool present = false;
  };
  int64_t column(double x) const;
  int64_t row(double y) const;
  uint64_t key(int64_t col, int64_t row) const { return (static_cast<uint64_t>(col) << y_bits_) | static_cast<uint64_t>(row); }
  void scan_cell(const std::vector<PointId>& ids, Point2 c, double r, ProximityResult& out) const;

  int precision_, x_bits_, y_bits_;
  double cell_w_, cell_h_;
  std::unordered_map<uint64_t, std::vector<PointId>> cells_;
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace archsim
