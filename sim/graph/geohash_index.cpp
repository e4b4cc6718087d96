#include "sim/graph/geohash_index.h"

#include <cassert>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>


namespace archsim {

namespace {
constexpr double kEquator = 40075016.686;  // metres: 360 degrees of longitude at the equator
constexpr double kMeridian = 20037508.343; // metres: 180 degrees of latitude
constexpr char kBase32[] = "0123456789bcdefghjkmnpqrstuvwxyz";

int x_bits_for(int precision) { return (5 * precision + 1) / 2; }
int y_bits_for(int precision) { return 5 * precision / 2; }

int64_t cell_of(double v, double half_extent, int bits)
{
  const double cells = std::ldexp(1.0, bits);
  const double c = std::floor((v + half_extent) / (2 * half_extent) * cells);
  return static_cast<int64_t>(std::clamp(c, 0.0, cells - 1));
}
}  // namespace

std::string geohash(Point2 p, int precision)
{
  const int xb = x_bits_for(precision), yb = y_bits_for(precision);
  const uint64_t col = static_cast<uint64_t>(cell_of(p.x, kEquator / 2, xb));
  const uint64_t row = static_cast<uint64_t>(cell_of(p.y, kMeridian / 2, yb));
  // Interleave from the most significant bit, longitude first, then cut in 5-bit characters.
  std::string out;
  int xi = xb, yi = yb, bit = 0, value = 0;
  for (int i = 0; i < 5 * precision; ++i) {
    const bool use_x = (i % 2 == 0);
    const uint64_t b = use_x ? (col >> --xi) & 1 : (row >> --yi) & 1;
    value = (value << 1) | static_cast<int>(b);
    if (++bit == 5) {
      out += kBase32[value];
      bit = value = 0;
    }
  }
  return out;
}

GeohashIndex::GeohashIndex(int precision)
    : precision_(precision), x_bits_(x_bits_for(precision)), y_bits_(y_bits_for(precision))
{
  if (precision < 1 || precision > 12)
    throw std::invalid_argument(fmt::format("geohash precision must be 1 to 12 characters, got {}", precision));
  cell_w_ = kEquator / std::ldexp(1.0, x_bits_);
  cell_h_ = kMeridian / std::ldexp(1.0, y_bits_);
}

int64_t GeohashIndex::column(double x) const { return cell_of(x, kEquator / 2, x_bits_); }
int64_t GeohashIndex::row(double y) const { return cell_of(y, kMeridian / 2, y_bits_); }

void GeohashIndex::insert(PointId id, Point2 p)
{
  if (id >= slots_.size())
    slots_.resize(id + 1);
  Slot& s = slots_[id];
  assert(!s.present);
  s.pos = p;
  s.cell = key(column(p.x), row(p.y));
  auto& ids = cells_[s.cell];
  s.index = static_cast<uint32_t>(ids.size());
  ids.push_back(id);
  s.present = true;
  ++count_;
}

void GeohashIndex::remove(PointId id)
{
  Slot& s = slots_.at(id);
  assert(s.present);
  auto it = cells_.find(s.cell);
  auto& ids = it->second;
  const PointId last = ids.back();
  ids[s.index] = last;  // swap with the last one: O(1)
  slots_[last].index = s.index;
  ids.pop_back();
  if (ids.empty())
    cells_.erase(it);
  s.present = false;
  --count_;
}

void GeohashIndex::move(PointId id, Point2 p)
{
  Slot& s = slots_.at(id);
  const uint64_t cell = key(column(p.x), row(p.y));
  if (cell == s.cell) {
    s.pos = p;  // same cell: nothing to re-file
    return;
  }
  remove(id);
  insert(id, p);
}

void GeohashIndex::scan_cell(const std::vector<PointId>& ids, Point2 c, double r, ProximityResult& out) const
{
  for (PointId id : ids) {
    ++out.points_examined;
    if (distance(slots_[id].pos, c) <= r)
      out.points.push_back(id);
  }
}

ProximityResult GeohashIndex::within(Point2 c, double r) const
{
  ProximityResult out;
  const int64_t c0 = column(c.x - r), c1 = column(c.x + r);
  const int64_t r0 = row(c.y - r), r1 = row(c.y + r);
  const double box_cells = static_cast<double>(c1 - c0 + 1) * static_cast<double>(r1 - r0 + 1);
  if (box_cells > static_cast<double>(cells_.size())) {
    // A radius much larger than a cell: scanning the occupied cells is less work.
    for (const auto& [cell, ids] : cells_) {
      ++out.cells_examined;
      const int64_t col = static_cast<int64_t>(cell >> y_bits_);
      const int64_t rw = static_cast<int64_t>(cell & ((uint64_t{1} << y_bits_) - 1));
      if (col >= c0 && col <= c1 && rw >= r0 && rw <= r1)
        scan_cell(ids, c, r, out);
    }
    return out;
  }
  for (int64_t col = c0; col <= c1; ++col)
    for (int64_t rw = r0; rw <= r1; ++rw) {
      ++out.cells_examined;
      auto it = cells_.find(key(col, rw));
      if (it != cells_.end())
        scan_cell(it->second, c, r, out);
    }
  return out;
}

std::string GeohashIndex::describe() const
{
  return fmt::format("geohash(precision {}, cells {} x {})", precision_, format_length(cell_w_),
                     format_length(cell_h_));
}

}  // namespace archsim
