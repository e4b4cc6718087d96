#include "analysis/fault_effects.h"
#include "analysis/report_html.h"

#include "analysis/html_page.h"
#include "analysis/result_json.h"
#include "analysis/run_plots.h"
#include "analysis/svg_plot.h"

namespace archsim {

using nlohmann::json;

namespace {

const char* kShadeNote = " Grey: the warm-up, left out of every statistic. Red: a fault, from when it struck until it "
                         "recovered (or the run ended).";

// "scenario shortener · design 1 · variants cache · seed 42 · simulated 60s (10s warm-up, 50s measured)"
std::string subtitle(const json& result)
{
  std::string out;
  for (const auto& row : run_metadata(result))
    if (row.key == "scenario" || row.key == "design" || row.key == "variants" || row.key == "seed" ||
        row.key == "simulated")
      out += (out.empty() ? "" : " \xC2\xB7 ") + row.key + " " + (row.text.empty() ? row.code : row.text);
  return out;
}

std::string targets_html(const std::vector<TargetCheck>& checks)
{
  if (checks.empty())
    return "";
  bool all = true;
  for (const auto& c : checks)
    all = all && c.met && !c.missing;
  return html::section("Targets", html::paragraph(targets_verdict(checks), all ? "verdict good" : "verdict bad") +
                                      html::table(target_table(checks)));
}

std::string plots_html(const json& result)
{
  std::string out;
  if (auto cdf = latency_cdf_plot(result))
    out += html::section("Latency",
                         html::figure(svg::render_line_plot(*cdf),
                                      "One curve per request class: the share of its successful requests (after "
                                      "the warm-up) that finished within a latency, measured from the scheduled "
                                      "arrival. Read the p99 where a curve crosses 99%; a long flat tail is a few "
                                      "slow requests."));
  struct Item {
    TimePlot what;
    const char* caption;
  };
  static const Item items[] = {
      {TimePlot::P99, "Per class, the p99 latency of the requests that completed in each window (gaps: none did)."},
      {TimePlot::Throughput, "Per class, successful completions per second in each window."},
      {TimePlot::Errors, "Per class, failed requests per second in each window (errors, timeouts, rejections)."},
      {TimePlot::Utilisation, "Per component, busy time over capacity in each window, averaged over its replicas."},
      {TimePlot::QueueLength, "Per component, the time-averaged number of waiting requests (or messages) in each "
                              "window, summed over its replicas."},
  };
  std::string over_time;
  for (const auto& item : items)
    if (auto p = time_plot(result, item.what))
      over_time += html::figure(svg::render_line_plot(*p), std::string(item.caption) + kShadeNote);
  if (!over_time.empty())
    out += html::section("Over time", over_time);
  return out;
}

}  // namespace

std::string metadata_html(const json& result)
{
  std::string out = "<table>\n<tbody>\n";
  for (const auto& row : run_metadata(result)) {
    std::string code  = row.code.empty() ? "" : "<code>" + html::escape(row.code) + "</code>";
    std::string text  = html::escape(row.text);
    std::string value = text.empty() ? code : code.empty() ? text : text + " (" + code + ")";
    out += "<tr><th>" + html::escape(row.key) + "</th><td>" + value + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string format_report_html(const json& result, const std::vector<TargetCheck>& checks)
{
  const json& sc    = object_at(result, "scenario");
  std::string title = text_at(sc, "title");
  if (title.empty())
    title = text_at(sc, "name");
  if (title.empty())
    title = "archsim run";

  std::string body = "<h1>" + html::escape(title) + "</h1>\n" + html::paragraph(subtitle(result), "sub");
  if (std::string d = text_at(sc, "description"); !d.empty())
    body += html::paragraph(d, "description");
  body += html::warnings(run_warnings(result));
  body += targets_html(checks);
  body += plots_html(result);
  ReportTable classes = class_table(result);
  if (!classes.rows.empty())
    body += html::section("Request classes", html::table(classes));
  ReportTable components = component_table(result);
  if (!components.rows.empty())
    body += html::section("Components", html::table(components));
  ReportTable faults = fault_table(result);
  if (!faults.rows.empty())
    body += html::section("Faults", html::table(faults));
  ReportTable effects = fault_effect_table(result);
  if (!effects.rows.empty())
    body += html::section("Fault effects", html::table(effects));
  body += html::section("Run", metadata_html(result));
  return html::page(title, body);
}

}  // namespace archsim
