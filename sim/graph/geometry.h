#pragma once
// Planar geometry in metres, shared by the road network and the proximity indexes. Positions
// are projected coordinates (x east, y north); distances are Euclidean, which is what a city-
// sized area needs (the cheatsheet's Haversine matters only across hundreds of kilometres).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace archsim {

struct Point2 {
  double x = 0, y = 0;
};

inline double distance(Point2 a, Point2 b) { return std::hypot(a.x - b.x, a.y - b.y); }

struct Box {
  Point2 min, max;
  bool contains(Point2 p) const { return p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y; }
  // Distance from p to the nearest point of the box (0 inside).
  double distance_to(Point2 p) const
  {
    const double dx = std::max({min.x - p.x, 0.0, p.x - max.x});
    const double dy = std::max({min.y - p.y, 0.0, p.y - max.y});
    return std::hypot(dx, dy);
  }
};

// "611m", "1.22km": three significant digits, for messages and descriptions.
inline std::string format_length(double metres)
{
  char buf[32];
  if (std::fabs(metres) >= 1000)
    std::snprintf(buf, sizeof buf, "%.3gkm", metres / 1000);
  else
    std::snprintf(buf, sizeof buf, "%.3gm", metres);
  return buf;
}

}  // namespace archsim
