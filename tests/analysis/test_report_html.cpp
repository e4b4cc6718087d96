// report.html: the SVG plotting module (ticks, log axes, polylines, shading, escaping) and the
// run, compare and sweep pages built from it: an SVG per plot, the right data in each, and a
// page that needs nothing from the network.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <regex>

#include "analysis/compare_html.h"
#include "analysis/report_html.h"
#include "analysis/run_plots.h"
#include "analysis/svg_axis.h"
#include "analysis/svg_plot.h"
#include "analysis/sweep_html.h"
#include "fixture.h"

using namespace archsim;
using archsim::test::small_run_result;
using nlohmann::json;

namespace {

size_t count(const std::string& text, const std::string& part)
{
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
    ++n;
  return n;
}

// The points="..." of every polyline, in order, each as its number of points.
std::vector<size_t> polyline_sizes(const std::string& svg)
{
  std::vector<size_t> out;
  std::regex re(R"~(<polyline[^>]* points="([^"]*)")~");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it) {
    std::string pts = (*it)[1];
    out.push_back(pts.empty() ? 0 : static_cast<size_t>(std::count(pts.begin(), pts.end(), ' ')) + 1);
  }
  return out;
}

// The <svg>...</svg> blocks of a page.
std::vector<std::string> svgs(const std::string& page)
{
  std::vector<std::string> out;
  for (size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1))
    out.push_back(page.substr(at, page.find("</svg>", at) + 6 - at));
  return out;
}

json with_fault(json r)
{
  r["faults"] = json::array({{{"text", "crash app[0] at 2s for 1s"}, {"kind", "crash"}, {"component", "app"},
                              {"replicas", {0}}, {"at", 2.0}, {"duration", 1.0}, {"began", 2.0}, {"ended", 3.0},
                              {"happened", true}},
                             {{"text", "pause db at 90s for 1s"}, {"kind", "pause"}, {"component", "db"},
                              {"replicas", json::array()}, {"at", 90.0}, {"duration", 1.0}, {"began", -1},
                              {"ended", -1}, {"happened", false}}});
  return r;
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("report.html svg axis: linear ticks are 1-2-5 steps that cover the data", "[report_html]")
{
  CHECK(svg::linear_ticks(0, 9.3) == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK(svg::linear_ticks(0, 1) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0});
  auto t = svg::linear_ticks(13, 87);
  CHECK(t.front() <= 13);
  CHECK(t.back() >= 87);
  CHECK(svg::tick_label(0, Unit::Duration) == "0");
  CHECK(svg::tick_label(0.02, Unit::Duration) == format_duration(0.02));
}

TEST_CASE("report.html svg axis: a log axis maps decades to equal distances", "[report_html]")
{
  svg::AxisMap x(svg::Scale::Log, 1e-3, 1, 0, 300);
  CHECK(x.to_px(1e-3) == Approx(0));
  CHECK(x.to_px(1e-2) == Approx(100));
  CHECK(x.to_px(1e-1) == Approx(200));
  CHECK(x.to_px(1) == Approx(300));
  CHECK(x.to_px(std::sqrt(10) * 1e-3) == Approx(50));
  CHECK(svg::log_ticks(1e-3, 1) == std::vector<double>{1e-3, 1e-2, 1e-1, 1});
  // Less than three decades: the 2s and 5s too, from the last tick below to the first above.
  auto fine = svg::log_ticks(0.0021, 0.022);
  REQUIRE(fine.size() == 5);  // 2ms 5ms 10ms 20ms 50ms
  CHECK(fine.front() == Approx(0.002));
  CHECK(fine.back() == Approx(0.05));
  // A linear axis is bounded by its ticks and points up when pixels run downwards.
  svg::AxisMap y(svg::Scale::Linear, 0, 0.93, 250, 50);
  CHECK(y.hi() == Approx(1));
  CHECK(y.to_px(0) == Approx(250));
  CHECK(y.to_px(0.5) == Approx(150));
}

TEST_CASE("report.html svg plot: one polyline per unbroken run of points, steps doubled", "[report_html]")
{
  svg::LinePlot p;
  p.title = "t";
  p.series.push_back({"a", {0, 1, 2, 3, 4}, {1, 2, 3, 2, 1}, false, false, false, -1});
  p.series.push_back({"b", {0, 1, 2, 3, 4}, {1, 2, kNaN, 2, 1}, false, false, false, -1});
  p.series.push_back({"c", {1, 2, 3}, {0.1, 0.5, 1}, true, false, false, -1});
  std::string svg = svg::render_line_plot(p);
  CHECK(count(svg, "<svg class=\"plot\"") == 1);
  CHECK(polyline_sizes(svg) == std::vector<size_t>{5, 2, 2, 5});  // b breaks at its gap; c is a staircase
  // A log x axis cannot show 0: the point is left out and the line breaks there.
  p.x.scale = svg::Scale::Log;
  p.series  = {{"d", {0, 1, 10, 100}, {1, 2, 3, 4}, false, true, false, -1}};
  std::string log_svg = svg::render_line_plot(p);
  CHECK(polyline_sizes(log_svg) == std::vector<size_t>{3});
  CHECK(count(log_svg, "class=\"marker\"") == 3);
}

TEST_CASE("report.html svg plot: every text is escaped", "[report_html]")
{
  CHECK(svg::escape_xml("<a href=\"x\">&'</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  CHECK(svg::escape_xml(std::string("bell\x07")) == "bell");
  svg::LinePlot p;
  p.title   = "<script>alert(1)</script>";
  p.x.label = "a & b";
  p.series.push_back({"<b>", {0, 1}, {0, 1}, false, false, false, -1});
  p.shades.push_back({0, 0.5, "\"fault\" <x>", true});
  std::string svg = svg::render_line_plot(p);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(svg.find("a &amp; b") != std::string::npos);
  CHECK(svg.find("&quot;fault&quot; &lt;x&gt;") != std::string::npos);
}

TEST_CASE("report.html svg plot: grouped bars with confidence whiskers", "[report_html]")
{
  svg::BarChart c;
  c.title  = "p99";
  c.y.unit = Unit::Duration;
  c.groups = {"read", "write"};
  c.series = {"base", "small_cache", "no_cache"};
  c.values = {{svg::BarValue{0.010, 0.009, 0.011}, svg::BarValue{0.012, 0.011, 0.013}, svg::BarValue{0.030, {}, {}}},
              {svg::BarValue{0.020, 0.018, 0.022}, std::nullopt, svg::BarValue{0.025, 0.02, 0.03}}};
  std::string svg = svg::render_bar_chart(c);
  CHECK(count(svg, "class=\"bar\"") == 5);
  CHECK(count(svg, "class=\"whisker\"") == 4);
  CHECK(svg.find(">small_cache<") != std::string::npos);  // the legend
  CHECK(svg.find(">write<") != std::string::npos);        // a group label
}

TEST_CASE("report.html: the latency CDF steps through every bucket up to 1", "[report_html]")
{
  LogHistogram h;
  for (int i = 1; i <= 100; ++i)
    h.add(i * 0.001);
  svg::Series s = cdf_series(h, "q");
  REQUIRE(s.x.size() == h.buckets().size() + 1);
  CHECK(s.y.front() == 0);
  CHECK(s.y.back() == Approx(1));
  CHECK(std::is_sorted(s.x.begin(), s.x.end()));
  CHECK(std::is_sorted(s.y.begin(), s.y.end()));
  CHECK(s.x.back() == Approx(0.1));
  CHECK(s.x.front() <= 0.001);
}

TEST_CASE("report.html of a run: a header, the targets, an SVG per plot and the report.md tables", "[report_html]")
{
  json r            = with_fault(small_run_result());
  std::string page  = format_report_html(r, evaluate_targets(r));
  auto plots        = svgs(page);
  // latency CDF, p99, throughput, errors, utilisation, queue length
  REQUIRE(plots.size() == 6);
  for (const auto& svg : plots) {
    CHECK(svg.rfind("<svg class=\"plot\"", 0) == 0);
    auto sizes = polyline_sizes(svg);
    REQUIRE_FALSE(sizes.empty());
    CHECK(*std::max_element(sizes.begin(), sizes.end()) >= 2);
  }
  // The CDF: one curve per class that completed requests (batch did not).
  CHECK(plots[0].find("latency CDF") != std::string::npos);
  CHECK(polyline_sizes(plots[0]).size() == 2);
  // p99 over time: create's first window is empty, so its line starts at the second.
  CHECK(polyline_sizes(plots[1]) == std::vector<size_t>{6, 5});
  CHECK(page.find("<h1>URL shortener</h1>") != std::string::npos);
  CHECK(page.find("design 1") != std::string::npos);
  CHECK(page.find("variants cache") != std::string::npos);
  CHECK(page.find("seed 42") != std::string::npos);
  CHECK(page.find("Redirects served from a cache") != std::string::npos);
  CHECK(page.find("3 of 6 targets MISSED") != std::string::npos);
  CHECK(page.find("<td>batch.latency.p99 &lt; 1s</td>") != std::string::npos);
  CHECK(page.find("<td class=\"num\">9.96K/s</td>") != std::string::npos);  // the class table, as in report.md
  CHECK(page.find("<code>archsim run scenarios/shortener.yaml --variant cache --seed 42</code>") != std::string::npos);
}

TEST_CASE("report.html of a run: warm-up and faults are shaded on every time plot", "[report_html]")
{
  json r           = with_fault(small_run_result());
  r["run"]["warmup"] = 1.0;
  std::string page = format_report_html(r, evaluate_targets(r));
  auto plots       = svgs(page);
  REQUIRE(plots.size() == 6);
  CHECK(count(plots[0], "class=\"shade") == 0);  // the CDF has no time axis
  for (size_t i = 1; i < plots.size(); ++i) {
    CHECK(count(plots[i], "class=\"shade interval\"") == 1);
    CHECK(count(plots[i], "class=\"shade fault\"") == 1);  // the fault that never struck is not drawn
    CHECK(plots[i].find(">crash app[0] at 2s for 1s<") != std::string::npos);
    CHECK(plots[i].find(">warm-up<") != std::string::npos);
  }
  auto shades = run_shades(r);
  REQUIRE(shades.size() == 2);
  CHECK(shades[1].from == 2.0);
  CHECK(shades[1].to == 3.0);
}

TEST_CASE("report.html needs nothing from the network and escapes the scenario's text", "[report_html]")
{
  json r                      = small_run_result();
  r["scenario"]["title"]       = "<script src=\"evil.js\"></script>";
  r["scenario"]["description"] = "a < b & \"c\"";
  std::string page            = format_report_html(r, evaluate_targets(r));
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("http://") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  CHECK(page.find("url(") == std::string::npos);
  CHECK(page.find("a &lt; b &amp; &quot;c&quot;") != std::string::npos);
}

TEST_CASE("report.html of a compare: bars with whiskers per class and variant, overlaid CDFs", "[report_html]")
{
  ExperimentPlan plan = compare_plan("s.yaml", {"small_cache"}, 3, 1);
  std::vector<std::optional<json>> results;
  for (size_t g = 0; g < 2; ++g)
    for (size_t r = 0; r < 3; ++r) {
      json run = small_run_result();
      run["classes"][0]["latency"]["p99"] = 0.02 + 0.001 * static_cast<double>(r) + 0.01 * static_cast<double>(g);
      results.push_back(run);
    }
  CompareSummary s = summarize_compare(plan, results);
  std::string page = format_compare_html("compare s.yaml: small_cache vs base", plan, s, results, {});
  auto plots       = svgs(page);
  // redirect (10K/s) and create (80/s) differ by more than 10x, so one chart per class and
  // metric (batch, a closed class that completed nothing, has none); then one CDF per class
  // with requests.
  size_t bar_charts = 0, cdfs = 0;
  for (const auto& svg : plots) {
    if (svg.find("class=\"bar\"") != std::string::npos) {
      ++bar_charts;
      CHECK(count(svg, "class=\"bar\"") == 2);  // base and small_cache
    }
    if (svg.find("latency CDF per variant") != std::string::npos) {
      ++cdfs;
      CHECK(polyline_sizes(svg).size() == 2);
    }
  }
  CHECK(bar_charts == 4);
  CHECK(cdfs == 2);
  CHECK(page.find("class=\"whisker\"") != std::string::npos);
  CHECK(page.find("merged over all its replications") != std::string::npos);
  CHECK(page.find("redirect.latency.p99 &lt; 50ms: met by base, small_cache") != std::string::npos);
  CHECK(page.find("http") == std::string::npos);

  // Classes within a factor of ten share one chart per metric: a group per class.
  for (auto& run : results)
    run->at("classes")[1]["throughput"] = 5000.0;
  CompareSummary close = summarize_compare(plan, results);
  std::string grouped  = format_compare_html("compare", plan, close, results, {});
  size_t charts = 0;
  for (const auto& svg : svgs(grouped))
    if (svg.find("throughput per class and variant") != std::string::npos) {
      ++charts;
      CHECK(count(svg, "class=\"bar\"") == 4);
      CHECK(svg.find(">create<") != std::string::npos);
    }
  CHECK(charts == 1);
}

TEST_CASE("report.html of a sweep: latency and throughput vs load with the knee marked", "[report_html]")
{
  ExperimentPlan plan = sweep_plan("s.yaml", {{"workload.redirect.rate", {"5000/s", "10000/s", "20000/s"}}},
                                   {{5000, 10000, 20000}}, 1, 1);
  std::vector<std::optional<json>> results;
  for (double k : {0.5, 1.0, 2.0}) {
    json run                              = small_run_result();
    run["classes"][0]["offered_rate"]     = 10000 * k;
    run["classes"][0]["throughput"]       = 10000 * std::min(k, 1.2);
    run["classes"][0]["latency"]["p99"]   = 0.02 * k * k;
    run["classes"][1]["offered_rate"]     = 79.0;  // create carries its load at every point
    run["targets"].erase(4);                       // and batch's p99 target is not there to miss
    results.push_back(run);
  }
  SweepSummary s = summarize_sweep(plan, results);
  REQUIRE(s.knee);
  CHECK(*s.knee == 2);
  std::string page = format_sweep_html("sweep s.yaml: 3 points x 1 replication", plan, s, results, {});
  auto plots       = svgs(page);
  REQUIRE(plots.size() == 2);
  for (const auto& svg : plots) {
    CHECK(count(svg, "class=\"vline\"") == 1);
    CHECK(svg.find("knee: rate=") != std::string::npos);
  }
  // redirect p99, p50 and its target; create p99, p50 (batch never completes: no line).
  auto latency = polyline_sizes(plots[0]);
  CHECK(std::count(latency.begin(), latency.end(), 3) == 4);
  CHECK(plots[0].find("redirect p99 target (50ms)") != std::string::npos);
  CHECK(plots[1].find("throughput = offered") != std::string::npos);
  CHECK(page.find(svg::escape_xml(s.knee_sentence)) != std::string::npos);
}
