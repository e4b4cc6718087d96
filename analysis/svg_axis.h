#pragma once
// The arithmetic of a plot axis, apart from drawing: the data range rounded out to readable
// bounds, tick positions (1-2-5 steps on a linear axis, decades and their 2 and 5 multiples on
// a log axis), the map from a value to a pixel, and tick labels through the one formatter of
// quantities (format_quantity), so a plot says "10ms" exactly as the tables do.
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/units.h"

namespace archsim::svg {

enum class Scale { Linear, Log };

// Text as SVG/HTML character data or attribute value: & < > " ' escaped, control characters
// other than tab and newline dropped (they are not allowed in XML).
std::string escape_xml(std::string_view text);

// Ticks of a linear axis over [lo, hi]: multiples of a 1, 2 or 5 x 10^k step, about `target`
// of them, the first <= lo and the last >= hi (so they also give the axis bounds).
std::vector<double> linear_ticks(double lo, double hi, int target = 6);
// Ticks of a log axis over [lo, hi] (0 < lo <= hi): the decades, plus their 2 and 5 multiples
// when the range spans fewer than three decades; the first <= lo and the last >= hi.
std::vector<double> log_ticks(double lo, double hi);

// One axis of a plot: the value range it shows and the pixel span it is drawn on.
class AxisMap {
 public:
  // [lo, hi] is the data range (lo == hi and, on a log axis, values <= 0 are handled: the range
  // is widened, and non-positive values are left out of the range).
  AxisMap(Scale scale, double lo, double hi, double px_from, double px_to);

  double to_px(double v) const;  // values outside the range map outside the pixel span
  bool contains(double v) const; // within the axis bounds (and > 0 on a log axis)
  double lo() const { return lo_; }
  double hi() const { return hi_; }
  const std::vector<double>& ticks() const { return ticks_; }
  Scale scale() const { return scale_; }

 private:
  double f(double v) const;  // v, or log10(v)
  Scale scale_;
  double lo_, hi_;
  double px_from_, px_to_;
  std::vector<double> ticks_;
};

// A tick label: format_quantity, except that 0 reads "0" in every unit.
std::string tick_label(double v, Unit unit);

}  // namespace archsim::svg
