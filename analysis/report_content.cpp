#include "analysis/report_content.h"

#include <cmath>
#include <fmt/format.h>
#include <optional>

#include "analysis/experiment_plan.h"
#include "analysis/result_json.h"
#include "sim/core/units.h"

namespace archsim {

using nlohmann::json;

namespace {

// Below this share of arrivals, requests in flight at the end are what any busy system holds
// (about throughput x latency); above it, the backlog grew during the run.
constexpr double kInFlightWarnShare = 0.01;
// Small messages skip bandwidth sharing (sim/engine/small_messages.h): the bulk flows on a link
// get the capacity the small ones should have taken. Above a tenth of a link, that error in the
// bulk flows' times is more than 10%.
constexpr double kSmallMessageWarnShare = 0.1;

const char* kDash = "-";

std::string or_dash(std::optional<double> v, Unit unit)
{
  return v ? format_quantity(*v, unit) : kDash;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep)
{
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : sep) + p;
  return out;
}


std::string other_metrics(const json& comp)
{
  const json& metrics = object_at(comp, "metrics");
  // A model declares the metrics it reports (their units); what it records beyond them is
  // per-instance detail (a kv_store's p<N>_read_ratio for each of 50 partitions) that stays in
  // summary.json: the table shows the declared summary (read_consumed_ratio_max) instead.
  const json& declared = object_at(comp, "units");
  auto shown           = [&](const std::string& name) {
    return name == "utilisation" || name == "queue_length" || name == "throughput" ||
           name.compare(0, 8, "latency.") == 0 || (!declared.empty() && !declared.contains(name));
  };
  static const std::vector<std::string> notable{"rejections", "retries", "timeouts"};
  std::vector<std::string> parts;
  auto add = [&](const std::string& name) {
    auto v = number_at(metrics, name);
    if (v && *v != 0)
      parts.push_back(name + " " + format_quantity(*v, component_metric_unit(comp, name)));
  };
  for (const auto& name : notable)
    add(name);
  for (const auto& [name, v] : metrics.items()) {
    (void)v;
    bool is_notable = false;
    for (const auto& n : notable)
      is_notable = is_notable || n == name;
    if (!is_notable && !shown(name))
      add(name);
  }
  return join(parts, ", ");
}

}  // namespace

