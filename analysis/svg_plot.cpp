#include "analysis/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace archsim::svg {

namespace {

// Layout in SVG user units (the page shows them 1:1 up to the page width).
constexpr double kLeft        = 78;   // y tick labels and the y axis label
constexpr double kRight       = 24;
constexpr double kTop         = 40;   // the title
constexpr double kPlotHeight  = 250;
constexpr double kBelowPlot   = 46;   // x tick labels and the x axis label
constexpr double kLegendRow   = 18;
constexpr double kCharWidth   = 6.8;  // estimated width of a 12px sans-serif character
constexpr double kSmallChar   = 6.0;  // at 11px
constexpr int kMaxShadeRows   = 3;    // shade labels are staggered over this many rows

const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

double text_width(const std::string& s, double per_char) { return static_cast<double>(s.size()) * per_char; }

std::string num(double v) { return fmt::format("{:.1f}", v); }

struct Frame {
  explicit Frame(double w) : total(std::max(w, kLeft + kRight + 100)), right(total - kRight) {}
  double total;
  double left = kLeft, right, top = kTop, bottom = kTop + kPlotHeight;
  double width() const { return right - left; }
};

struct LegendItem {
  std::string name;
  const char* colour;
  bool dashed = false;
  bool box    = false;  // a filled square (bars) rather than a line
};

// Legend rows under the x axis label; returns its height and appends its SVG.
double legend(std::string& out, const std::vector<LegendItem>& items, const Frame& f, double y0)
{
  if (items.empty())
    return 0;
  double x = kLeft, y = y0 + kLegendRow / 2, rows = 1;
  for (const auto& item : items) {
    double w = 24 + text_width(item.name, kCharWidth) + 18;
    if (x + w > f.right && x > kLeft) {
      x = kLeft;
      y += kLegendRow;
      ++rows;
    }
    if (item.box)
      out += fmt::format(R"(<rect x="{}" y="{}" width="14" height="10" fill="{}"/>)", num(x), num(y - 5), item.colour);
    else
      out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"{}/>)", num(x),
                         num(y), num(x + 18), num(y), item.colour, item.dashed ? R"( stroke-dasharray="6 4")" : "");
    out += fmt::format(R"(<text x="{}" y="{}" dominant-baseline="middle">{}</text>)", num(x + 24), num(y),
                       escape_xml(item.name));
    x += w;
  }
  return rows * kLegendRow;
}

std::string svg_open(const std::string& title, double width, double height)
{
  return fmt::format(R"(<svg class="plot" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}" )"
                     R"(font-family="sans-serif" font-size="12" fill="#222">)",
                     num(width), num(height), num(width), num(height), escape_xml(title)) +
         fmt::format(R"(<text class="title" x="{}" y="22" font-size="14" font-weight="bold">{}</text>)", kLeft,
                     escape_xml(title));
}

// Grid lines, axis lines and tick labels.
std::string y_axis(const Frame& f, const AxisMap& y, const Axis& spec)
{
  std::string out;
  for (double t : y.ticks()) {
    double py = y.to_px(t);
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e3e3e3"/>)", num(f.left), num(py),
                       num(f.right), num(py));
    out += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>)",
                       num(f.left - 6), num(py), escape_xml(tick_label(t, spec.unit)));
  }
  double mid = (f.top + f.bottom) / 2;
  out += fmt::format(R"~(<text x="16" y="{}" text-anchor="middle" transform="rotate(-90 16 {})">{}</text>)~", num(mid),
                     num(mid), escape_xml(spec.label));
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555"/>)", num(f.left), num(f.top),
                     num(f.left), num(f.bottom));
  return out;
}

