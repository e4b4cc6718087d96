#include "analysis/compare_summary.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "analysis/result_json.h"
#include "analysis/targets.h"

namespace archsim {

using nlohmann::json;

const std::vector<std::string>& headline_component_metrics()
{
  // What decides a trade-off at each kind of component, in the order they are shown.
  static const std::vector<std::string> names{
      "hit_ratio",     "buffer_hit_ratio", "lag_length",   "replication_lag", "lock_waits",
      "conflicts",     "lost_updates",     "writes_lost",  "records_lost",    "commits_lost",
      "throttled",     "evictions",        "unavailable",  "duplicates",      "rejections"};
  return names;
}

namespace {

struct Metric {
  std::string subject;
  std::string name;
  Unit unit;
  bool is_class;
};

// The rows: every class's service figures, then every component's utilisation and headline
// metrics, as the first result that has the subject lists them.
std::vector<Metric> metrics_of(const std::vector<std::optional<json>>& results)
{
  std::vector<Metric> out;
  const json* first = nullptr;
  for (const auto& r : results)
    if (r) {
      first = &*r;
      break;
    }
  if (!first)
    return out;
  for (const auto& c : array_at(*first, "classes")) {
    std::string name = text_at(c, "name");
    out.push_back({name, "throughput", Unit::Rate, true});
    out.push_back({name, "errors", Unit::Fraction, true});
    for (const char* p : {"latency.p50", "latency.p99", "latency.p999"})
      out.push_back({name, p, Unit::Duration, true});
  }
  for (const auto& comp : array_at(*first, "components")) {
    std::string name     = text_at(comp, "name");
    const json& measured = object_at(comp, "metrics");
    if (number_at(measured, "utilisation"))
      out.push_back({name, "utilisation", Unit::Fraction, false});
    for (const auto& m : headline_component_metrics())
      if (number_at(measured, m))
        out.push_back({name, m, component_metric_unit(comp, m), false});
  }
  return out;
}

}  // namespace

CompareSummary summarize_compare(const ExperimentPlan& plan, const std::vector<std::optional<json>>& results)
{
  CompareSummary s;
  s.replications = plan.replications;
  for (const auto& g : plan.groups)
    s.groups.push_back(g.label);
  // by[group][replication]: the result, if any.
  std::vector<std::vector<const json*>> by(plan.groups.size(), std::vector<const json*>(plan.replications, nullptr));
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    const ExperimentJob& job = plan.jobs[i];
    if (i < results.size() && results[i])
      by[job.group][job.replication] = &*results[i];
    else
      s.missing_jobs.push_back(job.id);
  }
  for (const Metric& m : metrics_of(results)) {
    CompareRow row{m.subject, m.name, m.unit, m.is_class, {}};
    auto value = [&](size_t g, size_t r) -> std::optional<double> {
      return by[g][r] ? lookup_metric(*by[g][r], m.subject, m.is_class, m.name) : std::nullopt;
    };
    for (size_t g = 0; g < plan.groups.size(); ++g) {
      CompareCell cell;
      std::vector<double> xs, diffs;
      for (size_t r = 0; r < plan.replications; ++r) {
        auto v = value(g, r);
        if (!v)
          continue;
        xs.push_back(*v);
        if (auto base = value(0, r); base && g > 0)
          diffs.push_back(*v - *base);
      }
      if (!xs.empty())
        cell.value = mean_ci(xs);
      if (g > 0 && !diffs.empty()) {
        cell.diff        = mean_ci(diffs);
        cell.significant = diffs.size() >= 2 && std::isfinite(cell.diff->half_width) &&
                           (cell.diff->lo() > 0 || cell.diff->hi() < 0);
      }
      row.cells.push_back(cell);
    }
    s.rows.push_back(std::move(row));
  }
  // Targets, as the first result lists them (every job runs the same scenario's targets,
  // though a variant may patch them; each result is checked against its own).
  const json* first = nullptr;
  for (const auto& r : results)
    if (r && !first)
      first = &*r;
  if (first)
    for (const auto& t : array_at(*first, "targets")) {
      TargetVerdict v;
      v.text = text_at(t, "text");
      for (size_t g = 0; g < plan.groups.size(); ++g) {
        std::vector<double> xs;
        size_t met = 0, runs = 0, applicable = 0;
        for (size_t r = 0; r < plan.replications; ++r) {
          if (!by[g][r])
            continue;
          ++runs;
          for (const auto& check : evaluate_targets(*by[g][r]))
            if (check.text == v.text) {
              ++applicable;
              met += check.met && !check.missing;
              if (!check.missing)
                xs.push_back(check.measured);
            }
        }
        v.measured.push_back(xs.empty() ? std::nullopt : std::optional<MeanCi>(mean_ci(xs)));
        v.met.push_back(met);
        v.runs.push_back(runs);
        v.applicable.push_back(applicable);
      }
      s.targets.push_back(std::move(v));
    }
  return s;
}

