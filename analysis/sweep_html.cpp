#include "analysis/sweep_html.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "analysis/html_page.h"
#include "analysis/svg_plot.h"

namespace archsim {

using nlohmann::json;

namespace {

constexpr double kNaN          = std::numeric_limits<double>::quiet_NaN();
constexpr double kLogSpan      = 8;  // values spanning this factor get a log axis
constexpr int kReferenceColour = 9;  // grey, for reference lines

// Whether positive values spread enough that a log axis reads better.
bool wide(const std::vector<double>& xs)
{
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double x : xs)
    if (std::isfinite(x)) {
      if (x <= 0)
        return false;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  return hi > 0 && hi / lo >= kLogSpan;
}

// Each point's index along every axis (the last axis varies fastest), or empty when the points
// do not form the grid.
std::vector<std::vector<size_t>> grid_indices(const SweepSummary& s)
{
  size_t n = 1;
  for (const auto& a : s.axes)
    n *= std::max<size_t>(1, a.values.size());
  if (s.axes.empty() || n != s.points.size())
    return {};
  std::vector<std::vector<size_t>> out;
  for (size_t p = 0; p < n; ++p) {
    std::vector<size_t> index(s.axes.size());
    size_t rest = p;
    for (size_t a = s.axes.size(); a-- > 0;) {
      index[a] = rest % s.axes[a].values.size();
      rest /= s.axes[a].values.size();
    }
    out.push_back(std::move(index));
  }
  return out;
}

// The curves of a sweep: one per (class, values of every axis but the last), x along the last.
struct SweepCurve {
  std::string cls, others;  // others: "shards=2, ..." or ""
  std::vector<size_t> points;
};

std::vector<SweepCurve> sweep_curves(const SweepSummary& s)
{
  auto grid = grid_indices(s);
  std::vector<SweepCurve> out;
  for (size_t p = 0; p < s.points.size(); ++p) {
    std::string others;
    for (size_t a = 0; !grid.empty() && a + 1 < s.axes.size(); ++a) {
      std::string last = s.axes[a].path.substr(s.axes[a].path.rfind('.') + 1);
      others += (others.empty() ? "" : ", ") + last + "=" + s.axes[a].values[grid[p][a]];
    }
    for (const auto& c : s.points[p].classes) {
      auto it = std::find_if(out.begin(), out.end(), [&](const SweepCurve& k) { return k.cls == c.name && k.others == others; });
      if (it == out.end())
        it = out.insert(out.end(), SweepCurve{c.name, others, {}});
      it->points.push_back(p);
    }
  }
  return out;
}

const SweepClassPoint* class_at(const SweepPoint& p, const std::string& cls)
{
  for (const auto& c : p.classes)
    if (c.name == cls)
      return &c;
  return nullptr;
}

double swept_value(const SweepSummary& s, size_t p)
{
  return s.points[p].values.empty() ? static_cast<double>(p) : s.points[p].values.back();
}

std::string curve_name(const SweepCurve& k, const std::string& what)
{
  return k.cls + " " + what + (k.others.empty() ? "" : " (" + k.others + ")");
}

svg::LinePlot latency_vs_value(const SweepSummary& s, const std::vector<SweepCurve>& curves, const std::string& axis)
{
  svg::LinePlot p;
  p.title   = "latency vs " + axis;
  p.x.label = axis;
  p.x.unit  = Unit::Count;
  p.y.label = "latency (mean over replications)";
  p.y.unit  = Unit::Duration;
  std::vector<double> xs, ys;
  for (size_t i = 0; i < curves.size(); ++i) {
    svg::Series p99{curve_name(curves[i], "p99"), {}, {}, false, true, false, static_cast<int>(i)};
    svg::Series p50{curve_name(curves[i], "p50"), {}, {}, false, true, true, static_cast<int>(i)};
    std::optional<double> target;
    for (size_t pt : curves[i].points) {
      const SweepClassPoint* c = class_at(s.points[pt], curves[i].cls);
      double x                 = swept_value(s, pt);
      p99.x.push_back(x);
      p99.y.push_back(c && c->p99 ? c->p99->mean : kNaN);
      p50.x.push_back(x);
      p50.y.push_back(c && c->p50 ? c->p50->mean : kNaN);
      if (c && c->p99_target)
        target = c->p99_target;
      xs.push_back(x);
    }
    ys.insert(ys.end(), p99.y.begin(), p99.y.end());
    ys.insert(ys.end(), p50.y.begin(), p50.y.end());
    std::vector<double> span = p99.x;
    p.series.push_back(std::move(p99));
    p.series.push_back(std::move(p50));
    if (target && !span.empty()) {
      auto [lo, hi] = std::minmax_element(span.begin(), span.end());
      p.series.push_back({fmt::format("{} p99 target ({})", curves[i].cls, format_duration(*target)),
                          {*lo, *hi}, {*target, *target}, false, false, true, kReferenceColour});
      ys.push_back(*target);
    }
  }
  if (wide(xs))
    p.x.scale = svg::Scale::Log;
  if (wide(ys))
    p.y.scale = svg::Scale::Log;
  if (s.knee)
    p.vlines.push_back({swept_value(s, *s.knee), "knee: " + s.points[*s.knee].label});
  return p;
}

// Throughput against offered load, with the line where they are equal; against the swept
// value when no class has an offered rate (closed loops).
svg::LinePlot throughput_vs_offered(const SweepSummary& s, const std::vector<SweepCurve>& curves, const std::string& axis)
{
  bool offered = false;
  for (const auto& pt : s.points)
    for (const auto& c : pt.classes)
      offered = offered || (c.offered && *c.offered > 0);
  svg::LinePlot p;
  p.title   = offered ? "throughput vs offered load" : "throughput vs " + axis;
  p.x.label = offered ? "offered load (requests/s)" : axis;
  p.x.unit  = offered ? Unit::Rate : Unit::Count;
  p.y.label = "throughput (successful requests/s)";
  p.y.unit  = Unit::Rate;
  std::vector<double> xs, ys;
  for (size_t i = 0; i < curves.size(); ++i) {
    svg::Series thr{curves[i].cls + (curves[i].others.empty() ? "" : " (" + curves[i].others + ")"), {}, {}, false,
                    true, false, static_cast<int>(i)};
    for (size_t pt : curves[i].points) {
      const SweepClassPoint* c = class_at(s.points[pt], curves[i].cls);
      double x = offered ? (c && c->offered && *c->offered > 0 ? *c->offered : kNaN) : swept_value(s, pt);
      if (!std::isfinite(x))
        continue;
      thr.x.push_back(x);
      thr.y.push_back(c && c->throughput ? c->throughput->mean : kNaN);
    }
    xs.insert(xs.end(), thr.x.begin(), thr.x.end());
    ys.insert(ys.end(), thr.y.begin(), thr.y.end());
    // A class whose load the sweep does not change would be a vertical line: dots only.
    if (offered && thr.x.size() > 1 &&
        *std::max_element(thr.x.begin(), thr.x.end()) <= 1.01 * *std::min_element(thr.x.begin(), thr.x.end())) {
      thr.name += " (load not swept)";
      std::vector<double> x, y;
      for (size_t k = 0; k < thr.y.size(); ++k) {
        x.insert(x.end(), {thr.x[k], kNaN});  // a gap after every point: no line between them
        y.insert(y.end(), {thr.y[k], kNaN});
      }
      thr.x = std::move(x);
      thr.y = std::move(y);
    }
    if (!thr.x.empty())
      p.series.push_back(std::move(thr));
  }
  if (offered && !xs.empty()) {
    auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
    p.series.push_back({"throughput = offered", {*lo, *hi}, {*lo, *hi}, false, false, true, kReferenceColour});
  }
  if (wide(xs)) {
    p.x.scale = svg::Scale::Log;
    if (offered && wide(ys))
      p.y.scale = svg::Scale::Log;
  }
  if (s.knee) {
    const SweepPoint& at = s.points[*s.knee];
    double x             = offered ? kNaN : swept_value(s, *s.knee);
    // Offered: at the load of the first class that fails there, else of the first open class
    // (a closed class without an offered rate failed).
    for (bool failing : {true, false})
      for (const auto& c : at.classes)
        if (offered && std::isnan(x) && (!failing || !c.carried || !c.p99_met) && c.offered && *c.offered > 0)
          x = *c.offered;
    if (std::isfinite(x))
      p.vlines.push_back({x, "knee: " + at.label});
  }
  return p;
}

}  // namespace

std::string format_sweep_html(const std::string& head, const ExperimentPlan& plan, const SweepSummary& s,
                              const std::vector<std::optional<json>>& results, const std::vector<std::string>& notes)
{
  std::string title = html::experiment_title("sweep", plan.scenario, results);
  std::string body  = html::heading(title, head, notes);
  body += html::paragraph(s.knee_sentence, s.knee ? "verdict bad" : "verdict good");
  std::vector<SweepCurve> curves = sweep_curves(s);
  std::string axis               = s.axes.empty() ? "point" : s.axes.back().path;
  std::string plots;
  if (!curves.empty()) {
    std::string knee = s.knee ? " The dashed vertical line marks the knee: " + s.knee_sentence : "";
    plots += html::figure(svg::render_line_plot(latency_vs_value(s, curves, axis)),
                          "p99 (solid) and p50 (dashed) of each class at each point, means over the replications; "
                          "grey dashed: the class's p99 target." + knee);
    plots += html::figure(svg::render_line_plot(throughput_vs_offered(s, curves, axis)),
                          "Each class's throughput at each point; below the grey line the system carries less than "
                          "it is offered." + knee);
  }
  if (!plots.empty())
    body += html::section("Latency and throughput vs load", plots);
  body += html::section("Points", html::table(sweep_table(s)));
  return html::page(title, body);
}

}  // namespace archsim