std::string x_axis(const Frame& f, const AxisMap& x, const Axis& spec)
{
  std::string out;
  // Tick labels may not fit under every tick: keep every k-th so that labels do not overlap.
  double widest = 0;
  for (double t : x.ticks())
    widest = std::max(widest, text_width(tick_label(t, spec.unit), kCharWidth));
  size_t n     = x.ticks().size();
  double slot  = n > 1 ? f.width() / static_cast<double>(n - 1) : f.width();
  size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil((widest + 8) / std::max(slot, 1.0))));
  for (size_t i = 0; i < n; ++i) {
    double t = x.ticks()[i], px = x.to_px(t);
    out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e3e3e3"/>)", num(px), num(f.top), num(px),
                       num(f.bottom));
    if (i % every == 0)
      out += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num(px), num(f.bottom + 16),
                         escape_xml(tick_label(t, spec.unit)));
  }
  out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555"/>)", num(f.left), num(f.bottom),
                     num(f.right), num(f.bottom));
  out += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num((f.left + f.right) / 2),
                     num(f.bottom + 36), escape_xml(spec.label));
  return out;
}

// A label at the top of the plot area starting at px, kept inside the plot.
std::string top_label(const Frame& f, double px, double row, const std::string& text, const char* colour)
{
  double w = text_width(text, kSmallChar);
  double y = f.top + 13 + 13 * row;
  if (px + 4 + w <= f.right)
    return fmt::format(R"(<text x="{}" y="{}" font-size="11" fill="{}">{}</text>)", num(px + 4), num(y), colour,
                       escape_xml(text));
  return fmt::format(R"(<text x="{}" y="{}" font-size="11" fill="{}" text-anchor="end">{}</text>)",
                     num(std::max(px - 4, f.left + w)), num(y), colour, escape_xml(text));
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v, Scale s)
  {
    if (!std::isfinite(v) || (s == Scale::Log && v <= 0))
      return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

AxisMap make_axis(const Axis& spec, Range r, bool from_zero, double px_from, double px_to)
{
  if (r.empty()) {
    r.lo = spec.scale == Scale::Log ? 1 : 0;
    r.hi = spec.scale == Scale::Log ? 10 : 1;
  }
  if (from_zero && spec.scale == Scale::Linear && r.lo > 0)
    r.lo = 0;
  return AxisMap(spec.scale, spec.min.value_or(r.lo), spec.max.value_or(r.hi), px_from, px_to);
}

// The polylines of one series: one per run of drawable points, in pixels, with consecutive
// duplicates (after rounding) dropped.
std::vector<std::vector<std::pair<double, double>>> segments(const Series& s, const AxisMap& x, const AxisMap& y,
                                                             const Frame& f)
{
  std::vector<std::vector<std::pair<double, double>>> out(1);
  auto drawable = [&](size_t i) {
    return i < s.y.size() && std::isfinite(s.x[i]) && std::isfinite(s.y[i]) &&
           (x.scale() == Scale::Linear || s.x[i] > 0) && (y.scale() == Scale::Linear || s.y[i] > 0);
  };
  auto push = [&](double vx, double vy) {
    double px = std::clamp(x.to_px(vx), f.left, f.right);
    double py = std::clamp(y.to_px(vy), f.top, f.bottom);
    px        = std::round(px * 10) / 10;
    py        = std::round(py * 10) / 10;
    if (out.back().empty() || out.back().back() != std::make_pair(px, py))
      out.back().emplace_back(px, py);
  };
  for (size_t i = 0; i < s.x.size(); ++i) {
    if (!drawable(i)) {
      if (!out.back().empty())
        out.emplace_back();
      continue;
    }
    if (s.step && !out.back().empty() && i > 0 && drawable(i - 1))
      push(s.x[i], s.y[i - 1]);
    push(s.x[i], s.y[i]);
  }
  if (out.back().empty())
    out.pop_back();
  return out;
}

std::string draw_series(const Series& s, const char* colour, double width, const AxisMap& x, const AxisMap& y,
                        const Frame& f)
{
  std::string out;
  for (const auto& seg : segments(s, x, y, f)) {
    std::string points;
    for (const auto& [px, py] : seg)
      points += (points.empty() ? "" : " ") + num(px) + "," + num(py);
    out += fmt::format(R"(<polyline class="series" fill="none" stroke="{}" stroke-width="{}"{} points="{}">)"
                       R"(<title>{}</title></polyline>)",
                       colour, num(width), s.dashed ? R"( stroke-dasharray="6 4")" : "", points, escape_xml(s.name));
    if (s.markers || seg.size() == 1)
      for (const auto& [px, py] : seg)
        out += fmt::format(R"(<circle class="marker" cx="{}" cy="{}" r="3.5" fill="{}"/>)", num(px), num(py), colour);
  }
  return out;
}

std::string no_data(const Frame& f)
{
  return fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" fill="#888">no data</text>)",
                     num((f.left + f.right) / 2), num((f.top + f.bottom) / 2));
}

}  // namespace