namespace {

std::string with_ci(const MeanCi& ci, Unit unit)
{
  if (!std::isfinite(ci.half_width) || ci.n < 2)
    return format_quantity(ci.mean, unit);
  return format_quantity(ci.mean, unit) + " \xC2\xB1 " + format_quantity(ci.half_width, unit);  // ±
}

std::string relative(const CompareCell& cell, const CompareCell& base, Unit unit)
{
  if (!cell.diff || !base.value)
    return "";
  std::string mark = cell.significant ? " *" : "";
  double b         = base.value->mean;
  double d         = cell.diff->mean;
  // Below float noise (the same draws summed in another order): no difference.
  if (std::fabs(d) <= 1e-9 * std::max(std::fabs(b), 1e-12))
    return " (=)";
  if (unit == Unit::Fraction)  // ratios: the difference in percentage points reads better
    return fmt::format(" ({:+.3g} pp{})", 100.0 * d, mark);
  if (b == 0)
    return fmt::format(" ({}{}{})", d >= 0 ? "+" : "-", format_quantity(std::fabs(d), unit), mark);
  return fmt::format(" ({:+.0f}%{})", 100.0 * d / b, mark);
}

// A row whose every measurement is zero (no rejections anywhere) says nothing.
bool all_zero(const CompareRow& row)
{
  for (const auto& c : row.cells)
    if (c.value && (c.value->mean != 0 || (std::isfinite(c.value->half_width) && c.value->half_width != 0)))
      return false;
  return true;
}

}  // namespace

ReportTable compare_table(const CompareSummary& s)
{
  ReportTable t;
  t.headers = {"subject", "metric"};
  t.align   = {Align::Left, Align::Left};
  for (const auto& g : s.groups) {
    t.headers.push_back(g);
    t.align.push_back(Align::Right);
  }
  for (const auto& row : s.rows) {
    if (!row.is_class && all_zero(row))
      continue;
    std::vector<std::string> cells{row.subject, row.metric};
    for (size_t g = 0; g < row.cells.size(); ++g) {
      const CompareCell& c = row.cells[g];
      cells.push_back(c.value ? with_ci(*c.value, row.unit) + relative(c, row.cells[0], row.unit) : "-");
    }
    t.rows.push_back(std::move(cells));
    t.tones.push_back(Tone::Plain);
  }
  return t;
}

namespace {
// The group's runs have results, and none of them has this target: its variant dropped it.
bool not_applicable(const TargetVerdict& v, size_t g) { return v.runs[g] > 0 && v.applicable[g] == 0; }
}  // namespace

ReportTable verdict_table(const CompareSummary& s)
{
  ReportTable t;
  t.headers = {"target"};
  t.align   = {Align::Left};
  for (const auto& g : s.groups) {
    t.headers.push_back(g);
    t.align.push_back(Align::Right);
  }
  for (const auto& v : s.targets) {
    std::vector<std::string> cells{v.text};
    bool all = true;
    for (size_t g = 0; g < s.groups.size(); ++g) {
      if (not_applicable(v, g)) {
        cells.push_back("n/a");
        continue;
      }
      bool met = v.runs[g] > 0 && v.met[g] == v.runs[g];
      all      = all && met;
      cells.push_back(fmt::format("{} {}/{}", met ? "\xE2\x9C\x93 met" : "\xE2\x9C\x97 MISSED", v.met[g], v.runs[g]));
    }
    t.rows.push_back(std::move(cells));
    t.tones.push_back(all ? Tone::Good : Tone::Bad);
  }
  return t;
}

std::vector<std::string> verdict_lines(const CompareSummary& s)
{
  std::vector<std::string> out;
  for (const auto& v : s.targets) {
    std::vector<std::string> met, missed, mixed, dropped;
    for (size_t g = 0; g < s.groups.size(); ++g) {
      if (not_applicable(v, g))
        dropped.push_back(s.groups[g]);
      else if (v.runs[g] > 0 && v.met[g] == v.runs[g])
        met.push_back(s.groups[g]);
      else if (v.met[g] == 0)
        missed.push_back(s.groups[g]);
      else
        mixed.push_back(fmt::format("{} ({} of {} runs)", s.groups[g], v.met[g], v.runs[g]));
    }
    std::string line = v.text + ":";
    auto list        = [](const std::vector<std::string>& xs) { return fmt::format("{}", fmt::join(xs, ", ")); };
    if (!met.empty())
      line += " met by " + list(met) + ";";
    if (!missed.empty())
      line += " missed by " + list(missed) + ";";
    if (!mixed.empty())
      line += " met in some runs only by " + list(mixed) + ";";
    if (!dropped.empty())
      line += " not a target of " + list(dropped) + ";";
    line.pop_back();
    out.push_back(line);
  }
  return out;
}

}  // namespace archsim
