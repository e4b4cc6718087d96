#include "analysis/compare_html.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <stdexcept>
#include <tuple>

#include "analysis/html_page.h"
#include "analysis/result_json.h"
#include "analysis/run_plots.h"
#include "analysis/svg_plot.h"

namespace archsim {

using nlohmann::json;

namespace {

constexpr double kHalfWidth    = 470;  // two charts side by side
constexpr double kOneChartSpan = 10;   // classes within this factor share one bar chart

const CompareRow* find_row(const CompareSummary& s, const std::string& cls, const std::string& metric)
{
  for (const auto& r : s.rows)
    if (r.is_class && r.subject == cls && r.metric == metric)
      return &r;
  return nullptr;
}

std::vector<std::string> compared_classes(const CompareSummary& s)
{
  std::vector<std::string> out;
  for (const auto& r : s.rows)
    if (r.is_class && std::find(out.begin(), out.end(), r.subject) == out.end())
      out.push_back(r.subject);
  return out;
}

std::optional<svg::BarValue> bar_of(const CompareCell& cell)
{
  if (!cell.value || !std::isfinite(cell.value->mean))
    return std::nullopt;
  svg::BarValue v{cell.value->mean, std::nullopt, std::nullopt};
  if (cell.value->n >= 2 && std::isfinite(cell.value->half_width)) {
    v.lo = cell.value->lo();
    v.hi = cell.value->hi();
  }
  return v;
}

// The bar charts of one metric: one chart with a group per class when the classes' values are
// within a factor of ten of each other, else one chart per class (a small class would be a
// sliver next to a large one). Classes that measured zero in every variant are left out.
std::vector<svg::BarChart> metric_bars(const CompareSummary& s, const std::string& metric, const std::string& what,
                                       Unit unit)
{
  std::vector<std::pair<std::string, const CompareRow*>> rows;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& cls : compared_classes(s))
    if (const CompareRow* r = find_row(s, cls, metric)) {
      bool any = false;  // a class that is zero everywhere (nothing completed) has no chart
      for (const auto& c : r->cells)
        if (auto b = bar_of(c); b && b->value != 0) {
          any = true;
          lo  = std::min(lo, std::fabs(b->value));
          hi  = std::max(hi, std::fabs(b->value));
        }
      if (any)
        rows.emplace_back(cls, r);
    }
  auto chart = [&](const std::string& title) {
    svg::BarChart c;
    c.title   = title;
    c.y.label = what;
    c.y.unit  = unit;
    c.series  = s.groups;
    return c;
  };
  auto add_group = [](svg::BarChart& c, const std::string& cls, const CompareRow& r) {
    c.groups.push_back(cls);
    std::vector<std::optional<svg::BarValue>> bars;
    for (const auto& cell : r.cells)
      bars.push_back(bar_of(cell));
    c.values.push_back(std::move(bars));
  };
  std::vector<svg::BarChart> out;
  if (rows.empty())
    return out;
  if (rows.size() == 1 || hi / lo <= kOneChartSpan) {
    out.push_back(chart(what + " per class and variant"));
    for (const auto& [cls, r] : rows)
      add_group(out.back(), cls, *r);
    return out;
  }
  for (const auto& [cls, r] : rows) {
    out.push_back(chart(cls + ": " + what));
    out.back().width = kHalfWidth;
    add_group(out.back(), cls, *r);
  }
  return out;
}

std::string bars_html(const CompareSummary& s)
{
  std::string out;
  for (const auto& [metric, what, unit] :
       std::vector<std::tuple<std::string, std::string, Unit>>{{"throughput", "throughput", Unit::Rate},
                                                               {"latency.p99", "p99 latency", Unit::Duration}}) {
    std::string row;
    for (const auto& chart : metric_bars(s, metric, what, unit))
      row += svg::render_bar_chart(chart) + "\n";
    if (!row.empty())
      out += "<figure>\n<div class=\"row\">\n" + row + "</div>\n<figcaption>" +
             html::escape(fmt::format("Mean over the replications of each variant; whiskers: 95% confidence "
                                      "interval of the mean (Student t, {} replications).",
                                      s.replications)) +
             "</figcaption>\n</figure>\n";
  }
  return out;
}

// Per group and class: the latency histograms of every replication, merged.
std::string cdfs_html(const ExperimentPlan& plan, const CompareSummary& s, const std::vector<std::optional<json>>& results)
{
  std::string out;
  for (const auto& cls : compared_classes(s)) {
    svg::LinePlot p = cdf_frame(cls + ": latency CDF per variant");
    p.taper         = true;  // variants that do not touch a class have the same curve
    for (size_t g = 0; g < plan.groups.size(); ++g) {
      std::optional<LogHistogram> merged;
      for (size_t i = 0; i < plan.jobs.size() && i < results.size(); ++i) {
        if (plan.jobs[i].group != g || !results[i])
          continue;
        const json* c = find_named(array_at(*results[i], "classes"), cls);
        auto h        = c ? class_histogram(*c) : std::nullopt;
        if (!h)
          continue;
        try {
          if (merged)
            merged->merge(*h);
          else
            merged = std::move(h);
        } catch (const std::invalid_argument&) {
          // A job from another archsim with another resolution: leave it out of the curve.
        }
      }
      if (merged) {
        svg::Series series = cdf_series(*merged, plan.groups[g].label);
        series.colour      = static_cast<int>(g);
        p.series.push_back(std::move(series));
      }
    }
    if (!p.series.empty())
      out += html::figure(svg::render_line_plot(p),
                          "Each variant's latency histograms merged over all its replications (not replication 0 "
                          "alone), so a curve holds every successful request of the variant after the warm-up.");
  }
  return out;
}

std::string verdicts_html(const CompareSummary& s)
{
  if (s.targets.empty())
    return "";
  std::string list = "<ul class=\"lines\">\n";
  for (const auto& line : verdict_lines(s))
    list += "<li>" + html::escape(line) + "</li>\n";
  return html::section("Targets", list + "</ul>\n" + html::table(verdict_table(s)));
}

}  // namespace

std::string format_compare_html(const std::string& head, const ExperimentPlan& plan, const CompareSummary& s,
                                const std::vector<std::optional<json>>& results, const std::vector<std::string>& notes)
{
  std::string title = html::experiment_title("compare", plan.scenario, results);
  std::string body  = html::heading(title, head, notes);
  body += verdicts_html(s);
  std::string bars = bars_html(s);
  if (!bars.empty())
    body += html::section("Throughput and p99 per variant", bars);
  std::string cdfs = cdfs_html(plan, s, results);
  if (!cdfs.empty())
    body += html::section("Latency CDFs", cdfs);
  body += html::section("All figures",
                        html::paragraph("Mean \xC2\xB1 95% interval over the replications; (+x%) is a variant's "
                                        "difference from the base paired by replication, * marks it significant.") +
                            html::table(compare_table(s)));
  return html::page(title, body);
}

}  // namespace archsim