const char* palette(int i)
{
  constexpr int n = static_cast<int>(sizeof(kPalette) / sizeof(kPalette[0]));
  return kPalette[((i % n) + n) % n];
}

std::string render_line_plot(const LinePlot& p)
{
  Frame f(p.width);
  Range rx, ry;
  bool any = false;
  for (const auto& s : p.series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.y[i]) && std::isfinite(s.x[i])) {
        rx.add(s.x[i], p.x.scale);
        ry.add(s.y[i], p.y.scale);
        any = true;
      }
  for (const auto& v : p.vlines)
    rx.add(v.x, p.x.scale);
  AxisMap x = make_axis(p.x, rx, false, f.left, f.right);
  AxisMap y = make_axis(p.y, ry, true, f.bottom, f.top);

  std::vector<LegendItem> items;
  for (size_t i = 0; i < p.series.size(); ++i) {
    const Series& s = p.series[i];
    items.push_back({s.name, palette(s.colour >= 0 ? s.colour : static_cast<int>(i)), s.dashed, false});
  }
  std::string body;
  for (const auto& sh : p.shades) {
    double a = std::clamp(x.to_px(sh.from), f.left, f.right), b = std::clamp(x.to_px(sh.to), f.left, f.right);
    if (b > a)
      body += fmt::format(R"(<rect class="shade {}" x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}"/>)",
                          sh.fault ? "fault" : "interval", num(a), num(f.top), num(b - a), num(f.bottom - f.top),
                          sh.fault ? "#e15759" : "#888", sh.fault ? "0.18" : "0.15");
  }
  body += y_axis(f, y, p.y) + x_axis(f, x, p.x);
  int row = 0;
  for (const auto& sh : p.shades)
    if (!sh.label.empty() && x.to_px(sh.to) > f.left && x.to_px(sh.from) < f.right)
      body += top_label(f, std::max(f.left, x.to_px(sh.from)), row++ % kMaxShadeRows, sh.label,
                        sh.fault ? "#b0282b" : "#555");
  for (const auto& v : p.vlines) {
    double px = std::clamp(x.to_px(v.x), f.left, f.right);
    body += fmt::format(R"(<line class="vline" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#222" stroke-width="1.5" )"
                        R"(stroke-dasharray="4 3"/>)",
                        num(px), num(f.top), num(px), num(f.bottom));
    if (!v.label.empty())
      body += top_label(f, px, row++ % kMaxShadeRows, v.label, "#222");
  }
  for (size_t i = 0; i < p.series.size(); ++i) {
    double n     = static_cast<double>(p.series.size());
    double step  = n > 1 ? std::min(2.5, 5.0 / (n - 1)) : 0;  // at most 6.5 wide
    double width = p.taper ? 1.5 + step * (n - 1 - static_cast<double>(i)) : 2.0;
    body += draw_series(p.series[i], items[i].colour, width, x, y, f);
  }
  if (!any)
    body += no_data(f);
  std::string legend_svg;
  double legend_h = items.size() > 1 || (items.size() == 1 && !items[0].name.empty())
                        ? legend(legend_svg, items, f, f.bottom + kBelowPlot)
                        : 0;
  double height = f.bottom + kBelowPlot + legend_h + 6;
  return svg_open(p.title, f.total, height) + body + legend_svg + "</svg>";
}