Unit component_metric_unit(const json& comp, const std::string& metric)
{
  if (std::string u = text_at(object_at(comp, "units"), metric); !u.empty())
    return unit_from_name(u);
  auto ends_with = [&](const std::string& s) {
    return metric.size() >= s.size() && metric.compare(metric.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with("utilisation") || ends_with("ratio"))
    return Unit::Fraction;
  if (metric.compare(0, 8, "latency.") == 0)
    return Unit::Duration;
  return Unit::Count;  // counters, and means such as *_length, to three digits
}

std::vector<MetadataRow> run_metadata(const json& result)
{
  const json& sc  = object_at(result, "scenario");
  const json& run = object_at(result, "run");
  std::vector<MetadataRow> rows;
  auto add = [&](const std::string& key, const std::string& text, const std::string& code = "") {
    if (!text.empty() || !code.empty())
      rows.push_back({key, text, code});
  };
  add("scenario", text_at(sc, "name"), text_at(sc, "file"));
  if (auto design = number_at(sc, "design"); design && *design > 0)
    add("design", format_count(*design));
  std::vector<std::string> variants;
  for (const auto& v : array_at(sc, "variants"))
    if (v.is_string())
      variants.push_back(v.get<std::string>());
  add("variants", variants.empty() ? "none" : join(variants, ", "));
  if (result.contains("seed") && result["seed"].is_number())
    add("seed", result["seed"].dump());
  if (auto d = number_at(run, "duration"))
    add("simulated", fmt::format("{} ({} warm-up, {} measured)", format_duration(*d),
                                 format_duration(number_or(run, "warmup", 0)),
                                 format_duration(number_or(run, "measured", *d - number_or(run, "warmup", 0)))));
  if (auto w = number_at(run, "window"))
    add("time-series window", format_duration(*w));
  add("network model", text_at(run, "network_model"));
  add("archsim", text_at(result, "archsim_version"));
  add("SimGrid", text_at(result, "simgrid_version"));
  std::vector<std::string> argv;
  for (const auto& a : array_at(result, "argv"))
    if (a.is_string())
      argv.push_back(a.get<std::string>());
  add("command", "", shell_command(argv));
  if (auto wall = number_at(result, "wall_time_s"))
    add("wall time", format_duration(*wall));
  add("schema", text_at(result, "schema"));
  return rows;
}

std::string run_headline(const json& result)
{
  std::vector<std::string> parts;
  const json& sc   = object_at(result, "scenario");
  std::string name = text_at(sc, "name"), title = text_at(sc, "title");
  if (!title.empty() && title != name)
    parts.push_back(name.empty() ? title : fmt::format("{} ({})", title, name));
  else if (!name.empty())
    parts.push_back(name);
  std::vector<std::string> variants;
  for (const auto& v : array_at(sc, "variants"))
    if (v.is_string())
      variants.push_back(v.get<std::string>());
  if (!variants.empty())
    parts.push_back((variants.size() == 1 ? "variant: " : "variants: ") + join(variants, ", "));
  if (result.contains("seed") && result["seed"].is_number())
    parts.push_back("seed " + result["seed"].dump());
  const json& run = object_at(result, "run");
  if (auto d = number_at(run, "duration")) {
    double w = number_or(run, "warmup", 0);
    parts.push_back(fmt::format("{} simulated, {}", format_duration(*d),
                                w > 0 ? format_duration(w) + " warm-up" : std::string("no warm-up")));
  }
  if (std::string net = text_at(run, "network_model"); !net.empty())
    parts.push_back("network " + net);
  if (auto wall = number_at(result, "wall_time_s"))
    parts.push_back("wall time " + format_duration(*wall));
  return join(parts, " | ");
}

ReportTable class_table(const json& result)
{
  const json& classes = array_at(result, "classes");
  bool any_timeouts   = false;
  for (const auto& c : classes)
    any_timeouts = any_timeouts || number_or(c, "timeouts", 0) > 0;
  ReportTable t;
  t.headers = {"class", "offered", "throughput", "errors"};
  if (any_timeouts)
    t.headers.push_back("timeouts");
  for (const char* h : {"p50", "p90", "p99", "p99.9", "max"})
    t.headers.push_back(h);
  t.align.assign(t.headers.size(), Align::Right);
  t.align[0] = Align::Left;
  for (const auto& c : classes) {
    std::vector<std::string> row{text_at(c, "name")};
    row.push_back(text_at(c, "arrivals") == "closed" ? "closed" : or_dash(number_at(c, "offered_rate"), Unit::Rate));
    row.push_back(or_dash(number_at(c, "throughput"), Unit::Rate));
    bool finished = number_or(c, "ok", 0) + number_or(c, "errors", 0) > 0;
    row.push_back(finished ? or_dash(number_at(c, "error_ratio"), Unit::Fraction) : kDash);
    if (any_timeouts)
      row.push_back(finished ? or_dash(number_at(c, "timeout_ratio"), Unit::Fraction) : kDash);
    const json& lat = object_at(c, "latency");
    for (const char* q : {"p50", "p90", "p99", "p999", "max"})
      row.push_back(or_dash(number_at(lat, q), Unit::Duration));
    t.rows.push_back(std::move(row));
    t.tones.push_back(Tone::Plain);
  }
  return t;
}

ReportTable component_table(const json& result)
{
  ReportTable t;
  t.headers = {"component", "model", "replicas", "utilisation", "queue", "throughput", "p99", "other"};
  t.align   = {Align::Left, Align::Left, Align::Right, Align::Right, Align::Right, Align::Right, Align::Right, Align::Left};
  for (const auto& comp : array_at(result, "components")) {
    const json& m = object_at(comp, "metrics");
    t.rows.push_back({text_at(comp, "name"), text_at(comp, "model"), or_dash(number_at(comp, "replicas"), Unit::Count),
                      or_dash(number_at(m, "utilisation"), Unit::Fraction),
                      or_dash(number_at(m, "queue_length"), Unit::Count), or_dash(number_at(m, "throughput"), Unit::Rate),
                      or_dash(number_at(m, "latency.p99"), Unit::Duration), other_metrics(comp)});
    t.tones.push_back(Tone::Plain);
  }
  return t;
}

ReportTable target_table(const std::vector<TargetCheck>& checks)
{
  ReportTable t;
  t.headers = {"result", "target", "measured"};
  t.align   = {Align::Left, Align::Left, Align::Right};
  for (const auto& c : checks) {
    bool met = c.met && !c.missing;
    t.rows.push_back({met ? "\xE2\x9C\x93 met" : "\xE2\x9C\x97 MISSED",  // ✓ / ✗
                      c.text, c.missing ? "not measured" : format_quantity(c.measured, unit_from_name(c.unit))});
    t.tones.push_back(met ? Tone::Good : Tone::Bad);
  }
  return t;
}

ReportTable fault_table(const json& result)
{
  ReportTable t;
  t.headers = {"fault", "struck", "recovered"};
  t.align   = {Align::Left, Align::Right, Align::Right};
  for (const auto& f : array_at(result, "faults")) {
    double began = number_or(f, "began", -1);
    double ended = number_or(f, "ended", -1);
    std::string recovered = ended >= 0 ? format_duration(ended)
                            : number_or(f, "duration", 0) > 0 || began < 0 ? "after the end"
                                                                           : "never";
    t.rows.push_back({text_at(f, "text"), began >= 0 ? format_duration(began) : "after the end", recovered});
    t.tones.push_back(Tone::Plain);
  }
  return t;
}

std::string targets_verdict(const std::vector<TargetCheck>& checks)
{
  if (checks.empty())
    return "";
  size_t missed = 0;
  for (const auto& c : checks)
    missed += !(c.met && !c.missing);
  const char* noun = checks.size() == 1 ? "target" : "targets";
  if (missed == 0)
    return checks.size() == 1 ? "the target was met" : fmt::format("all {} targets met", checks.size());
  return fmt::format("{} of {} {} MISSED", missed, checks.size(), noun);
}

std::vector<std::string> run_warnings(const json& result)
{
  std::vector<std::string> out;
  for (const auto& c : array_at(result, "classes")) {
    std::string name  = text_at(c, "name");
    double incomplete = number_or(c, "incomplete", 0);
    double arrived    = number_or(c, "arrived", 0);
    if (incomplete > 0 && incomplete > kInFlightWarnShare * arrived)
      out.push_back(fmt::format("{}: {} requests ({} of arrivals) still in flight at the end \xE2\x80\x94 the system is "
                                "overloaded, and its latencies are understated",
                                name, format_count(incomplete), format_quantity(incomplete / arrived, Unit::Fraction)));
    if (double dropped = number_or(c, "dropped", 0); dropped > 0)
      out.push_back(fmt::format("{}: {} requests dropped because run.max_in_flight requests were in flight and the "
                                "backlog (run.max_backlog) was full; they count as errors",
                                name, format_count(dropped)));
  }
  if (double backlog = number_or(object_at(result, "engine"), "backlog_at_end", 0); backlog > 0)
      out.push_back(fmt::format("engine: {} requests waiting for a free executor at the end (run.max_in_flight reached)",
                                format_count(backlog)));
  const json& small = object_at(object_at(result, "run"), "small_messages");
  if (double share = number_or(small, "busiest_link_share", 0); share > kSmallMessageWarnShare)
    out.push_back(fmt::format("network: small messages alone used {} of link {}'s bandwidth, and they do not share "
                              "it with the other flows; rerun with --set platform.small_message=0B to check the "
                              "latencies (docs/network-model.md)",
                              format_quantity(share, Unit::Fraction), text_at(small, "busiest_link")));
  return out;
}

}  // namespace archsim
