#pragma once
// Plots as inline SVG, drawn by archsim for report.html: no script, no font or image to fetch,
// so the page reads the same offline, in a mail attachment or in ten years. Two kinds: a line
// plot (linear or log axes, polylines that break at missing values, step curves for CDFs,
// markers, shaded x-intervals with labels for warm-up and faults, labelled vertical lines for a
// knee) and a grouped bar chart with confidence-interval whiskers. Every text is escaped.
//
// Output shape, which the tests and the browser test rely on: one <svg class="plot"> per plot;
// each drawn curve segment is a <polyline class="series" points="x,y x,y ...">, each bar a
// <rect class="bar">, each shaded interval a <rect class="shade ...">, each vertical line a
// <line class="vline">.
#include <optional>
#include <string>
#include <vector>

#include "analysis/svg_axis.h"
#include "sim/core/units.h"

namespace archsim::svg {

struct Axis {
  std::string label;
  Unit unit   = Unit::Number;  // tick labels
  Scale scale = Scale::Linear;
  std::optional<double> min, max;  // bounds; default: the data's (a linear y axis starts at 0)
};

struct Series {
  std::string name;
  std::vector<double> x, y;  // a NaN y (or a value a log axis cannot show) breaks the line
  bool step    = false;      // a staircase: y holds until the next x (CDFs)
  bool markers = false;      // a dot on every point
  bool dashed  = false;
  int colour   = -1;         // palette index; -1: the series' position
};

struct Shade {
  double from = 0, to = 0;
  std::string label;
  bool fault = false;  // faults are red, other intervals (warm-up) grey
};

struct VLine {
  double x = 0;
  std::string label;
};

constexpr double kDefaultPlotWidth = 960;  // SVG units; the page scales a plot down, never up

struct LinePlot {
  std::string title;
  double width = kDefaultPlotWidth;
  Axis x, y;
  std::vector<Series> series;
  std::vector<Shade> shades;
  std::vector<VLine> vlines;
  bool taper = false;  // earlier series drawn wider, so that curves which coincide all show
};

struct BarValue {
  double value = 0;
  std::optional<double> lo, hi;  // the whisker (a 95% confidence interval)
};

struct BarChart {
  std::string title;
  double width = kDefaultPlotWidth;
  Axis y;
  std::vector<std::string> groups;  // along x
  std::vector<std::string> series;  // one bar per series in every group (the legend)
  std::vector<int> colours;         // palette index per series; empty: by position
  std::vector<std::vector<std::optional<BarValue>>> values;  // [group][series]; none: no bar
};

std::string render_line_plot(const LinePlot& plot);
std::string render_bar_chart(const BarChart& chart);

// The colour of palette index i (cycles; colour-blind-safe Tableau 10).
const char* palette(int i);

}  // namespace archsim::svg