std::string render_bar_chart(const BarChart& c)
{
  Frame f(c.width);
  Range ry;
  bool any = false;
  for (const auto& group : c.values)
    for (const auto& v : group)
      if (v) {
        ry.add(v->value, Scale::Linear);
        ry.add(v->lo.value_or(v->value), Scale::Linear);
        ry.add(v->hi.value_or(v->value), Scale::Linear);
        any = true;
      }
  AxisMap y = make_axis(c.y, ry, true, f.bottom, f.top);
  auto colour_of = [&](size_t s) { return palette(s < c.colours.size() ? c.colours[s] : static_cast<int>(s)); };

  std::string body = y_axis(f, y, c.y);
  size_t ng = std::max<size_t>(1, c.groups.size()), ns = std::max<size_t>(1, c.series.size());
  double group_w = f.width() / static_cast<double>(ng);
  double bar_w   = std::min(56.0, group_w * 0.8 / static_cast<double>(ns));
  double zero    = std::clamp(y.to_px(0), f.top, f.bottom);
  for (size_t g = 0; g < c.groups.size(); ++g) {
    double centre = f.left + group_w * (static_cast<double>(g) + 0.5);
    double x0     = centre - bar_w * static_cast<double>(ns) / 2;
    for (size_t s = 0; s < c.series.size() && g < c.values.size() && s < c.values[g].size(); ++s) {
      const auto& v = c.values[g][s];
      if (!v)
        continue;
      double bx = x0 + bar_w * static_cast<double>(s) + bar_w * 0.08, bw = bar_w * 0.84;
      double top = std::clamp(y.to_px(v->value), f.top, f.bottom);
      body += fmt::format(R"(<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>)",
                          num(bx), num(std::min(top, zero)), num(bw), num(std::fabs(zero - top)), colour_of(s),
                          escape_xml(c.series[s]), escape_xml(format_quantity(v->value, c.y.unit)));
      double label_y = top;
      if (v->lo && v->hi) {
        double lo = std::clamp(y.to_px(*v->lo), f.top, f.bottom), hi = std::clamp(y.to_px(*v->hi), f.top, f.bottom);
        double cx = bx + bw / 2, cap = bw * 0.25;
        body += fmt::format(R"(<path class="whisker" stroke="#222" stroke-width="1.5" fill="none" )"
                            R"(d="M{},{}V{}M{},{}H{}M{},{}H{}"/>)",
                            num(cx), num(lo), num(hi), num(cx - cap), num(lo), num(cx + cap), num(cx - cap), num(hi),
                            num(cx + cap));
        label_y = std::min(label_y, hi);
      }
      std::string text = format_quantity(v->value, c.y.unit);
      if (text_width(text, 5.5) <= bar_w)
        body += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>)", num(bx + bw / 2),
                            num(std::max(f.top + 10, label_y - 4)), escape_xml(text));
    }
    body += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", num(centre), num(f.bottom + 16),
                        escape_xml(c.groups[g]));
  }
  body += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555"/>)", num(f.left), num(zero),
                      num(f.right), num(zero));
  if (!any)
    body += no_data(f);
  std::vector<LegendItem> items;
  for (size_t s = 0; s < c.series.size(); ++s)
    items.push_back({c.series[s], colour_of(s), false, true});
  std::string legend_svg;
  double legend_h = legend(legend_svg, items, f, f.bottom + 28);
  double height   = f.bottom + 28 + legend_h + 6;
  return svg_open(c.title, f.total, height) + body + legend_svg + "</svg>";
}

}  // namespace archsim::svg
